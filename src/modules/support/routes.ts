import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, requireOperator, STAFF, ADMINS } from '../../platform/auth/guard.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import { listStations } from '../registry/index.ts';
import { lookup, whoCharged } from './lookup.ts';
import { storySubject, tellStory } from './story.ts';
import { revealPhone, listReveals, supportSettings, saveSupportSettings, mayReveal } from './reveal.ts';
import { caseRow } from './cases.ts';

export const BASE = '/api/v1/support';
const instant = z.string().datetime({ offset: true, message: 'an ISO 8601 instant with offset, e.g. 2019-09-11T22:30:00+08:00' });
const MAX_WINDOW_MS = 31 * 86_400_000;
const op = z.object({ operatorId: z.string().optional() });

function window(from?: string, to?: string): { from: Date; to: Date } | null {
  if (!from && !to) return null;
  if (!from || !to) throw badRequest('a time window needs both from and to');
  const w = { from: new Date(from), to: new Date(to) };
  if (w.to <= w.from) throw badRequest('to must be after from');
  if (w.to.getTime() - w.from.getTime() > MAX_WINDOW_MS) throw badRequest('a time window may span at most 31 days');
  return w;
}

export function supportRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const now = () => ctx.clock.date();

  r.get(
    `${BASE}/lookup`,
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['support'],
        description:
          'Sessions a key names: phone, id tag/card, order number, partner order number (StartChargeSeq), top-up number (out_trade_no), charger id; or stationId + from + to (a window); phones masked.',
        querystring: op.extend({
          q: z.string().trim().max(64).optional(),
          stationId: z.string().max(64).optional(),
          from: instant.optional(),
          to: instant.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      const w = window(req.query.from, req.query.to);
      if (!req.query.q && !w) throw badRequest('give q (a phone, card, order number, StartChargeSeq, out_trade_no or charger id) or stationId with from and to');
      return lookup(ctx.db, operatorId, { q: req.query.q, stationId: req.query.stationId, ...(w ?? {}) }, req.query.limit);
    },
  );

  r.get(
    `${BASE}/who-charged`,
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['support'],
        description: 'Every session whose occupancy (start → unplug) overlaps [from, to) at the station, running ones included (case 3); phones masked.',
        querystring: op.extend({ stationId: z.string().min(1).max(64), from: instant, to: instant }),
      },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      const w = window(req.query.from, req.query.to)!;
      const station = (await listStations(ctx.db, operatorId)).find((s) => s.id === req.query.stationId);
      if (!station) throw notFound(`station ${req.query.stationId}`);
      const out = await whoCharged(ctx.db, operatorId, station.id, w.from, w.to);
      for (const s of out.sessions) s.stationName ??= station.name;
      return { station: { id: station.id, name: station.name, city: station.city }, from: w.from.toISOString(), to: w.to.toISOString(), ...out };
    },
  );

  r.get(
    `${BASE}/story`,
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['support'],
        description: 'The whole story of one session (by order number, or session id while it still runs): each part with a link to its evidence; the phone masked.',
        querystring: op.extend({ orderNo: z.string().regex(/^\d{20}$/, 'an order number of 20 digits').optional(), sessionId: z.coerce.number().int().positive().optional() }),
      },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      if (!req.query.orderNo && !req.query.sessionId) throw badRequest('give orderNo or sessionId');
      const s = await storySubject(ctx.db, operatorId, { orderNo: req.query.orderNo, sessionId: req.query.sessionId }, now());
      return tellStory(ctx, ctx.db, s);
    },
  );

  r.post(
    `${BASE}/reveal`,
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['support'],
        description: 'Shows a phone number in full (an order’s, a case’s, or a masked 135****8000 of one driver) and records who, when, which number and why. operator_admin and platform_admin; operator_staff only where the operator allows it.',
        querystring: op,
        body: z
          .object({
            orderNo: z.string().regex(/^\d{20}$/, 'an order number of 20 digits').optional(),
            caseId: z.number().int().positive().optional(),
            phone: z.string().trim().max(20).optional(),
            reason: z.string().trim().min(2, 'say why the number is needed').max(500),
          })
          .strict(),
      },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      return ctx.db.tx((q) => revealPhone(q, req.principal!, operatorId, req.body, (qq, o, id) => caseRow(qq, o, id).then((c) => c && { phone: c.phone, orderNo: c.order_no }), now()));
    },
  );

  r.get(
    `${BASE}/reveals`,
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags: ['support'],
        description: 'The reveal audit: every phone number shown in full (reveals and case exports), newest first.',
        querystring: op.extend({
          from: instant.optional(),
          to: instant.optional(),
          actor: z.string().max(64).optional(),
          page: z.coerce.number().int().min(1).default(1),
          pageSize: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
    },
    async (req) => {
      const q = req.query;
      const out = await listReveals(ctx.db, requireOperator(req), {
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        actor: q.actor,
        limit: q.pageSize,
        offset: (q.page - 1) * q.pageSize,
      });
      return { ...out, page: q.page, pageSize: q.pageSize };
    },
  );

  r.get(`${BASE}/settings`, { preHandler: requireRole(...STAFF), schema: { tags: ['support'], querystring: op } }, async (req) => {
    const operatorId = requireOperator(req);
    return { ...(await supportSettings(ctx.db, operatorId)), youMayReveal: await mayReveal(ctx.db, req.principal!, operatorId) };
  });

  r.put(
    `${BASE}/settings`,
    { preHandler: requireRole(...ADMINS), schema: { tags: ['support'], description: 'staffMayReveal: operator_staff may reveal phone numbers too.', querystring: op, body: z.object({ staffMayReveal: z.boolean() }).strict() } },
    async (req) => {
      const operatorId = requireOperator(req);
      await saveSupportSettings(ctx.db, operatorId, req.body, req.principal!.sub, now());
      return { ...(await supportSettings(ctx.db, operatorId)), youMayReveal: await mayReveal(ctx.db, req.principal!, operatorId) };
    },
  );
}
