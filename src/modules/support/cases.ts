/**
 * Support cases per operator, numbered like the operator's log (`igo_case#6_20190923`: n per
 * operator, the date in the operator's time zone), created from an order (every template field
 * filled from the records) or by hand; analysis entries by author and time; status, assignees.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { notFound } from '../../platform/errors.ts';
import { localTime } from '../orders/index.ts';
import { getOperator } from '../registry/index.ts';
import { emptyFields, FIELD_KEYS, STATUS_LABELS, type CaseFields, type CaseStatus, type CaseDoc } from './case-format.ts';
import { fieldsFromOrder } from './fill.ts';
import { maskPhone } from './mask.ts';
import { documentTokens, normalise, queryText, likeTerms } from './search.ts';

export interface CaseRow {
  id: number;
  operator_id: string;
  n: number;
  case_no: string;
  case_date: string;
  status: CaseStatus;
  order_no: string | null;
  station_id: string | null;
  charger_id: string | null;
  phone: string | null;
  fields: Partial<CaseFields>;
  description: string;
  operator_findings: string;
  resolution: string;
  assignees: string[];
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface AnalysisRow {
  id: number;
  case_id: number;
  author: string;
  text: string;
  created_by: string;
  created_at: Date;
}

export interface CaseInput {
  orderNo?: string;
  description?: string;
  operatorFindings?: string;
  resolution?: string;
  status?: CaseStatus;
  assignees?: string[];
  /** template fields typed by hand; they win over what the records say */
  fields?: Partial<Omit<CaseFields, 'phone' | 'date'>>;
  phone?: string | null;
  analysis?: { author?: string; text: string }[];
}

const yyyymmdd = (at: Date, tz: string) => localTime(at.toISOString(), tz).slice(0, 10).replace(/-/g, '');
const timeZoneOf = async (q: Queryable, operatorId: string) => (await getOperator(q, operatorId))?.timezone ?? 'Asia/Shanghai';

/** Field values as stored plus the phone as this reader may see it. */
export function fieldsFor(c: CaseRow, phone: 'masked' | 'full'): CaseFields {
  const f = { ...emptyFields(), ...c.fields, date: c.case_date };
  f.phone = (phone === 'full' ? c.phone : maskPhone(c.phone)) ?? '';
  return f;
}

export function caseDoc(c: CaseRow, analysis: AnalysisRow[], phone: 'masked' | 'full'): CaseDoc {
  return {
    caseNo: c.case_no,
    fields: fieldsFor(c, phone),
    description: c.description,
    operatorFindings: c.operator_findings,
    analysis: analysis.map((a) => ({ author: a.author, text: a.text })),
    resolution: c.resolution,
    status: c.status,
    assignees: c.assignees,
  };
}

