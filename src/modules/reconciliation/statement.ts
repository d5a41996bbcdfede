/**
 * A partner's statement file (CSV or XLSX) → records, streamed row by row (a million-row file is
 * never held as text or as a sheet). Columns are read through a mapping saved per partner; the
 * default reads the T/CEC field names as headers (TotalSeviceMoney, the standard's spelling, or
 * TotalServiceMoney). Every problem is reported with its row and column (the first 100); a file
 * with any problem yields no records, so nothing half-read is ever stored.
 */
import { Readable } from 'node:stream';
import { csvRecords } from './csv.ts';
import ExcelJS from 'exceljs';
import { Temporal } from 'temporal-polyfill';
import type { Rec } from './match.ts';

export const FIELDS = ['StartChargeSeq', 'ConnectorID', 'StartTime', 'EndTime', 'TotalPower', 'TotalElecMoney', 'TotalServiceMoney', 'TotalMoney'] as const;
export type Field = (typeof FIELDS)[number];
const REQUIRED: Field[] = ['StartChargeSeq', 'StartTime', 'EndTime', 'TotalPower', 'TotalMoney'];
/** field → the column headers that may carry it (first present wins) */
export type Mapping = Partial<Record<Field, string | string[]>>;
export const DEFAULT_MAPPING: Record<Field, string[]> = {
  StartChargeSeq: ['StartChargeSeq'],
  ConnectorID: ['ConnectorID'],
  StartTime: ['StartTime'],
  EndTime: ['EndTime'],
  TotalPower: ['TotalPower'],
  TotalElecMoney: ['TotalElecMoney'],
  TotalServiceMoney: ['TotalSeviceMoney', 'TotalServiceMoney'],
  TotalMoney: ['TotalMoney'],
};

export interface StatementProblem {
  row: number;
  column: string;
  message: string;
}
export const MAX_PROBLEMS = 100;

export interface StatementCheck {
  /** the partner's T/CEC OperatorID: a 27-character StartChargeSeq starts with it */
  partnerId: string;
  from: number;
  to: number;
  timeZone: string;
  /** EndTime may fall this far outside [from, to) (clocks differ at the edge) */
  slackMs?: number;
}

const MONEY = /^(-)?(\d{1,9})(?:\.(\d{1,2}))?$/;
const KWH = /^(-)?(\d{1,7})(?:\.(\d{1,3}))?$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

export function parseMoney(s: string): number | null {
  const m = MONEY.exec(s);
  if (!m) return null;
  const v = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}
export function parseKwhToWh(s: string): number | null {
  const m = KWH.exec(s);
  if (!m) return null;
  const v = Number(m[2]) * 1000 + Number((m[3] ?? '').padEnd(3, '0'));
  return m[1] ? -v : v;
}

/** Local wall time in the operator's zone → epoch ms; the zone offset is cached per local hour. */
export function localTimeParser(timeZone: string) {
  const offsets = new Map<string, number>();
  return (s: string): number | null => {
    const m = LOCAL.exec(s);
    if (!m) {
      // an instant with its offset (ISO 8601) is taken as it is
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return null;
      const t = Date.parse(s);
      return Number.isFinite(t) ? t : null;
    }
    const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return null;
    const wall = Date.UTC(y, mo - 1, d, h, mi, se);
    if (new Date(wall).getUTCDate() !== d) return null; // 31 April
    const key = `${m[1]}${m[2]}${m[3]}${m[4]}`;
    let off = offsets.get(key);
    if (off === undefined) {
      const z = Temporal.PlainDateTime.from({ year: y, month: mo, day: d, hour: h }).toZonedDateTime(timeZone);
      off = Date.UTC(y, mo - 1, d, h) - z.epochMilliseconds;
      offsets.set(key, off);
    }
    return wall - off;
  };
}

