import { formatPrice4 } from '../../platform/money.ts';
import type { PeriodType, TariffVersion } from './types.ts';
import { dayOf, dayOfDate, type LocalDay } from './local-days.ts';
import { periodsForDay, segmentsOfDay } from './calendar.ts';

export interface DayPeriod {
  startMinute: number;
  /** "HH:mm" */
  start: string;
  /** "HHmmss", as T/CEC PolicyInfos.StartTime wants it */
  startTime: string;
  type: PeriodType;
  electricityPrice: number;
  servicePrice: number;
  /** 4-decimal yuan strings */
  electricityPriceYuan: string;
  servicePriceYuan: string;
}

const hh = (n: number) => String(n).padStart(2, '0');

/**
 * The periods in force on a local date (calendar applied), as the tariff lists them (not merged):
 * for the H5 price table and T/CEC query_equip_business_policy. `date` is "yyyy-MM-dd" or an instant.
 */
export function periodsOfDay(version: TariffVersion, date: string | Date, tz: string): DayPeriod[] {
  const day: LocalDay = typeof date === 'string' ? dayOfDate(tz, date) : dayOf(tz, date.getTime());
  return periodsForDay(version, day).map((p) => ({
    startMinute: p.startMinute,
    start: `${hh(Math.floor(p.startMinute / 60))}:${hh(p.startMinute % 60)}`,
    startTime: `${hh(Math.floor(p.startMinute / 60))}${hh(p.startMinute % 60)}00`,
    type: p.type,
    electricityPrice: p.electricityPrice,
    servicePrice: p.servicePrice,
    electricityPriceYuan: formatPrice4(p.electricityPrice),
    servicePriceYuan: formatPrice4(p.servicePrice),
  }));
}

export interface CurrentPrice {
  type: PeriodType;
  electricityPrice: number;
  servicePrice: number;
  /** electricity + service, 1/10000 yuan per kWh */
  totalPrice: number;
  /** the instants this price holds from and until (the next change of type or price, at the latest midnight) */
  from: number;
  until: number;
}

/** The price in force at an instant (H5 "price now"). */
export function currentPrice(version: TariffVersion, at: Date | number, tz: string): CurrentPrice {
  const t = typeof at === 'number' ? at : at.getTime();
  const segs = segmentsOfDay(version, dayOf(tz, t));
  let s = segs[segs.length - 1];
  for (const x of segs) if (x.start <= t && t < x.end) s = x;
  return { type: s.type, electricityPrice: s.electricityPrice, servicePrice: s.servicePrice, totalPrice: s.electricityPrice + s.servicePrice, from: s.start, until: s.end };
}
