/**
 * Contract of the sessions module.
 * Owns: sessions, meter_samples (monthly partitions, partitions.ts), session_anomalies, pending_remote_starts.
 * Offers: what OCPP transaction frames do to sessions (recordStart/Stop/MeterValues, connector
 *   status), the durable session.settle job and onSessionEnd steps (modules above subscribe),
 *   start guards (registerStartGuard), read models for orders, roaming, security, support.
 * Needs: tariffs (the version chosen at start). Id tags and start holds are the wallet's, a module
 *   above: the wallet registers itself as the tag authority (registerTagAuthority) when loaded.
 */
import type { Ctx, Module } from '../../platform/context.ts';
import type { ClockTimer } from '../../platform/clock.ts';
import { sessionRoutes } from './routes.ts';
import { maintainMeterPartitions } from './partitions.ts';

export { activeSessionWithTag, recordStart, recordMeterValues, recordStop, applyConnectorStatus, recordAnomaly, clockSuspect, OFFLINE_LATE_MS, type SessionRow, type StopOutcome } from './service.ts';
export { getSession, meteredEnergy, activeSessionOn, listActiveSessions, listSessionSamples, listSessions, listSessionAnomalies, sessionEnergyWh, sessionView, type SessionView, type SampleRow } from './queries.ts';
export { expectRemoteStart, findRemoteStart, type ExpectRemoteStartInput } from './remote-start.ts';
export { normaliseMeterValues, type NormalisedSample, type SampledValueIn } from './meter.ts';
export { meterWriter, writeMeterBatch, type MeterInput, type MeterSession } from './meter-writer.ts';
export { maintainMeterPartitions, ensureMeterMonth, meterPartitions } from './partitions.ts';
export { SESSION_SETTLE, settleKey, enqueueSettle, STALE_SESSION_MS, SETTLE_MAX_ATTEMPTS, preferOrderNumber, onSessionEnd, sessionEndSteps, type SettlePayload, type SettleCause, type SessionEnd, type SessionEndStep } from './settle-job.ts';
export { energyByConnector } from './for-roaming.ts';
export { sessionForOrder, energySamples, setLiveCost, type SessionForOrder } from './for-orders.ts';
export { registerTagAuthority, type TagAuthority, type IdTagInfo, type IdTagStatus } from './tag-authority.ts';
export { registerStartGuard, startRefusal, type StartGuard } from './start-guard.ts';
export { connectorBaselines, sessionsForScan, registerReadings, overlappingTagSessions, type ConnectorBaseline, type ScanSession, type RegisterPage } from './for-security.ts';

const maintenance = new WeakMap<Ctx, ClockTimer>();

/** Months ahead created and months beyond the retention dropped, at start and daily (one node at a time). */
async function maintainPartitions(ctx: Ctx) {
  try {
    const r = await ctx.db.tx(async (q) => {
      if (ctx.db.kind === 'postgres') await q.query(`SELECT pg_advisory_xact_lock(7264302)`);
      // the database's clock: received_at is filled by the database's now()
      const now = (await q.query<{ now: Date }>(`SELECT now() AS now`)).rows[0].now;
      return maintainMeterPartitions(q, now, ctx.config.METER_SAMPLES_RETENTION_MONTHS);
    });
    if (r.created.length || r.dropped.length) ctx.log.info(r, 'meter sample partitions maintained');
  } catch (err) {
    ctx.log.warn({ err }, 'meter sample partition maintenance failed');
  }
}

export const sessionsModule: Module = {
  name: 'sessions',
  register: (app, ctx) => sessionRoutes(app, ctx),
  async start(ctx) {
    await maintainPartitions(ctx);
    maintenance.set(ctx, ctx.clock.setInterval(() => void maintainPartitions(ctx), 24 * 3600_000).unref());
  },
  stop(ctx) {
    ctx.clock.clearInterval(maintenance.get(ctx) ?? null);
    maintenance.delete(ctx);
  },
};
