/**
 * What the driver H5 page (src/modules/web) needs from the wallet: self-registration on first login,
 * the driver's own app tag for remote starts, the driver's view and the running cost of a session.
 */
import type { Queryable } from '../../platform/db/index.ts';
export { getDriver } from './drivers.ts';
export { watchedSession } from './running-cost.ts';

/** A driver who logs in by phone for the first time becomes a driver of this operator (balance 0). */
export async function ensureDriver(q: Queryable, d: { operatorId: string; phone: string }): Promise<void> {
  await q.query(`INSERT INTO drivers (operator_id, phone) VALUES ($1, $2) ON CONFLICT (operator_id, phone) DO NOTHING`, [d.operatorId, d.phone]);
}

/**
 * The driver's app tag (kind 'app'): the idTag the platform hands the charger in RemoteStartTransaction
 * for an H5 start. Created once as "APP" + phone (at most 20 characters, as OCPP 1.6 CiString20 wants).
 */
export async function appTagFor(q: Queryable, operatorId: string, phone: string): Promise<string> {
  const have = await q.query<{ id: string }>(
    `SELECT id FROM id_tags WHERE operator_id = $1 AND driver_phone = $2 AND kind = 'app' AND status = 'active' ORDER BY created_at LIMIT 1`,
    [operatorId, phone],
  );
  if (have.rows[0]) return have.rows[0].id;
  const id = `APP${phone.replace(/\D/g, '')}`.slice(0, 20);
  const r = await q.query<{ id: string }>(
    `INSERT INTO id_tags (operator_id, id, driver_phone, kind, status) VALUES ($1, $2, $3, 'app', 'active')
     ON CONFLICT (operator_id, id) DO UPDATE SET status = 'active', updated_at = now() WHERE id_tags.driver_phone = EXCLUDED.driver_phone RETURNING id`,
    [operatorId, id, phone],
  );
  if (!r.rows[0]) throw new Error(`app tag ${id} belongs to another driver`);
  return id;
}
