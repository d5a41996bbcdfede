import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, operatorScope, STAFF } from '../../platform/auth/guard.ts';
import { notFound } from '../../platform/errors.ts';
import { getChargerRow } from '../registry/index.ts';
import { searchMessages } from './message-log.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
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

  r.get(
    '/api/v1/chargers/:id/messages',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags: ['ocpp'], description: 'The OCPP message log of a charger, newest first.', params, querystring: range.extend({ action: z.string().optional() }) },
    },
    async (req) => {
      const c = await charger(req, req.params.id);
      const q = req.query;
      return { items: await searchMessages(ctx.db, { operatorId: c.operator_id, chargerId: c.id, from: from(q.from) ?? undefined, to: from(q.to) ?? undefined, action: q.action, limit: q.limit }) };
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
      const rows = await ctx.db.query(
        `SELECT * FROM ocpp_status_history WHERE charger_id = $1 AND operator_id = $2 AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
           AND ($5::int IS NULL OR connector_id = $5) AND (NOT $6 OR error_code <> 'NoError' OR status = 'Faulted')
         ORDER BY at DESC, id DESC LIMIT $7`,
        [c.id, c.operator_id, from(q.from), from(q.to), q.connectorId ?? null, q.faultsOnly === 'true', q.limit],
      );
      return {
        items: rows.rows.map((s: any) => ({
          connectorId: s.connector_id,
          status: s.status,
          errorCode: s.error_code,
          info: s.info,
          vendorId: s.vendor_id,
          vendorErrorCode: s.vendor_error_code,
          at: iso(s.at),
          receivedAt: iso(s.received_at),
        })),
      };
    },
  );

  r.get(
    '/api/v1/chargers/:id/connections',
    { preHandler: requireRole(...STAFF), schema: { tags: ['ocpp'], description: 'Network history: one item per WebSocket connection, newest first.', params, querystring: range } },
    async (req) => {
      const c = await charger(req, req.params.id);
      const q = req.query;
      const rows = await ctx.db.query(
        `SELECT * FROM ocpp_connections WHERE charger_id = $1 AND operator_id = $2 AND ($3::timestamptz IS NULL OR connected_at >= $3) AND ($4::timestamptz IS NULL OR connected_at < $4)
         ORDER BY connected_at DESC, id DESC LIMIT $5`,
        [c.id, c.operator_id, from(q.from), from(q.to), q.limit],
      );
      return {
        items: rows.rows.map((x: any) => ({
          connectedAt: iso(x.connected_at),
          disconnectedAt: iso(x.disconnected_at),
          remoteAddress: x.remote_address,
          protocol: x.protocol,
          node: x.node_id,
          closeCode: x.close_code,
          reason: x.reason,
        })),
      };
    },
  );

  r.get(
    '/api/v1/chargers/:id/security-events',
    { preHandler: requireRole(...STAFF), schema: { tags: ['ocpp'], description: 'Security events of a charger, newest first.', params, querystring: range } },
    async (req) => {
      const c = await charger(req, req.params.id);
      const q = req.query;
      const rows = await ctx.db.query(
        `SELECT * FROM ocpp_security_events WHERE charger_id = $1 AND operator_id = $2 AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
         ORDER BY at DESC, id DESC LIMIT $5`,
        [c.id, c.operator_id, from(q.from), from(q.to), q.limit],
      );
      return { items: rows.rows.map((x: any) => ({ kind: x.kind, remoteAddress: x.remote_address, details: x.details, at: iso(x.at) })) };
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
      const rows = await ctx.db.query(
        `SELECT * FROM ocpp_security_events WHERE ($1::text IS NULL OR operator_id = $1) AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
           AND ($4::text IS NULL OR kind = $4)
         ORDER BY at DESC, id DESC LIMIT $5`,
        [operatorScope(req, { optional: true }), from(q.from), from(q.to), q.kind ?? null, q.limit],
      );
      return { items: rows.rows.map((x: any) => ({ chargerId: x.charger_id, kind: x.kind, remoteAddress: x.remote_address, details: x.details, at: iso(x.at) })) };
    },
  );

  r.get(
    '/api/v1/chargers/:id/maintenance-status',
    { preHandler: requireRole(...STAFF), schema: { tags: ['ocpp'], description: 'Firmware and diagnostics progress as last reported.', params, querystring: z.object({ operatorId: z.string().optional() }) } },
    async (req) => {
      const c = await charger(req, req.params.id);
      const s = (await ctx.db.query(`SELECT * FROM ocpp_charger_state WHERE charger_id = $1`, [c.id])).rows[0] as any;
      return {
        firmwareVersion: c.firmware_version,
        firmwareStatus: s?.firmware_status ?? null,
        firmwareStatusAt: iso(s?.firmware_status_at ?? null),
        diagnosticsStatus: s?.diagnostics_status ?? null,
        diagnosticsStatusAt: iso(s?.diagnostics_status_at ?? null),
      };
    },
  );
}
