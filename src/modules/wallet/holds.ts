/**
 * Balance holds (issue 11, point 5; docs/wallet.md). A start reserves part of what its payer can
 * spend, so two sessions started at once on one wallet (or one enterprise account) cannot each spend
 * the whole balance; a refund under way reserves its amount. Holds are not ledger entries: nothing
 * has moved yet. Placing one locks the payer's account row first (the same lock every posting takes),
 * so two starts at once see each other's hold.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors.ts';
import { formatYuan } from '../../platform/money.ts';
import { getAccount, lockAccounts, type AccountRef } from './ledger.ts';
import { payerAccount, payerFor, receivableAccount, type Payer } from './payer.ts';
import { walletSettings } from './settings.ts';

export type HoldCause = 'session' | 'refund';

export interface Hold {
  cause: HoldCause;
  causeRef: string;
  amountFen: number;
  createdAt: Date;
}

/** The sum held on an account (0 when none). */
export async function heldFen(q: Queryable, operatorId: string, a: AccountRef): Promise<number> {
  const r = await q.query<{ fen: string }>(
    `SELECT COALESCE(SUM(amount_fen), 0)::bigint AS fen FROM wallet_holds WHERE operator_id = $1 AND account_kind = $2 AND account_ref = $3 AND status = 'held'`,
    [operatorId, a.kind, a.ref ?? ''],
  );
  return Number(r.rows[0]?.fen ?? 0);
}

export async function listHolds(q: Queryable, operatorId: string, a: AccountRef): Promise<Hold[]> {
  const r = await q.query(
    `SELECT cause, cause_ref, amount_fen, created_at FROM wallet_holds WHERE operator_id = $1 AND account_kind = $2 AND account_ref = $3 AND status = 'held' ORDER BY id`,
    [operatorId, a.kind, a.ref ?? ''],
  );
  return r.rows.map((h: any) => ({ cause: h.cause, causeRef: h.cause_ref, amountFen: Number(h.amount_fen), createdAt: h.created_at }));
}

/** What a payer can spend now: balance above its floor, less what is owed, less every hold (may be negative). */
export async function availableFen(q: Queryable, operatorId: string, payer: Payer): Promise<number> {
  const a = await getAccount(q, operatorId, payerAccount(payer));
  const r = await getAccount(q, operatorId, receivableAccount(payer));
  const above = (a?.balanceFen ?? 0) - (a?.floorFen ?? 0);
  return above - Math.max(0, -(r?.balanceFen ?? 0)) - (await heldFen(q, operatorId, payerAccount(payer)));
}

/** The hold a cause has (held or released), if any. */
export async function holdOf(q: Queryable, operatorId: string, cause: HoldCause, causeRef: string): Promise<{ amountFen: number; held: boolean } | null> {
  const r = await q.query(`SELECT amount_fen, status FROM wallet_holds WHERE operator_id = $1 AND cause = $2 AND cause_ref = $3`, [operatorId, cause, causeRef]);
  return r.rows[0] ? { amountFen: Number(r.rows[0].amount_fen), held: r.rows[0].status === 'held' } : null;
}

/**
 * Reserves up to `wantFen` (never more than is available, never below 0) for a cause, once: a
 * second call for the same cause returns the first hold. Run it in the caller's transaction.
 */
export async function placeHold(q: Queryable, operatorId: string, payer: Payer, cause: HoldCause, causeRef: string, wantFen: number, at: Date): Promise<number> {
  const acct = payerAccount(payer);
  // the account's row lock serialises holds and postings on one payer
  await lockAccounts(q, operatorId, [acct]);
  const prior = await holdOf(q, operatorId, cause, causeRef);
  if (prior) return prior.amountFen;
  const amount = Math.max(0, Math.min(wantFen, await availableFen(q, operatorId, payer)));
  await q.query(
    `INSERT INTO wallet_holds (operator_id, account_kind, account_ref, cause, cause_ref, amount_fen, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (operator_id, cause, cause_ref) DO NOTHING`,
    [operatorId, acct.kind, acct.ref ?? '', cause, causeRef, amount, at],
  );
  return amount;
}

/** Releases a cause's hold; true only for the call that released it (a second release does nothing). */
export async function releaseHold(q: Queryable, operatorId: string, cause: HoldCause, causeRef: string, reason: string, at: Date): Promise<boolean> {
  const r = await q.query(
    `UPDATE wallet_holds SET status = 'released', released_at = $4, release_reason = $5 WHERE operator_id = $1 AND cause = $2 AND cause_ref = $3 AND status = 'held' RETURNING id`,
    [operatorId, cause, causeRef, at, reason],
  );
  return r.rows.length > 0;
}

/**
 * The hold of a session a driver pays for from a balance, placed with its accepted start (in the
 * start's transaction): the operator's startHold setting, or what is available if less.
 */
export async function holdForSession(q: Queryable, operatorId: string, sessionId: number, phone: string, at: Date): Promise<number> {
  const payer = await payerFor(q, operatorId, phone);
  const want = (await walletSettings(q, operatorId)).startHoldFen;
  return placeHold(q, operatorId, payer, 'session', String(sessionId), want, at);
}

/** At settlement (the session.settle job of a finished session): idempotent, a second settle releases nothing. */
export const releaseSessionHold = (q: Queryable, operatorId: string, sessionId: number, at: Date) => releaseHold(q, operatorId, 'session', String(sessionId), 'settled', at);

/**
 * A refund request holds its full amount on the driver's wallet from the request until the wallet is
 * debited (the hold turns into the debit, same transaction) or the refund fails: a session cannot
 * spend what is being refunded, and a refund cannot take what a running session holds. 409 when
 * less is available.
 */
export async function holdForRefund(q: Queryable, operatorId: string, phone: string, refundId: string, amountFen: number, at: Date): Promise<void> {
  const payer: Payer = { method: 'wallet', phone };
  await lockAccounts(q, operatorId, [payerAccount(payer)]);
  if (await holdOf(q, operatorId, 'refund', refundId)) return;
  const avail = await availableFen(q, operatorId, payer);
  if (amountFen > avail)
    throw new AppError(409, 'insufficient_balance', `the wallet of ${phone} has ${formatYuan(Math.max(0, avail))} yuan available (balance less holds and what is owed); cannot refund ${formatYuan(amountFen)}`, {
      availableFen: avail,
    });
  await placeHold(q, operatorId, payer, 'refund', refundId, amountFen, at);
}

/** When the refund's debit is booked, or the refund failed or was closed without one. */
export const releaseRefundHold = (q: Queryable, operatorId: string, refundId: string, reason: 'debited' | 'failed' | 'closed', at: Date) =>
  releaseHold(q, operatorId, 'refund', refundId, reason, at);
