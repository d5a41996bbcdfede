import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import type { Logger } from './log.ts';
import type { Outbox } from './outbox.ts';
import type { Events } from './events.ts';
import type { Metrics } from './metrics.ts';
import type { Clock } from './clock.ts';
import type { SealedColumn } from './secrets.ts';

/**
 * Services modules offer each other at run time (the OCPP gateway, the notifier, ...). Each module
 * adds its own entry by declaration merging:
 *   declare module '../../platform/context.ts' { interface Services { ocpp: OcppGateway } }
 */
export interface Services {}

export interface Ctx {
  config: Config;
  db: Db;
  log: Logger;
  outbox: Outbox;
  events: Events;
  metrics: Metrics;
  /** The only source of "now" and of business timers (a FakeClock in tests). */
  clock: Clock;
  /** Secret for signing bearer tokens (AUTH_SECRET or generated once and kept in the database). */
  authSecret: string;
  nodeId: string;
  services: Partial<Services>;
  /** Scales every timer down in tests (1 in production). */
  timeScale: number;
}

export interface Module {
  name: string;
  /** Columns holding secrets sealed with SECRETS_KEY (re-sealed by `chargeops rotate-secrets`). */
  sealedColumns?: SealedColumn[];
  /** Adds routes and outbox handlers; runs before the server listens. */
  register?(app: FastifyInstance, ctx: Ctx): Promise<void> | void;
  /** Starts background work once the server listens. */
  start?(ctx: Ctx): Promise<void> | void;
  stop?(ctx: Ctx): Promise<void> | void;
}

export function service<K extends keyof Services>(ctx: Ctx, name: K): Services[K] {
  const s = ctx.services[name];
  if (!s) throw new Error(`service ${String(name)} is not available`);
  return s as Services[K];
}

/**
 * What a module's demo loader (its demo.ts) sees of the running platform; src/server.ts's Platform
 * is one. Declared here so a module never imports the composition root.
 */
export interface RunningPlatform {
  ctx: Ctx;
  /** The HTTP base URL the platform listens on ('' when not listening). */
  url: string;
  stop(): Promise<void>;
}
