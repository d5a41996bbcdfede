/**
 * The staff correction limit's routes (issue 11, point 10): the operator setting, and the corrections
 * waiting for an operator admin (listed for staff and admins; approved or rejected by admins only).
 */
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, requireOperator, STAFF, ADMINS } from '../../platform/auth/guard.ts';
import { formatYuan, parseYuan } from '../../platform/money.ts';
import { orderSettings, saveOrderSettings } from './correction-limit.ts';
import { listCorrectionRequests, approveCorrectionRequest, rejectCorrectionRequest } from './correction-approvals.ts';
import { emitAll, type After, type OrdersDeps } from './settle.ts';

const tags = ['orders'];
const opQuery = z.object({ operatorId: z.string().optional() });
const idParams = z.object({ id: z.coerce.number().int().positive() });
const yuan = z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'yuan as a string with at most 2 decimals, e.g. "100.00"');
const settingsView = (s: { staffDailyCorrectionLimitFen: number }) => ({ staffDailyCorrectionLimit: formatYuan(s.staffDailyCorrectionLimitFen) });

export function correctionApprovalRoutes(app: FastifyInstance, ctx: Ctx, deps: OrdersDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const actor = (req: any) => ({ username: req.principal!.sub as string, role: req.principal!.role as string });

  r.get('/api/v1/order-settings', { preHandler: requireRole(...STAFF), schema: { tags, querystring: opQuery, description: 'The staff correction limit per staff member per operator day.' } }, async (req) =>
    settingsView(await orderSettings(ctx.db, requireOperator(req))),
  );
  r.put(
    '/api/v1/order-settings',
    { preHandler: requireRole(...ADMINS), schema: { tags, querystring: opQuery, body: z.object({ staffDailyCorrectionLimit: yuan }).strict() } },
    async (req) => settingsView(await saveOrderSettings(ctx.db, requireOperator(req), { staffDailyCorrectionLimitFen: parseYuan(req.body.staffDailyCorrectionLimit) })),
  );

  r.get(
    '/api/v1/order-corrections',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags, description: 'Staff corrections over the daily limit: pending_approval, approved or rejected.', querystring: opQuery.extend({ status: z.enum(['pending_approval', 'approved', 'rejected']).optional() }) },
    },
    async (req) => listCorrectionRequests(ctx.db, requireOperator(req), req.query.status),
  );
  r.post(
    '/api/v1/order-corrections/:id/approve',
    { preHandler: requireRole(...ADMINS), schema: { tags, description: 'Applies the waiting correction now (on the version it was made on).', params: idParams, querystring: opQuery } },
    async (req) => {
      const after: After = [];
      const out = await ctx.db.tx((q) => approveCorrectionRequest(deps, q, requireOperator(req), req.params.id, actor(req), ctx.clock.now(), after));
      emitAll(ctx.events, after);
      return { ...out.request, order: out.order, deltaAmount: formatYuan(out.deltaFen) };
    },
  );
  r.post(
    '/api/v1/order-corrections/:id/reject',
    { preHandler: requireRole(...ADMINS), schema: { tags, params: idParams, querystring: opQuery, body: z.object({ reason: z.string().trim().min(1, 'a rejection needs a reason').max(500) }) } },
    async (req) => ctx.db.tx((q) => rejectCorrectionRequest(q, requireOperator(req), req.params.id, req.body.reason, actor(req), ctx.clock.now())),
  );
}
