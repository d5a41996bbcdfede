import type { Db, Queryable } from './db/index.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { systemClock, type Clock } from './clock.ts';
import { scrubSecrets } from './redact.ts';
import { faultPoint } from './faults.ts';

export interface OutboxRow<P = any> {
  id: number;
  operator_id: string | null;
  topic: string;
  ordering_key: string | null;
  dedupe_key: string | null;
  payload: P;
  status: 'pending' | 'delivered' | 'dead' | 'cancelled';
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  result: unknown;
  created_at: Date;
  delivered_at: Date | null;
}

/** Thrown by a handler when retrying cannot help: the row goes straight to dead letter. */
export class PermanentFailure extends Error {}
/** Thrown (or returned via retryIn) by a handler that wants to be called again later without counting a failure. */
export class RetryLater extends Error {
  constructor(public readonly seconds: number, message = 'retry later') {
    super(message);
  }
}

export interface TopicOptions {
  /** Seconds to wait after the n-th failed attempt; the last value repeats. */
  backoff?: number[];
  maxAttempts?: number;
  /**
   * The handler runs inside one transaction with the row's "delivered" mark (and the row locked):
   * its database effects happen exactly once even when the process dies half-way or two nodes
   * race. A crash releases the lock with the connection, so a restarted node picks the row up at
   * once (no lease to wait out). The handler must use the `q` it is given, never ctx.db.
   */
  transactional?: boolean;
}

/** `onCommit` callbacks run after the handler's transaction committed (transactional topics; at once otherwise). */
export type OutboxHandler = (row: OutboxRow, q: Queryable, onCommit: (fn: () => void) => void) => Promise<unknown>;

export interface EnqueueInput {
  operatorId?: string | null;
  topic: string;
  payload: unknown;
  orderingKey?: string;
  /** A second enqueue with the same key is a no-op: retries of the caller stay idempotent. */
  dedupeKey?: string;
  notBefore?: Date;
  maxAttempts?: number;
}

const DEFAULT_BACKOFF = [60, 60, 60, 300, 900, 3600, 7200, 21600];

/**
 * Writes an outbox row with the caller's transaction, for modules that have no Outbox at hand
 * (a lower module writing a job an upper module handles). `now` is the server's time of the write.
 */
export async function enqueueJob(q: Queryable, input: EnqueueInput, now: Date, defaultMaxAttempts = 10): Promise<number | null> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO outbox (operator_id, topic, ordering_key, dedupe_key, payload, next_attempt_at, max_attempts)
     VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, $9::timestamptz), COALESCE($7::int, $8::int))
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    [
      input.operatorId ?? null,
      input.topic,
      input.orderingKey ?? null,
      input.dedupeKey ?? null,
      JSON.stringify(input.payload),
      input.notBefore ?? null,
      input.maxAttempts ?? null,
      defaultMaxAttempts,
      now,
    ],
  );
  return r.rows[0]?.id ?? null;
}

/**
 * The durable outbox: every outbound message (partner push, notification, payment query) and every
 * durable timer is a row here, written in the same transaction as the change that caused it, and
 * delivered by the dispatcher with retries until it succeeds or lands in the visible dead-letter state.
 */
export class Outbox {
  private handlers = new Map<string, { fn: OutboxHandler; opts: TopicOptions }>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private wake = false;
  public backoffScale = 1; // tests compress every schedule

  constructor(
    private db: Db,
    private log?: Logger,
    private metrics?: Metrics,
    private pollMs = 250,
    /** Due times and back-off are on this clock, so tests move timers forward instead of waiting. */
    readonly clock: Clock = systemClock,
  ) {}

  register(topic: string, fn: OutboxHandler, opts: TopicOptions = {}) {
    this.handlers.set(topic, { fn, opts });
  }

  async enqueue(q: Queryable, input: EnqueueInput): Promise<number | null> {
    const id = await enqueueJob(q, input, this.clock.date(), this.handlers.get(input.topic)?.opts.maxAttempts ?? 10);
    this.wake = true;
    return id;
  }

