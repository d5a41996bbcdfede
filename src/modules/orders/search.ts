/**
 * Order search (case 3: "who charged at this station around this time"). A window [from, to)
 * matches orders whose occupancy [start, unplug or end) overlaps it. The SQL keeps the station/charger
 * + start_time index range bounded: an ordinary order occupies at most 48 h, so it started after
 * from − 48 h; the rare longer ones (long_span) come from their own small partial index.
 */
import type { Queryable } from '../../platform/db/index.ts';
import type { OrderRow } from './view.ts';

export interface OrderFilter {
  stationId?: string;
  chargerId?: string;
  connectorId?: number;
  from?: Date;
  to?: Date;
  phone?: string;
  card?: string;
  orderNo?: string;
  partnerOrderNo?: string;
  status?: OrderRow['status'];
  abnormal?: boolean;
}

/**
 * The rows to search as a FROM source, and its parameters ($1 is the operator). With a window it is
 * the UNION ALL of two index range scans: ordinary orders (start in [from − 48 h, to)) and long ones
 * (partial index on long_span, start before from − 48 h); the two never overlap.
 */
export function whereClause(operatorId: string, f: OrderFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [operatorId];
  const add = (v: unknown) => `$${params.push(v)}`;
  const w = ['operator_id = $1'];
  if (f.stationId) w.push(`station_id = ${add(f.stationId)}`);
  if (f.chargerId) w.push(`charger_id = ${add(f.chargerId)}`);
  if (f.connectorId !== undefined) w.push(`connector_id = ${add(f.connectorId)}`);
  if (f.phone) w.push(`driver_phone = ${add(f.phone)}`);
  if (f.card) w.push(`id_tag = ${add(f.card)}`);
  if (f.orderNo) w.push(`order_no = ${add(f.orderNo)}`);
  if (f.partnerOrderNo) w.push(`partner_order_no = ${add(f.partnerOrderNo)}`);
  if (f.status) w.push(`status = ${add(f.status)}`);
  if (f.abnormal !== undefined) w.push(`abnormal = ${add(f.abnormal)}`);
  const base = w.join(' AND ');
  if (!f.from && !f.to) return { sql: `(SELECT * FROM orders WHERE ${base}) o`, params };
  const from = add(f.from ?? new Date(0));
  const to = add(f.to ?? new Date(8.64e15));
  const lower = `${from}::timestamptz - interval '48 hours'`;
  const open = `(occupied_until IS NULL OR occupied_until > ${from})`;
  return {
    sql:
      `(SELECT * FROM orders WHERE ${base} AND start_time >= ${lower} AND start_time < ${to} AND ${open}` +
      ` UNION ALL SELECT * FROM orders WHERE ${base} AND long_span AND start_time < ${lower} AND start_time < ${to} AND ${open}) o`,
    params,
  };
}

export async function searchOrders(q: Queryable, operatorId: string, f: OrderFilter, page = 1, pageSize = 20): Promise<{ items: OrderRow[]; total: number }> {
  const { sql, params } = whereClause(operatorId, f);
  const items = await q.query<OrderRow>(`SELECT * FROM ${sql} ORDER BY start_time DESC, id DESC LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`, params);
  const total = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return { items: items.rows, total: total.rows[0].n };
}

/** Every matching order for an export, oldest first, in batches (keyset on start_time, id). */
export async function* exportRows(q: Queryable, operatorId: string, f: OrderFilter, max = 100_000, batch = 1000): AsyncGenerator<OrderRow> {
  const { sql, params } = whereClause(operatorId, f);
  let after: [Date, number] | null = null;
  let n = 0;
  while (n < max) {
    const p = [...params];
    const keyset: string = after ? ` WHERE (start_time, id) > ($${p.push(after[0])}, $${p.push(after[1])})` : '';
    const r: { rows: OrderRow[] } = await q.query<OrderRow>(`SELECT * FROM ${sql}${keyset} ORDER BY start_time, id LIMIT ${Math.min(batch, max - n)}`, p);
    for (const row of r.rows) yield row;
    n += r.rows.length;
    if (r.rows.length < batch) return;
    const last: OrderRow = r.rows[r.rows.length - 1];
    after = [last.start_time, last.id];
  }
}
