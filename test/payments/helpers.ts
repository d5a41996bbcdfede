import { createServer } from 'node:net';
import { startFakeWechatpay, type FakeWechatpay } from '../../src/modules/payments/fake/server.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A local address where no HTTP server answers: the port stays taken (so no server started later in
 * this process or another one can get it, as a port merely freed could) and every connection is cut.
 */
export async function deadEnd(): Promise<{ url: string; close: () => Promise<void> }> {
  const s = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve());
  });
  const a = s.address();
  return { url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`, close: () => new Promise<void>((r) => s.close(() => r())) };
}

/** The platform (op1 paying through the fake) and the fake WeChat Pay, both on random ports. */
export async function startWithFake(opts: { publicBaseUrl?: (port: number) => string; timeScale?: number } = {}): Promise<{ p: TestPlatform; fake: FakeWechatpay }> {
  const fake = await startFakeWechatpay({ timeScale: 0.001 });
  const doc: any = minimalDoc();
  doc.operators[0].payments = { wechatpay: fake.operatorSettings() };
  const port = await freePort();
  const p = await startTestPlatform({
    provisioning: doc,
    timeScale: opts.timeScale ?? 0.01,
    env: { PORT: String(port), PUBLIC_BASE_URL: opts.publicBaseUrl ? opts.publicBaseUrl(port) : `http://127.0.0.1:${port}` },
  });
  return { p, fake };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const balance = async (p: TestPlatform, token: string, phone: string) => (await p.api('GET', `/api/v1/drivers/${phone}`, undefined, token)).body.walletBalance as string;

export async function events(p: TestPlatform, outTradeNo: string) {
  const r = await p.ctx.db.query<{ kind: string; outcome: string }>(`SELECT kind, outcome FROM payment_events WHERE out_trade_no = $1 ORDER BY id`, [outTradeNo]);
  return r.rows;
}
