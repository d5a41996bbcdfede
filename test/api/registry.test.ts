import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';

let p: TestPlatform;
before(async () => (p = await startTestPlatform({ provisioning: minimalDoc() })));
after(async () => p.close());

test('login gives a bearer token; a wrong password gets 401 with the error shape', async () => {
  const bad = await p.api('POST', '/api/v1/auth/login', { username: 'op1-admin', password: 'nope' });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error.code, 'bad_credentials');
  const ok = await p.api('POST', '/api/v1/auth/login', { username: 'op1-admin', password: 'op1-admin-pass' });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.role, 'operator_admin');
});

test('a request body that fails its schema gets 400 saying what is wrong', async () => {
  const r = await p.api('POST', '/api/v1/auth/login', { username: 'x' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'validation_failed');
  assert.match(r.body.error.message, /password/);
});

test('GET /api/v1/chargers/{id} shows connection, identity and live connector state', async () => {
  const t = await p.login('op1-staff', 'op1-staff-pass');
  const r = await p.api('GET', '/api/v1/chargers/44030700030000200016', undefined, t);
  assert.equal(r.status, 200);
  assert.equal(r.body.connected, false);
  assert.equal(r.body.firmwareVersion, null);
  assert.deepEqual(r.body.connectors.map((c: any) => [c.connectorId, c.status]), [[1, 'Offline'], [2, 'Offline']]);
});

test('tenancy: an operator never sees another operator’s charger', async () => {
  const t2 = await p.login('op2-admin', 'op2-admin-pass');
  assert.equal((await p.api('GET', '/api/v1/chargers/44030700030000200016', undefined, t2)).status, 404);
  const list = await p.api('GET', '/api/v1/chargers', undefined, t2);
  assert.deepEqual(list.body.items.map((c: any) => c.id), ['OTHER0001']);
  assert.equal((await p.api('GET', '/api/v1/chargers?operatorId=op1', undefined, t2)).status, 403);
});

test('roles: no token is 401, staff may not provision, a platform admin may', async () => {
  assert.equal((await p.api('GET', '/api/v1/chargers')).status, 401);
  const staff = await p.login('op1-staff', 'op1-staff-pass');
  assert.equal((await p.api('PUT', '/api/v1/provisioning', minimalDoc(), staff)).status, 403);
  const root = await p.login('root', 'root-password');
  const r = await p.api('PUT', '/api/v1/provisioning', minimalDoc(), root);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const bad = await p.api('PUT', '/api/v1/provisioning', { operators: [{ id: 'x' }] }, root);
  assert.equal(bad.status, 400);
  assert.ok(bad.body.error.details.some((d: any) => d.path === '$.operators[0].name'));
  // made-up secrets are never in an answer: only who got one
  const doc: any = minimalDoc();
  doc.operators[1].users.push({ username: 'op2-new', role: 'operator_staff' });
  doc.operators[1].stations[0].chargers.push({ id: 'OTHER0002', connectors: [{ id: 1, type: 'AC', maxPowerKw: 7 }] });
  const gen = await p.api('PUT', '/api/v1/provisioning', doc, root);
  assert.equal(gen.status, 200, JSON.stringify(gen.body));
  assert.deepEqual(gen.body.generated, { users: ['op2-new'], chargers: ['OTHER0002'] });
  assert.doesNotMatch(JSON.stringify(gen.body), /password|authKey/);
});

test('ops endpoints and the OpenAPI document', async () => {
  assert.equal((await p.api('GET', '/healthz')).status, 200);
  assert.deepEqual((await p.api('GET', '/readyz')).body, { status: 'ready' });
  const m = await fetch(p.url + '/metrics').then((r) => r.text());
  assert.match(m, /chargeops_chargers_connected/);
  const o = await p.api('GET', '/api/v1/openapi.json');
  assert.equal(o.body.openapi, '3.0.3');
  assert.ok(o.body.paths['/api/v1/chargers/{id}']);
  assert.ok(o.body.paths['/api/v1/auth/login'].post.requestBody);
});
