import type { Priced, PricedPeriod, PricingInput, TariffVersion } from './types.ts';
import { dayOf, dayByIndex } from './local-days.ts';
import { type Segment, segmentsOfDay } from './calendar.ts';
import { allocate, energyCurve } from './energy.ts';
import { priceIdle } from './idle.ts';

/**
 * The pricing engine: pure, no I/O, no clock (a running session passes `idle.now`).
 * See docs/tariffs.md for every rule; in short:
 * 1. the session's time is cut into lines at every period boundary, local midnight and calendar
 *    change (consecutive periods with the same type and prices form one line; never across midnight);
 * 2. the billed energy max(0, meterStop − meterStart) is spread over the lines along the meter
 *    samples (linear between samples, linear start→end without samples), in integer Wh by largest
 *    remainder so the lines add up exactly; a staff correction (periodEnergyOverride) replaces this;
 * 3. each line's electricity and service money = Wh × price, half-up to the fen; totals are sums.
 */
export function priceSession(input: PricingInput): Priced {
  const { tariff, timeZone } = input;
  const idleIn = input.idle;
  const fin = Number.isFinite;
  // A non-finite time would loop over days forever; refuse it.
  if (!(fin(input.startAt) && fin(input.endAt) && fin(input.meterStartWh) && fin(input.meterStopWh)) || (idleIn && !(fin(idleIn.chargingEndedAt) && fin(idleIn.unpluggedAt ?? 0) && fin(idleIn.now ?? 0))))
    throw new RangeError('priceSession: times and meter readings must be finite numbers');
  const idle = priceIdle(tariff.idleFee, idleIn, timeZone);
  const idleFeeFen = idle?.fen ?? 0;
  let periods: PricedPeriod[];
  let billedWh: number;
  if (input.periodEnergyOverride) {
    periods = linesFromOverride(tariff, timeZone, input.periodEnergyOverride);
    billedWh = 0;
    for (const p of periods) billedWh += p.wh;
  } else {
    // Registers are integer Wh by contract; a fractional reading (kWh × 1000 from a float) is rounded, never left fractional.
    billedWh = Math.max(0, Math.round(input.meterStopWh - input.meterStartWh));
    const startAt = input.startAt;
    const endAt = Math.max(input.endAt, startAt);
    periods = cutLines(tariff, timeZone, startAt, endAt);
    const bounds = new Array<number>(periods.length + 1);
    for (let i = 0; i < periods.length; i++) bounds[i] = periods[i].start;
    bounds[periods.length] = endAt;
    const whs = allocate(energyCurve(startAt, endAt, input.meterStartWh, billedWh, input.samples), bounds, billedWh);
    for (let i = 0; i < periods.length; i++) periods[i].wh = whs[i];
  }
  let electricityFen = 0;
  let serviceFen = 0;
  for (const p of periods) {
    p.electricityFen = costFen(p.wh, p.electricityPrice);
    p.serviceFen = costFen(p.wh, p.servicePrice);
    electricityFen += p.electricityFen;
    serviceFen += p.serviceFen;
  }
  return {
    tariffVersionId: tariff.id,
    billedWh,
    periods,
    electricityFen,
    serviceFen,
    idle,
    idleFeeFen,
    totalFen: electricityFen + serviceFen + idleFeeFen,
  };
}

const line = (s: Segment, start: number, end: number): PricedPeriod => ({
  start,
  end,
  type: s.type,
  electricityPrice: s.electricityPrice,
  servicePrice: s.servicePrice,
  wh: 0,
  electricityFen: 0,
  serviceFen: 0,
});

/** Lines covering [startAt, endAt] without gaps; a zero-length session gets the one line it starts in. */
export function cutLines(tariff: TariffVersion, tz: string, startAt: number, endAt: number): PricedPeriod[] {
  const out: PricedPeriod[] = [];
  if (endAt <= startAt) {
    const day = dayOf(tz, startAt);
    const segs = segmentsOfDay(tariff, day);
    let s = segs[segs.length - 1];
    for (const x of segs) if (x.start <= startAt && startAt < x.end) s = x;
    out.push(line(s, startAt, startAt));
    return out;
  }
  for (let day = dayOf(tz, startAt); day.start < endAt; day = dayByIndex(tz, day.index + 1)) {
    const segs = segmentsOfDay(tariff, day);
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i];
      if (s.end <= startAt || s.end <= s.start) continue;
      if (s.start >= endAt) break;
      out.push(line(s, s.start > startAt ? s.start : startAt, s.end < endAt ? s.end : endAt));
    }
  }
  return out;
}

/** A staff correction: energy given per interval; an interval spanning several lines is shared by time. */
function linesFromOverride(tariff: TariffVersion, tz: string, override: { start: number; end: number; wh: number }[]): PricedPeriod[] {
  const out: PricedPeriod[] = [];
  const sorted = [...override].sort((a, b) => a.start - b.start || a.end - b.end);
  for (const o of sorted) {
    const end = Math.max(o.end, o.start);
    const parts = cutLines(tariff, tz, o.start, end);
    const bounds = parts.map((p) => p.start).concat(end);
    const whs = allocate({ ts: [o.start, end], es: [0, Math.max(0, o.wh)] }, bounds, Math.max(0, Math.round(o.wh)));
    parts.forEach((p, i) => (p.wh = whs[i]));
    for (const p of parts) {
      const last = out[out.length - 1];
      // Adjacent override intervals inside the same line (same type and prices, same day) merge back.
      if (last && last.end === p.start && last.type === p.type && last.electricityPrice === p.electricityPrice && last.servicePrice === p.servicePrice && sameDay(tz, last.start, p.start) && p.start > last.start) {
        last.end = p.end;
        last.wh += p.wh;
      } else out.push(p);
    }
  }
  return out;
}

const sameDay = (tz: string, a: number, b: number) => dayOf(tz, a).index === dayOf(tz, b).index;

/** Wh × price (1/10000 yuan per kWh) → fen, half-up; same result as money.energyCostFen without BigInt. */
export function costFen(wh: number, price4: number): number {
  const x = wh * price4;
  if (x < 0 || x > 4e15) return costFenBig(wh, price4);
  const n = 2 * x + 100000; // half-up: floor((2x + d) / 2d), d = 100000
  let q = Math.floor(n / 200000);
  if (q * 200000 > n) q--;
  else if ((q + 1) * 200000 <= n) q++;
  return q;
}

function costFenBig(wh: number, price4: number): number {
  const n = BigInt(wh) * BigInt(price4);
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (a * 2n + 100000n) / 200000n;
  return Number(neg ? -q : q);
}
