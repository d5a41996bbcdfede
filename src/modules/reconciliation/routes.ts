/** Reconciliation API: runs (JSON or multipart statement), run view with items, resolve, export, per-partner settings, monthly chart. */
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { ADMINS, STAFF, requireOperator, requireRole } from '../../platform/auth/guard.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import { getPartner } from '../roaming/index.ts';
import { operatorTimeZone } from '../tariffs/index.ts';
import { csvExport, xlsxExport } from './export.ts';
import { CLASSES } from './match.ts';
import { parseMultipart } from './multipart.ts';
import { resolveItem } from './resolve.ts';
import { partnerSettings, savePartnerSettings } from './runs.ts';
import { startRun } from './service.ts';
import { FIELDS } from './statement.ts';
import { listItems, listRuns, monthlyDifferences, runRow, runView, stakeNow } from './view.ts';

const instant = z.string().datetime({ offset: true, message: 'an ISO 8601 instant with offset, e.g. 2026-08-01T00:00:00+08:00' });
const op = z.object({ operatorId: z.string().optional() });
const mapping = z.object(Object.fromEntries(FIELDS.map((f) => [f, z.union([z.string().min(1).max(100), z.array(z.string().min(1).max(100)).min(1).max(5)]).optional()]))).strict();
/** Statements may be large (a month of a busy partner); the rest of the API keeps the platform's limit. */
export const STATEMENT_BODY_LIMIT = 100 * 1024 * 1024;
const idParams = z.object({ id: z.coerce.number().int().positive() });
const itemFilter = {
  class: z.enum(CLASSES).optional(),
  includeMatched: z.enum(['true', 'false']).optional(),
  resolved: z.enum(['true', 'false']).optional(),
  q: z.string().max(64).optional(),
};

