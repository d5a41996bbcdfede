/**
 * Posting to the ledger inside the caller's transaction. Accounts are locked (row locks, in id
 * order so two postings never deadlock) before the rules in ledger-core.ts are checked against the
 * locked balances; the cached balance is updated in the same transaction as the entries.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors.ts';
import { formatYuan } from '../../platform/money.ts';
import { checkPosting, type AccountState } from './ledger-core.ts';

export type AccountKind = 'wallet' | 'enterprise' | 'clearing' | 'revenue' | 'refunds' | 'adjustments' | 'opening' | 'receivable';
export type Cause = 'order' | 'topup' | 'refund' | 'correction' | 'manual' | 'opening' | 'collection';

export interface AccountRef {
  kind: AccountKind;
  ref?: string;
}

export interface AccountRow {
  id: number;
  kind: AccountKind;
  ref: string;
  balanceFen: number;
  floorFen: number | null;
}

const defaultFloor = (kind: AccountKind): number | null => (kind === 'wallet' || kind === 'enterprise' ? 0 : null);

const toRow = (r: any): AccountRow => ({ id: r.id, kind: r.kind, ref: r.ref, balanceFen: r.balance_fen, floorFen: r.floor_fen });

/** Creates the account if missing (wallets and enterprises start with floor 0). */
export async function ensureAccount(q: Queryable, operatorId: string, a: AccountRef): Promise<void> {
  await q.query(
    `INSERT INTO ledger_accounts (operator_id, kind, ref, floor_fen) VALUES ($1, $2, $3, $4) ON CONFLICT (operator_id, kind, ref) DO NOTHING`,
    [operatorId, a.kind, a.ref ?? '', defaultFloor(a.kind)],
  );
}

export async function getAccount(q: Queryable, operatorId: string, a: AccountRef, opts: { lock?: boolean } = {}): Promise<AccountRow | null> {
  const r = await q.query(
    `SELECT id, kind, ref, balance_fen, floor_fen FROM ledger_accounts WHERE operator_id = $1 AND kind = $2 AND ref = $3${opts.lock ? ' FOR UPDATE' : ''}`,
    [operatorId, a.kind, a.ref ?? ''],
  );
  return r.rows[0] ? toRow(r.rows[0]) : null;
}

/**
 * Locks every account a posting will touch (creating missing ones first) in ONE statement, in account
 * id order, and returns them by accountKey. Every money function locks all its accounts through here
 * before it reads a balance, never one by one: two transactions touching the same accounts then wait
 * for each other in the same order and cannot deadlock (issue 11, point 6; post() locks again, which
 * is a no-op for rows already held).
 */
export async function lockAccounts(q: Queryable, operatorId: string, refs: AccountRef[]): Promise<Map<string, AccountRow>> {
  const keys = [...new Map(refs.map((a) => [accountKey(a), a])).values()];
  await q.query(
    `INSERT INTO ledger_accounts (operator_id, kind, ref, floor_fen) SELECT $1, k, r, f FROM unnest($2::text[], $3::text[], $4::bigint[]) AS t(k, r, f)
     ON CONFLICT (operator_id, kind, ref) DO NOTHING`,
    [operatorId, keys.map((a) => a.kind), keys.map((a) => a.ref ?? ''), keys.map((a) => defaultFloor(a.kind))],
  );
  const locked = await q.query(
    `SELECT id, kind, ref, balance_fen, floor_fen FROM ledger_accounts
     WHERE operator_id = $1 AND (kind || ':' || ref) = ANY($2::text[]) ORDER BY id FOR UPDATE`,
    [operatorId, keys.map(accountKey)],
  );
  return new Map(locked.rows.map((r: any) => [`${r.kind}:${r.ref}`, toRow(r)]));
}

/** Locks one account row (creating it first); only for a transaction that touches no other account before posting. */
export async function lockAccount(q: Queryable, operatorId: string, a: AccountRef): Promise<AccountRow> {
  return (await lockAccounts(q, operatorId, [a])).get(accountKey(a))!;
}

/**
 * Enterprise credit limits: the floor is -limit. The database refuses a balance below its floor
 * (CHECK, migration 0230), so a limit lower than what the enterprise already uses is refused here
 * with a message instead (409): it can be lowered once the enterprise has paid.
 */
export async function setAccountFloor(q: Queryable, operatorId: string, a: AccountRef, floorFen: number | null): Promise<void> {
  const acct = await lockAccount(q, operatorId, a);
  if (floorFen !== null && acct.balanceFen < floorFen)
    throw new AppError(409, 'limit_below_used', `${a.kind} ${a.ref ?? ''} has used ${formatYuan(-acct.balanceFen)} yuan: the limit cannot be set below that until it is paid`, {
      balanceFen: acct.balanceFen,
      floorFen,
    });
  await q.query(`UPDATE ledger_accounts SET floor_fen = $4, updated_at = now() WHERE operator_id = $1 AND kind = $2 AND ref = $3`, [
    operatorId,
    a.kind,
    a.ref ?? '',
    floorFen,
  ]);
}

export interface PostingInput {
  operatorId: string;
  cause: Cause;
  causeRef: string;
  idempotencyKey: string;
  remark: string;
  actor?: string | null;
  meta?: Record<string, unknown>;
  entries: { account: AccountRef; amountFen: number }[];
}

