/**
 * The support desk's look-up, who-charged (case 3), session story and phone reveal, end to end on
 * the API: a card session and a partner session at 永湖站 (s1) a few hours ago, a running session,
 * the charger's connection history and faults, a top-up; users made by this file.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { startFakeWechatpay, type FakeWechatpay } from '../../src/modules/payments/index.ts';
import { orderForSession } from '../../src/modules/orders/index.ts';
import { recordPastConnection } from '../../src/modules/ocpp/index.ts';
import { registerStoryPart } from '../../src/modules/support/index.ts';
import type { Module } from '../../src/platform/context.ts';
import { freePort } from '../payments/helpers.ts';
import { chargeSession, ordersDoc } from '../orders/support.ts';
import { addUsers, logins } from './setup.ts';

const PHONE = '18475511853';
const SEQ = 'MA5DAR123000000000000000042';
const CP = '44030700030000200016';
const H = 3_600_000;
const NOW = Date.now();
const ago = (h: number) => new Date(NOW - h * H).toISOString();

let p: TestPlatform;
let fake: FakeWechatpay;
let t: Awaited<ReturnType<typeof logins>>;
let card: string; // order of the card session
let partner: string; // order of the partner session
let outTradeNo: string;

before(async () => {
  fake = await startFakeWechatpay({ timeScale: 0.001 });
  const doc: any = ordersDoc();
  doc.operators[0].payments = { wechatpay: fake.operatorSettings() };
  const u = addUsers(doc);
  const port = await freePort();
  p = await startTestPlatform({ provisioning: doc, timeScale: 0.01, env: { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }, extraModules: [probe] });
  t = await logins(p, u, { phone: PHONE, operatorId: 'op1' });
  const db = p.ctx.db;
  // the charger lost its network for 8 minutes during the card session; a fault 3 days before, one 8 days before
  await db.tx((q) => recordPastConnection(q, { operatorId: 'op1', chargerId: CP, connectedAt: new Date(NOW - 30 * H), disconnectedAt: new Date(NOW - 5.5 * H), reason: 'ping timeout' }));
  await db.tx((q) => recordPastConnection(q, { operatorId: 'op1', chargerId: CP, connectedAt: new Date(NOW - 5.5 * H + 8 * 60_000), disconnectedAt: null }));
  for (const [days, code] of [[3, 'GroundFailure'], [8, 'OverVoltage']] as const)
    await db.query(`INSERT INTO ocpp_status_history (operator_id, charger_id, connector_id, status, error_code, at) VALUES ('op1', $1, 1, 'Faulted', $2, $3)`, [CP, code, new Date(NOW - days * 24 * H)]);

  const s1 = await chargeSession(db, { connectorId: 1, idTag: 'CARD0001', start: ago(6), stop: ago(5), meterStartWh: 10_000, meterStopWh: 40_000, unplug: ago(4.9) });
  card = (await orderForSession(p.ctx, 'op1', s1))!;
  const s2 = await chargeSession(db, { connectorId: 2, start: ago(3), stop: ago(2), meterStartWh: 50_000, meterStopWh: 62_000, unplug: ago(1.9), partner: { partnerId: 'MA5DAR123', startChargeSeq: SEQ, driverPhone: PHONE } });
  partner = (await orderForSession(p.ctx, 'op1', s2))!;
  // charging right now on the AC charger, no order yet
  await chargeSession(db, { chargerId: '44030700030000200017', connectorId: 1, idTag: 'CARD0001', start: ago(0.5), stop: ago(0), meterStartWh: 0, meterStopWh: 0, running: true });
  // the partner's start and its envelopes, as the roaming module logs them
  await db.query(`INSERT INTO roaming_envelopes (operator_id, partner_id, direction, interface, request_plain, response_plain, http_status, ret, at) VALUES ('op1', 'MA5DAR123', 'in', 'query_start_charge', $1, $2, 200, 0, $3)`, [
    JSON.stringify({ StartChargeSeq: SEQ, ConnectorID: `${CP}02` }),
    JSON.stringify({ StartChargeSeq: SEQ, SuccStat: 0 }),
    new Date(NOW - 3 * H - 30_000),
  ]);
  const top = await p.api('POST', '/api/v1/topups', { phone: PHONE, amount: '50.00', channel: 'wechatpay_h5' }, t.staff);
  assert.equal(top.status, 201, JSON.stringify(top.body));
  outTradeNo = top.body.outTradeNo;
});
after(async () => {
  await p?.close();
  await fake?.close();
});

/** A module above support adding a part to the story (as the incidents module will): it fails for the card session. */
const probe: Module = {
  name: 'story-probe',
  register(_app, ctx) {
    registerStoryPart(ctx, 'probe', async (_q, s) => {
      if (s.orderNo === card) throw new Error('probe failed');
      return { evidence: { kind: 'probe', href: '/probe' }, items: [{ sessionId: s.sessionId, phone: s.phone }] };
    });
  },
};

