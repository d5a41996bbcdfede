/**
 * query_start_charge / query_equip_charge_status / query_stop_charge, and the platform's own stop
 * of a partner session nobody confirmed (case 2). StartChargeSeq is the business idempotency key.
 */
import { z } from 'zod';
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { activeSessionOn, expectRemoteStart, startRefusal } from '../sessions/index.ts';
import { canStart } from '../wallet/index.ts';
import { businessError, type InboundHandler } from './inbound.ts';
import { partnerConnector } from './queries.ts';
import type { Partner } from './partners.ts';
import { chargeSnapshot } from './snapshot.ts';
import { getRoamingSession, setState, SEQ_STAT, type RoamingSession } from './state.ts';
import { parseData, seq27 } from './wire.ts';
import { orderingKey } from './topics.ts';
import { reconcileStarting } from './lifecycle.ts';
import { enqueueRemoteStop, partnerIdTag } from './remote.ts';

export const START_DEADLINE_S = 300;


export function checkSeq(partner: Partner, seq: string) {
  if (!seq.startsWith(partner.id)) throw businessError(`StartChargeSeq must start with your OperatorID ${partner.id}`);
}

const stateAnswer = (rs: RoamingSession) => ({
  StartChargeSeq: rs.start_charge_seq,
  StartChargeSeqStat: SEQ_STAT[rs.state],
  ConnectorID: rs.connector_code,
  SuccStat: rs.state === 'failed' ? 1 : 0,
  FailReason: rs.state === 'failed' ? (rs.fail_reason ?? 3) : 0,
});

