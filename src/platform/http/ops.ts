import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../context.ts';

export type ReadinessCheck = () => Promise<{ name: string; ok: boolean; message?: string }>;

/** /healthz (process alive), /readyz (database and every registered check), /metrics (Prometheus). */
export function opsRoutes(app: FastifyInstance, ctx: Ctx, checks: ReadinessCheck[]) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true, node: ctx.nodeId }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const results = [
      await ctx.db
        .query('SELECT 1')
        .then(() => ({ name: 'database', ok: true }))
        .catch((e: Error) => ({ name: 'database', ok: false, message: e.message })),
    ];
    for (const c of checks) results.push(await c().catch((e: Error) => ({ name: 'check', ok: false, message: e.message })));
    const ok = results.every((r) => r.ok);
    return reply.status(ok ? 200 : 503).send({ ok, checks: results });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
