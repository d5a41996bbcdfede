/** roaming_sessions: one partner start (StartChargeSeq) and what became of it. */
import type { Queryable } from '../../platform/db/index.ts';

export type StartState = 'starting' | 'charging' | 'stopping' | 'ended' | 'failed';

export interface RoamingSession {
  operator_id: string;
  partner_id: string;
  start_charge_seq: string;
  connector_code: string;
  charger_id: string;
  connector_id: number;
  state: StartState;
  fail_reason: number | null;
  session_id: number | null;
  order_no: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  confirmed_at: Date | null;
  auto_stop_reason: string | null;
  auto_stopped_at: Date | null;
  stop_requested_by: string | null;
  created_at: Date;
}

/** T/CEC StartChargeSeqStat: 1 starting, 2 charging, 3 stopping, 4 ended, 5 unknown. */
export const SEQ_STAT: Record<StartState, number> = { starting: 1, charging: 2, stopping: 3, ended: 4, failed: 4 };

export async function getRoamingSession(q: Queryable, operatorId: string, partnerId: string, seq: string, lock = false): Promise<RoamingSession | null> {
  const r = await q.query<RoamingSession>(
    `SELECT * FROM roaming_sessions WHERE operator_id = $1 AND partner_id = $2 AND start_charge_seq = $3 ${lock ? 'FOR UPDATE' : ''}`,
    [operatorId, partnerId, seq],
  );
  return r.rows[0] ?? null;
}

export async function roamingSessionBySession(q: Queryable, operatorId: string, sessionId: number): Promise<RoamingSession | null> {
  const r = await q.query<RoamingSession>(`SELECT * FROM roaming_sessions WHERE operator_id = $1 AND session_id = $2`, [operatorId, sessionId]);
  return r.rows[0] ?? null;
}

export async function setState(q: Queryable, s: Pick<RoamingSession, 'operator_id' | 'partner_id' | 'start_charge_seq'>, patch: Record<string, unknown>) {
  const keys = Object.keys(patch);
  const sets = keys.map((k, i) => `${k} = $${i + 4}`).join(', ');
  await q.query(`UPDATE roaming_sessions SET ${sets}, updated_at = now() WHERE operator_id = $1 AND partner_id = $2 AND start_charge_seq = $3`, [
    s.operator_id,
    s.partner_id,
    s.start_charge_seq,
    ...keys.map((k) => patch[k]),
  ]);
}
