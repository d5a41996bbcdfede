import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { testDb } from '../../../test/support/db.ts';
import type { Db } from '../../platform/db/index.ts';
import { Outbox } from '../../platform/outbox.ts';
import { notify, sendSms, listSent } from './service.ts';
import { bindOutbox, NOTIFY_TOPICS } from './service.ts';
import { saveSettings, allSettings } from './settings.ts';

let db: Db;
let outbox: Outbox;
let server: Server;
let url = '';
const received: { headers: Record<string, any>; body: string }[] = [];
let answer = 200;

before(async () => {
  db = await testDb();
  outbox = new Outbox(db);
  outbox.backoffScale = 0;
  for (const [topic, fn] of NOTIFY_TOPICS) outbox.register(topic, fn, { backoff: [0], maxAttempts: 3 });
  bindOutbox(outbox);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answer, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
after(async () => {
  bindOutbox(null);
  server.close();
  await db.close();
});

test('defaults: order completed by SMS to the driver; bill adjusted off unless forced; one delivery per dedupe key', async () => {
  const data = { orderNo: '20190920144024840824', energyKwh: '25.37', electricityAmount: '17.76', serviceAmount: '20.30', idleFee: '1.50', totalAmount: '39.56', periods: [] };
  assert.deepEqual(await notify(db, { operatorId: 'opA', event: 'order_completed', to: { phone: '13800000001' }, data, dedupeKey: 'k1' }), ['sms']);
  assert.deepEqual(await notify(db, { operatorId: 'opA', event: 'order_completed', to: { phone: '13800000001' }, data, dedupeKey: 'k1' }), [], 'the same key queues nothing');
  assert.deepEqual(await notify(db, { operatorId: 'opA', event: 'bill_adjusted', to: { phone: '13800000001' }, data, dedupeKey: 'k2' }), []);
  assert.deepEqual(await notify(db, { operatorId: 'opA', event: 'bill_adjusted', to: { phone: '13800000001' }, data, dedupeKey: 'k3', force: true }), ['sms']);
  assert.deepEqual(await notify(db, { operatorId: 'opA', event: 'order_completed', to: {}, data, dedupeKey: 'k4' }), [], 'no recipient, nothing queued');
  await outbox.drain();
  const sent = await listSent(db, 'opA', {});
  assert.deepEqual(sent.map((s) => [s.event, s.channel, s.adapter, s.recipient]).sort(), [
    ['bill_adjusted', 'sms', 'fake', '13800000001'],
    ['order_completed', 'sms', 'fake', '13800000001'],
  ]);
  assert.match(sent.find((s) => s.event === 'order_completed')!.text, /占位费1\.50元,合计39\.56元/);
  assert.deepEqual(await listSent(db, 'opB', {}), [], 'another operator sees nothing');
});

test('the webhook adapter signs the body; a 4xx is a dead letter, a 5xx is retried', async () => {
  await saveSettings(db, 'opW', 'admin', {
    events: { abnormal_order_held: { enabled: true, channels: ['webhook'] } },
    channels: { webhook: { adapter: 'http', config: { url, secret: 's3cret' } } },
  });
  const shown = await allSettings(db, 'opW');
  assert.equal(shown.channels.webhook.config.secret, '***', 'secrets are never shown back');
  await saveSettings(db, 'opW', 'admin', { channels: { webhook: { adapter: 'http', config: { url, secret: '***' } } } });

  await notify(db, { operatorId: 'opW', event: 'abnormal_order_held', to: {}, data: { orderNo: 'X1', abnormalReasons: [{ code: 'meter_rollback', message: 'meter went back' }] }, dedupeKey: 'w1' });
  await outbox.drain();
  assert.equal(received.length, 1);
  const sig = createHmac('sha256', 's3cret').update(received[0].body).digest('hex');
  assert.equal(received[0].headers['x-chargeops-signature'], sig, 'the stored secret survived the "***" round trip');
  assert.equal(JSON.parse(received[0].body).event, 'abnormal_order_held');

  answer = 400;
  await notify(db, { operatorId: 'opW', event: 'abnormal_order_held', to: {}, data: { orderNo: 'X2' }, dedupeKey: 'w2' });
  await outbox.drain();
  const dead = await db.query(`SELECT status, attempts FROM outbox WHERE dedupe_key = 'notify:w2:webhook'`);
  assert.deepEqual(dead.rows[0], { status: 'dead', attempts: 1 });

  answer = 503;
  await notify(db, { operatorId: 'opW', event: 'abnormal_order_held', to: {}, data: { orderNo: 'X3' }, dedupeKey: 'w3' });
  await outbox.drain();
  const retried = await db.query(`SELECT status, attempts FROM outbox WHERE dedupe_key = 'notify:w3:webhook'`);
  assert.deepEqual(retried.rows[0], { status: 'dead', attempts: 3 });
  answer = 200;
  assert.equal((await listSent(db, 'opW', {})).length, 1, 'only the delivered one is recorded as sent');
});

test('sendSms: a login code goes out whatever the event settings say', async () => {
  await saveSettings(db, 'opS', 'admin', { events: { order_completed: { enabled: false, channels: [] } } });
  assert.equal(await sendSms(db, { operatorId: 'opS', phone: '13900000000', text: '验证码 123456', dedupeKey: 'code-1' }), true);
  assert.equal(await sendSms(db, { operatorId: 'opS', phone: '13900000000', text: '验证码 123456', dedupeKey: 'code-1' }), false);
  await outbox.drain();
  const s = await listSent(db, 'opS', { recipient: '13900000000' });
  assert.deepEqual(s.map((x) => [x.event, x.text]), [['login_code', '验证码 123456']]);
});

test('a login code by SMS: the gateway gets the code; the outbox row and the sent list only a masked text', async () => {
  await saveSettings(db, 'opC', 'admin', { channels: { sms: { adapter: 'http', config: { url, token: 'gw-token-123456' } } } });
  received.length = 0;
  assert.equal(await sendSms(db, { operatorId: 'opC', phone: '13900000001', text: '【igo】验证码 482915，5 分钟内有效。', secret: '482915', dedupeKey: 'code-c1' }), true);
  const row = await db.query<{ payload: any }>(`SELECT payload FROM outbox WHERE dedupe_key = 'notify:code-c1:sms'`);
  assert.ok(!JSON.stringify(row.rows[0].payload).includes('482915'), 'no code in clear in the outbox row');
  assert.match(row.rows[0].payload.text, /验证码 \*{6}/);
  assert.match(row.rows[0].payload.sealedText, /^k1\./);
  await outbox.drain();
  assert.equal(received.length, 1);
  assert.equal(JSON.parse(received[0].body).text, '【igo】验证码 482915，5 分钟内有效。', 'opened only for the gateway');
  assert.equal(received[0].headers.authorization, 'Bearer gw-token-123456');
  const sent = await listSent(db, 'opC', {});
  assert.ok(!JSON.stringify(sent).includes('482915'));
  assert.match(sent[0].text, /\*{6}/);
});

test('channel secrets are sealed at rest, shown as "***", and a token in a failing URL never reaches last_error', async () => {
  await saveSettings(db, 'opT', 'admin', {
    events: { order_completed: { enabled: true, channels: ['wechat'] } },
    channels: { wechat: { adapter: 'http', config: { apiBase: url.replace('/hook', '/wx'), accessToken: 'WX-ACCESS-TOKEN-1', templates: { order_completed: 'tpl1' } } } },
  });
  const raw = await db.query<{ config: any; secrets: string }>(`SELECT config, secrets FROM notify_channels WHERE operator_id = 'opT' AND channel = 'wechat'`);
  assert.ok(!JSON.stringify(raw.rows[0].config).includes('WX-ACCESS-TOKEN-1'));
  assert.match(raw.rows[0].secrets, /^k1\./);
  assert.equal((await allSettings(db, 'opT')).channels.wechat.config.accessToken, '***');
  answer = 500;
  await notify(db, { operatorId: 'opT', event: 'order_completed', to: { openid: 'o-1' }, data: { orderNo: 'N1' }, dedupeKey: 'wx1' });
  await outbox.drain();
  answer = 200;
  const row = await db.query<{ last_error: string }>(`SELECT last_error FROM outbox WHERE dedupe_key = 'notify:wx1:wechat'`);
  assert.match(row.rows[0].last_error, /answered 500/);
  assert.ok(!row.rows[0].last_error.includes('WX-ACCESS-TOKEN-1'), row.rows[0].last_error);
  assert.ok(received.some((r) => r.body.includes('tpl1')), 'the call itself carried the token');
});

test('channel URLs are checked when saved: metadata and link-local refused, with the reason', async () => {
  for (const bad of ['http://169.254.169.254/latest/meta-data/', 'gopher://x/', 'http://metadata.google.internal/']) {
    await assert.rejects(saveSettings(db, 'opU', 'admin', { channels: { webhook: { adapter: 'http', config: { url: bad } } } }), /channels\.webhook\.config\.url is not an allowed outbound URL/, bad);
  }
  await assert.rejects(saveSettings(db, 'opU', 'admin', { channels: { wechat: { adapter: 'http', config: { apiBase: 'http://[fd00:ec2::254]/' } } } }), /apiBase/);
});
