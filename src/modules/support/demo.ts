import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningPlatform as Platform } from '../../platform/context.ts';
import { recordStart, recordMeterValues, recordStop, applyConnectorStatus, preferOrderNumber, type MeterInput } from '../sessions/index.ts';
import { orderForSession } from '../orders/index.ts';
import { recordPastConnection } from '../ocpp/index.ts';
import { createCase, type CaseInput } from './cases.ts';

const CASE6 = {
  orderNo: '20190920144024840824',
  chargerId: '44030700030000200016',
  connectorId: 1,
  idTag: '89408035', // 李先生, 18475511853
  start: '2019-09-20T14:40:44+08:00',
  stop: '2019-09-20T15:43:49+08:00',
  unplug: '2019-09-20T15:49:10+08:00',
  meterStartWh: 1_386_220,
  wh: 25_370,
};

const casesFile = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'support-cases.json');

/**
 * The case-6 session of the operator's log as history (igo_case#6: 永湖站, charger
 * 44030700030000200016 gun 1, 2019-09-20 14:40:44 → 15:43:49, 25.37 kWh, 39.57 yuan, order
 * 20190920144024840824 as the previous platform numbered it), the charger's connection at the time,
 * and the nine cases of the log (examples/support-cases.json) with their numbers and dates. Skipped
 * when the document has no such operator, charger or card.
 */
export async function loadSupportDemo(p: Platform, doc: any): Promise<{ orderNo: string | null; cases: number }> {
  const orderNo = await loadCase6Session(p, doc);
  if (!orderNo) return { orderNo, cases: 0 };
  return { orderNo, cases: await loadCaseLog(p, orderNo) };
}

/** The case-6 session and its order (numbered as in the log); null when the document lacks its operator, charger or card. */
export async function loadCase6Session(p: Platform, doc: any): Promise<string | null> {
  const op = doc?.operators?.find((o: any) => o.id === 'igo');
  const station = op?.stations?.find((s: any) => s.chargers?.some((c: any) => c.id === CASE6.chargerId));
  const hasCard = op?.drivers?.some((d: any) => d.idTags?.some((t: any) => t.id === CASE6.idTag));
  if (!op || !station || !hasCard) return null;
  const ctx = p.ctx;
  const at = (s: string) => new Date(s);
  const start = at(CASE6.start).getTime();
  const stop = at(CASE6.stop).getTime();
  await ctx.db.tx((q) =>
    recordPastConnection(q, { operatorId: op.id, chargerId: CASE6.chargerId, connectedAt: at('2019-09-19T22:05:13+08:00'), disconnectedAt: at('2019-09-21T03:12:40+08:00'), closeCode: 1006, reason: 'network' }),
  );
  // a sample every 5 minutes at a steady ~24 kW, SoC 31 → 96 %
  const meterValue: MeterInput['meterValue'] = [];
  for (let t = start + 300_000; t < stop; t += 300_000) {
    const k = (t - start) / (stop - start);
    meterValue.push({
      timestamp: new Date(t).toISOString(),
      sampledValue: [
        { value: String(CASE6.meterStartWh + Math.floor(CASE6.wh * k)), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
        { value: '24120', measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' },
        { value: String(31 + Math.round(65 * k)), measurand: 'SoC', unit: 'Percent', location: 'EV', context: 'Sample.Periodic' },
      ],
    });
  }
  // start, samples and stop in one transaction: dated 2019, the session's 24 h stale job is due at once
  // and the outbox would otherwise make a placeholder order (another number) between the frames
  const sessionId = await ctx.db.tx(async (q) => {
    const { sessionId } = await recordStart(q, { operatorId: op.id, stationId: station.id, chargerId: CASE6.chargerId, connectorId: CASE6.connectorId, idTag: CASE6.idTag, meterStartWh: CASE6.meterStartWh, startedAt: at(CASE6.start), receivedAt: at(CASE6.start) });
    await recordMeterValues(q, { operatorId: op.id, chargerId: CASE6.chargerId, connectorId: CASE6.connectorId, transactionId: sessionId, meterValue });
    await recordStop(q, { operatorId: op.id, chargerId: CASE6.chargerId, transactionId: sessionId, meterStopWh: CASE6.meterStartWh + CASE6.wh, stoppedAt: at(CASE6.stop), reason: 'EVDisconnected', idTag: CASE6.idTag, receivedAt: at(CASE6.stop) });
    // the stop's settle job carries the 2019 order number from the start (the dispatcher may run it first)
    await preferOrderNumber(q, op.id, sessionId, CASE6.orderNo);
    return sessionId;
  });
  await ctx.db.tx((q) => applyConnectorStatus(q, { chargerId: CASE6.chargerId, connectorId: CASE6.connectorId, status: 'Available', at: at(CASE6.unplug), lastBootAt: null }));
  return orderForSession(ctx, op.id, sessionId, { orderNo: CASE6.orderNo });
}

/** The nine cases of the log, in the log's order and on its dates; case 6 is made from the order. */
export async function loadCaseLog(p: Platform, case6OrderNo: string): Promise<number> {
  if (!existsSync(casesFile)) return 0;
  const log = JSON.parse(readFileSync(casesFile, 'utf8')) as { operatorId: string; cases: (CaseInput & { date: string })[] };
  let n = 0;
  for (const { date, ...c } of log.cases) {
    const input = c.orderNo ? { ...c, orderNo: case6OrderNo } : c;
    await p.ctx.db.tx((q) => createCase(q, log.operatorId, input, 'demo', new Date(`${date}T10:00:00+08:00`)));
    n++;
  }
  return n;
}
