import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { ADMINS, ENTERPRISE, MEMBER_ADMINS, enterpriseScope, requireOperator, requireRole } from '../../platform/auth/guard.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { auditEnterprise } from './audit.ts';
import { enterpriseAdminRoutes } from './routes-admins.ts';
import { enterpriseImportRoutes } from './routes-import.ts';
import { parseYuan } from '../../platform/money.ts';
import { manualAdjust, accountLedger } from '../wallet/index.ts';
import { createEnterprise, getEnterprise, listEnterprises, updateEnterprise } from './service.ts';
import { buildStatement, statementView } from './statement.ts';
import { requireCjkFont } from './statement-pdf.ts';
import { enterpriseIssuedRoutes, sendStatementFile } from './routes-issued.ts';
import { createDepartment, deleteDepartment, departmentTree, updateDepartment } from './departments.ts';
import { addMember, listMembers, moveMember, removeMember } from './members.ts';
import { enterpriseUsage } from './usage.ts';

const yuan = z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'yuan as a string with at most 2 decimals, e.g. "12.34"');
const entParams = z.object({ id: z.string().min(1) });
const deptParams = z.object({ id: z.string().min(1), deptId: z.coerce.number().int().positive() });
const memberParams = z.object({ id: z.string().min(1), phone: z.string().min(1) });
const opQuery = z.object({ operatorId: z.string().optional() });
const tags = ['enterprise'];


