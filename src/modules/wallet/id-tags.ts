import type { Queryable } from '../../platform/db/index.ts';

import type { IdTagInfo, IdTagStatus } from '../sessions/index.ts';

export type { IdTagInfo, IdTagStatus };

/** OCPP idTagInfo for a tag of this operator: unknown → Invalid; a blocked driver blocks all their tags. */
export async function idTagInfo(q: Queryable, operatorId: string, idTag: string, at: Date): Promise<IdTagInfo> {
  const r = await q.query<{ status: string; expires_at: Date | null; driver_phone: string | null; driver_status: string | null; kind: string }>(
    `SELECT t.status, t.expires_at, t.driver_phone, d.status AS driver_status, t.kind
     FROM id_tags t LEFT JOIN drivers d ON d.operator_id = t.operator_id AND d.phone = t.driver_phone
     WHERE t.operator_id = $1 AND t.id = $2`,
    [operatorId, idTag],
  );
  const t = r.rows[0];
  if (!t) return { status: 'Invalid' };
  const base = { driverPhone: t.driver_phone, kind: t.kind, expiryDate: t.expires_at?.toISOString() };
  if (t.status === 'blocked' || t.driver_status === 'blocked') return { ...base, status: 'Blocked' };
  if (t.status === 'expired' || (t.expires_at && t.expires_at.getTime() <= at.getTime())) return { ...base, status: 'Expired' };
  return { ...base, status: 'Accepted' };
}
