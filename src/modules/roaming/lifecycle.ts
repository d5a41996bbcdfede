/** What happens to a partner session as the charger reports it, and the partner's answers to our pushes. */
import type { Ctx } from '../../platform/context.ts';
import { RetryLater } from '../../platform/outbox.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { activeSessionOn, getSession, onSessionEnd, type SessionRow } from '../sessions/index.ts';
import { listChargers } from '../registry/index.ts';
import { autoStop, enqueueRemoteStop, ocppOf, partnerIdTag } from './remote.ts';
import { connectorCode } from './connector-id.ts';
import { listPartners } from './partners.ts';
import { chargeSnapshot } from './snapshot.ts';
import { getRoamingSession, roamingSessionBySession, setState, type RoamingSession } from './state.ts';
import { enqueuePush, loadPartner, loadSession, type PushEffect } from './topics.ts';
import { tcecStatus, wireTime } from './wire.ts';

const confirmKey = (rs: Pick<RoamingSession, 'operator_id' | 'partner_id' | 'start_charge_seq'>) =>
  `roaming:confirm:${rs.operator_id}:${rs.partner_id}:${rs.start_charge_seq}`;
const ref = (rs: RoamingSession) => ({ operatorId: rs.operator_id, partnerId: rs.partner_id, startChargeSeq: rs.start_charge_seq });

