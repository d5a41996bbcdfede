import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { orderNumber } from '../../platform/ids.ts';
import { formatYuan } from '../../platform/money.ts';
import { PermanentFailure, type OutboxRow } from '../../platform/outbox.ts';
import { publicUrl } from '../../platform/public-url.ts';
import { getDriver } from '../wallet/index.ts';
import { applyPaid } from './credit.ts';
import { ProviderError, type Channel } from './provider.ts';
import { merchantOrThrow, providerFactory, providerFor, QUERY_SCHEDULE_S, recordEvent, scaledDate, TOPIC_TOPUP_QUERY, TOPUP_EXPIRY_S } from './service.ts';

export const notifyPath = (operatorId: string) => `/api/v1/payments/wechatpay/notify/${encodeURIComponent(operatorId)}`;
export const h5ReturnUrl = (ctx: Ctx, operatorId: string, outTradeNo: string) => publicUrl(ctx, `/h5/${encodeURIComponent(operatorId)}?topup=${encodeURIComponent(outTradeNo)}`);

/** WeChat's out_trade_no: 6-32 of [0-9A-Za-z_-|*]; ours is TU + local time + 6 random digits (22). */
export const newOutTradeNo = (at: Date, tz: string) => `TU${orderNumber(at, tz)}`;

