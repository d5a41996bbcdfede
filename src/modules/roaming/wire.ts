/** T/CEC number and time formats (reference §A.9): exact, from integer fen / Wh / 1/10000 yuan. */
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { formatKwh, formatPrice4, formatYuan } from '../../platform/money.ts';
import { businessError } from './inbound.ts';

const zdt = (at: Date | number, tz: string) => Temporal.Instant.fromEpochMilliseconds(typeof at === 'number' ? at : at.getTime()).toZonedDateTimeISO(tz);
const p2 = (n: number) => String(n).padStart(2, '0');

/** "yyyy-MM-dd HH:mm:ss" in Beijing time (the operator's zone where it differs). */
export function wireTime(at: Date | number, tz = 'Asia/Shanghai'): string {
  const z = zdt(at, tz);
  return `${z.year}-${p2(z.month)}-${p2(z.day)} ${p2(z.hour)}:${p2(z.minute)}:${p2(z.second)}`;
}
export function wireDate(at: Date | number, tz = 'Asia/Shanghai'): string {
  return wireTime(at, tz).slice(0, 10);
}
/** "yyyy-MM-dd HH:mm:ss" → epoch ms, or null. */
export function parseWireTime(s: unknown, tz = 'Asia/Shanghai'): number | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(s);
  if (!m) return null;
  try {
    return Temporal.ZonedDateTime.from(
      { timeZone: tz, year: +m[1], month: +m[2], day: +m[3], hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0) },
      { overflow: 'reject' },
    ).epochMilliseconds;
  } catch {
    return null;
  }
}

// JSON numbers built from exact decimal strings: Number("12.30") prints as 12.3, which is the same decimal.
export const yuan = (fen: number) => Number(formatYuan(fen));
export const price4 = (p: number) => Number(formatPrice4(p));
export const kwh2 = (wh: number) => Number(formatKwh(wh));
/** kWh with 1 decimal, half-up (station stats). */
export const kwh1 = (wh: number) => Math.floor((wh + 50) / 100) / 10;
/** kW with 1 decimal from W. */
export const kw1 = (w: number) => Math.floor((w + 50) / 100) / 10;

/** Validates a business payload; any problem is Ret 4004 naming the field. */
export function parseData<T extends z.ZodType>(schema: T, data: unknown): z.infer<T> {
  const r = schema.safeParse(data);
  if (!r.success) throw businessError(r.error.issues.map((i) => `${i.path.join('.') || 'Data'}: ${i.message}`).join('; '));
  return r.data;
}

export const seq27 = z.string().length(27, 'must be 27 characters');

/** OCPP connector status → T/CEC Status (0 offline, 1 idle, 2 occupied not charging, 3 charging, 4 reserved, 255 fault). */
export function tcecStatus(ocppStatus: string, connected: boolean): number {
  if (!connected || ocppStatus === 'Offline') return 0;
  switch (ocppStatus) {
    case 'Available':
      return 1;
    case 'Preparing':
    case 'SuspendedEV':
    case 'SuspendedEVSE':
    case 'Finishing':
      return 2;
    case 'Charging':
      return 3;
    case 'Reserved':
      return 4;
    default:
      return 255; // Faulted, Unavailable
  }
}
