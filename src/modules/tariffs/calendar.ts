import type { PeriodType, TariffPeriod, TariffVersion } from './types.ts';
import { type LocalDay, instantOfMinute } from './local-days.ts';

/**
 * Which periods apply on a local day: a calendar rule naming the date ("MM-dd" or "yyyy-MM-dd")
 * wins over one naming the month, which wins over the version's base periods; among rules of the
 * same kind the first listed wins. (A dated exception such as a holiday is more specific than a
 * seasonal one such as "sharp hours in July to September".)
 */
export function periodsForDay(version: TariffVersion, day: LocalDay): TariffPeriod[] {
  const cal = version.calendar;
  if (!cal?.length) return version.periods;
  for (const r of cal) if (r.dates?.some((d) => d === day.mmdd || d === day.ymd)) return r.periods;
  for (const r of cal) if (r.months?.includes(day.month)) return r.periods;
  return version.periods;
}

/** One line's worth of a day: consecutive periods with the same type and prices, merged. */
export interface Segment {
  start: number;
  end: number;
  type: PeriodType;
  electricityPrice: number;
  servicePrice: number;
}

const cache = new WeakMap<TariffVersion, Map<string, Map<number, Segment[]>>>();

/** The day's merged segments, covering [day.start, day.end) without gaps; cached per version and zone. */
export function segmentsOfDay(version: TariffVersion, day: LocalDay): Segment[] {
  let byTz = cache.get(version);
  if (!byTz) cache.set(version, (byTz = new Map()));
  let byDay = byTz.get(day.tz);
  if (!byDay) byTz.set(day.tz, (byDay = new Map()));
  let segs = byDay.get(day.index);
  if (!segs) {
    if (byDay.size > 50_000) byDay.clear();
    segs = buildSegments(periodsForDay(version, day), day);
    byDay.set(day.index, segs);
  }
  return segs;
}

function buildSegments(periods: TariffPeriod[], day: LocalDay): Segment[] {
  const out: Segment[] = [];
  let prevEnd = day.start;
  for (let i = 0; i < periods.length; i++) {
    const p = periods[i];
    const start = prevEnd;
    // DST gaps can make a later wall time map to an earlier instant: never let a segment go backwards.
    const end = i + 1 < periods.length ? Math.max(start, instantOfMinute(day, periods[i + 1].startMinute)) : day.end;
    prevEnd = end;
    const last = out[out.length - 1];
    if (last && last.type === p.type && last.electricityPrice === p.electricityPrice && last.servicePrice === p.servicePrice) {
      last.end = end;
      continue;
    }
    if (end === start && i + 1 < periods.length) continue;
    out.push({ start, end, type: p.type, electricityPrice: p.electricityPrice, servicePrice: p.servicePrice });
  }
  return out;
}
