import { getChargerRow, setConnectorStatus } from '../../registry/index.ts';
import { applyConnectorStatus } from '../../sessions/index.ts';
import type { Handler } from './types.ts';

interface StatusNotificationReq {
  connectorId: number;
  errorCode: string;
  status: string;
  info?: string;
  timestamp?: string;
  vendorId?: string;
  vendorErrorCode?: string;
}

/** Live state (registry), the history of every report (the "recent faults"), and what it means for sessions. */
export const statusNotification: Handler<StatusNotificationReq> = async ({ ctx, conn, params: p, receivedAt }) => {
  const at = p.timestamp ? new Date(p.timestamp) : receivedAt;
  const { unplugged, abandoned } = await ctx.db.tx(async (q) => {
    await q.query(
      `INSERT INTO ocpp_status_history (operator_id, charger_id, connector_id, status, error_code, info, vendor_id, vendor_error_code, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [conn.operatorId, conn.chargerId, p.connectorId, p.status, p.errorCode, p.info ?? null, p.vendorId ?? null, p.vendorErrorCode ?? null, at],
    );
    if (p.connectorId === 0) return { unplugged: null, abandoned: [] }; // the whole charger: history only
    await setConnectorStatus(q, conn.chargerId, p.connectorId, p.status, p.errorCode, at);
    const charger = await getChargerRow(q, conn.chargerId);
    return applyConnectorStatus(q, { chargerId: conn.chargerId, connectorId: p.connectorId, status: p.status, at, lastBootAt: charger?.last_boot_at ?? null, receivedAt });
  });
  ctx.events.emit('connector.status', { operatorId: conn.operatorId, chargerId: conn.chargerId, connectorId: p.connectorId, status: p.status, errorCode: p.errorCode, at });
  // an unplug after the stop, and each abandoned session closed, wrote a session.settle job with the status
  if (unplugged || abandoned.length) ctx.outbox.nudge();
  return {};
};
