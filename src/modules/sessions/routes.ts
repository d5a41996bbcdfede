import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, operatorScope, STAFF } from '../../platform/auth/guard.ts';
import { notFound } from '../../platform/errors.ts';
import { getSession, listSessions, listSessionSamples, listSessionAnomalies, sessionView } from './queries.ts';

export function sessionRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/sessions',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['sessions'],
        description: 'Charging sessions, newest first; page with beforeId.',
        querystring: z.object({
          operatorId: z.string().optional(),
          chargerId: z.string().optional(),
          status: z.enum(['active', 'finished']).optional(),
          flag: z.string().optional(),
          from: z.string().datetime({ offset: true }).optional(),
          to: z.string().datetime({ offset: true }).optional(),
          beforeId: z.coerce.number().int().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
    },
    async (req) => {
      const qs = req.query;
      const rows = await listSessions(ctx.db, {
        operatorId: operatorScope(req, { optional: true }),
        chargerId: qs.chargerId,
        status: qs.status,
        flag: qs.flag,
        from: qs.from ? new Date(qs.from) : undefined,
        to: qs.to ? new Date(qs.to) : undefined,
        beforeId: qs.beforeId,
        limit: qs.limit,
      });
      return { items: rows.map(sessionView) };
    },
  );

  r.get(
    '/api/v1/sessions/:id',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['sessions'],
        description: 'One session with its normalised meter samples (values are decimal strings).',
        params: z.object({ id: z.coerce.number().int() }),
        querystring: z.object({ operatorId: z.string().optional(), measurand: z.string().optional() }),
      },
    },
    async (req) => {
      const s = await getSession(ctx.db, operatorScope(req, { optional: true }), req.params.id);
      if (!s) throw notFound(`session ${req.params.id}`);
      const samples = await listSessionSamples(ctx.db, s.id, req.query.measurand);
      return { ...sessionView(s), samples: samples.map((x) => ({ ...x, at: x.at.toISOString() })) };
    },
  );

  r.get(
    '/api/v1/session-anomalies',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['sessions'],
        description: 'Charger reports that fit no session: StopTransaction for an unknown transactionId, a second stop that differs (stop_mismatch).',
        querystring: z.object({
          operatorId: z.string().optional(),
          chargerId: z.string().optional(),
          kind: z.string().optional(),
          from: z.string().datetime({ offset: true }).optional(),
          to: z.string().datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
    },
    async (req) => {
      const qs = req.query;
      return {
        items: await listSessionAnomalies(ctx.db, {
          operatorId: operatorScope(req, { optional: true }),
          chargerId: qs.chargerId,
          kind: qs.kind,
          from: qs.from ? new Date(qs.from) : undefined,
          to: qs.to ? new Date(qs.to) : undefined,
          limit: qs.limit,
        }),
      };
    },
  );
}
