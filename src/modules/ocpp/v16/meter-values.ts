import { meterWriter } from '../../sessions/index.ts';
import type { Handler, MeterValue } from './types.ts';

export const meterValues: Handler<{ connectorId: number; transactionId?: number; meterValue: MeterValue[] }> = async ({ ctx, conn, params: p, messageId }) => {
  // Normally already committed together with the frame's log row (ocpp/meter-frames.ts); otherwise
  // batched with other chargers' frames, resolving once this frame's samples are committed.
  const done = conn.meterCommitted.has(messageId);
  const session = done
    ? conn.meterCommitted.get(messageId)!
    : await meterWriter(ctx.db).write({ operatorId: conn.operatorId, chargerId: conn.chargerId, connectorId: p.connectorId, transactionId: p.transactionId, meterValue: p.meterValue });
  conn.meterCommitted.delete(messageId);
  if (session)
    ctx.events.emit('session.meter', {
      operatorId: conn.operatorId,
      sessionId: session.id,
      chargerId: conn.chargerId,
      connectorId: session.connector_id,
      energyWh: Math.max(0, Number(session.last_energy_wh ?? session.meter_start_wh) - Number(session.meter_start_wh)),
    });
  return {};
};
