/**
 * Console API: the job view. Every outbox row (settlement jobs, partner pushes, notifications,
 * payment queries, durable timers) with the state staff reason about: pending (not tried yet),
 * retrying (failed before, tried again with back-off), delivered, dead (dead letter: retried until
 * its limit or failed for good; an admin can put it back with POST /api/v1/outbox/:id/retry),
 * cancelled (a timer no longer needed). Scoped to the caller's operator; payloads masked.
 */
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../context.ts';
import { STAFF, requireOperator, requireRole } from '../auth/guard.ts';
import { maskPayload, scrubSecrets } from '../redact.ts';

export const JOB_STATES = ['pending', 'retrying', 'delivered', 'dead', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The state shown for a row: a pending row that failed before is "retrying". */
export const jobState = (status: string, attempts: number): JobState => (status === 'pending' ? (attempts > 0 ? 'retrying' : 'pending') : (status as JobState));

const STATE_SQL = `CASE WHEN status = 'pending' AND attempts > 0 THEN 'retrying' ELSE status END`;

export function jobRoutes(app: FastifyInstance, ctx: Ctx) {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/jobs',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['ops'],
        querystring: z.object({
          operatorId: z.string().optional(),
          state: z.enum(JOB_STATES).optional(),
          topic: z.string().max(100).optional(),
          beforeId: z.coerce.number().int().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const op = requireOperator(req);
      const rows = await ctx.db.query<any>(
        `SELECT id, topic, status, attempts, max_attempts, next_attempt_at, last_error, payload, result, created_at, delivered_at
         FROM outbox WHERE operator_id = $1 AND ($2::text IS NULL OR ${STATE_SQL} = $2) AND ($3::text IS NULL OR topic = $3) AND ($4::bigint IS NULL OR id < $4)
         ORDER BY id DESC LIMIT $5`,
        [op, q.state ?? null, q.topic ?? null, q.beforeId ?? null, q.limit],
      );
      const counts = await ctx.db.query<{ state: JobState; n: number }>(
        `SELECT ${STATE_SQL} AS state, count(*)::int AS n FROM outbox WHERE operator_id = $1 AND ($2::text IS NULL OR topic = $2) GROUP BY 1`,
        [op, q.topic ?? null],
      );
      const topics = await ctx.db.query<{ topic: string }>(`SELECT DISTINCT topic FROM outbox WHERE operator_id = $1 ORDER BY topic`, [op]);
      const items = rows.rows.map((o) => ({
        id: Number(o.id),
        topic: o.topic as string,
        state: jobState(o.status, o.attempts),
        attempts: o.attempts as number,
        maxAttempts: o.max_attempts as number,
        nextAttemptAt: o.status === 'pending' ? (o.next_attempt_at as Date).toISOString() : null,
        lastError: o.last_error === null ? null : scrubSecrets(o.last_error),
        payload: maskPayload(o.payload),
        result: maskPayload(o.result),
        createdAt: (o.created_at as Date).toISOString(),
        deliveredAt: (o.delivered_at as Date | null)?.toISOString() ?? null,
      }));
      return {
        counts: Object.fromEntries(JOB_STATES.map((s) => [s, counts.rows.find((c) => c.state === s)?.n ?? 0])) as Record<JobState, number>,
        topics: topics.rows.map((t) => t.topic),
        items,
        nextBeforeId: items.length === q.limit ? items[items.length - 1].id : null,
      };
    },
  );
}
