/**
 * The case template's fields filled from the records of one order: station, city, charger, gun,
 * times and duration in the operator's time zone, energy, amount, the charger's connection state
 * during the session (现场网络连接状态) and its faults in the 7 days before it and during it
 * (近期故障状态).
 */
import type { Queryable } from '../../platform/db/index.ts';
import { notFound } from '../../platform/errors.ts';
import { getOrder, durationText, localTime } from '../orders/index.ts';
import { listStations } from '../registry/index.ts';
import { statusHistory, connectionsOverlapping, lastConnectionBefore } from '../ocpp/index.ts';
import { networkState, faultsText } from './facts.ts';
import { emptyFields, type CaseFields } from './case-format.ts';

const DAY = 86_400_000;

export interface Filled {
  fields: CaseFields;
  phone: string | null;
  stationId: string | null;
  chargerId: string;
}

export async function fieldsFromOrder(q: Queryable, operatorId: string, orderNo: string, tz: string, now: Date): Promise<Filled> {
  const o = await getOrder(q, operatorId, orderNo);
  if (!o) throw notFound(`order ${orderNo}`);
  const start = new Date(o.startTime);
  const end = o.endTime ? new Date(o.endTime) : null;
  const station = o.stationId ? (await listStations(q, operatorId)).find((s) => s.id === o.stationId) : undefined;
  const conns = await connectionsOverlapping(q, operatorId, o.chargerId, start, end ?? now);
  const last = conns.length ? null : await lastConnectionBefore(q, operatorId, o.chargerId, start);
  const faults = (await statusHistory(q, operatorId, o.chargerId, { from: new Date(start.getTime() - 7 * DAY), to: end ?? now, limit: 100, faultsOnly: true })).reverse();
  return {
    phone: o.driver?.phone ?? null,
    stationId: o.stationId,
    chargerId: o.chargerId,
    fields: {
      ...emptyFields(),
      city: station?.city ?? '',
      operator: operatorId,
      stationName: o.stationName ?? station?.name ?? '',
      orderNo: o.orderNo,
      chargerId: o.chargerId,
      connectorId: String(o.connectorId),
      startTime: localTime(o.startTime, tz),
      endTime: o.endTime ? localTime(o.endTime, tz) : '',
      duration: o.durationSeconds === null ? '' : durationText(o.durationSeconds),
      energyKwh: o.energyKwh,
      amount: o.totalAmount,
      networkState: networkState(conns, start, end, now, tz, last),
      recentFaults: faultsText(faults, tz),
    },
  };
}
