/**
 * Contract of the ocpp module: the OCPP 1.6J gateway.
 * Owns: ocpp_messages (every frame stored before it is acted on), ocpp_connections,
 *   ocpp_charger_state, ocpp_status_history, ocpp_data_transfers, ocpp_security_events, ocpp_node_leases.
 * Offers: ctx.services.ocpp (call a charger, connected or not, across nodes), observers
 *   (ctx.services.ocppObservers: modules above read live traffic without ocpp importing them),
 *   connection history for support.
 * Needs: registry (charger keys, leases), sessions (what the frames do), wallet (Authorize).
 */
import type { Module } from '../../platform/context.ts';
import { OcppServer, type OcppGateway } from './gateway.ts';
import { NodeLink } from './cluster.ts';
import { natsRelay } from './relay.ts';
import { NodeLease } from './lease.ts';
import { commandRoutes } from './commands.ts';
import { historyRoutes } from './routes.ts';
import { purgeMessageLog } from './message-log.ts';
import type { ReadinessCheck } from '../../platform/http/ops.ts';

export { ChargerOffline, ChargerPending, CommandTimeout, CommandRejected, CommandInvalid } from './errors.ts';
export type { OcppGateway, CallOptions } from './gateway.ts';
export { dataTransferHandlers } from './v16/index.ts';
export { purgeMessageLog, searchMessages } from './message-log.ts';
export { statusHistory, connectionHistory, securityEvents, connectionsOverlapping, lastConnectionBefore, recordPastConnection } from './history.ts';
export { COMMAND_ROLES } from './commands.ts';
export { ocppObservers, OcppObservers, type OcppObservation, type OcppObserver } from './observers.ts';

declare module '../../platform/context.ts' {
  interface Services {
    ocpp: OcppGateway;
  }
}


/** The OCPP-J 1.6 endpoint ws://HOST:PORT/ocpp/{chargeBoxId} on the HTTP server's port. */
export const ocppModule: Module = {
  name: 'ocpp',
  register(app, ctx) {
    const gw = new OcppServer(ctx);
    ctx.services.ocpp = gw;
    app.server.on('upgrade', (req, socket, head) => {
      // Not ours and nobody else listens: answer, or the socket would hang open.
      if (!gw.onUpgrade(req, socket, head) && app.server.listenerCount('upgrade') === 1)
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    commandRoutes(app, ctx, gw);
    historyRoutes(app, ctx);
    ((ctx.services as Record<string, unknown>).readiness as ReadinessCheck[] | undefined)?.push(async () => ({ name: 'ocpp', ok: true, message: `${gw.connections.size} charger(s) connected` }));
  },
  async start(ctx) {
    const gw = ctx.services.ocpp as OcppServer;
    if (ctx.db.kind === 'postgres') {
      gw.link = new NodeLink(
        ctx,
        (chargerId, action, payload, timeoutMs) => gw.call(chargerId, action, payload, { timeoutMs, localOnly: true }),
        (chargerId, byNode) => gw.dropCharger(chargerId, byNode),
        ctx.config.NATS_URL ? await natsRelay(ctx.config.NATS_URL) : undefined,
      );
      await gw.link.start();
    }
    gw.guard.start();
    // per gateway, not per module: several nodes may run in one process (tests)
    gw.lease = new NodeLease(ctx, (reason) => gw.dropAll(reason));
    await gw.lease.start();
    await gw.lease.reap();
    const n = await gw.markStaleConnections();
    if (n) ctx.log.info({ chargers: n }, 'chargers of a stopped node marked disconnected');
    const purge = () =>
      purgeMessageLog(ctx.db, ctx.config.MESSAGE_LOG_RETENTION_DAYS)
        .then((deleted) => deleted && ctx.log.info({ deleted }, 'OCPP message log purged'))
        .catch((err) => ctx.log.warn({ err }, 'OCPP message log purge failed'));
    void purge();
    gw.retention = ctx.clock.setInterval(purge, 3600_000).unref();
  },
  async stop(ctx) {
    const gw = ctx.services.ocpp as OcppServer | undefined;
    if (!gw) return;
    ctx.clock.clearInterval(gw.retention);
    await gw.link?.stop();
    await gw.close();
    await gw.lease?.stop();
  },
};
