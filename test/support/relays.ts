/**
 * The relays the cluster tests run over: PostgreSQL LISTEN/NOTIFY (the default) and NATS
 * (TEST_NATS_URL, default nats://127.0.0.1:4222; .ci/run starts a NATS server). Without a reachable
 * NATS server its pass is skipped with a reason, except with CI=true where it is required.
 */
import { connect } from 'node:net';

export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

function reachable(url: string): Promise<boolean> {
  const u = new URL(url.replace(/^nats:/, 'http:'));
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port || 4222) });
    s.setTimeout(1000);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

const natsUp = await reachable(TEST_NATS_URL);
if (!natsUp && /^(1|true|yes)$/i.test(process.env.CI ?? '')) throw new Error(`CI=true requires a NATS server at ${TEST_NATS_URL} for the cluster tests (.ci/run starts one)`);

export interface Relay {
  name: string;
  /** what a node's config adds */
  env: Record<string, string>;
  skip: string | false;
}

export const RELAYS: Relay[] = [
  { name: 'LISTEN/NOTIFY', env: {}, skip: false },
  { name: 'NATS', env: { NATS_URL: TEST_NATS_URL }, skip: natsUp ? false : `no NATS server at ${TEST_NATS_URL}` },
];
