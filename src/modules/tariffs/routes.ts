import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, requireOperator, STAFF, ADMINS } from '../../platform/auth/guard.ts';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.ts';
import { setChargerTariff, setStationTariff } from '../registry/index.ts';
import { tariffSchema, tariffVersionSchema } from './provisioning.ts';
import { formatTariffVersion, parseTariffVersion } from './parse.ts';
import { insertTariff, insertVersion, listTariffs, loadTariffVersion, operatorTimeZone, replaceScheduledVersion, tariffExists, versionInForce } from './service.ts';
import { priceSession } from './pricing.ts';
import { presentPriced } from './present.ts';
import { periodsOfDay } from './views.ts';
import type { TariffVersion } from './types.ts';

const tags = ['tariffs'];
const opQuery = z.object({ operatorId: z.string().optional() });
const instant = z.string().datetime({ offset: true, message: 'an ISO 8601 instant with offset' });
const versionBody = tariffVersionSchema;
const definitionOnly = tariffVersionSchema.omit({ effectiveFrom: true });

const periodView = z.object({ start: z.string(), type: z.enum(['sharp', 'peak', 'flat', 'valley']), electricityPrice: z.string(), servicePrice: z.string() });
const versionViewSchema = z.object({
  id: z.number(),
  status: z.enum(['in_force', 'scheduled', 'superseded']),
  createdAt: z.string(),
  effectiveFrom: z.string(),
  periods: z.array(periodView),
  calendar: z.array(z.object({ months: z.array(z.number()).optional(), dates: z.array(z.string()).optional(), periods: z.array(periodView) })).optional(),
  idleFee: z
    .object({
      graceMinutes: z.number(),
      pricePerMinute: z.string(),
      capPerSession: z.string().optional(),
      freeHours: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
      exemptStopReasons: z.array(z.string()).optional(),
    })
    .optional(),
});
const tariffViewSchema = z.object({ id: z.string(), name: z.string(), currentVersionId: z.number().nullable(), versions: z.array(versionViewSchema) });
const pricedView = z.object({
  timeZone: z.string(),
  tariffVersionId: z.number(),
  billedWh: z.number(),
  energyKwh: z.string(),
  electricityAmount: z.string(),
  serviceAmount: z.string(),
  idleFee: z.string(),
  totalAmount: z.string(),
  periods: z.array(
    z.object({
      type: z.enum(['sharp', 'peak', 'flat', 'valley']),
      start: z.string(),
      end: z.string(),
      wh: z.number(),
      energyKwh: z.string(),
      electricityPrice: z.string(),
      servicePrice: z.string(),
      electricityAmount: z.string(),
      serviceAmount: z.string(),
    }),
  ),
  idle: z
    .object({
      startAt: z.string(),
      endAt: z.string(),
      totalMinutes: z.number(),
      graceMinutes: z.number(),
      freeMinutes: z.number(),
      billableMinutes: z.number(),
      exempt: z.boolean(),
      exemptReason: z.string().nullable(),
      capped: z.boolean(),
      fee: z.string(),
    })
    .nullable(),
});

type Summary = Awaited<ReturnType<typeof listTariffs>>[number];

function versionView(v: Summary['versions'][number], tariffId: string, inForceId: number | null, now: number) {
  const parsed = parseTariffVersion(v.id, tariffId, v.effectiveFrom.getTime(), v.definition);
  const status: 'in_force' | 'scheduled' | 'superseded' = v.id === inForceId ? 'in_force' : v.effectiveFrom.getTime() > now ? 'scheduled' : 'superseded';
  return { id: v.id, status, createdAt: v.createdAt.toISOString(), ...formatTariffVersion(parsed) };
}

async function tariffView(ctx: Ctx, operatorId: string, t: Summary) {
  const now = ctx.clock.now();
  const inForce = await versionInForce(ctx.db, operatorId, t.id, new Date(now));
  const versions = t.versions.map((v) => versionView(v, t.id, inForce, now));
  return { id: t.id, name: t.name, currentVersionId: inForce, versions };
}

const sessionBody = z.object({
  versionId: z.number().int().positive().optional().describe('a stored version; or tariffId (the version in force at startAt); or an unsaved definition'),
  tariffId: z.string().optional(),
  definition: definitionOnly.optional(),
  startAt: instant,
  endAt: instant,
  meterStartWh: z.number().int().min(0),
  meterStopWh: z.number().int().min(0),
  samples: z.array(z.object({ at: instant, wh: z.number().int() })).max(100_000).default([]),
  periodEnergyOverride: z.array(z.object({ start: instant, end: instant, wh: z.number().int().min(0) })).max(1000).optional(),
  idle: z
    .object({ chargingEndedAt: instant, unpluggedAt: instant.nullable(), stopReason: z.string().optional(), now: instant.optional() })
    .optional(),
});