export function registerLifecycle(ctx: Ctx) {
  const ob = ctx.outbox;
  const scaled = (s: number) => new Date(ctx.clock.now() + s * 1000 * ctx.timeScale);

  ob.register(
    'roaming.remote_start',
    async (row) => {
      const rs = await loadSession(ctx, row.payload);
      if (!rs || rs.state !== 'starting') return { skipped: rs?.state ?? 'missing' };
      const ocpp = ocppOf(ctx);
      let status = 'Unavailable';
      try {
        if (!ocpp) throw new Error('the OCPP gateway is not running');
        const r = await ocpp.call(rs.charger_id, 'RemoteStartTransaction', { connectorId: rs.connector_id, idTag: partnerIdTag(rs.start_charge_seq) });
        status = r?.status ?? 'Rejected';
      } catch (e) {
        status = `error: ${e instanceof Error ? e.message : String(e)}`;
      }
      if (status === 'Accepted') return { status };
      await ctx.db.tx(async (q) => {
        const cur = await getRoamingSession(q, rs.operator_id, rs.partner_id, rs.start_charge_seq, true);
        if (!cur || cur.state !== 'starting' || cur.session_id) return; // StartTransaction won the race
        await setState(q, cur, { state: 'failed', fail_reason: 2, ended_at: ctx.clock.date() });
        await enqueuePush(ctx, q, {
          ...ref(cur),
          iface: 'notification_start_charge_result',
          data: { StartChargeSeq: cur.start_charge_seq, StartChargeSeqStat: 4, ConnectorID: cur.connector_code, StartTime: wireTime(ctx.clock.date()), IdentCode: '', FailReason: 2 },
        });
      });
      return { status };
    },
    { maxAttempts: 1 },
  );

  ob.register('roaming.start_deadline', async (row) => {
    const rs0 = await loadSession(ctx, row.payload);
    if (!rs0 || rs0.state !== 'starting' || rs0.session_id) return { skipped: rs0?.state ?? 'missing' };
    const rs = await reconcileStarting(ctx, rs0);
    if (rs.state !== 'starting' || rs.session_id) return { linked: rs.session_id };
    await ctx.db.tx(async (q) => {
      const cur = await getRoamingSession(q, rs.operator_id, rs.partner_id, rs.start_charge_seq, true);
      if (!cur || cur.state !== 'starting' || cur.session_id) return;
      await setState(q, cur, { state: 'failed', fail_reason: 4, ended_at: ctx.clock.date() });
      await enqueuePush(ctx, q, {
        ...ref(cur),
        iface: 'notification_start_charge_result',
        data: { StartChargeSeq: cur.start_charge_seq, StartChargeSeqStat: 4, ConnectorID: cur.connector_code, StartTime: wireTime(ctx.clock.date()), IdentCode: '', FailReason: 4 },
      });
    });
    return { failed: true };
  });

  ob.register('roaming.remote_stop', async (row) => {
    const rs = await loadSession(ctx, row.payload);
    if (!rs || !rs.session_id || rs.state === 'ended') return { skipped: true };
    const ocpp = ocppOf(ctx);
    if (!ocpp) throw new Error('the OCPP gateway is not running');
    const r = await ocpp.call(rs.charger_id, 'RemoteStopTransaction', { transactionId: rs.session_id });
    if (r?.status !== 'Accepted') throw new Error(`charger answered RemoteStopTransaction ${r?.status}`);
    return r;
  });

  ob.register('roaming.confirm_timeout', async (row) => {
    const rs = await loadSession(ctx, row.payload);
    if (!rs || rs.confirmed_at || rs.state === 'ended' || rs.state === 'failed') return { skipped: true };
    const partner = await loadPartner(ctx, rs.operator_id, rs.partner_id);
    await autoStop(ctx, rs, `the partner did not confirm notification_start_charge_result within ${partner.startConfirmTimeoutSeconds} s`);
    return { stopped: true };
  });

  ob.register('roaming.status_tick', async (row) => {
    const rs = await loadSession(ctx, row.payload);
    if (!rs || rs.state !== 'charging') return { done: true };
    // the session ended but its settle job has not run yet (it is retrying): tell the partner now
    const live = rs.session_id ? await getSession(ctx.db, rs.operator_id, rs.session_id) : null;
    if (live?.status === 'finished') {
      await finishSession(ctx, rs);
      return { done: true };
    }
    const partner = await loadPartner(ctx, rs.operator_id, rs.partner_id);
    const data = await chargeSnapshot(ctx, partner, rs, 'notify');
    const n = Number(row.payload.n ?? 0) + 1;
    await ctx.db.tx(async (q) => {
      await enqueuePush(ctx, q, { ...ref(rs), iface: 'notification_equip_charge_status', data }, `roaming:status:${rs.operator_id}:${rs.partner_id}:${rs.start_charge_seq}:${n}`);
      await ctx.outbox.enqueue(q, {
        operatorId: rs.operator_id,
        topic: 'roaming.status_tick',
        payload: { ...ref(rs), n },
        dedupeKey: `roaming:tick:${rs.operator_id}:${rs.partner_id}:${rs.start_charge_seq}:${n}`,
        notBefore: scaled(60),
      });
    });
    return { n };
  });

  ctx.events.on('session.started', async (e) => {
    const s = await getSession(ctx.db, e.operatorId, e.sessionId);
    if (s) await linkSession(ctx, s);
  });
  // the end of a partner session is a step of the durable session.settle job (its transaction)
  onSessionEnd(ctx, async (q, e) => {
    if (!e.finished) return;
    const rs = await roamingSessionBySession(q, e.operatorId, e.sessionId);
    if (rs) await finishSessionIn(ctx, q, rs);
  });

  // A charger that drops off the network takes its connectors offline (Status 0) for the partners.
  ctx.events.on('charger.connection', async (e) => {
    if (e.connected) return;
    const [c] = await listChargers(ctx.db, { operatorId: e.operatorId, id: e.chargerId });
    if (!c?.stationId) return;
    const partners = (await listPartners(ctx.db, e.operatorId)).filter((p) => p.stations.includes(c.stationId!));
    if (!partners.length) return;
    await ctx.db.tx(async (q) => {
      for (const p of partners)
        for (const x of c.connectors)
          await enqueuePush(ctx, q, {
            operatorId: e.operatorId,
            partnerId: p.id,
            iface: 'notification_stationStatus',
            data: { ConnectorStatusInfo: { ConnectorID: connectorCode(c.id, x.connectorId), Status: 0, ParkStatus: 0, LockStatus: 0 } },
          });
    });
  });

  ctx.events.on('connector.status', async (e) => {
    const partners = (await listPartners(ctx.db, e.operatorId)).filter((p) => p.stations.length);
    if (!partners.length) return;
    const [c] = await listChargers(ctx.db, { operatorId: e.operatorId, id: e.chargerId });
    if (!c?.stationId || e.connectorId < 1) return;
    const Status = tcecStatus(e.status, c.connected || e.status !== 'Offline');
    await ctx.db.tx(async (q) => {
      for (const p of partners.filter((x) => x.stations.includes(c.stationId!)))
        await enqueuePush(ctx, q, {
          operatorId: e.operatorId,
          partnerId: p.id,
          iface: 'notification_stationStatus',
          data: { ConnectorStatusInfo: { ConnectorID: connectorCode(e.chargerId, e.connectorId), Status, ParkStatus: 0, LockStatus: 0 } },
        });
    });
  });
}

/** The partner's answers to our session pushes. */
export const sessionEffects: Record<string, PushEffect> = {
  async notification_start_charge_result(ctx, _partner, p, answer) {
    const rs = p.startChargeSeq ? await loadSession(ctx, { operatorId: p.operatorId, partnerId: p.partnerId, startChargeSeq: p.startChargeSeq }) : null;
    if (!rs || p.data.StartChargeSeqStat !== 2) return;
    if (answer.SuccStat === 0) {
      await ctx.db.tx(async (q) => {
        await setState(q, rs, { confirmed_at: ctx.clock.date() });
        await ctx.outbox.cancel(q, confirmKey(rs));
      });
    } else {
      await autoStop(ctx, rs, `the partner answered notification_start_charge_result with SuccStat ${answer.SuccStat} FailReason ${answer.FailReason}: it does not know the session`);
    }
  },
  async notification_equip_charge_status(ctx, _partner, p, answer) {
    if (answer.SuccStat === undefined || answer.SuccStat === 0 || !p.startChargeSeq) return;
    const rs = await loadSession(ctx, { operatorId: p.operatorId, partnerId: p.partnerId, startChargeSeq: p.startChargeSeq });
    if (rs && rs.state === 'charging') await autoStop(ctx, rs, `the partner rejected notification_equip_charge_status (SuccStat ${answer.SuccStat}): it does not know the session`);
  },
};

