/**
 * Exact money: amounts are integer fen, energy integer Wh, prices integer 1/10000 yuan per kWh.
 * All arithmetic is in BigInt where a product could pass 2^53, rounded half-up once per amount.
 */

/** Half-up division of non-negative or negative integers (half away from zero). */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('divisor must be positive');
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (a * 2n + d) / (2n * d);
  return neg ? -q : q;
}

/** Wh × (1/10000 yuan per kWh) → fen, half-up: Wh/1000 kWh × p/10000 yuan × 100 fen/yuan = Wh·p / 100000. */
export function energyCostFen(wh: number, price4: number): number {
  return Number(divRoundHalfUp(BigInt(wh) * BigInt(price4), 100000n));
}

/** "1.2345" (yuan, up to 4 decimals) → 12345 */
export function parsePrice4(s: string): number {
  const m = /^(\d+)(?:\.(\d{1,4}))?$/.exec(s.trim());
  if (!m) throw new RangeError(`not a price with at most 4 decimals: ${s}`);
  return Number(m[1]) * 10000 + Number((m[2] ?? '').padEnd(4, '0'));
}

/** "12.34" (yuan, up to 2 decimals, optionally signed) → 1234 fen */
export function parseYuan(s: string): number {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(s.trim());
  if (!m) throw new RangeError(`not an amount in yuan with at most 2 decimals: ${s}`);
  const v = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}

function fixed(n: number, scale: number, digits: number): string {
  const neg = n < 0;
  const a = Math.abs(n);
  const whole = Math.floor(a / scale);
  const frac = String(a % scale).padStart(digits, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** 1234 fen → "12.34" */
export const formatYuan = (fen: number) => fixed(fen, 100, 2);
/** 12345 → "1.2345" */
export const formatPrice4 = (p: number) => fixed(p, 10000, 4);
/** Wh → kWh with 2 decimals, half-up: 25374 → "25.37" */
export const formatKwh = (wh: number) => fixed(Number(divRoundHalfUp(BigInt(wh), 10n)), 100, 2);
/** Wh → kWh with 3 decimals (exact) */
export const formatKwh3 = (wh: number) => fixed(wh, 1000, 3);
