import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError, conflict, notFound } from '../../platform/errors.ts';
import { orderNumber } from '../../platform/ids.ts';
import { formatYuan } from '../../platform/money.ts';
import { PermanentFailure, type OutboxRow } from '../../platform/outbox.ts';
import { publicUrl } from '../../platform/public-url.ts';
import { debitRefund, holdForRefund, releaseRefundHold } from '../wallet/index.ts';
import { alertStaff } from './alerts.ts';
import { ProviderError, type RefundState } from './provider.ts';
import { merchantOrThrow, providerFactory, recordEvent, scaledDate, TOPIC_REFUND_SYNC } from './service.ts';
import { notifyPath } from './topups.ts';

interface RefundRow {
  operator_id: string;
  out_refund_no: string;
  out_trade_no: string;
  phone: string;
  amount_fen: number;
  reason: string;
  status: string;
  refund_id: string | null;
  debited: boolean;
  error: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

const view = (r: RefundRow) => ({
  outRefundNo: r.out_refund_no,
  outTradeNo: r.out_trade_no,
  phone: r.phone,
  amount: formatYuan(r.amount_fen),
  reason: r.reason,
  status: r.status,
  refundId: r.refund_id,
  walletDebited: r.debited,
  error: r.error,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/**
 * Refunds wallet balance to the payment it came from. The amount is reserved on the top-up first
 * (so two refunds cannot exceed it); the wallet is debited (debitRefund) once WeChat accepts the
 * refund; a refused refund releases the reservation and debits nothing.
 */
export async function createRefund(ctx: Ctx, input: { operatorId: string; outTradeNo: string; amountFen: number; reason: string; createdBy: string }) {
  const merchant = await merchantOrThrow(ctx.db, input.operatorId);
  const outRefundNo = `RF${orderNumber(ctx.clock.date(), merchant.timezone)}`;
  await ctx.db.tx(async (q) => {
    const r = await q.query<{ phone: string; amount_fen: number; refunded_fen: number; status: string }>(
      `SELECT phone, amount_fen, refunded_fen, status FROM topups WHERE operator_id = $1 AND out_trade_no = $2 FOR UPDATE`,
      [input.operatorId, input.outTradeNo],
    );
    const t = r.rows[0];
    if (!t) throw notFound(`top-up ${input.outTradeNo}`);
    if (t.status !== 'credited') throw conflict(`top-up ${input.outTradeNo} is ${t.status}; only a credited top-up can be refunded`);
    const left = t.amount_fen - t.refunded_fen;
    if (input.amountFen > left) throw conflict(`only ${formatYuan(left)} yuan of top-up ${input.outTradeNo} is left to refund`);
    // what the wallet can spend (balance less holds of running sessions and other refunds, less
    // what is owed) must cover it; the amount stays held until the debit or the failure (issue 11.5)
    await holdForRefund(q, input.operatorId, t.phone, outRefundNo, input.amountFen, ctx.clock.date());
    await q.query(`UPDATE topups SET refunded_fen = refunded_fen + $3, updated_at = now() WHERE operator_id = $1 AND out_trade_no = $2`, [input.operatorId, input.outTradeNo, input.amountFen]);
    await q.query(
      `INSERT INTO refunds (operator_id, out_refund_no, out_trade_no, phone, amount_fen, reason, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [input.operatorId, outRefundNo, input.outTradeNo, t.phone, input.amountFen, input.reason, input.createdBy],
    );
    // Follows the refund until it is final even if this process dies right after.
    await ctx.outbox.enqueue(q, { operatorId: input.operatorId, topic: TOPIC_REFUND_SYNC, payload: { operatorId: input.operatorId, outRefundNo, attempt: 0 }, dedupeKey: `refund-sync:${outRefundNo}:0`, notBefore: scaledDate(ctx, ctx.clock.date(), 30) });
  });
  try {
    await submitRefund(ctx, input.operatorId, outRefundNo);
  } catch (e) {
    // only the provider's own words reach the client; anything else (a database error) stays in the log
    if (!(e instanceof ProviderError)) ctx.log.error({ err: e, outRefundNo }, 'refund submission failed');
    if (!(e instanceof ProviderError) || e.retryable)
      throw new AppError(502, 'provider_error', `WeChat Pay did not answer the refund; it is retried${e instanceof ProviderError ? `: ${e.message}` : ''}`, { outRefundNo });
    throw new AppError(502, 'refund_refused', `WeChat Pay refused the refund: ${e.message}`, { outRefundNo });
  }
  return getRefund(ctx.db, input.operatorId, outRefundNo);
}

/** Sends (or re-sends: WeChat dedupes by out_refund_no) the refund request and applies the answer. */
async function submitRefund(ctx: Ctx, operatorId: string, outRefundNo: string) {
  const r = await getRefundRow(ctx.db, operatorId, outRefundNo);
  if (!r) throw new PermanentFailure(`refund ${outRefundNo} does not exist`);
  const merchant = await merchantOrThrow(ctx.db, operatorId);
  const t = await ctx.db.query<{ amount_fen: number }>(`SELECT amount_fen FROM topups WHERE operator_id = $1 AND out_trade_no = $2`, [operatorId, r.out_trade_no]);
  try {
    const s = await providerFactory(merchant, ctx.clock).refund({
      outTradeNo: r.out_trade_no,
      outRefundNo,
      refundFen: r.amount_fen,
      totalFen: t.rows[0].amount_fen,
      reason: r.reason,
      notifyUrl: publicUrl(ctx, notifyPath(operatorId)),
    });
    await applyRefundState(ctx, operatorId, s, 'refund');
  } catch (e) {
    if (e instanceof ProviderError && !e.retryable) await failRefund(ctx, operatorId, outRefundNo, e.message);
    throw e;
  }
}

async function failRefund(ctx: Ctx, operatorId: string, outRefundNo: string, why: string) {
  await ctx.db.tx(async (q) => {
    const r = await q.query<RefundRow>(`SELECT * FROM refunds WHERE operator_id = $1 AND out_refund_no = $2 FOR UPDATE`, [operatorId, outRefundNo]);
    const row = r.rows[0];
    if (!row || row.status !== 'requested') return;
    await q.query(`UPDATE refunds SET status = 'failed', error = $3, updated_at = now() WHERE operator_id = $1 AND out_refund_no = $2`, [operatorId, outRefundNo, why]);
    await q.query(`UPDATE topups SET refunded_fen = refunded_fen - $3, updated_at = now() WHERE operator_id = $1 AND out_trade_no = $2`, [operatorId, row.out_trade_no, row.amount_fen]);
    await releaseRefundHold(q, operatorId, outRefundNo, 'failed', ctx.clock.date());
    await recordEvent(q, { operatorId, outTradeNo: row.out_trade_no, outRefundNo, kind: 'refund', outcome: 'failed', detail: { why } });
  });
}

const STATUS: Record<RefundState['status'], string> = { SUCCESS: 'success', PROCESSING: 'processing', CLOSED: 'closed', ABNORMAL: 'abnormal', NOT_FOUND: 'requested' };

/** Applies what WeChat says about a refund (answer, query or callback); debits the wallet once, on acceptance. */
export async function applyRefundState(ctx: Ctx, operatorId: string, s: RefundState, via: 'refund' | 'callback' | 'query', inboxId: number | null = null): Promise<string> {
  let alert: string | null = null;
  const outcome = await ctx.db.tx(async (q) => {
    const r = await q.query<RefundRow>(`SELECT * FROM refunds WHERE operator_id = $1 AND out_refund_no = $2 FOR UPDATE`, [operatorId, s.outRefundNo]);
    const row = r.rows[0];
    if (!row) return 'unknown_refund';
    if (s.status === 'NOT_FOUND') return 'not_found';
    const status = STATUS[s.status] ?? 'abnormal';
    let debited = row.debited;
    let error = row.error;
    if (!debited && (status === 'processing' || status === 'success')) {
      try {
        await q.query('SAVEPOINT debit');
        await debitRefund(q, { operatorId, phone: row.phone, amountFen: row.amount_fen, refundId: row.out_refund_no, remark: `refund ${row.out_refund_no} of top-up ${row.out_trade_no} to the original WeChat payment: ${row.reason}` });
        await q.query('RELEASE SAVEPOINT debit');
        debited = true;
        // the hold has become the debit
        await releaseRefundHold(q, operatorId, row.out_refund_no, 'debited', ctx.clock.date());
      } catch (e) {
        await q.query('ROLLBACK TO SAVEPOINT debit');
        error = `WeChat accepted the refund but the wallet could not be debited: ${(e as Error).message}`;
        alert = error;
      }
    }
    if ((status === 'closed' || status === 'abnormal') && row.status !== status) {
      alert = `refund ${row.out_refund_no} is ${s.status} at WeChat Pay${debited ? ' after the wallet was debited; credit the driver back by a manual adjustment or retry the refund in the merchant platform' : ''}`;
      if (!debited) {
        await q.query(`UPDATE topups SET refunded_fen = refunded_fen - $3 WHERE operator_id = $1 AND out_trade_no = $2`, [operatorId, row.out_trade_no, row.amount_fen]);
        await releaseRefundHold(q, operatorId, row.out_refund_no, 'closed', ctx.clock.date());
      }
    }
    await q.query(`UPDATE refunds SET status = $3, refund_id = COALESCE($4, refund_id), debited = $5, error = $6, updated_at = now() WHERE operator_id = $1 AND out_refund_no = $2`, [
      operatorId,
      row.out_refund_no,
      status,
      s.refundId ?? null,
      debited,
      error,
    ]);
    await recordEvent(q, { operatorId, outTradeNo: row.out_trade_no, outRefundNo: row.out_refund_no, kind: via === 'callback' ? 'callback' : 'refund', inboxId, outcome: status, detail: { refundId: s.refundId, via } });
    return status;
  });
  if (alert) await alertStaff(ctx, operatorId, 'refund_needs_attention', alert);
  return outcome;
}

/** Outbox job: re-sends a refund whose answer was lost, or queries one still processing, until final. */
export async function refundSyncJob(ctx: Ctx, row: OutboxRow<{ operatorId: string; outRefundNo: string; attempt: number }>) {
  const { operatorId, outRefundNo, attempt } = row.payload;
  const r = await getRefundRow(ctx.db, operatorId, outRefundNo);
  if (!r) throw new PermanentFailure(`refund ${outRefundNo} does not exist`);
  if (r.status === 'requested') await submitRefund(ctx, operatorId, outRefundNo);
  else if (r.status === 'processing') {
    const s = await providerFactory(await merchantOrThrow(ctx.db, operatorId), ctx.clock).queryRefund(outRefundNo);
    await applyRefundState(ctx, operatorId, s, 'query');
  }
  const now = await getRefundRow(ctx.db, operatorId, outRefundNo);
  if ((now?.status === 'requested' || now?.status === 'processing') && attempt < 20) {
    await ctx.outbox.enqueue(ctx.db, { operatorId, topic: TOPIC_REFUND_SYNC, payload: { operatorId, outRefundNo, attempt: attempt + 1 }, dedupeKey: `refund-sync:${outRefundNo}:${attempt + 1}`, notBefore: scaledDate(ctx, ctx.clock.date(), Math.min(60 * 2 ** attempt, 6 * 3600)) });
  }
  return { status: now?.status };
}

async function getRefundRow(q: Queryable, operatorId: string, outRefundNo: string) {
  const r = await q.query<RefundRow>(`SELECT * FROM refunds WHERE operator_id = $1 AND out_refund_no = $2`, [operatorId, outRefundNo]);
  return r.rows[0] ?? null;
}

export async function getRefund(q: Queryable, operatorId: string, outRefundNo: string) {
  const r = await getRefundRow(q, operatorId, outRefundNo);
  if (!r) throw notFound(`refund ${outRefundNo}`);
  return view(r);
}

export async function listRefunds(q: Queryable, operatorId: string, f: { outTradeNo?: string; status?: string; limit: number; offset: number }) {
  const r = await q.query<RefundRow & { total: number }>(
    `SELECT *, count(*) OVER ()::int AS total FROM refunds WHERE operator_id = $1 AND ($2::text IS NULL OR out_trade_no = $2) AND ($3::text IS NULL OR status = $3)
     ORDER BY created_at DESC, out_refund_no DESC LIMIT $4 OFFSET $5`,
    [operatorId, f.outTradeNo ?? null, f.status ?? null, f.limit, f.offset],
  );
  return { total: r.rows[0]?.total ?? 0, items: r.rows.map(view) };
}
