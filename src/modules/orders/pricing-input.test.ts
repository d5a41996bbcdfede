import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCorrection, type VersionInputs } from './pricing-input.ts';
import { durationText, exportRecord, localTime } from './export.ts';
import { periodSummary } from '../notify/templates.ts';
import type { OrderView } from './view.ts';

const T0 = Date.parse('2019-09-20T14:40:44+08:00');
const T1 = Date.parse('2019-09-20T15:43:49+08:00');
const prev: VersionInputs = {
  pricing: {
    tariff: { id: 1, tariffId: 't1', effectiveFrom: 0, periods: [{ startMinute: 0, type: 'flat', electricityPrice: 7000, servicePrice: 8000 }], idleFee: { graceMinutes: 10, pricePerMinute: 5000 } },
    timeZone: 'Asia/Shanghai',
    startAt: T0,
    endAt: T1,
    meterStartWh: 1_000_000,
    meterStopWh: 25_370,
    samples: [
      { at: T0 + 600_000, wh: 1_004_000 },
      { at: T0 + 1_200_000, wh: 20_000 },
    ],
    idle: { chargingEndedAt: T1, unpluggedAt: T1 + 21 * 60_000, stopReason: 'EVDisconnected', now: T1 },
  },
  stopReason: 'EVDisconnected',
  ratedPowerW: 60_000,
};

test('a corrected meter stop keeps the idle inputs and drops samples outside the corrected readings', () => {
  const next = applyCorrection(prev, { meterStopWh: 1_025_370 });
  assert.ok(typeof next !== 'string');
  assert.equal(next.pricing.meterStopWh, 1_025_370);
  assert.deepEqual(next.pricing.idle, prev.pricing.idle);
  assert.deepEqual(next.pricing.samples.map((s) => s.wh), [1_004_000]);
  assert.equal(prev.pricing.meterStopWh, 25_370, 'the earlier version is not touched');
});

test('energy per period fixes the billed energy and must agree with a corrected meter stop', () => {
  const periods = [
    { start: T0, end: T0 + 1_000_000, wh: 5_000 },
    { start: T0 + 1_000_000, end: T1, wh: 20_370 },
  ];
  const next = applyCorrection(prev, { periods });
  assert.ok(typeof next !== 'string');
  assert.equal(next.pricing.meterStopWh, 1_025_370);
  assert.deepEqual(next.pricing.periodEnergyOverride, periods);
  assert.match(String(applyCorrection(prev, { periods, meterStopWh: 1_025_000 })), /add up to 25370 Wh/);
  assert.match(String(applyCorrection(prev, { periods: [{ start: T0, end: T1 + 1000, wh: 1 }] })), /outside/);
  assert.match(String(applyCorrection(prev, { periods: [periods[1], { ...periods[0], end: T0 + 1_100_000 }] })), /overlap/);
});

test('times and the idle end are inputs; contradictions are refused with a message', () => {
  const next = applyCorrection(prev, { endTime: T1 - 60_000, idleEndTime: T1 + 40 * 60_000, stopReason: 'Local' });
  assert.ok(typeof next !== 'string');
  assert.equal(next.pricing.endAt, T1 - 60_000);
  assert.equal(next.pricing.idle!.chargingEndedAt, T1 - 60_000);
  assert.equal(next.pricing.idle!.unpluggedAt, T1 + 40 * 60_000);
  assert.equal(next.pricing.idle!.stopReason, 'Local');
  assert.match(String(applyCorrection(prev, { endTime: T0 - 1 })), /before the start/);
  assert.match(String(applyCorrection(prev, { idleEndTime: T1 - 1 })), /idle end/);
  assert.match(String(applyCorrection(prev, { meterStopWh: 999 })), /below the meter start/);
});

test('export formatting: durations, local time, per-period amounts as the operator writes them', () => {
  assert.equal(durationText(3785), '1小时3分5秒');
  assert.equal(durationText(2220), '37分');
  assert.equal(durationText(0), '0秒');
  assert.equal(durationText(3600), '1小时');
  assert.equal(durationText(null), '-');
  assert.equal(localTime('2019-09-11T14:47:35.000Z', 'Asia/Shanghai'), '2019-09-11 22:47:35');
  const p = (type: string, e: string, s: string) => ({ type, electricityAmount: e, serviceAmount: s });
  assert.equal(periodSummary([p('flat', '3.00', '3.59'), p('valley', '1.20', '1.64')]), '平段:6.59 谷段:2.84');
  assert.equal(periodSummary([p('flat', '1.00', '1.00'), p('valley', '0.10', '0.10'), p('flat', '0.01', '0.00')]), '平段:2.01 谷段:0.20');
  assert.equal(periodSummary([]), '-');
});

test('an export record has the case-3 columns from the order view', () => {
  const v = {
    orderNo: '20190911224833588237',
    stationId: 's1',
    stationName: '翠岭华庭站',
    chargerId: '44030600030000200035',
    connectorId: 2,
    socEnd: 98,
    startTime: '2019-09-11T14:47:35.000Z',
    endTime: '2019-09-11T15:26:40.000Z',
    card: '89408035',
    energyKwh: '20.09',
    paymentMethod: 'wallet',
    durationSeconds: 2345,
    totalAmount: '20.36',
    driver: { phone: '13800000000', name: '金' },
    abnormal: false,
    abnormalReasons: [],
    status: 'settled',
    periods: [
      { type: 'flat', electricityAmount: '3.00', serviceAmount: '3.59' },
      { type: 'valley', electricityAmount: '1.20', serviceAmount: '1.64' },
    ],
    electricityAmount: '4.20',
    serviceAmount: '5.23',
    idleFee: '0.00',
    partnerOrderNo: null,
    version: 1,
  } as unknown as OrderView;
  const r = exportRecord(v, 'Asia/Shanghai');
  assert.deepEqual(
    [r.station, r.charger, r.gun, r.soc, r.start, r.end, r.card, r.energy, r.payment, r.duration, r.amount, r.user, r.orderNo, r.abnormal, r.status, r.periods],
    ['翠岭华庭站', '44030600030000200035', '2', '98%', '2019-09-11 22:47:35', '2019-09-11 23:26:40', '89408035', '20.09', '个人支付', '39分5秒', '20.36', '金', '20190911224833588237', '否', '已结算', '平段:6.59 谷段:2.84'],
  );
});
