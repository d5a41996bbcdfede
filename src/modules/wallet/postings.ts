/**
 * What moves money, one function per cause. Every function runs inside the caller's transaction
 * and is idempotent through the ledger transaction's key; see docs/wallet.md for the entries.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { formatYuan } from '../../platform/money.ts';
import { settleAgainst } from './ledger-core.ts';
import { accountKey, getAccount, lockAccounts, post, type AccountRef } from './ledger.ts';
import { payerAccount, payerFor, receivableAccount, type Payer } from './payer.ts';
import { afterDebit, afterTopUp } from './notify-hook.ts';
import { recordAudit } from '../../platform/audit.ts';

const REVENUE: AccountRef = { kind: 'revenue' };

async function driverExists(q: Queryable, operatorId: string, phone: string) {
  const r = await q.query(`SELECT 1 FROM drivers WHERE operator_id = $1 AND phone = $2`, [operatorId, phone]);
  if (!r.rows[0]) throw notFound(`driver ${phone}`);
}

/** The payer an order was first charged to, so corrections move money on the same account. */
async function payerOfOrder(q: Queryable, operatorId: string, phone: string, orderNo: string): Promise<Payer> {
  const r = await q.query<{ meta: any }>(
    `SELECT meta FROM ledger_transactions WHERE operator_id = $1 AND cause IN ('order', 'correction') AND cause_ref = $2 ORDER BY id LIMIT 1`,
    [operatorId, orderNo],
  );
  const m = r.rows[0]?.meta;
  if (m?.method === 'enterprise') return { method: 'enterprise', phone, enterpriseId: m.enterpriseId, enterpriseName: m.enterpriseName ?? '', departmentId: m.departmentId };
  if (m?.method === 'wallet') return { method: 'wallet', phone };
  return payerFor(q, operatorId, phone);
}

async function chargedBy(q: Queryable, txId: number): Promise<number> {
  const r = await q.query<{ fen: number }>(
    `SELECT COALESCE(-SUM(e.amount_fen), 0)::bigint AS fen FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
     WHERE e.transaction_id = $1 AND a.kind IN ('wallet', 'enterprise')`,
    [txId],
  );
  return Number(r.rows[0]?.fen ?? 0);
}

/** Debits up to what the payer can cover; the rest is booked as a receivable with a remark saying so. */
async function debitForOrder(
  q: Queryable,
  input: { operatorId: string; phone: string; orderNo: string; version: number; amountFen: number; cause: 'order' | 'correction'; remark: string; payer: Payer },
): Promise<{ chargedFen: number; shortfallFen: number }> {
  const key = `order:${input.orderNo}:v${input.version}`;
  const prior = await q.query<{ id: number; meta: any }>(`SELECT id, meta FROM ledger_transactions WHERE operator_id = $1 AND idempotency_key = $2`, [input.operatorId, key]);
  if (prior.rows[0]) return { chargedFen: await chargedBy(q, prior.rows[0].id), shortfallFen: Number(prior.rows[0].meta?.shortfallFen ?? 0) };
  const locked = await lockAccounts(q, input.operatorId, [payerAccount(input.payer), receivableAccount(input.payer), REVENUE]);
  const acct = locked.get(accountKey(payerAccount(input.payer)))!;
  const s = settleAgainst(input.amountFen, acct.balanceFen, acct.floorFen);
  const entries = [{ account: REVENUE, amountFen: input.amountFen }];
  if (s.chargedFen) entries.push({ account: payerAccount(input.payer), amountFen: -s.chargedFen });
  if (s.shortfallFen) entries.push({ account: receivableAccount(input.payer), amountFen: -s.shortfallFen });
  const remark = s.shortfallFen
    ? `${input.remark}; balance short by ${formatYuan(s.shortfallFen)} yuan (late meter values after the remote stop), booked as receivable`
    : input.remark;
  const p = input.payer;
  await post(q, {
    operatorId: input.operatorId,
    cause: input.cause,
    causeRef: input.orderNo,
    idempotencyKey: key,
    remark,
    meta: {
      phone: input.phone,
      method: p.method,
      ...(p.method === 'enterprise' ? { enterpriseId: p.enterpriseId, enterpriseName: p.enterpriseName, departmentId: p.departmentId } : {}),
      version: input.version,
      amountFen: input.amountFen,
      chargedFen: s.chargedFen,
      shortfallFen: s.shortfallFen,
    },
    entries,
  });
  if (p.method === 'wallet' && s.chargedFen) await afterDebit(q, input.operatorId, input.phone, acct.balanceFen, acct.balanceFen - s.chargedFen);
  return s;
}

/** What an order moved: taken from the payer's account, and booked as owed (a receivable). */
export interface OrderMoved {
  chargedFen: number;
  receivableFen: number;
}

