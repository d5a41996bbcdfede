import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { StatementData } from './statement.ts';
import { statementView } from './statement.ts';

/** Column keys of a statement line with their Chinese and English headers. */
export const LINE_COLUMNS = [
  ['kind', '类型', 'Kind'],
  ['orderNo', '订单号', 'Order'],
  ['version', '版本', 'Version'],
  ['localTime', '记账时间', 'Booked at'],
  ['department', '部门', 'Department'],
  ['phone', '成员', 'Member'],
  ['energyKwh', '电量(kWh)', 'Energy (kWh)'],
  ['sharp', '尖(元)', 'Sharp'],
  ['peak', '峰(元)', 'Peak'],
  ['flat', '平(元)', 'Flat'],
  ['valley', '谷(元)', 'Valley'],
  ['idleFee', '占位费(元)', 'Idle fee'],
  ['other', '其他(元)', 'Other'],
  ['amount', '金额(元)', 'Amount'],
] as const;
const KIND: Record<string, string> = { order: '订单', correction: '更正' };

export function statementRows(s: StatementData): string[][] {
  const v = statementView(s);
  const rows: string[][] = [LINE_COLUMNS.map((c) => `${c[1]} ${c[2]}`)];
  for (const l of v.lines) rows.push(LINE_COLUMNS.map(([k]) => (k === 'kind' ? KIND[l.kind] : String((l as Record<string, unknown>)[k] ?? ''))));
  const sum = (label: string, t: (typeof v)['totals']) =>
    rows.push(['', label, '', '', '', `${t.sessions} 次 sessions, ${t.corrections} 更正 corrections`, t.energyKwh, t.sharp, t.peak, t.flat, t.valley, t.idleFee, t.other, t.amount]);
  for (const d of v.departments) sum(`部门合计 ${d.path}${d.deleted ? ' (已删除)' : ''}`, d.totals);
  sum('企业合计 Total', v.totals);
  return rows;
}

export function statementCsv(s: StatementData): Buffer {
  const head = [[`${s.operator.name} — ${s.enterprise.name} (${s.enterprise.id}) 月结账单 ${s.month}`, `时区 ${s.timeZone}`]];
  return Buffer.from('\uFEFF' + stringify([...head, ...statementRows(s)]), 'utf8');
}

export async function statementXlsx(s: StatementData): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(s.month);
  ws.addRow([`${s.operator.name} — ${s.enterprise.name} (${s.enterprise.id}) 月结账单 ${s.month}`, `时区 ${s.timeZone}`]).font = { bold: true };
  const rows = statementRows(s);
  rows.forEach((r, i) => {
    // amounts stay exact decimal strings (as the API shows them), never binary floats
    const row = ws.addRow(r);
    if (i === 0) row.font = { bold: true };
  });
  ws.columns.forEach((c, i) => (c.width = i === 1 ? 24 : 14));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
