import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeWechatpay } from '../../src/modules/payments/fake/server.ts';
import type { TestPlatform } from '../support/platform.ts';
import { balance, deadEnd, events, startWithFake, waitFor } from './helpers.ts';

// Case 5: the notify URL handed to WeChat does not reach the platform (a wrong PUBLIC_BASE_URL after an upgrade).
let p: TestPlatform;
let fake: FakeWechatpay;
let staff: string;
let wrongBase: string;
let dead: Awaited<ReturnType<typeof deadEnd>>;
const PHONE = '18475511853';

before(async () => {
  // Nothing answers there, and the port stays taken: a port merely freed could be handed to the
  // platform itself a moment later, and then the "wrong" URL would reach it.
  dead = await deadEnd();
  wrongBase = dead.url;
  ({ p, fake } = await startWithFake({ publicBaseUrl: () => wrongBase }));
  staff = await p.login('op1-staff', 'op1-staff-pass');
});
after(async () => {
  await p?.close();
  await fake?.close();
  await dead?.close();
});

test('a PUBLIC_BASE_URL that does not reach this instance: /readyz is 503 (nothing more); the platform admin and the console see why', async () => {
  const r = await p.api('GET', '/readyz');
  assert.equal(r.status, 503);
  assert.deepEqual(r.body, { status: 'not ready' }, 'no reason, no URL for the public');
  const root = await p.login('root', 'root-password');
  const c = (await p.api('GET', '/api/v1/ops/readiness', undefined, root)).body.checks.find((x: any) => x.name === 'public-url');
  assert.equal(c.ok, false);
  assert.match(c.message, new RegExp(`PUBLIC_BASE_URL ${wrongBase.replace(/[.:/]/g, '\\$&')} does not reach this instance`));
  assert.match(c.message, /Payment callbacks/);
  const s = await p.api('GET', '/api/v1/settings/public-url', undefined, staff);
  assert.equal(s.status, 200);
  assert.equal(s.body.ok, false);
  assert.equal(s.body.publicBaseUrl, wrongBase);
});

test('a URL that reaches another server (not this instance) fails the check as well', async () => {
  const check = p.ctx.services.publicUrlCheck!;
  const cfg = p.ctx.config as { publicBaseUrl: string };
  const saved = cfg.publicBaseUrl;
  cfg.publicBaseUrl = fake.url; // a live server, but not ours
  try {
    const s = await check.check(0);
    assert.equal(s.ok, false);
    assert.match(s.message, /answered 404/);
  } finally {
    cfg.publicBaseUrl = saved;
  }
});

test('the callback never arrives → the query job credits the top-up; the callback arriving later credits nothing more', async () => {
  const before = await balance(p, staff, PHONE);
  const t = (await p.api('POST', '/api/v1/topups', { phone: PHONE, amount: '88.00', channel: 'wechatpay_h5' }, staff)).body;
  assert.equal(fake.orders.get(t.outTradeNo)!.notify_url, `${wrongBase}/api/v1/payments/wechatpay/notify/op1`);
  fake.pay(t.outTradeNo);
  const v = await waitFor('query credit', async () => {
    const x = (await p.api('GET', `/api/v1/topups/${t.outTradeNo}`, undefined, staff)).body;
    return x.status === 'credited' ? x : null;
  });
  assert.equal(v.creditedVia, 'query');
  assert.ok(v.history.some((h: any) => h.kind === 'query' && h.outcome === 'SUCCESS'));
  // WeChat kept trying the wrong URL
  await waitFor('failed deliveries', async () => fake.deliveries.filter((d) => d.outTradeNo === t.outTradeNo && String(d.status).startsWith('error')).length >= 2);
  assert.equal(await balance(p, staff, PHONE), (Number(before) + 88).toFixed(2));
  // the URL is fixed; WeChat's callback (a retry, or a duplicate from another server) finally reaches us
  const statuses = await fake.notify(t.outTradeNo, { url: `${p.url}/api/v1/payments/wechatpay/notify/op1`, copies: 3 });
  assert.deepEqual(statuses, [204, 204, 204]);
  const ev = await events(p, t.outTradeNo);
  assert.equal(ev.filter((e) => e.outcome === 'credited').length, 1);
  assert.equal(ev.filter((e) => e.kind === 'callback' && e.outcome === 'already_credited').length, 3);
  assert.equal(await balance(p, staff, PHONE), (Number(before) + 88).toFixed(2));
});

test('an unpaid top-up is closed at WeChat Pay once it expires', async () => {
  const t = (await p.api('POST', '/api/v1/topups', { phone: PHONE, amount: '5.00', channel: 'wechatpay_h5' }, staff)).body;
  // move the expiry into the past so the next query closes it (the real one is two hours)
  await p.ctx.db.query(`UPDATE topups SET expires_at = now() - interval '1 second' WHERE out_trade_no = $1`, [t.outTradeNo]);
  await waitFor('closed', async () => (await p.api('GET', `/api/v1/topups/${t.outTradeNo}`, undefined, staff)).body.status === 'closed');
  assert.equal(fake.orders.get(t.outTradeNo)!.trade_state, 'CLOSED');
});
