import { formatKwh, formatPrice4, formatYuan } from '../../platform/money.ts';
import type { Priced } from './types.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A priced session as JSON: money as yuan strings with 2 decimals, energy as kWh strings with 2
 * decimals (plus the exact Wh), prices as 4-decimal strings, times ISO 8601.
 */
export function presentPriced(p: Priced) {
  return {
    tariffVersionId: p.tariffVersionId,
    billedWh: p.billedWh,
    energyKwh: formatKwh(p.billedWh),
    electricityAmount: formatYuan(p.electricityFen),
    serviceAmount: formatYuan(p.serviceFen),
    idleFee: formatYuan(p.idleFeeFen),
    totalAmount: formatYuan(p.totalFen),
    periods: p.periods.map((x) => ({
      type: x.type,
      start: iso(x.start),
      end: iso(x.end),
      wh: x.wh,
      energyKwh: formatKwh(x.wh),
      electricityPrice: formatPrice4(x.electricityPrice),
      servicePrice: formatPrice4(x.servicePrice),
      electricityAmount: formatYuan(x.electricityFen),
      serviceAmount: formatYuan(x.serviceFen),
    })),
    idle: p.idle && {
      startAt: iso(p.idle.startAt),
      endAt: iso(p.idle.endAt),
      totalMinutes: p.idle.totalMinutes,
      graceMinutes: p.idle.graceMinutes,
      freeMinutes: p.idle.freeMinutes,
      billableMinutes: p.idle.billableMinutes,
      exempt: p.idle.exempt,
      exemptReason: p.idle.exemptReason ?? null,
      capped: p.idle.capped,
      fee: formatYuan(p.idle.fen),
    },
  };
}
