import { z } from 'zod';
import { Temporal } from 'temporal-polyfill';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, requireOperator, STAFF } from '../../platform/auth/guard.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import { getOperator } from '../registry/index.ts';
import { STATUSES, FIELD_KEYS } from './case-format.ts';
import { createCase, updateCase, addAnalysis, getCase, listCases, casesForExport, caseRow, caseAnalysis, type CaseFilter } from './cases.ts';
import { addAttachment, getAttachment, deleteAttachment, disposition, MAX_ATTACHMENT_BYTES } from './attachments.ts';
import { exportCases } from './export.ts';
import { BASE } from './routes.ts';

const op = z.object({ operatorId: z.string().optional() });
const text = (max: number) => z.string().max(max, `at most ${max} characters`);
const fieldsSchema = z
  .object(Object.fromEntries(FIELD_KEYS.filter((k) => k !== 'phone' && k !== 'date').map((k) => [k, text(500).optional()])) as Record<string, z.ZodOptional<z.ZodString>>)
  .strict();
const assignees = z.array(z.string().trim().min(1).max(40)).max(10);
const phone = z.string().trim().regex(/^\+?\d{7,15}$/, 'a phone number of 7 to 15 digits');
const analysisEntry = z.object({ author: z.string().trim().min(1).max(40).optional(), text: z.string().trim().min(1, 'an analysis entry needs text').max(5000) }).strict();

const createBody = z
  .object({
    orderNo: z.string().regex(/^\d{20}$/, 'an order number of 20 digits').optional(),
    description: text(5000),
    operatorFindings: text(5000).optional(),
    resolution: text(5000).optional(),
    status: z.enum(STATUSES).optional(),
    assignees: assignees.optional(),
    fields: fieldsSchema.optional(),
    phone: phone.optional(),
    analysis: z.array(analysisEntry).max(50).optional(),
  })
  .strict();

const patchBody = z
  .object({
    description: text(5000).optional(),
    operatorFindings: text(5000).optional(),
    resolution: text(5000).optional(),
    status: z.enum(STATUSES).optional(),
    assignees: assignees.optional(),
    fields: fieldsSchema.optional(),
    phone: phone.nullable().optional(),
  })
  .strict();

// a day (the operator's local midnight) or an instant
const dayOrInstant = z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.string().datetime({ offset: true })], { message: 'a date yyyy-MM-dd or an ISO 8601 instant' });
const filterSchema = op.extend({
  status: z.enum(STATUSES).optional(),
  q: z.string().trim().max(100).optional(),
  from: dayOrInstant.optional(),
  to: dayOrInstant.optional(),
  stationId: z.string().max(64).optional(),
  chargerId: z.string().max(64).optional(),
  orderNo: z.string().max(32).optional(),
  assignee: z.string().max(40).optional(),
});
const exportQuery = z.object({
  format: z.enum(['md', 'xlsx']).default('md'),
  phones: z.enum(['full', 'masked']).optional(),
  reason: z.string().trim().max(500).optional(),
});
const idParams = z.object({ id: z.coerce.number().int().positive() });

function toInstant(s: string, tz: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return new Date(s);
  try {
    return new Date(Temporal.PlainDate.from(s).toZonedDateTime({ timeZone: tz }).epochMilliseconds);
  } catch {
    throw badRequest(`not a calendar date: ${s}`);
  }
}

async function toFilter(ctx: Ctx, operatorId: string, qs: z.infer<typeof filterSchema>): Promise<CaseFilter> {
  const tz = (await getOperator(ctx.db, operatorId))?.timezone ?? 'Asia/Shanghai';
  // a day as `to` includes that day
  const to = qs.to ? (/^\d{4}-\d{2}-\d{2}$/.test(qs.to) ? toInstant(Temporal.PlainDate.from(qs.to).add({ days: 1 }).toString(), tz) : new Date(qs.to)) : undefined;
  return { ...qs, from: qs.from ? toInstant(qs.from, tz) : undefined, to };
}

const FILE_EXT = { md: 'md', xlsx: 'xlsx' } as const;

