import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, operatorScope, STAFF } from '../../platform/auth/guard.ts';
import { signToken } from '../../platform/auth/tokens.ts';
import { checkPassword, clearLoginFailures, LOGIN_MAX_FAILURES, loginRetryAfter, recordLoginFailure } from '../../platform/auth/login-throttle.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { listChargers, listStations } from './service.ts';
import { provision } from './provisioning.ts';

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

const connectorView = z.object({
  connectorId: z.number(),
  type: z.enum(['DC', 'AC']),
  maxPowerKw: z.number(),
  status: z.string(),
  ocppStatus: z.string(),
  errorCode: z.string(),
  statusAt: z.string().nullable(),
});
export const chargerView = z.object({
  id: z.string(),
  operatorId: z.string(),
  stationId: z.string().nullable(),
  connected: z.boolean(),
  commissioned: z.boolean(),
  registrationStatus: z.string().nullable(),
  vendor: z.string().nullable(),
  model: z.string().nullable(),
  serialNumber: z.string().nullable(),
  firmwareVersion: z.string().nullable(),
  tariffId: z.string().nullable(),
  lastBootAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  connectors: z.array(connectorView),
});

export function registryRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        security: [],
        description: `${LOGIN_MAX_FAILURES} failed logins for one username from one address within 15 minutes: 429 with Retry-After until the window passes.`,
        body: z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) }),
        response: { 200: z.object({ token: z.string(), role: z.string(), operatorId: z.string().nullable(), enterpriseId: z.string().nullable(), username: z.string() }), 401: errorSchema, 429: errorSchema },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const now = ctx.clock.date();
      const wait = await loginRetryAfter(ctx.db, username, req.ip, now);
      if (wait !== null) {
        ctx.metrics.loginsThrottled.inc();
        reply.header('retry-after', String(wait));
        throw new AppError(429, 'too_many_attempts', `too many failed logins for ${username} from your address; try again in ${wait} s`, { retryAfterSeconds: wait });
      }
      const u = await ctx.db.query<{ username: string; password_hash: string; role: any; operator_id: string | null; enterprise_id: string | null }>(
        `SELECT username, password_hash, role, operator_id, enterprise_id FROM users WHERE username = $1`,
        [username],
      );
      const row = u.rows[0];
      // an unknown username costs the same scrypt and gets the same answer as a wrong password
      if (!(await checkPassword(password, row?.password_hash))) {
        await recordLoginFailure(ctx.db, username, req.ip, now);
        req.log.info({ username, clientIp: req.ip }, 'staff login failed');
        throw new AppError(401, 'bad_credentials', 'wrong username or password');
      }
      await clearLoginFailures(ctx.db, username, req.ip);
      const token = signToken({ sub: row.username, role: row.role, operatorId: row.operator_id, enterpriseId: row.enterprise_id }, ctx.authSecret, undefined, ctx.clock.now());
      return { token, role: row.role, operatorId: row.operator_id, enterpriseId: row.enterprise_id, username: row.username };
    },
  );

  r.get(
    '/api/v1/me',
    { preHandler: requireRole(...STAFF, 'enterprise_admin', 'driver'), schema: { tags: ['auth'] } },
    async (req) => ({ username: req.principal!.sub, role: req.principal!.role, operatorId: req.principal!.operatorId, enterpriseId: req.principal!.enterpriseId ?? null }),
  );

  r.put(
    '/api/v1/provisioning',
    {
      preHandler: requireRole('platform_admin'),
      schema: { tags: ['registry'], description: 'Upserts a whole setup; see docs/provisioning.schema.json', body: z.unknown() },
    },
    async (req) => {
      // Secrets made up for entries without one are never in an answer: only who got one (a user's is
      // set with `chargeops reset-password`, a charger's by giving its authKey in a document).
      const { generated, ...counts } = await provision(ctx.db, req.body);
      return { ok: true, ...counts, generated: { users: generated.users.map((u) => u.username), chargers: generated.chargers.map((c) => c.id) } };
    },
  );

  r.get('/api/v1/operators', { preHandler: requireRole(...STAFF), schema: { tags: ['registry'] } }, async (req) => {
    const scope = req.principal!.role === 'platform_admin' ? null : req.principal!.operatorId;
    const rows = await ctx.db.query(`SELECT id, name, tcec_operator_id, timezone, settings FROM operators WHERE ($1::text IS NULL OR id = $1) ORDER BY id`, [scope]);
    return { items: rows.rows.map((o: any) => ({ id: o.id, name: o.name, tcecOperatorId: o.tcec_operator_id, timezone: o.timezone, settings: o.settings })) };
  });

  r.get(
    '/api/v1/stations',
    { preHandler: requireRole(...STAFF), schema: { tags: ['registry'], querystring: z.object({ operatorId: z.string().optional() }) } },
    async (req) => ({ items: await listStations(ctx.db, operatorScope(req, { optional: true })) }),
  );

  r.get(
    '/api/v1/chargers',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags: ['registry'], querystring: z.object({ operatorId: z.string().optional(), stationId: z.string().optional() }), response: { 200: z.object({ items: z.array(chargerView) }) } },
    },
    async (req) => ({ items: await listChargers(ctx.db, { operatorId: operatorScope(req, { optional: true }), stationId: req.query.stationId }) }),
  );

  r.get(
    '/api/v1/chargers/:id',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags: ['registry'], params: z.object({ id: z.string() }), response: { 200: chargerView, 404: errorSchema } },
    },
    async (req) => {
      const [c] = await listChargers(ctx.db, { operatorId: operatorScope(req, { optional: true }), id: req.params.id });
      if (!c) throw notFound(`charger ${req.params.id}`);
      return c;
    },
  );
}
