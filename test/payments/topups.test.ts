import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rsaVerify } from '../../src/modules/payments/wechatpay/crypto.ts';
import { localDate } from '../../src/modules/payments/wechatpay/time.ts';
import type { FakeWechatpay } from '../../src/modules/payments/fake/server.ts';
import type { TestPlatform } from '../support/platform.ts';
import { balance, events, startWithFake, waitFor } from './helpers.ts';
import { verifyLedgerLast } from '../support/verify-ledger.ts';

let p: TestPlatform;
let fake: FakeWechatpay;
let staff: string;
let admin: string;
const PHONE = '18475511853';

before(async () => {
  ({ p, fake } = await startWithFake());
  staff = await p.login('op1-staff', 'op1-staff-pass');
  admin = await p.login('op1-admin', 'op1-admin-pass');
});
after(async () => {
  await p?.close();
  await fake?.close();
});

const create = async (amount: string, channel = 'wechatpay_h5', extra: object = {}) => {
  const r = await p.api('POST', '/api/v1/topups', { phone: PHONE, amount, channel, ...extra }, staff);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
};
const topup = async (otn: string) => (await p.api('GET', `/api/v1/topups/${otn}`, undefined, staff)).body;
const credits = async (otn: string) => (await events(p, otn)).filter((e) => e.outcome === 'credited').length;
const inbox = async (otn: string) =>
  (await p.ctx.db.query<{ outcome: string; error: string | null }>(`SELECT outcome, error FROM inbox WHERE source = 'wechatpay' AND body LIKE '%' || $1 || '%' OR (decoded->>'out_trade_no') = $1 ORDER BY id`, [otn])).rows;

test('the right PUBLIC_BASE_URL: the self-check passes and /readyz is 200', async () => {
  const r = await p.api('GET', '/readyz');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const root = await p.login('root', 'root-password');
  const c = (await p.api('GET', '/api/v1/ops/readiness', undefined, root)).body.checks.find((x: any) => x.name === 'public-url');
  assert.equal(c.ok, true);
  const s = await p.api('GET', '/api/v1/settings/public-url?refresh=true', undefined, staff);
  assert.equal(s.body.ok, true);
  assert.equal(s.body.publicBaseUrl, p.ctx.config.publicBaseUrl);
  assert.equal(s.body.links.driverH5, `${p.ctx.config.publicBaseUrl}/h5/op1`);
  assert.equal(s.body.links.paymentNotify, `${p.ctx.config.publicBaseUrl}/api/v1/payments/wechatpay/notify/op1`);
});

test('settings: GET shows whether secrets are set, never the values; PUT keeps secrets left out', async () => {
  const g = await p.api('GET', '/api/v1/settings/payments', undefined, admin);
  assert.equal(g.status, 200);
  assert.equal(g.body.wechatpay.mchid, fake.merchant.mchid);
  assert.equal(g.body.wechatpay.apiV3KeySet, true);
  assert.equal(g.body.wechatpay.merchantPrivateKeySet, true);
  assert.ok(!JSON.stringify(g.body).includes(fake.merchant.apiV3Key));
  assert.ok(!JSON.stringify(g.body).includes('PRIVATE KEY'));
  const stored = await p.ctx.db.query<{ api_v3_key_enc: string; merchant_private_key_enc: string }>(`SELECT api_v3_key_enc, merchant_private_key_enc FROM payment_merchants WHERE operator_id = 'op1'`);
  assert.ok(!stored.rows[0].api_v3_key_enc.includes(fake.merchant.apiV3Key), 'stored encrypted');
  assert.ok(!stored.rows[0].merchant_private_key_enc.includes('PRIVATE KEY'));
  const { apiV3Key: _k, merchantPrivateKey: _p, ...rest } = fake.operatorSettings();
  const put = await p.api('PUT', '/api/v1/settings/payments', { wechatpay: rest }, admin);
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(put.body.wechatpay.apiV3KeySet, true);
  assert.equal((await p.api('GET', '/api/v1/settings/payments', undefined, staff)).status, 403, 'operator_admin only');
  const bad = await p.api('PUT', '/api/v1/settings/payments', { wechatpay: { ...rest, platformPublicKey: 'not a key' } }, admin);
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /platformPublicKey/);
});

