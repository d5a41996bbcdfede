/**
 * `chargeops verify-ledger` (issue 11, point 6): the wallet's proofs of its books, and every order's
 * ledger movements against its amount. A settled order paid from a wallet or an enterprise account
 * moved exactly its amount (charged + receivable = total = Σ of its ledger movements); any other
 * order moved nothing. Ledger transactions of an order number the orders table does not know (tests
 * of the wallet alone, a deleted history) are not compared.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { verifyBooks, orderMovements, type LedgerDifference } from '../wallet/index.ts';
import { chargesPayer } from './settle.ts';
import type { OrderRow } from './view.ts';

export async function verifyLedger(q: Queryable): Promise<LedgerDifference[]> {
  const out = await verifyBooks(q);
  const moved = await orderMovements(q);
  const orders = await q.query<OrderRow>(
    `SELECT operator_id, order_no, status, payment_method, driver_phone, total_fen, charged_fen, receivable_fen FROM orders ORDER BY id`,
  );
  for (const o of orders.rows) {
    const m = moved.get(`${o.operator_id}:${o.order_no}`) ?? 0;
    const expected = o.status === 'settled' && chargesPayer(o) ? Number(o.total_fen) : 0;
    const parts = Number(o.charged_fen) + Number(o.receivable_fen);
    if (m !== expected || (expected !== 0 && parts !== expected))
      out.push({
        check: 'order_amount',
        operatorId: o.operator_id,
        ref: o.order_no,
        message: `order ${o.order_no} (${o.status}, ${o.payment_method}): ledger movements ${m} fen, amount ${expected} fen, charged ${o.charged_fen} + receivable ${o.receivable_fen} fen`,
      });
  }
  return out;
}
