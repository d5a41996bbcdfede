import type { Handler } from './types.ts';

export const firmwareStatusNotification: Handler<{ status: string }> = async ({ ctx, conn, params }) => {
  await ctx.db.query(
    `INSERT INTO ocpp_charger_state (charger_id, operator_id, firmware_status, firmware_status_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (charger_id) DO UPDATE SET firmware_status = EXCLUDED.firmware_status, firmware_status_at = EXCLUDED.firmware_status_at`,
    [conn.chargerId, conn.operatorId, params.status],
  );
  return {};
};