/** Which column index carries each field, or the problems with the header row. */
export function resolveHeader(header: string[], mapping: Mapping = {}): { index: Partial<Record<Field, number>>; problems: StatementProblem[] } {
  const problems: StatementProblem[] = [];
  const index: Partial<Record<Field, number>> = {};
  const names = header.map((h) => h.trim().replace(/^\uFEFF/, ''));
  const used = new Set<number>();
  for (const f of FIELDS) {
    const want = mapping[f] !== undefined ? [mapping[f]].flat() : DEFAULT_MAPPING[f];
    const i = names.findIndex((n, k) => want.includes(n) && !used.has(k));
    if (i >= 0) {
      index[f] = i;
      used.add(i);
      // both spellings present: the second is not unknown, it is the same field twice
      names.forEach((n, k) => k !== i && want.includes(n) && problems.push({ row: 1, column: n, message: `a second column for ${f}` }));
      names.forEach((n, k) => want.includes(n) && used.add(k));
    } else if (REQUIRED.includes(f)) problems.push({ row: 1, column: want.join(' | '), message: `missing column for ${f}` });
  }
  names.forEach((n, k) => used.has(k) || problems.push({ row: 1, column: n || `#${k + 1}`, message: 'unknown column (not in the mapping)' }));
  return { index, problems };
}

export interface ParsedStatement {
  rows: Rec[];
  problems: StatementProblem[];
  /** problems beyond the first 100 are counted, not listed */
  moreProblems: number;
}

/** Reads one data row; pushes its problems. */
function rowReader(index: Partial<Record<Field, number>>, header: string[], check: StatementCheck | undefined, problem: (p: StatementProblem) => void) {
  const time = localTimeParser(check?.timeZone ?? 'Asia/Shanghai');
  const col = (f: Field) => header[index[f]!] ?? f;
  const slack = check?.slackMs ?? 10 * 60_000;
  return (cells: string[], row: number): Rec | null => {
    const get = (f: Field) => (index[f] === undefined ? '' : String(cells[index[f]!] ?? '').trim());
    let ok = true;
    const bad = (f: Field, message: string) => {
      ok = false;
      problem({ row, column: col(f), message });
    };
    const seq = get('StartChargeSeq');
    const connector = get('ConnectorID');
    const num = (f: Field, p: (s: string) => number | null, what: string, required: boolean) => {
      const s = get(f);
      if (!s) {
        if (required) bad(f, 'empty');
        return undefined;
      }
      const v = p(s);
      if (v === null) bad(f, `not ${what}: ${s.slice(0, 40)}`);
      return v ?? undefined;
    };
    const wh = num('TotalPower', parseKwhToWh, 'kWh with at most 3 decimals', true);
    const elecFen = num('TotalElecMoney', parseMoney, 'yuan with at most 2 decimals', false);
    const serviceFen = num('TotalServiceMoney', parseMoney, 'yuan with at most 2 decimals', false);
    const totalFen = num('TotalMoney', parseMoney, 'yuan with at most 2 decimals', true);
    const startMs = num('StartTime', time, 'a time (yyyy-MM-dd HH:mm:ss)', true);
    const endMs = num('EndTime', time, 'a time (yyyy-MM-dd HH:mm:ss)', true);
    if (seq && !/^[A-Za-z0-9_-]{1,64}$/.test(seq)) bad('StartChargeSeq', `not a StartChargeSeq: ${seq.slice(0, 40)}`);
    if (!seq && !connector) bad('StartChargeSeq', 'a row needs a StartChargeSeq or a ConnectorID and StartTime');
    if (check && seq.length === 27 && !seq.startsWith(check.partnerId)) bad('StartChargeSeq', `belongs to operator ${seq.slice(0, 9)}, not partner ${check.partnerId}`);
    if (check && endMs !== undefined && (endMs < check.from - slack || endMs >= check.to + slack)) bad('EndTime', 'outside the period of this run');
    if (!ok) return null;
    return { seq: seq || undefined, connector: connector || undefined, startMs, endMs, wh: wh!, elecFen, serviceFen, totalFen: totalFen!, row };
  };
}

export interface StatementSink {
  /** records at most this many at a time */
  chunk: number;
  /** takes each chunk (e.g. stores it in the run's transaction); nothing is kept in memory */
  write(rows: Rec[]): Promise<void>;
}

