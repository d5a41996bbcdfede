import type { Queryable } from '../../platform/db/index.ts';

export interface ExpectRemoteStartInput {
  operatorId: string;
  chargerId: string;
  /** null or 0: whichever connector the charger picks */
  connectorId: number | null;
  idTag: string;
  origin: 'app' | 'partner' | 'staff';
  driverPhone?: string | null;
  partnerId?: string | null;
  startChargeSeq?: string | null;
  /** how long the charger has to send StartTransaction; default 5 minutes */
  ttlSeconds?: number;
}

/**
 * Records that the platform asked a charger to start (RemoteStartTransaction on behalf of the app, a
 * partner or staff). Call it in the same transaction as the caller's own record, before sending the
 * command: the charger may answer with StartTransaction before the command's own answer arrives.
 */
export async function expectRemoteStart(q: Queryable, input: ExpectRemoteStartInput): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO pending_remote_starts (operator_id, charger_id, connector_id, id_tag, origin, driver_phone, partner_id, start_charge_seq, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9)) RETURNING id`,
    [
      input.operatorId,
      input.chargerId,
      input.connectorId || null,
      input.idTag,
      input.origin,
      input.driverPhone ?? null,
      input.partnerId ?? null,
      input.startChargeSeq ?? null,
      input.ttlSeconds ?? 300,
    ],
  );
  return r.rows[0].id;
}

export interface PendingRemoteStart {
  id: number;
  origin: 'app' | 'partner' | 'staff';
  driver_phone: string | null;
  partner_id: string | null;
  start_charge_seq: string | null;
}

/** The newest unexpired, unclaimed remote start for this idTag on this charger (and connector). */
export async function findRemoteStart(q: Queryable, chargerId: string, idTag: string, connectorId: number | null, lock = false): Promise<PendingRemoteStart | null> {
  const r = await q.query<PendingRemoteStart>(
    `SELECT id, origin, driver_phone, partner_id, start_charge_seq FROM pending_remote_starts
     WHERE charger_id = $1 AND id_tag = $2 AND claimed_session_id IS NULL AND expires_at > now()
       AND ($3::int IS NULL OR connector_id IS NULL OR connector_id = $3)
     ORDER BY id DESC LIMIT 1 ${lock ? 'FOR UPDATE' : ''}`,
    [chargerId, idTag, connectorId],
  );
  return r.rows[0] ?? null;
}

export async function claimRemoteStart(q: Queryable, id: number, sessionId: number) {
  await q.query(`UPDATE pending_remote_starts SET claimed_session_id = $2, claimed_at = now() WHERE id = $1`, [id, sessionId]);
}
