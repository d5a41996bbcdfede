import type { Ctx, Module } from '../../platform/context.ts';
import { finishedSessionsSince, staleActiveSessions, lowestActiveSessionId } from '../sessions/index.ts';
import { orderRoutes } from './routes.ts';
import { createOrderForSession, finalizeIdle, placeholderForStaleSession } from './lifecycle.ts';
import { emitAll, type After } from './settle.ts';
import { liveCostUpdater } from './live-cost.ts';

export { getOrder, getOrderDetail, orderView, type OrderView, type PeriodView } from './view.ts';
export { searchOrders, whereClause, type OrderFilter } from './search.ts';
export { lookupOrders, ordersOverlapping, type LookupMatch } from './lookup.ts';
export { durationText, localTime } from './export.ts';
export { detectAnomalies, type AnomalyReason, type AnomalyCode } from './anomalies.ts';
export { dailyTotals, heldCount, type DailyTotals } from './stats.ts';

export const SWEEP_INTERVAL_MS = 60_000;
const STALE_MS = 24 * 3_600_000;

/** Runs one step in its own transaction and emits its events after the commit. */
async function step<T>(ctx: Ctx, fn: (q: any, after: After) => Promise<T>): Promise<T> {
  const after: After = [];
  const out = await ctx.db.tx((q) => fn(q, after));
  emitAll(ctx.events, after);
  return out;
}

/** Makes the order of a finished session now (idempotent); `opts.orderNo` keeps a previous platform's number when free. */
export const orderForSession = (ctx: Ctx, operatorId: string, sessionId: number, now = Date.now(), opts: { orderNo?: string } = {}) =>
  step(ctx, (q, after) => createOrderForSession(ctx, q, operatorId, sessionId, now, after, opts.orderNo));

const state = new WeakMap<Ctx, { lastSweep: number; floor: number; timer?: NodeJS.Timeout; offs: (() => void)[] }>();
const stateOf = (ctx: Ctx) => state.get(ctx) ?? (state.set(ctx, { lastSweep: 0, floor: 0, offs: [] }), state.get(ctx)!);
/**
 * The safety net under the in-process events: finished sessions without an order, idle orders whose
 * car left (or whose idle limit passed), and sessions still running after 24 h. Safe on every node.
 */
export async function sweepOrders(ctx: Ctx, now = Date.now()): Promise<{ created: number; finalized: number; placeholders: number }> {
  const out = { created: 0, finalized: 0, placeholders: 0 };
  // look back a week the first time, then a day: a stop that arrives late or an order that failed once is retried
  const st = stateOf(ctx);
  const since = new Date(now - (st.lastSweep ? 86_400_000 : 7 * 86_400_000));
  st.lastSweep = now;
  // sessions below the oldest one still running (of the last 2 days) are all finished: after this
  // sweep they all have orders, so the next sweep starts there instead of scanning every session
  const lowActive = await lowestActiveSessionId(ctx.db, new Date(now - 2 * 86_400_000));
  let afterId = st.floor;
  let maxSeen = st.floor;
  for (;;) {
    const finished = await finishedSessionsSince(ctx.db, since, 2000, afterId);
    if (!finished.length) break;
    afterId = maxSeen = finished[finished.length - 1].id;
    const have = await ctx.db.query<{ session_id: number }>(`SELECT session_id FROM orders WHERE session_id = ANY($1::bigint[]) AND end_time IS NOT NULL`, [finished.map((s) => s.id)]);
    const done = new Set(have.rows.map((r) => Number(r.session_id)));
    for (const s of finished.filter((x) => !done.has(x.id))) {
      try {
        if (await orderForSession(ctx, s.operatorId, s.id, now)) out.created++;
      } catch (e) {
        ctx.log.error({ err: e, sessionId: s.id }, 'order for session failed');
      }
    }
    if (finished.length < 2000) break;
  }
  st.floor = Math.max(st.floor, lowActive === null ? maxSeen : Math.min(maxSeen, lowActive - 1));
  const idle = await ctx.db.query<{ operator_id: string; order_no: string }>(`SELECT operator_id, order_no FROM orders WHERE status = 'idle' ORDER BY id LIMIT 5000`);
  for (const o of idle.rows) {
    await step(ctx, (q, after) => finalizeIdle(ctx, q, o.operator_id, o.order_no, now, after));
    out.finalized++;
  }
  for (const s of await staleActiveSessions(ctx.db, new Date(now - STALE_MS))) {
    if (await step(ctx, (q, after) => placeholderForStaleSession(ctx, q, s.operatorId, s.id, now, after))) out.placeholders++;
  }
  return out;
}

export const ordersModule: Module = {
  name: 'orders',
  register(app, ctx) {
    orderRoutes(app, ctx);
    const live = liveCostUpdater(ctx);
    stateOf(ctx).offs = [
      ctx.events.on('session.finished', (e) => orderForSession(ctx, e.operatorId, e.sessionId)),
      ctx.events.on('session.unplugged', async (e) => {
        const r = await ctx.db.query<{ order_no: string }>(`SELECT order_no FROM orders WHERE operator_id = $1 AND session_id = $2`, [e.operatorId, e.sessionId]);
        if (r.rows[0]) await step(ctx, (q, after) => finalizeIdle(ctx, q, e.operatorId, r.rows[0].order_no, Date.now(), after));
        else await orderForSession(ctx, e.operatorId, e.sessionId);
      }),
      ctx.events.on('session.meter', (e) => live(e)),
    ];
  },
  start(ctx) {
    const every = Math.max(1000, SWEEP_INTERVAL_MS * ctx.timeScale);
    const t = (stateOf(ctx).timer = setInterval(() => sweepOrders(ctx).catch((e) => ctx.log.error({ err: e }, 'order sweep failed')), every));
    t.unref();
  },
  stop(ctx) {
    const st = stateOf(ctx);
    clearInterval(st.timer);
    for (const off of st.offs) off();
  },
};
