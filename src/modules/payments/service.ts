import type { Ctx } from '../../platform/context.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors.ts';
import type { PaymentProvider } from './provider.ts';
import { loadWechatpayMerchant, type LoadedMerchant } from './settings.ts';
import { WechatpayProvider } from './wechatpay/client.ts';

export const TOPIC_TOPUP_QUERY = 'payments.topup.query';
export const TOPIC_REFUND_SYNC = 'payments.refund.sync';
export const TOPIC_RECONCILE = 'payments.reconcile';

/** Tests may swap in another factory (e.g. to count calls); production builds the WeChat Pay client. */
export let providerFactory = (m: LoadedMerchant, clock: Clock): PaymentProvider => new WechatpayProvider(m, undefined, clock);

export async function merchantOrThrow(q: Queryable, operatorId: string): Promise<LoadedMerchant> {
  const m = await loadWechatpayMerchant(q, operatorId);
  if (!m) throw new AppError(409, 'payments_not_configured', `operator ${operatorId} has no WeChat Pay merchant configured (payments.wechatpay)`);
  return m;
}

export async function providerFor(ctx: Ctx, operatorId: string): Promise<{ merchant: LoadedMerchant; provider: PaymentProvider }> {
  const merchant = await merchantOrThrow(ctx.db, operatorId);
  return { merchant, provider: providerFactory(merchant, ctx.clock) };
}

export async function recordEvent(
  q: Queryable,
  e: { operatorId: string; outTradeNo?: string | null; outRefundNo?: string | null; kind: 'callback' | 'query' | 'close' | 'reconciliation' | 'refund'; inboxId?: number | null; outcome: string; detail?: unknown },
) {
  await q.query(
    `INSERT INTO payment_events (operator_id, out_trade_no, out_refund_no, kind, inbox_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [e.operatorId, e.outTradeNo ?? null, e.outRefundNo ?? null, e.kind, e.inboxId ?? null, e.outcome, e.detail === undefined ? null : JSON.stringify(e.detail)],
  );
}

/** Seconds after a top-up's creation at which the provider is asked about it while it stays pending (case 5). */
export const QUERY_SCHEDULE_S = [10, 30, 60, 300, 1800, 7200, 86400];
/** How long a payer has to pay (WeChat's time_expire). */
export const TOPUP_EXPIRY_S = 2 * 3600;

export function scaledDate(ctx: Ctx, from: Date, seconds: number): Date {
  return new Date(from.getTime() + seconds * 1000 * ctx.timeScale);
}
