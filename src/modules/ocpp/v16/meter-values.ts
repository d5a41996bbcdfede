import { recordMeterValues } from '../../sessions/index.ts';
import type { Handler, MeterValue } from './types.ts';

export const meterValues: Handler<{ connectorId: number; transactionId?: number; meterValue: MeterValue[] }> = async ({ ctx, conn, params: p }) => {
  const r = await recordMeterValues(ctx.db, { operatorId: conn.operatorId, chargerId: conn.chargerId, connectorId: p.connectorId, transactionId: p.transactionId, meterValue: p.meterValue });
  if (r.session)
    ctx.events.emit('session.meter', {
      operatorId: conn.operatorId,
      sessionId: r.session.id,
      chargerId: conn.chargerId,
      connectorId: r.session.connector_id,
      energyWh: Math.max(0, Number(r.session.last_energy_wh ?? r.session.meter_start_wh) - Number(r.session.meter_start_wh)),
    });
  return {};
};
