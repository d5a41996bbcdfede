/**
 * A reconciliation run: our partner orders of [from, to) — an order belongs to the period its
 * session ENDED in — against the partner's records (a statement file, or its answers to our
 * check_charge_orders for each day), matched and classified by the pure core (match.ts), every
 * difference with computed hints, stored as items to resolve.
 */
import { Temporal } from 'temporal-polyfill';
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { partnerOrdersEnded } from '../orders/index.ts';
import { checkAnswer, connectorCode } from '../roaming/index.ts';
import { operatorTimeZone } from '../tariffs/index.ts';
import { gatherFacts, hintsFor } from './hints.ts';
import { anomalies, DEFAULT_TOLERANCE, reconcile, summarize, type Item, type Rec, type Tolerance } from './match.ts';
import type { Mapping } from './statement.ts';
import { parseKwhToWh, parseMoney } from './statement.ts';

export type RunSource = 'check_charge_orders' | 'statement';

export interface PartnerSettings {
  mapping: Mapping | null;
  tolerance: Tolerance;
}

export async function partnerSettings(q: Queryable, operatorId: string, partnerId: string): Promise<PartnerSettings> {
  const r = await q.query<{ mapping: Mapping | null; energy_tolerance_wh: number; money_tolerance_fen: number }>(
    `SELECT mapping, energy_tolerance_wh, money_tolerance_fen FROM recon_partner_settings WHERE operator_id = $1 AND partner_id = $2`,
    [operatorId, partnerId],
  );
  const x = r.rows[0];
  return x ? { mapping: x.mapping, tolerance: { energyWh: x.energy_tolerance_wh, moneyFen: x.money_tolerance_fen } } : { mapping: null, tolerance: DEFAULT_TOLERANCE };
}

export async function savePartnerSettings(q: Queryable, operatorId: string, partnerId: string, s: { mapping?: Mapping | null; tolerance?: Partial<Tolerance> }, by: string) {
  const cur = await partnerSettings(q, operatorId, partnerId);
  const mapping = s.mapping === undefined ? cur.mapping : s.mapping;
  const tol = { ...cur.tolerance, ...s.tolerance };
  await q.query(
    `INSERT INTO recon_partner_settings (operator_id, partner_id, mapping, energy_tolerance_wh, money_tolerance_fen, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, now())
     ON CONFLICT (operator_id, partner_id) DO UPDATE SET mapping = EXCLUDED.mapping, energy_tolerance_wh = EXCLUDED.energy_tolerance_wh,
       money_tolerance_fen = EXCLUDED.money_tolerance_fen, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [operatorId, partnerId, mapping === null ? null : JSON.stringify(mapping), tol.energyWh, tol.moneyFen, by],
  );
  return partnerSettings(q, operatorId, partnerId);
}

export interface RunInput {
  operatorId: string;
  partnerId: string;
  from: Date;
  to: Date;
  startedBy: string;
  source: RunSource;
  /** once per scheduled (operator, partner, month) */
  scheduleKey?: string;
}

/** Creates the run row (status running); null when the schedule key was used already. */
export async function createRun(q: Queryable, i: RunInput): Promise<number | null> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO recon_runs (operator_id, partner_id, period_from, period_to, source, started_by, schedule_key, progress)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (schedule_key) DO NOTHING RETURNING id`,
    [i.operatorId, i.partnerId, i.from, i.to, i.source, i.startedBy, i.scheduleKey ?? null, JSON.stringify({ phase: 'queued' })],
  );
  return r.rows[0] ? Number(r.rows[0].id) : null;
}

async function progress(ctx: Ctx, runId: number, p: Record<string, unknown>) {
  await ctx.db.query(`UPDATE recon_runs SET progress = $2 WHERE id = $1`, [runId, JSON.stringify({ ...p, at: ctx.clock.date().toISOString() })]);
}

/** Local days (yyyy-MM-dd) that [from, to) touches in the zone. */
export function daysOf(from: Date, to: Date, tz: string): string[] {
  const out: string[] = [];
  let d = Temporal.Instant.fromEpochMilliseconds(from.getTime()).toZonedDateTimeISO(tz).toPlainDate();
  const last = Temporal.Instant.fromEpochMilliseconds(to.getTime() - 1).toZonedDateTimeISO(tz).toPlainDate();
  while (Temporal.PlainDate.compare(d, last) <= 0) {
    out.push(d.toString());
    d = d.add({ days: 1 });
  }
  return out;
}

const exact = (n: unknown, digits: number, parse: (s: string) => number | null) => {
  const v = typeof n === 'number' ? parse(n.toFixed(digits)) : typeof n === 'string' ? parse(n.trim()) : null;
  return v;
};

/**
 * The partner's side from its check_charge_orders answers: every order we listed that it did not
 * dispute, as we sent it; DisputeReason 1 (no such transaction) is absent; 2/3 carry its figures.
 */
export function theirsFromCheck(days: { sent: { ChargeOrders: { StartChargeSeq: string; TotalPower: unknown; TotalMoney: unknown }[] }; disputes: Record<string, unknown>[] }[], inPeriod: Set<string>): Rec[] {
  const out: Rec[] = [];
  for (const d of days) {
    const disputes = new Map(d.disputes.map((x) => [String(x.StartChargeSeq ?? ''), x]));
    for (const o of d.sent.ChargeOrders) {
      if (!inPeriod.has(o.StartChargeSeq)) continue;
      const disp = disputes.get(o.StartChargeSeq);
      const reason = disp ? Number(disp.DisputeReason) : 0;
      if (reason === 1) continue;
      const power = disp && disp.TotalPower !== undefined && disp.TotalPower !== null ? disp.TotalPower : o.TotalPower;
      const money = disp && disp.TotalMoney !== undefined && disp.TotalMoney !== null ? disp.TotalMoney : o.TotalMoney;
      out.push({ seq: o.StartChargeSeq, wh: exact(power, 3, parseKwhToWh) ?? 0, totalFen: exact(money, 2, parseMoney) ?? 0 });
    }
  }
  return out;
}