export interface TopupRow {
  operator_id: string;
  out_trade_no: string;
  phone: string;
  amount_fen: number;
  channel: Channel;
  openid: string | null;
  status: string;
  mchid: string;
  transaction_id: string | null;
  pay_params: Record<string, string> | null;
  notify_url: string;
  expires_at: Date;
  paid_at: Date | null;
  credited_at: Date | null;
  credited_via: string | null;
  flag: string | null;
  refunded_fen: number;
  created_by: string;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

export function topupView(t: TopupRow) {
  return {
    outTradeNo: t.out_trade_no,
    phone: t.phone,
    amount: formatYuan(t.amount_fen),
    channel: t.channel,
    status: t.status,
    transactionId: t.transaction_id,
    payParams: t.status === 'pending' ? t.pay_params : null,
    notifyUrl: t.notify_url,
    expiresAt: t.expires_at.toISOString(),
    paidAt: t.paid_at?.toISOString() ?? null,
    creditedAt: t.credited_at?.toISOString() ?? null,
    creditedVia: t.credited_via,
    flag: t.flag,
    refunded: formatYuan(t.refunded_fen),
    createdBy: t.created_by,
    error: t.error,
    createdAt: t.created_at.toISOString(),
  };
}

/**
 * Creates a top-up and its prepay order. The row and the first query timer are written before
 * WeChat is called, so a crash or timeout in between is found again by the query job.
 */
export async function createTopup(
  ctx: Ctx,
  input: { operatorId: string; phone: string; amountFen: number; channel: Channel; openid?: string; clientIp?: string; createdBy: string },
) {
  const { merchant, provider } = await providerFor(ctx, input.operatorId);
  await getDriver(ctx.db, input.operatorId, input.phone, ctx.clock.date()); // 404 for an unknown driver: money must have a wallet to land in
  if (input.channel === 'wechatpay_jsapi' && !input.openid) throw new AppError(400, 'openid_required', 'a wechatpay_jsapi top-up needs the payer openid');
  const now = ctx.clock.date();
  const outTradeNo = newOutTradeNo(now, merchant.timezone);
  const expiresAt = new Date(now.getTime() + TOPUP_EXPIRY_S * 1000);
  const notifyUrl = publicUrl(ctx, notifyPath(input.operatorId));
  await ctx.db.tx(async (q) => {
    await q.query(
      `INSERT INTO topups (operator_id, out_trade_no, phone, amount_fen, channel, openid, status, mchid, notify_url, expires_at, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'creating', $7, $8, $9, $10, $11)`,
      [input.operatorId, outTradeNo, input.phone, input.amountFen, input.channel, input.openid ?? null, merchant.mchid, notifyUrl, expiresAt, input.createdBy, now],
    );
    await enqueueQuery(ctx, q, input.operatorId, outTradeNo, now, 0);
  });
  try {
    const r = await provider.prepay({
      outTradeNo,
      description: `钱包充值 ${formatYuan(input.amountFen)}元`,
      amountFen: input.amountFen,
      notifyUrl,
      expiresAt,
      channel: input.channel,
      openid: input.openid,
      clientIp: input.clientIp,
      attach: input.phone,
    });
    const payParams = { ...r.payParams };
    // After H5 checkout WeChat sends the payer to h5Url + `&redirect_url=…`: our H5 page on the public
    // URL (not whatever domain the payer's browser happens to be on: case 4).
    if (payParams.h5Url) payParams.redirectUrl = h5ReturnUrl(ctx, input.operatorId, outTradeNo);
    await ctx.db.query(`UPDATE topups SET status = 'pending', pay_params = $3, updated_at = now() WHERE operator_id = $1 AND out_trade_no = $2 AND status = 'creating'`, [
      input.operatorId,
      outTradeNo,
      JSON.stringify(payParams),
    ]);
  } catch (e) {
    const msg = (e as Error).message;
    if (e instanceof ProviderError && !e.retryable) {
      await ctx.db.query(`UPDATE topups SET status = 'failed', error = $3, updated_at = now() WHERE operator_id = $1 AND out_trade_no = $2 AND status = 'creating'`, [input.operatorId, outTradeNo, msg]);
    } else {
      // Unknown outcome: the query job finds out whether WeChat has the order.
      await ctx.db.query(`UPDATE topups SET error = $3, updated_at = now() WHERE operator_id = $1 AND out_trade_no = $2`, [input.operatorId, outTradeNo, msg]);
    }
    throw new AppError(502, 'provider_error', `WeChat Pay refused or did not answer the prepay request: ${msg}`, { outTradeNo });
  }
  return getTopup(ctx.db, input.operatorId, outTradeNo);
}

export async function enqueueQuery(ctx: Ctx, q: Queryable, operatorId: string, outTradeNo: string, createdAt: Date, step: number) {
  if (step >= QUERY_SCHEDULE_S.length) return;
  const due = scaledDate(ctx, createdAt, QUERY_SCHEDULE_S[step]);
  await ctx.outbox.enqueue(q, {
    operatorId,
    topic: TOPIC_TOPUP_QUERY,
    payload: { operatorId, outTradeNo, step },
    dedupeKey: `topup-query:${operatorId}:${outTradeNo}:${step}`,
    notBefore: due.getTime() > ctx.clock.now() ? due : undefined,
  });
}

export async function getTopupRow(q: Queryable, operatorId: string, outTradeNo: string): Promise<TopupRow | null> {
  const r = await q.query<TopupRow>(`SELECT * FROM topups WHERE operator_id = $1 AND out_trade_no = $2`, [operatorId, outTradeNo]);
  return r.rows[0] ?? null;
}

export async function getTopup(q: Queryable, operatorId: string, outTradeNo: string) {
  const t = await getTopupRow(q, operatorId, outTradeNo);
  if (!t) throw notFound(`top-up ${outTradeNo}`);
  return topupView(t);
}

export async function topupHistory(q: Queryable, operatorId: string, outTradeNo: string) {
  const r = await q.query<{ id: number; kind: string; inbox_id: number | null; outcome: string; detail: unknown; at: Date }>(
    `SELECT id, kind, inbox_id, outcome, detail, at FROM payment_events WHERE operator_id = $1 AND out_trade_no = $2 ORDER BY id`,
    [operatorId, outTradeNo],
  );
  return r.rows.map((e) => ({ kind: e.kind, outcome: e.outcome, inboxId: e.inbox_id, detail: e.detail, at: e.at.toISOString() }));
}

export async function listTopups(q: Queryable, operatorId: string, f: { status?: string; phone?: string; flagged?: boolean; limit: number; offset: number }) {
  const r = await q.query<TopupRow & { total: number }>(
    `SELECT *, count(*) OVER ()::int AS total FROM topups WHERE operator_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR phone = $3)
       AND ($4::boolean IS NULL OR (flag IS NOT NULL) = $4)
     ORDER BY created_at DESC, out_trade_no DESC LIMIT $5 OFFSET $6`,
    [operatorId, f.status ?? null, f.phone ?? null, f.flagged ?? null, f.limit, f.offset],
  );
  return { total: r.rows[0]?.total ?? 0, items: r.rows.map(topupView) };
}

/**
 * The query job (case 5): asks WeChat about a pending top-up on the schedule, credits it when paid,
 * closes it once expired and unpaid. Provider errors are thrown so the outbox retries with backoff.
 */
export async function queryTopupJob(ctx: Ctx, row: OutboxRow<{ operatorId: string; outTradeNo: string; step: number }>) {
  const { operatorId, outTradeNo, step } = row.payload;
  const t = await getTopupRow(ctx.db, operatorId, outTradeNo);
  if (!t) throw new PermanentFailure(`top-up ${outTradeNo} does not exist`);
  if (t.status !== 'pending' && t.status !== 'creating') return { skipped: t.status };
  const merchant = await merchantOrThrow(ctx.db, operatorId);
  const provider = providerFactory(merchant, ctx.clock);
  const s = await provider.query(outTradeNo);
  await recordEvent(ctx.db, { operatorId, outTradeNo, kind: 'query', outcome: s.state, detail: { step, transactionId: s.transactionId, amountFen: s.amountFen } });
  const next = () => enqueueQuery(ctx, ctx.db, operatorId, outTradeNo, t.created_at, step + 1);
  switch (s.state) {
    case 'SUCCESS':
    case 'REFUND':
      return { state: s.state, ...(await applyPaid(ctx, merchant, s, 'query')) };
    case 'NOTPAY':
    case 'USERPAYING':
      if (s.state === 'NOTPAY' && ctx.clock.now() > t.expires_at.getTime()) {
        await provider.close(outTradeNo);
        await setClosed(ctx, operatorId, outTradeNo, 'closed', 'expired unpaid; closed at WeChat Pay');
        return { state: s.state, closed: true };
      }
      await next();
      return { state: s.state, next: step + 1 };
    case 'CLOSED':
    case 'REVOKED':
      await setClosed(ctx, operatorId, outTradeNo, 'closed', `WeChat Pay reports ${s.state}`);
      return { state: s.state };
    case 'PAYERROR':
      await setClosed(ctx, operatorId, outTradeNo, 'failed', 'WeChat Pay reports PAYERROR');
      return { state: s.state };
    case 'NOT_FOUND':
      if (t.status === 'creating' || ctx.clock.now() > t.expires_at.getTime()) {
        await setClosed(ctx, operatorId, outTradeNo, 'failed', 'WeChat Pay has no such order (the prepay request never arrived)');
        return { state: s.state };
      }
      await next();
      return { state: s.state, next: step + 1 };
  }
}

async function setClosed(ctx: Ctx, operatorId: string, outTradeNo: string, status: 'closed' | 'failed', why: string) {
  await ctx.db.tx(async (q) => {
    const r = await q.query(
      `UPDATE topups SET status = $3, error = $4, updated_at = now() WHERE operator_id = $1 AND out_trade_no = $2 AND status IN ('pending', 'creating')`,
      [operatorId, outTradeNo, status, why],
    );
    if (r.rowCount) await recordEvent(q, { operatorId, outTradeNo, kind: 'close', outcome: status, detail: { why } });
  });
}
