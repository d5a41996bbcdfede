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
  // sessions this start closed as abandoned wrote their session.settle jobs in its transaction
  if (r.abandoned?.length) ctx.outbox.nudge();
  if (r.created) ctx.events.emit('session.started', { operatorId: conn.operatorId, sessionId: r.sessionId, chargerId: conn.chargerId, connectorId: p.connectorId });
  return { transactionId: r.sessionId, idTagInfo: r.idTagInfo };
};
