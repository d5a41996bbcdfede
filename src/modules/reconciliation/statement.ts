/**
 * A partner's statement file (CSV or XLSX) → records, streamed row by row (a million-row file is
 * never held as text or as a sheet). Columns are read through a mapping saved per partner; the
 * default reads the T/CEC field names as headers (TotalSeviceMoney, the standard's spelling, or
 * TotalServiceMoney). Every problem is reported with its row and column (the first 100); a file
 * with any problem yields no records, so nothing half-read is ever stored.
 */
import { Readable } from 'node:stream';
import { csvRecordBatches } from './csv.ts';
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

// The grammar of the figures and times a statement may hold; the parsers below read it by hand
// (a million rows: the match arrays of these expressions were a large part of the parse) and
// statement.test.ts checks them against these expressions on random text.
export const MONEY = /^(-)?(\d{1,9})(?:\.(\d{1,2}))?$/;
export const KWH = /^(-)?(\d{1,7})(?:\.(\d{1,3}))?$/;
export const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** An optional minus, 1..intMax digits, optionally a point and 1..fracMax digits → the integer in 10^-fracMax units. */
function fixedPoint(s: string, intMax: number, fracMax: number): number | null {
  const n = s.length;
  let i = 0;
  const neg = n > 0 && s.charCodeAt(0) === 45;
  if (neg) i = 1;
  let int = 0;
  const i0 = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    int = int * 10 + c;
  }
  if (i === i0 || i - i0 > intMax) return null;
  let frac = 0;
  let f = 0;
  if (i < n) {
    if (s.charCodeAt(i) !== 46) return null;
    for (i++; i < n; i++, f++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      frac = frac * 10 + c;
    }
    if (f === 0 || f > fracMax) return null;
  }
  for (; f < fracMax; f++) frac *= 10;
  const v = int * 10 ** fracMax + frac;
  return neg ? -v : v;
}

export const parseMoney = (s: string): number | null => fixedPoint(s, 9, 2);
export const parseKwhToWh = (s: string): number | null => fixedPoint(s, 7, 3);

/** Two digits at s[i], s[i+1], or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Days of a month as Date.UTC counts years (0–99 are 1900–1999). */
function daysIn(y: number, mo: number): number {
  const year = y < 100 ? 1900 + y : y;
  return mo === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : MONTH_DAYS[mo - 1];
}

/** LOCAL's fields [y, mo, d, h, mi, se] of s, or null when s is not in that form. */
function localFields(s: string): number[] | null {
  const n = s.length;
  if (n !== 16 && n !== 19) return null;
  const c10 = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (c10 !== 32 && c10 !== 84) || s.charCodeAt(13) !== 58 || (n === 19 && s.charCodeAt(16) !== 58)) return null;
  const y1 = two(s, 0);
  const y2 = two(s, 2);
  const f = [y1 * 100 + y2, two(s, 5), two(s, 8), two(s, 11), two(s, 14), n === 19 ? two(s, 17) : 0];
  return y1 < 0 || y2 < 0 || f[1] < 0 || f[2] < 0 || f[3] < 0 || f[4] < 0 || f[5] < 0 ? null : f;
}

