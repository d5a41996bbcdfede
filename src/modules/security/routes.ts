import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, requireOperator, STAFF, ADMINS } from '../../platform/auth/guard.ts';
import { badRequest, forbidden, notFound } from '../../platform/errors.ts';
import { operatorTimeZone } from '../tariffs/index.ts';
import { INCIDENT_KINDS, DEFAULT_THRESHOLDS, type Thresholds } from './rules.ts';
import { listIncidents, getIncident, incidentActions, unbilledTotals, loadThresholds, saveThresholds } from './store.ts';
import { ACTIONS, runAction, quarantineOf } from './actions.ts';
import { scanHistory } from './scan.ts';
import type { LiveDetector } from './live.ts';
import { getChargerRow } from '../registry/index.ts';
import { guardSettings, saveGuardSettings, chargerDrift, fleetDrift, DEFAULT_GUARD_KEYS } from './config-guard.ts';

const instant = z.string().datetime({ offset: true, message: 'an ISO 8601 instant with offset, e.g. 2026-03-01T00:00:00+08:00' });
const op = z.object({ operatorId: z.string().optional() });
const id = z.object({ id: z.coerce.number().int().positive() });
/** Charger actions change a charger's behaviour: operator admins (as the OCPP commands they send). */
const ADMIN_ACTIONS = new Set(['set_inoperative', 'quarantine', 'release']);
const MAX_SCAN_MS = 92 * 86_400_000;

const thresholdsBody = z
  .object({
    thresholdWh: z.number().int().min(0).max(1_000_000),
    noTransactionWh: z.number().int().min(0).max(1_000_000),
    chargingGraceMs: z.number().int().min(0).max(86_400_000),
    invalidTagWh: z.number().int().min(0).max(1_000_000),
    mainMeterLossPct: z.number().int().min(0).max(50),
  })
  .partial()
  .strict();

