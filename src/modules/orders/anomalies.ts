/**
 * Abnormal-order (异常订单) rules: plain data in, reasons out. They run on every order before it
 * settles or is pushed to a partner; any reason holds the order for staff review.
 *
 * A reason is of kind 'figures' when it is about the priced inputs and outputs (a correction can fix
 * it, and a correction whose result still breaks one is refused), or 'session' when it is a fact about
 * how the session happened (an unknown card, a charger that never sent StopTransaction): staff review
 * those, and a correction or an approval is that review.
 */
import type { Priced, TariffVersion } from '../tariffs/index.ts';
import { energyCostFen } from '../../platform/money.ts';

export type AnomalyCode =
  | 'negative_value'
  | 'meter_rollback'
  | 'energy_above_rated_power'
  | 'long_session_no_energy'
  | 'end_before_start'
  | 'end_in_future'
  | 'still_running_24h'
  | 'missing_stop'
  | 'parts_do_not_add_up'
  | 'price_mismatch'
  | 'id_tag_rejected'
  | 'concurrent_tx'
  | 'idle_unplug_missing'
  | 'no_tariff';

export interface AnomalyReason {
  code: AnomalyCode;
  kind: 'figures' | 'session';
  message: string;
}

export interface AnomalyLimits {
  /** energy may exceed rated power × duration by this factor before it is implausible */
  powerFactor: number;
  /** a session longer than this with (almost) no energy is abnormal */
  longSessionHours: number;
  /** "no energy" means at most this many Wh */
  noEnergyMaxWh: number;
  /** a session still running after this many hours is abnormal */
  staleHours: number;
  /** charger clocks drift: an end time up to this far ahead of our clock is tolerated */
  futureSkewMs: number;
}

export const DEFAULT_LIMITS: AnomalyLimits = {
  powerFactor: 1.1,
  longSessionHours: 4,
  noEnergyMaxWh: 10,
  staleHours: 24,
  futureSkewMs: 5 * 60_000,
};

export interface AnomalyInput {
  now: number;
  startAt: number;
  /** charging end; null while the session still runs */
  endAt: number | null;
  meterStartWh: number;
  meterStopWh: number | null;
  /** connector's rated power in W; null when unknown (the physics rule is then skipped) */
  ratedPowerW: number | null;
  sessionStatus: 'active' | 'finished';
  /** flags the sessions module set (meter_rollback, no_stop, unknown_id_tag, invalid_id_tag, ...) */
  sessionFlags: string[];
  /** what the id tag check answered at start; null for partner/app sessions without a tag */
  idTagStatus: string | null;
  /** the engine's result; null for a placeholder order of a session still running */
  priced: Priced | null;
  /** the tariff version the order was priced with (price check) */
  tariff: TariffVersion | null;
  /** the car never unplugged within the idle limit: idle end was assumed */
  idleEndAssumed?: boolean;
}

/**
 * A session no tariff applied to is still billed: priced at zero with this stand-in version and held
 * (no_tariff) until staff correct it with a real tariff version. Energy is never delivered without an order.
 */
export const NO_TARIFF: TariffVersion = { id: 0, tariffId: '', effectiveFrom: 0, periods: [{ startMinute: 0, type: 'flat', electricityPrice: 0, servicePrice: 0 }] };

const REJECTED_TAGS = new Set(['Invalid', 'Blocked', 'Expired']);

/** Every rule that applies, in a stable order; empty means the order may settle. */
export function detectAnomalies(i: AnomalyInput, limits: AnomalyLimits = DEFAULT_LIMITS): AnomalyReason[] {
  const out: AnomalyReason[] = [];
  const add = (code: AnomalyCode, kind: AnomalyReason['kind'], message: string) => {
    if (!out.some((r) => r.code === code)) out.push({ code, kind, message });
  };
  const p = i.priced;
  const flags = new Set(i.sessionFlags);

  const negatives = negativeFields(i);
  if (negatives.length) add('negative_value', 'figures', `negative values: ${negatives.join(', ')}`);

  if (i.meterStopWh !== null && i.meterStopWh < i.meterStartWh)
    add('meter_rollback', 'figures', `meter stop ${i.meterStopWh} Wh is below meter start ${i.meterStartWh} Wh`);
  if (flags.has('meter_rollback')) add('meter_rollback', 'session', 'the energy register went backwards during the session');

  if (i.endAt !== null && i.endAt < i.startAt) add('end_before_start', 'figures', 'the session ends before it starts');
  if (i.endAt !== null && i.endAt > i.now + limits.futureSkewMs) add('end_in_future', 'figures', 'the session ends in the future');
  if (i.startAt > i.now + limits.futureSkewMs) add('end_in_future', 'figures', 'the session starts in the future');

  const billedWh = p ? p.billedWh : i.meterStopWh !== null ? i.meterStopWh - i.meterStartWh : 0;
  if (i.endAt !== null && i.endAt >= i.startAt) {
    const ms = i.endAt - i.startAt;
    if (i.ratedPowerW !== null && i.ratedPowerW > 0) {
      // Wh allowed = W × h × factor; compared in integers scaled by 3.6e6 to avoid float drift at the edge
      const allowedTimes = BigInt(i.ratedPowerW) * BigInt(ms) * BigInt(Math.round(limits.powerFactor * 1000));
      if (BigInt(billedWh) * 3_600_000n * 1000n > allowedTimes)
        add('energy_above_rated_power', 'figures', `${billedWh} Wh in ${Math.round(ms / 60000)} min exceeds the rated ${i.ratedPowerW} W × ${limits.powerFactor}`);
    }
    if (ms > limits.longSessionHours * 3_600_000 && billedWh <= limits.noEnergyMaxWh)
      add('long_session_no_energy', 'session', `${(ms / 3_600_000).toFixed(1)} h with ${billedWh} Wh`);
  }

  if (i.sessionStatus === 'active' && i.now - i.startAt > limits.staleHours * 3_600_000)
    add('still_running_24h', 'session', `still running after ${limits.staleHours} h`);
  if (flags.has('still_running_24h')) add('still_running_24h', 'session', `ran for more than ${limits.staleHours} h`);

  if (flags.has('no_stop')) add('missing_stop', 'session', 'the charger never sent StopTransaction (offline); the end was inferred');

  if (p) {
    const broken = arithmeticProblems(p, i.startAt, i.endAt);
    if (broken.length) add('parts_do_not_add_up', 'figures', broken.join('; '));
    if (i.tariff) {
      const bad = priceProblems(p, i.tariff);
      if (bad.length) add('price_mismatch', 'figures', bad.join('; '));
    }
  }

  if (flags.has('unknown_id_tag') || flags.has('invalid_id_tag') || (i.idTagStatus !== null && REJECTED_TAGS.has(i.idTagStatus)))
    add('id_tag_rejected', 'session', `the id tag was ${i.idTagStatus ?? 'not accepted'} at start`);
  if (flags.has('concurrent_tx')) add('concurrent_tx', 'session', 'the card was already charging on another connector (shared or cloned card)');

  if (i.idleEndAssumed) add('idle_unplug_missing', 'session', 'the car was not seen unplugging; the idle end was assumed');
  if (i.tariff?.id === NO_TARIFF.id) add('no_tariff', 'figures', 'no tariff applied to the session: correct it with a tariff version');
  return out;
}

