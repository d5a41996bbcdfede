/**
 * The staff correction limit is cumulative per staff member per operator day (issue 11, point 10):
 * small corrections add up; the one that goes over waits as pending_approval (nothing changes) until
 * an operator admin approves (applied then) or rejects it; staff cannot decide; the limit is an
 * operator setting; the next operator day starts from zero.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { orderForSession } from '../../src/modules/orders/index.ts';
import { walletBalanceFen } from '../../src/modules/wallet/index.ts';
import { overDailyLimit, operatorDay } from '../../src/modules/orders/correction-limit.ts';
import { chargeSession, ordersDoc } from './support.ts';
import { verifyLedgerLast } from '../support/verify-ledger.ts';

let p: TestPlatform;
let staff: string;
let admin: string;
const H = 3_600_000;
// from 10:00 local on a fixed day: flat prices (0.70 + 0.80 per kWh); the clock sits at 15:00 local that day
const T0 = Date.parse('2026-06-01T02:00:00Z');
const clock = new FakeClock(Date.parse('2026-06-01T07:00:00Z'));
const PHONE = '18475511853';

before(async () => {
  p = await startTestPlatform({ provisioning: ordersDoc(), clock });
  staff = await p.login('op1-staff', 'op1-staff-pass');
  admin = await p.login('op1-admin', 'op1-admin-pass');
});
after(async () => p.close());

let slot = 0;
/** A settled wallet order of 10 kWh in 30 minutes (15.00 yuan), each in its own 40 minutes from 10:00 (all flat prices). */
async function order() {
  const t = T0 + slot++ * 40 * 60_000;
  const at = (ms: number) => new Date(ms).toISOString();
  const sessionId = await chargeSession(p.ctx.db, { connectorId: 1, start: at(t), stop: at(t + H / 2), meterStartWh: 100_000, meterStopWh: 110_000, unplug: at(t + H / 2) });
  const orderNo = (await orderForSession(p.ctx, 'op1', sessionId))!;
  const o = (await p.api('GET', `/api/v1/orders/${orderNo}`, undefined, staff)).body;
  assert.equal(o.status, 'settled', JSON.stringify(o.abnormalReasons));
  return orderNo;
}
const correct = (orderNo: string, meterStopWh: number, token = staff) => p.api('POST', `/api/v1/orders/${orderNo}/corrections`, { meterStopWh, reason: 'meter photo' }, token);

test('the pure rule: over when what was used today plus this correction passes the limit', () => {
  assert.equal(overDailyLimit(0, 10000, 10000), false);
  assert.equal(overDailyLimit(9000, 1001, 10000), true);
  assert.equal(overDailyLimit(20000, 0, 10000), false, 'a correction that changes no bill never waits');
  assert.equal(operatorDay(Date.parse('2026-06-01T16:30:00Z'), 'Asia/Shanghai'), '2026-06-02');
  assert.equal(operatorDay(Date.parse('2026-06-01T15:30:00Z'), 'Asia/Shanghai'), '2026-06-01');
});

test('small corrections add up over the operator day; the one over the limit waits for an operator admin', async () => {
  assert.deepEqual((await p.api('GET', '/api/v1/order-settings', undefined, staff)).body, { staffDailyCorrectionLimit: '100.00' });
  assert.equal((await p.api('PUT', '/api/v1/order-settings', { staffDailyCorrectionLimit: '40.00' }, staff)).status, 403, 'staff cannot raise their own limit');
  assert.equal((await p.api('PUT', '/api/v1/order-settings', { staffDailyCorrectionLimit: '40.00' }, admin)).status, 200);

  // each correction adds 10 kWh = 15.00 yuan: 15 + 15 = 30 ≤ 40, the third would make 45
  const a = await order();
  const b = await order();
  const c = await order();
  assert.equal((await correct(a, 120_000)).status, 200);
  assert.equal((await correct(b, 120_000)).status, 200);
  const before = await walletBalanceFen(p.ctx.db, 'op1', PHONE);
  const third = await correct(c, 120_000);
  assert.equal(third.status, 202, JSON.stringify(third.body));
  assert.equal(third.body.status, 'pending_approval');
  assert.equal(third.body.countedAmount, '15.00');
  assert.match(third.body.message, /30\.00 yuan already corrected today .* 40\.00 yuan per day/);
  const o = (await p.api('GET', `/api/v1/orders/${c}`, undefined, staff)).body;
  assert.equal(o.version, 1, 'nothing changes while it waits');
  assert.equal(await walletBalanceFen(p.ctx.db, 'op1', PHONE), before);

  const list = (await p.api('GET', '/api/v1/order-corrections?status=pending_approval', undefined, staff)).body.items;
  assert.equal(list.length, 1);
  assert.equal(list[0].orderNo, c);
  assert.equal(list[0].requestedBy, 'op1-staff');
  assert.equal(list[0].operatorDay, '2026-06-01');
  assert.equal((await p.api('POST', `/api/v1/order-corrections/${list[0].id}/approve`, undefined, staff)).status, 403, 'staff cannot approve');

  const ok = await p.api('POST', `/api/v1/order-corrections/${list[0].id}/approve`, undefined, admin);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.status, 'approved');
  assert.equal(ok.body.decidedBy, 'op1-admin');
  assert.equal(ok.body.order.version, 2);
  assert.equal(ok.body.deltaAmount, '15.00');
  assert.equal(before - (await walletBalanceFen(p.ctx.db, 'op1', PHONE)), 1500);
  assert.equal((await p.api('POST', `/api/v1/order-corrections/${list[0].id}/approve`, undefined, admin)).status, 409, 'decided once');
  const audit = (await p.api('GET', `/api/v1/orders/${c}`, undefined, staff)).body.audit.map((x: any) => [x.actor, x.action]);
  assert.deepEqual(audit, [
    ['op1-staff', 'correct.request'],
    ['op1-admin', 'correct'],
    ['op1-admin', 'correct.approve'],
  ]);

  // the staff member's own 30.00 stand for today (the approved one is the admin's): 1.50 more applies, 15.00 more waits
  const d = await order();
  assert.equal((await correct(d, 111_000)).status, 200);
  const e = await order();
  const fifth = await correct(e, 120_000);
  assert.equal(fifth.status, 202);
  assert.equal((await p.api('POST', `/api/v1/order-corrections/${fifth.body.requestId}/reject`, {}, admin)).status, 400, 'a rejection needs a reason');
  const no = await p.api('POST', `/api/v1/order-corrections/${fifth.body.requestId}/reject`, { reason: 'photo does not show the meter' }, admin);
  assert.equal(no.status, 200);
  assert.equal(no.body.status, 'rejected');
  assert.equal(no.body.decisionReason, 'photo does not show the meter');
  assert.equal((await p.api('GET', `/api/v1/orders/${e}`, undefined, staff)).body.version, 1, 'a rejected correction changes nothing');

  // the next operator day starts from zero
  await clock.advance(24 * H);
  staff = await p.login('op1-staff', 'op1-staff-pass'); // the tokens expired with the day
  admin = await p.login('op1-admin', 'op1-admin-pass');
  assert.equal((await correct(e, 120_000)).status, 200);
  // the limit is per staff member: an admin is never held
  assert.equal((await correct(e, 125_000, admin)).status, 200);
});

verifyLedgerLast(() => p.ctx.db);
