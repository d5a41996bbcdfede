import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.ts';
import { activeSessionOn, getSession } from '../sessions/index.ts';
import { ChargerOffline, ChargerPending, CommandInvalid, CommandRejected, CommandTimeout } from '../ocpp/index.ts';
import { getIncident, recordAction, incidentActions, type IncidentView } from './store.ts';

export const ACTIONS = ['confirm', 'dismiss', 'remote_stop', 'set_inoperative', 'quarantine', 'release'] as const;
export type IncidentAction = (typeof ACTIONS)[number];

/** Why a charger refuses new sessions (the start guard), or null. */
export async function quarantineReason(q: Queryable, operatorId: string, chargerId: string): Promise<string | null> {
  const r = await q.query<{ reason: string; incident_id: number | null; since: Date }>(
    `SELECT reason, incident_id, since FROM charger_quarantines WHERE charger_id = $1 AND operator_id = $2 AND released_at IS NULL`,
    [chargerId, operatorId],
  );
  const x = r.rows[0];
  if (!x) return null;
  return `charger ${chargerId} is quarantined since ${x.since.toISOString()}${x.incident_id ? ` (incident ${x.incident_id})` : ''}: ${x.reason}; new sessions are refused until staff release it`;
}

export async function quarantineOf(q: Queryable, operatorId: string, chargerId: string) {
  const r = await q.query<{ id: number; reason: string; incident_id: number | null; since: Date; by: string }>(
    `SELECT id, reason, incident_id, since, by FROM charger_quarantines WHERE charger_id = $1 AND operator_id = $2 AND released_at IS NULL`,
    [chargerId, operatorId],
  );
  const x = r.rows[0];
  return x ? { id: Number(x.id), reason: x.reason, incidentId: x.incident_id === null ? null : Number(x.incident_id), since: x.since.toISOString(), by: x.by } : null;
}

/** An OCPP command's failure in HTTP terms (as the charger command route answers). */
function commandError(e: unknown, chargerId: string, action: string): never {
  if (e instanceof CommandInvalid) throw new AppError(400, 'invalid_payload', e.message);
  if (e instanceof ChargerOffline) throw new AppError(409, 'charger_offline', `charger ${chargerId} is not connected; ${action} was not sent`);
  if (e instanceof ChargerPending) throw new AppError(409, 'charger_pending', e.message);
  if (e instanceof CommandTimeout) throw new AppError(504, 'command_timeout', e.message);
  if (e instanceof CommandRejected) throw new AppError(502, 'command_rejected', e.message, { ocppErrorCode: e.ocppCode });
  throw e;
}

/**
 * One action from an incident. Decisions (confirm, dismiss) need a note and move an open incident
 * only; the charger actions send their OCPP command and record what the charger answered; quarantine
 * and release are database state the start guard reads. Every action leaves a row with its actor.
 */
export async function runAction(ctx: Ctx, operatorId: string, id: number, action: IncidentAction, actor: string, note: string | undefined): Promise<{ incident: IncidentView; outcome: unknown; actions: unknown[] }> {
  const inc = await getIncident(ctx.db, operatorId, id);
  if (!inc) throw notFound(`incident ${id}`);
  const now = ctx.clock.date();
  let outcome: unknown;
  if (action === 'confirm' || action === 'dismiss') {
    if (!note?.trim()) throw badRequest(`${action} needs a note saying why`);
    outcome = await ctx.db.tx(async (q) => {
      const cur = await getIncident(q, operatorId, id, true);
      if (cur!.status !== 'open') throw conflict(`incident ${id} is already ${cur!.status}`);
      await q.query(`UPDATE security_incidents SET status = $3, note = $4, decided_by = $5, decided_at = $6, updated_at = $6 WHERE operator_id = $1 AND id = $2`, [
        operatorId,
        id,
        action === 'confirm' ? 'confirmed' : 'dismissed',
        note.trim(),
        actor,
        now,
      ]);
      await recordAction(q, operatorId, id, action, actor, { note: note.trim() }, now);
      return { status: action === 'confirm' ? 'confirmed' : 'dismissed' };
    });
  } else if (action === 'remote_stop') {
    const gw = ctx.services.ocpp;
    if (!gw) throw new AppError(503, 'unavailable', 'the OCPP gateway is not running');
    const s = inc.connectorId ? await activeSessionOn(ctx.db, inc.chargerId, inc.connectorId) : inc.sessionId ? await getSession(ctx.db, operatorId, inc.sessionId) : null;
    if (!s || s.status !== 'active') throw conflict(`no session is running on ${inc.chargerId}${inc.connectorId ? ` connector ${inc.connectorId}` : ''}; nothing to stop`);
    const answer = await gw.call(inc.chargerId, 'RemoteStopTransaction', { transactionId: Number(s.id) }).catch((e) => commandError(e, inc.chargerId, 'RemoteStopTransaction'));
    outcome = { transactionId: Number(s.id), chargerAnswer: answer };
    await recordAction(ctx.db, operatorId, id, action, actor, outcome, now);
  } else if (action === 'set_inoperative') {
    const gw = ctx.services.ocpp;
    if (!gw) throw new AppError(503, 'unavailable', 'the OCPP gateway is not running');
    const connectorId = inc.connectorId ?? 0;
    const answer = await gw.call(inc.chargerId, 'ChangeAvailability', { connectorId, type: 'Inoperative' }).catch((e) => commandError(e, inc.chargerId, 'ChangeAvailability'));
    outcome = { connectorId, chargerAnswer: answer };
    await recordAction(ctx.db, operatorId, id, action, actor, outcome, now);
  } else if (action === 'quarantine') {
    const reason = note?.trim() || `${inc.kind.replace(/_/g, ' ')} incident`;
    outcome = await ctx.db.tx(async (q) => {
      const ins = await q.query(
        `INSERT INTO charger_quarantines (operator_id, charger_id, incident_id, reason, since, by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (charger_id) WHERE released_at IS NULL DO NOTHING RETURNING id`,
        [operatorId, inc.chargerId, id, reason, now, actor],
      );
      if (!ins.rows.length) throw conflict(`charger ${inc.chargerId} is already quarantined`);
      await recordAction(q, operatorId, id, action, actor, { reason }, now);
      return { quarantined: inc.chargerId, reason };
    });
  } else {
    outcome = await ctx.db.tx(async (q) => {
      const up = await q.query(`UPDATE charger_quarantines SET released_at = $3, released_by = $4 WHERE operator_id = $1 AND charger_id = $2 AND released_at IS NULL RETURNING id`, [operatorId, inc.chargerId, now, actor]);
      if (!up.rows.length) throw conflict(`charger ${inc.chargerId} is not quarantined`);
      await recordAction(q, operatorId, id, action, actor, { note: note?.trim() ?? null }, now);
      return { released: inc.chargerId };
    });
  }
  return { incident: (await getIncident(ctx.db, operatorId, id))!, outcome, actions: await incidentActions(ctx.db, operatorId, id) };
}
