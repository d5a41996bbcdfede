import type { Queryable } from '../../platform/db/index.ts';
import { formatYuan } from '../../platform/money.ts';

/**
 * The ledger transactions with these causes (an order number, a top-up's out_trade_no, ...) and
 * every entry of each, oldest first: the money trail of one session for support.
 */
export async function ledgerForCauses(q: Queryable, operatorId: string, refs: string[], limit = 100) {
  if (!refs.length) return [];
  const tx = await q.query(
    `SELECT id, cause, cause_ref, remark, actor, created_at FROM ledger_transactions WHERE operator_id = $1 AND cause_ref = ANY($2::text[]) ORDER BY id LIMIT $3`,
    [operatorId, refs, limit],
  );
  if (!tx.rows.length) return [];
  const en = await q.query(
    `SELECT e.transaction_id, e.amount_fen, e.balance_after_fen, a.kind, a.ref FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
     WHERE e.transaction_id = ANY($1::bigint[]) ORDER BY e.id`,
    [tx.rows.map((t: any) => t.id)],
  );
  return tx.rows.map((t: any) => ({
    transactionId: Number(t.id),
    cause: t.cause as string,
    causeRef: t.cause_ref as string,
    remark: t.remark as string,
    actor: t.actor as string | null,
    at: (t.created_at as Date).toISOString(),
    entries: en.rows
      .filter((e: any) => Number(e.transaction_id) === Number(t.id))
      .map((e: any) => ({ account: e.kind as string, ref: e.ref as string, amount: formatYuan(Number(e.amount_fen)), balanceAfter: formatYuan(Number(e.balance_after_fen)) })),
  }));
}

/** Drivers whose phone has this length and starts and ends with these digits (a masked phone `135****8000` read back), at most `limit`. */
export async function driverPhonesMatching(q: Queryable, operatorId: string, prefix: string, suffix: string, length: number, limit = 5): Promise<string[]> {
  const esc = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
  const r = await q.query<{ phone: string }>(
    `SELECT phone FROM drivers WHERE operator_id = $1 AND phone LIKE $2 AND phone LIKE $3 AND length(phone) = $4 ORDER BY phone LIMIT $5`,
    [operatorId, `${esc(prefix)}%`, `%${esc(suffix)}`, length, limit],
  );
  return r.rows.map((x) => x.phone);
}
