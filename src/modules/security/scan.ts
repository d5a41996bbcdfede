import type { Ctx } from '../../platform/context.ts';
import { listChargers } from '../registry/index.ts';
import { sessionsForScan, registerReadings, overlappingTagSessions } from '../sessions/index.ts';
import { statusHistory, connectionHistory, securityEvents } from '../ocpp/index.ts';
import { operatorTimeZone } from '../tariffs/index.ts';
import { createState, observe, finish, type Finding, type Obs, type Thresholds } from './rules.ts';
import { loadThresholds, upsertIncident } from './store.ts';

const MAX_ROWS = 1_000_000;

/**
 * History scan on demand: the same rules over what is stored (sessions, energy register samples,
 * status reports, connections, the charger's security events), charger by charger (a few at once on
 * PostgreSQL), each in time order.
 * Meter samples are read in pages and merged with the rest as they come, so memory stays flat over
 * millions of samples. Findings are written as the live path writes them: the same key, so a scan
 * over time the live detector already saw changes nothing and creates no duplicate.
 */
/**
 * Chargers scanned at once on PostgreSQL: each has its own rules state, so they are independent; a
 * few in flight keep several pool connections reading while this thread runs the rules (the 10M
 * samples aim, docs/performance.md). The embedded database has one connection: one at a time.
 */
export const SCAN_CONCURRENCY = 4;

export async function scanHistory(ctx: Ctx, operatorId: string, w: { from: Date; to: Date; chargerId?: string }, opts: { concurrency?: number } = {}) {
  const q = ctx.db;
  const th = await loadThresholds(q, operatorId);
  const tz = await operatorTimeZone(q, operatorId);
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
  const chargers = await listChargers(q, { operatorId, id: w.chargerId });
  const findings = new Map<string, Finding>();
  let observations = 0;
  const scanCharger = async (c: (typeof chargers)[number]) => {
    const state = createState((ms) => fmt.format(ms));
    const add = (fs: Finding[]) => {
      // one tag on two chargers needs every charger at once: found below from the sessions, for all
      for (const f of fs) if (f.kind !== 'tag_multi_connector') findings.set(f.key, f);
    };
    const others = await smallObservations(ctx, operatorId, c.id, w.from, w.to);
    let i = 0;
    for await (const page of registerReadings(q, operatorId, c.id, w.from, w.to)) {
      for (let k = 0; k < page.n; k++) {
        const at = page.at[k];
        while (i < others.length && (others[i].at < at || (others[i].at === at && others[i].type !== 'stop' && others[i].type !== 'tick'))) add(observe(state, others[i++], th)), observations++;
        const s = page.sessionId[k];
        const txId = Number.isNaN(s) ? null : s;
        add(observe(state, { type: 'meter', chargerId: c.id, at, connectorId: page.connectorId[k], txId, registerWh: page.wh[k], ref: { at, action: 'MeterValues', sessionId: txId ?? undefined } }, th));
        observations++;
      }
    }
    while (i < others.length) add(observe(state, others[i++], th)), observations++;
    add(finish(state, th));
  };
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? (ctx.db.kind === 'postgres' ? SCAN_CONCURRENCY : 1), chargers.length));
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chargers.length) await scanCharger(chargers[next++]);
    }),
  );
  if (!w.chargerId)
    for (const o of await overlappingTagSessions(q, operatorId, w.from, w.to)) {
      const at = o.at.getTime();
      const key = `tag_multi_connector:${Math.min(o.first, o.second)}:${Math.max(o.first, o.second)}`;
      findings.set(key, {
        kind: 'tag_multi_connector',
        key,
        chargerId: o.chargerId,
        connectorId: o.connectorId,
        sessionId: o.second,
        from: at,
        to: at,
        unbilledWh: 0,
        evidence: [
          { at, action: 'StartTransaction', sessionId: o.first },
          { at, action: 'StartTransaction', sessionId: o.second },
        ],
        details: { idTag: o.idTag, otherSessionId: o.first, otherChargerId: o.firstChargerId, otherConnectorId: o.firstConnectorId, idTagStatus: o.status },
      });
    }
  let created = 0;
  // in time order whatever order the chargers finished in: incident ids follow the events
  const ordered = [...findings.values()].sort((a, b) => a.from - b.from || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const f of ordered) if ((await upsertIncident(q, operatorId, f, 'scan', ctx.clock.date())).created) created++;
  return { chargers: chargers.length, observations, incidents: findings.size, created };
}

/** Everything but the meter samples, for one charger, in time order (sessions, statuses, connections, security events). */
async function smallObservations(ctx: Ctx, operatorId: string, chargerId: string, from: Date, to: Date): Promise<Obs[]> {
  const q = ctx.db;
  const out: Obs[] = [];
  for (const s of await sessionsForScan(q, operatorId, chargerId, from, to)) {
    const at = s.startedAt.getTime();
    out.push({ type: 'start', chargerId, at, connectorId: s.connectorId, txId: s.id, idTag: s.idTag, status: s.status, meterStart: s.meterStart, ref: { at, action: 'StartTransaction', sessionId: s.id } });
    if (s.stoppedAt && s.meterStop !== null) {
      const end = s.stoppedAt.getTime();
      out.push({ type: 'stop', chargerId, at: end, txId: s.id, meterStop: s.meterStop, ref: { at: end, action: 'StopTransaction', sessionId: s.id } });
    }
  }
  for (const s of await statusHistory(q, operatorId, chargerId, { from, to, limit: MAX_ROWS })) {
    const at = Date.parse(s.at!);
    out.push({ type: 'status', chargerId, at, connectorId: s.connectorId, status: s.status, ref: { at, action: 'StatusNotification' } }, { type: 'tick', chargerId, at });
  }
  const conns = (await connectionHistory(q, operatorId, chargerId, { from, to, limit: MAX_ROWS })).reverse();
  conns.forEach((c, k) => {
    const at = Date.parse(c.connectedAt!);
    const prev = conns[k - 1];
    const previousAlive = !!prev && prev.reason === 'replaced by a newer connection' && (!prev.disconnectedAt || Date.parse(prev.disconnectedAt) >= at);
    out.push({ type: 'connected', chargerId, at, previousAlive, ref: { at, action: 'connect' } });
  });
  for (const e of await securityEvents(q, operatorId, chargerId, { from: null, to: null, limit: MAX_ROWS })) {
    const d = e.details as { source?: string; timestamp?: string } | null;
    if (d?.source !== 'charger' || !d.timestamp) continue;
    const at = Date.parse(d.timestamp);
    if (at >= from.getTime() && at < to.getTime()) out.push({ type: 'security', chargerId, at, eventType: e.kind, ref: { at, action: 'SecurityEventNotification' } });
  }
  // a start before the samples of its own instant, a stop after them
  const rank: Record<Obs['type'], number> = { connected: 0, status: 1, start: 2, security: 3, meter: 4, tick: 5, stop: 6 };
  return out.sort((a, b) => a.at - b.at || rank[a.type] - rank[b.type]);
}

export type ScanResult = Awaited<ReturnType<typeof scanHistory>>;
export type { Thresholds };
