import { Temporal } from 'temporal-polyfill';

/**
 * Local calendar days of a time zone, computed once and cached, so the pricing hot loop does plain
 * integer arithmetic. A day is identified by its index L = days since 1970-01-01 (local date).
 * Nothing here assumes a fixed offset: a day's start and length come from the zone's rules
 * (23 or 25 hour days under DST), and only "uniform" days (24 h, one offset) use minute arithmetic.
 */
export interface LocalDay {
  index: number;
  start: number; // epoch ms of local midnight (or the first instant of the day when midnight is skipped)
  end: number; // start of the next local day
  year: number;
  month: number; // 1..12
  day: number;
  mmdd: string; // "MM-dd"
  ymd: string; // "yyyy-MM-dd"
  uniform: boolean; // 24 hours long with one UTC offset: minute m is at start + m·60000
  tz: string;
}

const DAY = 86_400_000;
const MAX_CACHED_DAYS = 200_000;
const days = new Map<string, Map<number, LocalDay>>();
const lastOffset = new Map<string, number>();

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function build(tz: string, index: number): LocalDay {
  const d = new Date(index * DAY);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const date = Temporal.PlainDate.from({ year, month, day });
  const start = date.toZonedDateTime({ timeZone: tz }).epochMilliseconds;
  const end = date.add({ days: 1 }).toZonedDateTime({ timeZone: tz }).epochMilliseconds;
  const uniform = end - start === DAY && start === Date.UTC(year, month - 1, day) - offsetAt(tz, start) && offsetAt(tz, start) === offsetAt(tz, end - 1);
  return { index, start, end, year, month, day, mmdd: `${pad(month)}-${pad(day)}`, ymd: `${year}-${pad(month)}-${pad(day)}`, uniform, tz };
}

function offsetAt(tz: string, epochMs: number): number {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(tz).offsetNanoseconds / 1e6;
}

/** Throws a RangeError for a zone the runtime does not know. */
export function assertTimeZone(tz: string) {
  Temporal.Now.instant().toZonedDateTimeISO(tz);
}

export function dayByIndex(tz: string, index: number): LocalDay {
  let m = days.get(tz);
  if (!m) days.set(tz, (m = new Map()));
  let d = m.get(index);
  if (!d) {
    if (m.size >= MAX_CACHED_DAYS) m.clear();
    d = build(tz, index);
    m.set(index, d);
  }
  return d;
}

/** The local day containing the instant. */
export function dayOf(tz: string, epochMs: number): LocalDay {
  let off = lastOffset.get(tz);
  if (off === undefined) {
    off = offsetAt(tz, epochMs);
    lastOffset.set(tz, off);
  }
  let d = dayByIndex(tz, Math.floor((epochMs + off) / DAY));
  // An offset guess is at most a day off (offsets are within ±18 h), so this walks one step at most twice.
  while (epochMs < d.start) d = dayByIndex(tz, d.index - 1);
  while (epochMs >= d.end) d = dayByIndex(tz, d.index + 1);
  lastOffset.set(tz, Date.UTC(d.year, d.month - 1, d.day) - d.start);
  return d;
}

/** The local day of a "yyyy-MM-dd" date. */
export function dayOfDate(tz: string, ymd: string): LocalDay {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) throw new RangeError(`not a date yyyy-MM-dd: ${ymd}`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = dayByIndex(tz, Math.floor(t / DAY));
  if (d.ymd !== ymd) throw new RangeError(`not a calendar date: ${ymd}`);
  return d;
}

/**
 * The first instant at which the local wall clock reads minute `minute` (0..1439) or later on the day:
 * a wall time skipped by a DST gap starts at the end of the gap (02:30 in a 02:00-03:00 gap → 03:00);
 * a repeated one takes its first occurrence. Kept inside [start, end].
 */
export function instantOfMinute(day: LocalDay, minute: number): number {
  if (minute <= 0) return day.start;
  if (day.uniform) return day.start + minute * 60_000;
  const wall = Temporal.PlainDateTime.from({ year: day.year, month: day.month, day: day.day, hour: Math.floor(minute / 60), minute: minute % 60 });
  const z = wall.toZonedDateTime(day.tz, { disambiguation: 'earlier' });
  let t = z.epochMilliseconds;
  if (z.hour * 60 + z.minute !== minute) t = z.getTimeZoneTransition('next')?.epochMilliseconds ?? t; // in a gap
  return Math.min(Math.max(t, day.start), day.end);
}

/** Minute of the local day (0..1439) for an instant on that day; used for display. */
export function minuteOfDay(day: LocalDay, epochMs: number): number {
  if (day.uniform) return Math.floor((epochMs - day.start) / 60_000);
  const z = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(day.tz);
  return z.hour * 60 + z.minute;
}
