/**
 * Two fields of the case template computed from the charger's history (pure):
 * 现场网络连接状态 — was the charger connected for the whole session? — and 近期故障状态 — its
 * faults in the 7 days before the session (and during it).
 */
import { durationText, localTime } from '../orders/index.ts';

export interface Connection {
  connectedAt: Date;
  disconnectedAt: Date | null;
  reason?: string | null;
}

const t = (d: Date, tz: string) => localTime(d.toISOString(), tz);

/**
 * 正常 when connections cover [start, end] without a gap; otherwise the gaps
 * (`中断 2019-09-20 15:02:11 ~ 2019-09-20 15:10:40 (8分29秒)`), or 离线 when no connection touched
 * the session (with when the charger was last connected, if ever), or 无连接记录 without any history.
 * `end` null (still charging) means up to `now`.
 */
export function networkState(
  conns: Connection[],
  start: Date,
  end: Date | null,
  now: Date,
  tz: string,
  lastBefore: Connection | null = null,
): string {
  const from = start.getTime();
  const to = Math.max(from, (end ?? now).getTime());
  const spans = conns
    .map((c) => [Math.max(from, c.connectedAt.getTime()), Math.min(to, (c.disconnectedAt ?? now).getTime())] as const)
    .filter(([a, b]) => b > a || (a === b && a === from && from === to))
    .sort((x, y) => x[0] - y[0]);
  if (!spans.length) {
    const last = lastBefore ?? conns.at(-1) ?? null;
    if (!last) return '无连接记录';
    return last.disconnectedAt ? `离线 (最后断开 ${t(last.disconnectedAt, tz)}${last.reason ? `, ${last.reason}` : ''})` : '离线';
  }
  const gaps: [number, number][] = [];
  let covered = from;
  for (const [a, b] of spans) {
    if (a > covered) gaps.push([covered, a]);
    covered = Math.max(covered, b);
  }
  if (covered < to) gaps.push([covered, to]);
  if (!gaps.length) return '正常';
  return gaps
    .map(([a, b]) => `中断 ${t(new Date(a), tz)} ~ ${t(new Date(b), tz)} (${durationText(Math.round((b - a) / 1000))})`)
    .join('; ');
}

export interface Fault {
  connectorId: number;
  status: string;
  errorCode: string;
  info?: string | null;
  vendorErrorCode?: string | null;
  at: string | null;
}

const MAX_FAULTS = 10;

/** `2019-09-18 10:12:03 1号枪 Faulted/GroundFailure; …`, oldest first; empty when there were none. */
export function faultsText(faults: Fault[], tz: string): string {
  const sorted = faults.filter((f) => f.at).sort((a, b) => Date.parse(a.at!) - Date.parse(b.at!));
  const shown = sorted.slice(0, MAX_FAULTS).map((f) => {
    const where = f.connectorId === 0 ? '整桩' : `${f.connectorId}号枪`;
    const code = f.errorCode && f.errorCode !== 'NoError' ? `${f.status}/${f.errorCode}` : f.status;
    const extra = [f.vendorErrorCode, f.info].filter(Boolean).join(' ');
    return `${localTime(f.at!, tz)} ${where} ${code}${extra ? ` (${extra})` : ''}`;
  });
  const more = sorted.length > MAX_FAULTS ? `; 等共${sorted.length}条` : '';
  return shown.join('; ') + more;
}
