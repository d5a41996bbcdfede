import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Ctx } from '../context.ts';
import { requireRole } from '../auth/guard.ts';

export type ReadinessCheck = () => Promise<{ name: string; ok: boolean; message?: string }>;
export interface CheckResult {
  name: string;
  ok: boolean;
  message?: string;
}

async function runChecks(ctx: Ctx, checks: ReadinessCheck[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [
    await ctx.db
      .query('SELECT 1')
      .then(() => ({ name: 'database', ok: true }))
      .catch((e: Error) => ({ name: 'database', ok: false, message: e.message })),
  ];
  for (const c of checks) results.push(await c().catch((e: Error) => ({ name: 'check', ok: false, message: e.message })));
  return results;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** METRICS_TOKEN: a bearer token, compared in constant time. */
function metricsAllowed(ctx: Ctx, req: FastifyRequest): boolean {
  const want = ctx.config.METRICS_TOKEN;
  if (!want) return true;
  const h = req.headers.authorization ?? '';
  return h.startsWith('Bearer ') && timingSafeEqual(digest(h.slice(7).trim()), digest(want));
}

async function metrics(ctx: Ctx, req: FastifyRequest, reply: FastifyReply) {
  if (!metricsAllowed(ctx, req)) return reply.status(401).header('www-authenticate', 'Bearer').send({ error: { code: 'unauthorized', message: 'metrics need the METRICS_TOKEN bearer token' } });
  reply.header('content-type', ctx.metrics.registry.contentType);
  return ctx.metrics.registry.metrics();
}

/**
 * /healthz (process alive), /readyz (ready or not, nothing else: the reasons go to the log and to
 * the platform admin's GET /api/v1/ops/readiness), /metrics (Prometheus; with METRICS_TOKEN it asks
 * for that bearer token, with METRICS_PORT it is served only on that port).
 */
export function opsRoutes(app: FastifyInstance, ctx: Ctx, checks: ReadinessCheck[]) {
  let lastFailed = '';
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const results = await runChecks(ctx, checks);
    const failed = results.filter((r) => !r.ok);
    const key = failed.map((f) => `${f.name}: ${f.message ?? ''}`).join('; ');
    if (key && key !== lastFailed) ctx.log.warn({ checks: failed }, `not ready: ${key}`);
    lastFailed = key;
    return reply.status(failed.length ? 503 : 200).send({ status: failed.length ? 'not ready' : 'ready' });
  });
  app.get(
    '/api/v1/ops/readiness',
    { preHandler: requireRole('platform_admin'), schema: { tags: ['ops'], description: 'Every readiness check with its reason (what /readyz does not tell the public)' } },
    async () => {
      const results = await runChecks(ctx, checks);
      return { ok: results.every((r) => r.ok), checks: results };
    },
  );
  if (!ctx.config.METRICS_PORT) app.get('/metrics', { schema: { hide: true } }, (req, reply) => metrics(ctx, req, reply));
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

/** With METRICS_PORT: a listener of its own that serves /metrics only (on HOST). */
export async function startMetricsServer(ctx: Ctx): Promise<FastifyInstance | null> {
  const port = ctx.config.METRICS_PORT;
  if (!port) return null;
  const m = Fastify({ logger: false });
  m.get('/metrics', (req, reply) => metrics(ctx, req, reply));
  await m.listen({ port, host: ctx.config.HOST });
  ctx.log.info({ port }, 'metrics served on METRICS_PORT only');
  return m;
}