const lookup = (qs: string, token = t.staff) => p.api('GET', `/api/v1/support/lookup?${qs}`, undefined, token);
const orderNos = (r: any) => r.body.sessions.map((s: any) => s.orderNo);

test('the look-up by StartChargeSeq, order number, phone and station + time window finds the same session', async () => {
  const bySeq = await lookup(`q=${SEQ}`);
  assert.equal(bySeq.status, 200, JSON.stringify(bySeq.body));
  assert.deepEqual(orderNos(bySeq), [partner]);
  const s = bySeq.body.sessions[0];
  assert.deepEqual(
    { orderNo: s.orderNo, startChargeSeq: s.startChargeSeq, chargerId: s.chargerId, connectorId: s.connectorId, stationId: s.stationId, startedAt: s.startedAt, endedAt: s.endedAt, energyKwh: s.energyKwh, phoneMasked: s.phoneMasked, driverName: s.driverName },
    { orderNo: partner, startChargeSeq: SEQ, chargerId: CP, connectorId: 2, stationId: 's1', startedAt: ago(3), endedAt: ago(2), energyKwh: '12.00', phoneMasked: '184****1853', driverName: '李先生' },
  );
  assert.match(s.amount, /^\d+\.\d\d$/);
  assert.deepEqual(s.matchedBy, ['startChargeSeq']);

  assert.deepEqual(orderNos(await lookup(`q=${partner}`)), [partner]);
  assert.deepEqual(orderNos(await lookup(`q=${PHONE}`)), [partner, card], 'newest first');
  const win = await lookup(`stationId=s1&from=${encodeURIComponent(ago(2.5))}&to=${encodeURIComponent(ago(2.2))}`);
  assert.deepEqual(orderNos(win), [partner]);
  for (const r of [bySeq, win]) assert.deepEqual(r.body.sessions[0], { ...s, matchedBy: r.body.sessions[0].matchedBy });
});

test('the look-up by card, charger id and top-up number (out_trade_no); phones never in full', async () => {
  assert.deepEqual(orderNos(await lookup('q=CARD0001')), [card]);
  const byCharger = await lookup(`q=${CP}`);
  assert.deepEqual(orderNos(byCharger), [partner, card]);
  assert.ok(byCharger.body.sessions.every((x: any) => x.matchedBy.includes('chargerId')));
  const byTopup = await lookup(`q=${outTradeNo}`);
  assert.deepEqual(orderNos(byTopup), [partner, card], 'the driver’s sessions around the top-up');
  assert.equal(byTopup.body.topup.phoneMasked, '184****1853');
  for (const r of [byCharger, byTopup]) assert.ok(!JSON.stringify(r.body).includes(PHONE));
  assert.deepEqual((await lookup('q=nothing-like-this')).body.sessions, []);
  assert.equal((await lookup('')).status, 400);
  assert.equal((await lookup(`stationId=s1&from=${encodeURIComponent(ago(2.5))}`)).status, 400, 'a window needs both ends');
});

