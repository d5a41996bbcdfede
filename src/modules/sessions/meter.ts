/**
 * Normalisation of OCPP 1.6 sampled values (pure). Values stay decimal strings (never binary floats):
 * energy registers in Wh whatever the unit, power in W, reactive in var/varh, current A, voltage V,
 * SoC percent. Per-phase values keep their phase; nothing is ever summed.
 */
export interface SampledValueIn {
  value: string;
  context?: string;
  format?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  unit?: string;
}

export interface NormalisedSample {
  at: Date;
  measurand: string;
  phase: string | null;
  location: string | null;
  context: string | null;
  unit: string;
  /** decimal string, e.g. "15234.5" */
  value: string;
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;

/** "1.2345" × 10^shift as an exact decimal string ("1234.5" for shift 3); null when not a plain decimal. */
export function shiftDecimal(s: string, shift: number): string | null {
  const m = DECIMAL.exec(s.trim());
  if (!m || (!m[2] && !m[3])) return null;
  const sign = m[1] === '-' ? '-' : '';
  let int = m[2] || '0';
  let frac = m[3] ?? '';
  if (shift > 0) {
    frac = frac.padEnd(shift, '0');
    int += frac.slice(0, shift);
    frac = frac.slice(shift);
  } else if (shift < 0) {
    int = int.padStart(-shift + 1, '0');
    frac = int.slice(int.length + shift) + frac;
    int = int.slice(0, int.length + shift);
  }
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return out === '0' ? '0' : sign + out;
}

/** Rounds a decimal string to an integer, half away from zero (Wh and W columns). */
export function roundDecimal(s: string): number {
  const m = DECIMAL.exec(s)!;
  const int = BigInt(m[2] || '0');
  const up = (m[3] ?? '').charAt(0) >= '5' && (m[3] ?? '') !== '';
  const v = up ? int + 1n : int;
  return Number(m[1] === '-' ? -v : v);
}

// unit as sent → [normalised unit, decimal shift]
const UNITS: Record<string, [string, number]> = {
  Wh: ['Wh', 0],
  kWh: ['Wh', 3],
  varh: ['varh', 0],
  kvarh: ['varh', 3],
  W: ['W', 0],
  kW: ['W', 3],
  VA: ['VA', 0],
  kVA: ['VA', 3],
  var: ['var', 0],
  kvar: ['var', 3],
  A: ['A', 0],
  V: ['V', 0],
  K: ['K', 0],
  Celcius: ['Celsius', 0], // the 1.6 schema's spelling
  Celsius: ['Celsius', 0],
  Fahrenheit: ['Fahrenheit', 0],
  Percent: ['Percent', 0],
};

/**
 * The unit a value has when the charger names none. OCPP 1.6 says "Wh", which only makes sense for
 * energy; for the other measurands the measurand's natural unit is the only sensible reading.
 */
export function defaultUnit(measurand: string): string {
  if (measurand.startsWith('Energy.Active')) return 'Wh';
  if (measurand.startsWith('Energy.Reactive')) return 'varh';
  if (measurand.startsWith('Power.Active') || measurand === 'Power.Offered') return 'W';
  if (measurand.startsWith('Power.Reactive')) return 'var';
  if (measurand.startsWith('Current')) return 'A';
  if (measurand === 'Voltage') return 'V';
  if (measurand === 'SoC') return 'Percent';
  if (measurand === 'Temperature') return 'Celsius';
  if (measurand === 'Frequency') return 'Hz';
  if (measurand === 'RPM') return 'RPM';
  return 'Wh';
}

export interface Normalised {
  samples: NormalisedSample[];
  /** Values that are not plain decimals (e.g. SignedData): kept only in the message log. */
  skipped: { measurand: string; value: string; reason: string }[];
}

export function normaliseMeterValues(meterValue: { timestamp: string; sampledValue: SampledValueIn[] }[]): Normalised {
  const out: Normalised = { samples: [], skipped: [] };
  for (const mv of meterValue) {
    const at = new Date(mv.timestamp);
    for (const sv of mv.sampledValue) {
      const measurand = sv.measurand ?? 'Energy.Active.Import.Register';
      if (sv.format === 'SignedData') {
        out.skipped.push({ measurand, value: sv.value, reason: 'signed data' });
        continue;
      }
      const unitIn = sv.unit ?? defaultUnit(measurand);
      const [unit, shift] = UNITS[unitIn] ?? [unitIn, 0];
      const value = shiftDecimal(sv.value, shift);
      if (value === null) {
        out.skipped.push({ measurand, value: sv.value, reason: 'not a decimal number' });
        continue;
      }
      out.samples.push({ at, measurand, phase: sv.phase ?? null, location: sv.location ?? null, context: sv.context ?? null, unit, value });
    }
  }
  return out;
}

/** The session-level readings of a batch: total (phase-less) values only, the latest by time. */
export function latestReadings(samples: NormalisedSample[]) {
  let energy: NormalisedSample | undefined;
  let power: NormalisedSample | undefined;
  let soc: NormalisedSample | undefined;
  let firstSoc: NormalisedSample | undefined;
  const later = (a: NormalisedSample | undefined, b: NormalisedSample) => (!a || b.at.getTime() >= a.at.getTime() ? b : a);
  for (const s of samples) {
    if (s.phase !== null) continue;
    if (s.measurand === 'Energy.Active.Import.Register' && s.unit === 'Wh') energy = later(energy, s);
    else if (s.measurand === 'Power.Active.Import' && s.unit === 'W') power = later(power, s);
    else if (s.measurand === 'SoC') {
      soc = later(soc, s);
      if (!firstSoc || s.at.getTime() < firstSoc.at.getTime()) firstSoc = s;
    }
  }
  // A value too large for the session's integer columns stays in the samples only.
  const int = (x: NormalisedSample | undefined) => {
    if (!x) return null;
    const v = roundDecimal(x.value);
    return Number.isSafeInteger(v) && Math.abs(v) < 2 ** 62 ? v : null;
  };
  const at = [energy, power, soc].filter(Boolean).reduce<Date | null>((m, s) => (!m || s!.at > m ? s!.at : m), null);
  return {
    energyWh: int(energy),
    powerW: int(power),
    soc: soc && Math.abs(roundDecimal(soc.value)) <= 1000 ? roundDecimal(soc.value) : null,
    firstSoc: firstSoc && Math.abs(roundDecimal(firstSoc.value)) <= 1000 ? roundDecimal(firstSoc.value) : null,
    at,
  };
}
