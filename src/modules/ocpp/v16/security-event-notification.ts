import type { Handler } from './types.ts';

/** 1.6 security whitepaper A04: the charger's own security events join the platform's. */
export const securityEventNotification: Handler<{ type: string; timestamp: string; techInfo?: string }> = async ({ ctx, conn, params }) => {
  await ctx.db.query(`INSERT INTO ocpp_security_events (operator_id, charger_id, kind, remote_address, details) VALUES ($1, $2, $3, $4, $5)`, [
    conn.operatorId,
    conn.chargerId,
    params.type,
    conn.remoteAddress,
    JSON.stringify({ source: 'charger', timestamp: params.timestamp, techInfo: params.techInfo ?? null }),
  ]);
  return {};
};
