/**
 * The ledger's own proofs, over every operator (the `chargeops verify-ledger` command and the money
 * test suites): every transaction has two entries at least and sums to zero, every cached balance
 * equals the sum of its entries, no balance is below its floor. What orders moved is given per order
 * for the orders module to compare with its amounts.
 */
import type { Queryable } from '../../platform/db/index.ts';

export interface LedgerDifference {
  check: 'transaction_sum' | 'account_balance' | 'account_floor' | 'order_amount';
  operatorId: string;
  /** transaction id, `kind:ref` of an account, or an order number */
  ref: string;
  message: string;
}

export async function verifyBooks(q: Queryable): Promise<LedgerDifference[]> {
  const out: LedgerDifference[] = [];
  const tx = await q.query<{ operator_id: string; id: number; sum_fen: number; n: number }>(
    `SELECT t.operator_id, t.id, COALESCE(SUM(e.amount_fen), 0)::bigint AS sum_fen, COUNT(e.id)::int AS n
     FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
     GROUP BY t.id HAVING COUNT(e.id) < 2 OR COALESCE(SUM(e.amount_fen), 0) <> 0 ORDER BY t.id`,
  );
  for (const t of tx.rows)
    out.push({ check: 'transaction_sum', operatorId: t.operator_id, ref: String(t.id), message: `transaction ${t.id}: ${t.n} entries summing to ${t.sum_fen} fen (must be ≥ 2 entries summing to 0)` });
  const acc = await q.query<{ operator_id: string; kind: string; ref: string; balance_fen: number; floor_fen: number | null; entries_fen: number }>(
    `SELECT a.operator_id, a.kind, a.ref, a.balance_fen, a.floor_fen, COALESCE(SUM(e.amount_fen), 0)::bigint AS entries_fen
     FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id GROUP BY a.id ORDER BY a.id`,
  );
  for (const a of acc.rows) {
    const ref = `${a.kind}:${a.ref}`;
    if (Number(a.balance_fen) !== Number(a.entries_fen))
      out.push({ check: 'account_balance', operatorId: a.operator_id, ref, message: `account ${ref}: balance ${a.balance_fen} fen, its entries sum to ${a.entries_fen} fen` });
    if (a.floor_fen !== null && Number(a.entries_fen) < Number(a.floor_fen))
      out.push({ check: 'account_floor', operatorId: a.operator_id, ref, message: `account ${ref}: balance ${a.entries_fen} fen is below its floor ${a.floor_fen} fen` });
  }
  return out;
}

/**
 * What each order's own ledger transactions (causes `order` and `correction`) moved on its payer's
 * accounts: taken from the wallet or enterprise account plus booked as owed. Keyed `operator:orderNo`.
 */
export async function orderMovements(q: Queryable): Promise<Map<string, number>> {
  const r = await q.query<{ operator_id: string; order_no: string; fen: number }>(
    `SELECT t.operator_id, t.cause_ref AS order_no, -SUM(e.amount_fen)::bigint AS fen
     FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id JOIN ledger_accounts a ON a.id = e.account_id
     WHERE t.cause IN ('order', 'correction') AND a.kind IN ('wallet', 'enterprise', 'receivable')
     GROUP BY t.operator_id, t.cause_ref`,
  );
  return new Map(r.rows.map((x) => [`${x.operator_id}:${x.order_no}`, Number(x.fen)]));
}
