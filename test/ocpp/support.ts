import { createRequire } from 'node:module';
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

/** Polls until fn returns a truthy value (for effects that follow a socket closing). */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, what = 'condition', ms = 5000): Promise<T> {
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
