import type { Ctx } from '../../platform/context.ts';
import { formatYuan } from '../../platform/money.ts';
import { creditTopUp } from '../wallet/index.ts';
import type { PaymentState } from './provider.ts';
import { recordEvent } from './service.ts';
import type { LoadedMerchant } from './settings.ts';
import { alertStaff, notifyCredited } from './alerts.ts';
import { faultPoint } from '../../platform/faults.ts';

export type CreditOutcome =
  | { outcome: 'credited'; phone: string; amountFen: number }
  | { outcome: 'already_credited' }
  | { outcome: 'flagged'; reason: 'unknown_order' | 'amount_mismatch' | 'merchant_mismatch' | 'other_transaction'; message: string };

interface TopupRow {
  operator_id: string;
  out_trade_no: string;
  phone: string;
  amount_fen: number;
  status: string;
  mchid: string;
  transaction_id: string | null;
}

/**
 * Credits a top-up the provider reports paid, whoever learnt it first (callback, query job or the
 * trade bill). One transaction: the row lock serialises duplicates arriving in parallel, the
 * status check makes repeats no-ops, the unique key on (mchid, transaction_id) backs both up, and
 * the ledger credit (idempotent per outTradeNo) commits or rolls back with the status change.
 */
export async function applyPaid(
  ctx: Ctx,
  merchant: LoadedMerchant,
  paid: Pick<PaymentState, 'outTradeNo' | 'transactionId' | 'amountFen' | 'paidAt' | 'mchid' | 'appid'>,
  via: 'callback' | 'query' | 'reconciliation',
  inboxId: number | null = null,
): Promise<CreditOutcome> {
  const operatorId = merchant.operatorId;
  const out = await ctx.db.tx(async (q): Promise<CreditOutcome> => {
    const r = await q.query<TopupRow>(`SELECT * FROM topups WHERE operator_id = $1 AND out_trade_no = $2 FOR UPDATE`, [operatorId, paid.outTradeNo]);
    const t = r.rows[0];
    const flag = async (reason: Extract<CreditOutcome, { outcome: 'flagged' }>['reason'], message: string): Promise<CreditOutcome> => {
      if (t) await q.query(`UPDATE topups SET flag = $3, updated_at = now() WHERE operator_id = $1 AND out_trade_no = $2`, [operatorId, t.out_trade_no, message]);
      await recordEvent(q, { operatorId, outTradeNo: paid.outTradeNo, kind: via, inboxId, outcome: `flagged:${reason}`, detail: { message, paid } });
      return { outcome: 'flagged', reason, message };
    };
    if (!t) return flag('unknown_order', `out_trade_no ${paid.outTradeNo} is not a top-up of operator ${operatorId}`);
    if ((paid.mchid && paid.mchid !== merchant.mchid) || (paid.appid && paid.appid !== merchant.appid) || t.mchid !== merchant.mchid)
      return flag('merchant_mismatch', `paid to mchid ${paid.mchid}/appid ${paid.appid}, the operator's merchant is ${merchant.mchid}/${merchant.appid}`);
    if (paid.amountFen !== t.amount_fen)
      return flag('amount_mismatch', `WeChat Pay reports ${formatYuan(paid.amountFen ?? 0)} yuan paid for a top-up of ${formatYuan(t.amount_fen)} yuan; not credited`);
    if (t.status === 'credited') {
      if (t.transaction_id && paid.transactionId && t.transaction_id !== paid.transactionId)
        return flag('other_transaction', `a second transaction ${paid.transactionId} for a top-up already credited by ${t.transaction_id}`);
      await recordEvent(q, { operatorId, outTradeNo: t.out_trade_no, kind: via, inboxId, outcome: 'already_credited' });
      return { outcome: 'already_credited' };
    }
    // pending, or closed/failed by us while the payer was paying: the money arrived, so it is credited.
    await q.query(
      `UPDATE topups SET status = 'credited', transaction_id = $3, paid_at = $4, credited_at = now(), credited_via = $5, updated_at = now()
       WHERE operator_id = $1 AND out_trade_no = $2`,
      [operatorId, t.out_trade_no, paid.transactionId ?? null, paid.paidAt ?? ctx.clock.date(), via],
    );
    const remark =
      via === 'reconciliation'
        ? `WeChat Pay top-up ${t.out_trade_no} (${paid.transactionId}) found paid in the trade bill but never credited; credited by reconciliation`
        : `WeChat Pay top-up ${t.out_trade_no} (${paid.transactionId})${via === 'query' ? ', confirmed by order query' : ''}`;
    await creditTopUp(q, { operatorId, phone: t.phone, amountFen: t.amount_fen, outTradeNo: t.out_trade_no, remark });
    await recordEvent(q, { operatorId, outTradeNo: t.out_trade_no, kind: via, inboxId, outcome: 'credited', detail: { transactionId: paid.transactionId, amountFen: t.amount_fen } });
    faultPoint('payments:credit:before-commit');
    return { outcome: 'credited', phone: t.phone, amountFen: t.amount_fen };
  });
  if (out.outcome === 'credited') {
    ctx.log.info({ operatorId, outTradeNo: paid.outTradeNo, via }, 'top-up credited');
    await notifyCredited(ctx, operatorId, out.phone, out.amountFen, paid.outTradeNo);
    if (via === 'reconciliation') await alertStaff(ctx, operatorId, 'topup_credited_by_reconciliation', `top-up ${paid.outTradeNo} was paid but never credited; credited ${formatYuan(out.amountFen)} yuan from the trade bill`);
  } else if (out.outcome === 'flagged') {
    await alertStaff(ctx, operatorId, `topup_${out.reason}`, out.message);
  }
  return out;
}
