/**
 * Builds the pricing engine's input from a session (pure), and the record kept with every order
 * version so a version can always be re-priced and explained.
 */
import type { PricingInput, TariffVersion } from '../tariffs/index.ts';
import type { SessionForOrder } from '../sessions/index.ts';

export interface VersionInputs {
  pricing: PricingInput;
  stopReason: string | null;
  ratedPowerW: number | null;
}

/** The moment charging ended (idle time starts): the charger's own timestamps first. */
export const chargingEnd = (s: SessionForOrder): Date | null => s.chargingEndedAt ?? s.stoppedAt;

export function pricingInputFromSession(
  s: SessionForOrder,
  tariff: TariffVersion,
  timeZone: string,
  samples: { at: number; wh: number }[],
  now: number,
  idleEndOverride?: number,
): PricingInput {
  const end = chargingEnd(s);
  // the energy window is the transaction (start → StopTransaction); idle time starts when charging ended
  const endAt = s.stoppedAt?.getTime() ?? s.lastSampleAt?.getTime() ?? now;
  const meterStopWh = s.meterStopWh ?? s.lastEnergyWh ?? s.meterStartWh;
  const input: PricingInput = {
    tariff,
    timeZone,
    startAt: s.startedAt.getTime(),
    endAt,
    meterStartWh: s.meterStartWh,
    meterStopWh,
    samples,
  };
  // the idle times are kept even without an idle rule: a correction to a tariff version that has one
  // then prices the occupancy too
  if (end) {
    input.idle = {
      chargingEndedAt: end.getTime(),
      unpluggedAt: idleEndOverride ?? s.unpluggedAt?.getTime() ?? null,
      stopReason: s.stopReason ?? undefined,
      now,
    };
  }
  return input;
}

export interface Correction {
  meterStartWh?: number;
  meterStopWh?: number;
  startTime?: number;
  endTime?: number;
  periods?: { start: number; end: number; wh: number }[];
  tariff?: TariffVersion;
  idleEndTime?: number;
  stopReason?: string;
}

/**
 * Applies corrected INPUTS over a version's inputs (never totals). Energy per period, when given,
 * replaces the split and fixes the billed energy; the meter stop follows it unless also given.
 * Returns the new inputs or a message saying why they do not fit together.
 */
export function applyCorrection(prev: VersionInputs, c: Correction): VersionInputs | string {
  const p: PricingInput = structuredClone(prev.pricing);
  if (c.tariff) p.tariff = c.tariff;
  if (c.startTime !== undefined) p.startAt = c.startTime;
  if (c.endTime !== undefined) p.endAt = c.endTime;
  if (c.meterStartWh !== undefined) p.meterStartWh = c.meterStartWh;
  if (c.meterStopWh !== undefined) p.meterStopWh = c.meterStopWh;
  if (p.endAt < p.startAt) return 'the corrected end time is before the start time';
  if ((c.meterStartWh !== undefined || c.meterStopWh !== undefined) && p.meterStopWh < p.meterStartWh && !c.periods) return 'the corrected meter stop is below the meter start';
  // samples that contradict corrected meter readings would bend the split: keep only those inside them
  if (c.meterStartWh !== undefined || c.meterStopWh !== undefined)
    p.samples = p.samples.filter((x) => x.wh >= p.meterStartWh && x.wh <= p.meterStopWh);
  if (c.periods) {
    const ps = [...c.periods].sort((a, b) => a.start - b.start);
    for (let i = 0; i < ps.length; i++) {
      if (ps[i].end <= ps[i].start) return `corrected period ${i} ends before it starts`;
      if (i > 0 && ps[i].start < ps[i - 1].end) return `corrected periods ${i - 1} and ${i} overlap`;
    }
    if (ps.length && (ps[0].start < p.startAt || ps[ps.length - 1].end > p.endAt)) return 'a corrected period lies outside the session';
    const sum = ps.reduce((a, x) => a + x.wh, 0);
    if (c.meterStopWh !== undefined && c.meterStopWh - p.meterStartWh !== sum)
      return `the corrected periods add up to ${sum} Wh but meter stop − meter start is ${c.meterStopWh - p.meterStartWh} Wh`;
    p.meterStopWh = p.meterStartWh + sum;
    p.periodEnergyOverride = ps;
  } else if (p.periodEnergyOverride && (c.meterStartWh !== undefined || c.meterStopWh !== undefined || c.startTime !== undefined || c.endTime !== undefined)) {
    // a new meter reading or window supersedes an earlier per-period correction
    delete p.periodEnergyOverride;
  }
  const stopReason = c.stopReason ?? prev.stopReason;
  if (p.idle || c.idleEndTime !== undefined) {
    const chargingEndedAt = c.endTime ?? p.idle?.chargingEndedAt ?? p.endAt;
    const unpluggedAt = c.idleEndTime ?? p.idle?.unpluggedAt ?? null;
    if (unpluggedAt !== null && unpluggedAt < chargingEndedAt) return 'the corrected idle end is before charging ended';
    p.idle = { chargingEndedAt, unpluggedAt, stopReason: stopReason ?? undefined, now: p.idle?.now };
  }
  return { pricing: p, stopReason, ratedPowerW: prev.ratedPowerW };
}
