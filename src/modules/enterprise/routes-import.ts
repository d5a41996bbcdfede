import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { ENTERPRISE, MEMBER_ADMINS, enterpriseScope, requireRole } from '../../platform/auth/guard.ts';
import { AppError } from '../../platform/errors.ts';
import { getEnterprise } from './service.ts';
import { applyImport, importTemplate, previewImport } from './import.ts';
import { auditEnterprise } from './audit.ts';

const tags = ['enterprise'];
const opQuery = z.object({ operatorId: z.string().optional() });
const entParams = z.object({ id: z.string().min(1) });
/** 1,000 rows of CSV are ~60 kB; an XLSX in base64 a little more: 5 MB leaves room for large fleets. */
const IMPORT_BODY_LIMIT = 5 * 1024 * 1024;

/** Bulk member import (issue 17 point 3): preview with row errors, then all-or-nothing apply. */
export function enterpriseImportRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/enterprises/:id/members/import',
    {
      preHandler: requireRole(...MEMBER_ADMINS),
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        description:
          'Members from a CSV (text) or XLSX (base64) file with columns phone, name, department (a path like 华南/深圳/宝安), idTags (separated by ;) and optional monthlyAmount, monthlyEnergyKwh, perSessionAmount. ' +
          'Row numbers are as a spreadsheet shows them: the header is row 1, the first data row row 2. apply: false previews; apply: true with any error answers 422 and applies nothing; without errors every row is applied in one transaction (new drivers are created).',
        params: entParams,
        querystring: opQuery,
        body: z.object({ format: z.enum(['csv', 'xlsx']), content: z.string().min(1, 'content is empty'), apply: z.boolean().default(false) }),
      },
    },
    async (req, reply) => {
      const op = enterpriseScope(req, req.params.id);
      await getEnterprise(ctx.db, op, req.params.id);
      const { format, content, apply } = req.body;
      const answer = (x: { rows: unknown[]; errors: unknown[] }) => ({ rows: x.rows.length, errors: x.errors, rowNumbers: 'spreadsheet (header = row 1)' });
      if (!apply) return answer(await previewImport(ctx.db, op, req.params.id, format, content));
      // checked again inside the transaction that applies, so nothing changed between check and write
      const res = await ctx.db.tx(async (q) => {
        const checked = await previewImport(q, op, req.params.id, format, content);
        if (checked.errors.length) return checked;
        await applyImport(q, op, req.params.id, checked.rows, checked.departments);
        await auditEnterprise(q, {
          operatorId: op,
          actor: req.principal!.sub,
          role: req.principal!.role,
          enterpriseId: req.params.id,
          action: 'member.import',
          entity: 'enterprise',
          entityId: req.params.id,
          after: { rows: checked.rows.length, phones: checked.rows.map((x) => x.phone) },
        });
        return checked;
      });
      if (res.errors.length)
        throw new AppError(422, 'import_has_errors', `${res.errors.length} error(s) in the file: nothing was applied`, { rows: res.rows.length, errors: res.errors });
      return reply.status(200).send({ ...answer(res), applied: res.rows.length });
    },
  );

  r.get(
    '/api/v1/enterprises/:id/members/import-template',
    { preHandler: requireRole(...ENTERPRISE), schema: { tags, description: 'The import file template (header and one example row).', params: entParams, querystring: opQuery.extend({ format: z.enum(['csv', 'xlsx']).default('csv') }) } },
    async (req, reply) => {
      const op = enterpriseScope(req, req.params.id);
      await getEnterprise(ctx.db, op, req.params.id);
      const f = req.query.format;
      reply.header('content-type', f === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      reply.header('content-disposition', `attachment; filename="members-template.${f}"`);
      return reply.send(await importTemplate(f));
    },
  );
}
