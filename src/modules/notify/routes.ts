import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, requireOperator, STAFF, ADMINS } from '../../platform/auth/guard.ts';
import { allSettings, saveSettings, EVENTS, CHANNELS } from './settings.ts';
import { listSent } from './service.ts';
import { recordAudit } from '../../platform/audit.ts';

const eventSetting = z.object({ enabled: z.boolean(), channels: z.array(z.enum(CHANNELS)) });
const settingsBody = z.object({
  events: z.partialRecord(z.enum(EVENTS.filter((e) => e !== 'login_code') as [string, ...string[]]), eventSetting).optional(),
  channels: z.partialRecord(z.enum(CHANNELS), z.object({ adapter: z.enum(['fake', 'http']), config: z.record(z.string(), z.unknown()).optional() })).optional(),
});

export function notifyRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const query = z.object({ operatorId: z.string().optional() });

  r.get('/api/v1/settings/notifications', { preHandler: requireRole(...STAFF), schema: { tags: ['notify'], querystring: query } }, async (req) =>
    allSettings(ctx.db, requireOperator(req)),
  );

  r.put(
    '/api/v1/settings/notifications',
    { preHandler: requireRole(...ADMINS), schema: { tags: ['notify'], querystring: query, body: settingsBody } },
    async (req) => {
      const op = requireOperator(req);
      await ctx.db.tx(async (q) => {
        const before = await allSettings(q, op);
        await saveSettings(q, op, req.principal!.sub, req.body as any);
        await recordAudit(q, { operatorId: op, actor: req.principal!.sub, action: 'update', entity: 'notify_settings', entityId: op, before, after: await allSettings(q, op) });
      });
      return allSettings(ctx.db, op);
    },
  );

  r.get(
    '/api/v1/notifications/sent',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags: ['notify'], querystring: query.extend({ event: z.string().optional(), recipient: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).optional() }) },
    },
    async (req) => ({ items: await listSent(ctx.db, requireOperator(req), req.query) }),
  );
}