export async function loadOurs(ctx: Ctx, operatorId: string, partnerId: string, from: Date, to: Date): Promise<Rec[]> {
  const ours: Rec[] = [];
  for await (const batch of partnerOrdersEnded(ctx.db, operatorId, partnerId, from, to))
    for (const o of batch) {
      const r: Rec = {
        seq: o.startChargeSeq ?? undefined,
        connector: connectorCode(o.chargerId, o.connectorId),
        startMs: o.startMs,
        endMs: o.endMs,
        wh: o.wh,
        elecFen: o.elecFen,
        serviceFen: o.serviceFen,
        totalFen: o.elecFen + o.serviceFen,
        details: o.details,
        orderNo: o.orderNo,
      };
      // details that add up say nothing more: dropping them keeps a month of a busy partner small
      if (!anomalies(r).length) delete r.details;
      ours.push(r);
    }
  return ours;
}

interface RunRow {
  id: number;
  operator_id: string;
  partner_id: string;
  period_from: Date;
  period_to: Date;
  source: RunSource;
  status: string;
}

const BATCH = 10_000;
const sum = (rs: Rec[], k: 'wh' | 'totalFen') => (rs.length ? rs.reduce((a, r) => a + r[k], 0) : null);
const slim = (r: Rec) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));

/** Matches, classifies, hints and stores a run; `theirs` is the parsed statement (else check_charge_orders). */
export async function executeRun(ctx: Ctx, runId: number, theirs?: Rec[]) {
  const run = (await ctx.db.query<RunRow>(`SELECT * FROM recon_runs WHERE id = $1`, [runId])).rows[0];
  if (!run || run.status !== 'running') return null;
  const { operator_id: op, partner_id: partnerId } = run;
  try {
    const { tolerance } = await partnerSettings(ctx.db, op, partnerId);
    await progress(ctx, runId, { phase: 'loading' });
    const ours = await loadOurs(ctx, op, partnerId, run.period_from, run.period_to);
    if (!theirs) {
      const tz = await operatorTimeZone(ctx.db, op);
      const answers = [];
      for (const day of daysOf(run.period_from, run.period_to, tz)) answers.push(await checkAnswer(ctx, op, partnerId, day));
      theirs = theirsFromCheck(answers, new Set(ours.map((o) => o.seq!).filter(Boolean)));
    }
    await progress(ctx, runId, { phase: 'matching', ours: ours.length, theirs: theirs.length });
    const items = reconcile(ours, theirs, tolerance);
    const summary = summarize(items);
    // hints for the differences, a batch at a time
    const diffs = items.filter((i) => i.class !== 'matched');
    const hints = new Map<Item, unknown[]>();
    for (let k = 0; k < diffs.length; k += 500) {
      const part = diffs.slice(k, k + 500);
      const facts = await gatherFacts(ctx.db, op, partnerId, part);
      part.forEach((it, j) => hints.set(it, hintsFor(it, facts[j], tolerance)));
    }
    let stored = 0;
    await ctx.db.query(`DELETE FROM recon_items WHERE run_id = $1`, [runId]);
    const store = async (part: Item[]) => {
      await ctx.db.query(
        `INSERT INTO recon_items (run_id, operator_id, class, order_no, start_charge_seq, ours_wh, ours_fen, theirs_wh, theirs_fen, stake_fen, detail, hints)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::int8[], $7::int8[], $8::int8[], $9::int8[], $10::int8[], $11::jsonb[], $12::jsonb[])`,
        [
          runId,
          op,
          part.map((i) => i.class),
          part.map((i) => i.ours[0]?.orderNo ?? null),
          part.map((i) => i.seq ?? null),
          part.map((i) => sum(i.ours, 'wh')),
          part.map((i) => sum(i.ours, 'totalFen')),
          part.map((i) => sum(i.theirs, 'wh')),
          part.map((i) => sum(i.theirs, 'totalFen')),
          part.map((i) => i.stakeFen),
          part.map((i) => (i.class === 'matched' ? null : JSON.stringify({ ours: i.ours.map(slim), theirs: i.theirs.map(slim), reasons: i.reasons }))),
          part.map((i) => (i.class === 'matched' ? null : JSON.stringify(hints.get(i) ?? []))),
        ],
      );
      stored += part.length;
    };
    // two batches at a time: the database server works on one while we build the next
    for (let k = 0; k < items.length; k += 2 * BATCH) {
      await Promise.all([store(items.slice(k, k + BATCH)), k + BATCH < items.length ? store(items.slice(k + BATCH, k + 2 * BATCH)) : null]);
      if (items.length > BATCH) await progress(ctx, runId, { phase: 'storing', stored, total: items.length });
    }
    const body = { ...summary, stakeBeforeFen: summary.stakeFen, period: 'an order belongs to the period its charging session ended in', ours: ours.length, theirs: theirs.length };
    const status = diffs.length ? 'open' : 'closed';
    await ctx.db.query(
      `UPDATE recon_runs SET status = $2, summary = $3, progress = $4, finished_at = $5, closed_at = CASE WHEN $2 = 'closed' THEN $5::timestamptz END WHERE id = $1`,
      [runId, status, JSON.stringify(body), JSON.stringify({ phase: 'done', stored, total: items.length }), ctx.clock.date()],
    );
    return { status, counts: summary.counts };
  } catch (e) {
    await ctx.db.query(`UPDATE recon_runs SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1`, [runId, (e as Error).message.slice(0, 500), ctx.clock.date()]);
    throw e;
  }
}
