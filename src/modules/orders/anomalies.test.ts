import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { detectAnomalies, arithmeticProblems, priceProblems, type AnomalyInput, DEFAULT_LIMITS, NO_TARIFF } from './anomalies.ts';
import type { Priced, TariffVersion } from '../tariffs/types.ts';
import { energyCostFen } from '../../platform/money.ts';

const T0 = Date.parse('2019-09-20T14:40:44+08:00');
const T1 = Date.parse('2019-09-20T15:43:49+08:00');
const tariff: TariffVersion = {
  id: 7,
  tariffId: 't1',
  effectiveFrom: 0,
  periods: [
    { startMinute: 0, type: 'valley', electricityPrice: 3000, servicePrice: 4000 },
    { startMinute: 480, type: 'flat', electricityPrice: 7000, servicePrice: 8000 },
  ],
  calendar: [{ months: [7], periods: [{ startMinute: 0, type: 'sharp', electricityPrice: 12000, servicePrice: 8000 }] }],
};

function priced(parts: { wh: number; start: number; end: number; type?: 'flat' | 'valley' | 'sharp'; e?: number; s?: number }[], idleFen = 0): Priced {
  const periods = parts.map((x) => {
    const e = x.e ?? 7000;
    const s = x.s ?? 8000;
    return { start: x.start, end: x.end, type: x.type ?? 'flat', electricityPrice: e, servicePrice: s, wh: x.wh, electricityFen: energyCostFen(x.wh, e), serviceFen: energyCostFen(x.wh, s) };
  });
  const electricityFen = periods.reduce((a, x) => a + x.electricityFen, 0);
  const serviceFen = periods.reduce((a, x) => a + x.serviceFen, 0);
  const idle = idleFen ? { startAt: parts.at(-1)!.end, endAt: parts.at(-1)!.end + 1_500_000, totalMinutes: 25, graceMinutes: 10, freeMinutes: 0, billableMinutes: 15, exempt: false, capped: false, fen: idleFen } : null;
  return { tariffVersionId: 7, billedWh: periods.reduce((a, x) => a + x.wh, 0), periods, electricityFen, serviceFen, idle, idleFeeFen: idleFen, totalFen: electricityFen + serviceFen + idleFen };
}

function base(over: Partial<AnomalyInput> = {}): AnomalyInput {
  return {
    now: T1 + 3600_000,
    startAt: T0,
    endAt: T1,
    meterStartWh: 1_000_000,
    meterStopWh: 1_025_370,
    ratedPowerW: 60_000,
    sessionStatus: 'finished',
    sessionFlags: [],
    idTagStatus: 'Accepted',
    priced: priced([{ wh: 25_370, start: T0, end: T1 }], 150),
    tariff,
    ...over,
  };
}
const codes = (i: AnomalyInput) => detectAnomalies(i).map((r) => r.code);

test('case 6 as the charger reported it, when plausible, is not abnormal', () => {
  assert.deepEqual(codes(base()), []);
});

test('negative values anywhere: meter, totals, a period, the idle fee', () => {
  assert.deepEqual(codes(base({ meterStartWh: -5, meterStopWh: 25_000, priced: null })), ['negative_value']);
  const p = priced([{ wh: 25_370, start: T0, end: T1 }]);
  p.periods[0].electricityFen = -10;
  p.electricityFen = -10;
  p.totalFen = p.electricityFen + p.serviceFen;
  const r = detectAnomalies(base({ priced: p }));
  assert.equal(r[0].code, 'negative_value');
  assert.match(r[0].message, /electricityFen/);
  assert.ok(r.some((x) => x.code === 'price_mismatch'));
  const neg = priced([{ wh: 25_370, start: T0, end: T1 }], 150);
  neg.idle!.fen = -150;
  neg.idleFeeFen = -150;
  neg.totalFen = neg.electricityFen + neg.serviceFen - 150;
  assert.ok(codes(base({ priced: neg })).includes('negative_value'));
});

