import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, operatorScope, STAFF } from '../../platform/auth/guard.ts';
import { notFound } from '../../platform/errors.ts';
import { getChargerRow } from '../registry/index.ts';
import { searchMessages } from './message-log.ts';
import { connectionHistory, maintenanceStatus, securityEvents, statusHistory } from './history.ts';

const range = z.object({
  operatorId: z.string().optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** History views of one charger: frames, status reports (faults), connections, security events. */
export function historyRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const charger = async (req: FastifyRequest, id: string) => {
    const scope = operatorScope(req, { optional: true });
    const c = await getChargerRow(ctx.db, id);
    if (!c || (scope && c.operator_id !== scope)) throw notFound(`charger ${id}`);
    return c;
  };
  const params = z.object({ id: z.string() });
  const from = (s?: string) => (s ? new Date(s) : null);
  const win = (q: { from?: string; to?: string; limit: number }) => ({ from: from(q.from), to: from(q.to), limit: q.limit });

  r.get(
    '/api/v1/chargers/:id/messages',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['ocpp'],
        description: 'The OCPP message log of a charger, newest first; messageId gives one exchange (the CALL and its answer), as an incident\'s evidence links do.',
        params,
        querystring: range.extend({ action: z.string().optional(), messageId: z.string().max(100).optional() }),
      },
    },
    async (req) => {
      const c = await charger(req, req.params.id);
      const q = req.query;
      return { items: await searchMessages(ctx.db, { operatorId: c.operator_id, chargerId: c.id, from: from(q.from) ?? undefined, to: from(q.to) ?? undefined, action: q.action, messageId: q.messageId, limit: q.limit }) };
    },
  );

  r.get(
    '/api/v1/chargers/:id/status-history',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['ocpp'],
        description: 'Every StatusNotification, newest first (faultsOnly: errorCode other than NoError or status Faulted).',
        params,
        querystring: range.extend({ connectorId: z.coerce.number().int().optional(), faultsOnly: z.enum(['true', 'false']).optional() }),
      },
    },
    async (req) => {
      const c = await charger(req, req.params.id);
      const q = req.query;
      return { items: await statusHistory(ctx.db, c.operator_id, c.id, { ...win(q), connectorId: q.connectorId, faultsOnly: q.faultsOnly === 'true' }) };
    },
  );

  r.get(
    '/api/v1/chargers/:id/connections',
    { preHandler: requireRole(...STAFF), schema: { tags: ['ocpp'], description: 'Network history: one item per WebSocket connection, newest first.', params, querystring: range } },
    async (req) => {
      const c = await charger(req, req.params.id);
      const q = req.query;
      return { items: await connectionHistory(ctx.db, c.operator_id, c.id, win(q)) };
    },
  );

  r.get(
    '/api/v1/chargers/:id/security-events',
    { preHandler: requireRole(...STAFF), schema: { tags: ['ocpp'], description: 'Security events of a charger, newest first.', params, querystring: range } },
    async (req) => {
      const c = await charger(req, req.params.id);
      const q = req.query;
      return { items: (await securityEvents(ctx.db, c.operator_id, c.id, win(q))).map(({ chargerId: _c, ...e }) => e) };
    },
  );

  r.get(
    '/api/v1/security-events',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags: ['ocpp'], description: 'Security events of all the operator\'s chargers, newest first.', querystring: range.extend({ kind: z.string().optional() }) },
    },
    async (req) => {
      const q = req.query;
      return { items: await securityEvents(ctx.db, operatorScope(req, { optional: true }), null, { ...win(q), kind: q.kind }) };
    },
  );

  r.get(
    '/api/v1/chargers/:id/maintenance-status',
    { preHandler: requireRole(...STAFF), schema: { tags: ['ocpp'], description: 'Firmware and diagnostics progress as last reported.', params, querystring: z.object({ operatorId: z.string().optional() }) } },
    async (req) => {
      const c = await charger(req, req.params.id);
      return { firmwareVersion: c.firmware_version, ...(await maintenanceStatus(ctx.db, c.id)) };
    },
  );
}
