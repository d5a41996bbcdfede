import type { RunningPlatform as Platform } from '../../platform/context.ts';
import { recordStart, recordMeterValues, recordStop, applyConnectorStatus, type MeterInput } from '../sessions/index.ts';
import { orderForSession } from './index.ts';

/**
 * A day of history for the demo console: finished sessions on the demo chargers over the last 24 hours,
 * fed through the same session functions the OCPP handlers use, then turned into orders by their
 * session.settle jobs (priced, checked, settled). One session has a meter that ran backwards, so one order waits in
 * the abnormal queue. Deterministic (seeded), so every fresh demo looks the same.
 */
export async function loadOrdersDemo(p: Platform, doc: any): Promise<{ sessions: number }> {
  const op = doc?.operators?.[0];
  if (!op) return { sessions: 0 };
  const chargers: { id: string; stationId: string; maxW: number; guns: number[] }[] = [];
  for (const s of op.stations ?? [])
    for (const c of s.chargers ?? []) chargers.push({ id: c.id, stationId: s.id, maxW: c.connectors[0].maxPowerKw * 1000, guns: c.connectors.map((x: any) => x.id) });
  const tags: string[] = (op.drivers ?? []).flatMap((d: any) => (d.idTags ?? []).filter((t: any) => t.status === 'active').map((t: any) => t.id));
  if (!chargers.length || !tags.length) return { sessions: 0 };

  let seed = 20190920;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const now = p.ctx.clock.now();
  const dayAgo = now - 24 * 3_600_000;
  const register = new Map<string, number>(); // lifetime energy register per connector
  let n = 0;
  const count = 28;
  const ended: number[] = [];
  for (let i = 0; i < count; i++) {
    const c = chargers[i % chargers.length];
    const gun = c.guns[Math.floor(rand() * c.guns.length)];
    const key = `${c.id}/${gun}`;
    const start = dayAgo + Math.floor(((i + rand() * 0.6) / count) * 22 * 3_600_000);
    const minutes = 20 + Math.floor(rand() * 60);
    const end = start + minutes * 60_000;
    const avgW = c.maxW * (0.45 + rand() * 0.4);
    const meterStart = register.get(key) ?? 1_000_000 + Math.floor(rand() * 5_000_000);
    const energy = Math.round((avgW * minutes) / 60);
    const abnormal = i === count - 5; // a meter that ran backwards: held for review
    const meterStop = abnormal ? meterStart - 1200 : meterStart + energy;
    register.set(key, Math.max(meterStart, meterStop));
    const idTag = tags[i % tags.length];
    const at = (t: number) => new Date(t);
    const steps = Math.max(2, Math.floor(minutes / 5));
    const meterValue: MeterInput['meterValue'] = [];
    for (let k = 1; k < steps; k++) {
      const t = start + Math.floor(((end - start) * k) / steps);
      const wh = meterStart + Math.floor(((meterStop - meterStart) * k) / steps);
      meterValue.push({
        timestamp: at(t).toISOString(),
        sampledValue: [
          { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
          { value: String(Math.round(avgW)), measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' },
          { value: String(Math.min(100, 20 + Math.round((70 * k) / steps))), measurand: 'SoC', unit: 'Percent', location: 'EV', context: 'Sample.Periodic' },
        ],
      });
    }
    // one transaction: dated in the past, the start's 24 h stale job may be due already; the stop
    // in the same commit cancels it before the outbox could make a placeholder order
    const sessionId = await p.ctx.db.tx(async (q) => {
      const { sessionId } = await recordStart(q, { operatorId: op.id, stationId: c.stationId, chargerId: c.id, connectorId: gun, idTag, meterStartWh: meterStart, startedAt: at(start), receivedAt: at(start) });
      if (!abnormal) await recordMeterValues(q, { operatorId: op.id, chargerId: c.id, connectorId: gun, transactionId: sessionId, meterValue });
      await recordStop(q, { operatorId: op.id, chargerId: c.id, transactionId: sessionId, meterStopWh: meterStop, stoppedAt: at(end), reason: 'EVDisconnected', idTag, receivedAt: at(end) });
      return sessionId;
    });
    // Most drivers leave within the grace period; every fourth stays a while and pays an occupancy fee.
    const unplug = end + (i % 4 === 3 ? 35 + Math.floor(rand() * 30) : 3 + Math.floor(rand() * 8)) * 60_000;
    await p.ctx.db.tx((q) => applyConnectorStatus(q, { chargerId: c.id, connectorId: gun, status: 'Available', at: at(unplug), lastBootAt: null }));
    n++;
    ended.push(sessionId);
  }
  // the settle jobs the stops wrote, run now so the console opens on settled orders
  for (const id of ended) await orderForSession(p.ctx, op.id, id);
  return { sessions: n };
}
