import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { ADMINS, STAFF, requireOperator, requireRole } from '../../platform/auth/guard.ts';
import { AppError, badRequest, forbidden } from '../../platform/errors.ts';
import { ProviderError } from './provider.ts';
import { parseYuan } from '../../platform/money.ts';
import { publicUrl, type PublicUrlCheck } from '../../platform/public-url.ts';
import { getOperator } from '../registry/index.ts';
import { forgetMerchant } from './callbacks.ts';
import { createRefund, listRefunds, getRefund } from './refunds.ts';
import { getReconciliation, listReconciliations, runReconciliation } from './reconcile-run.ts';
import { paymentsSettingsSchema, paymentsSettingsView, saveWechatpaySettings } from './settings.ts';
import { createTopup, getTopup, listTopups, notifyPath, topupHistory } from './topups.ts';
import { localDate } from './wechatpay/time.ts';
import { recordAudit } from '../../platform/audit.ts';

const yuan = z.string().regex(/^\d{1,6}(\.\d{1,2})?$/, 'yuan as a string with at most 2 decimals, e.g. "50.00"');
const page = { limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).default(0) };
const dateStr = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

/** A driver acts for itself only: its token carries the operator and sub = phone. */
function driverPhone(req: FastifyRequest): string | null {
  return req.principal?.role === 'driver' ? req.principal.sub : null;
}

