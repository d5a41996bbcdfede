import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, operatorScope, STAFF } from '../../platform/auth/guard.ts';
import { AppError, badRequest, forbidden, notFound } from '../../platform/errors.ts';
import type { Role } from '../../platform/auth/tokens.ts';
import { getChargerRow } from '../registry/index.ts';
import { expectRemoteStart, startRefusal } from '../sessions/index.ts';
import type { OcppServer } from './gateway.ts';
import { ChargerOffline, ChargerPending, CommandInvalid, CommandRejected, CommandTimeout } from './errors.ts';
import { recordAudit } from '../../platform/audit.ts';

/**
 * The commands staff may send, and who may send them. Operator staff run the day-to-day actions a
 * site attendant needs for a driver at the charger (start, stop, unlock, ask for a status, read the
 * configuration); what changes a charger's behaviour or software (reset, availability, configuration,
 * firmware, local lists, reservations, cache) needs an operator admin (or a platform admin).
 */
const EVERYONE: Role[] = ['platform_admin', 'operator_admin', 'operator_staff'];
const ADMINS: Role[] = ['platform_admin', 'operator_admin'];
export const COMMAND_ROLES: Record<string, Role[]> = {
  RemoteStartTransaction: EVERYONE,
  RemoteStopTransaction: EVERYONE,
  UnlockConnector: EVERYONE,
  TriggerMessage: EVERYONE,
  GetConfiguration: EVERYONE,
  Reset: ADMINS,
  ChangeAvailability: ADMINS,
  ChangeConfiguration: ADMINS,
  ClearCache: ADMINS,
  UpdateFirmware: ADMINS,
  GetDiagnostics: ADMINS,
  SendLocalList: ADMINS,
  GetLocalListVersion: ADMINS,
  ReserveNow: ADMINS,
  CancelReservation: ADMINS,
};

export function commandRoutes(app: FastifyInstance, ctx: Ctx, gw: OcppServer) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/v1/chargers/:id/commands/:action',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['ocpp'],
        description:
          'Sends an OCPP 1.6 command with the body as its payload and answers the charger\'s response. 400 bad payload or action, 409 charger offline, 504 no answer in time, 502 the charger answered with a CALLERROR.',
        params: z.object({ id: z.string(), action: z.string() }),
        querystring: z.object({ operatorId: z.string().optional() }),
        body: z.unknown(),
      },
    },
    async (req) => {
      const { id, action } = req.params;
      const roles = COMMAND_ROLES[action];
      if (!roles) throw badRequest(`unknown command ${action}; one of ${Object.keys(COMMAND_ROLES).join(', ')}`);
      if (!roles.includes(req.principal!.role)) throw forbidden(`${action} needs one of the roles ${roles.join(', ')}`);
      const scope = operatorScope(req, { optional: true });
      const charger = await getChargerRow(ctx.db, id);
      if (!charger || (scope && charger.operator_id !== scope)) throw notFound(`charger ${id}`);
      const payload = req.body ?? {};
      if (action === 'RemoteStartTransaction') {
        const why = await startRefusal(ctx.db, charger.operator_id, id);
        if (why) throw new AppError(409, 'start_refused', why);
      }
      const p = payload as { idTag?: unknown; connectorId?: unknown };
      if (action === 'RemoteStartTransaction' && typeof p.idTag === 'string')
        await expectRemoteStart(ctx.db, {
          operatorId: charger.operator_id,
          chargerId: id,
          connectorId: typeof p.connectorId === 'number' ? p.connectorId : null,
          idTag: p.idTag,
          origin: 'staff',
        }).catch(() => {}); // a payload the schema refuses below leaves only an expiring row
      await recordAudit(ctx.db, { operatorId: charger.operator_id, actor: req.principal!.sub, action: `ocpp.${action}`, entity: 'charger', entityId: id, after: payload });
      try {
        return await gw.call(id, action, payload);
      } catch (e) {
        if (e instanceof CommandInvalid) throw new AppError(400, 'invalid_payload', e.message, e.details);
        if (e instanceof ChargerOffline) throw new AppError(409, 'charger_offline', `charger ${id} is not connected; ${action} was not sent`);
        if (e instanceof ChargerPending) throw new AppError(409, 'charger_pending', e.message);
        if (e instanceof CommandTimeout) throw new AppError(504, 'command_timeout', e.message);
        if (e instanceof CommandRejected) throw new AppError(502, 'command_rejected', e.message, { ocppErrorCode: e.ocppCode, details: e.details });
        throw e;
      }
    },
  );
}
