/**
 * Look-up of orders by any key support is handed (a phone, a card, an order number, the partner's
 * StartChargeSeq, a charger id) in one statement: each interpretation is its own index probe,
 * newest first and bounded, so an ambiguous key (a 20-digit string is an order number and a
 * charger id alike) costs a handful of index range scans whatever the table size.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { whereClause } from './search.ts';
import type { OrderRow } from './view.ts';

export type LookupMatch = 'orderNo' | 'startChargeSeq' | 'phone' | 'card' | 'chargerId';

/** Orders the key names, newest first, each with what it matched; at most `limit`. */
export async function lookupOrders(q: Queryable, operatorId: string, key: string, limit = 50): Promise<(OrderRow & { matched_by: LookupMatch })[]> {
  const k = key.trim();
  if (!k || k.length > 64) return [];
  const probes: [LookupMatch, string][] = [];
  if (/^\d{20}$/.test(k)) probes.push(['orderNo', 'order_no']);
  probes.push(['startChargeSeq', 'partner_order_no']);
  if (/^\+?\d{5,15}$/.test(k)) probes.push(['phone', 'driver_phone']);
  probes.push(['card', 'id_tag'], ['chargerId', 'charger_id']);
  const sql = probes
    .map(([m, col]) => `(SELECT *, '${m}' AS matched_by FROM orders WHERE operator_id = $1 AND ${col} = $2 ORDER BY start_time DESC LIMIT $3)`)
    .join(' UNION ALL ');
  const r = await q.query<OrderRow & { matched_by: LookupMatch }>(`SELECT * FROM (${sql}) x ORDER BY start_time DESC, id DESC LIMIT $3`, [operatorId, k, limit]);
  return r.rows;
}

/** Orders whose occupancy (start → unplug) overlaps [from, to) at a station or charger, oldest first; at most `limit`. */
export async function ordersOverlapping(
  q: Queryable,
  operatorId: string,
  f: { stationId?: string; chargerId?: string; phone?: string; from: Date; to: Date },
  limit = 1000,
): Promise<OrderRow[]> {
  const { sql, params } = whereClause(operatorId, f);
  const r = await q.query<OrderRow>(`SELECT * FROM ${sql} ORDER BY start_time, id LIMIT ${Math.max(1, Math.min(10_000, Math.floor(limit)))}`, params);
  return r.rows;
}
