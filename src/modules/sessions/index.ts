/**
 * Contract of the sessions module.
 * Owns: sessions, meter_samples, session_anomalies, pending_remote_starts.
 * Offers: what OCPP transaction frames do to sessions (recordStart/Stop/MeterValues, connector
 *   status), the durable session.settle job and onSessionEnd steps (modules above subscribe),
 *   start guards (registerStartGuard), read models for orders, roaming, security, support.
 * Needs: tariffs (the version chosen at start), wallet (idTagInfo: id tags are the wallet's) —
 *   the last upward import left (see docs/architecture.md, "Dependency rules").
 */
import type { Module } from '../../platform/context.ts';
import { sessionRoutes } from './routes.ts';

export { activeSessionWithTag, recordStart, recordMeterValues, recordStop, applyConnectorStatus, recordAnomaly, clockSuspect, OFFLINE_LATE_MS, type SessionRow, type StopOutcome } from './service.ts';
export { getSession, meteredEnergy, activeSessionOn, listActiveSessions, listSessionSamples, listSessions, listSessionAnomalies, sessionEnergyWh, sessionView, type SessionView, type SampleRow } from './queries.ts';
export { expectRemoteStart, findRemoteStart, type ExpectRemoteStartInput } from './remote-start.ts';
export { normaliseMeterValues, type NormalisedSample, type SampledValueIn } from './meter.ts';
export { meterWriter, writeMeterBatch, type MeterInput } from './meter-writer.ts';
export { SESSION_SETTLE, settleKey, enqueueSettle, STALE_SESSION_MS, SETTLE_MAX_ATTEMPTS, preferOrderNumber, onSessionEnd, sessionEndSteps, type SettlePayload, type SettleCause, type SessionEnd, type SessionEndStep } from './settle-job.ts';
export { energyByConnector } from './for-roaming.ts';
export { sessionForOrder, energySamples, setLiveCost, type SessionForOrder } from './for-orders.ts';
export { registerStartGuard, startRefusal, type StartGuard } from './start-guard.ts';
export { connectorBaselines, sessionsForScan, registerReadings, overlappingTagSessions, type ConnectorBaseline, type ScanSession, type RegisterReading } from './for-security.ts';

export const sessionsModule: Module = {
  name: 'sessions',
  register: (app, ctx) => sessionRoutes(app, ctx),
};
