import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { ADMINS, requireOperator, requireRole } from '../../platform/auth/guard.ts';
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
}
