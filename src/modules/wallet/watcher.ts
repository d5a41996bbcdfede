/**
 * The balance watcher: on every 'session.meter' of a session a driver pays for, compare the running
 * cost with what the payer can spend, less a margin for energy still flowing; once they meet, ask
 * the charger (through the outbox, once per session) to stop. A session an enterprise pays for also
 * stops at what the enterprise's caps leave (limit-stop.ts). See docs/wallet.md, docs/enterprise.md.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { formatYuan } from '../../platform/money.ts';
import { mustStop, stopMarginFen } from './ledger-core.ts';
import { availableFen, holdOf } from './holds.ts';
import { memberAllowance, payerAccount, payerFor } from './payer.ts';
import { enterpriseLimitStop } from './limit-stop.ts';
import { walletSettings } from './settings.ts';
import { watchedSession, type WatchedSession } from './running-cost.ts';
import { tariffVersionCache } from '../tariffs/index.ts';

export const REMOTE_STOP_TOPIC = 'wallet.remote_stop';
/** Minimum spacing of balance checks for one session (the stop margin covers what flows meanwhile). */
export const CHECK_EVERY_MS = 5_000;

export interface WatchDeps {
  session(q: Queryable, operatorId: string, sessionId: number): Promise<WatchedSession | null>;
}
export const defaultDeps: WatchDeps = { session: watchedSession };
/** The running watcher's reads: the frozen tariff version from the versions-in-force cache shared per ctx. */
export const cachedDeps = (ctx: Pick<Ctx, 'clock'>): WatchDeps => {
  const version = tariffVersionCache(ctx);
  return { session: (q, operatorId, sessionId) => watchedSession(q, operatorId, sessionId, version) };
};

export type WatchOutcome =
  | { action: 'none'; why: string }
  | { action: 'stop'; costFen: number; availableFen: number; marginFen: number; queued: boolean };

type Decision =
  | { action: 'none'; why: string }
  | { action: 'stop'; s: WatchedSession; payer: Awaited<ReturnType<typeof payerFor>>; avail: number; margin: number; hold: number; reason: string };

/** Reads only: must this session stop now? (the payer's balance, then an enterprise's caps at `now`) */
async function decide(q: Queryable, operatorId: string, sessionId: number, deps: WatchDeps, now: Date): Promise<Decision> {
  const s = await deps.session(q, operatorId, sessionId);
  if (!s) return { action: 'none', why: 'no such session' };
  if (!s.active) return { action: 'none', why: 'session finished' };
  if (!s.driverPhone || s.origin === 'partner') return { action: 'none', why: 'nobody pays from a balance here' };
  if (s.costFen === null) return { action: 'none', why: 'no running cost yet' };
  const payer = await payerFor(q, operatorId, s.driverPhone);
  // what this session may spend: what is available to nobody else (balance less what is owed and
  // less every OTHER session's or refund's hold), i.e. available plus its own hold (issue 11, point 5)
  const own = await holdOf(q, operatorId, 'session', String(sessionId));
  const hold = own?.held ? own.amountFen : 0;
  const avail = (await availableFen(q, operatorId, payer)) + hold;
  const st = await walletSettings(q, operatorId);
  const margin = stopMarginFen({ costFen: s.costFen, energyWh: s.energyWh, powerW: s.powerW, horizonSeconds: st.stopHorizonSeconds, minMarginFen: st.stopMarginFen });
  if (mustStop(s.costFen, avail, margin)) return { action: 'stop', s, payer, avail, margin, hold, reason: stopReason(s.costFen, avail, margin, hold) };
  if (payer.method === 'enterprise') {
    // the enterprise's caps (issue 17): the same watcher and threshold, never a second one
    const lim = enterpriseLimitStop(await memberAllowance(q, operatorId, s.driverPhone, now), s as { costFen: number; energyWh: number; powerW: number | null }, margin, st.stopHorizonSeconds, payer.enterpriseId);
    if (lim) return { action: 'stop', s, payer, avail: lim.capFen === null ? avail : Math.min(avail, lim.capFen), margin, hold, reason: lim.reason };
  }
  return { action: 'none', why: 'enough balance' };
}

