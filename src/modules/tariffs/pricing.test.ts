import { test } from 'node:test';
import assert from 'node:assert/strict';
import { priceSession, costFen } from './pricing.ts';
import { simpleTariff, shenzhenTariff } from './test-tariffs.ts';
import { energyCostFen } from '../../platform/money.ts';
import { currentPrice, periodsOfDay } from './views.ts';

const t = (s: string) => Date.parse(s);
const SH = 'Asia/Shanghai';
const brief = (r: ReturnType<typeof priceSession>) =>
  r.periods.map((p) => [new Date(p.start).toISOString(), new Date(p.end).toISOString(), p.type, p.wh, p.electricityFen, p.serviceFen]);

test('case-3 style: 22:47:35-23:26:40, 20.09 kWh, no samples: flat then valley at 23:00', () => {
  const r = priceSession({
    tariff: simpleTariff(),
    timeZone: SH,
    startAt: t('2019-09-11T22:47:35+08:00'),
    endAt: t('2019-09-11T23:26:40+08:00'),
    meterStartWh: 1_000_000,
    meterStopWh: 1_020_090,
    samples: [],
  });
  // 2345 s in all; 745 s before 23:00 (flat), 1600 s after (valley), energy spread linearly:
  // flat 20090 × 745/2345 = 6382.537, valley 20090 × 1600/2345 = 13707.463 → floors 6382 + 13707 = 20089,
  // the 1 Wh left goes to the larger remainder (flat .537): 6383 + 13707 = 20090.
  // flat:   6383 Wh × 0.7000 = 4.4681 → 4.47 yuan; × 0.8000 = 5.1064 → 5.11  (flat line 9.58)
  // valley: 13707 Wh × 0.3000 = 4.1121 → 4.11;      × 0.4000 = 5.4828 → 5.48  (valley line 9.59)
  assert.deepEqual(brief(r), [
    ['2019-09-11T14:47:35.000Z', '2019-09-11T15:00:00.000Z', 'flat', 6383, 447, 511],
    ['2019-09-11T15:00:00.000Z', '2019-09-11T15:26:40.000Z', 'valley', 13707, 411, 548],
  ]);
  assert.equal(r.billedWh, 20090);
  assert.equal(r.electricityFen, 858); // 447 + 411
  assert.equal(r.serviceFen, 1059); // 511 + 548
  assert.equal(r.totalFen, 1917);
  assert.equal(r.tariffVersionId, 1);
  assert.equal(r.periods[0].electricityPrice, 7000);
  assert.equal(r.periods[1].servicePrice, 4000);
});

test('across 23:00 with samples: energy follows the meter, not the clock', () => {
  // 22:30-23:30, 20 kWh; the meter shows 15 kWh by 22:50, then 18 kWh at 23:10.
  // E(23:00) = 15000 + (18000-15000) × 10/20 = 16500 → flat 16500, valley 3500.
  // flat 16500 × 0.7 = 11.55, × 0.8 = 13.20; valley 3500 × 0.3 = 1.05, × 0.4 = 1.40 → total 27.20
  const r = priceSession({
    tariff: simpleTariff(),
    timeZone: SH,
    startAt: t('2026-03-10T22:30:00+08:00'),
    endAt: t('2026-03-10T23:30:00+08:00'),
    meterStartWh: 500,
    meterStopWh: 20_500,
    samples: [
      { at: t('2026-03-10T23:10:00+08:00'), wh: 18_500 },
      { at: t('2026-03-10T22:50:00+08:00'), wh: 15_500 },
    ],
  });
  assert.deepEqual(r.periods.map((p) => [p.type, p.wh, p.electricityFen, p.serviceFen]), [
    ['flat', 16500, 1155, 1320],
    ['valley', 3500, 105, 140],
  ]);
  assert.equal(r.totalFen, 2720);
});

test('across midnight: two valley lines, one per day, even though type and prices are equal', () => {
  // 23:30-00:30, 12 kWh, a sample of 9 kWh at 23:45: E(00:00) = 9000 + 3000 × 15/45 = 10000.
  // day 1: 10000 × 0.3 = 3.00, × 0.4 = 4.00; day 2: 2000 × 0.3 = 0.60, × 0.4 = 0.80 → 8.40
  const r = priceSession({
    tariff: simpleTariff(),
    timeZone: SH,
    startAt: t('2026-03-10T23:30:00+08:00'),
    endAt: t('2026-03-11T00:30:00+08:00'),
    meterStartWh: 0,
    meterStopWh: 12_000,
    samples: [{ at: t('2026-03-10T23:45:00+08:00'), wh: 9_000 }],
  });
  assert.deepEqual(brief(r), [
    ['2026-03-10T15:30:00.000Z', '2026-03-10T16:00:00.000Z', 'valley', 10000, 300, 400],
    ['2026-03-10T16:00:00.000Z', '2026-03-10T16:30:00.000Z', 'valley', 2000, 60, 80],
  ]);
  assert.equal(r.totalFen, 840);
});

