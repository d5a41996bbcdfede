/**
 * Settlement and review: the money move, the partner push and the notifications are written in the
 * SAME transaction that changes the order's status, so none can happen without the other.
 */
import type { Queryable } from '../../platform/db/index.ts';
import type { Outbox } from '../../platform/outbox.ts';
import type { Events, DomainEvents } from '../../platform/events.ts';
import { chargeForOrder } from '../wallet/index.ts';
import { notify } from '../notify/index.ts';
import type { AnomalyReason } from './anomalies.ts';
import { orderView, type OrderRow } from './view.ts';

export interface OrdersDeps {
  outbox: Outbox;
  events: Events;
}

/** Domain events to emit once the transaction committed. */
export type After = { [K in keyof DomainEvents]: [K, DomainEvents[K]] }[keyof DomainEvents][];

export function emitAll(events: Events, after: After) {
  for (const [name, payload] of after) events.emit(name as any, payload as any);
}

/**
 * The partner hears about every settled or corrected version of its sessions' orders, in order;
 * `at_stop`: the order as it stands when the session stopped while an idle fee still accrues (the
 * final figures follow with the settlement, under the same StartChargeSeq).
 */
export async function pushToPartner(d: OrdersDeps, q: Queryable, row: OrderRow, stage: 'at_stop' | 'final' = 'final') {
  if (row.origin !== 'partner' || !row.partner_id) return;
  await d.outbox.enqueue(q, {
    operatorId: row.operator_id,
    topic: 'roaming.order',
    payload: { operatorId: row.operator_id, orderNo: row.order_no, version: row.version, ...(stage === 'at_stop' ? { atStop: true } : {}) },
    orderingKey: `roaming:${row.operator_id}:${row.partner_id}`,
    dedupeKey: `roaming.order:${row.operator_id}:${row.order_no}:${row.version}${stage === 'at_stop' ? ':at_stop' : ''}`,
  });
}

/** Orders whose amount moves money on a driver's wallet or an enterprise account (partners and bare cards settle elsewhere). */
export const chargesPayer = (row: OrderRow): boolean => (row.payment_method === 'wallet' || row.payment_method === 'enterprise') && !!row.driver_phone;

/** Charges the payer for the latest version and marks the order settled. */
export async function settle(d: OrdersDeps, q: Queryable, row: OrderRow, after: After, reviewer?: string, opts: { silent?: boolean } = {}) {
  let moved = { chargedFen: row.charged_fen, receivableFen: row.receivable_fen };
  if (chargesPayer(row)) moved = await chargeForOrder(q, { operatorId: row.operator_id, phone: row.driver_phone!, orderNo: row.order_no, version: row.version, amountFen: row.total_fen });
  const u = await q.query<OrderRow>(
    `UPDATE orders SET status = 'settled', settled_at = now(), charged_fen = $3, receivable_fen = $5, updated_at = now(),
       reviewed_by = COALESCE($4, reviewed_by), reviewed_at = CASE WHEN $4::text IS NULL THEN reviewed_at ELSE now() END
     WHERE operator_id = $1 AND order_no = $2 RETURNING *`,
    [row.operator_id, row.order_no, moved.chargedFen, reviewer ?? null, moved.receivableFen],
  );
  const settled = u.rows[0];
  await pushToPartner(d, q, settled);
  if (settled.driver_phone && !opts.silent)
    await notify(q, {
      operatorId: settled.operator_id,
      event: 'order_completed',
      to: { phone: settled.driver_phone },
      data: orderView(settled),
      dedupeKey: `order_completed:${settled.operator_id}:${settled.order_no}`,
    });
  after.push(['order.settled', { operatorId: settled.operator_id, orderNo: settled.order_no }]);
  return settled;
}

/** Holds an abnormal order with its reasons and tells the operator's staff. */
export async function holdForReview(_d: OrdersDeps, q: Queryable, row: OrderRow, reasons: AnomalyReason[], _after: After) {
  await q.query(`UPDATE orders SET status = 'held', abnormal = true, abnormal_reasons = $3, updated_at = now() WHERE operator_id = $1 AND order_no = $2`, [
    row.operator_id,
    row.order_no,
    JSON.stringify(reasons),
  ]);
  await notify(q, {
    operatorId: row.operator_id,
    event: 'abnormal_order_held',
    to: {},
    data: { ...orderView({ ...row, status: 'held', abnormal: true, abnormal_reasons: reasons }) },
    dedupeKey: `abnormal_order_held:${row.operator_id}:${row.order_no}:${row.version}`,
  });
}
