import { Temporal } from 'temporal-polyfill';

/** RFC 3339 in China time as WeChat writes it: 2018-06-08T10:34:56+08:00. */
export function formatDate(d: Date, timeZone = 'Asia/Shanghai'): string {
  const z = Temporal.Instant.fromEpochMilliseconds(d.getTime()).toZonedDateTimeISO(timeZone);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(z.year, 4)}-${p(z.month)}-${p(z.day)}T${p(z.hour)}:${p(z.minute)}:${p(z.second)}${z.offset}`;
}

/** "2026-11-25 13:51:31" in the zone, as in the trade bill. */
export function billTime(d: Date, timeZone = 'Asia/Shanghai'): string {
  return formatDate(d, timeZone).slice(0, 19).replace('T', ' ');
}

/** The calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(d: Date, timeZone = 'Asia/Shanghai'): string {
  return formatDate(d, timeZone).slice(0, 10);
}

/** [start, end) of a local calendar day as instants. */
export function dayBounds(date: string, timeZone: string): [Date, Date] {
  const start = Temporal.PlainDate.from(date).toZonedDateTime({ timeZone });
  return [new Date(start.epochMilliseconds), new Date(start.add({ days: 1 }).epochMilliseconds)];
}

export function previousDay(d: Date, timeZone: string): string {
  return Temporal.PlainDate.from(localDate(d, timeZone)).subtract({ days: 1 }).toString();
}
