import type { IdleFeeRule, PricedIdle, PricingInput } from './types.ts';
import { dayOf, dayByIndex, instantOfMinute } from './local-days.ts';
import { divRoundHalfUp } from '../../platform/money.ts';

/**
 * Stop reasons that exempt a session from the idle fee when the rule does not list its own:
 * the charger failed (OCPP 1.6 PowerLoss, EmergencyStop, a reset or reboot, or a vendor "EVSEFault")
 * or the platform stopped the session (PlatformStop, set by our own remote stops and auto-stops).
 * A rule with `exemptStopReasons: []` exempts nothing.
 */
export const DEFAULT_EXEMPT_STOP_REASONS = ['PowerLoss', 'EmergencyStop', 'HardReset', 'SoftReset', 'Reboot', 'EVSEFault', 'PlatformStop'];

const MIN = 60_000;

/**
 * Occupancy fee: from charging end to unplug (or `now` while still plugged in), minus the grace
 * period (counted from charging end), minus time inside free hours; billable minutes are whole
 * minutes rounded down (a started minute is never billed); fee = minutes × price per minute,
 * half-up to the fen, capped per session.
 */
export function priceIdle(rule: IdleFeeRule | undefined, idle: PricingInput['idle'], timeZone: string): PricedIdle | null {
  if (!rule || !idle) return null;
  const startAt = idle.chargingEndedAt;
  const rawEnd = idle.unpluggedAt ?? idle.now ?? startAt;
  const endAt = Math.max(rawEnd, startAt);
  const totalMs = endAt - startAt;
  const totalMinutes = Math.floor(totalMs / MIN);
  const exemptList = rule.exemptStopReasons ?? DEFAULT_EXEMPT_STOP_REASONS;
  const base = { startAt, endAt, totalMinutes, capped: false };
  if (idle.stopReason && exemptList.includes(idle.stopReason)) {
    return { ...base, graceMinutes: 0, freeMinutes: 0, billableMinutes: 0, exempt: true, exemptReason: idle.stopReason, fen: 0 };
  }
  const graceEnd = Math.min(endAt, startAt + rule.graceMinutes * MIN);
  const graceMinutes = Math.floor((graceEnd - startAt) / MIN);
  const freeMs = rule.freeHours?.length ? freeTimeMs(rule.freeHours, graceEnd, endAt, timeZone) : 0;
  const billableMinutes = Math.floor((endAt - graceEnd - freeMs) / MIN);
  const freeMinutes = Math.floor(freeMs / MIN);
  let fen = Number(divRoundHalfUp(BigInt(billableMinutes) * BigInt(rule.pricePerMinute), 100n));
  let capped = false;
  if (rule.capPerSession !== undefined && fen > rule.capPerSession) {
    fen = rule.capPerSession;
    capped = true;
  }
  return { ...base, graceMinutes, freeMinutes, billableMinutes, exempt: false, capped, fen };
}

/**
 * Milliseconds of [from, to) inside the free hours, in local time. A window with from > to wraps
 * midnight (22:00-07:00); from == to means the whole day. Overlapping windows count once.
 */
export function freeTimeMs(windows: { fromMinute: number; toMinute: number }[], from: number, to: number, tz: string): number {
  if (to <= from) return 0;
  let total = 0;
  for (let day = dayOf(tz, from); day.start < to; day = dayByIndex(tz, day.index + 1)) {
    const iv: [number, number][] = [];
    for (const w of windows) {
      if (w.fromMinute === w.toMinute) iv.push([day.start, day.end]);
      else if (w.fromMinute < w.toMinute) iv.push([instantOfMinute(day, w.fromMinute), instantOfMinute(day, w.toMinute)]);
      else {
        iv.push([day.start, instantOfMinute(day, w.toMinute)]);
        iv.push([instantOfMinute(day, w.fromMinute), day.end]);
      }
    }
    iv.sort((a, b) => a[0] - b[0]);
    let curS = -Infinity;
    let curE = -Infinity;
    const flush = () => {
      const s = Math.max(curS, from);
      const e = Math.min(curE, to);
      if (e > s) total += e - s;
    };
    for (const [s, e] of iv) {
      if (s > curE) {
        flush();
        curS = s;
        curE = e;
      } else if (e > curE) curE = e;
    }
    flush();
  }
  return total;
}
