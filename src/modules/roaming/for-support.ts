/**
 * What support reads about one partner session (one StartChargeSeq): the roaming session's states,
 * the order versions pushed and the partner's confirmations, and the envelopes in and out that name
 * the StartChargeSeq (decrypted, credentials masked as in the envelope log), bounded in time so the envelope log is read by its time index.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { redactTcec } from './redact.ts';

/** A logged payload as JSON when it is JSON, else the text itself. */
export const parseLogged = (s: string | null): unknown => {
  if (s === null) return null;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export async function roamingTrail(q: Queryable, operatorId: string, f: { startChargeSeq: string; partnerId?: string | null; from: Date; to: Date; limit?: number }) {
  const s = await q.query(
    `SELECT * FROM roaming_sessions WHERE operator_id = $1 AND start_charge_seq = $2 AND ($3::text IS NULL OR partner_id = $3) ORDER BY created_at LIMIT 5`,
    [operatorId, f.startChargeSeq, f.partnerId ?? null],
  );
  const pushes = await q.query(
    `SELECT * FROM roaming_order_pushes WHERE operator_id = $1 AND start_charge_seq = $2 AND ($3::text IS NULL OR partner_id = $3) ORDER BY version`,
    [operatorId, f.startChargeSeq, f.partnerId ?? null],
  );
  const like = `%${f.startChargeSeq.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const env = await q.query(
    `SELECT id, partner_id, direction, interface, request_plain, response_plain, http_status, ret, error, at, done_at FROM roaming_envelopes
     WHERE operator_id = $1 AND at >= $2 AND at < $3 AND ($4::text IS NULL OR partner_id = $4) AND (request_plain LIKE $5 OR response_plain LIKE $5)
     ORDER BY at, id LIMIT $6`,
    [operatorId, f.from, f.to, f.partnerId ?? null, like, f.limit ?? 200],
  );
  return {
    sessions: s.rows.map((r: any) => ({
      partnerId: r.partner_id,
      startChargeSeq: r.start_charge_seq,
      connectorCode: r.connector_code,
      state: r.state,
      failReason: r.fail_reason,
      sessionId: r.session_id,
      orderNo: r.order_no,
      startedAt: iso(r.started_at),
      endedAt: iso(r.ended_at),
      statusPushes: r.status_pushes,
      confirmedAt: iso(r.confirmed_at),
      autoStopReason: r.auto_stop_reason,
      stopRequestedBy: r.stop_requested_by,
    })),
    confirmations: pushes.rows.map((p: any) => ({
      partnerId: p.partner_id,
      orderNo: p.order_no,
      version: p.version,
      totalFen: Number(p.total_fen),
      totalWh: Number(p.total_wh),
      confirmResult: p.confirm_result,
      confirmedAt: iso(p.confirmed_at),
      pushedAt: iso(p.created_at),
    })),
    envelopes: env.rows.map((e: any) => ({
      id: e.id,
      partnerId: e.partner_id,
      direction: e.direction,
      interface: e.interface,
      at: e.at.toISOString(),
      doneAt: iso(e.done_at),
      httpStatus: e.http_status,
      ret: e.ret,
      error: e.error,
      request: parseLogged(e.request_plain === null ? null : redactTcec(e.request_plain)),
      response: parseLogged(e.response_plain === null ? null : redactTcec(e.response_plain)),
    })),
  };
}
