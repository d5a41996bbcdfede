import { parsePrice4, parseYuan, formatPrice4, formatYuan } from '../../platform/money.ts';
import type { CalendarRule, IdleFeeRule, TariffPeriod, TariffVersion } from './types.ts';
import type { TariffVersionDoc } from './provisioning.ts';

type PeriodDoc = TariffVersionDoc['periods'][number];

const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmmOf = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

const parsePeriods = (ps: PeriodDoc[]): TariffPeriod[] =>
  ps.map((p) => ({ startMinute: minuteOf(p.start), type: p.type, electricityPrice: parsePrice4(p.electricityPrice), servicePrice: parsePrice4(p.servicePrice) }));

/** A stored or provisioned version definition (prices as 4-decimal strings, "HH:mm") → the engine's integers. */
export function parseTariffVersion(id: number, tariffId: string, effectiveFrom: number, def: Omit<TariffVersionDoc, 'effectiveFrom'>): TariffVersion {
  const v: TariffVersion = { id, tariffId, effectiveFrom, periods: parsePeriods(def.periods) };
  if (def.calendar?.length)
    v.calendar = def.calendar.map((c): CalendarRule => ({ ...(c.months ? { months: c.months } : {}), ...(c.dates ? { dates: c.dates } : {}), periods: parsePeriods(c.periods) }));
  if (def.idleFee) {
    const f = def.idleFee;
    const rule: IdleFeeRule = { graceMinutes: f.graceMinutes, pricePerMinute: parsePrice4(f.pricePerMinute) };
    if (f.capPerSession !== undefined) rule.capPerSession = parseYuan(f.capPerSession);
    if (f.freeHours) rule.freeHours = f.freeHours.map((h) => ({ fromMinute: minuteOf(h.from), toMinute: minuteOf(h.to) }));
    if (f.exemptStopReasons) rule.exemptStopReasons = f.exemptStopReasons;
    v.idleFee = rule;
  }
  return v;
}

const formatPeriods = (ps: TariffPeriod[]): PeriodDoc[] =>
  ps.map((p) => ({ start: hhmmOf(p.startMinute), type: p.type, electricityPrice: formatPrice4(p.electricityPrice), servicePrice: formatPrice4(p.servicePrice) }));

/** The engine's version back to its document form (API answers). */
export function formatTariffVersion(v: TariffVersion): TariffVersionDoc {
  const doc: TariffVersionDoc = { effectiveFrom: new Date(v.effectiveFrom).toISOString(), periods: formatPeriods(v.periods) };
  if (v.calendar) doc.calendar = v.calendar.map((c) => ({ ...(c.months ? { months: c.months } : {}), ...(c.dates ? { dates: c.dates } : {}), periods: formatPeriods(c.periods) }));
  if (v.idleFee) {
    const f = v.idleFee;
    doc.idleFee = { graceMinutes: f.graceMinutes, pricePerMinute: formatPrice4(f.pricePerMinute) };
    if (f.capPerSession !== undefined) doc.idleFee.capPerSession = formatYuan(f.capPerSession);
    if (f.freeHours) doc.idleFee.freeHours = f.freeHours.map((h) => ({ from: hhmmOf(h.fromMinute), to: hhmmOf(h.toMinute) }));
    if (f.exemptStopReasons) doc.idleFee.exemptStopReasons = f.exemptStopReasons;
  }
  return doc;
}