/** Decides for one session and, when it must stop, records it and enqueues the remote stop in the same transaction. */
export async function watchSession(ctx: Pick<Ctx, 'outbox'>, q: Queryable, operatorId: string, sessionId: number, deps: WatchDeps = defaultDeps): Promise<WatchOutcome> {
  const d = await decide(q, operatorId, sessionId, deps, ctx.outbox.clock.date());
  if (d.action === 'none') return d;
  const { s, payer, avail, margin, hold, reason } = d;
  if (s.costFen === null) return { action: 'none', why: 'no running cost yet' };
  const acct = payerAccount(payer);
  const ins = await q.query(
    `INSERT INTO wallet_session_stops (operator_id, session_id, payer_kind, payer_ref, cost_fen, available_fen, margin_fen, hold_fen, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (operator_id, session_id) DO NOTHING RETURNING session_id`,
    [operatorId, sessionId, acct.kind, acct.ref, s.costFen, avail, margin, hold, reason],
  );
  if (ins.rows[0])
    await ctx.outbox.enqueue(q, {
      operatorId,
      topic: REMOTE_STOP_TOPIC,
      dedupeKey: `wallet-stop:${operatorId}:${sessionId}`,
      payload: { chargerId: s.chargerId, transactionId: sessionId, costFen: s.costFen, availableFen: avail, marginFen: margin, reason },
    });
  return { action: 'stop', costFen: s.costFen, availableFen: avail, marginFen: margin, queued: !!ins.rows[0] };
}

/** The stop's reason in words, kept with the stop (wallet_session_stops.reason) and in the log. */
export const stopReason = (costFen: number, availFen: number, marginFen: number, holdFen: number) =>
  `balance_exhausted: running cost ${formatYuan(costFen)} yuan + stop threshold ${formatYuan(marginFen)} yuan reached the ${formatYuan(availFen)} yuan this session may spend (available + its hold of ${formatYuan(holdFen)} yuan)`;

type OcppCaller = { call(chargerId: string, action: string, payload: unknown): Promise<any> };

/** Subscribes to meter events and delivers the remote stops (retried by the outbox until the charger answers). */
export function startWatcher(ctx: Ctx, deps: WatchDeps = cachedDeps(ctx)): () => void {
  ctx.outbox.register(
    REMOTE_STOP_TOPIC,
    async (row) => {
      const ocpp = (ctx.services as Record<string, unknown>).ocpp as OcppCaller | undefined;
      if (!ocpp) throw new Error('the OCPP gateway is not available');
      const res = await ocpp.call(row.payload.chargerId, 'RemoteStopTransaction', { transactionId: row.payload.transactionId });
      ctx.log.info({ session: row.payload.transactionId, costFen: row.payload.costFen, availableFen: row.payload.availableFen, reason: row.payload.reason, res }, 'balance watcher stopped a session');
      return res;
    },
    { backoff: [2, 5, 10, 30, 60], maxAttempts: 8 },
  );
  // Checks for one session are serialised (two meter frames never race the decision), coalesced (a
  // burst of frames costs one more check) and spaced at least CHECK_EVERY_MS apart with a trailing
  // check, so the watcher costs one read per session every few seconds, not one transaction per
  // MeterValues frame; the stop margin covers the energy that flows meanwhile. Only a check that
  // finds a stop due opens a transaction (decide again, record, enqueue). A session's last check
  // time outlives the check itself: a charger reporting every second gets a check every
  // CHECK_EVERY_MS, not one per frame (issue 16's bench found one per frame).
  const state = new Map<number, { running: Promise<unknown> | null; again: boolean; operatorId: string; lastAt: number }>();
  const check = async (sessionId: number, operatorId: string) => {
    const d = await decide(ctx.db, operatorId, sessionId, deps, ctx.clock.date());
    if (d.action === 'stop') await ctx.db.tx((q) => watchSession(ctx, q, operatorId, sessionId, deps));
    return d.action === 'none' && d.why === 'session finished';
  };
  let prunedAt = 0;
  const forgetIdle = () => {
    const now = ctx.clock.now();
    if (now - prunedAt < CHECK_EVERY_MS * ctx.timeScale) return;
    prunedAt = now;
    for (const [id, st] of state) if (!st.running && now - st.lastAt > CHECK_EVERY_MS * ctx.timeScale) state.delete(id);
  };
  const run = (sessionId: number): Promise<unknown> => {
    const st = state.get(sessionId)!;
    const wait = Math.max(0, st.lastAt + CHECK_EVERY_MS * ctx.timeScale - ctx.clock.now());
    // the spacing is business time: the injected clock's timer, so a test's fake clock drives it too
    return (wait > 0 ? ctx.clock.sleep(wait) : Promise.resolve())
      .then(() => {
        st.lastAt = ctx.clock.now();
        return check(sessionId, st.operatorId);
      })
      .catch((err) => ctx.log.error({ err, session: sessionId }, 'balance watcher failed'))
      .then((finished) => {
        if (finished === true) {
          state.delete(sessionId);
          return;
        }
        if (st.again) {
          st.again = false;
          st.running = run(sessionId);
          return st.running;
        }
        st.running = null;
      });
  };
  return ctx.events.on('session.meter', (e) => {
    let st = state.get(e.sessionId);
    if (st?.running) {
      st.again = true;
      return st.running;
    }
    if (!st) {
      if (state.size >= 10_000) forgetIdle();
      st = { running: null, again: false, operatorId: e.operatorId, lastAt: 0 };
      state.set(e.sessionId, st);
    }
    st.running = run(e.sessionId);
    return st.running;
  });
}
