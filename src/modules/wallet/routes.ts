import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { ADMINS, STAFF, requireOperator, requireRole } from '../../platform/auth/guard.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import { formatYuan, parseYuan } from '../../platform/money.ts';
import { addIdTag, changeIdTag, createDriver, driverLedger, getDriver, getDriverRow, searchDrivers, updateDriver } from './drivers.ts';
import { checkBalances } from './ledger.ts';
import { collectOwed, manualAdjust } from './postings.ts';
import { saveWalletSettings, walletSettings } from './settings.ts';
import { canStart } from './can-start.ts';

const yuan = z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'yuan as a string with at most 2 decimals, e.g. "12.34"');
const phone = z.string().regex(/^\+?\d{6,15}$/, 'a phone number of 6-15 digits');
const opQuery = z.object({ operatorId: z.string().optional() });
const paging = opQuery.extend({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(20) });
const phoneParams = z.object({ phone: z.string().min(1) });
const tagIn = z.object({
  id: z.string().min(1).max(20, 'an OCPP 1.6 idTag has at most 20 characters'),
  kind: z.enum(['card', 'app']).default('card'),
  status: z.enum(['active', 'blocked', 'expired']).default('active'),
  expiresAt: z.string().datetime({ offset: true }).nullable().optional(),
});
const tags = ['drivers'];

/** A driver may read only itself; staff read their operator's drivers. */
function scopeDriver(req: FastifyRequest, phone: string): string {
  const p = req.principal!;
  if (p.role === 'driver' && p.sub !== phone) throw forbidden('a driver sees only itself');
  return requireOperator(req);
}

