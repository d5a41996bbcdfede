import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Config } from './platform/config.ts';
import { openDb, type Db } from './platform/db/index.ts';
import { migrate } from './platform/db/migrate.ts';
import { createLogger, type Logger } from './platform/log.ts';
import { Outbox } from './platform/outbox.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { Events } from './platform/events.ts';
import { createMetrics } from './platform/metrics.ts';
import { createHttpApp } from './platform/http/app.ts';
import { opsRoutes, startMetricsServer, type ReadinessCheck } from './platform/http/ops.ts';
import { jobRoutes } from './platform/http/jobs.ts';
import type { Ctx, Module, RunningPlatform } from './platform/context.ts';
import { modules } from './modules/index.ts';
import { openKeyring, rotateSecrets } from './platform/secrets.ts';
import { configureOutbound } from './platform/outbound-url.ts';

export interface Platform extends RunningPlatform {
  app: FastifyInstance;
  readiness: ReadinessCheck[];
}

async function loadAuthSecret(db: Db, cfg: Config): Promise<string> {
  if (cfg.AUTH_SECRET) return cfg.AUTH_SECRET;
  const fresh = randomBytes(32).toString('base64url');
  await db.query(`INSERT INTO platform_settings (key, value) VALUES ('auth_secret', $1) ON CONFLICT (key) DO NOTHING`, [JSON.stringify(fresh)]);
  const r = await db.query<{ value: string }>(`SELECT value FROM platform_settings WHERE key = 'auth_secret'`);
  return r.rows[0].value;
}

/**
 * Composes the modules into one process: HTTP API, OCPP WebSocket endpoint, T/CEC endpoints and the
 * web apps on one port. `db` may be handed in (tests); otherwise it is opened from the config.
 */
export async function startPlatform(cfg: Config, opts: { db?: Db; log?: Logger; listen?: boolean; timeScale?: number; clock?: Clock; extraModules?: Module[] } = {}): Promise<Platform> {
  const log = opts.log ?? createLogger(cfg.LOG_LEVEL);
  const db = opts.db ?? (await openDb(cfg));
  const applied = await migrate(db);
  if (applied.length) log.info({ applied }, 'migrations applied');
  await openKeyring(cfg, db);
  configureOutbound({ allowPrivate: cfg.OUTBOUND_ALLOW_PRIVATE === true });
  const clock = opts.clock ?? systemClock;
  const metrics = createMetrics();
  const events = new Events();
  events.onError = (err, name) => log.error({ err, event: name }, 'event listener failed');
  const outbox = new Outbox(db, log.child({ part: 'outbox' }), metrics, opts.timeScale && opts.timeScale < 1 ? 25 : 250, clock);
  if (opts.timeScale) outbox.backoffScale = opts.timeScale;
  const authSecret = await loadAuthSecret(db, cfg);
  const ctx: Ctx = {
    config: cfg,
    db,
    log,
    outbox,
    events,
    metrics,
    clock,
    authSecret,
    nodeId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    services: {},
    timeScale: opts.timeScale ?? 1,
  };
  const app = await createHttpApp({ log, authSecret, trustProxy: cfg.trustedProxies, clock, bodyLimit: cfg.HTTP_MAX_BODY_BYTES });
  const readiness: ReadinessCheck[] = [];
  (ctx.services as Record<string, unknown>).readiness = readiness;
  opsRoutes(app, ctx, readiness);
  jobRoutes(app, ctx);
  const all = [...modules, ...(opts.extraModules ?? [])];
  for (const m of all) await m.register?.(app, ctx);
  await app.ready();
  let url = '';
  if (opts.listen !== false) {
    url = await app.listen({ port: cfg.PORT, host: cfg.HOST });
    const addr = app.server.address();
    if (addr && typeof addr === 'object') url = `http://127.0.0.1:${addr.port}`;
  }
  const metricsServer = opts.listen !== false ? await startMetricsServer(ctx) : null;
  for (const m of all) await m.start?.(ctx);
  outbox.start();
  let stopped = false;
  return {
    ctx,
    app,
    url,
    readiness,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const m of [...all].reverse()) await m.stop?.(ctx);
      await outbox.stop();
      await app.close();
      await metricsServer?.close();
      if (!opts.db) await db.close();
    },
  };
}

/** `chargeops rotate-secrets`: every module's sealed columns re-sealed with the current SECRETS_KEY, in one transaction. */
export async function rotateStoredSecrets(db: Db, cfg: Config) {
  const keyring = await openKeyring(cfg, db);
  const r = await db.tx((q) => rotateSecrets(q, modules.flatMap((m) => m.sealedColumns ?? [])));
  return { keyId: keyring.currentId, ...r };
}