export function tariffRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/tariffs', { preHandler: requireRole(...STAFF), schema: { tags, querystring: opQuery, response: { 200: z.object({ items: z.array(tariffViewSchema) }) } } }, async (req) => {
    const op = requireOperator(req);
    const items = await Promise.all((await listTariffs(ctx.db, op)).map((t) => tariffView(ctx, op, t)));
    return { items };
  });

  r.get('/api/v1/tariffs/:id', { preHandler: requireRole(...STAFF), schema: { tags, params: z.object({ id: z.string() }), querystring: opQuery, response: { 200: tariffViewSchema } } }, async (req) => {
    const op = requireOperator(req);
    const [t] = await listTariffs(ctx.db, op, req.params.id);
    if (!t) throw notFound(`tariff ${req.params.id}`);
    return tariffView(ctx, op, t);
  });

  r.get(
    '/api/v1/tariffs/:id/periods',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags, description: 'The periods in force on a local date (calendar applied)', params: z.object({ id: z.string() }), querystring: opQuery.extend({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }) },
    },
    async (req) => {
      const op = requireOperator(req);
      const tz = await operatorTimeZone(ctx.db, op);
      const noon = new Date(`${req.query.date}T12:00:00Z`);
      const vid = await versionInForce(ctx.db, op, req.params.id, noon);
      const v = vid === null ? null : await loadTariffVersion(ctx.db, op, vid);
      if (!v) throw notFound(`a version of tariff ${req.params.id} in force on ${req.query.date}`);
      return { tariffId: v.tariffId, versionId: v.id, date: req.query.date, timeZone: tz, periods: periodsOfDay(v, req.query.date, tz) };
    },
  );

  r.post('/api/v1/tariffs', { preHandler: requireRole(...ADMINS), schema: { tags, querystring: opQuery, body: tariffSchema, response: { 201: tariffViewSchema } } }, async (req, reply) => {
    const op = requireOperator(req);
    const body = req.body;
    const effs = new Set(body.versions.map((v) => Date.parse(v.effectiveFrom)));
    if (effs.size !== body.versions.length) throw badRequest('two versions take effect at the same instant');
    await ctx.db.tx(async (q) => {
      if (!(await insertTariff(q, op, body.id, body.name))) throw conflict(`tariff ${body.id} exists; add a version with POST /api/v1/tariffs/${body.id}/versions`);
      for (const { effectiveFrom, ...def } of body.versions) await insertVersion(q, op, body.id, new Date(effectiveFrom), def);
    });
    const [t] = await listTariffs(ctx.db, op, body.id);
    return reply.status(201).send(await tariffView(ctx, op, t));
  });

  r.post(
    '/api/v1/tariffs/:id/versions',
    {
      preHandler: requireRole(...ADMINS),
      schema: { tags, description: 'Adds a version taking effect in the future; versions in force or past are never edited', params: z.object({ id: z.string() }), querystring: opQuery, body: versionBody, response: { 201: tariffViewSchema } },
    },
    async (req, reply) => {
      const op = requireOperator(req);
      const { effectiveFrom, ...def } = req.body;
      const eff = new Date(effectiveFrom);
      if (!(await tariffExists(ctx.db, op, req.params.id))) throw notFound(`tariff ${req.params.id}`);
      // A version taking effect now or earlier would reprice sessions that already chose their version.
      if (eff.getTime() <= ctx.clock.now()) throw new AppError(409, 'version_in_past', `effectiveFrom ${effectiveFrom} is not in the future; a new version takes effect later than now`);
      const id = await insertVersion(ctx.db, op, req.params.id, eff, def);
      if (id === null) throw conflict(`tariff ${req.params.id} already has a version taking effect at ${effectiveFrom}`);
      const [t] = await listTariffs(ctx.db, op, req.params.id);
      return reply.status(201).send(await tariffView(ctx, op, t));
    },
  );

  r.put(
    '/api/v1/tariffs/:id/versions/:versionId',
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags,
        description: 'Replaces a scheduled version (one that has not taken effect); a version in force or past is never edited',
        params: z.object({ id: z.string(), versionId: z.coerce.number().int().positive() }),
        querystring: opQuery,
        body: versionBody,
        response: { 200: tariffViewSchema },
      },
    },
    async (req) => {
      const op = requireOperator(req);
      const { effectiveFrom, ...def } = req.body;
      const eff = new Date(effectiveFrom);
      if (eff.getTime() <= ctx.clock.now()) throw new AppError(409, 'version_in_past', `effectiveFrom ${effectiveFrom} is not in the future`);
      const out = await ctx.db.tx((q) => replaceScheduledVersion(q, op, req.params.id, req.params.versionId, eff, def));
      if (out === 'not_found') throw notFound(`version ${req.params.versionId} of tariff ${req.params.id}`);
      if (out === 'clash') throw conflict(`tariff ${req.params.id} already has a version taking effect at ${effectiveFrom}`);
      if (out === 'in_force') throw new AppError(409, 'version_in_force', `version ${req.params.versionId} has taken effect and is never edited; add a new version`);
      const [t] = await listTariffs(ctx.db, op, req.params.id);
      return tariffView(ctx, op, t);
    },
  );

  const assignBody = z.object({ tariffId: z.string().min(1).nullable() });
  r.put(
    '/api/v1/stations/:id/tariff',
    { preHandler: requireRole(...ADMINS), schema: { tags, params: z.object({ id: z.string() }), querystring: opQuery, body: assignBody } },
    async (req) => {
      const op = requireOperator(req);
      const tid = req.body.tariffId;
      if (tid && !(await tariffExists(ctx.db, op, tid))) throw badRequest(`tariff ${tid} does not exist`);
      if (!(await setStationTariff(ctx.db, op, req.params.id, tid))) throw notFound(`station ${req.params.id}`);
      return { stationId: req.params.id, tariffId: tid };
    },
  );

  r.put(
    '/api/v1/chargers/:id/tariff',
    {
      preHandler: requireRole(...ADMINS),
      schema: { tags, description: "A charger's own tariff; null bills with its station's", params: z.object({ id: z.string() }), querystring: opQuery, body: assignBody },
    },
    async (req) => {
      const op = requireOperator(req);
      const tid = req.body.tariffId;
      if (tid && !(await tariffExists(ctx.db, op, tid))) throw badRequest(`tariff ${tid} does not exist`);
      if (!(await setChargerTariff(ctx.db, op, req.params.id, tid))) throw notFound(`charger ${req.params.id}`);
      return { chargerId: req.params.id, tariffId: tid };
    },
  );

  r.post(
    '/api/v1/tariffs/preview',
    { preHandler: requireRole(...STAFF), schema: { tags, description: 'Prices an arbitrary session; nothing is stored', querystring: opQuery, body: sessionBody, response: { 200: pricedView } } },
    async (req) => {
      const op = requireOperator(req);
      const b = req.body;
      const tz = await operatorTimeZone(ctx.db, op);
      const startAt = Date.parse(b.startAt);
      let version: TariffVersion | null = null;
      if (b.definition) version = parseTariffVersion(0, b.tariffId ?? 'preview', startAt, b.definition);
      else if (b.versionId !== undefined) version = await loadTariffVersion(ctx.db, op, b.versionId);
      else if (b.tariffId) {
        const vid = await versionInForce(ctx.db, op, b.tariffId, new Date(startAt));
        version = vid === null ? null : await loadTariffVersion(ctx.db, op, vid);
      } else throw badRequest('name the tariff: versionId, tariffId or definition');
      if (!version) throw notFound(`tariff version ${b.versionId ?? `of ${b.tariffId} in force at ${b.startAt}`}`);
      const tooLong = (a: string, z: string) => Date.parse(z) - Date.parse(a) > 31 * 86_400_000;
      if (tooLong(b.startAt, b.endAt) || b.periodEnergyOverride?.some((o) => tooLong(o.start, o.end))) throw badRequest('a session longer than 31 days is not priced');
      const price = (input: Parameters<typeof priceSession>[0]) => {
        try {
          return priceSession(input);
        } catch (e) {
          if (e instanceof RangeError) throw badRequest(`cannot price this session: ${e.message}`);
          throw e;
        }
      };
      const priced = price({
        tariff: version,
        timeZone: tz,
        startAt,
        endAt: Date.parse(b.endAt),
        meterStartWh: b.meterStartWh,
        meterStopWh: b.meterStopWh,
        samples: b.samples.map((s) => ({ at: Date.parse(s.at), wh: s.wh })),
        periodEnergyOverride: b.periodEnergyOverride?.map((o) => ({ start: Date.parse(o.start), end: Date.parse(o.end), wh: o.wh })),
        idle: b.idle && {
          chargingEndedAt: Date.parse(b.idle.chargingEndedAt),
          unpluggedAt: b.idle.unpluggedAt === null ? null : Date.parse(b.idle.unpluggedAt),
          stopReason: b.idle.stopReason,
          now: b.idle.now ? Date.parse(b.idle.now) : undefined,
        },
      });
      return { timeZone: tz, ...presentPriced(priced) };
    },
  );
}
