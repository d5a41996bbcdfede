import type { Ctx } from '../../../platform/context.ts';
import { meterWriter, type MeterSession } from '../../sessions/index.ts';
import type { Connection } from '../connection.ts';
import type { Handler, MeterValue } from './types.ts';

export const meterValues: Handler<{ connectorId: number; transactionId?: number; meterValue: MeterValue[] }> = async ({ ctx, conn, params: p }) => {
  // Normally a MeterValues is committed together with its log row and answered without coming here
  // (ocpp/frames.ts); without that writer, its samples are batched with other chargers' frames.
  const session = await meterWriter(ctx.db).write({ operatorId: conn.operatorId, chargerId: conn.chargerId, connectorId: p.connectorId, transactionId: p.transactionId, meterValue: p.meterValue });
  meterRecorded(ctx, conn, session);
  return {};
};

/** After a MeterValues frame is committed: tells the modules above (running cost, balance watcher). */
export function meterRecorded(ctx: Ctx, conn: Connection, session: MeterSession | null) {
  if (session)
    ctx.events.emit('session.meter', {
      operatorId: conn.operatorId,
      sessionId: session.id,
      chargerId: conn.chargerId,
      connectorId: session.connector_id,
      energyWh: Math.max(0, Number(session.last_energy_wh ?? session.meter_start_wh) - Number(session.meter_start_wh)),
    });
}