test('a calendar (sharp) window in August; the same hours in June have none', () => {
  // 10:30-11:30, 30 kWh linear. August: peak 10:30-11:00 15000 Wh, sharp 11:00-11:30 15000 Wh.
  // peak 15000 × 1.1000 = 16.50, × 0.8 = 12.00; sharp 15000 × 1.3750 = 20.625 → 20.63 (half-up), × 0.8 = 12.00
  // → electricity 37.13, service 24.00, total 61.13
  const input = (d: string) => ({
    tariff: shenzhenTariff(),
    timeZone: SH,
    startAt: t(`${d}T10:30:00+08:00`),
    endAt: t(`${d}T11:30:00+08:00`),
    meterStartWh: 0,
    meterStopWh: 30_000,
    samples: [],
  });
  const aug = priceSession(input('2026-08-12'));
  assert.deepEqual(aug.periods.map((p) => [p.type, p.wh, p.electricityFen, p.serviceFen]), [
    ['peak', 15000, 1650, 1200],
    ['sharp', 15000, 2063, 1200],
  ]);
  assert.equal(aug.electricityFen, 3713);
  assert.equal(aug.totalFen, 6113);
  // June: one peak line, 30000 × 1.1 = 33.00 + 24.00 = 57.00
  const jun = priceSession(input('2026-06-12'));
  assert.deepEqual(jun.periods.map((p) => [p.type, p.wh, p.electricityFen, p.serviceFen]), [['peak', 30000, 3300, 2400]]);
});

test('a calendar change at midnight: 30 Sep (sharp hours) → 1 Oct (a dated all-valley day)', () => {
  const r = priceSession({
    tariff: shenzhenTariff(),
    timeZone: SH,
    startAt: t('2026-09-30T16:00:00+08:00'),
    endAt: t('2026-10-01T12:00:00+08:00'),
    meterStartWh: 0,
    meterStopWh: 20_000,
    samples: [],
  });
  assert.deepEqual(r.periods.map((p) => p.type), ['sharp', 'peak', 'flat', 'valley']);
  assert.equal(new Date(r.periods[3].start).toISOString(), '2026-09-30T16:00:00.000Z');
  assert.equal(new Date(r.periods[3].end).toISOString(), '2026-10-01T04:00:00.000Z');
  assert.equal(r.periods.reduce((s, p) => s + p.wh, 0), 20_000);
});

test('no fixed offset: a London DST night (01:00 → 02:00 skipped) has a 7-hour 00:00-08:00 valley line', () => {
  // 28 Mar 23:00 GMT → 29 Mar 09:00 BST is 9 real hours, 9 kWh linear: 1 h valley on the 28th,
  // 7 h valley 00:00-08:00 on the 29th, 1 h flat → 1000 + 7000 + 1000 Wh.
  const r = priceSession({
    tariff: simpleTariff(),
    timeZone: 'Europe/London',
    startAt: t('2026-03-28T23:00:00Z'),
    endAt: t('2026-03-29T08:00:00Z'),
    meterStartWh: 0,
    meterStopWh: 9000,
    samples: [],
  });
  assert.deepEqual(brief(r), [
    ['2026-03-28T23:00:00.000Z', '2026-03-29T00:00:00.000Z', 'valley', 1000, 30, 40],
    ['2026-03-29T00:00:00.000Z', '2026-03-29T07:00:00.000Z', 'valley', 7000, 210, 280],
    ['2026-03-29T07:00:00.000Z', '2026-03-29T08:00:00.000Z', 'flat', 1000, 70, 80],
  ]);
});

test('meter going backwards bills nothing; outliers are dropped; samples outside the window ignored', () => {
  const base = { tariff: simpleTariff(), timeZone: SH, startAt: t('2026-03-10T22:00:00+08:00'), endAt: t('2026-03-11T00:00:00+08:00') };
  const back = priceSession({ ...base, meterStartWh: 5000, meterStopWh: 4000, samples: [] });
  assert.equal(back.billedWh, 0);
  assert.equal(back.totalFen, 0);
  assert.ok(back.periods.every((p) => p.wh === 0));
  // Dropped: a reading before the start (21:00), one above meterStop (999999), a spike (7900 at 22:30)
  // and a dip (0 at 23:30) that the longest rising run 2000, 4000, 6000, 7500 contradicts.
  // Curve: 0 (22:00) → 6000 (23:00) → 7500 (23:45) → 8000 (24:00): flat 6000, valley 2000.
  const r = priceSession({
    ...base,
    meterStartWh: 0,
    meterStopWh: 8000,
    samples: [
      { at: t('2026-03-10T21:00:00+08:00'), wh: 7000 },
      { at: t('2026-03-10T22:20:00+08:00'), wh: 2000 },
      { at: t('2026-03-10T22:25:00+08:00'), wh: 999_999 },
      { at: t('2026-03-10T22:30:00+08:00'), wh: 7900 },
      { at: t('2026-03-10T22:40:00+08:00'), wh: 4000 },
      { at: t('2026-03-10T23:00:00+08:00'), wh: 6000 },
      { at: t('2026-03-10T23:30:00+08:00'), wh: 0 },
      { at: t('2026-03-10T23:45:00+08:00'), wh: 7500 },
    ],
  });
  assert.deepEqual(r.periods.map((p) => [p.type, p.wh]), [['flat', 6000], ['valley', 2000]]);
});