test('meter rollback from the numbers (figures) or from the session flag (session)', () => {
  const r = detectAnomalies(base({ meterStopWh: 999_000, priced: priced([]) }));
  assert.deepEqual(r.map((x) => [x.code, x.kind]), [['meter_rollback', 'figures']]);
  const f = detectAnomalies(base({ sessionFlags: ['meter_rollback'] }));
  assert.deepEqual(f.map((x) => [x.code, x.kind]), [['meter_rollback', 'session']]);
});

test('energy above rated power × duration × 1.1, exactly at the edge', () => {
  // 60 kW for exactly one hour: 66 000 Wh allowed, 66 001 is not
  const end = T0 + 3_600_000;
  const ok = base({ endAt: end, meterStopWh: 1_066_000, priced: priced([{ wh: 66_000, start: T0, end }]) });
  assert.deepEqual(codes(ok), []);
  const bad = base({ endAt: end, meterStopWh: 1_066_001, priced: priced([{ wh: 66_001, start: T0, end }]) });
  assert.deepEqual(codes(bad), ['energy_above_rated_power']);
  assert.deepEqual(codes({ ...bad, ratedPowerW: null }), [], 'unknown rated power skips the rule');
});

test('a long session with no energy; the hours are configurable', () => {
  const end = T0 + 5 * 3_600_000;
  const i = base({ endAt: end, now: end, meterStopWh: 1_000_000, priced: priced([{ wh: 0, start: T0, end }]) });
  assert.deepEqual(codes(i), ['long_session_no_energy']);
  assert.deepEqual(detectAnomalies(i, { ...DEFAULT_LIMITS, longSessionHours: 6 }).map((r) => r.code), []);
  const some = base({ endAt: end, now: end, meterStopWh: 1_000_011, priced: priced([{ wh: 11, start: T0, end }]) });
  assert.deepEqual(codes(some), []);
});

test('end before start, end in the future (beyond clock skew), start in the future', () => {
  assert.ok(codes(base({ endAt: T0 - 1000, priced: null })).includes('end_before_start'));
  const now = T1 + 60_000; // within 5 minutes of skew: fine
  assert.deepEqual(codes(base({ now })), []);
  assert.deepEqual(codes(base({ now: T1 - 10 * 60_000 })), ['end_in_future']);
});

test('still running after 24 h, as a live placeholder or as a flag on the finished session', () => {
  const live = base({ sessionStatus: 'active', endAt: null, meterStopWh: null, priced: null, now: T0 + 25 * 3_600_000 });
  assert.deepEqual(codes(live), ['still_running_24h']);
  assert.deepEqual(codes({ ...live, now: T0 + 23 * 3_600_000 }), []);
  assert.deepEqual(codes(base({ sessionFlags: ['still_running_24h'] })), ['still_running_24h']);
});

test('missing StopTransaction and rejected id tags are session facts', () => {
  const r = detectAnomalies(base({ sessionFlags: ['no_stop'] }));
  assert.deepEqual(r.map((x) => [x.code, x.kind]), [['missing_stop', 'session']]);
  for (const s of ['Invalid', 'Blocked', 'Expired']) assert.deepEqual(codes(base({ idTagStatus: s })), ['id_tag_rejected'], s);
  assert.deepEqual(codes(base({ idTagStatus: null, sessionFlags: ['unknown_id_tag'] })), ['id_tag_rejected']);
  assert.deepEqual(codes(base({ idTagStatus: 'ConcurrentTx' })), []);
  assert.deepEqual(codes(base({ idTagStatus: null })), [], 'a partner session has no tag');
  assert.deepEqual(codes(base({ idleEndAssumed: true })), ['idle_unplug_missing']);
  assert.deepEqual(codes(base({ sessionFlags: ['offline_late'] })), [], 'a late but complete session is fine');
});

