import type { Ctx } from '../../platform/context.ts';
import { connectorBaselines } from '../sessions/index.ts';
import { operatorTimeZone } from '../tariffs/index.ts';
import type { OcppObservation } from '../ocpp/index.ts';
import { createState, observe, seed, energyReadings, type DetectorState, type Finding, type Obs, type Thresholds } from './rules.ts';
import { loadThresholds, upsertIncident } from './store.ts';
import { guardSettings, enforce, type GuardKey } from './config-guard.ts';

interface OperatorState {
  state: DetectorState;
  th: Thresholds;
}

/** yyyy-MM-dd of an instant in a time zone (the main-meter day). */
function dayFormatter(tz: string) {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (ms: number) => f.format(ms);
}

/**
 * Live evaluation: the OCPP observer turns each handled frame into observations for the rules, in
 * memory. The only database reads are once per charger (its open transactions and last meterStops,
 * after a restart) and once per operator (thresholds, time zone); frames of a charger that arrive
 * meanwhile wait in order. Findings are written off the frame's path, coalesced by occurrence, so a
 * refused transaction that keeps charging costs one upsert per flush, not one per frame.
 */
export class LiveDetector {
  private operators = new Map<string, OperatorState | Promise<OperatorState>>();
  private seeded = new Set<string>();
  private waiting = new Map<string, Obs[]>();
  private dirty = new Map<string, { operatorId: string; f: Finding }>();
  private flushing: Promise<void> | null = null;
  /** incidents written (tests and metrics) */
  written = 0;

  constructor(private ctx: Ctx) {}

  /** operators' configuration guard (null: off), read once per operator and on change */
  private guards = new Map<string, Promise<GuardKey[] | null>>();

  guardChanged(operatorId: string) {
    this.guards.delete(operatorId);
  }

  /** An accepted boot of an operator with the guard on: set and read back its keys, off the frame's path. */
  private onBoot(operatorId: string, chargerId: string) {
    let g = this.guards.get(operatorId);
    if (!g) {
      g = guardSettings(this.ctx.db, operatorId).then((s) => (s.enabled ? s.keys : null));
      g.catch(() => this.guards.delete(operatorId));
      this.guards.set(operatorId, g);
    }
    void g
      .then((keys) => keys && enforce(this.ctx, operatorId, chargerId, keys))
      .catch((err) => this.ctx.log.warn({ err, chargerId }, 'configuration guard failed'));
  }

  observe = (o: OcppObservation) => {
    if (o.kind === 'call' && o.action === 'BootNotification' && o.result?.status === 'Accepted') this.onBoot(o.operatorId, o.chargerId);
    const obs = toObservations(o);
    if (!obs.length) return;
    const op = this.operators.get(o.operatorId);
    if (op && !(op instanceof Promise) && this.seeded.has(o.chargerId) && !this.waiting.has(o.chargerId)) {
      for (const x of obs) this.found(o.operatorId, observe(op.state, x, op.th));
      return;
    }
    const q = this.waiting.get(o.chargerId);
    if (q) return void q.push(...obs);
    this.waiting.set(o.chargerId, [...obs]);
    void this.load(o.operatorId, o.chargerId).catch((err) => {
      this.waiting.delete(o.chargerId);
      this.ctx.log.warn({ err, chargerId: o.chargerId }, 'incident detection could not load a charger; its frames so far are not evaluated');
    });
  };

  private operator(operatorId: string): Promise<OperatorState> | OperatorState {
    let s = this.operators.get(operatorId);
    if (!s) {
      const p = (async () => {
        const [th, tz] = await Promise.all([loadThresholds(this.ctx.db, operatorId), operatorTimeZone(this.ctx.db, operatorId)]);
        const st = { state: createState(dayFormatter(tz)), th };
        this.operators.set(operatorId, st);
        return st;
      })();
      p.catch(() => this.operators.delete(operatorId));
      this.operators.set(operatorId, (s = p));
    }
    return s;
  }

