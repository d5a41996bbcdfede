/**
 * What the orders module reads about a driver (added by the orders helper; the wallet module owns
 * the drivers table): the name and plate printed on the order.
 */
import type { Queryable } from '../../platform/db/index.ts';

export async function driverForOrder(q: Queryable, operatorId: string, phone: string): Promise<{ name: string | null; plate: string | null } | null> {
  const r = await q.query<{ name: string | null; plates: string[] }>(`SELECT name, plates FROM drivers WHERE operator_id = $1 AND phone = $2`, [operatorId, phone]);
  const d = r.rows[0];
  return d ? { name: d.name, plate: d.plates[0] ?? null } : null;
}