test('parts not adding up: energy, money, idle, total, gaps and overlaps', () => {
  const mid = T0 + 1_000_000;
  const good = priced([{ wh: 10_000, start: T0, end: mid }, { wh: 15_370, start: mid, end: T1, type: 'valley', e: 3000, s: 4000 }], 150);
  assert.deepEqual(arithmeticProblems(good, T0, T1), []);
  const energy = structuredClone(good);
  energy.billedWh += 1;
  assert.match(arithmeticProblems(energy, T0, T1).join(), /period energy/);
  const total = structuredClone(good);
  total.totalFen += 1;
  assert.match(arithmeticProblems(total, T0, T1).join(), /total/);
  const idle = structuredClone(good);
  idle.idleFeeFen = 100;
  idle.totalFen -= 50;
  assert.match(arithmeticProblems(idle, T0, T1).join(), /idle fee/);
  const gap = structuredClone(good);
  gap.periods[1].start += 1000;
  assert.match(arithmeticProblems(gap, T0, T1).join(), /gap/);
  const overlap = structuredClone(good);
  overlap.periods[1].start -= 1000;
  assert.match(arithmeticProblems(overlap, T0, T1).join(), /overlap/);
  const outside = structuredClone(good);
  outside.periods[1].end = T1 + 5000;
  assert.match(arithmeticProblems(outside, T0, T1).join(), /outside/);
  assert.deepEqual(codes(base({ priced: total })), ['parts_do_not_add_up']);
});

test('price not matching the tariff: unknown prices, wrong version, wrong rounding; calendar prices are known', () => {
  const p = priced([{ wh: 25_370, start: T0, end: T1, e: 7100 }]);
  assert.match(priceProblems(p, tariff).join(), /not in tariff version 7/);
  assert.deepEqual(priceProblems(priced([{ wh: 25_370, start: T0, end: T1, type: 'sharp', e: 12000 }]), tariff), []);
  const v = priced([{ wh: 25_370, start: T0, end: T1 }]);
  v.tariffVersionId = 8;
  assert.match(priceProblems(v, tariff).join(), /version 8/);
  const r = priced([{ wh: 25_370, start: T0, end: T1 }]);
  r.periods[0].serviceFen += 1;
  r.serviceFen += 1;
  r.totalFen += 1;
  assert.match(priceProblems(r, tariff).join(), /service amount/);
  assert.deepEqual(codes(base({ priced: p })), ['price_mismatch']);
});

test('property: a consistently priced, physically plausible session is never abnormal', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 5000 }), (whs, idle) => {
      const step = 600_000;
      const p = priced(whs.map((wh, n) => ({ wh, start: T0 + n * step, end: T0 + (n + 1) * step, ...(n % 2 ? { type: 'valley' as const, e: 3000, s: 4000 } : {}) })), idle);
      const end = T0 + whs.length * step;
      const total = whs.reduce((a, b) => a + b, 0);
      const i = base({ endAt: end, meterStopWh: 1_000_000 + total, priced: p, ratedPowerW: 200_000, now: end });
      return detectAnomalies(i).length === 0 || (total <= 10 && end - T0 > 4 * 3_600_000);
    }),
  );
});

test('property: breaking any one figure of a priced result is always caught', () => {
  const keys = ['billedWh', 'electricityFen', 'serviceFen', 'idleFeeFen', 'totalFen'] as const;
  fc.assert(
    fc.property(fc.constantFrom(...keys), fc.integer({ min: 1, max: 1000 }), (k, d) => {
      const p = priced([{ wh: 25_370, start: T0, end: T1 }], 150);
      p[k] += d;
      return codes(base({ priced: p })).includes('parts_do_not_add_up');
    }),
  );
});

test('no tariff: priced at zero with the stand-in version, held as a figures reason', () => {
  const p = priced([{ wh: 25_370, start: T0, end: T1, e: 0, s: 0 }]);
  p.tariffVersionId = 0;
  const r = detectAnomalies(base({ priced: p, tariff: NO_TARIFF }));
  assert.deepEqual(r.map((x) => [x.code, x.kind]), [['no_tariff', 'figures']]);
});

test('a session started with a card already charging elsewhere is held (concurrent_tx)', () => {
  assert.deepEqual(codes(base({ sessionFlags: ['concurrent_tx'] })), ['concurrent_tx']);
});
