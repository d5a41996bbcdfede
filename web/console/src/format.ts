import { fmtIn } from './zone.ts';

// every time in the operator's time zone (zone.ts), never the browser's
export const fmtTime = (s?: string | null) => (s ? fmtIn(s) : '-');
export const fmtShort = (s?: string | null) => (s ? fmtIn(s, 'MM-DD HH:mm') : '-');

/** "1小时3分5秒" / "1h 3m 5s" */
export function fmtDuration(seconds: number | null | undefined, lang: string): string {
  if (seconds == null || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (lang.startsWith('zh')) return `${h ? `${h}小时` : ''}${h || m ? `${m}分` : ''}${r}秒`;
  return `${h ? `${h}h ` : ''}${h || m ? `${m}m ` : ''}${r}s`;
}

export const durationOf = (o: { durationSeconds?: number | null; startTime?: string; endTime?: string | null }) =>
  o.durationSeconds ?? (o.startTime && o.endTime ? (Date.parse(o.endTime) - Date.parse(o.startTime)) / 1000 : null);

/** Sums yuan strings exactly (in fen) for display totals. */
export function sumYuan(values: (string | undefined | null)[]): string {
  let fen = 0;
  for (const v of values) {
    if (!v) continue;
    const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(v);
    if (!m) continue;
    const f = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
    fen += m[1] ? -f : f;
  }
  const neg = fen < 0;
  const a = Math.abs(fen);
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

export const PERIOD_COLORS: Record<string, string> = { sharp: '#cf1322', peak: '#fa8c16', flat: '#1677ff', valley: '#52c41a' };

/**
 * An anomaly reason for the reader: in Chinese the reason's name from the dictionary (the API's
 * message is English), with the message's figures in English as a detail; in English the message.
 */
export function reasonText(r: { code: string; message: string }, t: (k: string, o?: Record<string, unknown>) => string): string {
  const label = t(`anom.${r.code}`, { defaultValue: '' });
  if (!label) return `${r.code}: ${r.message}`;
  return t('anom.format', { label, message: r.message, defaultValue: `${label}（${r.message}）` });
}

/** Integer fen as yuan "12.34" (exact, no floats). */
export function fenToYuan(fen: number | null | undefined): string {
  if (fen == null) return '-';
  const a = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** Integer Wh as kWh "12.345" (exact, no floats). */
export function whToKwh(wh: number | null | undefined): string {
  if (wh == null) return '-';
  const a = Math.abs(wh);
  return `${wh < 0 ? '-' : ''}${Math.floor(a / 1000)}.${String(a % 1000).padStart(3, '0')}`;
}
