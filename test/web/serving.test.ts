import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { ensureWebBuilt } from '../../src/modules/web/build.ts';
import { peekDriverCode } from '../../src/modules/web/driver-auth.ts';

let p: TestPlatform;
before(async () => {
  await ensureWebBuilt();
  const doc: any = minimalDoc();
  doc.operators[0].settings = { brand: { name: '永湖充电', color: '#0a7d4f', logo: 'https://example.com/logo.png' } };
  p = await startTestPlatform({ provisioning: doc });
});
after(async () => p?.close());

test('the console and its client routes answer with the SPA index; assets are served pre-gzipped and cached', async () => {
  for (const path of ['/console', '/console/', '/console/orders/20190920144024840824']) {
    const r = await fetch(p.url + path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    const html = await r.text();
    assert.match(html, /<div id="root">/);
    const asset = /src="(\/web\/assets\/console-[^"]+\.js)"/.exec(html);
    assert.ok(asset, 'the index names its hashed entry');
    const a = await fetch(p.url + asset![1], { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(a.status, 200);
    assert.match(a.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(a.headers.get('content-encoding'), 'gzip');
  }
});

test('the H5 page answers on /h5/{operatorId} and its sub-routes; an API path is not swallowed by the fallback', async () => {
  for (const path of ['/h5/op1', '/h5/op1/orders']) {
    const r = await fetch(p.url + path);
    assert.equal(r.status, 200, path);
    assert.match(await r.text(), /\/web\/assets\/h5-/);
  }
  const api = await fetch(p.url + '/api/v1/nothing-here');
  assert.equal(api.status, 404);
  assert.equal((await api.json()).error.code, 'not_found');
});

test('the public brand comes from operator settings, falling back to the operator name; unknown operator 404', async () => {
  const b = await p.api('GET', '/api/v1/public/operators/op1/brand');
  assert.equal(b.status, 200);
  assert.deepEqual(b.body, { operatorId: 'op1', name: '永湖充电', logo: 'https://example.com/logo.png', color: '#0a7d4f', poweredBy: 'ChargeOps', timeZone: 'Asia/Shanghai' });
  const b2 = await p.api('GET', '/api/v1/public/operators/op2/brand');
  assert.equal(b2.body.name, 'Operator Two');
  assert.equal(b2.body.logo, null);
  assert.equal((await p.api('GET', '/api/v1/public/operators/nope/brand')).status, 404);
});

test('driver login by one-time code: wrong code refused, code works once, resend is rate limited', async () => {
  const phone = '18475511853';
  const sent = await p.api('POST', '/api/v1/driver-auth/code', { operatorId: 'op1', phone });
  assert.equal(sent.status, 200);
  assert.equal(sent.body.sent, true);
  const again = await p.api('POST', '/api/v1/driver-auth/code', { operatorId: 'op1', phone });
  assert.equal(again.status, 429);
  assert.equal(again.body.error.code, 'too_many_codes');
  const code = peekDriverCode('op1', phone)!;
  assert.match(code, /^\d{6}$/);
  const wrong = code === '000000' ? '111111' : '000000';
  const bad = await p.api('POST', '/api/v1/driver-auth/login', { operatorId: 'op1', phone, code: wrong });
  assert.equal(bad.status, 401);
  const ok = await p.api('POST', '/api/v1/driver-auth/login', { operatorId: 'op1', phone, code });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.role, 'driver');
  const me = await p.api('GET', '/api/v1/me', undefined, ok.body.token);
  assert.deepEqual(me.body, { username: phone, role: 'driver', operatorId: 'op1', enterpriseId: null });
  const reuse = await p.api('POST', '/api/v1/driver-auth/login', { operatorId: 'op1', phone, code });
  assert.equal(reuse.status, 401, 'a code works once');
  // a driver token is no staff token
  assert.equal((await p.api('GET', '/api/v1/chargers', undefined, ok.body.token)).status, 403);
});

test('five wrong codes lock the code; bad input gets a 400 saying what is wrong; unknown operator 404', async () => {
  const phone = '13900000009';
  await p.api('POST', '/api/v1/driver-auth/code', { operatorId: 'op1', phone });
  const code = peekDriverCode('op1', phone)!;
  const wrong = code === '000000' ? '111111' : '000000';
  for (let i = 0; i < 5; i++) assert.equal((await p.api('POST', '/api/v1/driver-auth/login', { operatorId: 'op1', phone, code: wrong })).status, 401);
  const locked = await p.api('POST', '/api/v1/driver-auth/login', { operatorId: 'op1', phone, code });
  assert.equal(locked.status, 429);
  const bad = await p.api('POST', '/api/v1/driver-auth/code', { operatorId: 'op1', phone: 'abc' });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /phone/);
  assert.equal((await p.api('POST', '/api/v1/driver-auth/code', { operatorId: 'nope', phone })).status, 404);
});

test('GET /api/v1/dashboard: connectors by live state and chargers online/offline of the caller’s operator only; a day per entry', async () => {
  const t1 = await p.login('op1-staff', 'op1-staff-pass');
  const d = await p.api('GET', '/api/v1/dashboard?days=7', undefined, t1);
  assert.equal(d.status, 200);
  assert.deepEqual(d.body.chargers, { total: 2, online: 0, offline: 2 });
  assert.deepEqual(d.body.connectors, { Offline: 3 });
  assert.equal(d.body.days.length, 7);
  assert.deepEqual(d.body.today, { day: d.body.days[6].day, orders: 0, energyKwh: '0.00', revenue: '0.00', held: 0 });
  assert.equal(d.body.heldOrders, 0);
  const t2 = await p.login('op2-admin', 'op2-admin-pass');
  assert.deepEqual((await p.api('GET', '/api/v1/dashboard', undefined, t2)).body.chargers, { total: 1, online: 0, offline: 1 });
  assert.equal((await p.api('GET', '/api/v1/dashboard?operatorId=op1', undefined, t2)).status, 403);
  assert.equal((await p.api('GET', '/api/v1/dashboard')).status, 401);
});

test('one client address gets at most 30 codes an hour, whatever the phones', async () => {
  let ok = 0;
  let refused: any = null;
  for (let i = 0; i < 40 && !refused; i++) {
    const r = await p.api('POST', '/api/v1/driver-auth/code', { operatorId: 'op1', phone: `1560000${String(i).padStart(4, '0')}` });
    if (r.status === 200) ok++;
    else refused = r;
  }
  assert.ok(refused, 'refused before 40');
  assert.equal(refused.status, 429);
  assert.match(refused.body.error.message, /one address/);
  assert.ok(ok <= 30);
});