test('H5 top-up: the prepay carries the public notify URL; paying sends a signed, encrypted callback that credits once', async () => {
  const before = await balance(p, staff, PHONE);
  fake.knobs.staleQuery = true; // only the callback may credit here (the query job would race it)
  const t = await create('50.00');
  assert.match(t.outTradeNo, /^[0-9A-Za-z_\-|*]{6,32}$/);
  assert.equal(t.status, 'pending');
  assert.match(t.payParams.h5Url, /^http:\/\/127\.0\.0\.1:\d+\/fake\/checkout\//);
  // WeChat sends the payer back to our H5 page, on the public URL
  assert.equal(t.payParams.redirectUrl, `${p.ctx.config.publicBaseUrl}/h5/op1?topup=${t.outTradeNo}`);
  const order = fake.orders.get(t.outTradeNo)!;
  assert.equal(order.notify_url, `${p.ctx.config.publicBaseUrl}/api/v1/payments/wechatpay/notify/op1`);
  assert.equal(order.amount, 5000);
  fake.pay(t.outTradeNo);
  const done = await waitFor('credit', async () => ((await topup(t.outTradeNo)).status === 'credited' ? topup(t.outTradeNo) : null));
  fake.knobs.staleQuery = false;
  assert.equal(done.creditedVia, 'callback');
  assert.equal(done.transactionId, order.transaction_id);
  assert.equal(await balance(p, staff, PHONE), (Number(before) + 50).toFixed(2));
  assert.ok(done.history.some((h: any) => h.kind === 'callback' && h.outcome === 'credited'));
  const d = fake.deliveries.filter((x) => x.outTradeNo === t.outTradeNo);
  assert.deepEqual(d.map((x) => x.status), [204]);
});

test('JSAPI top-up needs an openid and returns bridge parameters signed with the merchant key', async () => {
  const no = await p.api('POST', '/api/v1/topups', { phone: PHONE, amount: '10.00', channel: 'wechatpay_jsapi' }, staff);
  assert.equal(no.status, 400);
  const nobody = await p.api('POST', '/api/v1/topups', { phone: '13999999999', amount: '10.00', channel: 'wechatpay_h5' }, staff);
  assert.equal(nobody.status, 404);
  const zero = await p.api('POST', '/api/v1/topups', { phone: PHONE, amount: '0.00', channel: 'wechatpay_h5' }, staff);
  assert.equal(zero.status, 400);
  assert.match(zero.body.error.message, /between 0\.01 and 5000\.00/);
  const t = await create('10.00', 'wechatpay_jsapi', { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
  const pp = t.payParams;
  assert.equal(pp.appId, fake.merchant.appid);
  assert.equal(pp.signType, 'RSA');
  assert.equal(pp.package, `prepay_id=${fake.orders.get(t.outTradeNo)!.prepay_id}`);
  assert.ok(rsaVerify(`${pp.appId}\n${pp.timeStamp}\n${pp.nonceStr}\n${pp.package}\n`, pp.paySign, fake.merchant.merchantPublicKey));
});

test('the same callback ten times → exactly one credit, every copy answered 204', async () => {
  const before = await balance(p, staff, PHONE);
  fake.knobs.duplicates = 10;
  fake.knobs.staleQuery = true;
  const t = await create('12.34');
  fake.pay(t.outTradeNo);
  await waitFor('10 deliveries', async () => fake.deliveries.filter((x) => x.outTradeNo === t.outTradeNo).length === 10);
  fake.knobs.duplicates = 1;
  fake.knobs.staleQuery = false;
  await waitFor('processed', async () => (await events(p, t.outTradeNo)).filter((e) => e.kind === 'callback').length === 10);
  assert.deepEqual(fake.deliveries.filter((x) => x.outTradeNo === t.outTradeNo).map((x) => x.status), Array(10).fill(204));
  assert.equal(await credits(t.outTradeNo), 1);
  assert.equal((await events(p, t.outTradeNo)).filter((e) => e.outcome === 'already_credited').length, 9);
  assert.equal(await balance(p, staff, PHONE), ((Number(before) * 100 + 1234) / 100).toFixed(2));
});

test('100 copies of the callback in parallel → exactly one credit', async () => {
  const before = await balance(p, staff, PHONE);
  fake.knobs.parallel = 100;
  fake.knobs.staleQuery = true;
  const t = await create('7.77');
  fake.pay(t.outTradeNo);
  await waitFor('100 deliveries', async () => fake.deliveries.filter((x) => x.outTradeNo === t.outTradeNo).length >= 100, 60_000);
  fake.knobs.parallel = 1;
  fake.knobs.staleQuery = false;
  const statuses = fake.deliveries.filter((x) => x.outTradeNo === t.outTradeNo).slice(0, 100).map((x) => x.status);
  // Every answer is a success; on a loaded machine some copies may outlast WeChat's 5 s and count as failed tries (then retried).
  assert.ok(statuses.every((s) => s === 204 || /timeout|abort/i.test(String(s))), JSON.stringify(statuses.filter((s) => s !== 204).slice(0, 3)));
  assert.ok(statuses.includes(204));
  await waitFor('all copies processed', async () => {
    const r = await p.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE source = 'wechatpay' AND decoded->>'out_trade_no' = $1 AND processed_at IS NOT NULL`, [t.outTradeNo]);
    return r.rows[0].n >= 100;
  }, 60_000);
  assert.equal(await credits(t.outTradeNo), 1);
  assert.equal((await topup(t.outTradeNo)).status, 'credited');
  assert.equal(await balance(p, staff, PHONE), ((Number(before) * 100 + 777) / 100).toFixed(2));
  const stored = await p.ctx.db.query<{ n: number; outcomes: string[] }>(
    `SELECT count(*)::int AS n, array_agg(DISTINCT outcome) AS outcomes FROM inbox WHERE source = 'wechatpay' AND decoded->>'out_trade_no' = $1`,
    [t.outTradeNo],
  );
  assert.ok(stored.rows[0].n >= 100, 'every copy stored raw');
  assert.deepEqual(stored.rows[0].outcomes.sort(), ['already_credited', 'credited']);
});

test('a forged signature is refused (401 FAIL) before anything is stored: counted and logged, credits nothing', async () => {
  const before = await balance(p, staff, PHONE);
  const t = await create('99.00');
  const inboxRows = async () => (await p.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE source = 'wechatpay'`)).rows[0].n;
  const rejected = async (reason: string) => ((await p.ctx.metrics.inboundRejected.get()).values.find((v) => v.labels.source === 'wechatpay' && v.labels.reason === reason)?.value ?? 0);
  const n0 = await inboxRows();
  const bad0 = await rejected('bad_signature');
  // an attacker claims the unpaid order was paid, signing with a key that is not the platform's
  const statuses = await fake.notify(t.outTradeNo, { forge: true, asPaid: true });
  assert.deepEqual(statuses, [401]);
  assert.equal(await inboxRows(), n0, 'an unverified body is never stored');
  assert.equal(await rejected('bad_signature'), bad0 + 1, 'but it is counted');
  // a tampered body with a valid-looking signature, a signature probe and a stale timestamp: all refused
  const body = '{"id":"x","event_type":"TRANSACTION.SUCCESS","resource":{}}';
  const stale0 = await rejected('stale_timestamp');
  for (const h of [
    { 'wechatpay-serial': fake.platformSerial, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/AAAA', 'wechatpay-timestamp': String(Math.floor(Date.now() / 1000)), 'wechatpay-nonce': 'n' },
    { 'wechatpay-serial': fake.platformSerial, 'wechatpay-signature': 'AAAA', 'wechatpay-timestamp': String(Math.floor(Date.now() / 1000) - 600), 'wechatpay-nonce': 'n' },
    { 'wechatpay-serial': 'NOT-OUR-SERIAL', 'wechatpay-signature': 'AAAA', 'wechatpay-timestamp': String(Math.floor(Date.now() / 1000)), 'wechatpay-nonce': 'n' },
  ]) {
    const r = await fetch(`${p.url}/api/v1/payments/wechatpay/notify/op1`, { method: 'POST', headers: { 'content-type': 'application/json', ...h }, body });
    assert.equal(r.status, 401);
    assert.equal((await r.json()).code, 'FAIL');
  }
  assert.equal(await rejected('stale_timestamp'), stale0 + 1);
  // a body that is not even JSON, and a callback for an operator without a merchant: refused, nothing stored
  const junk = await fetch(`${p.url}/api/v1/payments/wechatpay/notify/op1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
  assert.equal(junk.status, 401);
  assert.equal((await junk.json()).code, 'FAIL');
  const nobody = await fetch(`${p.url}/api/v1/payments/wechatpay/notify/op2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
  assert.equal(nobody.status, 404);
  assert.equal(await inboxRows(), n0);
  assert.equal((await topup(t.outTradeNo)).status, 'pending');
  assert.equal(await credits(t.outTradeNo), 0);
  assert.equal(await balance(p, staff, PHONE), before);
  const op2 = await p.login('op2-admin', 'op2-admin-pass');
  assert.equal((await p.api('GET', '/api/v1/payments/callbacks', undefined, op2)).body.total, 0);
});

test('an amount that does not match the top-up is flagged and credits nothing', async () => {
  fake.knobs.callbackAmountDelta = -4900;
  fake.knobs.staleQuery = true; // keep the query job from crediting the real payment meanwhile
  const t = await create('50.00');
  fake.pay(t.outTradeNo);
  await waitFor('refused', async () => fake.deliveries.some((x) => x.outTradeNo === t.outTradeNo && x.status === 400));
  fake.knobs.callbackAmountDelta = 0;
  const v = await topup(t.outTradeNo);
  assert.equal(v.status, 'pending');
  assert.match(v.flag, /1\.00 yuan paid for a top-up of 50\.00/);
  assert.equal(await credits(t.outTradeNo), 0);
  fake.knobs.staleQuery = false;
  // the real payment is still found by the query job: credited once with the right amount
  await waitFor('query credit', async () => (await topup(t.outTradeNo)).status === 'credited');
  assert.equal((await topup(t.outTradeNo)).creditedVia, 'query');
});

test('tenancy and roles: another operator cannot see the top-up; a driver only its own', async () => {
  const t = await create('1.00');
  const op2 = await p.login('op2-admin', 'op2-admin-pass');
  assert.equal((await p.api('GET', `/api/v1/topups/${t.outTradeNo}`, undefined, op2)).status, 404);
  assert.equal((await p.api('POST', '/api/v1/topups', { phone: PHONE, amount: '1.00', channel: 'wechatpay_h5' }, op2)).body.error.code, 'payments_not_configured');
  assert.equal((await p.api('GET', '/api/v1/topups')).status, 401);
  const { signToken } = await import('../../src/platform/auth/tokens.ts');
  const driver = signToken({ sub: '13800000002', role: 'driver', operatorId: 'op1' }, p.ctx.authSecret);
  assert.equal((await p.api('GET', `/api/v1/topups/${t.outTradeNo}`, undefined, driver)).status, 403);
  assert.equal((await p.api('POST', '/api/v1/topups', { phone: PHONE, amount: '1.00', channel: 'wechatpay_h5' }, driver)).status, 403);
  const mine = await p.api('POST', '/api/v1/topups', { phone: '13800000002', amount: '1.00', channel: 'wechatpay_h5' }, driver);
  assert.equal(mine.status, 201);
  const list = await p.api('GET', '/api/v1/topups', undefined, driver);
  assert.deepEqual(list.body.items.map((x: any) => x.phone), ['13800000002']);
});

test('trade bill reconciliation: a missing credit is credited, an unknown row, an amount mismatch and a credit absent from the bill are flagged', async () => {
  const before = await balance(p, staff, PHONE);
  // A: paid, callback lost, and WeChat's query lags: only the bill shows it
  fake.knobs.dropCallbacks = true;
  fake.knobs.staleQuery = true;
  const a = await create('20.00');
  fake.pay(a.outTradeNo);
  fake.knobs.dropCallbacks = false;
  // B: credited normally, but the bill says another amount; C: credited, absent from the bill
  const b = await create('30.00');
  fake.pay(b.outTradeNo);
  const c = await create('40.00');
  fake.pay(c.outTradeNo);
  await waitFor('B and C credited', async () => (await topup(b.outTradeNo)).status === 'credited' && (await topup(c.outTradeNo)).status === 'credited');
  fake.knobs.billAmountDelta = { [b.outTradeNo]: 1 };
  fake.knobs.omitFromBill = [c.outTradeNo];
  fake.knobs.extraBillRows = 1;
  assert.equal((await topup(a.outTradeNo)).status, 'pending');
  const date = localDate(new Date());
  const r = await p.api('POST', '/api/v1/payments/reconciliation/run', { date }, staff);
  fake.knobs.staleQuery = false;
  fake.knobs.extraBillRows = 0;
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const kind = (otn: string) => r.body.items.find((i: any) => i.outTradeNo === otn);
  assert.equal(kind(a.outTradeNo).kind, 'paid_not_credited');
  assert.equal(kind(a.outTradeNo).action, 'credited');
  assert.equal(kind(b.outTradeNo).kind, 'amount_mismatch');
  assert.equal(kind(b.outTradeNo).billFen, 3001);
  assert.equal(kind(c.outTradeNo).kind, 'credited_not_in_bill');
  const unknown = r.body.items.filter((i: any) => i.kind === 'unknown_row');
  assert.equal(unknown.length, 1);
  assert.match(unknown[0].outTradeNo, /^OTHER/);
  assert.ok(r.body.items.filter((i: any) => i.kind === 'matched').length >= 3, 'the earlier top-ups match');
  assert.equal(r.body.totals.byKind.paid_not_credited, 1);
  const va = await topup(a.outTradeNo);
  assert.equal(va.status, 'credited');
  assert.equal(va.creditedVia, 'reconciliation');
  assert.match((await topup(b.outTradeNo)).flag, /amount_mismatch/);
  assert.match((await topup(c.outTradeNo)).flag, /credited_not_in_bill/);
  assert.equal(await balance(p, staff, PHONE), ((Number(before) * 100 + 2000 + 3000 + 4000) / 100).toFixed(2));
  const report = await p.api('GET', `/api/v1/payments/reconciliation?date=${date}`, undefined, staff);
  assert.equal(report.body.status, 'done');
  assert.equal(report.body.totals.date, date);
  const list = await p.api('GET', '/api/v1/payments/reconciliation', undefined, staff);
  assert.equal(list.body.items[0].date, date);
  // running it again changes nothing: A is now matched and not credited twice
  const again = await p.api('POST', '/api/v1/payments/reconciliation/run', { date }, staff);
  assert.equal(again.body.items.find((i: any) => i.outTradeNo === a.outTradeNo).kind, 'matched');
  assert.equal(await credits(a.outTradeNo), 1);
  fake.knobs.billAmountDelta = {};
  fake.knobs.omitFromBill = [];
});

test('refund of wallet balance to the original payment: accepted → wallet debited once; status followed to SUCCESS', async () => {
  const t = await create('25.00');
  fake.pay(t.outTradeNo);
  await waitFor('credited', async () => (await topup(t.outTradeNo)).status === 'credited');
  const before = await balance(p, staff, PHONE);
  assert.equal((await p.api('POST', '/api/v1/refunds', { outTradeNo: t.outTradeNo, amount: '5.00', reason: '余额退款' }, staff)).status, 403, 'operator_admin only');
  const r = await p.api('POST', '/api/v1/refunds', { outTradeNo: t.outTradeNo, amount: '5.00', reason: '余额退款' }, admin);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.ok(['processing', 'success'].includes(r.body.status));
  assert.equal(r.body.walletDebited, true);
  assert.equal(await balance(p, staff, PHONE), ((Number(before) * 100 - 500) / 100).toFixed(2));
  const too = await p.api('POST', '/api/v1/refunds', { outTradeNo: t.outTradeNo, amount: '20.01', reason: 'x' }, admin);
  assert.equal(too.status, 409);
  assert.match(too.body.error.message, /only 20\.00 yuan/);
  await waitFor('refund success', async () => (await p.api('GET', `/api/v1/refunds?outTradeNo=${t.outTradeNo}`, undefined, staff)).body.items[0]?.status === 'success');
  assert.equal(await balance(p, staff, PHONE), ((Number(before) * 100 - 500) / 100).toFixed(2), 'debited once');
  assert.equal(fake.refunds.get(r.body.outRefundNo)!.amount, 500);
  // the refund's hold (issue 11.5) became the debit: released once, nothing left held
  const holds = await p.ctx.db.query(`SELECT status, release_reason, amount_fen FROM wallet_holds WHERE operator_id = 'op1' AND cause = 'refund' AND cause_ref = $1`, [r.body.outRefundNo]);
  assert.deepEqual(holds.rows.map((h: any) => [h.status, h.release_reason, Number(h.amount_fen)]), [['released', 'debited', 500]]);
  const d = fake.deliveries.filter((x) => x.kind === 'refund' && x.outTradeNo === r.body.outRefundNo);
  assert.deepEqual(d.map((x) => x.status), [204]);
});

test('a signed refund notification without our mchid (missing or another) is refused and changes nothing', async () => {
  const t = await create('12.00');
  fake.pay(t.outTradeNo);
  await waitFor('credited', async () => (await topup(t.outTradeNo)).status === 'credited');
  fake.knobs.refundResult = 'SUCCESS';
  const r = await p.api('POST', '/api/v1/refunds', { outTradeNo: t.outTradeNo, amount: '2.00', reason: '余额退款' }, admin);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const url = `${p.url}/api/v1/payments/wechatpay/notify/op1`;
  const base = { out_trade_no: t.outTradeNo, out_refund_no: r.body.outRefundNo, refund_id: '50000000000000000000000000001', refund_status: 'ABNORMAL', amount: { total: 1200, refund: 200 } };
  const { mchid: _m, ...noMchid } = { mchid: '', ...base };
  for (const resource of [noMchid, { ...base, mchid: '1900000001' }]) {
    assert.equal(await fake.notifyRaw(url, 'refund', 'REFUND.ABNORMAL', resource), 400);
  }
  const rows = await p.ctx.db.query<{ outcome: string; error: string }>(`SELECT outcome, error FROM inbox WHERE source = 'wechatpay' AND decoded->>'out_refund_no' = $1 AND outcome LIKE 'flagged:%' ORDER BY id`, [r.body.outRefundNo]);
  assert.deepEqual(rows.rows.map((x) => x.outcome), ['flagged:merchant_mismatch', 'flagged:merchant_mismatch']);
  assert.match(rows.rows[0].error, /without mchid/);
  const now = (await p.api('GET', `/api/v1/refunds/${r.body.outRefundNo}`, undefined, staff)).body;
  assert.notEqual(now.status, 'abnormal', 'the forged state was not applied');
});

test('the daily job enqueues yesterday’s reconciliation once per operator after 10:00 local time, and it runs through the outbox', async () => {
  const { enqueueDue } = await import('../../src/modules/payments/reconcile-run.ts');
  const rows = async () => (await p.ctx.db.query<{ dedupe_key: string; payload: any }>(`SELECT dedupe_key, payload FROM outbox WHERE topic = 'payments.reconcile' ORDER BY id`)).rows;
  const early = await rows();
  await enqueueDue(p.ctx, new Date('2026-03-10T01:30:00Z')); // 09:30 in Shanghai: the bill is not published yet
  assert.equal((await rows()).length, early.length);
  await enqueueDue(p.ctx, new Date('2026-03-10T02:35:00Z')); // 10:35
  await enqueueDue(p.ctx, new Date('2026-03-10T03:05:00Z')); // the next run the same day adds nothing
  const added = (await rows()).slice(early.length);
  assert.deepEqual(added.map((r) => r.dedupe_key), ['reconcile:op1:2026-03-09']);
  const report = await waitFor('report', async () => {
    const r = await p.api('GET', '/api/v1/payments/reconciliation?date=2026-03-09', undefined, staff);
    return r.status === 200 ? r.body : null;
  });
  assert.equal(report.status, 'done');
  assert.equal(report.totals.billPayments, 0);
  assert.deepEqual(report.items, []);
});

verifyLedgerLast(() => p.ctx.db);
