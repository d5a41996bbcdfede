import { recordStop } from '../../sessions/index.ts';
import type { Handler, MeterValue } from './types.ts';

interface StopTransactionReq {
  transactionId: number;
  meterStop: number;
  timestamp: string;
  idTag?: string;
  reason?: string;
  transactionData?: MeterValue[];
}

/** Always acknowledged, even for an unknown transactionId: a refused stop makes the charger retry forever. */
export const stopTransaction: Handler<StopTransactionReq> = async ({ ctx, conn, params: p, receivedAt }) => {
  const r = await ctx.db.tx((q) =>
    recordStop(q, {
      operatorId: conn.operatorId,
      chargerId: conn.chargerId,
      transactionId: p.transactionId,
      meterStopWh: p.meterStop,
      stoppedAt: new Date(p.timestamp),
      reason: p.reason,
      idTag: p.idTag,
      transactionData: p.transactionData,
      receivedAt,
    }),
  );
  if (r.outcome === 'finished' && r.session)
    ctx.events.emit('session.finished', { operatorId: conn.operatorId, sessionId: r.session.id, chargerId: conn.chargerId, connectorId: r.session.connector_id });
  return r.answer;
};
