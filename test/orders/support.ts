import type { Db } from '../../src/platform/db/index.ts';
import { recordStart, recordMeterValues, recordStop, applyConnectorStatus, expectRemoteStart } from '../../src/modules/sessions/index.ts';
import { minimalDoc } from '../fixtures/minimal.ts';

/** minimalDoc with a tariff in force since 2019 that has a flat → peak boundary at 15:00 (case 6 crosses it). */
export function ordersDoc() {
  const doc: any = minimalDoc();
  doc.operators[0].tariffs[0].versions = [
    {
      effectiveFrom: '2019-01-01T00:00:00+08:00',
      periods: [
        { start: '00:00', type: 'valley', electricityPrice: '0.3000', servicePrice: '0.4000' },
        { start: '08:00', type: 'flat', electricityPrice: '0.7000', servicePrice: '0.8000' },
        { start: '15:00', type: 'peak', electricityPrice: '1.0000', servicePrice: '0.8000' },
        { start: '19:00', type: 'flat', electricityPrice: '0.7000', servicePrice: '0.8000' },
        { start: '23:00', type: 'valley', electricityPrice: '0.3000', servicePrice: '0.4000' },
      ],
      idleFee: { graceMinutes: 10, pricePerMinute: '0.5000', capPerSession: '20.00' },
    },
  ];
  return doc;
}

export interface SessionSpec {
  chargerId?: string;
  connectorId?: number;
  idTag?: string;
  start: string;
  stop: string;
  meterStartWh: number;
  meterStopWh: number;
  /** energy register readings between start and stop */
  samples?: [string, number][];
  soc?: [number, number];
  reason?: string;
  unplug?: string;
  /** started by a roaming partner (StartChargeSeq); driverPhone when the partner shared the driver's phone */
  partner?: { partnerId: string; startChargeSeq: string; driverPhone?: string };
  /**
   * the frames arrive now, not at the charger's times (a charger uploading an old session): the idle
   * limit (24 h after the stop arrived, server time) then cannot pass before the unplug that follows
   */
  uploadedNow?: boolean;
  /** leave the session running (no StopTransaction) */
  running?: boolean;
}

/** A session as the OCPP handlers record it, through the sessions module's own functions. */
export async function chargeSession(db: Db, s: SessionSpec): Promise<number> {
  const chargerId = s.chargerId ?? '44030700030000200016';
  const connectorId = s.connectorId ?? 1;
  // Start, samples and stop go in one transaction: the frames are dated at the charger's times (in
  // the past), so the session's 24 h stale job would already be due and the outbox could make a
  // placeholder order between two transactions, which a stop that really came within 24 h prevents.
  return db.tx(async (q) => {
    if (s.partner) await expectRemoteStart(q, { operatorId: 'op1', chargerId, connectorId, idTag: s.idTag ?? 'PARTNERTAG', origin: 'partner', ...s.partner });
    const r = await recordStart(q, { operatorId: 'op1', stationId: 's1', chargerId, connectorId, idTag: s.idTag ?? (s.partner ? 'PARTNERTAG' : 'CARD0001'), meterStartWh: s.meterStartWh, startedAt: new Date(s.start), receivedAt: s.uploadedNow ? new Date() : new Date(s.start) });
    const sessionId = r.sessionId;
    const mv = (at: string, wh: number, soc?: number) => ({
      timestamp: new Date(at).toISOString(),
      sampledValue: [
        { value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
        ...(soc === undefined ? [] : [{ value: String(soc), measurand: 'SoC', unit: 'Percent' }]),
      ],
    });
    const values = [mv(s.start, s.meterStartWh, s.soc?.[0]), ...(s.samples ?? []).map(([at, wh]) => mv(at, wh)), ...(s.soc ? [mv(s.stop, Math.max(s.meterStopWh, 0), s.soc[1])] : [])];
    await recordMeterValues(q, { operatorId: 'op1', chargerId, connectorId, transactionId: sessionId, meterValue: values as any });
    if (s.running) return sessionId;
    await recordStop(q, { operatorId: 'op1', chargerId, transactionId: sessionId, meterStopWh: s.meterStopWh, stoppedAt: new Date(s.stop), reason: s.reason ?? 'EVDisconnected', receivedAt: s.uploadedNow ? new Date() : new Date(s.stop) });
    if (s.unplug) await applyConnectorStatus(q, { chargerId, connectorId, status: 'Available', at: new Date(s.unplug!), lastBootAt: null });
    return sessionId;
  });
}
