/**
 * The orders module's half of the stop-to-settlement pipeline: it handles the `session.settle` job
 * the sessions module writes with every session end (stop, unplug, a session left running, the idle
 * limit). The handler runs in ONE transaction with the job's "delivered" mark (a transactional
 * outbox topic): order, ledger movement, partner push and notification rows commit together with
 * it, exactly once; a failure rolls all of it back and the outbox retries with back-off.
 * Modules above (roaming) add their steps with the sessions module's `onSessionEnd`; they run first,
 * inside that transaction.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { SESSION_SETTLE, SETTLE_MAX_ATTEMPTS, settleKey, enqueueSettle, preferOrderNumber, sessionForOrder, sessionEndSteps, type SettlePayload } from '../sessions/index.ts';
import { createOrderForSession, finalizeIdle, placeholderForStaleSession, IDLE_LIMIT_MS } from './lifecycle.ts';
import { emitAll, type After } from './settle.ts';
import { releaseSessionHold } from '../wallet/index.ts';

/** Seconds between attempts of a failed settlement; then it is a visible dead letter. */
export const SETTLE_BACKOFF = [5, 15, 60, 300, 900, 3600];

export function registerSettlePipeline(ctx: Ctx) {
  ctx.outbox.register(
    SESSION_SETTLE,
    async (row, q, onCommit) => {
      const after: After = [];
      const out = await settleSession(ctx, q, row.payload as SettlePayload, ctx.clock.now(), after);
      onCommit(() => emitAll(ctx.events, after));
      return out;
    },
    { transactional: true, maxAttempts: SETTLE_MAX_ATTEMPTS, backoff: SETTLE_BACKOFF },
  );
}

/**
 * Takes a session as far as its state allows: a running session gets nothing (or, past 24 h, its
 * placeholder); a finished one its order (idempotent), settled, or `idle` while the car occupies
 * the connector, with a timer for the idle limit; an idle order whose car left is finalised.
 */
async function settleSession(ctx: Ctx, q: Queryable, p: SettlePayload, now: number, after: After): Promise<{ orderNo: string | null; status: string | null }> {
  const s = await sessionForOrder(q, p.operatorId, p.sessionId);
  if (!s) return { orderNo: null, status: null };
  for (const step of sessionEndSteps(ctx)) await step(q, { operatorId: p.operatorId, sessionId: p.sessionId, cause: p.cause, finished: s.status === 'finished' });
  let orderNo: string | null;
  if (s.status === 'active') {
    orderNo = p.cause === 'stale' ? await placeholderForStaleSession(ctx, q, p.operatorId, p.sessionId, now, after) : null;
  } else {
    // the start's balance hold ends with the session, before its order charges (same transaction; idempotent)
    await releaseSessionHold(q, p.operatorId, p.sessionId, new Date(now));
    orderNo = await createOrderForSession(ctx, q, p.operatorId, p.sessionId, now, after, p.orderNo);
    if (orderNo && (await statusOf(q, p.operatorId, orderNo)) === 'idle') {
      await finalizeIdle(ctx, q, p.operatorId, orderNo, now, after);
      // still plugged in: look again when the idle limit has passed (server time since the stop arrived)
      if ((await statusOf(q, p.operatorId, orderNo)) === 'idle') {
        const from = s.stopReceivedAt?.getTime() ?? now;
        await enqueueSettle(q, { operatorId: p.operatorId, sessionId: p.sessionId, cause: 'idle_limit' }, new Date(now), new Date(from + IDLE_LIMIT_MS));
      }
    }
  }
  return { orderNo, status: orderNo ? await statusOf(q, p.operatorId, orderNo) : null };
}

async function statusOf(q: Queryable, operatorId: string, orderNo: string): Promise<string | null> {
  const r = await q.query<{ status: string }>(`SELECT status FROM orders WHERE operator_id = $1 AND order_no = $2`, [operatorId, orderNo]);
  return r.rows[0]?.status ?? null;
}

/**
 * Settles a session now, in the caller's flow, through the same job (the support desk, the demo, a
 * history import): `orderNo` keeps a previous platform's number when the order does not exist yet
 * (to be sure of it, write preferOrderNumber in the stop's own transaction, before any dispatcher runs).
 * Returns the order number (null while the session runs).
 */
export async function orderForSession(ctx: Ctx, operatorId: string, sessionId: number, opts: { orderNo?: string } = {}): Promise<string | null> {
  const key = settleKey(operatorId, sessionId);
  await ctx.db.tx(async (q) => {
    await enqueueSettle(q, { operatorId, sessionId, cause: 'stop', ...(opts.orderNo ? { orderNo: opts.orderNo } : {}) }, ctx.clock.date());
    // the stop's job may be waiting already: it carries the preferred number from now on
    if (opts.orderNo) await preferOrderNumber(q, operatorId, sessionId, opts.orderNo);
  });
  await ctx.outbox.runNow(key);
  const r = await ctx.db.query<{ order_no: string }>(`SELECT order_no FROM orders WHERE operator_id = $1 AND session_id = $2`, [operatorId, sessionId]);
  return r.rows[0]?.order_no ?? null;
}
