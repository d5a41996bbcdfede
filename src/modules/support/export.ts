/**
 * Case exports: Markdown in the case log's layout, XLSX with one row per case. The phone shows in
 * full only to a user who may reveal (and then each case with a phone is recorded as a reveal);
 * everyone else gets it masked.
 */
import ExcelJS from 'exceljs';
import type { Queryable } from '../../platform/db/index.ts';
import type { Principal } from '../../platform/auth/tokens.ts';
import { casesMarkdown, caseRow as xlsxRow, XLSX_COLUMNS } from './case-format.ts';
import { caseDoc, type AnalysisRow, type CaseRow } from './cases.ts';
import { mayReveal, recordReveal } from './reveal.ts';

export type ExportFormat = 'md' | 'xlsx';

export async function exportCases(
  q: Queryable,
  p: Principal,
  operatorId: string,
  cases: { row: CaseRow; analysis: AnalysisRow[] }[],
  opts: { format: ExportFormat; phones?: 'full' | 'masked'; reason?: string },
  now: Date,
): Promise<{ body: string | Buffer; contentType: string; fullPhones: boolean }> {
  const full = opts.phones !== 'masked' && (await mayReveal(q, p, operatorId));
  if (full)
    for (const { row } of cases)
      if (row.phone)
        await recordReveal(q, {
          operatorId,
          actor: p.sub,
          actorRole: p.role,
          phone: row.phone,
          orderNo: row.order_no,
          caseId: Number(row.id),
          via: 'case_export',
          reason: opts.reason?.trim() || `导出案例 ${row.case_no}`,
          at: now,
        });
  const docs = cases.map(({ row, analysis }) => caseDoc(row, analysis, full ? 'full' : 'masked'));
  if (opts.format === 'md') return { body: casesMarkdown(docs), contentType: 'text/markdown; charset=utf-8', fullPhones: full };
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('案例');
  ws.columns = XLSX_COLUMNS.map(([key, header]) => ({ key, header, width: ['description', 'analysis', 'resolution', 'recentFaults', 'networkState'].includes(key) ? 40 : 20 }));
  for (const d of docs) ws.addRow(xlsxRow(d));
  ws.getRow(1).font = { bold: true };
  for (const k of ['description', 'analysis', 'resolution', 'recentFaults']) ws.getColumn(k).alignment = { wrapText: true, vertical: 'top' };
  return { body: Buffer.from(await wb.xlsx.writeBuffer()), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fullPhones: full };
}
