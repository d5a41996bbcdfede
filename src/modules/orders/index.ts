/**
 * Contract of the orders module.
 * Owns: orders, order_versions, order_settings, order_correction_requests.
 * Offers: the order of a finished session (made by the session.settle job's steps), corrections,
 *   approvals, search, export, stats, live cost, read models for support and reconciliation.
 * Needs: registry, sessions (finished sessions, onSessionEnd), tariffs (pricing), wallet (charging
 *   the order), notify.
 */
import type { Ctx, Module } from '../../platform/context.ts';
import { orderRoutes } from './routes.ts';
import { liveCostUpdater } from './live-cost.ts';
import { registerSettlePipeline } from './pipeline.ts';

export { orderForSession, SETTLE_BACKOFF } from './pipeline.ts';
export { getOrder, getOrderDetail, orderView, type OrderView, type PeriodView, type OrderRow } from './view.ts';
export { searchOrders, whereClause, type OrderFilter } from './search.ts';
export { lookupOrders, ordersOverlapping, type LookupMatch } from './lookup.ts';
export { durationText, localTime } from './export.ts';
export { detectAnomalies, type AnomalyReason, type AnomalyCode } from './anomalies.ts';
export { verifyLedger } from './verify.ts';
export { dailyTotals, heldCount, type DailyTotals } from './stats.ts';
export { partnerOrdersEnded, partnerOrdersById, partnerOrdersEndedSql, periodFigures, countPartnerOrdersEnded, seqBucketSql, orderFacts, repushOrder, correctOrderFor, emitOrderEvents, type PartnerOrderFigures, type SeqBuckets, type OrderFacts, type OrderEvents, type CorrectionActor, type CorrectionRequest } from './for-reconciliation.ts';

const offs = new WeakMap<Ctx, () => void>();

export const ordersModule: Module = {
  name: 'orders',
  register(app, ctx) {
    orderRoutes(app, ctx);
    // every session end arrives as a durable session.settle job (no in-process event, no sweep)
    registerSettlePipeline(ctx);
    const live = liveCostUpdater(ctx);
    offs.set(ctx, ctx.events.on('session.meter', (e) => live(e)));
  },
  stop(ctx) {
    offs.get(ctx)?.();
  },
};