function negativeFields(i: AnomalyInput): string[] {
  const neg: string[] = [];
  if (i.meterStartWh < 0) neg.push('meterStart');
  if (i.meterStopWh !== null && i.meterStopWh < 0) neg.push('meterStop');
  const p = i.priced;
  if (!p) return neg;
  for (const k of ['billedWh', 'electricityFen', 'serviceFen', 'idleFeeFen', 'totalFen'] as const) if (p[k] < 0) neg.push(k);
  p.periods.forEach((x, n) => {
    for (const k of ['wh', 'electricityFen', 'serviceFen', 'electricityPrice', 'servicePrice'] as const) if (x[k] < 0) neg.push(`periods[${n}].${k}`);
  });
  if (p.idle && p.idle.fen < 0) neg.push('idle.fen');
  return neg;
}

/** Totals are sums of the parts, periods tile [start, end] without gaps or overlaps. */
export function arithmeticProblems(p: Priced, startAt: number, endAt: number | null): string[] {
  const out: string[] = [];
  const sum = (k: 'wh' | 'electricityFen' | 'serviceFen') => p.periods.reduce((a, x) => a + x[k], 0);
  if (p.periods.length && sum('wh') !== p.billedWh) out.push(`period energy ${sum('wh')} Wh ≠ billed ${p.billedWh} Wh`);
  if (!p.periods.length && p.billedWh !== 0) out.push(`billed ${p.billedWh} Wh without periods`);
  if (sum('electricityFen') !== p.electricityFen) out.push(`period electricity ${sum('electricityFen')} ≠ ${p.electricityFen} fen`);
  if (sum('serviceFen') !== p.serviceFen) out.push(`period service ${sum('serviceFen')} ≠ ${p.serviceFen} fen`);
  if (p.idleFeeFen !== (p.idle?.fen ?? 0)) out.push(`idle fee ${p.idleFeeFen} ≠ idle detail ${p.idle?.fen ?? 0} fen`);
  if (p.electricityFen + p.serviceFen + p.idleFeeFen !== p.totalFen) out.push(`total ${p.totalFen} ≠ electricity + service + idle`);
  const ps = [...p.periods].sort((a, b) => a.start - b.start);
  for (let n = 0; n < ps.length; n++) {
    if (ps[n].end < ps[n].start) out.push(`period ${n} ends before it starts`);
    if (n > 0 && ps[n].start !== ps[n - 1].end) out.push(`periods ${n - 1} and ${n} ${ps[n].start < ps[n - 1].end ? 'overlap' : 'leave a gap'}`);
  }
  if (ps.length && endAt !== null && endAt >= startAt && (ps[0].start < startAt || ps[ps.length - 1].end > endAt))
    out.push('a period lies outside the session');
  return out;
}

/** Every period's (type, prices) must be one the tariff version defines (base day or a calendar rule). */
export function priceProblems(p: Priced, t: TariffVersion): string[] {
  const known = new Set<string>();
  for (const x of [...t.periods, ...(t.calendar ?? []).flatMap((c) => c.periods)]) known.add(`${x.type}|${x.electricityPrice}|${x.servicePrice}`);
  const out: string[] = [];
  if (p.tariffVersionId !== t.id) out.push(`priced with tariff version ${p.tariffVersionId}, the session's is ${t.id}`);
  p.periods.forEach((x, n) => {
    if (!known.has(`${x.type}|${x.electricityPrice}|${x.servicePrice}`))
      out.push(`period ${n} (${x.type}) has prices ${x.electricityPrice}/${x.servicePrice} not in tariff version ${t.id}`);
    if (x.wh >= 0 && x.electricityFen !== energyCostFen(x.wh, x.electricityPrice)) out.push(`period ${n} electricity amount is not its energy × price`);
    if (x.wh >= 0 && x.serviceFen !== energyCostFen(x.wh, x.servicePrice)) out.push(`period ${n} service amount is not its energy × price`);
  });
  return out;
}

/** Reasons a correction must clear: figure reasons. Session facts are considered reviewed by the correction. */
export const blocksCorrection = (r: AnomalyReason) => r.kind === 'figures';
