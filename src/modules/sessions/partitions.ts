/**
 * Monthly partitions of meter_samples (migration 0302), by the UTC month of received_at. The
 * maintenance runs at start and daily: it creates the months ahead (so inserts never fall into the
 * default partition while the server runs) and drops whole months older than the retention — a
 * DROP TABLE, not a DELETE of millions of rows.
 */
import type { Queryable } from '../../platform/db/index.ts';

const MONTHS_AHEAD = 3;
const name = (y: number, m: number) => `meter_samples_${y}${String(m + 1).padStart(2, '0')}`;
const bound = (y: number, m: number) => new Date(Date.UTC(y, m, 1)).toISOString();

/** The monthly partitions that exist, oldest first. */
export async function meterPartitions(q: Queryable): Promise<string[]> {
  const r = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = 'meter_samples' AND p.relnamespace = to_regnamespace(current_schema())::oid AND c.relname ~ '^meter_samples_[0-9]{6}$' ORDER BY c.relname`,
  );
  return r.rows.map((x) => x.name);
}

/**
 * Creates the partition of one UTC month when it is missing. Rows of that month already in the
 * default partition (the server was down for months) move into it first, since PostgreSQL refuses
 * a partition whose rows sit in the default one.
 */
export async function ensureMeterMonth(q: Queryable, year: number, month: number): Promise<boolean> {
  const t = name(year, month);
  if ((await q.query(`SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = to_regnamespace(current_schema())::oid`, [t])).rows.length) return false; // rows, not rowCount (PGlite counts no rows for a SELECT)
  const from = bound(year, month);
  const to = bound(year, month + 1);
  await q.query(`CREATE TABLE ${t} (LIKE meter_samples INCLUDING DEFAULTS)`);
  await q.query(`WITH m AS (DELETE FROM meter_samples_default WHERE received_at >= $1 AND received_at < $2 RETURNING *) INSERT INTO ${t} SELECT * FROM m`, [from, to]);
  await q.query(`ALTER TABLE meter_samples ATTACH PARTITION ${t} FOR VALUES FROM ('${from}') TO ('${to}')`);
  return true;
}

/** Creates this month and the next ones, drops months wholly older than `retentionMonths` (0 keeps all). */
export async function maintainMeterPartitions(q: Queryable, now: Date, retentionMonths: number): Promise<{ created: string[]; dropped: string[] }> {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const created: string[] = [];
  for (let i = 0; i <= MONTHS_AHEAD; i++) {
    const d = new Date(Date.UTC(y, m + i, 1));
    if (await ensureMeterMonth(q, d.getUTCFullYear(), d.getUTCMonth())) created.push(name(d.getUTCFullYear(), d.getUTCMonth()));
  }
  const dropped: string[] = [];
  if (retentionMonths > 0) {
    const cutoff = new Date(Date.UTC(y, m - retentionMonths, 1));
    const last = name(cutoff.getUTCFullYear(), cutoff.getUTCMonth()); // the first month kept
    for (const p of await meterPartitions(q)) {
      if (p >= last) break;
      await q.query(`DROP TABLE ${p}`);
      dropped.push(p);
    }
    await q.query(`DELETE FROM meter_samples_default WHERE received_at < $1`, [cutoff.toISOString()]);
  }
  return { created, dropped };
}
