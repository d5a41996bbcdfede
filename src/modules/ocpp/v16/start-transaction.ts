import { recordStart } from '../../sessions/index.ts';
import type { Handler } from './types.ts';

interface StartTransactionReq {
  connectorId: number;
  idTag: string;
  meterStart: number;
  reservationId?: number;
  timestamp: string;
}

export const startTransaction: Handler<StartTransactionReq> = async ({ ctx, conn, params: p, receivedAt }) => {
  const r = await ctx.db.tx((q) =>
    recordStart(q, {
      operatorId: conn.operatorId,
      stationId: conn.stationId,
      chargerId: conn.chargerId,
      connectorId: p.connectorId,
      idTag: p.idTag,
      meterStartWh: p.meterStart,
      startedAt: new Date(p.timestamp),
      reservationId: p.reservationId,
      receivedAt,
    }),
  );
  for (const s of r.abandoned ?? []) ctx.events.emit('session.finished', { operatorId: s.operator_id, sessionId: s.id, chargerId: s.charger_id, connectorId: s.connector_id });
  if (r.created) ctx.events.emit('session.started', { operatorId: conn.operatorId, sessionId: r.sessionId, chargerId: conn.chargerId, connectorId: p.connectorId });
  return { transactionId: r.sessionId, idTagInfo: r.idTagInfo };
};
