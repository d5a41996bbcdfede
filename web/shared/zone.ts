/**
 * Times in the operator's time zone (issue 18.5), for the console and the driver H5 alike.
 *
 * Billing periods, order numbers, exports and the dashboard's days are the operator's (operators.timezone,
 * Asia/Shanghai for the demo), so every time a screen shows is too, whatever zone the browser runs in.
 * Intl does the zone arithmetic (no library): an instant's wall-clock fields in a zone, and the instant
 * of a wall-clock time in a zone (what a date picker or a day filter means).
 */
export const DEFAULT_ZONE = 'Asia/Shanghai';

export interface Wall {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const partsFormat = new Map<string, Intl.DateTimeFormat>();
function fieldsOf(zone: string): Intl.DateTimeFormat {
  let f = partsFormat.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormat.set(zone, f);
  }
  return f;
}

/** A zone this browser knows, else the default (a typo in an operator's settings must not blank every page). */
export function knownZone(zone: string | null | undefined): string {
  if (!zone) return DEFAULT_ZONE;
  try {
    fieldsOf(zone);
    return zone;
  } catch {
    return DEFAULT_ZONE;
  }
}

const toMs = (t: string | number | Date) => (typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime());

/** The wall-clock fields of an instant in `zone`. */
export function wallOf(t: string | number | Date, zone: string): Wall {
  const p: Record<string, number> = {};
  for (const x of fieldsOf(zone).formatToParts(new Date(toMs(t)))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return { year: p.year, month: p.month, day: p.day, hour: p.hour % 24, minute: p.minute, second: p.second };
}

/** The zone's offset from UTC at an instant, in minutes (+480 for Asia/Shanghai). */
export function offsetMinutes(t: string | number | Date, zone: string): number {
  const ms = toMs(t);
  const w = wallOf(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - (ms - (((ms % 1000) + 1000) % 1000))) / 60_000);
}

/** "+08:00" */
export function offsetLabel(t: string | number | Date, zone: string): string {
  const m = offsetMinutes(t, zone);
  const a = Math.abs(m);
  return `${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Formats an instant in `zone` with the tokens YYYY MM DD HH mm ss (anything else is kept as is). */
export function formatIn(t: string | number | Date, zone: string, pattern = 'YYYY-MM-DD HH:mm:ss'): string {
  const w = wallOf(t, zone);
  return pattern.replace(/YYYY|MM|DD|HH|mm|ss/g, (k) =>
    k === 'YYYY' ? pad(w.year, 4) : k === 'MM' ? pad(w.month) : k === 'DD' ? pad(w.day) : k === 'HH' ? pad(w.hour) : k === 'mm' ? pad(w.minute) : pad(w.second),
  );
}

/**
 * The instant (ms) of a wall-clock time in `zone`: "2026-12-04T10:00" or "2026-12-04 10:00:00" or "2026-12-04"
 * (midnight). Across a DST gap or overlap the first matching offset is taken.
 */
export function instantOf(wall: string, zone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(wall.trim());
  if (!m) throw new Error(`not a wall-clock time: ${wall}`);
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), +(m[7] ?? '0').padEnd(3, '0'));
  // the offset at the guess, then at the corrected instant (they differ only next to a DST change)
  let ms = asUtc - offsetMinutes(asUtc, zone) * 60_000;
  ms = asUtc - offsetMinutes(ms, zone) * 60_000;
  return ms;
}

/** [from, to) instants of the operator-local days `firstDay`..`lastDay` (YYYY-MM-DD, inclusive). */
export function dayRange(firstDay: string, lastDay: string, zone: string): { from: string; to: string } {
  const [y, mo, d] = lastDay.split('-').map(Number);
  const next = new Date(Date.UTC(y, mo - 1, d + 1));
  const nextDay = `${pad(next.getUTCFullYear(), 4)}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
  return { from: new Date(instantOf(firstDay, zone)).toISOString(), to: new Date(instantOf(nextDay, zone)).toISOString() };
}

/** Whether the browser's own offset differs from the zone's at `t` (then a screen says which zone it shows). */
export function differsFromBrowser(t: number, zone: string): boolean {
  return -new Date(t).getTimezoneOffset() !== offsetMinutes(t, zone);
}
