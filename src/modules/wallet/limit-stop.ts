/**
 * An enterprise's caps while charging (issue 17 point 2), for the balance watcher: a session paid by
 * an enterprise also stops when its running cost plus the stop threshold reaches what the member's
 * monthly amount caps leave (its own and every department's up the tree, memberAllowance) or the
 * per-session cap, or when its energy plus the energy still flowing reaches what the monthly energy
 * caps leave. The same threshold as the balance stop, so the booked month stays within the cap.
 * Plain data in, a decision out (no I/O).
 */
import { formatKwh3, formatYuan } from '../../platform/money.ts';
import { mustStop } from './ledger-core.ts';
import type { Allowance } from './payer.ts';

export interface LimitStop {
  /** the money the binding cap leaves this session (null for an energy cap) */
  capFen: number | null;
  reason: string;
}

/** Energy still flowing until the charger stops: `horizonSeconds` more at the current power, rounded up. */
export const flowingWh = (powerW: number | null, horizonSeconds: number) => (powerW && powerW > 0 ? Math.ceil((powerW * horizonSeconds) / 3600) : 0);

export function enterpriseLimitStop(
  a: Allowance | null,
  s: { costFen: number; energyWh: number; powerW: number | null },
  marginFen: number,
  horizonSeconds: number,
  enterpriseId: string,
): LimitStop | null {
  if (!a) return null;
  const money: [number, string][] = [];
  if (a.remainingFen !== null) money.push([Math.max(0, a.remainingFen), `the ${formatYuan(Math.max(0, a.remainingFen))} yuan left this month under the monthly amount limit of enterprise ${enterpriseId} (${a.scope})`]);
  if (a.perSessionFen !== null) money.push([a.perSessionFen, `the per-session limit of ${formatYuan(a.perSessionFen)} yuan of enterprise ${enterpriseId}`]);
  money.sort((x, y) => x[0] - y[0]);
  for (const [cap, what] of money)
    if (mustStop(s.costFen, cap, marginFen))
      return { capFen: cap, reason: `enterprise_limit: running cost ${formatYuan(s.costFen)} yuan + stop threshold ${formatYuan(marginFen)} yuan reached ${what}` };
  if (a.remainingWh !== null) {
    const left = Math.max(0, a.remainingWh);
    const flowing = flowingWh(s.powerW, horizonSeconds);
    if (s.energyWh + flowing >= left)
      return {
        capFen: null,
        reason: `enterprise_limit: energy ${formatKwh3(s.energyWh)} kWh + ${formatKwh3(flowing)} kWh still flowing reached the ${formatKwh3(left)} kWh left this month under the monthly energy limit of enterprise ${enterpriseId} (${a.scope})`,
      };
  }
  return null;
}