export const accountKey = (a: AccountRef) => `${a.kind}:${a.ref ?? ''}`;

/**
 * Posts one balanced transaction once per idempotency key. Returns posted=false (and the earlier
 * transaction's id) when the key was already used. Throws 409 insufficient_balance when a debit
 * would take an account below its floor, 400 on an unbalanced posting; the caller's transaction
 * then rolls back as a whole.
 */
export async function post(q: Queryable, p: PostingInput): Promise<{ posted: boolean; transactionId: number }> {
  if (!p.remark?.trim()) throw new AppError(400, 'remark_required', 'every ledger transaction carries a remark');
  const prior = await q.query<{ id: number }>(`SELECT id FROM ledger_transactions WHERE operator_id = $1 AND idempotency_key = $2`, [p.operatorId, p.idempotencyKey]);
  if (prior.rows[0]) return { posted: false, transactionId: prior.rows[0].id };

  // create missing accounts and lock them all in one statement (id order: no deadlocks)
  const rows = await lockAccounts(q, p.operatorId, p.entries.map((e) => e.account));
  const states = new Map<string, AccountState>([...rows].map(([k, r]) => [k, { balanceFen: r.balanceFen, floorFen: r.floorFen }]));
  const check = checkPosting(p.entries.map((e) => ({ account: accountKey(e.account), amountFen: e.amountFen })), states);
  if (!check.ok) {
    if (check.code === 'below_floor') {
      const a = rows.get(check.account!)!;
      throw new AppError(409, 'insufficient_balance', `not enough balance on ${a.kind} ${a.ref}: ${check.message}`, { account: a.kind, ref: a.ref, balanceFen: a.balanceFen });
    }
    throw new AppError(400, check.code, check.message);
  }
  // A concurrent poster with the same key waits on the unique index, then finds it taken.
  const tx = await q.query<{ id: number }>(
    `INSERT INTO ledger_transactions (operator_id, cause, cause_ref, idempotency_key, remark, actor, meta) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (operator_id, idempotency_key) DO NOTHING RETURNING id`,
    [p.operatorId, p.cause, p.causeRef, p.idempotencyKey, p.remark.trim(), p.actor ?? null, JSON.stringify(p.meta ?? {})],
  );
  if (!tx.rows[0]) {
    const again = await q.query<{ id: number }>(`SELECT id FROM ledger_transactions WHERE operator_id = $1 AND idempotency_key = $2`, [p.operatorId, p.idempotencyKey]);
    return { posted: false, transactionId: again.rows[0].id };
  }
  const txId = tx.rows[0].id;
  const running = new Map([...states].map(([k, st]) => [k, st.balanceFen]));
  const ids: number[] = [];
  const amounts: number[] = [];
  const afters: number[] = [];
  for (const e of p.entries) {
    const k = accountKey(e.account);
    const after = running.get(k)! + e.amountFen;
    running.set(k, after);
    ids.push(rows.get(k)!.id);
    amounts.push(e.amountFen);
    afters.push(after);
  }
  await q.query(
    `INSERT INTO ledger_entries (operator_id, transaction_id, account_id, amount_fen, balance_after_fen)
     SELECT $1, $2, a, m, b FROM unnest($3::bigint[], $4::bigint[], $5::bigint[]) WITH ORDINALITY AS t(a, m, b, n) ORDER BY n`,
    [p.operatorId, txId, ids, amounts, afters],
  );
  const touched = [...check.after];
  await q.query(
    `UPDATE ledger_accounts a SET balance_fen = t.b, updated_at = now() FROM unnest($1::bigint[], $2::bigint[]) AS t(id, b) WHERE a.id = t.id`,
    [touched.map(([k]) => rows.get(k)!.id), touched.map(([, b]) => b)],
  );
  return { posted: true, transactionId: txId };
}

/** Recomputes every cached balance from the entries; lists the accounts whose cache disagrees. */
export async function checkBalances(q: Queryable, operatorId: string) {
  const r = await q.query(
    `SELECT a.id, a.kind, a.ref, a.balance_fen, COALESCE(SUM(e.amount_fen), 0)::bigint AS entries_fen, COUNT(e.id)::int AS entries
     FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
     WHERE a.operator_id = $1 GROUP BY a.id ORDER BY a.id`,
    [operatorId],
  );
  const unbalanced = await q.query(
    `SELECT t.id, SUM(e.amount_fen)::bigint AS sum_fen, COUNT(e.id)::int AS n FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
     WHERE t.operator_id = $1 GROUP BY t.id HAVING COUNT(e.id) < 2 OR SUM(e.amount_fen) <> 0`,
    [operatorId],
  );
  const mismatches = r.rows
    .filter((a: any) => Number(a.balance_fen) !== Number(a.entries_fen))
    .map((a: any) => ({ account: a.kind, ref: a.ref, cachedFen: Number(a.balance_fen), entriesFen: Number(a.entries_fen) }));
  const total = r.rows.reduce((s: number, a: any) => s + Number(a.entries_fen), 0);
  return {
    accounts: r.rows.length,
    mismatches,
    unbalancedTransactions: unbalanced.rows.map((t: any) => ({ transactionId: t.id, sumFen: Number(t.sum_fen), entries: t.n })),
    ledgerSumFen: total,
    ok: mismatches.length === 0 && unbalanced.rows.length === 0 && total === 0,
  };
}
