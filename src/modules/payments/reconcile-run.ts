import { Cron } from 'croner';
import type { Ctx } from '../../platform/context.ts';
import { formatYuan } from '../../platform/money.ts';
import { RetryLater, type OutboxRow } from '../../platform/outbox.ts';
import { alertStaff } from './alerts.ts';
import { applyPaid } from './credit.ts';
import { ProviderError } from './provider.ts';
import { matchTradeBill, needsAttention, type MatchItem, type RefundForMatch, type TopupForMatch } from './reconcile.ts';
import { providerFor, recordEvent, TOPIC_RECONCILE } from './service.ts';
import { listMerchantOperators } from './settings.ts';
import { dayBounds, formatDate, previousDay } from './wechatpay/time.ts';

/**
 * Downloads one day's trade bill and matches it. Paid-but-not-credited rows are credited (and staff
 * alerted); everything else that does not match is flagged on the top-up and kept in the report.
 */
export async function runReconciliation(ctx: Ctx, operatorId: string, date: string) {
  const { merchant, provider } = await providerFor(ctx, operatorId);
  const bill = await provider.tradeBill(date);
  const [from, to] = dayBounds(date, merchant.timezone);
  const payRows = bill.rows.filter((r) => r.tradeState !== 'REFUND' && !r.outRefundNo);
  const t = await ctx.db.query<{ out_trade_no: string; amount_fen: number; status: string; transaction_id: string | null; paid_at: Date | null }>(
    `SELECT out_trade_no, amount_fen, status, transaction_id, paid_at FROM topups
     WHERE operator_id = $1 AND (out_trade_no = ANY($2::text[]) OR (status = 'credited' AND paid_at >= $3 AND paid_at < $4))`,
    [operatorId, payRows.map((r) => r.outTradeNo), from, to],
  );
  const topups: TopupForMatch[] = t.rows.map((r) => ({
    outTradeNo: r.out_trade_no,
    amountFen: r.amount_fen,
    status: r.status,
    transactionId: r.transaction_id,
    paidInDay: !!r.paid_at && r.paid_at >= from && r.paid_at < to,
  }));
  const rf = await ctx.db.query<{ out_refund_no: string; out_trade_no: string; amount_fen: number; status: string; debited: boolean; created_at: Date }>(
    `SELECT out_refund_no, out_trade_no, amount_fen, status, debited, created_at FROM refunds
     WHERE operator_id = $1 AND (out_refund_no = ANY($2::text[]) OR (created_at >= $3 AND created_at < $4))`,
    [operatorId, bill.rows.filter((r) => r.outRefundNo).map((r) => r.outRefundNo), from, to],
  );
  const refunds: RefundForMatch[] = rf.rows.map((r) => ({ outRefundNo: r.out_refund_no, outTradeNo: r.out_trade_no, amountFen: r.amount_fen, status: r.status, debited: r.debited, inDay: r.created_at >= from && r.created_at < to }));
  const { items, totals } = matchTradeBill(bill.rows, topups, refunds);
  const actions: (MatchItem & { action: string })[] = [];
  for (const i of items) {
    if (i.kind === 'paid_not_credited') {
      const row = payRows.find((r) => r.outTradeNo === i.outTradeNo)!;
      const paidAt = new Date(row.tradeTime.replace(' ', 'T') + formatDate(ctx.clock.date(), merchant.timezone).slice(19));
      const r = await applyPaid(ctx, merchant, { outTradeNo: row.outTradeNo, transactionId: row.transactionId, amountFen: row.orderFen, mchid: row.mchid, appid: row.appid, paidAt }, 'reconciliation');
      actions.push({ ...i, action: r.outcome });
    } else if (needsAttention(i.kind)) {
      if (i.kind === 'amount_mismatch' || i.kind === 'credited_not_in_bill')
        await ctx.db.query(`UPDATE topups SET flag = $3, updated_at = now() WHERE operator_id = $1 AND out_trade_no = $2`, [operatorId, i.outTradeNo, `reconciliation ${date}: ${i.kind}: ${i.message}`]);
      await recordEvent(ctx.db, { operatorId, outTradeNo: i.outTradeNo, outRefundNo: i.outRefundNo, kind: 'reconciliation', outcome: i.kind, detail: { date, message: i.message } });
      await alertStaff(ctx, operatorId, `reconciliation_${i.kind}`, `trade bill ${date}: ${i.outRefundNo ?? i.outTradeNo}: ${i.message}`);
      actions.push({ ...i, action: 'flagged' });
    } else actions.push({ ...i, action: 'none' });
  }
  const report = { date, ...totals, billPaymentsYuan: formatYuan(totals.billPaymentsFen), billRefundsYuan: formatYuan(totals.billRefundsFen), creditedInDayYuan: formatYuan(totals.creditedInDayFen) };
  await ctx.db.query(
    `INSERT INTO payment_reconciliations (operator_id, bill_date, status, totals, items, error, ran_at) VALUES ($1, $2, 'done', $3, $4, NULL, now())
     ON CONFLICT (operator_id, bill_date) DO UPDATE SET status = 'done', totals = EXCLUDED.totals, items = EXCLUDED.items, error = NULL, ran_at = now()`,
    [operatorId, date, JSON.stringify(report), JSON.stringify(actions)],
  );
  return getReconciliation(ctx, operatorId, date);
}

