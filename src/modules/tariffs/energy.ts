import type { MeterPoint } from './types.ts';

/**
 * The energy curve of a session: cumulative Wh since start as a piecewise-linear function of time,
 * through (startAt, 0), the usable samples, and (endAt, billedWh).
 *
 * Samples are cleaned so the curve is a meter that only goes up between the two anchors:
 * - samples at or before startAt, or at or after endAt, are ignored (the anchors are authoritative);
 * - samples below meterStart or above meterStop contradict the anchors and are ignored;
 * - of the rest (sorted by time), the longest run that never goes down is kept: an isolated spike
 *   or dip (a bad reading, a meter glitch) is dropped rather than moving energy around;
 * - several samples at one instant keep the highest reading.
 * Without usable samples the energy is spread linearly from start to end.
 */
export interface Curve {
  ts: number[];
  es: number[];
}

export function energyCurve(startAt: number, endAt: number, meterStartWh: number, billedWh: number, samples: MeterPoint[]): Curve {
  const ts = [startAt];
  const es = [0];
  if (samples.length && billedWh > 0 && endAt > startAt) {
    let pts: { at: number; e: number }[] = [];
    for (const s of samples) {
      if (!(s.at > startAt && s.at < endAt)) continue;
      const e = s.wh - meterStartWh;
      if (!(e >= 0 && e <= billedWh)) continue;
      pts.push({ at: s.at, e });
    }
    let sorted = true;
    for (let i = 1; i < pts.length; i++) if (pts[i].at < pts[i - 1].at || (pts[i].at === pts[i - 1].at && pts[i].e < pts[i - 1].e)) sorted = false;
    if (!sorted) pts.sort((a, b) => a.at - b.at || a.e - b.e);
    pts = longestNonDecreasing(pts);
    for (const p of pts) {
      if (ts[ts.length - 1] === p.at) es[es.length - 1] = p.e;
      else {
        ts.push(p.at);
        es.push(p.e);
      }
    }
  }
  ts.push(Math.max(endAt, startAt));
  es.push(billedWh);
  return { ts, es };
}

/** Longest subsequence with non-decreasing energy (patience sorting, O(n log n)); input sorted by time. */
function longestNonDecreasing(pts: { at: number; e: number }[]): { at: number; e: number }[] {
  let mono = true;
  for (let i = 1; i < pts.length && mono; i++) if (pts[i].e < pts[i - 1].e) mono = false;
  if (mono) return pts;
  const tailIdx: number[] = [];
  const prev = new Array<number>(pts.length).fill(-1);
  for (let i = 0; i < pts.length; i++) {
    let lo = 0;
    let hi = tailIdx.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pts[tailIdx[mid]].e <= pts[i].e) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tailIdx[lo - 1];
    tailIdx[lo] = i;
  }
  const out: { at: number; e: number }[] = [];
  for (let i = tailIdx[tailIdx.length - 1]; i >= 0; i = prev[i]) out.push(pts[i]);
  return out.reverse();
}

/**
 * Exact energy of consecutive intervals cut at `bounds` (increasing, first = startAt, last = endAt):
 * real shares from the curve, then integer Wh by largest remainder (ties to the earlier interval),
 * so the parts add up to `total` exactly.
 */
export function allocate(curve: Curve, bounds: number[], total: number): number[] {
  const n = bounds.length - 1;
  const out = new Array<number>(n);
  if (n <= 0) return out;
  if (total <= 0) return out.fill(0);
  const { ts, es } = curve;
  const fr = new Array<number>(n);
  let j = 0;
  let prevE = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const t = bounds[i + 1];
    let e: number;
    if (i === n - 1) e = total;
    else {
      while (j < ts.length - 2 && ts[j + 1] <= t) j++;
      const t0 = ts[j];
      const t1 = ts[j + 1];
      e = t1 > t0 ? es[j] + ((es[j + 1] - es[j]) * (t - t0)) / (t1 - t0) : es[j + 1];
      if (e > total) e = total;
      if (e < prevE) e = prevE;
    }
    const share = e - prevE;
    prevE = e;
    const fl = Math.floor(share);
    out[i] = fl;
    fr[i] = share - fl;
    sum += fl;
  }
  let rest = total - sum;
  // Largest remainders first, ties to the earlier interval; `rest` is below n, so pick one at a time.
  while (rest > 0) {
    let best = -1;
    for (let i = 0; i < n; i++) if (fr[i] >= 0 && (best < 0 || fr[i] > fr[best])) best = i;
    if (best < 0) {
      for (let i = 0; i < n; i++) fr[i] = 0; // float drift: more than n units left, go round again
      continue;
    }
    out[best]++;
    fr[best] = -1;
    rest--;
  }
  return out;
}
