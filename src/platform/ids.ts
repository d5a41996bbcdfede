import { randomInt } from 'node:crypto';
import { Temporal } from 'temporal-polyfill';

/** Order number: yyyyMMddHHmmss (operator local time) + 6 random digits, e.g. 20190920144024840824. */
export function orderNumber(at: Date, timeZone = 'Asia/Shanghai'): string {
  const z = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(z.year, 4)}${p(z.month)}${p(z.day)}${p(z.hour)}${p(z.minute)}${p(z.second)}${p(randomInt(0, 1_000_000), 6)}`;
}