/** Local wall time in the operator's zone → epoch ms; the zone offset is cached per local hour. */
export function localTimeParser(timeZone: string) {
  const offsets = new Map<number, number>();
  return (s: string): number | null => {
    const m = localFields(s);
    if (!m) {
      // an instant with its offset (ISO 8601) is taken as it is
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return null;
      const t = Date.parse(s);
      return Number.isFinite(t) ? t : null;
    }
    const [y, mo, d, h, mi, se] = m;
    if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 59) return null; // 31 April
    const wall = Date.UTC(y, mo - 1, d, h, mi, se);
    const key = ((y * 100 + mo) * 100 + d) * 100 + h;
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

/** A cell's text, trimmed ('' when the field has no column or the row is short). */
const cellOf = (cells: string[], i: number | undefined) => (i === undefined ? '' : String(cells[i] ?? '').trim());
const blank = (cells: string[]) => {
  for (const c of cells) if (String(c ?? '').trim()) return false;
  return true;
};

/**
 * Reads one data row; pushes its problems. No closure is made per row: with a million rows the
 * per-row helpers (and the name tsx gives each) were most of the parse (bench/reconciliation).
 */
function rowReader(index: Partial<Record<Field, number>>, header: string[], check: StatementCheck | undefined, problem: (p: StatementProblem) => void) {
  const time = localTimeParser(check?.timeZone ?? 'Asia/Shanghai');
  const slack = check?.slackMs ?? 10 * 60_000;
  // the state of the row being read (one object for all rows)
  const st = { ok: true, row: 0 };
  const bad = (f: Field, message: string) => {
    st.ok = false;
    problem({ row: st.row, column: header[index[f]!] ?? f, message });
  };
  const num = (cells: string[], f: Field, p: (s: string) => number | null, what: string, required: boolean): number | undefined => {
    const s = cellOf(cells, index[f]);
    if (!s) {
      if (required) bad(f, 'empty');
      return undefined;
    }
    const v = p(s);
    if (v === null) {
      bad(f, `not ${what}: ${s.slice(0, 40)}`);
      return undefined;
    }
    return v;
  };
  const MONEY_TEXT = 'yuan with at most 2 decimals';
  const TIME_TEXT = 'a time (yyyy-MM-dd HH:mm:ss)';
  return (cells: string[], row: number): Rec | null => {
    st.ok = true;
    st.row = row;
    const seq = cellOf(cells, index.StartChargeSeq);
    const connector = cellOf(cells, index.ConnectorID);
    const wh = num(cells, 'TotalPower', parseKwhToWh, 'kWh with at most 3 decimals', true);
    const elecFen = num(cells, 'TotalElecMoney', parseMoney, MONEY_TEXT, false);
    const serviceFen = num(cells, 'TotalServiceMoney', parseMoney, MONEY_TEXT, false);
    const totalFen = num(cells, 'TotalMoney', parseMoney, MONEY_TEXT, true);
    const startMs = num(cells, 'StartTime', time, TIME_TEXT, true);
    const endMs = num(cells, 'EndTime', time, TIME_TEXT, true);
    if (seq && !SEQ.test(seq)) bad('StartChargeSeq', `not a StartChargeSeq: ${seq.slice(0, 40)}`);
    if (!seq && !connector) bad('StartChargeSeq', 'a row needs a StartChargeSeq or a ConnectorID and StartTime');
    if (check && seq.length === 27 && !seq.startsWith(check.partnerId)) bad('StartChargeSeq', `belongs to operator ${seq.slice(0, 9)}, not partner ${check.partnerId}`);
    if (check && endMs !== undefined && (endMs < check.from - slack || endMs >= check.to + slack)) bad('EndTime', 'outside the period of this run');
    if (!st.ok) return null;
    return { seq: seq || undefined, connector: connector || undefined, startMs, endMs, wh: wh!, elecFen, serviceFen, totalFen: totalFen!, row };
  };
}
const SEQ = /^[A-Za-z0-9_-]{1,64}$/;

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
  rows: AsyncIterable<RowBatch>,
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
    // rows come in batches (a CSV chunk's records): one await per batch, not per row
    outer: for await (const batch of rows)
      for (let k = 0; k < batch.rows.length; k++) {
        const cells = batch.rows[k];
        const row = batch.first + k;
        if (!read) {
          const h = resolveHeader(cells, mapping);
          h.problems.forEach(problem);
          if (h.problems.length) break outer;
          read = rowReader(h.index, cells.map((c) => c.trim()), check, problem);
          continue;
        }
        if (blank(cells)) continue;
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

/** Rows of a statement file in batches: the cells of rows first, first + 1, … (1 is the header). */
export interface RowBatch {
  first: number;
  rows: string[][];
}

/** Text or bytes already in memory, in pieces of 64 KiB: the parse stays streamed (batches of a piece's rows, not the whole file's). */
function* pieces(input: string | Buffer, size = 1 << 16) {
  for (let k = 0; k < input.length; k += size) yield typeof input === 'string' ? input.slice(k, k + size) : input.subarray(k, k + size);
}

export async function* csvRows(input: Readable | string | Buffer): AsyncIterable<RowBatch> {
  const src = typeof input === 'string' || Buffer.isBuffer(input) ? pieces(input) : input;
  let first = 1;
  for await (const rows of csvRecordBatches(src as AsyncIterable<string | Buffer>)) {
    yield { first, rows };
    first += rows.length;
  }
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
export async function* xlsxRows(input: Buffer, timeZone = 'Asia/Shanghai'): AsyncIterable<RowBatch> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([input]), { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit' });
  // ExcelJS's reader looks up a sheet's name in the workbook's model, which it has only once
  // xl/workbook.xml went by: a zip with the sheet before it (ExcelJS's own writer does that at
  // times) failed with "reading 'sheets'". The name is not needed here (the first sheet is read).
  (reader as unknown as { model?: { sheets?: unknown[] } }).model ??= { sheets: [] };
  for await (const sheet of reader) {
    for await (const r of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
      const vals = (r.values as ExcelJS.CellValue[]).slice(1);
      // a batch per row: ExcelJS skips empty rows, so row numbers are not consecutive
      yield { first: r.number, rows: [Array.from(vals, (v) => cellText(v, timeZone))] };
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
