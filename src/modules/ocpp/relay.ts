/**
 * How nodes reach each other for relayed commands (cluster.ts): PostgreSQL LISTEN/NOTIFY by default
 * (nothing more to run), or NATS when NATS_URL is set (no 8000-byte limit, no database connection
 * held for listening, and relay traffic off the database that carries the MeterValues).
 */
import type { Db } from '../../platform/db/index.ts';

export interface RelayTransport {
  readonly kind: 'postgres' | 'nats';
  /** largest message it carries */
  readonly maxBytes: number;
  subscribe(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  publish(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export function postgresRelay(db: Db): RelayTransport {
  return {
    kind: 'postgres',
    maxBytes: 7800, // NOTIFY carries under 8000 bytes
    subscribe: (channel, fn) => db.listen(channel, fn),
    publish: (channel, payload) => db.notify(channel, payload),
    close: async () => {},
  };
}

/** Subjects are prefixed so several deployments can share one NATS server without hearing each other's nodes. */
export async function natsRelay(url: string, prefix = 'chargeops.ocpp'): Promise<RelayTransport> {
  const { connect, StringCodec } = await import('nats');
  const nc = await connect({ servers: url, name: 'chargeops', maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  const sc = StringCodec();
  return {
    kind: 'nats',
    maxBytes: Math.max(7800, nc.info?.max_payload ?? 1024 * 1024) - 1024,
    async subscribe(channel, fn) {
      const sub = nc.subscribe(`${prefix}.${channel}`, { callback: (err, msg) => !err && fn(sc.decode(msg.data)) });
      await nc.flush(); // the subscription is known to the server before anyone is told to publish to it
      return async () => sub.unsubscribe();
    },
    async publish(channel, payload) {
      nc.publish(`${prefix}.${channel}`, sc.encode(payload));
    },
    async close() {
      await nc.drain().catch(() => nc.close());
    },
  };
}
