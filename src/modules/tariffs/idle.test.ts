import { test } from 'node:test';
import assert from 'node:assert/strict';
import { priceSession } from './pricing.ts';
import { priceIdle } from './idle.ts';
import { simpleTariff } from './test-tariffs.ts';

const t = (s: string) => Date.parse(s);
const SH = 'Asia/Shanghai';
// simpleTariff's rule: grace 10 min, 0.1234 yuan/min, cap 20.00, free 22:00-07:00, default exemptions.
const rule = simpleTariff().idleFee!;
const withoutFree = { ...rule, freeHours: undefined };

test('grace: 15:43:49 → 16:10:20 is 26 min 31 s; minus 10 min grace = 16 min 31 s → 16 whole minutes', () => {
  // 16 × 0.1234 = 1.9744 yuan → 1.97 (half-up to the fen)
  const r = priceIdle(withoutFree, { chargingEndedAt: t('2019-09-20T15:43:49+08:00'), unpluggedAt: t('2019-09-20T16:10:20+08:00') }, SH)!;
  assert.deepEqual(
    { total: r.totalMinutes, grace: r.graceMinutes, free: r.freeMinutes, billable: r.billableMinutes, fen: r.fen, capped: r.capped, exempt: r.exempt },
    { total: 26, grace: 10, free: 0, billable: 16, fen: 197, capped: false, exempt: false },
  );
});

test('inside the grace period nothing is billed', () => {
  const r = priceIdle(rule, { chargingEndedAt: t('2026-03-10T12:00:00+08:00'), unpluggedAt: t('2026-03-10T12:09:59+08:00') }, SH)!;
  assert.equal(r.billableMinutes, 0);
  assert.equal(r.graceMinutes, 9);
  assert.equal(r.fen, 0);
});

test('cap: 3 h idle from 12:00 → 170 billable minutes × 0.1234 = 20.978 → 20.98, capped at 20.00', () => {
  const r = priceIdle(rule, { chargingEndedAt: t('2026-03-10T12:00:00+08:00'), unpluggedAt: t('2026-03-10T15:00:00+08:00') }, SH)!;
  assert.equal(r.billableMinutes, 170);
  assert.equal(r.fen, 2000);
  assert.equal(r.capped, true);
});

test('free hours 22:00-07:00 wrap midnight: 21:30 → 07:20 next day bills 40 minutes', () => {
  // 590 min in all: grace 21:30-21:40; billable 21:40-22:00 (20) and 07:00-07:20 (20); free 22:00-07:00 (540).
  // 40 × 0.1234 = 4.936 → 4.94
  const r = priceIdle(rule, { chargingEndedAt: t('2026-03-10T21:30:00+08:00'), unpluggedAt: t('2026-03-11T07:20:00+08:00') }, SH)!;
  assert.deepEqual([r.totalMinutes, r.graceMinutes, r.freeMinutes, r.billableMinutes, r.fen], [590, 10, 540, 40, 494]);
});

test('exemption: a charger fault (PowerLoss) by default, or what the rule lists', () => {
  const idle = { chargingEndedAt: t('2026-03-10T12:00:00+08:00'), unpluggedAt: t('2026-03-10T13:00:00+08:00'), stopReason: 'PowerLoss' };
  const r = priceIdle(rule, idle, SH)!;
  assert.equal(r.exempt, true);
  assert.equal(r.exemptReason, 'PowerLoss');
  assert.equal(r.fen, 0);
  assert.equal(r.totalMinutes, 60);
  // A rule listing only PlatformStop does bill a PowerLoss stop: 50 × 0.1234 = 6.17
  assert.equal(priceIdle({ ...rule, exemptStopReasons: ['PlatformStop'] }, idle, SH)!.fen, 617);
  assert.equal(priceIdle({ ...rule, exemptStopReasons: ['PlatformStop'] }, { ...idle, stopReason: 'PlatformStop' }, SH)!.exempt, true);
});

test('still plugged in: idle runs to `now`; no `now` means nothing yet; unplug before end counts 0', () => {
  const ended = t('2026-03-10T12:00:00+08:00');
  assert.equal(priceIdle(rule, { chargingEndedAt: ended, unpluggedAt: null, now: ended + 30 * 60_000 }, SH)!.billableMinutes, 20);
  assert.equal(priceIdle(rule, { chargingEndedAt: ended, unpluggedAt: null }, SH)!.fen, 0);
  assert.equal(priceIdle(rule, { chargingEndedAt: ended, unpluggedAt: ended - 5000 }, SH)!.totalMinutes, 0);
});

test('the idle fee lands on the same priced session and in its total', () => {
  // Case 6 shape: 14:40:44-15:43:49, 25.37 kWh, unplugged 16:10:20 → idle 1.97 as above.
  const r = priceSession({
    tariff: { ...simpleTariff(), idleFee: withoutFree },
    timeZone: SH,
    startAt: t('2019-09-20T14:40:44+08:00'),
    endAt: t('2019-09-20T15:43:49+08:00'),
    meterStartWh: 0,
    meterStopWh: 25_370,
    samples: [],
    idle: { chargingEndedAt: t('2019-09-20T15:43:49+08:00'), unpluggedAt: t('2019-09-20T16:10:20+08:00'), stopReason: 'EVDisconnected' },
  });
  // one flat line: 25370 × 0.7 = 17.759 → 17.76, × 0.8 = 20.296 → 20.30; + 1.97 = 40.03
  assert.deepEqual(r.periods.map((p) => [p.type, p.wh, p.electricityFen, p.serviceFen]), [['flat', 25370, 1776, 2030]]);
  assert.equal(r.idleFeeFen, 197);
  assert.equal(r.totalFen, 1776 + 2030 + 197);
});
