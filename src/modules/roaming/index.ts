/**
 * Contract of the roaming module (T/CEC 102 with partners).
 * Owns: roaming_partners, roaming_sessions, roaming_tokens, roaming_outbound_tokens,
 *   roaming_envelopes, roaming_seen_seqs, roaming_order_pushes, roaming_checks, roaming_disputes.
 * Offers: the T/CEC endpoints, partner starts and stops, pushes through the outbox, daily checks,
 *   read models for support and reconciliation, its provisioning section (partners).
 * Needs: registry, sessions (starts, session ends), tariffs, wallet (canStart: an enterprise member past a cap is refused a partner start); ctx.services.ocpp to command chargers.
 */
import type { Cron } from 'croner';
import type { Module } from '../../platform/context.ts';
import { inboundRoutes, pruneSeenSeqs } from './inbound.ts';
import { queryEquipAuth, queryStationStats, queryStationStatus, queryStationsInfo, queryToken } from './queries.ts';
import { queryBusinessPolicy } from './policy.ts';
import { queryEquipChargeStatus, queryStartCharge, queryStopCharge } from './charge.ts';
import { registerLifecycle, sessionEffects } from './lifecycle.ts';
import { pushHandler, PUSH_BACKOFF, PUSH_MAX_ATTEMPTS } from './topics.ts';
import { registerOrders } from './orders.ts';
import { registerCheck, startDailyChecks } from './check.ts';
import { roamingRoutes } from './routes.ts';

export { getPartner, listPartners, type Partner } from './partners.ts';
export { connectorCode, parseConnectorCode } from './connector-id.ts';
export { enqueueDailyChecks, checkAnswer, type CheckDay } from './check.ts';
export { partnerSessionFacts, type PartnerSessionFacts } from './for-reconciliation.ts';
export { roamingTrail } from './for-support.ts';
export { partnersProvisioner } from './provisioning.ts';

// per platform instance (tests run several in one process)
const running = new WeakMap<object, { crons: Cron[]; pruner: NodeJS.Timeout }>();

export const roamingModule: Module = {
  name: 'roaming',
  sealedColumns: [
    { table: 'roaming_partners', key: ['operator_id', 'id'], column: 'inbound_secrets' },
    { table: 'roaming_partners', key: ['operator_id', 'id'], column: 'outbound_secrets' },
    { table: 'roaming_outbound_tokens', key: ['operator_id', 'partner_id'], column: 'token' },
  ],
  register(app, ctx) {
    inboundRoutes(app, ctx, {
      query_token: queryToken,
      query_stations_info: queryStationsInfo,
      query_station_status: queryStationStatus,
      query_station_stats: queryStationStats,
      query_equip_auth: queryEquipAuth,
      query_equip_business_policy: queryBusinessPolicy,
      query_start_charge: queryStartCharge,
      query_equip_charge_status: queryEquipChargeStatus,
      query_stop_charge: queryStopCharge,
    });
    roamingRoutes(app, ctx);
    ctx.outbox.register('roaming.push', pushHandler(ctx, sessionEffects), { backoff: PUSH_BACKOFF, maxAttempts: PUSH_MAX_ATTEMPTS });
    registerLifecycle(ctx);
    registerOrders(ctx);
    registerCheck(ctx);
  },
  async start(ctx) {
    // tokens from before they were digested (ours) or sealed (the partner's) are dropped: both are re-issued on demand
    await ctx.db.query(`DELETE FROM roaming_tokens WHERE token NOT LIKE 'sha256:%'`);
    await ctx.db.query(`DELETE FROM roaming_outbound_tokens WHERE token NOT LIKE 'k1.%'`);
    const pruner = setInterval(() => pruneSeenSeqs(ctx).catch(() => {}), 10 * 60_000);
    pruner.unref();
    running.set(ctx, { crons: await startDailyChecks(ctx), pruner });
  },
  stop(ctx) {
    const r = running.get(ctx);
    if (!r) return;
    for (const c of r.crons) c.stop();
    clearInterval(r.pruner);
    running.delete(ctx);
  },
};
