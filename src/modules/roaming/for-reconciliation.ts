/**
 * What partner reconciliation reads about partner sessions, for its root-cause hints: was the start
 * ever confirmed to the partner, was the session stopped as an unconfirmed start, which order
 * versions were pushed and did the partner acknowledge them.
 */
import type { Queryable } from '../../platform/db/index.ts';

export interface PartnerSessionFacts {
  startChargeSeq: string;
  connectorCode: string;
  state: string;
  failReason: number | null;
  confirmedAt: Date | null;
  autoStopReason: string | null;
  /** highest order version pushed, and whether the partner acknowledged it (ConfirmResult 0) */
  pushedVersion: number | null;
  pushedAcknowledged: boolean;
  lastConfirmResult: number | null;
}

export async function partnerSessionFacts(q: Queryable, operatorId: string, partnerId: string, seqs: string[]): Promise<Map<string, PartnerSessionFacts>> {
  const out = new Map<string, PartnerSessionFacts>();
  if (!seqs.length) return out;
  const s = await q.query<{ start_charge_seq: string; connector_code: string; state: string; fail_reason: number | null; confirmed_at: Date | null; auto_stop_reason: string | null }>(
    `SELECT start_charge_seq, connector_code, state, fail_reason, confirmed_at, auto_stop_reason FROM roaming_sessions
     WHERE operator_id = $1 AND partner_id = $2 AND start_charge_seq = ANY($3::text[])`,
    [operatorId, partnerId, seqs],
  );
  const p = await q.query<{ start_charge_seq: string; version: number; confirm_result: number | null }>(
    `SELECT DISTINCT ON (start_charge_seq) start_charge_seq, version, confirm_result FROM roaming_order_pushes
     WHERE operator_id = $1 AND partner_id = $2 AND start_charge_seq = ANY($3::text[]) ORDER BY start_charge_seq, version DESC`,
    [operatorId, partnerId, seqs],
  );
  const pushes = new Map(p.rows.map((x) => [x.start_charge_seq, x]));
  for (const r of s.rows) {
    const pu = pushes.get(r.start_charge_seq);
    out.set(r.start_charge_seq, {
      startChargeSeq: r.start_charge_seq,
      connectorCode: r.connector_code,
      state: r.state,
      failReason: r.fail_reason,
      confirmedAt: r.confirmed_at,
      autoStopReason: r.auto_stop_reason,
      pushedVersion: pu ? pu.version : null,
      pushedAcknowledged: pu?.confirm_result === 0,
      lastConfirmResult: pu?.confirm_result ?? null,
    });
  }
  return out;
}
