import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startFakeWechatpay, CALLBACK_RETRY_S, type FakeWechatpay } from '../../src/modules/payments/fake/server.ts';
import { rsaKeyPair } from '../../src/modules/payments/fake/keys.ts';
import { WechatpayProvider, type WechatpayMerchant } from '../../src/modules/payments/wechatpay/client.ts';
import { ProviderError } from '../../src/modules/payments/provider.ts';
import { decryptResource, verifyWechatSignature } from '../../src/modules/payments/wechatpay/crypto.ts';
import { localDate } from '../../src/modules/payments/wechatpay/time.ts';
import { waitFor } from './helpers.ts';

// The WeChat Pay client against the fake, without the platform: both sides of the protocol.
let fake: FakeWechatpay;
let m: WechatpayMerchant;
let sink: Server;
let sinkUrl: string;
const received: { headers: Record<string, any>; body: string }[] = [];
let sinkStatus = 500;

before(async () => {
  fake = await startFakeWechatpay({ timeScale: 0.00002, serialStyle: 'cert' });
  const s = fake.operatorSettings();
  m = { ...s, platformKeys: [{ serial: s.platformSerial, publicKey: s.platformPublicKey }] } as WechatpayMerchant;
  sink = createServer((req, res) => {
    let b = '';
    req.on('data', (c) => (b += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: b });
      res.writeHead(sinkStatus, { 'content-type': 'application/json' }).end(sinkStatus >= 400 ? '{"code":"FAIL","message":"try again"}' : '');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  sinkUrl = `http://127.0.0.1:${(sink.address() as any).port}/notify`;
});
after(async () => {
  await fake?.close();
  sink?.close();
});

const prepay = (otn: string, amountFen = 100, notifyUrl = sinkUrl) =>
  new WechatpayProvider(m).prepay({ outTradeNo: otn, description: 'test', amountFen, notifyUrl, expiresAt: new Date(Date.now() + 3600_000), channel: 'wechatpay_h5' });

test('a request signed with another key is refused by WeChat (401 SIGN_ERROR, not retryable)', async () => {
  const bad = new WechatpayProvider({ ...m, merchantPrivateKey: rsaKeyPair().privateKey });
  await assert.rejects(bad.query('TU000001'), (e: any) => e instanceof ProviderError && e.status === 401 && e.code === 'SIGN_ERROR' && !e.retryable);
});

test('an answer whose signature does not verify with the configured platform key is not trusted', async () => {
  const wrong = new WechatpayProvider({ ...m, platformKeys: [{ serial: fake.platformSerial, publicKey: rsaKeyPair().publicKey }] });
  await assert.rejects(wrong.query('TU000001'), (e: any) => e.code === 'RESPONSE_SIGNATURE');
  const unknown = new WechatpayProvider({ ...m, platformKeys: [{ serial: 'OTHER', publicKey: fake.platformPublicKey }] });
  await assert.rejects(unknown.query('TU000001'), /no platform key with serial/);
});

test('prepay, query, pay, query, close; a notify_url with a query string is refused', async () => {
  const p = new WechatpayProvider(m);
  assert.equal((await p.query('TU404404')).state, 'NOT_FOUND');
  const r = await prepay('TU100001');
  assert.match(r.payParams.h5Url, /\/fake\/checkout\/TU100001/);
  assert.equal((await p.query('TU100001')).state, 'NOTPAY');
  await p.close('TU100001');
  assert.equal((await p.query('TU100001')).state, 'CLOSED');
  await assert.rejects(prepay('TU100002', 100, sinkUrl + '?x=1'), /query string/);
  sinkStatus = 204;
  await prepay('TU100003', 250);
  fake.pay('TU100003');
  const s = await p.query('TU100003');
  assert.equal(s.state, 'SUCCESS');
  assert.equal(s.amountFen, 250);
  assert.match(s.transactionId!, /^42000\d{23}$/);
  await assert.rejects(p.close('TU100003'), (e: any) => e.code === 'ORDERPAID');
});

test('the callback is signed by the platform key and its resource decrypts with the APIv3 key', async () => {
  sinkStatus = 204;
  received.length = 0;
  await prepay('TU200001', 321);
  fake.pay('TU200001');
  const got = await waitFor('callback', async () => received[0]);
  assert.equal(verifyWechatSignature(got.headers, got.body, m.platformKeys, { now: Date.now() }).ok, true);
  const body = JSON.parse(got.body);
  assert.equal(body.event_type, 'TRANSACTION.SUCCESS');
  const t = JSON.parse(decryptResource(body.resource, m.apiV3Key));
  assert.deepEqual([t.out_trade_no, t.mchid, t.appid, t.trade_state, t.amount.total], ['TU200001', m.mchid, m.appid, 'SUCCESS', 321]);
});

test('a callback answered with 500 is retried on the real schedule: 1 + 15 tries in all, then given up', async () => {
  sinkStatus = 500;
  received.length = 0;
  await prepay('TU300001');
  fake.pay('TU300001');
  await waitFor('all retries', async () => fake.deliveries.filter((d) => d.outTradeNo === 'TU300001').length === CALLBACK_RETRY_S.length + 1, 30_000);
  const tries = fake.deliveries.filter((d) => d.outTradeNo === 'TU300001');
  assert.deepEqual(tries.map((d) => d.attempt), Array.from({ length: 16 }, (_, i) => i));
  assert.ok(tries.every((d) => d.status === 500));
  assert.equal(CALLBACK_RETRY_S.reduce((a, b) => a + b, 0), 24 * 3600 + 4 * 60);
  // the same notification every time (WeChat resends one id)
  assert.equal(new Set(received.filter((r) => r.body.includes('TRANSACTION')).map((r) => JSON.parse(r.body).id)).size, 1);
  sinkStatus = 204;
});

test('refund: accepted as PROCESSING, then SUCCESS; more than is left is refused', async () => {
  const p = new WechatpayProvider(m);
  sinkStatus = 204;
  await prepay('TU400001', 1000);
  fake.pay('TU400001');
  const r = await p.refund({ outTradeNo: 'TU400001', outRefundNo: 'RF400001', refundFen: 400, totalFen: 1000, reason: 'x', notifyUrl: sinkUrl });
  assert.equal(r.status, 'PROCESSING');
  assert.match(r.refundId!, /^50\d{27}$/);
  // the same out_refund_no again is the same refund
  assert.equal((await p.refund({ outTradeNo: 'TU400001', outRefundNo: 'RF400001', refundFen: 400, totalFen: 1000, reason: 'x', notifyUrl: sinkUrl })).refundId, r.refundId);
  await assert.rejects(p.refund({ outTradeNo: 'TU400001', outRefundNo: 'RF400002', refundFen: 601, totalFen: 1000, reason: 'x', notifyUrl: sinkUrl }), (e: any) => e.code === 'NOT_ENOUGH' && !e.retryable);
  await waitFor('refund success', async () => (await p.queryRefund('RF400001')).status === 'SUCCESS');
  assert.equal((await p.queryRefund('RF404')).status, 'NOT_FOUND');
});

test('trade bill: downloaded, SHA-1 checked, parsed; a corrupted download is refused; a day without trades is empty', async () => {
  const p = new WechatpayProvider(m);
  const today = localDate(new Date());
  const bill = await p.tradeBill(today);
  const pay = bill.rows.filter((r) => r.tradeState === 'SUCCESS').map((r) => r.outTradeNo).sort();
  assert.deepEqual(pay, ['TU100003', 'TU200001', 'TU300001', 'TU400001']);
  const refund = bill.rows.find((r) => r.tradeState === 'REFUND')!;
  assert.deepEqual([refund.outRefundNo, refund.refundFen], ['RF400001', 400]);
  assert.equal(bill.summary!.count, bill.rows.length);
  fake.knobs.corruptBillDownload = true;
  await assert.rejects(p.tradeBill(today), (e: any) => e.code === 'BILL_HASH_MISMATCH');
  fake.knobs.corruptBillDownload = false;
  assert.deepEqual((await p.tradeBill('2020-01-01')).rows, []);
});
