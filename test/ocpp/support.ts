import { createRequire } from 'node:module';
import WebSocket from 'ws';
import type { TestPlatform } from '../support/platform.ts';

/** An independent OCPP 1.6J stack for the charger side: ocpp-rpc's RPCClient in strict mode. */
const require = createRequire(import.meta.url);
export const { RPCClient } = require('ocpp-rpc') as { RPCClient: new (o: Record<string, unknown>) => any };

export const CP = '44030700030000200016';
export const KEY = 'key-0000000000000016';

export async function charger(p: TestPlatform, opts: { id?: string; password?: string; protocols?: string[] } = {}) {
  const c = new RPCClient({
    endpoint: p.url.replace(/^http/, 'ws') + '/ocpp',
    identity: opts.id ?? CP,
    password: opts.password ?? KEY,
    protocols: opts.protocols ?? ['ocpp1.6'],
    strictMode: true,
    reconnect: false,
    callTimeoutMs: 10_000,
  });
  await c.connect();
  return c;
}

/**
 * Polls until fn returns a truthy value (for effects that follow a socket closing). The limit is a
 * last resort, not a timing: a pass returns at the first truthy value, and on a busy 2-core CI machine
 * (two test files at once, each with its own platform and database) 5 s was within reach.
 */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, what = 'condition', ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const iso = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();

export const boot = (c: any) => c.call('BootNotification', { chargePointVendor: 'Sinexcel', chargePointModel: 'DC60', chargePointSerialNumber: 'SN0016', firmwareVersion: 'V1.2.3' });

export const basicAuth = (id: string, key: string) => `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}`;

/** A raw 1.6 connection (no validation on the charger's side): frames as text, answers by message id, the close code. */
export async function rawCharger(p: TestPlatform, id = CP, key = KEY) {
  const ws = new WebSocket(`${p.url.replace(/^http/, 'ws')}/ocpp/${id}`, ['ocpp1.6'], { headers: { authorization: basicAuth(id, key) } });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const answers = new Map<string, any[]>();
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.on('message', (d) => {
    const f = JSON.parse(String(d));
    answers.set(f[1], f);
  });
  const answer = (mid: string) => eventually(async () => answers.get(mid), `the answer to ${JSON.stringify(mid)}`);
  const call = async (mid: string, action: string, payload: unknown) => {
    ws.send(JSON.stringify([2, mid, action, payload]));
    return answer(mid);
  };
  return { ws, answers, answer, call, closed };
}
