import { recordStop } from '../../sessions/index.ts';
import type { Handler, MeterValue } from './types.ts';
import { faultPoint } from '../../../platform/faults.ts';

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
  // recordStop wrote the session.settle job in the same transaction: the outbox takes it from here
  faultPoint('ocpp:StopTransaction:after-commit');
  if (r.outcome === 'finished') ctx.outbox.nudge();
  return r.answer;
};