export async function chargeForOrder(
  q: Queryable,
  input: { operatorId: string; phone: string; orderNo: string; version: number; amountFen: number },
): Promise<OrderMoved> {
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < 0) throw new AppError(400, 'bad_amount', `an order amount is a non-negative integer of fen, got ${input.amountFen}`);
  if (input.amountFen === 0) return { chargedFen: 0, receivableFen: 0 };
  await driverExists(q, input.operatorId, input.phone);
  const payer = await payerOfOrder(q, input.operatorId, input.phone, input.orderNo);
  const s = await debitForOrder(q, { ...input, cause: 'order', remark: `charging order ${input.orderNo} v${input.version}`, payer });
  return { chargedFen: s.chargedFen, receivableFen: s.shortfallFen };
}

/**
 * Moves an order's bill by `deltaFen` (the caller computes it as new amount − what the order moved so
 * far, charged + receivable). Returns the signed change of each part. Money back cancels first what
 * THIS order still has booked as owed (as far as the payer still owes it), then credits the payer.
 */
export async function adjustForOrder(
  q: Queryable,
  input: { operatorId: string; phone: string; orderNo: string; version: number; deltaFen: number; remark: string; orderReceivableFen?: number },
): Promise<OrderMoved> {
  if (!Number.isSafeInteger(input.deltaFen)) throw new AppError(400, 'bad_amount', `a correction is an integer of fen, got ${input.deltaFen}`);
  if (input.deltaFen === 0) return { chargedFen: 0, receivableFen: 0 };
  await driverExists(q, input.operatorId, input.phone);
  const payer = await payerOfOrder(q, input.operatorId, input.phone, input.orderNo);
  const remark = `correction of order ${input.orderNo} to v${input.version}: ${input.remark || 'no reason given'}`;
  if (input.deltaFen > 0) {
    const s = await debitForOrder(q, { ...input, amountFen: input.deltaFen, cause: 'correction', remark, payer });
    return { chargedFen: s.chargedFen, receivableFen: s.shortfallFen };
  }
  const key = `order:${input.orderNo}:v${input.version}`;
  const prior = await q.query<{ meta: any }>(`SELECT meta FROM ledger_transactions WHERE operator_id = $1 AND idempotency_key = $2`, [input.operatorId, key]);
  if (prior.rows[0]) {
    const c = Number(prior.rows[0].meta?.receivableCancelledFen ?? 0);
    return { chargedFen: input.deltaFen + c, receivableFen: -c };
  }
  // Money back: first cancel what the payer still owes for this order (a shortfall), then credit the rest.
  const back = -input.deltaFen;
  const locked = await lockAccounts(q, input.operatorId, [payerAccount(payer), receivableAccount(payer), REVENUE]);
  const recv = locked.get(accountKey(receivableAccount(payer)))!;
  const cancel = Math.min(back, Math.max(0, -recv.balanceFen), Math.max(0, input.orderReceivableFen ?? Number.MAX_SAFE_INTEGER));
  const entries = [{ account: REVENUE, amountFen: -back }];
  if (cancel) entries.push({ account: receivableAccount(payer), amountFen: cancel });
  if (back - cancel) entries.push({ account: payerAccount(payer), amountFen: back - cancel });
  await post(q, {
    operatorId: input.operatorId,
    cause: 'correction',
    causeRef: input.orderNo,
    idempotencyKey: `order:${input.orderNo}:v${input.version}`,
    remark,
    meta: {
      phone: input.phone,
      method: payer.method,
      ...(payer.method === 'enterprise' ? { enterpriseId: payer.enterpriseId, enterpriseName: payer.enterpriseName, departmentId: payer.departmentId } : {}),
      version: input.version,
      amountFen: input.deltaFen,
      receivableCancelledFen: cancel,
    },
    entries,
  });
  return { chargedFen: -(back - cancel), receivableFen: -cancel };
}

export async function creditTopUp(
  q: Queryable,
  input: { operatorId: string; phone: string; amountFen: number; outTradeNo: string; remark: string; provider?: string },
): Promise<{ credited: boolean }> {
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) throw new AppError(400, 'bad_amount', `a top-up is a positive integer of fen, got ${input.amountFen}`);
  await driverExists(q, input.operatorId, input.phone);
  const r = await post(q, {
    operatorId: input.operatorId,
    cause: 'topup',
    causeRef: input.outTradeNo,
    idempotencyKey: `topup:${input.outTradeNo}`,
    remark: input.remark || `top-up ${input.outTradeNo}`,
    meta: { phone: input.phone, provider: input.provider ?? 'wechatpay', amountFen: input.amountFen },
    entries: [
      { account: { kind: 'wallet', ref: input.phone }, amountFen: input.amountFen },
      { account: { kind: 'clearing', ref: input.provider ?? 'wechatpay' }, amountFen: -input.amountFen },
    ],
  });
  if (r.posted) {
    // What the driver owes from an earlier shortfall is taken from the fresh money first.
    await collectOwed(q, input.operatorId, input.phone, { key: `collect:topup:${input.outTradeNo}`, remark: `owed amount collected from top-up ${input.outTradeNo}` });
    await afterTopUp(q, input.operatorId, input.phone, input.amountFen, input.outTradeNo);
  }
  return { credited: r.posted };
}