export async function getReconciliation(ctx: Ctx, operatorId: string, date: string) {
  const r = await ctx.db.query<{ bill_date: string; status: string; totals: any; items: any[]; error: string | null; ran_at: Date }>(
    `SELECT bill_date::text AS bill_date, status, totals, items, error, ran_at FROM payment_reconciliations WHERE operator_id = $1 AND bill_date = $2`,
    [operatorId, date],
  );
  const x = r.rows[0];
  if (!x) return null;
  return { date: x.bill_date, status: x.status, totals: x.totals, items: x.items, error: x.error, ranAt: x.ran_at.toISOString() };
}

export async function listReconciliations(ctx: Ctx, operatorId: string, limit = 31) {
  const r = await ctx.db.query<{ bill_date: string; status: string; totals: any; error: string | null; ran_at: Date }>(
    `SELECT bill_date::text AS bill_date, status, totals, error, ran_at FROM payment_reconciliations WHERE operator_id = $1 ORDER BY bill_date DESC LIMIT $2`,
    [operatorId, limit],
  );
  return r.rows.map((x) => ({ date: x.bill_date, status: x.status, totals: x.totals, error: x.error, ranAt: x.ran_at.toISOString() }));
}

/** Outbox job: one operator, one day; a bill not yet published (before ~10:00) is tried again later. */
export async function reconcileJob(ctx: Ctx, row: OutboxRow<{ operatorId: string; date: string }>) {
  try {
    const r = await runReconciliation(ctx, row.payload.operatorId, row.payload.date);
    return r?.totals;
  } catch (e) {
    if (e instanceof ProviderError && (e.code === 'NO_STATEMENT_EXIST' || e.status === 404)) throw new RetryLater(1800, e.message);
    await ctx.db.query(
      `INSERT INTO payment_reconciliations (operator_id, bill_date, status, error) VALUES ($1, $2, 'failed', $3)
       ON CONFLICT (operator_id, bill_date) DO UPDATE SET status = CASE WHEN payment_reconciliations.status = 'done' THEN 'done' ELSE 'failed' END, error = EXCLUDED.error, ran_at = now()`,
      [row.payload.operatorId, row.payload.date, (e as Error).message],
    );
    throw e;
  }
}

/**
 * Every half hour: for each operator whose local time is past 10:00 (WeChat publishes the bill from
 * 09:00), enqueue yesterday's reconciliation once (dedupe key), so a node that was down catches up.
 */
export function scheduleDailyReconciliation(ctx: Ctx): Cron {
  return new Cron('0 5,35 * * * *', { protect: true, catch: (e) => ctx.log.error({ err: e }, 'reconciliation scheduler failed') }, async () => {
    await enqueueDue(ctx, ctx.clock.date());
  });
}

export async function enqueueDue(ctx: Ctx, now: Date) {
  for (const { operatorId, timezone } of await listMerchantOperators(ctx.db)) {
    const hour = Number(formatDate(now, timezone).slice(11, 13));
    if (hour < 10) continue;
    const date = previousDay(now, timezone);
    await ctx.outbox.enqueue(ctx.db, { operatorId, topic: TOPIC_RECONCILE, payload: { operatorId, date }, dedupeKey: `reconcile:${operatorId}:${date}` });
  }
}