export const queryStartCharge: InboundHandler = async (ctx, partner, data) => {
  const d = parseData(z.object({ StartChargeSeq: seq27, ConnectorID: z.string().min(1) }).passthrough(), data);
  checkSeq(partner, d.StartChargeSeq);
  const existing = await getRoamingSession(ctx.db, partner.operatorId, partner.id, d.StartChargeSeq);
  // A repeated start (the partner's retry after a timeout) answers the current state; never starts twice.
  if (existing) return stateAnswer(await reconcileStarting(ctx, existing));
  const refuseNow = (FailReason: number, msg: string) => ({
    StartChargeSeq: d.StartChargeSeq,
    StartChargeSeqStat: 4,
    ConnectorID: d.ConnectorID,
    SuccStat: 1,
    FailReason,
    FailReasonMsg: msg,
  });
  // A twin of this call (the partner's retry) may have won meanwhile: answer its state, never "failed".
  const refuse = async (FailReason: number, msg: string) => {
    const won = await getRoamingSession(ctx.db, partner.operatorId, partner.id, d.StartChargeSeq);
    return won ? stateAnswer(won) : refuseNow(FailReason, msg);
  };
  const hit = await partnerConnector(ctx.db, partner, d.ConnectorID);
  if (!hit) return refuse(1, '设备不存在');
  if (!hit.charger.connected) return refuse(2, '设备离线');
  if (!['Available', 'Preparing', 'SuspendedEV', 'SuspendedEVSE'].includes(hit.connector.ocppStatus)) return refuse(3, '充电枪不可用或已占用');
  if (await activeSessionOn(ctx.db, hit.chargerId, hit.connectorId)) return refuse(3, '充电枪已在充电');
  if (await startRefusal(ctx.db, partner.operatorId, hit.chargerId)) return refuse(3, '充电桩暂停服务');
  // The partner names its driver (PhoneNum extension): one of our enterprises' members past a monthly
  // cap is refused here too (issue 17.2), with the reason. Money is the partner's, so a wallet's balance is not checked.
  const phone = typeof (d as { PhoneNum?: unknown }).PhoneNum === 'string' ? String((d as { PhoneNum?: unknown }).PhoneNum).trim() : '';
  if (/^1\d{10}$/.test(phone)) {
    const may = await canStart(ctx.db, partner.operatorId, { phone }, ctx.clock.date());
    if (may.code === 'enterprise_limit') return refuse(3, `企业额度不足：${may.reason}`);
  }
  const created = await ctx.db.tx(async (q) => {
    const busy = await q.query(
      `SELECT 1 FROM roaming_sessions WHERE operator_id = $1 AND charger_id = $2 AND connector_id = $3 AND state IN ('starting', 'charging', 'stopping')
         AND NOT (partner_id = $4 AND start_charge_seq = $5)`,
      [partner.operatorId, hit.chargerId, hit.connectorId, partner.id, d.StartChargeSeq],
    );
    if (busy.rows.length) return 'busy' as const;
    const ins = await q.query(
      `INSERT INTO roaming_sessions (operator_id, partner_id, start_charge_seq, connector_code, charger_id, connector_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [partner.operatorId, partner.id, d.StartChargeSeq, d.ConnectorID, hit.chargerId, hit.connectorId],
    );
    if (!ins.rowCount) return 'duplicate' as const;
    await expectRemoteStart(q, {
      operatorId: partner.operatorId,
      chargerId: hit.chargerId,
      connectorId: hit.connectorId,
      idTag: partnerIdTag(d.StartChargeSeq),
      origin: 'partner',
      partnerId: partner.id,
      startChargeSeq: d.StartChargeSeq,
    });
    await ctx.outbox.enqueue(q, {
      operatorId: partner.operatorId,
      topic: 'roaming.remote_start',
      payload: { operatorId: partner.operatorId, partnerId: partner.id, startChargeSeq: d.StartChargeSeq },
      dedupeKey: `roaming:remote_start:${partner.operatorId}:${partner.id}:${d.StartChargeSeq}`,
      maxAttempts: 1,
    });
    // The charger has 5 minutes to send StartTransaction (the sessions module's remote-start TTL);
    // after that the start has failed, and a late StartTransaction is stopped (session.started).
    await ctx.outbox.enqueue(q, {
      operatorId: partner.operatorId,
      topic: 'roaming.start_deadline',
      payload: { operatorId: partner.operatorId, partnerId: partner.id, startChargeSeq: d.StartChargeSeq },
      dedupeKey: `roaming:start_deadline:${partner.operatorId}:${partner.id}:${d.StartChargeSeq}`,
      notBefore: new Date(ctx.clock.now() + START_DEADLINE_S * 1000 * ctx.timeScale),
    });
    return 'created' as const;
  });
  if (created === 'busy') return await refuse(3, '充电枪已在充电');
  const now = await getRoamingSession(ctx.db, partner.operatorId, partner.id, d.StartChargeSeq);
  return stateAnswer(now!);
};

export const queryEquipChargeStatus: InboundHandler = async (ctx, partner, data) => {
  const d = parseData(z.object({ StartChargeSeq: seq27 }), data);
  const rs = await getRoamingSession(ctx.db, partner.operatorId, partner.id, d.StartChargeSeq);
  if (!rs) throw businessError(`unknown StartChargeSeq ${d.StartChargeSeq}`);
  return chargeSnapshot(ctx, partner, rs, 'query');
};

export const queryStopCharge: InboundHandler = async (ctx, partner, data) => {
  const d = parseData(z.object({ StartChargeSeq: seq27, ConnectorID: z.string().optional() }), data);
  const answer = (rs: RoamingSession, SuccStat: number, FailReason: number) => ({
    StartChargeSeq: rs.start_charge_seq,
    StartChargeSeqStat: SEQ_STAT[rs.state],
    SuccStat,
    FailReason,
  });
  return ctx.db.tx(async (q) => {
    const rs = await getRoamingSession(q, partner.operatorId, partner.id, d.StartChargeSeq, true);
    if (!rs) throw businessError(`unknown StartChargeSeq ${d.StartChargeSeq}`);
    if (rs.state === 'ended' || rs.state === 'failed') return answer(rs, 1, 3);
    if (rs.state === 'stopping') return answer(rs, 0, 0);
    await setState(q, rs, { state: 'stopping', stop_requested_by: 'partner' });
    if (rs.session_id) await enqueueRemoteStop(ctx, q, rs);
    // still starting: the stop is applied as soon as StartTransaction arrives (session.started)
    return answer({ ...rs, state: 'stopping' }, 0, 0);
  });
};

export { orderingKey };