test('zero-length and end-before-start sessions put all energy on the line they start in', () => {
  const s = t('2026-03-10T09:00:00+08:00');
  const r = priceSession({ tariff: simpleTariff(), timeZone: SH, startAt: s, endAt: s - 1000, meterStartWh: 0, meterStopWh: 140, samples: [] });
  assert.deepEqual(r.periods.map((p) => [p.type, p.wh, p.start, p.end]), [['flat', 140, s, s]]);
});

test('staff override replaces the split; intervals spanning a boundary are shared by time', () => {
  const r = priceSession({
    tariff: simpleTariff(),
    timeZone: SH,
    startAt: 0,
    endAt: 0,
    meterStartWh: 0,
    meterStopWh: 0,
    samples: [],
    periodEnergyOverride: [
      { start: t('2026-03-10T22:00:00+08:00'), end: t('2026-03-10T22:30:00+08:00'), wh: 5000 },
      { start: t('2026-03-10T22:30:00+08:00'), end: t('2026-03-10T23:30:00+08:00'), wh: 3000 },
    ],
  });
  // 22:00-22:30 5000 and 22:30-23:00 1500 (half of 3000) merge into one flat line 6500; valley 1500.
  assert.deepEqual(r.periods.map((p) => [p.type, p.wh]), [['flat', 6500], ['valley', 1500]]);
  assert.equal(r.billedWh, 8000);
});

test('costFen agrees with money.energyCostFen, half-up at exactly .5 fen', () => {
  assert.equal(costFen(15000, 13750), 2063); // 20.625 yuan → 20.63
  assert.equal(costFen(1, 4999), 0); // 0.04999 fen
  assert.equal(costFen(1, 50000), 1); // exactly 0.5 fen → 1
  for (const [wh, p] of [[0, 0], [123456789, 99999], [7, 12345], [99_999_999, 50_000_000]]) assert.equal(costFen(wh, p), energyCostFen(wh, p));
});

test('views: the day\'s periods for T/CEC and the price now', () => {
  const v = shenzhenTariff();
  const aug = periodsOfDay(v, '2026-08-12', SH);
  assert.equal(aug.length, 9);
  assert.deepEqual(aug[3], { startMinute: 660, start: '11:00', startTime: '110000', type: 'sharp', electricityPrice: 13750, servicePrice: 8000, electricityPriceYuan: '1.3750', servicePriceYuan: '0.8000' });
  assert.equal(periodsOfDay(v, '2026-06-12', SH).length, 6);
  const now = currentPrice(v, new Date('2026-08-12T11:15:00+08:00'), SH);
  assert.equal(now.type, 'sharp');
  assert.equal(now.totalPrice, 21750);
  assert.equal(new Date(now.until).toISOString(), '2026-08-12T04:00:00.000Z');
});

test('non-finite input is refused with a RangeError, never a hang', () => {
  const base = { tariff: simpleTariff(), timeZone: SH, startAt: 0, endAt: 1000, meterStartWh: 0, meterStopWh: 1, samples: [] };
  assert.throws(() => priceSession({ ...base, endAt: Infinity }), RangeError);
  assert.throws(() => priceSession({ ...base, startAt: NaN }), RangeError);
  assert.throws(() => priceSession({ ...base, idle: { chargingEndedAt: 0, unpluggedAt: null, now: NaN } }), RangeError);
});

test('a period starting inside a DST gap starts when the gap ends (London 29 Mar 2026: 01:30 → 02:00 BST)', async () => {
  const { parseTariffVersion } = await import('./parse.ts');
  const v = parseTariffVersion(9, 'gap', 0, {
    periods: [
      { start: '00:00', type: 'valley', electricityPrice: '0.3000', servicePrice: '0' },
      { start: '01:30', type: 'flat', electricityPrice: '0.7000', servicePrice: '0' },
    ],
  });
  // 00:00 GMT → 03:00 BST is 2 real hours; 01:00-02:00 GMT does not exist, so flat starts at 02:00 BST (01:00Z).
  // 2000 Wh linear: valley 00:00Z-01:00Z 1000 Wh, flat 01:00Z-02:00Z 1000 Wh.
  const r = priceSession({ tariff: v, timeZone: 'Europe/London', startAt: t('2026-03-29T00:00:00Z'), endAt: t('2026-03-29T02:00:00Z'), meterStartWh: 0, meterStopWh: 2000, samples: [] });
  assert.deepEqual(brief(r), [
    ['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', 'valley', 1000, 30, 0],
    ['2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z', 'flat', 1000, 70, 0],
  ]);
});