export { RetryLater };

/**
 * Links a partner session the charger started (StartTransaction claimed our remote start) to its
 * StartChargeSeq: push the start result, arm the confirmation timer and the 60 s status ticks; or
 * stop it at once when the partner stopped (or the start failed) before the charger started.
 * Called on session.started and again by the start deadline and by a repeated start, so a lost
 * in-process event never leaves a charging session "starting".
 */
export async function linkSession(ctx: Ctx, s: SessionRow) {
  if (s.origin !== 'partner' || !s.partner_id || !s.start_charge_seq) return;
  const scaled = (sec: number) => new Date(ctx.clock.now() + sec * 1000 * ctx.timeScale);
  let rs: RoamingSession | null = await getRoamingSession(ctx.db, s.operator_id, s.partner_id, s.start_charge_seq);
  if (!rs) return;
  const partner = await loadPartner(ctx, rs.operator_id, rs.partner_id);
  await ctx.db.tx(async (q) => {
    const cur = (await getRoamingSession(q, rs!.operator_id, rs!.partner_id, rs!.start_charge_seq, true))!;
    if (cur.session_id) return;
    const stopFirst = cur.state === 'stopping' || cur.state === 'failed';
    await setState(q, cur, { session_id: s.id, started_at: s.started_at, ...(stopFirst ? { state: 'stopping' } : { state: 'charging' }) });
    rs = { ...cur, session_id: s.id, state: stopFirst ? 'stopping' : 'charging' };
    if (stopFirst) {
      // the partner stopped (or we gave up) before the charger started: stop it at once
      if (cur.state === 'failed') await setState(q, cur, { auto_stop_reason: 'the charger started after the start had failed', stop_requested_by: 'platform' });
      await enqueueRemoteStop(ctx, q, rs);
      return;
    }
    await enqueuePush(ctx, q, {
      ...ref(rs),
      iface: 'notification_start_charge_result',
      data: { StartChargeSeq: cur.start_charge_seq, StartChargeSeqStat: 2, ConnectorID: cur.connector_code, StartTime: wireTime(s.started_at), IdentCode: '' },
    });
    await ctx.outbox.enqueue(q, {
      operatorId: cur.operator_id,
      topic: 'roaming.confirm_timeout',
      payload: ref(rs),
      dedupeKey: confirmKey(cur),
      notBefore: scaled(partner.startConfirmTimeoutSeconds),
    });
    await ctx.outbox.enqueue(q, {
      operatorId: cur.operator_id,
      topic: 'roaming.status_tick',
      payload: { ...ref(rs), n: 0 },
      dedupeKey: `roaming:tick:${cur.operator_id}:${cur.partner_id}:${cur.start_charge_seq}:0`,
      notBefore: scaled(60),
    });
  });
}

/** A start still "starting": if the charger in fact runs its session (a lost event), link it now. */
export async function reconcileStarting(ctx: Ctx, rs: RoamingSession): Promise<RoamingSession> {
  if (rs.state !== 'starting' || rs.session_id) return rs;
  const s = await activeSessionOn(ctx.db, rs.charger_id, rs.connector_id);
  if (!s || s.operator_id !== rs.operator_id || s.partner_id !== rs.partner_id || s.start_charge_seq !== rs.start_charge_seq) return rs;
  await linkSession(ctx, s);
  return (await getRoamingSession(ctx.db, rs.operator_id, rs.partner_id, rs.start_charge_seq)) ?? rs;
}

/** The charger ended a partner session: mark it ended and tell the partner (once). */
export async function finishSession(ctx: Ctx, rs: RoamingSession) {
  await ctx.db.tx((q) => finishSessionIn(ctx, q, rs));
}

async function finishSessionIn(ctx: Ctx, q: Queryable, rs: RoamingSession) {
  const cur = await getRoamingSession(q, rs.operator_id, rs.partner_id, rs.start_charge_seq, true);
  if (!cur || cur.state === 'ended') return;
  await setState(q, cur, { state: 'ended', ended_at: ctx.clock.date() });
  await ctx.outbox.cancel(q, confirmKey(cur));
  await enqueuePush(
    ctx,
    q,
    {
      ...ref(cur),
      iface: 'notification_stop_charge_result',
      data: { StartChargeSeq: cur.start_charge_seq, StartChargeSeqStat: 4, ConnectorID: cur.connector_code, SuccStat: 0, FailReason: 0 },
    },
    `roaming:stopped:${cur.operator_id}:${cur.partner_id}:${cur.start_charge_seq}`,
  );
}