/**
 * Streams rows (header first) into records. `onProgress` hears the row count every 50,000 rows.
 * With a `sink`, records go to it a chunk at a time instead of into `rows` (memory bounded by the
 * chunk); after the first problem nothing more is written, and the caller throws away what was
 * (its transaction rolls back), so a bad file still stores nothing.
 */
export async function readStatement(
  rows: AsyncIterable<{ cells: string[]; row: number }>,
  mapping: Mapping | undefined,
  check?: StatementCheck,
  onProgress?: (n: number) => void,
  sink?: StatementSink,
): Promise<ParsedStatement & { count: number }> {
  const out: ParsedStatement & { count: number } = { rows: [], problems: [], moreProblems: 0, count: 0 };
  const problem = (p: StatementProblem) => (out.problems.length < MAX_PROBLEMS ? out.problems.push(p) : out.moreProblems++);
  let read: ((cells: string[], row: number) => Rec | null) | null = null;
  let n = 0;
  let pending: Rec[] = [];
  // one chunk is stored while the next is parsed (the database and the parse overlap); a failed
  // write is seen at the next chunk or at the end (caught here so it is never an unhandled rejection)
  let writing: Promise<void> | null = null;
  const write = async (chunk: Rec[]) => {
    if (writing) await writing;
    writing = sink!.write(chunk);
    writing.catch(() => {});
  };
  try {
    for await (const { cells, row } of rows) {
      if (!read) {
        const h = resolveHeader(cells, mapping);
        h.problems.forEach(problem);
        if (h.problems.length) break;
        read = rowReader(h.index, cells.map((c) => c.trim()), check, problem);
        continue;
      }
      if (cells.every((c) => !String(c ?? '').trim())) continue; // blank line
      const r = read(cells, row);
      if (r && !out.problems.length) {
        out.count++;
        if (!sink) out.rows.push(r);
        else if (pending.push(r) >= sink.chunk) {
          await write(pending);
          pending = [];
        }
      }
      if (++n % 50_000 === 0) onProgress?.(n);
    }
  } finally {
    if (writing) await writing;
  }
  if (!read && !out.problems.length) problem({ row: 1, column: '', message: 'the statement is empty (no header row)' });
  if (sink && pending.length && !out.problems.length) await sink.write(pending);
  if (out.problems.length) out.rows = [];
  return out;
}

export async function* csvRows(input: Readable | string | Buffer): AsyncIterable<{ cells: string[]; row: number }> {
  const src = typeof input === 'string' || Buffer.isBuffer(input) ? Readable.from([input]) : input;
  let row = 0;
  for await (const cells of csvRecords(src as AsyncIterable<string | Buffer>)) yield { cells, row: ++row };
}

const cellText = (v: ExcelJS.CellValue, timeZone: string): string => {
  if (v === null || v === undefined) return '';
  // a date cell holds the wall time it shows as if it were UTC
  if (v instanceof Date) return v.toISOString().slice(0, 19).replace('T', ' ');
  if (typeof v === 'object') {
    if ('result' in v) return cellText((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue, timeZone);
    if ('richText' in v) return (v as ExcelJS.CellRichTextValue).richText.map((t) => t.text).join('');
    if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text);
    return '';
  }
  return String(v);
};

/** The first sheet of an XLSX workbook, streamed. */
export async function* xlsxRows(input: Buffer, timeZone = 'Asia/Shanghai'): AsyncIterable<{ cells: string[]; row: number }> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([input]), { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit' });
  for await (const sheet of reader) {
    for await (const r of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
      const vals = (r.values as ExcelJS.CellValue[]).slice(1);
      yield { cells: Array.from(vals, (v) => cellText(v, timeZone)), row: r.number };
    }
    break;
  }
}

export type StatementFormat = 'csv' | 'xlsx';
/** content: CSV text, or the XLSX bytes (base64 in JSON). */
export function statementRows(format: StatementFormat, content: string | Buffer, timeZone: string) {
  if (format === 'csv') return csvRows(content);
  return xlsxRows(Buffer.isBuffer(content) ? content : Buffer.from(content, 'base64'), timeZone);
}
