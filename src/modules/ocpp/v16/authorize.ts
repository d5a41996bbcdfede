import { canStart, idTagInfo } from '../../wallet/index.ts';
import { activeSessionWithTag, findRemoteStart, startRefusal } from '../../sessions/index.ts';
import type { Handler } from './types.ts';

/**
 * Accepted/Blocked/Expired/Invalid from the operator's id tags; an idTag the platform itself sent in a
 * RemoteStart is Accepted. A valid card whose payer cannot afford the minimum balance to start is
 * answered Blocked (OCPP 1.6 has no "insufficient funds" status), so the charger never starts; so is a
 * member whose enterprise's caps (member or department) leave less than a start needs.
 */
export const authorize: Handler<{ idTag: string }> = async ({ ctx, conn, params }) => {
  // a quarantined charger starts nothing (1.6 has no status saying why: the reason is on the console)
  if (await startRefusal(ctx.db, conn.operatorId, conn.chargerId)) return { idTagInfo: { status: 'Blocked' } };
  if (await findRemoteStart(ctx.db, conn.chargerId, params.idTag, null)) return { idTagInfo: { status: 'Accepted' } };
  const info = await idTagInfo(ctx.db, conn.operatorId, params.idTag, ctx.clock.date());
  if (info.status === 'Accepted' && info.kind === 'card' && (await activeSessionWithTag(ctx.db, conn.operatorId, params.idTag))) return { idTagInfo: { status: 'ConcurrentTx' } };
  if (info.status === 'Accepted' && info.driverPhone) {
    const can = await canStart(ctx.db, conn.operatorId, { idTag: params.idTag }, ctx.clock.date());
    // below the balance a start needs, or an enterprise cap (issue 17) that leaves less than that
    if (!can.ok && (can.code === 'insufficient_balance' || can.code === 'enterprise_limit')) return { idTagInfo: { status: 'Blocked' } };
  }
  return { idTagInfo: info.status === 'Accepted' && info.expiryDate ? { status: info.status, expiryDate: info.expiryDate } : { status: info.status } };
};
