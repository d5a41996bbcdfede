import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, requireOperator, STAFF } from '../../platform/auth/guard.ts';
import { notFound } from '../../platform/errors.ts';
import { formatYuan } from '../../platform/money.ts';
import { operatorTimeZone } from '../tariffs/index.ts';
import { searchOrders, exportRows, type OrderFilter } from './search.ts';
import { orderView, getOrderDetail } from './view.ts';
import { toCsv, toXlsx } from './export.ts';
import { correctOrder, approveOrder, previewCorrection } from './corrections.ts';
import { emitAll, type After } from './settle.ts';
import { correctionApprovalRoutes } from './routes-approvals.ts';

const instant = z.string().datetime({ offset: true, message: 'an ISO 8601 instant with offset, e.g. 2019-09-11T22:30:00+08:00' });
const filterSchema = z.object({
  operatorId: z.string().optional(),
  stationId: z.string().optional(),
  chargerId: z.string().optional(),
  connectorId: z.coerce.number().int().min(1).optional(),
  from: instant.optional(),
  to: instant.optional(),
  phone: z.string().optional(),
  card: z.string().optional(),
  orderNo: z.string().optional(),
  partnerOrderNo: z.string().optional(),
  status: z.enum(['idle', 'held', 'settled']).optional(),
  abnormal: z.enum(['true', 'false']).optional(),
});
type FilterQuery = z.infer<typeof filterSchema>;

function toFilter(qs: FilterQuery): OrderFilter {
  return {
    ...qs,
    from: qs.from ? new Date(qs.from) : undefined,
    to: qs.to ? new Date(qs.to) : undefined,
    abnormal: qs.abnormal === undefined ? undefined : qs.abnormal === 'true',
  };
}

const kwh = z.string().regex(/^\d{1,6}(\.\d{1,3})?$/, 'kWh as a string with at most 3 decimals');
const toWh = (s: string) => {
  const [w, f = ''] = s.split('.');
  return Number(w) * 1000 + Number(f.padEnd(3, '0'));
};
const correctionBody = z
  .object({
    reason: z.string().trim().min(1, 'a correction needs a reason'),
    notifyDriver: z.boolean().optional(),
    meterStartWh: z.number().int().min(0).optional(),
    meterStopWh: z.number().int().min(0).optional(),
    startTime: instant.optional(),
    endTime: instant.optional(),
    periods: z.array(z.object({ start: instant, end: instant, energyKwh: kwh })).min(1).max(96).optional(),
    tariffVersionId: z.number().int().positive().optional(),
    idleEndTime: instant.optional(),
    stopReason: z.string().min(1).max(40).optional(),
  })
  .strict();

type CorrectionBody = z.infer<typeof correctionBody>;
const t = (s?: string) => (s === undefined ? undefined : Date.parse(s));
function toRequest(b: Omit<CorrectionBody, 'reason'> & { reason?: string }) {
  return {
    reason: b.reason ?? '',
    notifyDriver: b.notifyDriver,
    meterStartWh: b.meterStartWh,
    meterStopWh: b.meterStopWh,
    startTime: t(b.startTime),
    endTime: t(b.endTime),
    periods: b.periods?.map((p) => ({ start: Date.parse(p.start), end: Date.parse(p.end), wh: toWh(p.energyKwh) })),
    tariffVersionId: b.tariffVersionId,
    idleEndTime: t(b.idleEndTime),
    stopReason: b.stopReason,
  };
}

export function orderRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const deps = { outbox: ctx.outbox, events: ctx.events };
  correctionApprovalRoutes(app, ctx, deps);
  const orderNoParams = z.object({ orderNo: z.string().regex(/^\d{20}$/, 'an order number of 20 digits') });

  r.get(
    '/api/v1/orders',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['orders'],
        description: 'Orders whose occupancy (start → unplug) overlaps [from, to), newest first',
        querystring: filterSchema.extend({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(20) }),
      },
    },
    async (req) => {
      const { items, total } = await searchOrders(ctx.db, requireOperator(req), toFilter(req.query), req.query.page, req.query.pageSize);
      return { items: items.map(orderView), total, page: req.query.page, pageSize: req.query.pageSize };
    },
  );

  for (const format of ['csv', 'xlsx'] as const) {
    r.get(`/api/v1/orders/export.${format}`, { preHandler: requireRole(...STAFF), schema: { tags: ['orders'], querystring: filterSchema } }, async (req, reply) => {
      const op = requireOperator(req);
      const tz = await operatorTimeZone(ctx.db, op);
      const rows = exportRows(ctx.db, op, toFilter(req.query));
      const name = `orders-${ctx.clock.date().toISOString().slice(0, 10)}.${format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(await toCsv(rows, tz));
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await toXlsx(rows, tz));
    });
  }

  r.get(
    '/api/v1/orders/:orderNo',
    { preHandler: requireRole(...STAFF), schema: { tags: ['orders'], params: orderNoParams, querystring: z.object({ operatorId: z.string().optional() }) } },
    async (req) => {
      const o = await getOrderDetail(ctx.db, requireOperator(req), req.params.orderNo);
      if (!o) throw notFound(`order ${req.params.orderNo}`);
      return o;
    },
  );

  r.post(
    '/api/v1/orders/:orderNo/corrections',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['orders'],
        description: 'Corrected inputs (never totals); the engine re-prices into a new version. notifyDriver defaults to the "bill adjusted" setting.',
        params: orderNoParams,
        querystring: z.object({ operatorId: z.string().optional() }),
        body: correctionBody,
      },
    },
    async (req, reply) => {
      const op = requireOperator(req);
      const after: After = [];
      const out = await ctx.db.tx((q) =>
        correctOrder(
          deps,
          q,
          op,
          req.params.orderNo,
          toRequest(req.body),
          { username: req.principal!.sub, role: req.principal!.role },
          ctx.clock.now(),
          after,
        ),
      );
      emitAll(ctx.events, after);
      // over the staff member's daily limit: stored, nothing changed, waiting for an operator admin
      if (out.pending) return reply.status(202).send(out.pending);
      return { ...out.order, deltaAmount: formatYuan(out.deltaFen), driverNotified: out.notified };
    },
  );

  r.post(
    '/api/v1/orders/:orderNo/corrections/preview',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['orders'],
        description: 'What a correction with these inputs would give (figures, breakdown, balance difference, what still blocks it); nothing is saved.',
        params: orderNoParams,
        querystring: z.object({ operatorId: z.string().optional() }),
        body: correctionBody.extend({ reason: z.string().optional() }),
      },
    },
    async (req) => previewCorrection(ctx.db, requireOperator(req), req.params.orderNo, toRequest(req.body), ctx.clock.now()),
  );

  r.post(
    '/api/v1/orders/:orderNo/approve',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags: ['orders'], params: orderNoParams, querystring: z.object({ operatorId: z.string().optional() }), body: z.object({ reason: z.string().optional() }).optional() },
    },
    async (req) => {
      const after: After = [];
      const out = await ctx.db.tx((q) => approveOrder(deps, q, requireOperator(req), req.params.orderNo, req.body?.reason, { username: req.principal!.sub, role: req.principal!.role }, after));
      emitAll(ctx.events, after);
      return out;
    },
  );
}
