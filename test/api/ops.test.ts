import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { freePort } from '../payments/helpers.ts';

const started: TestPlatform[] = [];
after(async () => {
  for (const p of started) await p.close();
});
const start = async (env: Record<string, string>) => {
  const p = await startTestPlatform({ provisioning: minimalDoc(), env });
  started.push(p);
  return p;
};

test('/metrics asks for METRICS_TOKEN when it is set', async () => {
  const p = await start({ METRICS_TOKEN: 'metrics-token-0123456789' });
  const anon = await fetch(`${p.url}/metrics`);
  assert.equal(anon.status, 401);
  assert.doesNotMatch(await anon.text(), /chargeops_/);
  assert.equal((await fetch(`${p.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
  const staff = await p.login('op1-admin', 'op1-admin-pass');
  assert.equal((await fetch(`${p.url}/metrics`, { headers: { authorization: `Bearer ${staff}` } })).status, 401, 'a login token is not the metrics token');
  const ok = await fetch(`${p.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /chargeops_outbox_deliveries_total|chargeops_chargers_connected/);
});

test('/metrics only on METRICS_PORT when that is set', async () => {
  const port = await freePort();
  const p = await start({ METRICS_PORT: String(port) });
  assert.equal((await fetch(`${p.url}/metrics`)).status, 404, 'not on the public port');
  const m = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(m.status, 200);
  assert.match(await m.text(), /chargeops_chargers_connected/);
  assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/operators`)).status, 404, 'the metrics port serves nothing else');
});

test('/readyz says ready or not and nothing internal; the reasons are for the platform admin', async () => {
  const p = await start({});
  p.readiness.push(async () => ({ name: 'partner-db', ok: false, message: 'connect ECONNREFUSED 10.1.2.3:5432 postgres://u:pw@10.1.2.3/x' }));
  const r = await fetch(`${p.url}/readyz`);
  assert.equal(r.status, 503);
  const text = await r.text();
  assert.deepEqual(JSON.parse(text), { status: 'not ready' });
  assert.doesNotMatch(text, /ECONNREFUSED|10\.1\.2\.3|postgres|partner-db/);
  assert.equal((await fetch(`${p.url}/healthz`).then((x) => x.json()) as any).ok, true);
  assert.equal((await p.api('GET', '/api/v1/ops/readiness')).status, 401);
  assert.equal((await p.api('GET', '/api/v1/ops/readiness', undefined, await p.login('op1-admin', 'op1-admin-pass'))).status, 403);
  const detail = await p.api('GET', '/api/v1/ops/readiness', undefined, await p.login('root', 'root-password'));
  assert.equal(detail.status, 200);
  assert.equal(detail.body.ok, false);
  assert.match(detail.body.checks.find((c: any) => c.name === 'partner-db').message, /ECONNREFUSED/);
});
