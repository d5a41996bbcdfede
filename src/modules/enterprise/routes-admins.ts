import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { ADMINS, ENTERPRISE, enterpriseScope, requireOperator, requireRole } from '../../platform/auth/guard.ts';
import { notFound } from '../../platform/errors.ts';
import { limitsSchema, limitsToColumns } from './provisioning.ts';
import { getEnterprise } from './service.ts';
import { createEnterpriseAdmin, deleteEnterpriseAdmin, listEnterpriseAdmins } from './admins.ts';
import { auditEnterprise } from './audit.ts';

const tags = ['enterprise'];
const opQuery = z.object({ operatorId: z.string().optional() });
const entParams = z.object({ id: z.string().min(1) });

/** Enterprise admin logins: created and removed by the operator's admins only (issue 17 point 1). */
export function enterpriseAdminRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const audit = (q: any, req: any, op: string, action: string, username: string) =>
    auditEnterprise(q, { operatorId: op, actor: req.principal!.sub, role: req.principal!.role, enterpriseId: req.params.id, action, entity: 'user', entityId: username });

  r.get('/api/v1/enterprises/:id/admins', { preHandler: requireRole(...ADMINS), schema: { tags, params: entParams, querystring: opQuery } }, async (req) => {
    const op = requireOperator(req);
    await getEnterprise(ctx.db, op, req.params.id);
    return { items: await listEnterpriseAdmins(ctx.db, op, req.params.id) };
  });

  r.post(
    '/api/v1/enterprises/:id/admins',
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags,
        description: 'Creates a login bound to this enterprise (role enterprise_admin): it sees and manages this enterprise only.',
        params: entParams,
        querystring: opQuery,
        body: z.object({ username: z.string().regex(/^[A-Za-z0-9_.@-]{3,64}$/, 'username: 3–64 letters, digits or _.@-'), password: z.string().min(8, 'a password of at least 8 characters').max(1024) }),
      },
    },
    async (req, reply) => {
      const op = requireOperator(req);
      await getEnterprise(ctx.db, op, req.params.id);
      await ctx.db.tx(async (q) => {
        await createEnterpriseAdmin(q, op, req.params.id, req.body);
        await audit(q, req, op, 'enterprise_admin.create', req.body.username);
      });
      return reply.status(201).send({ username: req.body.username, role: 'enterprise_admin', enterpriseId: req.params.id });
    },
  );

  r.delete(
    '/api/v1/enterprises/:id/admins/:username',
    { preHandler: requireRole(...ADMINS), schema: { tags, params: entParams.extend({ username: z.string().min(1) }), querystring: opQuery } },
    async (req) => {
      const op = requireOperator(req);
      await ctx.db.tx(async (q) => {
        await deleteEnterpriseAdmin(q, op, req.params.id, req.params.username);
        await audit(q, req, op, 'enterprise_admin.delete', req.params.username);
      });
      return { ok: true };
    },
  );

  // Spending limits (issue 17 point 5): PUT replaces the three caps; a cap left out is no cap.
  for (const [what, path, table, key] of [
    ['member', '/api/v1/enterprises/:id/members/:phone/limits', 'enterprise_members', 'driver_phone'],
    ['department', '/api/v1/enterprises/:id/departments/:deptId/limits', 'enterprise_departments', 'id'],
  ] as const) {
    r.put(
      path,
      {
        preHandler: requireRole(...ENTERPRISE),
        schema: {
          tags,
          description: `Monthly (operator time zone) money and energy caps and a per-session cap for a ${what}${what === 'department' ? ', covering its sub-departments' : ''}; starts are refused once a cap is reached.`,
          params: what === 'member' ? entParams.extend({ phone: z.string().min(1) }) : entParams.extend({ deptId: z.coerce.number().int().positive() }),
          querystring: opQuery,
          body: limitsSchema,
        },
      },
      async (req) => {
        const params = req.params as { id: string; phone?: string; deptId?: number };
        const op = enterpriseScope(req, params.id);
        const ref = what === 'member' ? params.phone! : params.deptId!;
        const l = limitsToColumns(req.body);
        await ctx.db.tx(async (q) => {
          const u = await q.query(
            `UPDATE ${table} SET monthly_amount_fen = $4, monthly_energy_wh = $5, per_session_amount_fen = $6, updated_at = now()
             WHERE operator_id = $1 AND enterprise_id = $2 AND ${key} = $3${what === 'department' ? ' AND deleted_at IS NULL' : ''}`,
            [op, params.id, ref, l.monthlyAmountFen, l.monthlyEnergyWh, l.perSessionAmountFen],
          );
          if (!u.rowCount) throw notFound(`${what} ${ref} of enterprise ${params.id}`);
          await auditEnterprise(q, { operatorId: op, actor: req.principal!.sub, role: req.principal!.role, enterpriseId: params.id, action: `${what}.limits`, entity: what === 'member' ? 'enterprise_member' : 'department', entityId: ref, after: req.body });
        });
        return { ok: true, limits: req.body };
      },
    );
  }
}