export function paymentRoutes(app: FastifyInstance, ctx: Ctx, selfCheck: PublicUrlCheck) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/settings/payments', { preHandler: requireRole(...ADMINS), schema: { tags: ['payments'], description: 'Merchant settings; secrets are write-only (shown as set or not)' } }, async (req) =>
    paymentsSettingsView(ctx.db, requireOperator(req)),
  );

  r.put(
    '/api/v1/settings/payments',
    { preHandler: requireRole(...ADMINS), schema: { tags: ['payments'], body: paymentsSettingsSchema, description: 'apiV3Key and merchantPrivateKey may be left out to keep the stored ones' } },
    async (req) => {
      const operatorId = requireOperator(req);
      const op = await getOperator(ctx.db, operatorId);
      if (!op) throw badRequest(`unknown operator ${operatorId}`);
      if (req.body.wechatpay) {
        const wp = req.body.wechatpay;
        await ctx.db.tx(async (q) => {
          await saveWechatpaySettings(q, operatorId, wp, op.timezone);
          forgetMerchant(ctx, operatorId);
          await recordAudit(q, {
            operatorId,
            actor: req.principal!.sub,
            action: 'update',
            entity: 'payment_settings',
            entityId: 'wechatpay',
            after: { mchid: wp.mchid, appid: wp.appid, merchantSerial: wp.merchantSerial, platformSerial: wp.platformSerial, apiBaseUrl: wp.apiBaseUrl, secretsChanged: !!(wp.apiV3Key || wp.merchantPrivateKey) },
          });
        });
      }
      return paymentsSettingsView(ctx.db, operatorId);
    },
  );

  r.get('/api/v1/settings/public-url', { preHandler: requireRole(...STAFF), schema: { tags: ['payments'], description: 'Whether PUBLIC_BASE_URL reaches this instance (payment callbacks, H5 links)' } }, async (req) => {
    const fresh = (req.query as { refresh?: string }).refresh === 'true';
    const operatorId = req.principal!.operatorId;
    const links = operatorId ? { driverH5: publicUrl(ctx, `/h5/${operatorId}`), paymentNotify: publicUrl(ctx, notifyPath(operatorId)) } : {};
    return { ...(await selfCheck.check(fresh ? 0 : 10_000)), links };
  });

  r.post(
    '/api/v1/topups',
    {
      preHandler: requireRole(...STAFF, 'driver'),
      schema: {
        tags: ['payments'],
        body: z.object({
          phone: z.string().regex(/^\+?\d{6,15}$/, 'a phone number of 6-15 digits'),
          amount: yuan,
          channel: z.enum(['wechatpay_jsapi', 'wechatpay_h5']),
          openid: z.string().min(1).max(128).optional(),
        }),
      },
    },
    async (req, reply) => {
      const operatorId = requireOperator(req);
      const own = driverPhone(req);
      if (own && own !== req.body.phone) throw forbidden('a driver tops up only its own wallet');
      const amountFen = parseYuan(req.body.amount);
      if (amountFen < 1 || amountFen > 5_000_00) throw badRequest('amount must be between 0.01 and 5000.00 yuan');
      const t = await createTopup(ctx, { operatorId, phone: req.body.phone, amountFen, channel: req.body.channel, openid: req.body.openid, clientIp: req.ip, createdBy: req.principal!.sub });
      return reply.status(201).send(t);
    },
  );

  r.get(
    '/api/v1/topups',
    {
      preHandler: requireRole(...STAFF, 'driver'),
      schema: { tags: ['payments'], querystring: z.object({ status: z.enum(['creating', 'pending', 'credited', 'closed', 'failed']).optional(), phone: z.string().optional(), flagged: z.enum(['true', 'false']).optional(), operatorId: z.string().optional(), ...page }) },
    },
    async (req) => {
      const q = req.query;
      return listTopups(ctx.db, requireOperator(req), { status: q.status, phone: driverPhone(req) ?? q.phone, flagged: q.flagged === undefined ? undefined : q.flagged === 'true', limit: q.limit, offset: q.offset });
    },
  );

  r.get('/api/v1/topups/:outTradeNo', { preHandler: requireRole(...STAFF, 'driver'), schema: { tags: ['payments'], params: z.object({ outTradeNo: z.string().max(32) }) } }, async (req) => {
    const operatorId = requireOperator(req);
    const t = await getTopup(ctx.db, operatorId, req.params.outTradeNo);
    const own = driverPhone(req);
    if (own && own !== t.phone) throw forbidden('not your top-up');
    return { ...t, history: own ? undefined : await topupHistory(ctx.db, operatorId, req.params.outTradeNo) };
  });

  r.get(
    '/api/v1/payments/callbacks',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags: ['payments'], description: 'WeChat Pay callbacks as received (stored raw), newest first; refused ones carry the reason', querystring: z.object({ outcome: z.string().optional(), refused: z.enum(['true', 'false']).optional(), operatorId: z.string().optional(), ...page }) },
    },
    async (req) => {
      const q = req.query;
      const r = await ctx.db.query<{ id: number; outcome: string | null; error: string | null; headers: any; decoded: any; received_at: Date; processed_at: Date | null; total: number }>(
        `SELECT id, outcome, error, headers, decoded, received_at, processed_at, count(*) OVER ()::int AS total FROM inbox
         WHERE source = 'wechatpay' AND operator_id = $1 AND ($2::text IS NULL OR outcome = $2)
           AND ($3::boolean IS NULL OR (outcome LIKE 'refused:%' OR outcome LIKE 'flagged:%' OR outcome IN ('decrypt_failed', 'bad_request', 'error')) = $3)
         ORDER BY id DESC LIMIT $4 OFFSET $5`,
        [requireOperator(req), q.outcome ?? null, q.refused === undefined ? null : q.refused === 'true', q.limit, q.offset],
      );
      return {
        total: r.rows[0]?.total ?? 0,
        items: r.rows.map((x) => ({
          id: x.id,
          receivedAt: x.received_at.toISOString(),
          processedAt: x.processed_at?.toISOString() ?? null,
          outcome: x.outcome,
          error: x.error,
          serial: x.headers?.['wechatpay-serial'] ?? null,
          outTradeNo: x.decoded?.out_trade_no ?? null,
          outRefundNo: x.decoded?.out_refund_no ?? null,
          transactionId: x.decoded?.transaction_id ?? null,
        })),
      };
    },
  );

  r.post(
    '/api/v1/refunds',
    {
      preHandler: requireRole(...ADMINS),
      schema: { tags: ['payments'], body: z.object({ outTradeNo: z.string().min(6).max(32), amount: yuan, reason: z.string().min(1).max(80) }) },
    },
    async (req, reply) => {
      const amountFen = parseYuan(req.body.amount);
      if (amountFen < 1) throw badRequest('amount must be at least 0.01 yuan');
      const out = await createRefund(ctx, { operatorId: requireOperator(req), outTradeNo: req.body.outTradeNo, amountFen, reason: req.body.reason, createdBy: req.principal!.sub });
      return reply.status(201).send(out);
    },
  );

  r.get(
    '/api/v1/refunds',
    { preHandler: requireRole(...STAFF), schema: { tags: ['payments'], querystring: z.object({ outTradeNo: z.string().optional(), status: z.string().optional(), operatorId: z.string().optional(), ...page }) } },
    async (req) => listRefunds(ctx.db, requireOperator(req), req.query),
  );

  r.get('/api/v1/refunds/:outRefundNo', { preHandler: requireRole(...STAFF), schema: { tags: ['payments'], params: z.object({ outRefundNo: z.string().max(64) }) } }, async (req) =>
    getRefund(ctx.db, requireOperator(req), req.params.outRefundNo),
  );

  r.get(
    '/api/v1/payments/reconciliation',
    { preHandler: requireRole(...STAFF), schema: { tags: ['payments'], querystring: z.object({ date: dateStr.optional(), operatorId: z.string().optional() }) } },
    async (req, reply) => {
      const operatorId = requireOperator(req);
      if (!req.query.date) return { items: await listReconciliations(ctx, operatorId) };
      const r = await getReconciliation(ctx, operatorId, req.query.date);
      if (!r) return reply.status(404).send({ error: { code: 'not_found', message: `no reconciliation for ${req.query.date} yet; POST /api/v1/payments/reconciliation/run to run it` } });
      return r;
    },
  );

  r.post(
    '/api/v1/payments/reconciliation/run',
    { preHandler: requireRole(...STAFF), schema: { tags: ['payments'], body: z.object({ date: dateStr }) } },
    async (req) => {
      const operatorId = requireOperator(req);
      if (req.body.date > localDate(ctx.clock.date(), 'Asia/Shanghai')) throw badRequest('the trade bill of a future day does not exist');
      try {
        return await runReconciliation(ctx, operatorId, req.body.date);
      } catch (e) {
        if (e instanceof ProviderError) throw new AppError(502, 'provider_error', `the trade bill of ${req.body.date} could not be fetched: ${e.message}`);
        throw e;
      }
    },
  );
}