  /** Tells the dispatcher new rows were written (by enqueueJob) so it looks at once. */
  nudge() {
    this.wake = true;
  }

  /**
   * Delivers one transactional row now, in the caller's flow (waiting for a concurrent delivery of
   * the same row to finish first); returns the handler's result, or the stored result when the row
   * was already delivered. Undefined when no such row exists.
   */
  async runNow(dedupeKey: string): Promise<unknown> {
    const row = (await this.db.query<OutboxRow>(`SELECT * FROM outbox WHERE dedupe_key = $1`, [dedupeKey])).rows[0];
    if (!row) return undefined;
    const h = this.handlers.get(row.topic);
    if (!h?.opts.transactional) throw new Error(`outbox topic ${row.topic} is not transactional`);
    if (row.status === 'delivered') return row.result;
    return (await this.deliverInTx(row, h, false)).result;
  }

  /** Cancels pending rows (e.g. a start-confirmation timer once the partner confirmed). */
  async cancel(q: Queryable, dedupeKey: string): Promise<void> {
    await q.query(`UPDATE outbox SET status = 'cancelled' WHERE dedupe_key = $1 AND status = 'pending'`, [dedupeKey]);
  }

  /** Puts a dead-letter row back in the queue (the console's retry button). */
  async retry(q: Queryable, id: number, operatorId: string | null): Promise<boolean> {
    const r = await q.query(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $3, last_error = NULL
       WHERE id = $1 AND status = 'dead' AND ($2::text IS NULL OR operator_id = $2)`,
      [id, operatorId, this.clock.date()],
    );
    this.wake = true;
    return r.rowCount > 0;
  }

  start() {
    if (this.timer) return;
    const loop = async () => {
      if (!this.timer) return;
      try {
        const n = await this.processDue();
        if (!this.timer) return; // stop() ran while this round was delivering
        this.timer = setTimeout(loop, n > 0 || this.wake ? 0 : this.pollMs);
        this.wake = false;
      } catch (e) {
        if (!this.timer) return;
        this.log?.error({ err: e }, 'outbox loop failed');
        this.timer = setTimeout(loop, this.pollMs * 4);
      }
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  /** Delivers what is due now; returns how many rows it tried. Ordering keys are served one row at a time. */
  async processDue(limit = 50): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const now = this.clock.date();
      const rows = await this.db.tx(async (q) => {
        const due = await q.query<OutboxRow>(
          `SELECT o.* FROM outbox o
           WHERE o.status = 'pending' AND o.next_attempt_at <= $2
             AND (o.locked_until IS NULL OR o.locked_until < $2)
             AND (o.ordering_key IS NULL OR NOT EXISTS (
               SELECT 1 FROM outbox p WHERE p.ordering_key = o.ordering_key AND p.status = 'pending' AND p.id < o.id))
           ORDER BY o.next_attempt_at, o.id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit, now],
        );
        // transactional rows are guarded by their row lock while delivered, not by a lease
        const leased = due.rows.filter((r) => !this.handlers.get(r.topic)?.opts.transactional);
        if (leased.length)
          await q.query(`UPDATE outbox SET locked_until = $2::timestamptz + interval '2 minutes' WHERE id = ANY($1::bigint[])`, [
            leased.map((r) => r.id),
            now,
          ]);
        return due.rows;
      });
      await Promise.all(rows.map((r) => this.deliver(r)));
      return rows.length;
    } finally {
      this.running = false;
    }
  }

  /** Runs the dispatcher until nothing is due (tests and CLI). */
  async drain(maxRounds = 100): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      while (this.running) await new Promise((r) => setTimeout(r, 5));
      if ((await this.processDue()) === 0) return;
    }
  }

  private async deliver(row: OutboxRow) {
    const h = this.handlers.get(row.topic);
    if (!h) {
      await this.db.query(`UPDATE outbox SET locked_until = NULL, next_attempt_at = $3::timestamptz + interval '30 seconds', last_error = $2 WHERE id = $1`, [
        row.id,
        `no handler registered for topic ${row.topic}`,
        this.clock.date(),
      ]);
      return;
    }
    if (h.opts.transactional) {
      await this.deliverInTx(row, h, true);
      return;
    }
    try {
      const result = await h.fn(row, this.db, (fn) => fn());
      await this.db.query(
        `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = $3, locked_until = NULL, result = $2, last_error = NULL WHERE id = $1`,
        [row.id, result === undefined ? null : JSON.stringify(result), this.clock.date()],
      );
      this.metrics?.outboxDelivered.inc({ topic: row.topic, outcome: 'delivered' });
    } catch (e) {
      // last_error is shown to staff: never a credential that slipped into an error message
      await this.recordFailure(row, h, e);
    }
  }

  /**
   * Locks the row, runs the handler and marks the row delivered in ONE transaction. `skipLocked`:
   * the dispatcher passes a row another node is delivering; runNow waits for it instead.
   */
  private async deliverInTx(row: OutboxRow, h: { fn: OutboxHandler; opts: TopicOptions }, skipLocked: boolean): Promise<{ ran: boolean; result: unknown }> {
    const commits: (() => void)[] = [];
    let out: { ran: boolean; result: unknown };
    try {
      out = await this.db.tx(async (q) => {
        const cur = (await q.query<OutboxRow>(`SELECT * FROM outbox WHERE id = $1 FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`, [row.id])).rows[0];
        if (!cur) return { ran: false, result: undefined };
        if (cur.status !== 'pending') return { ran: false, result: cur.result };
        const result = await h.fn(cur, q, (fn) => commits.push(fn));
        faultPoint(`outbox:${row.topic}:before-commit`);
        await q.query(`UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = $3, locked_until = NULL, result = $2, last_error = NULL WHERE id = $1`, [
          row.id,
          result === undefined ? null : JSON.stringify(result),
          this.clock.date(),
        ]);
        return { ran: true, result };
      });
    } catch (e) {
      await this.recordFailure(row, h, e);
      if (!skipLocked) throw e;
      return { ran: false, result: undefined };
    }
    if (out.ran) {
      this.metrics?.outboxDelivered.inc({ topic: row.topic, outcome: 'delivered' });
      for (const fn of commits) {
        try {
          fn();
        } catch (e) {
          this.log?.error({ err: e, topic: row.topic }, 'outbox after-commit callback failed');
        }
      }
    }
    return out;
  }

  private async recordFailure(row0: OutboxRow, h: { opts: TopicOptions }, e: unknown) {
    // last_error is shown to staff: never a credential that slipped into an error message
    {
      // the attempts so far are the stored ones (a transactional delivery may have been retried by runNow)
      const row = (await this.db.query<OutboxRow>(`SELECT * FROM outbox WHERE id = $1`, [row0.id])).rows[0] ?? row0;
      if (row.status !== 'pending') return;
      const msg = scrubSecrets(e instanceof Error ? e.message : String(e));
      if (e instanceof RetryLater) {
        await this.db.query(
          `UPDATE outbox SET locked_until = NULL, next_attempt_at = $4::timestamptz + make_interval(secs => $2), last_error = $3 WHERE id = $1`,
          [row.id, e.seconds * this.backoffScale, msg, this.clock.date()],
        );
        return;
      }
      const attempts = row.attempts + 1;
      const dead = e instanceof PermanentFailure || attempts >= row.max_attempts;
      const backoff = h.opts.backoff ?? DEFAULT_BACKOFF;
      const wait = backoff[Math.min(attempts - 1, backoff.length - 1)] * this.backoffScale;
      await this.db.query(
        `UPDATE outbox SET attempts = $2, status = $3, locked_until = NULL, last_error = $4,
           next_attempt_at = $6::timestamptz + make_interval(secs => $5) WHERE id = $1`,
        [row.id, attempts, dead ? 'dead' : 'pending', msg.slice(0, 2000), wait, this.clock.date()],
      );
      this.metrics?.outboxDelivered.inc({ topic: row.topic, outcome: dead ? 'dead' : 'failed' });
      this.log?.warn({ topic: row.topic, id: row.id, attempts, dead, err: msg }, 'outbox delivery failed');
    }
  }
}
