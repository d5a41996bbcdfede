/** Console API: partners (secrets write-only), envelope log, outbox state and dead letters, reconciliation. */
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { ADMINS, STAFF, requireOperator, requireRole } from '../../platform/auth/guard.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { getPartner, listPartners, partnerSchema, publicView, upsertPartner } from './partners.ts';
import { enqueueDailyChecks } from './check.ts';
import { redactTcec } from './redact.ts';
import { maskPayload, scrubSecrets } from '../../platform/redact.ts';
import { parseLogged } from './for-support.ts';

const idParam = z.object({ id: z.string() });

export function roamingRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/partners', { preHandler: requireRole(...STAFF), schema: { tags: ['roaming'], querystring: z.object({ operatorId: z.string().optional() }) } }, async (req) => {
    const op = requireOperator(req);
    return { items: (await listPartners(ctx.db, op)).map(publicView) };
  });

  r.get('/api/v1/partners/:id', { preHandler: requireRole(...STAFF), schema: { tags: ['roaming'], params: idParam, querystring: z.object({ operatorId: z.string().optional() }) } }, async (req) => {
    const p = await getPartner(ctx.db, requireOperator(req), req.params.id);
    if (!p) throw notFound(`partner ${req.params.id}`);
    return publicView(p);
  });

  r.post(
    '/api/v1/partners',
    { preHandler: requireRole(...ADMINS), schema: { tags: ['roaming'], body: partnerSchema, querystring: z.object({ operatorId: z.string().optional() }) } },
    async (req, reply) => {
      const op = requireOperator(req);
      if (await getPartner(ctx.db, op, req.body.operatorId)) throw new AppError(409, 'conflict', `partner ${req.body.operatorId} exists; use PUT`);
      await ctx.db.tx((q) => upsertPartner(q, op, req.body));
      return reply.status(201).send(publicView((await getPartner(ctx.db, op, req.body.operatorId))!));
    },
  );

  // PUT replaces the partner; secrets may be left out to keep the stored ones (they are write-only).
  r.put(
    '/api/v1/partners/:id',
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags: ['roaming'],
        params: idParam,
        querystring: z.object({ operatorId: z.string().optional() }),
        body: partnerSchema.extend({ operatorId: z.string().optional(), inbound: partnerSchema.shape.inbound.optional(), outbound: partnerSchema.shape.outbound.optional() }),
      },
    },
    async (req) => {
      const op = requireOperator(req);
      const cur = await getPartner(ctx.db, op, req.params.id);
      if (!cur) throw notFound(`partner ${req.params.id}`);
      if (req.body.operatorId && req.body.operatorId !== req.params.id) throw new AppError(400, 'bad_request', 'operatorId of a partner cannot change');
      await ctx.db.tx((q) =>
        upsertPartner(q, op, { ...req.body, operatorId: req.params.id, inbound: req.body.inbound ?? cur.inbound, outbound: req.body.outbound ?? cur.outbound }),
      );
      return publicView((await getPartner(ctx.db, op, req.params.id))!);
    },
  );

  r.get(
    '/api/v1/partners/:id/envelopes',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['roaming'],
        params: idParam,
        querystring: z.object({
          operatorId: z.string().optional(),
          direction: z.enum(['in', 'out']).optional(),
          interface: z.string().optional(),
          beforeId: z.coerce.number().int().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
    },
    async (req) => {
      const op = requireOperator(req);
      const q = req.query;
      if (!(await getPartner(ctx.db, op, req.params.id))) throw notFound(`partner ${req.params.id}`);
      const rows = await ctx.db.query(
        `SELECT id, direction, interface, request_raw, request_plain, response_raw, response_plain, http_status, ret, error, at, done_at
         FROM roaming_envelopes WHERE operator_id = $1 AND partner_id = $2 AND ($3::text IS NULL OR direction = $3)
           AND ($4::text IS NULL OR interface = $4) AND ($5::bigint IS NULL OR id < $5)
         ORDER BY id DESC LIMIT $6`,
        [op, req.params.id, q.direction ?? null, q.interface ?? null, q.beforeId ?? null, q.limit],
      );
      const items = rows.rows.map((e: any) => ({
        id: e.id,
        direction: e.direction,
        interface: e.interface,
        at: e.at.toISOString(),
        doneAt: e.done_at?.toISOString() ?? null,
        httpStatus: e.http_status,
        ret: e.ret,
        error: e.error,
        request: { raw: parseLogged(e.request_raw), data: parseLogged(e.request_plain === null ? null : redactTcec(e.request_plain)) },
        response: { raw: parseLogged(e.response_raw), data: parseLogged(e.response_plain === null ? null : redactTcec(e.response_plain)) },
      }));
      return { items, nextBeforeId: items.length === q.limit ? items[items.length - 1].id : null };
    },
  );

  r.get(
    '/api/v1/partners/:id/disputes',
    { preHandler: requireRole(...STAFF), schema: { tags: ['roaming'], params: idParam, querystring: z.object({ operatorId: z.string().optional(), day: z.string().optional() }) } },
    async (req) => {
      if (!(await getPartner(ctx.db, requireOperator(req), req.params.id))) throw notFound(`partner ${req.params.id}`);
      const rows = await ctx.db.query(
        `SELECT day::text AS day, start_charge_seq, dispute_reason, partner_total_power, partner_total_money, created_at FROM roaming_disputes
         WHERE operator_id = $1 AND partner_id = $2 AND ($3::date IS NULL OR day = $3) ORDER BY day DESC, start_charge_seq LIMIT 1000`,
        [requireOperator(req), req.params.id, req.query.day ?? null],
      );
      return {
        items: rows.rows.map((d: any) => ({
          day: d.day,
          startChargeSeq: d.start_charge_seq,
          disputeReason: d.dispute_reason,
          partnerTotalPower: d.partner_total_power,
          partnerTotalMoney: d.partner_total_money,
          at: d.created_at.toISOString(),
        })),
      };
    },
  );

  r.post(
    '/api/v1/partners/check',
    {
      preHandler: requireRole(...ADMINS),
      schema: { tags: ['roaming'], querystring: z.object({ operatorId: z.string().optional() }), body: z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }) },
    },
    async (req) => {
      await enqueueDailyChecks(ctx, requireOperator(req), req.body.day);
      return { ok: true };
    },
  );

  r.get(
    '/api/v1/outbox',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['roaming'],
        querystring: z.object({
          operatorId: z.string().optional(),
          status: z.enum(['pending', 'dead', 'delivered', 'cancelled']).optional(),
          topic: z.string().optional(),
          beforeId: z.coerce.number().int().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await ctx.db.query(
        `SELECT id, topic, ordering_key, status, attempts, max_attempts, next_attempt_at, last_error, payload, result, created_at, delivered_at
         FROM outbox WHERE operator_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR topic = $3) AND ($4::bigint IS NULL OR id < $4)
         ORDER BY id DESC LIMIT $5`,
        [requireOperator(req), q.status ?? null, q.topic ?? null, q.beforeId ?? null, q.limit],
      );
      const items = rows.rows.map((o: any) => ({
        id: o.id,
        topic: o.topic,
        orderingKey: o.ordering_key,
        status: o.status,
        attempts: o.attempts,
        maxAttempts: o.max_attempts,
        nextAttemptAt: o.next_attempt_at.toISOString(),
        lastError: o.last_error === null ? null : scrubSecrets(o.last_error),
        payload: maskPayload(o.payload),
        result: maskPayload(o.result),
        createdAt: o.created_at.toISOString(),
        deliveredAt: o.delivered_at?.toISOString() ?? null,
      }));
      return { items, nextBeforeId: items.length === q.limit ? items[items.length - 1].id : null };
    },
  );

  r.post(
    '/api/v1/outbox/:id/retry',
    { preHandler: requireRole(...ADMINS), schema: { tags: ['roaming'], params: z.object({ id: z.coerce.number().int() }), querystring: z.object({ operatorId: z.string().optional() }) } },
    async (req) => {
      const ok = await ctx.outbox.retry(ctx.db, req.params.id, requireOperator(req));
      if (!ok) throw new AppError(404, 'not_found', `no dead-letter outbox row ${req.params.id} of this operator`);
      return { ok: true };
    },
  );
}
