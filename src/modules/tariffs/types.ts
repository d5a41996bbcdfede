/**
 * The pricing engine's contract (pure data; implementation in pricing.ts). Integers only:
 * energy in Wh, money in fen, prices in 1/10000 yuan per kWh, times as epoch milliseconds.
 */
export type PeriodType = 'sharp' | 'peak' | 'flat' | 'valley';

export interface TariffPeriod {
  /** minutes after local midnight, 0..1439 */
  startMinute: number;
  type: PeriodType;
  electricityPrice: number; // 1/10000 yuan per kWh
  servicePrice: number;
}

export interface CalendarRule {
  months?: number[]; // 1..12
  dates?: string[]; // MM-dd or yyyy-MM-dd
  periods: TariffPeriod[];
}

export interface IdleFeeRule {
  graceMinutes: number;
  pricePerMinute: number; // 1/10000 yuan per minute
  capPerSession?: number; // fen
  freeHours?: { fromMinute: number; toMinute: number }[]; // local time; may wrap midnight
  exemptStopReasons?: string[];
}

export interface TariffVersion {
  id: number; // tariff_versions.id
  tariffId: string;
  effectiveFrom: number; // epoch ms
  periods: TariffPeriod[];
  calendar?: CalendarRule[];
  idleFee?: IdleFeeRule;
}

export interface MeterPoint {
  at: number; // epoch ms
  wh: number; // energy register reading
}

export interface PricingInput {
  tariff: TariffVersion;
  timeZone: string;
  startAt: number;
  endAt: number;
  meterStartWh: number;
  meterStopWh: number;
  /** Energy register samples between start and end (any order; outliers outside the window are ignored). */
  samples: MeterPoint[];
  /** Optional corrected energy per period (a staff correction); overrides the split. */
  periodEnergyOverride?: { start: number; end: number; wh: number }[];
  idle?: {
    chargingEndedAt: number;
    unpluggedAt: number | null; // null while still plugged in: idle time up to `now`
    stopReason?: string;
    now?: number;
  };
}

export interface PricedPeriod {
  start: number;
  end: number;
  type: PeriodType;
  electricityPrice: number;
  servicePrice: number;
  wh: number;
  electricityFen: number;
  serviceFen: number;
}

export interface PricedIdle {
  startAt: number;
  endAt: number;
  totalMinutes: number;
  graceMinutes: number;
  freeMinutes: number;
  billableMinutes: number;
  exempt: boolean;
  exemptReason?: string;
  capped: boolean;
  fen: number;
}

export interface Priced {
  tariffVersionId: number;
  billedWh: number; // max(0, meterStop - meterStart)
  periods: PricedPeriod[];
  electricityFen: number; // Σ periods
  serviceFen: number; // Σ periods
  idle: PricedIdle | null;
  idleFeeFen: number;
  totalFen: number; // electricity + service + idle
}
