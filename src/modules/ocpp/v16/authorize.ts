import { idTagInfo } from '../../wallet/index.ts';
import { findRemoteStart } from '../../sessions/index.ts';
import type { Handler } from './types.ts';

/** Accepted/Blocked/Expired/Invalid from the operator's id tags; an idTag the platform itself sent in a RemoteStart is Accepted. */
export const authorize: Handler<{ idTag: string }> = async ({ ctx, conn, params }) => {
  if (await findRemoteStart(ctx.db, conn.chargerId, params.idTag, null)) return { idTagInfo: { status: 'Accepted' } };
  const info = await idTagInfo(ctx.db, conn.operatorId, params.idTag);
  return { idTagInfo: info.status === 'Accepted' && info.expiryDate ? { status: info.status, expiryDate: info.expiryDate } : { status: info.status } };
};