/** Local month [from, to) of an instant: the dashboard's "this month". */
function monthOf(now: Date, tz: string) {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' }).format(now).split('-').map(Number);
  const at = (yy: number, mm: number) => {
    // local midnight of the 1st: the offset at that instant, found from the UTC guess
    const guess = Date.UTC(yy, mm - 1, 1);
    const local = new Date(new Date(guess).toLocaleString('en-US', { timeZone: tz })).getTime();
    const utc = new Date(new Date(guess).toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
    return new Date(guess - (local - utc));
  };
  return { from: at(y, m), to: m === 12 ? at(y + 1, 1) : at(y, m + 1), month: `${y}-${String(m).padStart(2, '0')}` };
}

export function incidentRoutes(app: FastifyInstance, ctx: Ctx, live: LiveDetector) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/incidents',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['security'],
        description: 'Billing-evasion incidents, newest first: kind, charger, connector, time span (charger timestamps), estimated unbilled energy (Wh) and amount (fen, at the station tariff), status, evidence links.',
        querystring: op.extend({
          chargerId: z.string().max(64).optional(),
          kind: z.enum(INCIDENT_KINDS).optional(),
          status: z.enum(['open', 'confirmed', 'dismissed']).optional(),
          sessionId: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
    },
    async (req) => ({ items: await listIncidents(ctx.db, requireOperator(req), req.query) }),
  );

  r.get(
    '/api/v1/incidents/summary',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags: ['security'], description: 'The dashboard card: unbilled energy (Wh) and its estimated amount (fen) of this month’s incidents not dismissed, in the operator’s time zone.', querystring: op },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      const m = monthOf(ctx.clock.date(), await operatorTimeZone(ctx.db, operatorId));
      return { month: m.month, ...(await unbilledTotals(ctx.db, operatorId, m.from, m.to)) };
    },
  );

  r.get(
    '/api/v1/incidents/:id',
    { preHandler: requireRole(...STAFF), schema: { tags: ['security'], description: 'One incident with the actions taken and the charger’s quarantine, if any.', params: id, querystring: op } },
    async (req) => {
      const operatorId = requireOperator(req);
      const inc = await getIncident(ctx.db, operatorId, req.params.id);
      if (!inc) throw notFound(`incident ${req.params.id}`);
      return { ...inc, actions: await incidentActions(ctx.db, operatorId, inc.id), quarantine: await quarantineOf(ctx.db, operatorId, inc.chargerId) };
    },
  );

  r.post(
    '/api/v1/incidents/:id/actions',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['security'],
        description:
          'confirm | dismiss (open incidents, with a note), remote_stop (the running session on its connector), set_inoperative (ChangeAvailability Inoperative), quarantine (new sessions refused until release; the note is the reason), release. Charger actions need an operator admin. 409 when the state does not allow it or the charger is offline, 504/502 when the charger does not answer or refuses.',
        params: id,
        querystring: op,
        body: z.object({ action: z.enum(ACTIONS), note: z.string().max(2000).optional() }).strict(),
      },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      if (ADMIN_ACTIONS.has(req.body.action) && !ADMINS.includes(req.principal!.role)) throw forbidden(`${req.body.action} needs an operator admin`);
      return runAction(ctx, operatorId, req.params.id, req.body.action, req.principal!.sub, req.body.note);
    },
  );

  r.post(
    '/api/v1/incidents/scan',
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags: ['security'],
        description: 'Runs the rules over stored history (sessions, meter samples, statuses, connections, security events) in [from, to), at most 92 days; one incident per occurrence, so re-running creates no duplicates.',
        querystring: op,
        body: z.object({ from: instant, to: instant, chargerId: z.string().max(64).optional() }).strict(),
      },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      const from = new Date(req.body.from);
      const to = new Date(req.body.to);
      if (to <= from) throw badRequest('to must be after from');
      if (to.getTime() - from.getTime() > MAX_SCAN_MS) throw badRequest('a scan may span at most 92 days');
      return scanHistory(ctx, operatorId, { from, to, chargerId: req.body.chargerId });
    },
  );

  r.get(
    '/api/v1/incidents/settings',
    { preHandler: requireRole(...STAFF), schema: { tags: ['security'], description: 'The operator’s detection thresholds (missing ones take the defaults).', querystring: op } },
    async (req) => ({ thresholds: await loadThresholds(ctx.db, requireOperator(req)), defaults: DEFAULT_THRESHOLDS }),
  );

  r.put(
    '/api/v1/incidents/settings',
    { preHandler: requireRole(...ADMINS), schema: { tags: ['security'], description: 'Sets the operator’s detection thresholds; they apply from the next frame.', querystring: op, body: thresholdsBody } },
    async (req) => {
      const operatorId = requireOperator(req);
      await saveThresholds(ctx.db, operatorId, req.body as Partial<Thresholds>, req.principal!.sub, ctx.clock.date());
      const th = await loadThresholds(ctx.db, operatorId);
      live.setThresholds(operatorId, th);
      return { thresholds: th };
    },
  );

  r.get(
    '/api/v1/incidents/configuration-guard',
    { preHandler: requireRole(...STAFF), schema: { tags: ['security'], description: 'The configuration guard: whether it runs at boot, the enforced keys, and the chargers whose keys drift (fleet report).', querystring: op } },
    async (req) => {
      const operatorId = requireOperator(req);
      return { ...(await guardSettings(ctx.db, operatorId)), defaults: DEFAULT_GUARD_KEYS, drift: await fleetDrift(ctx.db, operatorId) };
    },
  );

  r.put(
    '/api/v1/incidents/configuration-guard',
    {
      preHandler: requireRole(...ADMINS),
      schema: {
        tags: ['security'],
        description: 'Turns the guard on or off and sets the enforced keys; it applies at each charger\'s next accepted BootNotification.',
        querystring: op,
        body: z.object({ enabled: z.boolean(), keys: z.array(z.object({ key: z.string().trim().min(1).max(50), value: z.string().max(500) }).strict()).max(50).default(DEFAULT_GUARD_KEYS) }).strict(),
      },
    },
    async (req) => {
      const operatorId = requireOperator(req);
      await saveGuardSettings(ctx.db, operatorId, req.body, req.principal!.sub, ctx.clock.date());
      live.guardChanged(operatorId);
      return guardSettings(ctx.db, operatorId);
    },
  );

  r.get(
    '/api/v1/chargers/:id/configuration-drift',
    { preHandler: requireRole(...STAFF), schema: { tags: ['security'], description: 'The enforced keys of one charger as last set and read back: expected, actual, the ChangeConfiguration answer, drift.', params: z.object({ id: z.string().max(64) }), querystring: op } },
    async (req) => {
      const operatorId = requireOperator(req);
      const c = await getChargerRow(ctx.db, req.params.id);
      if (!c || c.operator_id !== operatorId) throw notFound(`charger ${req.params.id}`);
      return { chargerId: c.id, items: await chargerDrift(ctx.db, operatorId, c.id) };
    },
  );
}