export function walletRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const actor = (req: FastifyRequest) => req.principal!.sub;

  r.get(
    '/api/v1/drivers',
    { preHandler: requireRole(...STAFF), schema: { tags, description: 'Search by phone, name, nickname, plate or card number.', querystring: paging.extend({ q: z.string().trim().max(50).optional() }) } },
    async (req) => searchDrivers(ctx.db, requireOperator(req), { q: req.query.q || undefined, page: req.query.page, pageSize: req.query.pageSize }),
  );

  r.get('/api/v1/drivers/:phone', { preHandler: requireRole(...STAFF, 'driver'), schema: { tags, params: phoneParams, querystring: opQuery } }, async (req) =>
    getDriver(ctx.db, scopeDriver(req, req.params.phone), req.params.phone, ctx.clock.date()),
  );

  r.post(
    '/api/v1/drivers',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags,
        querystring: opQuery,
        body: z.object({ phone, name: z.string().max(50).optional(), nickname: z.string().max(50).optional(), plates: z.array(z.string().min(1).max(12)).max(10).optional(), idTags: z.array(tagIn).max(20).optional() }),
      },
    },
    async (req, reply) => {
      const op = requireOperator(req);
      await ctx.db.tx((q) => createDriver(q, op, req.body));
      return reply.status(201).send(await getDriver(ctx.db, op, req.body.phone, ctx.clock.date()));
    },
  );

  r.patch(
    '/api/v1/drivers/:phone',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags,
        params: phoneParams,
        querystring: opQuery,
        body: z.object({ status: z.enum(['active', 'blocked']).optional(), name: z.string().max(50).nullable().optional(), nickname: z.string().max(50).nullable().optional(), plates: z.array(z.string().min(1).max(12)).max(10).optional() }),
      },
    },
    async (req) => {
      const op = requireOperator(req);
      await ctx.db.tx((q) => updateDriver(q, op, req.params.phone, req.body, actor(req)));
      return getDriver(ctx.db, op, req.params.phone, ctx.clock.date());
    },
  );

  r.post('/api/v1/drivers/:phone/id-tags', { preHandler: requireRole(...STAFF), schema: { tags, params: phoneParams, querystring: opQuery, body: tagIn } }, async (req, reply) => {
    const op = requireOperator(req);
    await ctx.db.tx(async (q) => {
      await getDriverRow(q, op, req.params.phone);
      await addIdTag(q, op, req.params.phone, req.body);
    });
    return reply.status(201).send(await getDriver(ctx.db, op, req.params.phone, ctx.clock.date()));
  });

  r.patch(
    '/api/v1/drivers/:phone/id-tags/:id',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags,
        params: phoneParams.extend({ id: z.string().min(1) }),
        querystring: opQuery,
        body: z.object({ action: z.enum(['block', 'unblock', 'expire']), expiresAt: z.string().datetime({ offset: true }).nullable().optional() }),
      },
    },
    async (req) => {
      const op = requireOperator(req);
      await ctx.db.tx((q) => changeIdTag(q, op, req.params.phone, req.params.id, req.body, actor(req), ctx.clock.date()));
      return getDriver(ctx.db, op, req.params.phone, ctx.clock.date());
    },
  );

  r.get('/api/v1/drivers/:phone/ledger', { preHandler: requireRole(...STAFF, 'driver'), schema: { tags, params: phoneParams, querystring: paging } }, async (req) =>
    driverLedger(ctx.db, scopeDriver(req, req.params.phone), req.params.phone, req.query),
  );

  r.post(
    '/api/v1/drivers/:phone/wallet/adjustments',
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags,
        description: 'A manual credit or debit of the wallet (operator_admin); the remark is required and kept on the ledger and in the audit log.',
        params: phoneParams,
        querystring: opQuery,
        body: z.object({ amount: yuan, direction: z.enum(['credit', 'debit']), remark: z.string().trim().min(1, 'a remark is required').max(500), idempotencyKey: z.string().max(100).optional() }),
      },
    },
    async (req, reply) => {
      const op = requireOperator(req);
      const res = await ctx.db.tx(async (q) => {
        await getDriverRow(q, op, req.params.phone);
        return manualAdjust(q, {
          operatorId: op,
          account: { kind: 'wallet', ref: req.params.phone },
          phone: req.params.phone,
          amountFen: parseYuan(req.body.amount),
          direction: req.body.direction,
          remark: req.body.remark,
          actor: actor(req),
          idempotencyKey: req.body.idempotencyKey,
        });
      });
      return reply.status(res.posted ? 201 : 200).send({ transactionId: res.transactionId, posted: res.posted, walletBalance: formatYuan(res.balanceFen) });
    },
  );

  r.post(
    '/api/v1/drivers/:phone/wallet/collect-owed',
    {
      preHandler: requireRole(...ADMINS),
      schema: { tags, description: 'Takes what the driver owes (a shortfall) from the wallet balance, as far as it goes.', params: phoneParams, querystring: opQuery, body: z.object({ remark: z.string().trim().min(1).max(500).optional() }).optional() },
    },
    async (req) => {
      const op = requireOperator(req);
      const res = await ctx.db.tx(async (q) => {
        await getDriverRow(q, op, req.params.phone);
        return collectOwed(q, op, req.params.phone, {
          key: `collect:manual:${ctx.clock.now()}:${Math.random().toString(36).slice(2)}`,
          remark: req.body?.remark ?? 'owed amount collected by staff',
          actor: actor(req),
        });
      });
      const d = await getDriver(ctx.db, op, req.params.phone, ctx.clock.date());
      return { collected: formatYuan(res.collectedFen), walletBalance: d.walletBalance, owed: d.owed };
    },
  );

  r.get('/api/v1/drivers/:phone/can-start', { preHandler: requireRole(...STAFF, 'driver'), schema: { tags, params: phoneParams, querystring: opQuery } }, async (req) => {
    const c = await canStart(ctx.db, scopeDriver(req, req.params.phone), { phone: req.params.phone }, ctx.clock.date());
    // an unknown driver (or another operator's) is a 404 here as on GET /drivers/:phone
    if (c.code === 'no_driver') throw notFound(`driver ${req.params.phone}`);
    return {
      ok: c.ok,
      code: c.code,
      reason: c.reason,
      paymentMethod: c.payer?.method ?? null,
      available: c.availableFen === undefined ? null : formatYuan(c.availableFen),
      minimum: c.minStartFen === undefined ? null : formatYuan(c.minStartFen),
    };
  });

  r.get(
    '/api/v1/wallet/check',
    { preHandler: requireRole(...STAFF), schema: { tags: ['wallet'], description: 'Recomputes every cached balance from the entries and lists mismatches and unbalanced transactions.', querystring: opQuery } },
    async (req) => checkBalances(ctx.db, requireOperator(req)),
  );

  const settingsView = z.object({ minStartBalance: yuan, stopMargin: yuan, stopHorizonSeconds: z.number().int().min(0).max(3600), lowBalance: yuan, startHold: yuan.optional() });
  const toView = (s: Awaited<ReturnType<typeof walletSettings>>) => ({
    minStartBalance: formatYuan(s.minStartBalanceFen),
    stopMargin: formatYuan(s.stopMarginFen),
    stopHorizonSeconds: s.stopHorizonSeconds,
    lowBalance: formatYuan(s.lowBalanceFen),
    startHold: formatYuan(s.startHoldFen),
  });
  r.get('/api/v1/wallet/settings', { preHandler: requireRole(...STAFF), schema: { tags: ['wallet'], querystring: opQuery } }, async (req) => toView(await walletSettings(ctx.db, requireOperator(req))));
  r.put('/api/v1/wallet/settings', { preHandler: requireRole(...ADMINS), schema: { tags: ['wallet'], querystring: opQuery, body: settingsView } }, async (req) => {
    const op = requireOperator(req);
    const b = req.body;
    await saveWalletSettings(ctx.db, op, {
      minStartBalanceFen: parseYuan(b.minStartBalance),
      stopMarginFen: parseYuan(b.stopMargin),
      stopHorizonSeconds: b.stopHorizonSeconds,
      lowBalanceFen: parseYuan(b.lowBalance),
      // left out: the stored start hold stays (default 30.00)
      ...(b.startHold !== undefined ? { startHoldFen: parseYuan(b.startHold) } : {}),
    });
    return toView(await walletSettings(ctx.db, op));
  });
}