export function caseSummary(c: CaseRow & { analysis_count?: number; attachment_count?: number }) {
  return {
    id: Number(c.id),
    caseNo: c.case_no,
    n: c.n,
    date: c.case_date,
    status: c.status,
    statusLabel: STATUS_LABELS[c.status],
    orderNo: c.order_no,
    stationId: c.station_id,
    stationName: c.fields.stationName ?? '',
    chargerId: c.charger_id,
    phoneMasked: maskPhone(c.phone),
    description: c.description,
    assignees: c.assignees,
    analysisCount: c.analysis_count ?? undefined,
    attachmentCount: c.attachment_count ?? undefined,
    createdBy: c.created_by,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}

export async function caseRow(q: Queryable, operatorId: string, id: number, forUpdate = false): Promise<CaseRow | null> {
  const r = await q.query<CaseRow>(`SELECT * FROM support_cases WHERE operator_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [operatorId, id]);
  return r.rows[0] ?? null;
}

export async function caseAnalysis(q: Queryable, operatorId: string, caseIds: number[]): Promise<AnalysisRow[]> {
  if (!caseIds.length) return [];
  const r = await q.query<AnalysisRow>(`SELECT * FROM support_case_analysis WHERE operator_id = $1 AND case_id = ANY($2::bigint[]) ORDER BY id`, [operatorId, caseIds]);
  return r.rows.map((a) => ({ ...a, case_id: Number(a.case_id) }));
}

/** The case as the API shows it: fields (phone masked), analysis entries, attachments (no content). */
export async function getCase(q: Queryable, operatorId: string, id: number) {
  const c = await caseRow(q, operatorId, id);
  if (!c) throw notFound(`case ${id}`);
  const analysis = await caseAnalysis(q, operatorId, [id]);
  const att = await q.query(
    `SELECT id, filename, content_type, size, sha256, created_by, created_at FROM support_case_attachments WHERE operator_id = $1 AND case_id = $2 ORDER BY id`,
    [operatorId, id],
  );
  return {
    ...caseSummary(c),
    fields: fieldsFor(c, 'masked'),
    operatorFindings: c.operator_findings,
    resolution: c.resolution,
    analysis: analysis.map((a) => ({ id: Number(a.id), author: a.author, text: a.text, createdBy: a.created_by, createdAt: a.created_at.toISOString() })),
    attachments: att.rows.map((x: any) => ({
      id: Number(x.id),
      filename: x.filename as string,
      contentType: x.content_type as string,
      size: x.size as number,
      sha256: x.sha256 as string,
      createdBy: x.created_by as string,
      createdAt: (x.created_at as Date).toISOString(),
    })),
  };
}
export type CaseView = Awaited<ReturnType<typeof getCase>>;

/** Recomputes what the case is found by: every text on it (the phone masked), as tokens and as text. */
export async function refreshSearch(q: Queryable, operatorId: string, id: number) {
  const c = (await caseRow(q, operatorId, id))!;
  const analysis = await caseAnalysis(q, operatorId, [id]);
  const f = fieldsFor(c, 'masked');
  const text = [c.case_no, ...FIELD_KEYS.map((k) => f[k]), c.description, c.operator_findings, c.resolution, ...c.assignees, ...analysis.flatMap((a) => [a.author, a.text])]
    .filter(Boolean)
    .join('\n');
  const tokens = documentTokens(text);
  await q.query(`UPDATE support_cases SET search_text = $3, search = array_to_tsvector($4::text[]) WHERE operator_id = $1 AND id = $2`, [operatorId, id, normalise(text), tokens]);
}

const clean = (fields: CaseInput['fields']) => Object.fromEntries(Object.entries(fields ?? {}).filter(([k, v]) => FIELD_KEYS.includes(k as any) && k !== 'phone' && k !== 'date' && typeof v === 'string'));

export async function createCase(q: Queryable, operatorId: string, input: CaseInput, actor: string, now: Date): Promise<number> {
  const tz = await timeZoneOf(q, operatorId);
  const filled = input.orderNo ? await fieldsFromOrder(q, operatorId, input.orderNo, tz, now) : null;
  const n = (
    await q.query<{ last_n: number }>(
      `INSERT INTO support_case_counters (operator_id, last_n) VALUES ($1, 1) ON CONFLICT (operator_id) DO UPDATE SET last_n = support_case_counters.last_n + 1 RETURNING last_n`,
      [operatorId],
    )
  ).rows[0].last_n;
  const date = yyyymmdd(now, tz);
  const fields = { ...(filled?.fields ?? { ...emptyFields(), operator: operatorId }), ...clean(input.fields) };
  delete (fields as Partial<CaseFields>).phone;
  delete (fields as Partial<CaseFields>).date;
  const r = await q.query<{ id: number }>(
    `INSERT INTO support_cases (operator_id, n, case_no, case_date, status, order_no, station_id, charger_id, phone, fields, description, operator_findings, resolution, assignees, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id`,
    [
      operatorId,
      n,
      `${operatorId}_case#${n}_${date}`,
      date,
      input.status ?? 'in_progress',
      input.orderNo ?? null,
      filled?.stationId ?? null,
      filled?.chargerId ?? (fields.chargerId || null),
      input.phone ?? filled?.phone ?? null,
      JSON.stringify(fields),
      input.description ?? '',
      input.operatorFindings ?? '',
      input.resolution ?? '',
      input.assignees ?? [],
      actor,
      now,
    ],
  );
  const id = Number(r.rows[0].id);
  for (const a of input.analysis ?? []) await addAnalysis(q, operatorId, id, { author: a.author ?? actor, text: a.text }, actor, now, false);
  await refreshSearch(q, operatorId, id);
  return id;
}

export async function updateCase(q: Queryable, operatorId: string, id: number, input: Omit<CaseInput, 'orderNo' | 'analysis'>, now: Date) {
  const c = await caseRow(q, operatorId, id, true);
  if (!c) throw notFound(`case ${id}`);
  const fields = { ...c.fields, ...clean(input.fields) };
  await q.query(
    `UPDATE support_cases SET status = $3, fields = $4, description = $5, operator_findings = $6, resolution = $7, assignees = $8, phone = $9, charger_id = $10, updated_at = $11
     WHERE operator_id = $1 AND id = $2`,
    [
      operatorId,
      id,
      input.status ?? c.status,
      JSON.stringify(fields),
      input.description ?? c.description,
      input.operatorFindings ?? c.operator_findings,
      input.resolution ?? c.resolution,
      input.assignees ?? c.assignees,
      input.phone === undefined ? c.phone : input.phone,
      c.charger_id ?? (fields.chargerId || null),
      now,
    ],
  );
  await refreshSearch(q, operatorId, id);
}

export async function addAnalysis(q: Queryable, operatorId: string, caseId: number, a: { author: string; text: string }, actor: string, now: Date, refresh = true) {
  const c = await caseRow(q, operatorId, caseId, true);
  if (!c) throw notFound(`case ${caseId}`);
  await q.query(`INSERT INTO support_case_analysis (operator_id, case_id, author, text, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, [operatorId, caseId, a.author, a.text, actor, now]);
  await q.query(`UPDATE support_cases SET updated_at = $3 WHERE operator_id = $1 AND id = $2`, [operatorId, caseId, now]);
  if (refresh) await refreshSearch(q, operatorId, caseId);
}

export interface CaseFilter {
  status?: CaseStatus;
  q?: string;
  from?: Date;
  to?: Date;
  stationId?: string;
  chargerId?: string;
  orderNo?: string;
  assignee?: string;
}

function where(operatorId: string, f: CaseFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [operatorId];
  const add = (v: unknown) => `$${params.push(v)}`;
  const w = ['operator_id = $1'];
  if (f.status) w.push(`status = ${add(f.status)}`);
  if (f.from) w.push(`created_at >= ${add(f.from)}`);
  if (f.to) w.push(`created_at < ${add(f.to)}`);
  if (f.stationId) w.push(`station_id = ${add(f.stationId)}`);
  if (f.chargerId) w.push(`charger_id = ${add(f.chargerId)}`);
  if (f.orderNo) w.push(`order_no = ${add(f.orderNo)}`);
  if (f.assignee) w.push(`${add(f.assignee)} = ANY(assignees)`);
  if (f.q) {
    const tsq = queryText(f.q);
    // nothing searchable (punctuation only): nothing matches
    if (!tsq) w.push('false');
    else {
      w.push(`search @@ ${add(tsq)}::tsquery`);
      for (const term of likeTerms(f.q)) w.push(`search_text LIKE ${add(term)}`);
    }
  }
  return { sql: w.join(' AND '), params };
}

export async function listCases(q: Queryable, operatorId: string, f: CaseFilter, page: number, pageSize: number) {
  const { sql, params } = where(operatorId, f);
  const r = await q.query<CaseRow & { total: number; analysis_count: number; attachment_count: number }>(
    `SELECT c.*, count(*) OVER ()::int AS total,
       (SELECT count(*)::int FROM support_case_analysis a WHERE a.case_id = c.id) AS analysis_count,
       (SELECT count(*)::int FROM support_case_attachments x WHERE x.case_id = c.id) AS attachment_count
     FROM support_cases c WHERE ${sql} ORDER BY n DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
    params,
  );
  return { items: r.rows.map(caseSummary), total: r.rows[0]?.total ?? 0, page, pageSize };
}

/** Every matching case with its analysis, newest first (exports); at most `max`. */
export async function casesForExport(q: Queryable, operatorId: string, f: CaseFilter, max = 1000): Promise<{ row: CaseRow; analysis: AnalysisRow[] }[]> {
  const { sql, params } = where(operatorId, f);
  const r = await q.query<CaseRow>(`SELECT * FROM support_cases WHERE ${sql} ORDER BY n DESC LIMIT ${max}`, params);
  const analysis = await caseAnalysis(
    q,
    operatorId,
    r.rows.map((c) => Number(c.id)),
  );
  return r.rows.map((row) => ({ row, analysis: analysis.filter((a) => a.case_id === Number(row.id)) }));
}
