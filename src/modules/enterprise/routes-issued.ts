import { z } from 'zod';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { ENTERPRISE, enterpriseScope, requireRole } from '../../platform/auth/guard.ts';
import { formatYuan } from '../../platform/money.ts';
import { getEnterprise } from './service.ts';
import { issuedStatement, listIssued } from './issued.ts';
import { statementView, type StatementData } from './statement.ts';
import { statementCsv, statementXlsx } from './statement-export.ts';
import { requireCjkFont, statementLogo, statementPdf } from './statement-pdf.ts';

const tags = ['enterprise'];
const opQuery = z.object({ operatorId: z.string().optional() });
const CONTENT_TYPE = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', pdf: 'application/pdf' } as const;
export type StatementFormat = keyof typeof CONTENT_TYPE;

/** A statement as a CSV, XLSX or PDF download (the PDF's font is checked first: 503 without it). */
export async function sendStatementFile(reply: FastifyReply, s: StatementData, f: StatementFormat) {
  if (f === 'pdf') requireCjkFont();
  const body = f === 'csv' ? statementCsv(s) : f === 'xlsx' ? await statementXlsx(s) : await statementPdf(s, { logo: await statementLogo(s.operator.logo) });
  reply.header('content-type', CONTENT_TYPE[f]);
  reply.header('content-disposition', `attachment; filename="statement-${s.enterprise.id}-${s.month}.${f}"`);
  return reply.send(body);
}

/** Statements issued on the 1st (issued.ts): the list, and each one as JSON or a file. */
export function enterpriseIssuedRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/enterprises/:id/statements',
    {
      preHandler: requireRole(...ENTERPRISE),
      schema: { tags, description: 'Statements issued on the 1st of each month (operator time zone) for the month before, newest first.', params: z.object({ id: z.string().min(1) }), querystring: opQuery },
    },
    async (req) => {
      const op = enterpriseScope(req, req.params.id);
      await getEnterprise(ctx.db, op, req.params.id);
      const items = await listIssued(ctx.db, op, req.params.id);
      return { items: items.map(({ amountFen, ...i }) => ({ ...i, amount: formatYuan(amountFen) })) };
    },
  );

  r.get(
    '/api/v1/enterprises/:id/statements/:month',
    {
      preHandler: requireRole(...ENTERPRISE),
      schema: {
        tags,
        description: 'One issued statement as it was issued: JSON (as GET .../statement) or a CSV, XLSX or PDF file. 404 before it is issued.',
        params: z.object({ id: z.string().min(1), month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM') }),
        querystring: opQuery.extend({ format: z.enum(['json', 'csv', 'xlsx', 'pdf']).default('json') }),
      },
    },
    async (req, reply) => {
      const op = enterpriseScope(req, req.params.id);
      const s = await issuedStatement(ctx.db, op, req.params.id, req.params.month);
      const f = req.query.format;
      return f === 'json' ? statementView(s) : sendStatementFile(reply, s, f);
    },
  );
}
