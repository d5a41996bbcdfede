import type { Handler } from './types.ts';

export const diagnosticsStatusNotification: Handler<{ status: string }> = async ({ ctx, conn, params }) => {
  await ctx.db.query(
    `INSERT INTO ocpp_charger_state (charger_id, operator_id, diagnostics_status, diagnostics_status_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (charger_id) DO UPDATE SET diagnostics_status = EXCLUDED.diagnostics_status, diagnostics_status_at = EXCLUDED.diagnostics_status_at`,
    [conn.chargerId, conn.operatorId, params.status],
  );
  return {};
};