export function reconciliationRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const guard = { preHandler: requireRole(...STAFF) };

  r.post(
    '/api/v1/reconciliations',
    {
      ...guard,
      bodyLimit: STATEMENT_BODY_LIMIT,
      schema: {
        tags: ['reconciliation'],
        description:
          'Starts a run over [from, to) (an order belongs to the period its session ended in). Without a statement the partner’s check_charge_orders answers are used, day by day. A bad statement is refused with the row and column of each problem (first 100) and nothing is stored. The run may finish asynchronously: GET it until status is not "running".',
        querystring: op,
        body: z
          .object({
            partnerId: z.string().min(1).max(20),
            from: instant,
            to: instant,
            statement: z.object({ format: z.enum(['csv', 'xlsx']), content: z.string().min(1), mapping: mapping.optional() }).strict().optional(),
          })
          .strict(),
      },
    },
    async (req, reply) => {
      const operatorId = requireOperator(req);
      const b = req.body;
      const id = await startRun(ctx, operatorId, { partnerId: b.partnerId, from: new Date(b.from), to: new Date(b.to), statement: b.statement }, req.principal!.sub);
      const run = (await runRow(ctx.db, operatorId, id))!;
      return reply.status(201).send(runView(run));
    },
  );

  // The console's upload: multipart/form-data with partnerId, from, to, optional format, and the file.
  app.register(async (scope) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: STATEMENT_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/reconciliations/upload',
      { ...guard, bodyLimit: STATEMENT_BODY_LIMIT, schema: { tags: ['reconciliation'], description: 'multipart/form-data: fields partnerId, from, to (ISO 8601), format? (csv | xlsx, else from the file name), and one file part "statement".', querystring: op } },
      async (req, reply) => {
        const operatorId = requireOperator(req);
        if (!Buffer.isBuffer(req.body)) throw badRequest('send multipart/form-data');
        const mp = parseMultipart(req.body, req.headers['content-type']);
        if (typeof mp === 'string') throw badRequest(mp);
        const file = mp.files[0];
        if (!file) throw badRequest('no file part (statement) in the upload');
        const f = z.object({ partnerId: z.string().min(1).max(20), from: instant, to: instant, format: z.enum(['csv', 'xlsx']).optional() }).safeParse(mp.fields);
        if (!f.success) throw badRequest(`bad upload fields: ${f.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        const format = f.data.format ?? (/\.xlsx$/i.test(file.filename) ? 'xlsx' : /\.csv$/i.test(file.filename) ? 'csv' : null);
        if (!format) throw badRequest('say the format (csv or xlsx) or name the file .csv / .xlsx');
        const content = format === 'csv' ? file.content.toString('utf8') : file.content;
        const id = await startRun(ctx, operatorId, { partnerId: f.data.partnerId, from: new Date(f.data.from), to: new Date(f.data.to), statement: { format, content } }, req.principal!.sub);
        return reply.status(201).send(runView((await runRow(ctx.db, operatorId, id))!));
      },
    );
  });

  r.get('/api/v1/reconciliations', { ...guard, schema: { tags: ['reconciliation'], querystring: op.extend({ partnerId: z.string().optional() }) } }, async (req) => ({
    items: await listRuns(ctx.db, requireOperator(req), req.query.partnerId),
  }));

  r.get('/api/v1/reconciliations/monthly', { ...guard, schema: { tags: ['reconciliation'], description: 'Differences per month per partner (latest run of each month)', querystring: op } }, async (req) => {
    const operatorId = requireOperator(req);
    return { items: await monthlyDifferences(ctx.db, operatorId, await operatorTimeZone(ctx.db, operatorId)) };
  });

  r.get(
    '/api/v1/reconciliations/:id',
    {
      ...guard,
      schema: {
        tags: ['reconciliation'],
        description: 'The run: status, counts per class, sums, money at stake before and after, and its items (by default every item that is not matched; filters: class, resolved, q = order number or StartChargeSeq).',
        params: idParams,
        querystring: op.extend({ ...itemFilter, limit: z.coerce.number().int().min(1).max(1000).default(200), offset: z.coerce.number().int().min(0).default(0) }),
      },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      const run = await runRow(ctx.db, operatorId, req.params.id);
      if (!run) throw notFound(`reconciliation ${req.params.id}`);
      const q = req.query;
      const items = await listItems(ctx.db, run.id, { class: q.class, includeMatched: q.includeMatched === 'true', resolved: q.resolved === undefined ? undefined : q.resolved === 'true', q: q.q }, q.limit, q.offset);
      return { ...runView(run, await stakeNow(ctx.db, run.id)), items: items.items, totalItems: items.total };
    },
  );

  r.post(
    '/api/v1/reconciliations/:id/items/:itemId/resolve',
    {
      ...guard,
      schema: {
        tags: ['reconciliation'],
        description:
          'repush: the order again through the outbox; correct: corrected inputs through the billing engine (never totals); accept_partner: a correction version to the partner’s energy; write_off: with the note. Who, when and why are kept.',
        params: idParams.extend({ itemId: z.coerce.number().int().positive() }),
        querystring: op,
        body: z
          .object({
            action: z.enum(['repush', 'correct', 'accept_partner', 'write_off']),
            note: z.string().trim().min(1, 'a resolution needs a note saying why').max(1000),
            correction: z
              .object({ meterStartWh: z.number().int().min(0).optional(), meterStopWh: z.number().int().min(0).optional(), startTime: instant.optional(), endTime: instant.optional(), tariffVersionId: z.number().int().positive().optional() })
              .strict()
              .optional(),
          })
          .strict(),
      },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      const c = req.body.correction;
      const correction = c && { ...c, startTime: c.startTime ? Date.parse(c.startTime) : undefined, endTime: c.endTime ? Date.parse(c.endTime) : undefined };
      return resolveItem(ctx, operatorId, req.params.id, req.params.itemId, { action: req.body.action, note: req.body.note, correction }, { username: req.principal!.sub, role: req.principal!.role });
    },
  );

  r.get(
    '/api/v1/reconciliations/:id/export',
    { ...guard, schema: { tags: ['reconciliation'], params: idParams, querystring: op.extend({ format: z.enum(['csv', 'xlsx']), ...itemFilter }) } },
    async (req, reply) => {
      const operatorId = requireOperator(req);
      const run = await runRow(ctx.db, operatorId, req.params.id);
      if (!run) throw notFound(`reconciliation ${req.params.id}`);
      const q = req.query;
      const f = { class: q.class, includeMatched: q.includeMatched !== 'false', resolved: q.resolved === undefined ? undefined : q.resolved === 'true', q: q.q };
      reply.header('content-disposition', `attachment; filename="reconciliation-${run.id}-${run.partner_id}.${q.format}"`);
      const tz = await operatorTimeZone(ctx.db, operatorId);
      if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').send(csvExport(ctx.db, run.id, f, tz));
      return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(xlsxExport(ctx.db, run.id, f, tz));
    },
  );

  const partnerParams = z.object({ partnerId: z.string().min(1).max(20) });
  const settingsView = (s: Awaited<ReturnType<typeof partnerSettings>>) => ({ mapping: s.mapping, energyToleranceWh: s.tolerance.energyWh, moneyToleranceFen: s.tolerance.moneyFen });
  r.get('/api/v1/reconciliations/settings/:partnerId', { ...guard, schema: { tags: ['reconciliation'], params: partnerParams, querystring: op } }, async (req) => {
    const operatorId = requireOperator(req);
    if (!(await getPartner(ctx.db, operatorId, req.params.partnerId))) throw notFound(`partner ${req.params.partnerId}`);
    return settingsView(await partnerSettings(ctx.db, operatorId, req.params.partnerId));
  });
  r.put(
    '/api/v1/reconciliations/settings/:partnerId',
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags: ['reconciliation'],
        description: 'The partner’s statement column mapping (null: the T/CEC headers) and tolerances (Wh, fen).',
        params: partnerParams,
        querystring: op,
        body: z.object({ mapping: mapping.nullable().optional(), energyToleranceWh: z.number().int().min(0).max(100_000).optional(), moneyToleranceFen: z.number().int().min(0).max(1_000_000).optional() }).strict(),
      },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      if (!(await getPartner(ctx.db, operatorId, req.params.partnerId))) throw notFound(`partner ${req.params.partnerId}`);
      const b = req.body;
      const s = await ctx.db.tx((q) => savePartnerSettings(q, operatorId, req.params.partnerId, { mapping: b.mapping, tolerance: { energyWh: b.energyToleranceWh, moneyFen: b.moneyToleranceFen } }, req.principal!.sub));
      return settingsView(s);
    },
  );
}
