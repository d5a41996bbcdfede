/**
 * The running price of an active session, kept on sessions.live_cost from 'session.meter' events:
 * the same engine and tariff version as the final order, up to the latest energy reading. Throttled
 * per session: a fast sampling charger does not re-price on every frame.
 */
import type { Ctx } from '../../platform/context.ts';
import { sessionForOrder, energySamples, setLiveCost } from '../sessions/index.ts';
import { priceSession, resolveTariffVersionId, operatorTimeZone, tariffVersionCache } from '../tariffs/index.ts';

export const LIVE_COST_INTERVAL_MS = 15_000;

export function liveCostUpdater(ctx: Ctx) {
  const last = new Map<number, number>();
  const running = new Set<number>();
  let prunedAt = 0;
  const version = tariffVersionCache(ctx); // a version in force is read and parsed once per process
  return async (e: { operatorId: string; sessionId: number }, force = false): Promise<boolean> => {
    const now = ctx.clock.now();
    const gap = LIVE_COST_INTERVAL_MS * ctx.timeScale;
    if (running.has(e.sessionId) || (!force && now - (last.get(e.sessionId) ?? 0) < gap)) return false;
    running.add(e.sessionId);
    last.set(e.sessionId, now);
    // forget finished sessions now and then (not on every call: with 10,000+ live sessions that was a full scan per price)
    if (last.size > 10_000 && now - prunedAt > gap) {
      prunedAt = now;
      for (const [k, t] of last) if (now - t > gap) last.delete(k);
    }
    try {
      // Reads outside a transaction and one UPDATE: a transaction here held a pooled connection "idle in
      // transaction" across four round trips while a busy event loop got back to it (bench ocpp).
      const q = ctx.db;
      const s = await sessionForOrder(q, e.operatorId, e.sessionId);
      if (!s || s.status !== 'active') return false;
      const versionId = s.tariffVersionId ?? (await resolveTariffVersionId(q, e.operatorId, s.chargerId, s.startedAt));
      const tariff = versionId ? await version(q, e.operatorId, versionId) : null;
      if (!tariff) return false;
      const endAt = Math.max(s.lastSampleAt?.getTime() ?? now, s.startedAt.getTime());
      const priced = priceSession({
        tariff,
        timeZone: await operatorTimeZone(q, e.operatorId),
        startAt: s.startedAt.getTime(),
        endAt,
        meterStartWh: s.meterStartWh,
        meterStopWh: Math.max(s.lastEnergyWh ?? s.meterStartWh, s.meterStartWh),
        samples: await energySamples(q, e.operatorId, e.sessionId),
      });
      await setLiveCost(q, e.operatorId, e.sessionId, { at: new Date(endAt).toISOString(), ...priced });
      return true;
    } finally {
      running.delete(e.sessionId);
    }
  };
}
