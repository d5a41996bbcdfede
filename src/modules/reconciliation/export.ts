/** A run's items as CSV or XLSX, streamed in batches (a month of a busy partner is a million rows). */
import { PassThrough, Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Queryable } from '../../platform/db/index.ts';
import { formatKwh3, formatYuan } from '../../platform/money.ts';
import { itemWhere, type ItemFilter, type ItemRow } from './view.ts';

export const EXPORT_HEADER = ['item', 'class', 'orderNo', 'StartChargeSeq', 'ourEnergyKwh', 'ourAmount', 'partnerEnergyKwh', 'partnerAmount', 'stakeAmount', 'reasons', 'hints', 'resolution', 'resolvedBy', 'resolvedAt', 'note'];

const kwh = (v: number | null) => (v === null ? '' : formatKwh3(Number(v)));
const yuan = (v: number | null) => (v === null ? '' : formatYuan(Number(v)));

/**
 * An instant as the operator reads it (issue 18.5: exports in the operator's time zone, like the orders'):
 * "2026-08-21 10:00:00 +08:00", the offset kept so the line stays unambiguous.
 */
export function localInstant(iso: string | undefined, timeZone: string): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return iso ?? '';
  const d = new Date(iso);
  const wall = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(d);
  const asUtc = Date.parse(`${wall.replace(' ', 'T')}Z`);
  const off = Math.round((asUtc - (d.getTime() - d.getUTCMilliseconds())) / 60_000);
  const a = Math.abs(off);
  return `${wall} ${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

export function exportRow(i: ItemRow, timeZone: string): string[] {
  const r = i.resolution as { action?: string; by?: string; at?: string; note?: string } | null;
  return [
    String(i.id),
    i.class,
    i.order_no ?? '',
    i.start_charge_seq ?? '',
    kwh(i.ours_wh),
    yuan(i.ours_fen),
    kwh(i.theirs_wh),
    yuan(i.theirs_fen),
    yuan(i.stake_fen),
    (i.detail?.reasons ?? []).join('; '),
    (i.hints ?? []).map((h) => h.code).join(' '),
    r?.action ?? '',
    r?.by ?? '',
    localInstant(r?.at, timeZone),
    r?.note ?? '',
  ];
}

/** Ids a page of the export spans: at most this many items. */
const PAGE_IDS = 10_000;

async function* batches(q: Queryable, runId: number, f: ItemFilter) {
  // the run's id span first (one pass over the run), then windows of ids within it: each window is
  // a range of recon_items' primary key and of recon_matched's BRIN (run_id, id) (migration 0886),
  // so a page never walks the rest of the run nor the items of other runs
  const w0 = itemWhere(runId, f, 1);
  const span = (await q.query<{ lo: number | null; hi: number | null }>(`SELECT min(id) AS lo, max(id) AS hi FROM recon_items_all WHERE ${w0.sql}`, w0.values)).rows[0];
  if (span?.lo === null || span?.lo === undefined) return;
  const w = itemWhere(runId, f, 3);
  const hi = Number(span.hi);
  for (let after = Number(span.lo) - 1; after < hi; after += PAGE_IDS) {
    const r = await q.query<ItemRow>(`SELECT * FROM recon_items_all WHERE id > $1 AND id <= $2 AND ${w.sql} ORDER BY id`, [after, Math.min(hi, after + PAGE_IDS), ...w.values]);
    if (r.rows.length) yield r.rows;
  }
}

export function csvExport(q: Queryable, runId: number, f: ItemFilter, timeZone: string): Readable {
  return Readable.from(
    (async function* () {
      yield '\uFEFF' + stringify([EXPORT_HEADER]);
      for await (const rows of batches(q, runId, f)) yield stringify(rows.map((r) => exportRow(r, timeZone)));
    })(),
  );
}

export function xlsxExport(q: Queryable, runId: number, f: ItemFilter, timeZone: string): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('items');
  (async () => {
    ws.addRow(EXPORT_HEADER).commit();
    for await (const rows of batches(q, runId, f)) for (const row of rows) ws.addRow(exportRow(row, timeZone)).commit();
    ws.commit();
    await wb.commit();
  })().catch((e) => out.destroy(e as Error));
  return out;
}
