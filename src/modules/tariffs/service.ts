import type { Queryable } from '../../platform/db/index.ts';
import { getOperator, tariffAssignment } from '../registry/index.ts';
import { parseTariffVersion } from './parse.ts';
import type { TariffVersion } from './types.ts';

interface VersionRow {
  id: number;
  tariff_id: string;
  effective_from: Date;
  definition: any;
}

const toVersion = (r: VersionRow): TariffVersion => parseTariffVersion(r.id, r.tariff_id, r.effective_from.getTime(), r.definition);

// Versions are immutable once stored: a parsed version is reused (which also keeps the engine's per-day
// cache warm). The key includes the stored text so a different database (tests) never gets a stale one.
const parsed = new Map<string, TariffVersion>();

/** A stored version, parsed for the engine; null when the operator has no such version. */
export async function loadTariffVersion(q: Queryable, operatorId: string, versionId: number): Promise<TariffVersion | null> {
  const r = await q.query<{ id: number; tariff_id: string; effective_from: Date; def: string }>(
    `SELECT id, tariff_id, effective_from, definition::text AS def FROM tariff_versions WHERE operator_id = $1 AND id = $2`,
    [operatorId, versionId],
  );
  const row = r.rows[0];
  if (!row) return null;
  const key = `${operatorId}/${row.id}/${row.tariff_id}/${row.effective_from.getTime()}/${row.def}`;
  let v = parsed.get(key);
  if (!v) {
    v = parseTariffVersion(row.id, row.tariff_id, row.effective_from.getTime(), JSON.parse(row.def));
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(key, v);
  }
  return v;
}

/** The version of a tariff in force at an instant: the greatest effective_from <= at. */
export async function versionInForce(q: Queryable, operatorId: string, tariffId: string, at: Date): Promise<number | null> {
  const r = await q.query<{ id: number }>(
    `SELECT id FROM tariff_versions WHERE operator_id = $1 AND tariff_id = $2 AND effective_from <= $3 ORDER BY effective_from DESC LIMIT 1`,
    [operatorId, tariffId, at],
  );
  return r.rows[0]?.id ?? null;
}

/**
 * The tariff version a session on this charger starting at `at` is billed with (frozen onto the
 * session at StartTransaction): the charger's own tariff, else its station's; null when neither
 * has one or no version is in force yet.
 */
export async function resolveTariffVersionId(q: Queryable, operatorId: string, chargerId: string, at: Date): Promise<number | null> {
  const a = await tariffAssignment(q, operatorId, chargerId);
  if (!a?.tariffId) return null;
  return versionInForce(q, operatorId, a.tariffId, at);
}

/** The version in force now for a charger, parsed (H5 "price now", T/CEC business policy). */
export async function tariffVersionForCharger(q: Queryable, operatorId: string, chargerId: string, at: Date): Promise<TariffVersion | null> {
  const id = await resolveTariffVersionId(q, operatorId, chargerId, at);
  return id === null ? null : loadTariffVersion(q, operatorId, id);
}

export interface TariffSummary {
  id: string;
  name: string;
  versions: { id: number; effectiveFrom: Date; createdAt: Date; definition: any }[];
}

export async function listTariffs(q: Queryable, operatorId: string, id?: string): Promise<TariffSummary[]> {
  const ts = await q.query<{ id: string; name: string }>(`SELECT id, name FROM tariffs WHERE operator_id = $1 AND ($2::text IS NULL OR id = $2) ORDER BY id`, [operatorId, id ?? null]);
  if (!ts.rows.length) return [];
  const vs = await q.query<VersionRow & { created_at: Date }>(
    `SELECT id, tariff_id, effective_from, definition, created_at FROM tariff_versions WHERE operator_id = $1 AND tariff_id = ANY($2::text[]) ORDER BY tariff_id, effective_from`,
    [operatorId, ts.rows.map((t) => t.id)],
  );
  return ts.rows.map((t) => ({
    id: t.id,
    name: t.name,
    versions: vs.rows.filter((v) => v.tariff_id === t.id).map((v) => ({ id: v.id, effectiveFrom: v.effective_from, createdAt: v.created_at, definition: v.definition })),
  }));
}

export async function tariffExists(q: Queryable, operatorId: string, id: string): Promise<boolean> {
  const r = await q.query(`SELECT 1 FROM tariffs WHERE operator_id = $1 AND id = $2`, [operatorId, id]);
  return r.rows.length > 0;
}

export async function insertTariff(q: Queryable, operatorId: string, id: string, name: string): Promise<boolean> {
  const r = await q.query(`INSERT INTO tariffs (operator_id, id, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [operatorId, id, name]);
  return r.rowCount > 0;
}

/** Adds a version; false when one with the same effectiveFrom exists (versions are never rewritten). */
export async function insertVersion(q: Queryable, operatorId: string, tariffId: string, effectiveFrom: Date, definition: unknown): Promise<number | null> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO tariff_versions (operator_id, tariff_id, effective_from, definition) VALUES ($1, $2, $3, $4)
     ON CONFLICT (operator_id, tariff_id, effective_from) DO NOTHING RETURNING id`,
    [operatorId, tariffId, effectiveFrom, JSON.stringify(definition)],
  );
  return r.rows[0]?.id ?? null;
}

export async function operatorTimeZone(q: Queryable, operatorId: string): Promise<string> {
  return (await getOperator(q, operatorId))?.timezone ?? 'Asia/Shanghai';
}

/** Replaces a version that has not taken effect yet (no session can have frozen it); false otherwise. */
export async function replaceScheduledVersion(q: Queryable, operatorId: string, tariffId: string, versionId: number, effectiveFrom: Date, definition: unknown): Promise<'ok' | 'not_found' | 'in_force' | 'clash'> {
  const cur = await q.query<{ effective_from: Date }>(`SELECT effective_from FROM tariff_versions WHERE operator_id = $1 AND tariff_id = $2 AND id = $3 FOR UPDATE`, [operatorId, tariffId, versionId]);
  if (!cur.rows[0]) return 'not_found';
  const clash = await q.query(`SELECT 1 FROM tariff_versions WHERE operator_id = $1 AND tariff_id = $2 AND effective_from = $3 AND id <> $4`, [operatorId, tariffId, effectiveFrom, versionId]);
  if (clash.rows.length) return 'clash';
  // The database clock decides: a version whose start has passed may already be frozen onto sessions.
  const r = await q.query(
    `UPDATE tariff_versions SET effective_from = $4, definition = $5 WHERE operator_id = $1 AND tariff_id = $2 AND id = $3 AND effective_from > now() AND $4::timestamptz > now()`,
    [operatorId, tariffId, versionId, effectiveFrom, JSON.stringify(definition)],
  );
  return r.rowCount > 0 ? 'ok' : 'in_force';
}
