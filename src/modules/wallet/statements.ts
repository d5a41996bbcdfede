import type { Queryable } from '../../platform/db/index.ts';

/** Charges (orders and their corrections) paid by an enterprise in [from, to), one row per ledger transaction. */
export async function enterpriseCharges(q: Queryable, operatorId: string, enterpriseId: string, from: Date, to: Date) {
  const r = await q.query(
    `SELECT id, cause, cause_ref, meta, created_at FROM ledger_transactions
     WHERE operator_id = $1 AND cause IN ('order', 'correction') AND meta->>'enterpriseId' = $2 AND created_at >= $3 AND created_at < $4 ORDER BY id`,
    [operatorId, enterpriseId, from, to],
  );
  return r.rows.map((t: any) => ({
    transactionId: t.id,
    cause: t.cause as 'order' | 'correction',
    orderNo: t.cause_ref as string,
    phone: t.meta.phone as string,
    departmentId: Number(t.meta.departmentId),
    amountFen: Number(t.meta.amountFen),
    at: t.created_at as Date,
  }));
}
