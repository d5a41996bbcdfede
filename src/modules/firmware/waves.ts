/**
 * The pure rules of a firmware campaign: which wave each charger is in, when a wave is over, and
 * when the campaign halts. No I/O; tested exhaustively in waves.test.ts.
 */
export const DEFAULT_WAVES = [5, 25, 100];
export const DEFAULT_FAILURE_THRESHOLD_PCT = 20;
export const TERMINAL = new Set(['succeeded', 'failed']);
/** FirmwareStatusNotification statuses that end an attempt as failed */
export const FAILED_STATUSES = new Set(['DownloadFailed', 'InstallationFailed']);

/** Wave number (1-based) of each of n chargers in order, for cumulative percentages (the last must be 100). At least one charger per wave while any remain. */
export function assignWaves(n: number, waves: number[]): number[] {
  const out: number[] = [];
  let done = 0;
  waves.forEach((pct, i) => {
    const upto = i === waves.length - 1 ? n : Math.min(n, Math.max(done + 1, Math.ceil((n * pct) / 100)));
    while (done < upto) {
      out.push(i + 1);
      done++;
    }
  });
  return out;
}

export function validWaves(waves: number[]): string | null {
  if (!waves.length || waves.length > 10) return 'waves: 1 to 10 cumulative percentages';
  for (let i = 0; i < waves.length; i++) {
    if (!Number.isInteger(waves[i]) || waves[i] < 1 || waves[i] > 100) return `waves[${i}] must be an integer percentage 1..100`;
    if (i && waves[i] <= waves[i - 1]) return 'waves must increase';
  }
  if (waves[waves.length - 1] !== 100) return 'the last wave must be 100 (every target)';
  return null;
}

export interface WaveProgress {
  wave: number;
  total: number;
  succeeded: number;
  failed: number;
  inProgress: number;
}

export function progress(targets: { wave: number; state: string }[], waves: number): WaveProgress[] {
  return Array.from({ length: waves }, (_, i) => {
    const t = targets.filter((x) => x.wave === i + 1);
    const succeeded = t.filter((x) => x.state === 'succeeded').length;
    const failed = t.filter((x) => x.state === 'failed').length;
    return { wave: i + 1, total: t.length, succeeded, failed, inProgress: t.length - succeeded - failed };
  });
}

/**
 * What a running campaign does next: halt once a wave's failures pass the threshold (even before
 * the wave is over: more failures cannot undo it), move to the next wave when the current one is
 * over, complete after the last.
 */
export function nextStep(p: WaveProgress[], current: number, thresholdPct: number): { action: 'wait' } | { action: 'halt'; reason: string } | { action: 'advance'; wave: number } | { action: 'complete' } {
  const w = p[current - 1];
  if (!w) return { action: 'complete' };
  if (w.total && w.failed * 100 > w.total * thresholdPct) return { action: 'halt', reason: `wave ${current}: ${w.failed} of ${w.total} failed, above the ${thresholdPct} % threshold` };
  if (w.inProgress) return { action: 'wait' };
  let next = current + 1;
  while (next <= p.length && p[next - 1].total === 0) next++;
  return next > p.length ? { action: 'complete' } : { action: 'advance', wave: next };
}

/** Whether an advisory names a charger (patterns are regular expressions; vendor compared case-insensitively). */
export function advisoryMatches(a: { vendor: string; modelPattern: string; versionPattern: string }, c: { vendor: string | null; model: string | null; firmwareVersion: string | null }): boolean {
  if (!c.vendor || c.vendor.trim().toLowerCase() !== a.vendor.trim().toLowerCase()) return false;
  try {
    return new RegExp(a.modelPattern).test(c.model ?? '') && new RegExp(a.versionPattern).test(c.firmwareVersion ?? '');
  } catch {
    return false;
  }
}
