/**
 * The durable hand-off from a session's end to its settlement. Whatever ends a session (its
 * StopTransaction, the car unplugging, a session left running) writes a `session.settle` job in the
 * SAME transaction as the session change; the orders module handles the job (order, ledger, partner
 * push, notifications), so this module depends on nothing above it and a crash between the stop and
 * the settlement loses nothing: the job is still there after a restart.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { enqueueJob } from '../../platform/outbox.ts';

export const SESSION_SETTLE = 'session.settle';

/** Why the job was written: the handler does what the session's state allows, whatever the cause. */
export type SettleCause = 'stop' | 'unplug' | 'stale' | 'idle_limit';

export interface SettlePayload {
  operatorId: string;
  sessionId: number;
  cause: SettleCause;
  /** A number a previous platform gave the order (support desk, history import), kept when free. */
  orderNo?: string;
}

/** A session runs this long (server time since its start was received) before it gets a placeholder order. */
export const STALE_SESSION_MS = 24 * 3_600_000;
export const SETTLE_MAX_ATTEMPTS = 20;

/** One job per session and cause: a repeated stop or status report writes nothing more. */
export const settleKey = (operatorId: string, sessionId: number, cause: SettleCause = 'stop') =>
  cause === 'stop' ? `${SESSION_SETTLE}:${operatorId}:${sessionId}` : `${SESSION_SETTLE}:${operatorId}:${sessionId}:${cause}`;

/** Writes the job with the caller's transaction; `now` is the server time of the write, `notBefore` when it is due. */
export function enqueueSettle(q: Queryable, p: SettlePayload, now: Date, notBefore?: Date) {
  return enqueueJob(
    q,
    { operatorId: p.operatorId, topic: SESSION_SETTLE, payload: p, dedupeKey: settleKey(p.operatorId, p.sessionId, p.cause), notBefore },
    now,
    SETTLE_MAX_ATTEMPTS,
  );
}

/**
 * Gives a session's settle job the order number a previous platform used (support desk, history
 * import). Write it in the transaction of the stop, so no dispatcher can settle the session first;
 * a job already delivered keeps the order it made.
 */
export async function preferOrderNumber(q: Queryable, operatorId: string, sessionId: number, orderNo: string): Promise<void> {
  await q.query(`UPDATE outbox SET payload = payload || $2::jsonb WHERE dedupe_key = $1 AND status = 'pending'`, [settleKey(operatorId, sessionId), JSON.stringify({ orderNo })]);
}

export interface SessionEnd {
  operatorId: string;
  sessionId: number;
  cause: SettleCause;
  /** False for a running session's job (the 24 h placeholder). */
  finished: boolean;
}
/** A module's reaction to a session end, run inside the settle job's transaction (use `q` only). */
export type SessionEndStep = (q: Queryable, e: SessionEnd) => Promise<void>;

const steps = new WeakMap<Ctx, SessionEndStep[]>();
/**
 * Modules above sessions (roaming: the partner's stop result) add their step here; the settle job's
 * handler runs them, in the job's transaction and before the order, so they happen exactly once too.
 */
export function onSessionEnd(ctx: Ctx, step: SessionEndStep) {
  steps.set(ctx, [...(steps.get(ctx) ?? []), step]);
}
export const sessionEndSteps = (ctx: Ctx): readonly SessionEndStep[] => steps.get(ctx) ?? [];
