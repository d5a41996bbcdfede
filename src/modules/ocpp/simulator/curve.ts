/**
 * The physics of one simulated charging session, as plain functions over plain data so it can be
 * tested exhaustively. A DC charge ramps up over the first minute or so, holds a plateau just below
 * the power the charger and car agree on, and tapers once the battery passes ~80 % SoC (constant
 * voltage phase). AC charging is limited by the on-board charger and stays flat until ~95 %.
 */

export interface VehicleProfile {
  /** Usable battery capacity, Wh. */
  capacityWh: number;
  /** The most the car accepts, W. */
  maxAcceptW: number;
  /** Charging stops (EV suspends) at this SoC, percent. */
  targetSoc: number;
}

export interface CurveParams {
  type: 'AC' | 'DC';
  /** Connector's rated power, W. */
  maxPowerW: number;
  vehicle: VehicleProfile;
  /** Simulated seconds from 0 to plateau. */
  rampS?: number;
}

export interface SessionPhysics {
  /** Simulated seconds since the session started. */
  elapsedS: number;
  /** Battery state of charge, percent (fractional). */
  soc: number;
  /** Energy delivered in this session, Wh (fractional; the register adds it to the lifetime total). */
  energyWh: number;
  /** Power at this instant, W. */
  powerW: number;
  voltageV: number;
  currentA: number;
}

/** Fraction of the delivered energy that ends up in the battery (cable and battery losses). */
const EFFICIENCY = 0.93;

export function sessionLimitW(p: CurveParams): number {
  return Math.min(p.maxPowerW, p.vehicle.maxAcceptW);
}

/** Power the car draws at this SoC and time into the session, W (never above the limit). */
export function powerAt(p: CurveParams, soc: number, elapsedS: number): number {
  if (soc >= p.vehicle.targetSoc || soc >= 100) return 0;
  const limit = sessionLimitW(p);
  const plateau = limit * (p.type === 'DC' ? 0.96 : 0.99);
  const rampS = p.rampS ?? (p.type === 'DC' ? 60 : 10);
  const ramp = Math.min(1, Math.max(0, elapsedS / rampS));
  const knee = p.type === 'DC' ? 80 : 95;
  // Above the knee the power falls linearly towards ~8 % of the plateau at 100 %.
  const taper = soc <= knee ? 1 : Math.max(0.08, 1 - ((soc - knee) / (100 - knee)) * 0.92);
  return Math.max(0, Math.min(limit, plateau * ramp * taper));
}

/** Battery/grid voltage: a DC pack rises with SoC (~330 V empty to ~400 V full); AC is the grid. */
export function voltageAt(p: CurveParams, soc: number): number {
  if (p.type === 'AC') return 220;
  return 330 + (Math.min(100, Math.max(0, soc)) / 100) * 70;
}

export function startPhysics(p: CurveParams, startSoc: number): SessionPhysics {
  const voltageV = voltageAt(p, startSoc);
  return { elapsedS: 0, soc: startSoc, energyWh: 0, powerW: 0, voltageV, currentA: 0 };
}

/**
 * Advances the session by dtS simulated seconds, integrating in steps of at most 5 s so a long
 * sample interval still follows the curve.
 */
export function step(p: CurveParams, s: SessionPhysics, dtS: number): SessionPhysics {
  let { elapsedS, soc, energyWh } = s;
  let left = Math.max(0, dtS);
  let powerW = powerAt(p, soc, elapsedS);
  while (left > 0) {
    const h = Math.min(5, left);
    powerW = powerAt(p, soc, elapsedS);
    const wh = (powerW * h) / 3600;
    energyWh += wh;
    soc = Math.min(100, soc + ((wh * EFFICIENCY) / p.vehicle.capacityWh) * 100);
    elapsedS += h;
    left -= h;
  }
  powerW = powerAt(p, soc, elapsedS);
  const voltageV = voltageAt(p, soc);
  return { elapsedS, soc, energyWh, powerW, voltageV, currentA: powerW / voltageV };
}

/** A plausible car for a connector: small city EVs on AC, 50-80 kWh packs on DC. */
export function randomVehicle(type: 'AC' | 'DC', rng: () => number = Math.random): VehicleProfile {
  const capacityWh = Math.round((type === 'AC' ? 30_000 + rng() * 30_000 : 50_000 + rng() * 30_000) / 100) * 100;
  const maxAcceptW = type === 'AC' ? 7_000 : 60_000 + Math.round(rng() * 8) * 10_000;
  const targetSoc = rng() < 0.3 ? 100 : 90 + Math.round(rng() * 8);
  return { capacityWh, maxAcceptW, targetSoc };
}

/** Formats a number for a sampledValue (OCPP sends values as strings). */
export function fmt(v: number, digits = 1): string {
  return (Math.round(v * 10 ** digits) / 10 ** digits).toFixed(digits);
}