test('who charged here (case 3): every session whose occupancy overlaps the window, running ones too, phones masked', async () => {
  // 5.2 h → 4.95 h ago: the card session ended 5 h ago but the car left only 4.9 h ago
  const r = await p.api('GET', `/api/v1/support/who-charged?stationId=s1&from=${encodeURIComponent(ago(5.2))}&to=${encodeURIComponent(ago(4.95))}`, undefined, t.staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(orderNos(r), [card]);
  assert.equal(r.body.station.name, '永湖站');
  const row = r.body.sessions[0];
  assert.equal(row.phoneMasked, '184****1853');
  assert.equal(row.driverName, '李先生');
  assert.equal(row.card, 'CARD0001');
  assert.equal(row.energyKwh, '30.00');
  const now = await p.api('GET', `/api/v1/support/who-charged?stationId=s1&from=${encodeURIComponent(ago(0.25))}&to=${encodeURIComponent(new Date(NOW + H).toISOString())}`, undefined, t.staff);
  assert.equal(now.body.sessions.length, 1);
  assert.equal(now.body.sessions[0].orderNo, null);
  assert.equal(now.body.sessions[0].status, 'charging');
  assert.equal(now.body.sessions[0].chargerId, '44030700030000200017');
  assert.equal(now.body.sessions[0].phoneMasked, '184****1853');
  // a running session's story, before it has an order
  const live = await p.api('GET', `/api/v1/support/story?sessionId=${now.body.sessions[0].sessionId}`, undefined, t.staff);
  assert.equal(live.status, 200, JSON.stringify(live.body));
  assert.equal(live.body.subject.orderNo, null);
  assert.equal(live.body.parts.find((x: any) => x.name === 'order').data.status, 'active');
  assert.ok(!JSON.stringify(live.body).includes(PHONE));
  assert.equal((await p.api('GET', `/api/v1/support/who-charged?stationId=s2&from=${encodeURIComponent(ago(1))}&to=${encodeURIComponent(ago(0))}`, undefined, t.staff)).status, 404, 'another operator’s station');
  assert.equal((await p.api('GET', `/api/v1/support/who-charged?stationId=s1&from=${encodeURIComponent(ago(1))}&to=${encodeURIComponent(ago(2))}`, undefined, t.staff)).status, 400);
});

test('only the operator’s staff and admins (and a platform admin acting for it) may look up; drivers, strangers and other operators are refused', async () => {
  const path = `/api/v1/support/lookup?q=${PHONE}`;
  assert.equal((await p.api('GET', path)).status, 401);
  assert.equal((await p.api('GET', path, undefined, t.driver)).status, 403);
  assert.equal((await p.api('GET', `${path}&operatorId=op1`, undefined, t.other)).status, 403, 'op2 may not ask for op1');
  assert.deepEqual((await p.api('GET', path, undefined, t.other)).body.sessions, [], 'op2 sees only its own (none)');
  assert.equal((await p.api('GET', path, undefined, t.root)).status, 400, 'a platform admin names the operator');
  assert.deepEqual(orderNos(await p.api('GET', `${path}&operatorId=op1`, undefined, t.root)), [partner, card]);
  assert.equal((await p.api('GET', path, undefined, t.admin)).status, 200);
  for (const path2 of [`/api/v1/support/who-charged?stationId=s1&from=${encodeURIComponent(ago(1))}&to=${encodeURIComponent(ago(0))}`, `/api/v1/support/story?orderNo=${card}`, '/api/v1/support/cases']) {
    assert.equal((await p.api('GET', path2, undefined, t.driver)).status, 403, path2);
    assert.equal((await p.api('GET', path2)).status, 401, path2);
  }
  assert.equal((await p.api('GET', `/api/v1/support/story?orderNo=${card}`, undefined, t.other)).status, 404, 'another operator’s order');
});

test('a case made from an order number carries station, charger, gun, times, duration, energy, amount, masked phone, network state and recent faults', async () => {
  const r = await p.api('POST', '/api/v1/support/cases', { orderNo: card, description: '充电中途断网' }, t.staff);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const f = r.body.fields;
  const order = (await p.api('GET', `/api/v1/orders/${card}`, undefined, t.staff)).body;
  const local = (iso: string) => new Date(Date.parse(iso) + 8 * H).toISOString().slice(0, 19).replace('T', ' ');
  assert.deepEqual(f, {
    date: local(new Date().toISOString()).slice(0, 10).replace(/-/g, ''),
    city: '深圳',
    operator: 'op1',
    stationName: '永湖站',
    phone: '184****1853',
    orderNo: card,
    chargerId: CP,
    connectorId: '1',
    startTime: local(ago(6)),
    endTime: local(ago(5)),
    duration: '1小时',
    energyKwh: '30.00',
    amount: order.totalAmount,
    networkState: `中断 ${local(ago(5.5))} ~ ${local(new Date(NOW - 5.5 * H + 8 * 60_000).toISOString())} (8分)`,
    recentFaults: `${local(new Date(NOW - 3 * 24 * H).toISOString())} 1号枪 Faulted/GroundFailure`,
  });
  assert.match(r.body.caseNo, /^op1_case#\d+_\d{8}$/);
  assert.equal(r.body.statusLabel, '处理中');
  assert.equal(r.body.phoneMasked, '184****1853');
  assert.ok(!JSON.stringify(r.body).includes(PHONE));
  assert.equal((await p.api('POST', '/api/v1/support/cases', { orderNo: '20000101000000000000', description: 'x' }, t.staff)).status, 404);
  assert.equal((await p.api('POST', '/api/v1/support/cases', { orderNo: card }, t.staff)).status, 400, 'a case needs a description');
});

test('the story of a session: every part with its evidence link, the phone masked throughout', async () => {
  const r = await p.api('GET', `/api/v1/support/story?orderNo=${partner}`, undefined, t.staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const parts = Object.fromEntries(r.body.parts.map((x: any) => [x.name, x]));
  assert.deepEqual(Object.keys(parts), ['driver', 'order', 'frames', 'connector', 'connections', 'faults', 'roaming', 'payments', 'ledger', 'notifications', 'incidents', 'probe']);
  assert.deepEqual(parts.probe.items, [{ sessionId: parts.order.data.sessionId, phone: '184****1853' }], 'a registered part is told, the phone masked');
  assert.equal(parts.order.evidence.href, `/orders/${partner}`);
  assert.equal(parts.order.data.versions.length, 1);
  assert.ok(parts.order.data.periods.length >= 1, 'per-period breakdown');
  assert.match(parts.frames.evidence.href, new RegExp(`^/chargers/${CP}\\?tab=msg`));
  assert.equal(parts.connections.summary, '正常');
  assert.equal(parts.faults.summary, `${new Date(NOW - 3 * 24 * H + 8 * H).toISOString().slice(0, 19).replace('T', ' ')} 1号枪 Faulted/GroundFailure`);
  assert.deepEqual(parts.roaming.items.map((e: any) => [e.interface, e.request.StartChargeSeq]), [['query_start_charge', SEQ]]);
  assert.equal(parts.payments.items[0].outTradeNo, outTradeNo);
  // the security module's part: no incident on this charger around the session
  assert.deepEqual(parts.incidents, { name: 'incidents', evidence: { kind: 'incidents', href: `/incidents?chargerId=${CP}` }, items: [] });
  assert.equal(r.body.subject.phoneMasked, '184****1853');
  assert.ok(!JSON.stringify(r.body).includes(PHONE), 'no full phone anywhere in the story');
  // the card session: money moved on the ledger, a notification went out
  const c = await p.api('GET', `/api/v1/support/story?orderNo=${card}`, undefined, t.staff);
  const cp = Object.fromEntries(c.body.parts.map((x: any) => [x.name, x]));
  assert.ok(cp.ledger.items.some((x: any) => x.causeRef === card && x.entries.some((e: any) => e.account === 'wallet' && e.ref === '184****1853')));
  assert.match(cp.connections.summary, /^中断 /);
  assert.match(cp.probe.error, /probe failed/, 'a failing part says so; the rest of the story stands');
  assert.ok(!JSON.stringify(c.body).includes(PHONE));
});

test('revealing a phone: refused for staff by default, recorded for an admin, listed in the audit; the operator may let staff reveal', async () => {
  const body = { orderNo: card, reason: '客户车辆被损坏,需联系车主' };
  const refused = await p.api('POST', '/api/v1/support/reveal', body, t.staff);
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  assert.equal((await p.api('POST', '/api/v1/support/reveal', body, t.driver)).status, 403);
  assert.equal((await p.api('POST', '/api/v1/support/reveal', { orderNo: card }, t.admin)).status, 400, 'a reveal needs a reason');
  const before = (await p.api('GET', '/api/v1/support/reveals', undefined, t.admin)).body.total;
  const ok = await p.api('POST', '/api/v1/support/reveal', body, t.admin);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body, { phone: PHONE });
  const masked = await p.api('POST', '/api/v1/support/reveal', { phone: '184****1853', reason: '回访' }, t.admin);
  assert.deepEqual(masked.body, { phone: PHONE });
  assert.equal((await p.api('POST', '/api/v1/support/reveal', { phone: '139****0000', reason: '回访' }, t.admin)).status, 404);
  assert.equal((await p.api('POST', '/api/v1/support/reveal', { orderNo: card, reason: 'x y' }, t.other)).status, 404, 'op2 cannot reveal op1’s driver');

  const audit = await p.api('GET', '/api/v1/support/reveals', undefined, t.admin);
  assert.equal(audit.body.total, before + 2);
  const [last, first] = audit.body.items;
  assert.deepEqual([first.actor, first.actorRole, first.phone, first.orderNo, first.via, first.reason], [t.admin && actorOf(t.admin), 'operator_admin', PHONE, card, 'reveal', body.reason]);
  assert.ok(Date.parse(first.at) <= Date.parse(last.at));
  assert.equal((await p.api('GET', '/api/v1/support/reveals', undefined, t.staff)).status, 403, 'the audit is for admins');

  assert.equal((await p.api('PUT', '/api/v1/support/settings', { staffMayReveal: true }, t.staff)).status, 403);
  const set = await p.api('PUT', '/api/v1/support/settings', { staffMayReveal: true }, t.admin);
  assert.equal(set.body.staffMayReveal, true);
  assert.equal((await p.api('GET', '/api/v1/support/settings', undefined, t.staff)).body.youMayReveal, true);
  const staffOk = await p.api('POST', '/api/v1/support/reveal', { orderNo: partner, reason: '合作方投诉核实' }, t.staff);
  assert.deepEqual(staffOk.body, { phone: PHONE });
  assert.equal((await p.api('GET', '/api/v1/support/reveals', undefined, t.admin)).body.items[0].actor, actorOf(t.staff));
  await p.api('PUT', '/api/v1/support/settings', { staffMayReveal: false }, t.admin);
  assert.equal((await p.api('POST', '/api/v1/support/reveal', body, t.staff)).status, 403);
});

const actorOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).sub as string;
