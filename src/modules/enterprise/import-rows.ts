import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { badRequest } from '../../platform/errors.ts';

/** The columns of a member import file (the template has them in this order). */
export const IMPORT_COLUMNS = ['phone', 'name', 'department', 'idTags', 'monthlyAmount', 'monthlyEnergyKwh', 'perSessionAmount'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export type RawRow = { row: number } & Partial<Record<ImportColumn, string>>;

export interface ImportRow {
  row: number;
  phone: string;
  name: string | null;
  departmentPath: string[];
  idTags: string[];
  monthlyAmount: string | null;
  monthlyEnergyKwh: string | null;
  perSessionAmount: string | null;
}
export interface ImportError {
  row: number;
  column?: ImportColumn;
  message: string;
}

/** What the rules need to know of the database (looked up in bulk before checking). */
export interface ImportWorld {
  /** live department path ("华南/深圳/宝安") → id */
  departments: Map<string, number>;
  /** phone → the enterprise it is a member of */
  membership: Map<string, string>;
  /** id tag → the phone it belongs to (null: a tag of nobody) */
  tagOwner: Map<string, string | null>;
}

const PHONE = /^1[3-9]\d{9}$/;
const YUAN = /^\d{1,9}(\.\d{1,2})?$/;
const KWH = /^\d{1,9}(\.\d{1,3})?$/;
const TAG = /^[A-Za-z0-9_-]{1,20}$/;
export const pathKey = (parts: string[]) => parts.join('/');

/** Rows as a spreadsheet numbers them: the header is row 1, the first data row is row 2. */
export async function readRows(format: 'csv' | 'xlsx', content: string): Promise<RawRow[]> {
  let table: string[][];
  if (format === 'csv') {
    try {
      table = parse(content.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: false }) as string[][];
    } catch (e) {
      throw badRequest(`the CSV cannot be read: ${(e as Error).message}`);
    }
  } else {
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(Buffer.from(content, 'base64') as any);
    } catch {
      throw badRequest('content is not a base64 XLSX file');
    }
    const ws = wb.worksheets[0];
    if (!ws) throw badRequest('the XLSX file has no sheet');
    table = [];
    for (let r = 1; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const cells: string[] = [];
      for (let c = 1; c <= Math.max(row.cellCount, IMPORT_COLUMNS.length); c++) cells.push(row.getCell(c).text ?? '');
      table.push(cells);
    }
  }
  const header = (table[0] ?? []).map((h) => h.trim());
  const missing = ['phone', 'department'].filter((c) => !header.includes(c));
  if (missing.length) throw badRequest(`the header row needs the columns ${missing.join(', ')} (found: ${header.join(', ') || 'nothing'})`);
  const out: RawRow[] = [];
  table.slice(1).forEach((cells, i) => {
    if (cells.every((c) => !String(c ?? '').trim())) return; // blank lines are not rows
    const r: RawRow = { row: i + 2 };
    header.forEach((h, j) => {
      if ((IMPORT_COLUMNS as readonly string[]).includes(h)) r[h as ImportColumn] = String(cells[j] ?? '').trim();
    });
    out.push(r);
  });
  return out;
}

/**
 * The row rules, pure: every problem of every row (a row may have several), and the rows as they
 * will be applied. The caller applies nothing unless errors is empty.
 */
export function checkRows(raw: RawRow[], enterpriseId: string, world: ImportWorld): { rows: ImportRow[]; errors: ImportError[] } {
  const errors: ImportError[] = [];
  const rows: ImportRow[] = [];
  const firstRowOf = new Map<string, number>();
  const tagRow = new Map<string, { row: number; phone: string }>();
  for (const r of raw) {
    const err = (column: ImportColumn, message: string) => errors.push({ row: r.row, column, message });
    const phone = (r.phone ?? '').replace(/[\s-]/g, '');
    if (!PHONE.test(phone)) err('phone', `malformed phone "${r.phone ?? ''}" (11 digits, starting 13–19)`);
    else {
      const first = firstRowOf.get(phone);
      if (first !== undefined) err('phone', `duplicate phone ${phone} in the file (also row ${first})`);
      else firstRowOf.set(phone, r.row);
      const other = world.membership.get(phone);
      if (other !== undefined && other !== enterpriseId) err('phone', `${phone} is already a member of another enterprise (${other})`);
    }
    const departmentPath = (r.department ?? '').split('/').map((s) => s.trim()).filter(Boolean);
    if (!departmentPath.length) err('department', 'department is required (a path like 华南/深圳/宝安)');
    else if (!world.departments.has(pathKey(departmentPath))) err('department', `unknown department ${departmentPath.join('/')}`);
    const idTags = (r.idTags ?? '').split(';').map((s) => s.trim()).filter(Boolean);
    for (const t of idTags) {
      if (!TAG.test(t)) err('idTags', `malformed id tag "${t}" (1–20 letters, digits, _ -)`);
      const owner = world.tagOwner.get(t);
      if (owner && owner !== phone) err('idTags', `id tag ${t} belongs to another driver`);
      const seen = tagRow.get(t);
      if (seen && seen.phone !== phone) err('idTags', `id tag ${t} is also given to row ${seen.row}`);
      else tagRow.set(t, { row: r.row, phone });
    }
    const money = (c: 'monthlyAmount' | 'perSessionAmount') => {
      const v = r[c] ?? '';
      if (v && !YUAN.test(v)) err(c, `${c} "${v}" is not yuan with at most 2 decimals`);
      return v || null;
    };
    const monthlyAmount = money('monthlyAmount');
    const perSessionAmount = money('perSessionAmount');
    const e = r.monthlyEnergyKwh ?? '';
    if (e && !KWH.test(e)) err('monthlyEnergyKwh', `monthlyEnergyKwh "${e}" is not kWh with at most 3 decimals`);
    rows.push({ row: r.row, phone, name: r.name || null, departmentPath, idTags, monthlyAmount, monthlyEnergyKwh: e || null, perSessionAmount });
  }
  return { rows, errors };
}
