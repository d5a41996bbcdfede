/**
 * A reconciliation run: our partner orders of [from, to) — an order belongs to the period its
 * session ENDED in — against the partner's records (a statement file, or its answers to our
 * check_charge_orders for each day), matched and classified by the pure core (match.ts), every
 * difference with computed hints, stored as items to resolve.
 */
import { Temporal } from 'temporal-polyfill';
import type { Queryable } from '../../platform/db/index.ts';
import { DEFAULT_TOLERANCE, type Rec, type Tolerance } from './match.ts';
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
