/**
 * Idle fee by the charger's clock (issue 11 points 2 and 3), on a FakeClock: the server's "now" is
 * moved by hand, nothing waits in real time. A session uploaded 11 days late is priced from its own
 * timestamps (not the cap); an Available before a late StopTransaction ends the idle clock; the
 * idle limit is 24 h of server time after the stop ARRIVED.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { recordStart, recordStop, applyConnectorStatus } from '../../src/modules/sessions/index.ts';
import { ordersDoc } from './support.ts';

const clock = new FakeClock('2026-03-12T02:00:00Z'); // server time: 10:00 in Shenzhen, 11 days after the sessions below
let p: TestPlatform;
let staff: string;
const CP = '44030700030000200016';
const H = 3_600_000;
const MIN = 60_000;

before(async () => {
  p = await startTestPlatform({ provisioning: ordersDoc(), clock, timeScale: 0.001 });
  staff = await p.login('op1-staff', 'op1-staff-pass');
});
after(async () => p.close());

/** Frames as the OCPP handlers record them: charger timestamps `at`, received at the server's now. */
const frames = (connectorId: number) => ({
  start: (at: Date, meterStartWh = 100_000) =>
    p.ctx.db.tx((q) => recordStart(q, { operatorId: 'op1', stationId: 's1', chargerId: CP, connectorId, idTag: 'CARD0001', meterStartWh, startedAt: at, receivedAt: clock.date() })).then((r) => r.sessionId),
  status: (status: string, at: Date) => p.ctx.db.tx((q) => applyConnectorStatus(q, { chargerId: CP, connectorId, status, at, lastBootAt: null, receivedAt: clock.date() })),
  stop: (sessionId: number, at: Date, meterStopWh: number, reason = 'Local') =>
    p.ctx.db.tx((q) => recordStop(q, { operatorId: 'op1', chargerId: CP, transactionId: sessionId, meterStopWh, stoppedAt: at, reason, receivedAt: clock.date() })),
});
const orderOf = async (sessionId: number) => {
  const r = await p.ctx.db.query<{ order_no: string }>(`SELECT order_no FROM orders WHERE session_id = $1`, [sessionId]);
  return r.rows[0] ? (await p.api('GET', `/api/v1/orders/${r.rows[0].order_no}`, undefined, staff)).body : null;
};

test('a session uploaded 11 days late gets the idle fee its own timestamps give, not the cap', async () => {
  const f = frames(1);
  // 2026-03-01 10:00–11:00 local (charger time); the charger was offline and uploads it all now
  const sessionId = await f.start(new Date('2026-03-01T02:00:00Z'));
  await f.stop(sessionId, new Date('2026-03-01T03:00:00Z'), 110_000);
  // the stop's settle job runs before the rest of the backlog arrives: 11 days since the stop on the
  // charger's clock are no reason to assume the car stayed 24 h
  await p.ctx.outbox.drain();
  const waiting = await orderOf(sessionId);
  assert.equal(waiting.status, 'idle', 'waits for the unplug like a session received on time');
  assert.equal(waiting.idleFee, '0.00', 'no idle time has passed on the charger’s timeline yet');
  // the backlog's Available: unplugged 19 minutes after the stop → 19 − 10 grace = 9 min × 0.50 = 4.50
  await clock.advance(2000);
  await f.status('Available', new Date('2026-03-01T03:19:00Z'));
  await p.ctx.outbox.drain();
  const o = await orderOf(sessionId);
  assert.equal(o.status, 'settled');
  assert.equal(o.idleFee, '4.50');
  assert.equal(o.abnormal, false);
});

test('an Available before a late StopTransaction ends the idle clock at the status’s timestamp', async () => {
  const f = frames(2);
  const t0 = new Date('2026-03-12T01:00:00Z').getTime(); // 09:00 local, an hour before the server's now
  const sessionId = await f.start(new Date(t0));
  await f.status('Charging', new Date(t0));
  await f.status('Finishing', new Date(t0 + 30 * MIN)); // charging ended (no power reported)
  await f.status('Available', new Date(t0 + 60 * MIN)); // the car left: 30 min of idle, 20 billable
  // the StopTransaction only comes 5 hours (server time) later, stamped when the charger sent it
  await clock.advance(5 * H);
  await f.stop(sessionId, new Date(t0 + 6 * H), 105_000);
  await p.ctx.outbox.drain();
  const o = await orderOf(sessionId);
  assert.equal(o.status, 'settled', 'nothing to wait for: the car had left');
  assert.equal(o.idleFee, '10.00', '20 billable minutes × 0.50, not accruing until the late stop');
  assert.equal(o.idleEndTime, new Date(t0 + 60 * MIN).toISOString());
});

test('the idle clock: nothing is final or charged while plugged in, it ends at the unplug; the limit is 24 h after the stop arrived', async () => {
  const f = frames(1);
  const t0 = clock.now() - 2 * H;
  const a = await f.start(new Date(t0));
  await f.stop(a, new Date(t0 + H), 104_000);
  await p.ctx.outbox.drain();
  assert.equal((await orderOf(a)).status, 'idle');
  // 40 minutes of server time later the car is still there: nothing is final, nothing charged
  await clock.advance(40 * MIN);
  await p.ctx.outbox.drain();
  assert.equal((await orderOf(a)).status, 'idle');
  // unplugged 30 minutes after the stop (charger time): 20 billable minutes
  await f.status('Available', new Date(t0 + H + 30 * MIN));
  await p.ctx.outbox.drain();
  const done = await orderOf(a);
  assert.equal(done.status, 'settled');
  assert.equal(done.idleFee, '10.00');

  // a second car never unplugs (or the Available is lost): 24 h of server time after its stop
  // arrived the idle end is assumed (the cap bounds it) and the order is held for review
  const b = await f.start(new Date(clock.now()));
  await f.stop(b, new Date(clock.now() + H), 104_000);
  await p.ctx.outbox.drain();
  assert.equal((await orderOf(b)).status, 'idle');
  await clock.advance(23 * H);
  staff = await p.login('op1-staff', 'op1-staff-pass'); // the console token expired on the way
  await p.ctx.outbox.drain();
  assert.equal((await orderOf(b)).status, 'idle', 'the idle-limit timer is not due yet');
  await clock.advance(H + 1000);
  staff = await p.login('op1-staff', 'op1-staff-pass');
  await p.ctx.outbox.drain();
  const held = await orderOf(b);
  assert.equal(held.status, 'held');
  assert.equal(held.idleFee, '20.00');
  assert.ok(held.abnormalReasons.some((r: any) => r.code === 'idle_unplug_missing'), JSON.stringify(held.abnormalReasons));
});
