/**
 * The order lifecycle end to end on the real platform: idle → unplug → settled with the wallet
 * debited in the same transaction; idempotent creation; the durable session.settle jobs; placeholders for sessions still
 * running after 24 h; partner pushes; corrections of settled orders; search, tenancy and roles.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { orderForSession } from '../../src/modules/orders/index.ts';
import { walletBalanceFen, creditTopUp } from '../../src/modules/wallet/index.ts';
import { getSession } from '../../src/modules/sessions/index.ts';
import { parseYuan } from '../../src/platform/money.ts';
import { resolveTariffVersionId } from '../../src/modules/tariffs/index.ts';
import { chargeSession, ordersDoc } from './support.ts';

let p: TestPlatform;
let staff: string;
let admin: string;
const H = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const PHONE = '18475511853';

before(async () => {
  p = await startTestPlatform({ provisioning: ordersDoc(), timeScale: 0.001 });
  staff = await p.login('op1-staff', 'op1-staff-pass');
  admin = await p.login('op1-admin', 'op1-admin-pass');
});
after(async () => p.close());

const get = async (orderNo: string) => (await p.api('GET', `/api/v1/orders/${orderNo}`, undefined, staff)).body;
const balance = () => walletBalanceFen(p.ctx.db, 'op1', PHONE);
const sent = async (orderNo: string) => (await p.api('GET', '/api/v1/notifications/sent?limit=500', undefined, staff)).body.items.filter((n: any) => n.data.orderNo === orderNo);

test('an order waits in idle while the car occupies the connector, then settles on unplug and debits the wallet once', async () => {
  const sessionId = await chargeSession(p.ctx.db, { connectorId: 2, start: ago(3 * H), stop: ago(2 * H), meterStartWh: 500_000, meterStopWh: 520_000, soc: [20, 80] });
  const before = await balance();
  const orderNo = (await orderForSession(p.ctx, 'op1', sessionId))!;
  assert.match(orderNo, /^\d{20}$/);
  let o = await get(orderNo);
  assert.equal(o.status, 'idle');
  assert.equal(o.energyKwh, '20.00');
  assert.equal(o.driver.phone, PHONE);
  assert.equal(o.driver.name, '李先生');
  assert.equal(o.paymentMethod, 'wallet');
  assert.equal(o.card, 'CARD0001');
  assert.ok(parseYuan(o.idleFee) > 0, 'the idle fee accrues while plugged in');
  assert.equal(await balance(), before, 'nothing is charged before the order is final');
  assert.equal(await orderForSession(p.ctx, 'op1', sessionId), orderNo, 'creating again returns the same order');

  // the connector reports Available 30 minutes after the stop: 30 − 10 grace = 20 minutes × 0.50 = 10.00
  const { applyConnectorStatus } = await import('../../src/modules/sessions/index.ts');
  const unplugAt = new Date(Date.now() - 2 * H + 30 * 60_000);
  await p.ctx.db.tx((q) => applyConnectorStatus(q, { chargerId: '44030700030000200016', connectorId: 2, status: 'Available', at: unplugAt, lastBootAt: null }));
  // the status wrote a session.settle job (cause unplug) in its transaction: the outbox finalises the order
  for (let i = 0; i < 100 && (await get(orderNo)).status === 'idle'; i++) await new Promise((r) => setTimeout(r, 20));
  o = await get(orderNo);
  assert.equal(o.status, 'settled');
  assert.equal(o.idleFee, '10.00');
  assert.equal(o.idleEndTime, unplugAt.toISOString());
  assert.equal(parseYuan(o.totalAmount), parseYuan(o.electricityAmount) + parseYuan(o.serviceAmount) + parseYuan(o.idleFee));
  assert.equal(before - (await balance()), parseYuan(o.totalAmount));
  await p.ctx.outbox.drain();
  const n = await sent(orderNo);
  assert.deepEqual(n.map((x: any) => x.event), ['order_completed']);
  assert.equal(n[0].data.totalAmount, o.totalAmount);
});

test('no idle wait when the stop reason exempts the idle fee; the settle job written with the stop makes the order', async () => {
  const sessionId = await chargeSession(p.ctx.db, { connectorId: 1, start: ago(5 * H), stop: ago(4 * H), meterStartWh: 600_000, meterStopWh: 610_000, reason: 'PowerLoss' });
  // nothing but the session.settle row recordStop wrote in its transaction can make the order
  await p.ctx.outbox.drain();
  const list = await p.api('GET', `/api/v1/orders?chargerId=44030700030000200016&connectorId=1&from=${encodeURIComponent(ago(5 * H))}&to=${encodeURIComponent(ago(4.5 * H))}`, undefined, staff);
  const o = list.body.items.find((x: any) => x.sessionId === sessionId);
  assert.ok(o, JSON.stringify(list.body));
  assert.equal(o.status, 'settled');
  assert.equal(o.idleFee, '0.00');
  const job = await p.ctx.db.query(`SELECT status, attempts FROM outbox WHERE dedupe_key = $1`, [`session.settle:op1:${sessionId}`]);
  assert.deepEqual(job.rows, [{ status: 'delivered', attempts: 1 }]);
  await p.ctx.outbox.drain();
  const count = await p.ctx.db.query(`SELECT count(*)::int AS n FROM orders WHERE session_id = $1`, [sessionId]);
  assert.equal(count.rows[0].n, 1);
});

test('a session still running after 24 h gets a held placeholder; when it finishes the order is completed and stays held until approved', async () => {
  const sessionId = await chargeSession(p.ctx.db, { chargerId: '44030700030000200017', start: ago(26 * H), stop: ago(1), meterStartWh: 0, meterStopWh: 0, running: true });
  // the start wrote a session.settle timer due 24 h after it was received: it is due now
  await p.ctx.outbox.drain();
  const list = await p.api('GET', '/api/v1/orders?status=held&abnormal=true', undefined, staff);
  const ph = list.body.items.find((x: any) => x.sessionId === sessionId);
  assert.ok(ph);
  assert.equal(ph.endTime, null);
  assert.deepEqual(ph.abnormalReasons.map((r: any) => r.code), ['still_running_24h']);
  const early = await p.api('POST', `/api/v1/orders/${ph.orderNo}/approve`, {}, staff);
  assert.equal(early.status, 409);

  const { recordStop } = await import('../../src/modules/sessions/index.ts');
  await p.ctx.db.tx((q) => recordStop(q, { operatorId: 'op1', chargerId: '44030700030000200017', transactionId: sessionId, meterStopWh: 7_000, stoppedAt: new Date(Date.now() - 60_000), reason: 'Local', receivedAt: p.ctx.clock.date() }));
  assert.equal(await orderForSession(p.ctx, 'op1', sessionId), ph.orderNo);
  const done = await get(ph.orderNo);
  assert.equal(done.status, 'held');
  assert.equal(done.energyKwh, '7.00');
  assert.ok(done.abnormalReasons.some((r: any) => r.code === 'still_running_24h'));
  const ok = await p.api('POST', `/api/v1/orders/${ph.orderNo}/approve`, { reason: 'long AC session, plausible' }, staff);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.status, 'settled');
  assert.equal(ok.body.reviewedBy, 'op1-staff');
  const again = await p.api('POST', `/api/v1/orders/${ph.orderNo}/approve`, {}, staff);
  assert.equal(again.status, 409);
  assert.deepEqual((await get(ph.orderNo)).audit.map((a: any) => a.action), ['approve']);
});

test('a partner order settles without moving money and is pushed (roaming.order) per version in the same transaction', async () => {
  const seq = '101437000156821199611294231';
  const sessionId = await chargeSession(p.ctx.db, {
    connectorId: 2,
    start: ago(10 * H),
    stop: ago(9 * H),
    meterStartWh: 700_000,
    meterStopWh: 730_000,
    unplug: ago(9 * H - 5 * 60_000),
    partner: { partnerId: '101437000', startChargeSeq: seq },
  });
  const before = await balance();
  const orderNo = (await orderForSession(p.ctx, 'op1', sessionId))!;
  const o = await get(orderNo);
  assert.equal(o.status, 'settled');
  assert.equal(o.paymentMethod, 'partner');
  assert.equal(o.partnerOrderNo, seq);
  assert.equal(await balance(), before);
  const byPartnerNo = await p.api('GET', `/api/v1/orders?partnerOrderNo=${seq}`, undefined, staff);
  assert.deepEqual(byPartnerNo.body.items.map((x: any) => x.orderNo), [orderNo]);

  const fix = await p.api('POST', `/api/v1/orders/${orderNo}/corrections`, { meterStopWh: 729_000, reason: 'partner dispute: energy' }, staff);
  assert.equal(fix.status, 200, JSON.stringify(fix.body));
  const rows = await p.ctx.db.query(`SELECT payload, ordering_key FROM outbox WHERE topic = 'roaming.order' AND payload->>'orderNo' = $1 ORDER BY id`, [orderNo]);
  assert.deepEqual(rows.rows.map((r: any) => [r.payload.version, r.ordering_key]), [
    [1, 'roaming:op1:101437000'],
    [2, 'roaming:op1:101437000'],
  ]);
});

test('correcting a settled order moves the wallet by the difference; staff are limited, admins are not; totals are refused', async () => {
  // 10:00–13:00 local (flat prices) on a day at least 32 h back: the 100-yuan limit below must not depend on
  // the hour the suite runs (at valley prices the 90 kWh correction stays under 100 yuan)
  const t0 = Math.floor((Date.now() - 32 * H - 2 * H) / (24 * H)) * 24 * H + 2 * H;
  const at = (ms: number) => new Date(ms).toISOString();
  const sessionId = await chargeSession(p.ctx.db, { connectorId: 1, start: at(t0), stop: at(t0 + 3 * H), meterStartWh: 800_000, meterStopWh: 810_000, unplug: at(t0 + 3 * H) });
  const orderNo = (await orderForSession(p.ctx, 'op1', sessionId))!;
  const v1 = await get(orderNo);
  assert.equal(v1.status, 'settled');
  // enough balance that no part of a debit becomes a receivable
  await p.ctx.db.tx((q) => creditTopUp(q, { operatorId: 'op1', phone: PHONE, amountFen: 1000_00, outTradeNo: 'T-orders-test-1', remark: 'test top-up' }));
  const b0 = await balance();

  const noReason = await p.api('POST', `/api/v1/orders/${orderNo}/corrections`, { meterStopWh: 811_000 }, staff);
  assert.equal(noReason.status, 400);
  const totals = await p.api('POST', `/api/v1/orders/${orderNo}/corrections`, { totalAmount: '1.00', reason: 'x' }, staff);
  assert.equal(totals.status, 400, 'totals are never typed in');
  const rollback = await p.api('POST', `/api/v1/orders/${orderNo}/corrections`, { meterStopWh: 790_000, reason: 'x' }, staff);
  assert.equal(rollback.status, 400);
  assert.equal((await get(orderNo)).version, 1, 'a refused correction leaves nothing behind');

  const big = await p.api('POST', `/api/v1/orders/${orderNo}/corrections`, { meterStopWh: 900_000, reason: 'meter read wrong' }, staff);
  assert.equal(big.status, 202, 'more than the staff limit (100 yuan a day) waits for an admin');
  assert.equal(big.body.status, 'pending_approval');
  const preview = await p.api('POST', `/api/v1/orders/${orderNo}/corrections/preview`, { meterStopWh: 805_000 }, staff);
  assert.equal(preview.status, 200, JSON.stringify(preview.body));
  assert.deepEqual(preview.body.stillAbnormal, []);
  const stillBad = await p.api('POST', `/api/v1/orders/${orderNo}/corrections/preview`, { meterStopWh: 1_100_000 }, staff);
  assert.deepEqual(stillBad.body.stillAbnormal.map((r: any) => r.code), ['energy_above_rated_power']);
  assert.equal((await get(orderNo)).version, 1, 'a preview saves nothing');
  const down = await p.api('POST', `/api/v1/orders/${orderNo}/corrections`, { meterStopWh: 805_000, reason: 'half the energy' }, staff);
  assert.equal(down.body.totalAmount, preview.body.totalAmount);
  assert.equal(down.body.deltaAmount, preview.body.deltaAmount);
  assert.equal(down.status, 200, JSON.stringify(down.body));
  const v2 = await get(orderNo);
  assert.equal(v2.version, 2);
  assert.equal(v2.energyKwh, '5.00');
  assert.equal((await balance()) - b0, parseYuan(v1.totalAmount) - parseYuan(v2.totalAmount), 'refunded the difference');
  assert.equal(down.body.deltaAmount, `-${((parseYuan(v1.totalAmount) - parseYuan(v2.totalAmount)) / 100).toFixed(2)}`);

  const byAdmin = await p.api('POST', `/api/v1/orders/${orderNo}/corrections`, { meterStopWh: 900_000, reason: 'meter read wrong, confirmed' }, admin);
  assert.equal(byAdmin.status, 200, JSON.stringify(byAdmin.body));
  assert.equal(b0 - (await balance()), parseYuan(byAdmin.body.totalAmount) - parseYuan(v1.totalAmount));
  const d = await get(orderNo);
  assert.deepEqual(d.versions.map((v: any) => v.version), [1, 2, 3]);
  assert.deepEqual(d.audit.map((a: any) => [a.actor, a.action]), [
    ['op1-staff', 'correct.request'],
    ['op1-staff', 'correct'],
    ['op1-admin', 'correct'],
  ]);
});

test('per-period corrections re-split the energy; times and the idle end are inputs too', async () => {
  const sessionId = await chargeSession(p.ctx.db, { connectorId: 2, start: '2019-10-01T14:00:00+08:00', stop: '2019-10-01T16:00:00+08:00', meterStartWh: 0, meterStopWh: 40_000, unplug: '2019-10-01T16:05:00+08:00' });
  const orderNo = (await orderForSession(p.ctx, 'op1', sessionId))!;
  const r = await p.api(
    'POST',
    `/api/v1/orders/${orderNo}/corrections`,
    {
      reason: 'charger log shows most energy after 15:00',
      periods: [
        { start: '2019-10-01T14:00:00+08:00', end: '2019-10-01T15:00:00+08:00', energyKwh: '10.000' },
        { start: '2019-10-01T15:00:00+08:00', end: '2019-10-01T16:00:00+08:00', energyKwh: '30.000' },
      ],
      idleEndTime: '2019-10-01T16:40:00+08:00',
    },
    admin,
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.periods.map((x: any) => [x.type, x.energyKwh]), [
    ['flat', '10.00'],
    ['peak', '30.00'],
  ]);
  assert.equal(r.body.idleFee, '15.00', '40 min − 10 grace = 30 × 0.50');
  assert.equal(r.body.electricityAmount, '37.00'); // 10 × 0.70 + 30 × 1.00
});

test('a session no tariff applies to is still billed: held as no_tariff until corrected with a tariff version', async () => {
  // before the tariff's first version took effect (2019-01-01)
  const sessionId = await chargeSession(p.ctx.db, { connectorId: 2, start: '2018-12-01T10:00:00+08:00', stop: '2018-12-01T11:00:00+08:00', meterStartWh: 0, meterStopWh: 20_000, unplug: '2018-12-01T11:30:00+08:00' });
  const orderNo = (await orderForSession(p.ctx, 'op1', sessionId))!;
  const o = await get(orderNo);
  assert.equal(o.status, 'held');
  assert.deepEqual(o.abnormalReasons.map((r: any) => r.code), ['no_tariff']);
  assert.equal(o.totalAmount, '0.00');
  assert.equal(o.tariffVersionId, null);
  const refused = await p.api('POST', `/api/v1/orders/${orderNo}/corrections`, { meterStopWh: 20_000, reason: 'x' }, staff);
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, 'still_abnormal');
  const versionId = await resolveTariffVersionId(p.ctx.db, 'op1', '44030700030000200016', new Date('2019-09-20T00:00:00+08:00'));
  const fixed = await p.api('POST', `/api/v1/orders/${orderNo}/corrections`, { tariffVersionId: versionId, reason: 'the 2019 tariff applied from December' }, staff);
  assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
  assert.equal(fixed.body.status, 'settled');
  assert.equal(fixed.body.idleFee, '10.00', 'the idle times were kept: 30 − 10 grace = 20 min × 0.50');
  assert.equal(fixed.body.totalAmount, '40.00'); // 20 kWh × (0.70 + 0.80) + 10.00
  assert.equal(fixed.body.tariffVersionId, versionId);
});

test('live cost: meter values of a running session are priced onto the session', async () => {
  const sessionId = await chargeSession(p.ctx.db, { connectorId: 1, start: ago(20 * 60_000), stop: ago(0), meterStartWh: 900_000, meterStopWh: 0, samples: [[ago(10 * 60_000), 905_000]], running: true });
  p.ctx.events.emit('session.meter', { operatorId: 'op1', sessionId, chargerId: '44030700030000200016', connectorId: 1, energyWh: 5000 });
  let live: any = null;
  for (let i = 0; i < 100 && !live; i++) {
    await new Promise((r) => setTimeout(r, 20));
    live = (await getSession(p.ctx.db, 'op1', sessionId))?.live_cost;
  }
  assert.ok(live, 'live cost written');
  assert.equal(live.billedWh, 5000);
  assert.equal(live.totalFen, live.electricityFen + live.serviceFen);
});

test('search: station and window overlap, phone, card, paging; tenancy and roles', async () => {
  const all = await p.api('GET', '/api/v1/orders?stationId=s1&pageSize=2', undefined, staff);
  assert.equal(all.status, 200);
  assert.equal(all.body.items.length, 2);
  assert.ok(all.body.total >= 5);
  const page2 = await p.api('GET', '/api/v1/orders?stationId=s1&pageSize=2&page=2', undefined, staff);
  assert.notEqual(page2.body.items[0].orderNo, all.body.items[0].orderNo);
  assert.ok(all.body.items[0].startTime >= all.body.items[1].startTime, 'newest first');
  const byPhone = await p.api('GET', `/api/v1/orders?phone=${PHONE}&card=CARD0001`, undefined, staff);
  assert.ok(byPhone.body.items.length >= 3);
  assert.ok(byPhone.body.items.every((x: any) => x.driver?.phone === PHONE && x.card === 'CARD0001'));
  // a window that starts during the idle time of the 2019-10-01 order (charging ended 16:00, unplugged 16:40) still finds it
  const idleWindow = await p.api('GET', `/api/v1/orders?stationId=s1&from=${encodeURIComponent('2019-10-01T16:20:00+08:00')}&to=${encodeURIComponent('2019-10-01T16:30:00+08:00')}`, undefined, staff);
  assert.equal(idleWindow.body.total, 1);
  const none = await p.api('GET', `/api/v1/orders?stationId=s1&from=${encodeURIComponent('2019-10-01T16:41:00+08:00')}&to=${encodeURIComponent('2019-10-01T17:00:00+08:00')}`, undefined, staff);
  assert.equal(none.body.total, 0);
  // the export reads in keyset batches: small batches give every order once, oldest first
  const { exportRows } = await import('../../src/modules/orders/search.ts');
  const seen: string[] = [];
  for await (const r of exportRows(p.ctx.db, 'op1', { stationId: 's1', from: new Date('2019-01-01T00:00:00Z'), to: new Date(Date.now() + 3_600_000) }, 1000, 2)) seen.push(r.order_no);
  const listed = await p.api('GET', `/api/v1/orders?stationId=s1&from=2019-01-01T00:00:00Z&to=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}&pageSize=200`, undefined, staff);
  assert.equal(seen.length, listed.body.total);
  assert.deepEqual([...seen].sort(), listed.body.items.map((x: any) => x.orderNo).sort());
  assert.deepEqual(seen, listed.body.items.map((x: any) => x.orderNo).reverse(), 'oldest first');
  const csv = await fetch(`${p.url}/api/v1/orders/export.csv?stationId=s1`, { headers: { authorization: `Bearer ${staff}` } });
  assert.equal((await csv.text()).trim().split('\n').length, 1 + all.body.total);
  const bad = await p.api('GET', '/api/v1/orders?from=yesterday', undefined, staff);
  assert.equal(bad.status, 400);

  const op2 = await p.login('op2-admin', 'op2-admin-pass');
  const other = await p.api('GET', '/api/v1/orders', undefined, op2);
  assert.equal(other.body.total, 0);
  assert.equal((await p.api('GET', `/api/v1/orders/${all.body.items[0].orderNo}`, undefined, op2)).status, 404);
  assert.equal((await p.api('GET', '/api/v1/orders?operatorId=op1', undefined, op2)).status, 403);
  assert.equal((await p.api('POST', `/api/v1/orders/${all.body.items[0].orderNo}/corrections`, { reason: 'x', meterStopWh: 1 }, op2)).status, 404);
  assert.equal((await p.api('GET', '/api/v1/orders')).status, 401);
  assert.equal((await p.api('GET', '/api/v1/orders/export.csv')).status, 401);
  const root = await p.login('root', 'root-password');
  assert.equal((await p.api('GET', '/api/v1/orders', undefined, root)).status, 400, 'a platform admin names the operator');
  assert.equal((await p.api('GET', '/api/v1/orders?operatorId=op1', undefined, root)).status, 200);
});
