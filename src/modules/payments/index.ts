/**
 * Contract of the payments module (WeChat Pay v3).
 * Owns: payment_merchants, topups, refunds, payment_events, payment_reconciliations.
 * Offers: top-ups and refunds (provider calls through the outbox, callbacks verified), the daily
 *   trade-bill reconciliation, the public-URL self-check (ctx.services.publicUrlCheck), its
 *   provisioning section (payments).
 * Needs: registry, wallet (crediting top-ups, debiting refunds).
 */
import type { Cron } from 'croner';
import type { Ctx, Module } from '../../platform/context.ts';
import type { ReadinessCheck } from '../../platform/http/ops.ts';
import { PublicUrlCheck } from '../../platform/public-url.ts';
import { callbackRoutes } from './callbacks.ts';
import { reconcileJob, scheduleDailyReconciliation } from './reconcile-run.ts';
import { refundSyncJob } from './refunds.ts';
import { paymentRoutes } from './routes.ts';
import { TOPIC_RECONCILE, TOPIC_REFUND_SYNC, TOPIC_TOPUP_QUERY } from './service.ts';
import { queryTopupJob } from './topups.ts';

export { paymentsProvisioner, saveWechatpaySettings, type WechatpaySettings } from './settings.ts';
export { matchTradeBill } from './reconcile.ts';
export { topupForSupport, topupsOfPhone, type SupportTopup } from './for-support.ts';
export { startFakeWechatpay, type FakeWechatpay } from './fake/server.ts';

declare module '../../platform/context.ts' {
  interface Services {
    publicUrlCheck: PublicUrlCheck;
  }
}

const crons = new WeakMap<Ctx, Cron>();

export const paymentsModule: Module = {
  name: 'payments',
  sealedColumns: [
    { table: 'payment_merchants', key: ['operator_id', 'provider'], column: 'api_v3_key_enc' },
    { table: 'payment_merchants', key: ['operator_id', 'provider'], column: 'merchant_private_key_enc' },
  ],
  register(app, ctx) {
    const selfCheck = new PublicUrlCheck(ctx);
    ctx.services.publicUrlCheck = selfCheck;
    selfCheck.routes(app);
    callbackRoutes(app, ctx);
    paymentRoutes(app, ctx, selfCheck);
    // Query steps are spaced by the job itself; the outbox backoff only covers provider errors.
    ctx.outbox.register(TOPIC_TOPUP_QUERY, (row) => queryTopupJob(ctx, row), { backoff: [10, 30, 60, 300, 900, 1800, 3600], maxAttempts: 30 });
    ctx.outbox.register(TOPIC_REFUND_SYNC, (row) => refundSyncJob(ctx, row), { backoff: [30, 60, 300, 900, 3600], maxAttempts: 30 });
    ctx.outbox.register(TOPIC_RECONCILE, (row) => reconcileJob(ctx, row), { backoff: [600, 1800, 3600], maxAttempts: 12 });
    const readiness = (ctx.services as { readiness?: ReadinessCheck[] }).readiness;
    readiness?.push(async () => {
      const s = await selfCheck.check();
      return { name: 'public-url', ok: s.ok, message: s.message };
    });
  },
  async start(ctx) {
    // Not awaited: the instance must be listening for the check to succeed, and start must not hang on a dead URL.
    void ctx.services.publicUrlCheck?.check(0);
    crons.set(ctx, scheduleDailyReconciliation(ctx));
  },
  stop(ctx) {
    crons.get(ctx)?.stop();
    crons.delete(ctx);
  },
};
