/**
 * What the platform does to a partner session on the charger side: the OCPP command service, the
 * idTag that carries a partner start, a queued RemoteStop, a stop the platform decides itself.
 * Used by both the partner's requests (charge.ts) and the session lifecycle (lifecycle.ts), so
 * neither imports the other for these.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { getRoamingSession, setState, type RoamingSession } from './state.ts';
import { recordAudit } from '../../platform/audit.ts';

/** The OCPP gateway's command service, as this module uses it. */
interface OcppCalls {
  call(chargerId: string, action: string, payload: unknown): Promise<any>;
}
export const ocppOf = (ctx: Ctx): OcppCalls | null => ((ctx.services as Record<string, unknown>).ocpp as OcppCalls | undefined) ?? null;

/** OCPP idTag (CiString20) that carries the partner start to StartTransaction. */
export const partnerIdTag = (seq: string) => `P${seq.slice(-19)}`;

export async function enqueueRemoteStop(ctx: Ctx, q: Queryable, rs: Pick<RoamingSession, 'operator_id' | 'partner_id' | 'start_charge_seq'>) {
  await ctx.outbox.enqueue(q, {
    operatorId: rs.operator_id,
    topic: 'roaming.remote_stop',
    payload: { operatorId: rs.operator_id, partnerId: rs.partner_id, startChargeSeq: rs.start_charge_seq },
    dedupeKey: `roaming:remote_stop:${rs.operator_id}:${rs.partner_id}:${rs.start_charge_seq}`,
  });
}

/**
 * The platform stops a partner session itself (nobody on the partner side records it) and writes
 * down why: on the session row and in the audit trail.
 */
export async function autoStop(ctx: Ctx, rs: RoamingSession, reason: string) {
  await ctx.db.tx(async (q) => {
    const cur = await getRoamingSession(q, rs.operator_id, rs.partner_id, rs.start_charge_seq, true);
    if (!cur || cur.state === 'ended' || cur.state === 'failed' || cur.auto_stop_reason) return;
    await setState(q, cur, { state: 'stopping', auto_stop_reason: reason, auto_stopped_at: ctx.clock.date(), stop_requested_by: 'platform' });
    await recordAudit(q, {
      operatorId: cur.operator_id,
      actor: 'platform',
      action: 'roaming.auto_stop',
      entity: 'roaming_session',
      entityId: `${cur.partner_id}:${cur.start_charge_seq}`,
      reason,
      after: { sessionId: cur.session_id, chargerId: cur.charger_id, connectorId: cur.connector_id },
    });
    if (cur.session_id) await enqueueRemoteStop(ctx, q, cur);
  });
  ctx.log.warn({ operatorId: rs.operator_id, partnerId: rs.partner_id, startChargeSeq: rs.start_charge_seq, reason }, 'partner session stopped by the platform');
}