export function caseRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const now = () => ctx.clock.date();
  const guard = { preHandler: requireRole(...STAFF) };

  r.post(
    `${BASE}/cases`,
    {
      ...guard,
      schema: {
        tags: ['support'],
        description: 'A case; with orderNo every template field (日期 … 近期故障状态) is filled from the records. Numbered {operator}_case#{n}_{yyyyMMdd}.',
        querystring: op,
        body: createBody,
      },
    },
    async (req, reply) => {
      const operatorId = requireOperator(req);
      const id = await ctx.db.tx((q) => createCase(q, operatorId, req.body, req.principal!.sub, now()));
      return reply.status(201).send(await getCase(ctx.db, operatorId, id));
    },
  );

  r.get(`${BASE}/cases`, { ...guard, schema: { tags: ['support'], description: 'Cases, newest first; q searches every text of a case (Chinese too).', querystring: filterSchema.extend({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(20) }) } }, async (req) => {
    const operatorId = requireOperator(req);
    return listCases(ctx.db, operatorId, await toFilter(ctx, operatorId, req.query), req.query.page, req.query.pageSize);
  });

  r.get(
    `${BASE}/cases/export`,
    { ...guard, schema: { tags: ['support'], description: 'The cases of a period (created from → to) in the case log’s Markdown layout, or XLSX with one row per case.', querystring: filterSchema.extend(exportQuery.shape) } },
    async (req, reply) => {
      const operatorId = requireOperator(req);
      const cases = await casesForExport(ctx.db, operatorId, await toFilter(ctx, operatorId, req.query));
      const out = await ctx.db.tx((q) => exportCases(q, req.principal!, operatorId, cases, req.query, now()));
      const name = `${operatorId}_cases_${req.query.from ?? 'all'}_${req.query.to ?? ''}.${FILE_EXT[req.query.format]}`.replace(/[:]/g, '');
      return reply.type(out.contentType).header('content-disposition', disposition('attachment', name)).header('x-full-phones', String(out.fullPhones)).send(out.body);
    },
  );

  r.get(`${BASE}/cases/:id`, { ...guard, schema: { tags: ['support'], params: idParams, querystring: op } }, async (req) => getCase(ctx.db, requireOperator(req), req.params.id));

  r.patch(`${BASE}/cases/:id`, { ...guard, schema: { tags: ['support'], params: idParams, querystring: op, body: patchBody } }, async (req) => {
    const operatorId = requireOperator(req);
    await ctx.db.tx((q) => updateCase(q, operatorId, req.params.id, req.body, now()));
    return getCase(ctx.db, operatorId, req.params.id);
  });

  r.post(
    `${BASE}/cases/:id/analysis`,
    { ...guard, schema: { tags: ['support'], description: 'An analysis entry, exported as 【author】:text (author defaults to the user).', params: idParams, querystring: op, body: analysisEntry } },
    async (req, reply) => {
      const operatorId = requireOperator(req);
      await ctx.db.tx((q) => addAnalysis(q, operatorId, req.params.id, { author: req.body.author ?? req.principal!.sub, text: req.body.text }, req.principal!.sub, now()));
      return reply.status(201).send(await getCase(ctx.db, operatorId, req.params.id));
    },
  );

  r.get(`${BASE}/cases/:id/export`, { ...guard, schema: { tags: ['support'], params: idParams, querystring: op.extend(exportQuery.shape) } }, async (req, reply) => {
    const operatorId = requireOperator(req);
    const row = await caseRow(ctx.db, operatorId, req.params.id);
    if (!row) throw notFound(`case ${req.params.id}`);
    const analysis = await caseAnalysis(ctx.db, operatorId, [Number(row.id)]);
    const out = await ctx.db.tx((q) => exportCases(q, req.principal!, operatorId, [{ row, analysis }], req.query, now()));
    return reply
      .type(out.contentType)
      .header('content-disposition', disposition('attachment', `${row.case_no}.${FILE_EXT[req.query.format]}`))
      .header('x-full-phones', String(out.fullPhones))
      .send(out.body);
  });

  r.get(
    `${BASE}/cases/:id/attachments/:attachmentId`,
    { ...guard, schema: { tags: ['support'], params: idParams.extend({ attachmentId: z.coerce.number().int().positive() }), querystring: op } },
    async (req, reply) => {
      const a = await getAttachment(ctx.db, requireOperator(req), req.params.id, req.params.attachmentId);
      return reply
        .type(a.inline ? a.contentType : 'application/octet-stream')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('content-disposition', disposition(a.inline ? 'inline' : 'attachment', a.filename))
        .send(a.content);
    },
  );

  r.delete(
    `${BASE}/cases/:id/attachments/:attachmentId`,
    { ...guard, schema: { tags: ['support'], params: idParams.extend({ attachmentId: z.coerce.number().int().positive() }), querystring: op } },
    async (req, reply) => {
      const operatorId = requireOperator(req);
      await ctx.db.tx((q) => deleteAttachment(q, operatorId, req.params.id, req.params.attachmentId, now()));
      return reply.status(204).send();
    },
  );

  // Uploads are the raw file as the body (any content type), in their own scope so no other route takes binary bodies.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES }, (_req, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      `${BASE}/cases/:id/attachments`,
      {
        ...guard,
        bodyLimit: MAX_ATTACHMENT_BYTES,
        schema: {
          tags: ['support'],
          description: `An attachment (image or file) as the raw request body with its content-type; ?filename= names it. At most ${MAX_ATTACHMENT_BYTES} bytes, 20 per case.`,
          params: idParams,
          querystring: op.extend({ filename: z.string().trim().min(1).max(200) }),
        },
      },
      async (req, reply) => {
        const operatorId = requireOperator(req);
        if (!Buffer.isBuffer(req.body)) throw badRequest('send the file as the request body');
        const id = await ctx.db.tx((q) =>
          addAttachment(q, operatorId, req.params.id, { filename: req.query.filename, contentType: req.headers['content-type'] ?? '', content: req.body as Buffer }, req.principal!.sub, now()),
        );
        const c = await getCase(ctx.db, operatorId, req.params.id);
        return reply.status(201).send({ attachment: c.attachments.find((a) => a.id === id), case: c });
      },
    );
  });
}