/** Throws 409 insufficient_balance when the wallet holds less than the refund. */
export async function debitRefund(
  q: Queryable,
  input: { operatorId: string; phone: string; amountFen: number; refundId: string; remark: string; provider?: string },
): Promise<void> {
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) throw new AppError(400, 'bad_amount', `a refund is a positive integer of fen, got ${input.amountFen}`);
  await driverExists(q, input.operatorId, input.phone);
  await post(q, {
    operatorId: input.operatorId,
    cause: 'refund',
    causeRef: input.refundId,
    idempotencyKey: `refund:${input.refundId}`,
    remark: input.remark || `refund ${input.refundId}`,
    meta: { phone: input.phone, provider: input.provider ?? 'wechatpay', amountFen: input.amountFen },
    entries: [
      { account: { kind: 'wallet', ref: input.phone }, amountFen: -input.amountFen },
      { account: { kind: 'refunds', ref: input.provider ?? 'wechatpay' }, amountFen: input.amountFen },
    ],
  });
}

export async function walletBalanceFen(q: Queryable, operatorId: string, phone: string): Promise<number> {
  return (await getAccount(q, operatorId, { kind: 'wallet', ref: phone }))?.balanceFen ?? 0;
}

/** Provisioning's opening balance: booked once per driver, whatever the number of provisioning runs. */
export async function bookOpeningBalance(q: Queryable, operatorId: string, phone: string, amountFen: number): Promise<boolean> {
  if (amountFen <= 0) return false;
  const r = await post(q, {
    operatorId,
    cause: 'opening',
    causeRef: phone,
    idempotencyKey: `opening:${phone}`,
    remark: 'opening balance from provisioning',
    meta: { phone, amountFen },
    entries: [
      { account: { kind: 'wallet', ref: phone }, amountFen },
      { account: { kind: 'opening' }, amountFen: -amountFen },
    ],
  });
  return r.posted;
}

/** Staff credit or debit with a mandatory remark (role checked by the route); idempotent per key when given. */
export async function manualAdjust(
  q: Queryable,
  input: { operatorId: string; account: AccountRef; phone?: string; amountFen: number; direction: 'credit' | 'debit'; remark: string; actor: string; idempotencyKey?: string },
): Promise<{ posted: boolean; transactionId: number; balanceFen: number }> {
  if (!input.remark?.trim()) throw new AppError(400, 'remark_required', 'a manual credit or debit needs a remark');
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) throw new AppError(400, 'bad_amount', 'the amount is positive');
  const signed = input.direction === 'credit' ? input.amountFen : -input.amountFen;
  const key = `manual:${input.idempotencyKey ?? randomUUID()}`;
  const before = (await lockAccounts(q, input.operatorId, [input.account, { kind: 'adjustments' }])).get(accountKey(input.account))!;
  const r = await post(q, {
    operatorId: input.operatorId,
    cause: 'manual',
    causeRef: `${input.account.kind}:${input.account.ref ?? ''}`,
    idempotencyKey: key,
    remark: input.remark,
    actor: input.actor,
    meta: { phone: input.phone, direction: input.direction, amountFen: signed },
    entries: [
      { account: input.account, amountFen: signed },
      { account: { kind: 'adjustments' }, amountFen: -signed },
    ],
  });
  const after = (await getAccount(q, input.operatorId, input.account))!.balanceFen;
  if (r.posted) {
    await recordAudit(q, {
      operatorId: input.operatorId,
      actor: input.actor,
      action: `wallet.manual_${input.direction}`,
      entity: input.account.kind,
      entityId: input.account.ref ?? '',
      reason: input.remark,
      before: { balanceFen: before.balanceFen },
      after: { balanceFen: after, transactionId: r.transactionId },
    });
    if (input.account.kind === 'wallet' && signed < 0) await afterDebit(q, input.operatorId, input.account.ref!, before.balanceFen, after);
  }
  return { ...r, balanceFen: after };
}

/** Moves what the driver owes (receivable) out of the wallet, as far as the balance goes. */
export async function collectOwed(q: Queryable, operatorId: string, phone: string, o: { key: string; remark: string; actor?: string }): Promise<{ collectedFen: number }> {
  const recv = await getAccount(q, operatorId, { kind: 'receivable', ref: phone });
  if (!recv || recv.balanceFen >= 0) return { collectedFen: 0 };
  const locked = await lockAccounts(q, operatorId, [{ kind: 'wallet', ref: phone }, { kind: 'receivable', ref: phone }]);
  const wallet = locked.get(`wallet:${phone}`)!;
  const owed = -locked.get(`receivable:${phone}`)!.balanceFen;
  const fen = Math.min(owed, Math.max(0, wallet.balanceFen));
  if (fen <= 0) return { collectedFen: 0 };
  const r = await post(q, {
    operatorId,
    cause: 'collection',
    causeRef: phone,
    idempotencyKey: o.key,
    remark: o.remark,
    actor: o.actor ?? null,
    meta: { phone, amountFen: fen, owedBeforeFen: owed },
    entries: [
      { account: { kind: 'wallet', ref: phone }, amountFen: -fen },
      { account: { kind: 'receivable', ref: phone }, amountFen: fen },
    ],
  });
  return { collectedFen: r.posted ? fen : 0 };
}
