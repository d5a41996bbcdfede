/** Period amounts of one priced order version (electricity + service per 尖峰平谷 type, and the idle fee). */
export interface VersionFigures {
  wh: number;
  sharp: number;
  peak: number;
  flat: number;
  valley: number;
  idle: number;
}
export const PERIOD_KEYS = ['sharp', 'peak', 'flat', 'valley'] as const;
export const zeroFigures = (): VersionFigures => ({ wh: 0, sharp: 0, peak: 0, flat: 0, valley: 0, idle: 0 });

export function figuresOf(priced: { billedWh?: number; periods?: { type: string; wh: number; electricityFen: number; serviceFen: number }[]; idleFeeFen?: number } | null): VersionFigures {
  const f = zeroFigures();
  if (!priced) return f;
  f.wh = Number(priced.billedWh ?? 0);
  for (const p of priced.periods ?? []) if ((PERIOD_KEYS as readonly string[]).includes(p.type)) f[p.type as (typeof PERIOD_KEYS)[number]] += p.electricityFen + p.serviceFen;
  f.idle = Number(priced.idleFeeFen ?? 0);
  return f;
}

export interface StatementLine {
  kind: 'order' | 'correction';
  orderNo: string;
  version: number;
  at: string;
  phone: string;
  departmentId: number;
  energyWh: number;
  sharpFen: number;
  peakFen: number;
  flatFen: number;
  valleyFen: number;
  idleFen: number;
  /** what the ledger moved that the period split does not explain (e.g. a correction settling a shortfall) */
  otherFen: number;
  amountFen: number;
}

/**
 * One statement line per ledger transaction: an order's first charge, or a correction as its own
 * line with the change between the version it made and the one before. The ledger amount is the
 * truth; otherFen takes what the split does not explain, so the parts always add up to amountFen.
 */
export function statementLine(
  t: { cause: 'order' | 'correction'; orderNo: string; version: number; at: string; phone: string; departmentId: number; amountFen: number },
  version: VersionFigures,
  previous: VersionFigures | null,
): StatementLine {
  const prev = previous ?? zeroFigures();
  const d = (k: keyof VersionFigures) => version[k] - prev[k];
  const parts = { sharpFen: d('sharp'), peakFen: d('peak'), flatFen: d('flat'), valleyFen: d('valley'), idleFen: d('idle') };
  const explained = parts.sharpFen + parts.peakFen + parts.flatFen + parts.valleyFen + parts.idleFen;
  return { kind: t.cause, orderNo: t.orderNo, version: t.version, at: t.at, phone: t.phone, departmentId: t.departmentId, energyWh: d('wh'), ...parts, otherFen: t.amountFen - explained, amountFen: t.amountFen };
}

export type Totals = Omit<StatementLine, 'kind' | 'orderNo' | 'version' | 'at' | 'phone' | 'departmentId'> & { sessions: number; corrections: number };
const SUM_KEYS = ['energyWh', 'sharpFen', 'peakFen', 'flatFen', 'valleyFen', 'idleFen', 'otherFen', 'amountFen'] as const;

/** Totals over lines: sessions count orders (a correction is not another session). */
export function totalsOf(lines: StatementLine[]): Totals {
  const t: Totals = { sessions: 0, corrections: 0, energyWh: 0, sharpFen: 0, peakFen: 0, flatFen: 0, valleyFen: 0, idleFen: 0, otherFen: 0, amountFen: 0 };
  for (const l of lines) {
    if (l.kind === 'order') t.sessions++;
    else t.corrections++;
    for (const k of SUM_KEYS) t[k] += l[k];
  }
  return t;
}