  private async load(operatorId: string, chargerId: string) {
    const op = await this.operator(operatorId);
    if (!this.seeded.has(chargerId)) {
      for (const b of await connectorBaselines(this.ctx.db, operatorId, chargerId))
        seed(op.state, {
          chargerId,
          connectorId: b.connectorId,
          idleRegister: b.lastStopWh,
          tx: b.openTx ? { ...b.openTx, startAt: b.openTx.startAt.getTime(), lastAt: b.openTx.lastAt?.getTime() ?? null } : undefined,
        });
      this.seeded.add(chargerId);
    }
    const q = this.waiting.get(chargerId) ?? [];
    this.waiting.delete(chargerId);
    for (const x of q) this.found(operatorId, observe(op.state, x, op.th));
  }

  /** New thresholds apply from the next frame. */
  setThresholds(operatorId: string, th: Thresholds) {
    const s = this.operators.get(operatorId);
    if (s && !(s instanceof Promise)) s.th = th;
  }

  private found(operatorId: string, fs: Finding[]) {
    if (!fs.length) return;
    for (const f of fs) this.dirty.set(`${operatorId}|${f.key}`, { operatorId, f });
    this.flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.flush());
  }

  private async flush() {
    while (this.dirty.size) {
      const batch = [...this.dirty.values()];
      this.dirty.clear();
      for (const { operatorId, f } of batch) {
        try {
          await upsertIncident(this.ctx.db, operatorId, f, 'live', this.ctx.clock.date());
          this.written++;
        } catch (err) {
          this.ctx.log.error({ err, operatorId, key: f.key }, 'could not record an incident');
        }
      }
    }
    this.flushing = null;
  }

  /** Waits for every finding so far to be written (tests, shutdown). */
  async drain() {
    for (let i = 0; i < 1000 && (this.waiting.size || this.flushing || this.dirty.size); i++) {
      if (this.flushing) await this.flushing;
      else await new Promise((r) => setImmediate(r));
    }
  }
}

/** A handled frame as observations for the rules; timestamps are the charger's own where it gives them. */
export function toObservations(o: OcppObservation): Obs[] {
  const chargerId = o.chargerId;
  if (o.kind === 'connected') return [{ type: 'connected', chargerId, at: o.at.getTime(), previousAlive: o.previousAlive, ref: { at: o.at.getTime(), action: 'connect' } }];
  const p = o.params;
  const ref = (at: number) => ({ at, action: o.action, messageId: o.messageId });
  switch (o.action) {
    case 'StartTransaction': {
      const txId = o.result?.transactionId;
      if (typeof txId !== 'number') return [];
      const at = Date.parse(p.timestamp);
      return [{ type: 'start', chargerId, at, connectorId: p.connectorId, txId, idTag: p.idTag, status: o.result.idTagInfo?.status ?? 'Invalid', meterStart: p.meterStart, ref: ref(at) }];
    }
    case 'StopTransaction': {
      const at = Date.parse(p.timestamp);
      return [{ type: 'stop', chargerId, at, txId: p.transactionId, meterStop: p.meterStop, ref: ref(at) }];
    }
    case 'MeterValues': {
      const out: Obs[] = energyReadings(p.meterValue).map((r) => ({ type: 'meter', chargerId, at: r.at, connectorId: p.connectorId, txId: p.transactionId ?? null, registerWh: r.wh, ref: ref(r.at) }));
      if (out.length) out.push({ type: 'tick', chargerId, at: out[out.length - 1].at });
      return out;
    }
    case 'StatusNotification': {
      const at = p.timestamp ? Date.parse(p.timestamp) : o.receivedAt.getTime();
      return [
        { type: 'status', chargerId, at, connectorId: p.connectorId, status: p.status, ref: ref(at) },
        { type: 'tick', chargerId, at },
      ];
    }
    case 'SecurityEventNotification': {
      const at = Date.parse(p.timestamp);
      return [{ type: 'security', chargerId, at, eventType: p.type, ref: ref(at) }];
    }
    default:
      return [];
  }
}