export function enterpriseRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const actor = (req: any) => req.principal!.sub as string;
  const audit = (q: Queryable, req: any, op: string, action: string, entity: string, entityId: string | number, after?: unknown) =>
    auditEnterprise(q, { operatorId: op, actor: actor(req), role: req.principal!.role, enterpriseId: req.params.id, action, entity, entityId, after });
  enterpriseAdminRoutes(app, ctx);
  enterpriseImportRoutes(app, ctx);
  enterpriseIssuedRoutes(app, ctx);

  r.get('/api/v1/enterprises', { preHandler: requireRole(...ENTERPRISE), schema: { tags, description: 'An enterprise admin sees its own enterprise only.', querystring: opQuery } }, async (req) => {
    const own = req.principal!.role === 'enterprise_admin' ? req.principal!.enterpriseId : undefined;
    return { items: (await listEnterprises(ctx.db, requireOperator(req))).filter((e) => own === undefined || e.id === own) };
  });

  r.post(
    '/api/v1/enterprises',
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags,
        querystring: opQuery,
        body: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), name: z.string().min(1).max(100), creditLimit: yuan.default('0'), contact: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const op = requireOperator(req);
      await ctx.db.tx(async (q) => {
        await createEnterprise(q, op, { ...req.body, creditLimitFen: parseYuan(req.body.creditLimit) });
        await auditEnterprise(q, { operatorId: op, actor: actor(req), role: req.principal!.role, enterpriseId: req.body.id, action: 'enterprise.create', entity: 'enterprise', entityId: req.body.id, after: req.body });
      });
      return reply.status(201).send(await getEnterprise(ctx.db, op, req.body.id));
    },
  );

  r.get('/api/v1/enterprises/:id', { preHandler: requireRole(...ENTERPRISE), schema: { tags, params: entParams, querystring: opQuery } }, async (req) =>
    getEnterprise(ctx.db, enterpriseScope(req, req.params.id), req.params.id),
  );

  r.patch(
    '/api/v1/enterprises/:id',
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags,
        params: entParams,
        querystring: opQuery,
        body: z.object({ name: z.string().min(1).max(100).optional(), creditLimit: yuan.optional(), status: z.enum(['active', 'suspended']).optional(), contact: z.string().nullable().optional() }),
      },
    },
    async (req) => {
      const op = requireOperator(req);
      const { creditLimit, ...rest } = req.body;
      await ctx.db.tx(async (q) => {
        await updateEnterprise(q, op, req.params.id, { ...rest, creditLimitFen: creditLimit === undefined ? undefined : parseYuan(creditLimit) });
        await audit(q, req, op, 'enterprise.update', 'enterprise', req.params.id, req.body);
      });
      return getEnterprise(ctx.db, op, req.params.id);
    },
  );

  r.post(
    '/api/v1/enterprises/:id/account/adjustments',
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags,
        description: 'Credits (e.g. a bank transfer received) or debits the enterprise account; a remark is required.',
        params: entParams,
        querystring: opQuery,
        body: z.object({ amount: yuan, direction: z.enum(['credit', 'debit']), remark: z.string().trim().min(1, 'a remark is required'), idempotencyKey: z.string().max(100).optional() }),
      },
    },
    async (req, reply) => {
      const op = enterpriseScope(req, req.params.id);
      await getEnterprise(ctx.db, op, req.params.id);
      const res = await ctx.db.tx((q) =>
        manualAdjust(q, { operatorId: op, account: { kind: 'enterprise', ref: req.params.id }, amountFen: parseYuan(req.body.amount), direction: req.body.direction, remark: req.body.remark, actor: actor(req), idempotencyKey: req.body.idempotencyKey }),
      );
      return reply.status(res.posted ? 201 : 200).send({ transactionId: res.transactionId, posted: res.posted, enterprise: await getEnterprise(ctx.db, op, req.params.id) });
    },
  );

  r.get(
    '/api/v1/enterprises/:id/ledger',
    {
      preHandler: requireRole(...ENTERPRISE),
      schema: { tags, description: 'The enterprise account: charges, corrections and fundings with balance after each.', params: entParams, querystring: opQuery.extend({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(20) }) },
    },
    async (req) => {
      const op = enterpriseScope(req, req.params.id);
      await getEnterprise(ctx.db, op, req.params.id);
      return accountLedger(ctx.db, op, 'enterprise', req.params.id, req.query);
    },
  );

  r.get(
    '/api/v1/enterprises/:id/departments',
    {
      preHandler: requireRole(...ENTERPRISE),
      schema: { tags, description: 'Live departments only, as a tree and as a flat picker list, each with its caps (limits), this month\'s usage of its subtree (used) and what is left (left).', params: entParams, querystring: opQuery },
    },
    async (req) => {
      const op = enterpriseScope(req, req.params.id);
      await getEnterprise(ctx.db, op, req.params.id);
      const { tree, flat } = await departmentTree(ctx.db, op, req.params.id);
      // each department's caps and this month's usage of its whole subtree (issue 17 point 2)
      const usage = (await enterpriseUsage(ctx.db, op, req.params.id, ctx.clock.date())).departments;
      const withUsage = <T extends { id: number; children?: T[] }>(n: T): T => ({ ...n, ...usage.get(n.id), ...(n.children ? { children: n.children.map(withUsage) } : {}) });
      return { tree: tree.map(withUsage), flat: flat.map(withUsage) };
    },
  );

  r.post(
    '/api/v1/enterprises/:id/departments',
    { preHandler: requireRole(...ENTERPRISE), schema: { tags, params: entParams, querystring: opQuery, body: z.object({ name: z.string().trim().min(1).max(100), parentId: z.number().int().positive().nullable().optional() }) } },
    async (req, reply) => {
      const op = enterpriseScope(req, req.params.id);
      const id = await ctx.db.tx(async (q) => {
        const id = await createDepartment(q, op, req.params.id, req.body);
        await audit(q, req, op, 'department.create', 'department', id, req.body);
        return id;
      });
      return reply.status(201).send({ id });
    },
  );

  r.patch(
    '/api/v1/enterprises/:id/departments/:deptId',
    { preHandler: requireRole(...ENTERPRISE), schema: { tags, params: deptParams, querystring: opQuery, body: z.object({ name: z.string().trim().min(1).max(100).optional(), parentId: z.number().int().positive().nullable().optional() }) } },
    async (req) => {
      const op = enterpriseScope(req, req.params.id);
      await ctx.db.tx(async (q) => {
        await updateDepartment(q, op, req.params.id, req.params.deptId, req.body);
        await audit(q, req, op, 'department.update', 'department', req.params.deptId, req.body);
      });
      return { ok: true };
    },
  );

  r.delete(
    '/api/v1/enterprises/:id/departments/:deptId',
    { preHandler: requireRole(...ENTERPRISE), schema: { tags, description: 'Soft-deletes the department and its subtree; refused while they have members.', params: deptParams, querystring: opQuery } },
    async (req) => {
      const op = enterpriseScope(req, req.params.id);
      const deleted = await ctx.db.tx((q) => deleteDepartment(q, op, req.params.id, req.params.deptId, actor(req)));
      return { deleted };
    },
  );

  r.get(
    '/api/v1/enterprises/:id/members',
    {
      preHandler: requireRole(...ENTERPRISE),
      schema: {
        tags,
        description: "Members of live departments, each with its own caps (limits), this month's usage (used, operator time zone) and what is left (left).",
        params: entParams,
        querystring: opQuery.extend({ departmentId: z.coerce.number().int().positive().optional() }),
      },
    },
    async (req) => {
      const op = enterpriseScope(req, req.params.id);
      await getEnterprise(ctx.db, op, req.params.id);
      const usage = (await enterpriseUsage(ctx.db, op, req.params.id, ctx.clock.date())).members;
      return { items: (await listMembers(ctx.db, op, req.params.id, req.query.departmentId)).map((m) => ({ ...m, ...usage.get(m.phone) })) };
    },
  );

  r.post(
    '/api/v1/enterprises/:id/members',
    { preHandler: requireRole(...MEMBER_ADMINS), schema: { tags, params: entParams, querystring: opQuery, body: z.object({ phone: z.string().min(1), departmentId: z.number().int().positive() }) } },
    async (req, reply) => {
      const op = enterpriseScope(req, req.params.id);
      await getEnterprise(ctx.db, op, req.params.id);
      await ctx.db.tx(async (q) => {
        await addMember(q, op, req.params.id, req.body.phone, req.body.departmentId);
        await audit(q, req, op, 'member.add', 'enterprise_member', req.body.phone, { departmentId: req.body.departmentId });
      });
      return reply.status(201).send({ ok: true });
    },
  );

  r.patch(
    '/api/v1/enterprises/:id/members/:phone',
    { preHandler: requireRole(...ENTERPRISE), schema: { tags, params: memberParams, querystring: opQuery, body: z.object({ departmentId: z.number().int().positive() }) } },
    async (req) => {
      const op = enterpriseScope(req, req.params.id);
      await ctx.db.tx(async (q) => {
        await moveMember(q, op, req.params.id, req.params.phone, req.body.departmentId);
        await audit(q, req, op, 'member.move', 'enterprise_member', req.params.phone, { departmentId: req.body.departmentId });
      });
      return { ok: true };
    },
  );

  r.delete('/api/v1/enterprises/:id/members/:phone', { preHandler: requireRole(...MEMBER_ADMINS), schema: { tags, params: memberParams, querystring: opQuery } }, async (req) => {
    const op = enterpriseScope(req, req.params.id);
    await ctx.db.tx(async (q) => {
      await removeMember(q, op, req.params.id, req.params.phone);
      await audit(q, req, op, 'member.remove', 'enterprise_member', req.params.phone);
    });
    return { ok: true };
  });

  r.get(
    '/api/v1/enterprises/:id/statement',
    { preHandler: requireRole(...ENTERPRISE), schema: { tags, params: entParams, querystring: opQuery.extend({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM') }) } },
    async (req) => statementView(await buildStatement(ctx.db, enterpriseScope(req, req.params.id), req.params.id, req.query.month)),
  );

  r.get(
    '/api/v1/enterprises/:id/statement/export',
    {
      preHandler: requireRole(...ENTERPRISE),
      schema: {
        tags,
        description:
          'The monthly statement as a file (CSV, XLSX or PDF): every order and every correction (its own line) with 尖峰平谷 amounts, department and enterprise totals; the PDF carries the operator name and logo (503 pdf_font_missing when the server lacks the CJK font).',
        params: entParams,
        querystring: opQuery.extend({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM'), format: z.enum(['csv', 'xlsx', 'pdf']).default('csv') }),
      },
    },
    async (req, reply) => {
      if (req.query.format === 'pdf') requireCjkFont(); // before any work: a clear 503 when the server lacks the font
      const s = await buildStatement(ctx.db, enterpriseScope(req, req.params.id), req.params.id, req.query.month);
      return sendStatementFile(reply, s, req.query.format);
    },
  );
}
