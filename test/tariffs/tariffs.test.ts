import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { loadTariffVersion, resolveTariffVersionId, tariffVersionForCharger } from '../../src/modules/tariffs/index.ts';

let p: TestPlatform;
let admin: string;
let staff: string;
let other: string;
const C16 = '44030700030000200016';
const C17 = '44030700030000200017';
const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

const periods = (flatPrice: string) => [
  { start: '00:00', type: 'valley', electricityPrice: '0.3000', servicePrice: '0.4000' },
  { start: '08:00', type: 'flat', electricityPrice: flatPrice, servicePrice: '0.8000' },
  { start: '23:00', type: 'valley', electricityPrice: '0.3000', servicePrice: '0.4000' },
];

before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  staff = await p.login('op1-staff', 'op1-staff-pass');
  other = await p.login('op2-admin', 'op2-admin-pass');
});
after(async () => p.close());

test('resolveTariffVersionId: the station tariff, the version in force at the start; null before any version', async () => {
  const v1 = await resolveTariffVersionId(p.ctx.db, 'op1', C16, new Date('2025-06-01T00:00:00Z'));
  assert.ok(v1);
  const v = await loadTariffVersion(p.ctx.db, 'op1', v1!);
  assert.equal(v!.tariffId, 't1');
  assert.deepEqual(v!.periods.map((x) => [x.startMinute, x.type, x.electricityPrice, x.servicePrice]), [[0, 'valley', 3000, 4000], [480, 'flat', 7000, 8000], [1380, 'valley', 3000, 4000]]);
  assert.deepEqual(v!.idleFee, { graceMinutes: 10, pricePerMinute: 5000, capPerSession: 2000 });
  assert.equal(await resolveTariffVersionId(p.ctx.db, 'op1', C16, new Date('2023-12-31T15:59:59Z')), null);
  assert.equal(await resolveTariffVersionId(p.ctx.db, 'op1', C16, new Date('2023-12-31T16:00:00Z')), v1);
  // Tenancy: another operator's charger resolves to nothing; its version is not loadable.
  assert.equal(await resolveTariffVersionId(p.ctx.db, 'op2', C16, new Date('2025-06-01T00:00:00Z')), null);
  assert.equal(await loadTariffVersion(p.ctx.db, 'op2', v1!), null);
});

test('roles and tenancy: staff read, only admins write, other operators see nothing', async () => {
  assert.equal((await p.api('GET', '/api/v1/tariffs')).status, 401);
  const list = await p.api('GET', '/api/v1/tariffs', undefined, staff);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((t: any) => t.id), ['t1']);
  assert.equal(list.body.items[0].versions[0].status, 'in_force');
  assert.equal(list.body.items[0].versions[0].periods[1].electricityPrice, '0.7000');
  assert.equal((await p.api('POST', '/api/v1/tariffs', { id: 'x', name: 'x', versions: [{ effectiveFrom: future(1), periods: periods('0.7') }] }, staff)).status, 403);
  assert.deepEqual((await p.api('GET', '/api/v1/tariffs', undefined, other)).body.items, []);
  assert.equal((await p.api('GET', '/api/v1/tariffs/t1', undefined, other)).status, 404);
  assert.equal((await p.api('PUT', '/api/v1/stations/s1/tariff', { tariffId: null }, other)).status, 404);
  assert.equal((await p.api('PUT', `/api/v1/chargers/${C16}/tariff`, { tariffId: null }, other)).status, 404);
});

test('validation before save, with messages that say what is wrong', async () => {
  const bad = async (body: unknown, re: RegExp) => {
    const r = await p.api('POST', '/api/v1/tariffs', body, admin);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.error.message, re);
  };
  const ok = { id: 'tx', name: 'X', versions: [{ effectiveFrom: '2026-01-01T00:00:00+08:00', periods: periods('0.7000') }] };
  await bad({ ...ok, versions: [{ ...ok.versions[0], periods: periods('0.70001') }] }, /at most 4 decimals/);
  await bad({ ...ok, versions: [{ ...ok.versions[0], periods: periods('0.7').slice(1) }] }, /starts at 00:00/);
  await bad({ ...ok, versions: [{ ...ok.versions[0], periods: [...periods('0.7')].reverse() }] }, /increasing start order|00:00/);
  const many = Array.from({ length: 33 }, (_, i) => ({ start: `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`, type: 'flat', electricityPrice: '1', servicePrice: '1' }));
  await bad({ ...ok, versions: [{ ...ok.versions[0], periods: many }] }, /32/);
  await bad({ ...ok, versions: [{ ...ok.versions[0], calendar: [{ dates: ['02-30'], periods: periods('1') }] }] }, /02-30 is not a calendar date/);
  await bad({ ...ok, versions: [{ ...ok.versions[0], calendar: [{ months: [13], periods: periods('1') }] }] }, /months/);
  assert.equal((await p.api('GET', '/api/v1/tariffs/tx', undefined, admin)).status, 404, 'nothing half-written');
});

test('create, add a future version (never one in force or past), assign to a station and override per charger', async () => {
  const created = await p.api('POST', '/api/v1/tariffs', { id: 'night', name: '夜间优惠', versions: [{ effectiveFrom: '2025-01-01T00:00:00+08:00', periods: periods('0.6500') }] }, admin);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.versions.length, 1);
  const first = created.body.currentVersionId;
  assert.equal((await p.api('POST', '/api/v1/tariffs', { id: 'night', name: 'dup', versions: [{ effectiveFrom: future(1), periods: periods('1') }] }, admin)).status, 409);

  const past = await p.api('POST', '/api/v1/tariffs/night/versions', { effectiveFrom: '2025-06-01T00:00:00+08:00', periods: periods('0.9000') }, admin);
  assert.equal(past.status, 409);
  assert.equal(past.body.error.code, 'version_in_past');
  const eff = future(30);
  const next = await p.api('POST', '/api/v1/tariffs/night/versions', { effectiveFrom: eff, periods: periods('0.9000') }, admin);
  assert.equal(next.status, 201, JSON.stringify(next.body));
  assert.deepEqual(next.body.versions.map((v: any) => v.status), ['in_force', 'scheduled']);
  assert.equal(next.body.currentVersionId, first);
  assert.equal((await p.api('POST', '/api/v1/tariffs/night/versions', { effectiveFrom: eff, periods: periods('1.0000') }, admin)).status, 409);

  // Charger 17 gets its own tariff; charger 16 keeps the station's (t1).
  assert.equal((await p.api('PUT', `/api/v1/chargers/${C17}/tariff`, { tariffId: 'nope' }, admin)).status, 400);
  assert.equal((await p.api('PUT', `/api/v1/chargers/${C17}/tariff`, { tariffId: 'night' }, admin)).status, 200);
  const now = new Date();
  const v17 = await tariffVersionForCharger(p.ctx.db, 'op1', C17, now);
  assert.equal(v17!.tariffId, 'night');
  assert.equal(v17!.id, first);
  assert.equal((await tariffVersionForCharger(p.ctx.db, 'op1', C16, now))!.tariffId, 't1');
  // A session starting after the scheduled version takes effect gets the new one.
  const later = await resolveTariffVersionId(p.ctx.db, 'op1', C17, new Date(Date.parse(eff) + 1000));
  assert.notEqual(later, first);
  assert.equal((await loadTariffVersion(p.ctx.db, 'op1', later!))!.periods[1].electricityPrice, 9000);

  // The station moves to "night"; clearing the override falls back to the station's tariff.
  assert.equal((await p.api('PUT', '/api/v1/stations/s1/tariff', { tariffId: 'night' }, admin)).status, 200);
  assert.equal((await p.api('PUT', `/api/v1/chargers/${C17}/tariff`, { tariffId: null }, admin)).status, 200);
  assert.equal((await tariffVersionForCharger(p.ctx.db, 'op1', C16, now))!.tariffId, 'night');
  assert.equal((await tariffVersionForCharger(p.ctx.db, 'op1', C17, now))!.tariffId, 'night');
  assert.equal((await p.api('PUT', '/api/v1/stations/s1/tariff', { tariffId: 't1' }, admin)).status, 200);
  assert.equal((await p.api('PUT', '/api/v1/stations/nope/tariff', { tariffId: 't1' }, admin)).status, 404);
});

test('preview prices a session with a stored tariff or an unsaved definition; the periods of a day', async () => {
  const body = {
    tariffId: 't1',
    startAt: '2026-03-10T22:30:00+08:00',
    endAt: '2026-03-10T23:30:00+08:00',
    meterStartWh: 500,
    meterStopWh: 20_500,
    samples: [{ at: '2026-03-10T22:50:00+08:00', wh: 15_500 }, { at: '2026-03-10T23:10:00+08:00', wh: 18_500 }],
    idle: { chargingEndedAt: '2026-03-10T23:30:00+08:00', unpluggedAt: '2026-03-10T23:56:31+08:00' },
  };
  const r = await p.api('POST', '/api/v1/tariffs/preview', body, staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // flat 16500 Wh: 11.55 + 13.20; valley 3500 Wh: 1.05 + 1.40; idle 26 min - 10 grace = 16 × 0.50 = 8.00
  assert.deepEqual(r.body.periods.map((x: any) => [x.type, x.energyKwh, x.electricityAmount, x.serviceAmount]), [
    ['flat', '16.50', '11.55', '13.20'],
    ['valley', '3.50', '1.05', '1.40'],
  ]);
  assert.equal(r.body.periods[0].start, '2026-03-10T14:30:00.000Z');
  assert.equal(r.body.idleFee, '8.00');
  assert.equal(r.body.totalAmount, '35.20');
  assert.equal(r.body.energyKwh, '20.00');
  assert.equal(r.body.timeZone, 'Asia/Shanghai');

  const unsaved = await p.api('POST', '/api/v1/tariffs/preview', { ...body, tariffId: undefined, definition: { periods: [{ start: '00:00', type: 'flat', electricityPrice: '1.0000', servicePrice: '0' }] }, idle: undefined }, staff);
  assert.equal(unsaved.status, 200, JSON.stringify(unsaved.body));
  assert.equal(unsaved.body.totalAmount, '20.00');
  assert.equal((await p.api('POST', '/api/v1/tariffs/preview', { ...body, tariffId: undefined }, staff)).status, 400);
  assert.equal((await p.api('POST', '/api/v1/tariffs/preview', { ...body, tariffId: 't1' }, other)).status, 404);

  const day = await p.api('GET', '/api/v1/tariffs/t1/periods?date=2026-03-10', undefined, staff);
  assert.equal(day.status, 200);
  assert.deepEqual(day.body.periods.map((x: any) => [x.startTime, x.type, x.electricityPriceYuan]), [['000000', 'valley', '0.3000'], ['080000', 'flat', '0.7000'], ['230000', 'valley', '0.3000']]);
});

test('a session across a tariff version change is priced entirely with the version in force at its start', async () => {
  const r = await p.api('POST', '/api/v1/tariffs', {
    id: 'vchange',
    name: 'Version change',
    versions: [
      { effectiveFrom: '2025-01-01T00:00:00+08:00', periods: periods('0.7000') },
      { effectiveFrom: '2025-03-10T23:00:00+08:00', periods: periods('0.9000') },
    ],
  }, admin);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const [v1, v2] = r.body.versions.map((v: any) => v.id);
  assert.deepEqual(r.body.versions.map((v: any) => v.status), ['superseded', 'in_force']);
  assert.equal((await p.api('PUT', `/api/v1/chargers/${C17}/tariff`, { tariffId: 'vchange' }, admin)).status, 200);
  // The OCPP gateway freezes the version at StartTransaction (22:30): v1, though v2 starts at 23:00.
  assert.equal(await resolveTariffVersionId(p.ctx.db, 'op1', C17, new Date('2025-03-10T22:30:00+08:00')), v1);
  assert.equal(await resolveTariffVersionId(p.ctx.db, 'op1', C17, new Date('2025-03-10T23:00:00+08:00')), v2);
  assert.equal((await p.api('PUT', `/api/v1/chargers/${C17}/tariff`, { tariffId: null }, admin)).status, 200);
  // 22:30-23:30, 20 kWh linear, v1 throughout: flat 10000 Wh × 0.70 = 7.00, × 0.80 = 8.00;
  // valley 10000 × 0.30 = 3.00, × 0.40 = 4.00 → 22.00 (with v2's flat 0.90 it would have been 24.00).
  const body = { tariffId: 'vchange', startAt: '2025-03-10T22:30:00+08:00', endAt: '2025-03-10T23:30:00+08:00', meterStartWh: 0, meterStopWh: 20_000 };
  const priced = await p.api('POST', '/api/v1/tariffs/preview', body, staff);
  assert.equal(priced.body.tariffVersionId, v1);
  assert.deepEqual(priced.body.periods.map((x: any) => [x.type, x.electricityPrice, x.electricityAmount, x.serviceAmount]), [
    ['flat', '0.7000', '7.00', '8.00'],
    ['valley', '0.3000', '3.00', '4.00'],
  ]);
  assert.equal(priced.body.totalAmount, '22.00');
  const withV2 = await p.api('POST', '/api/v1/tariffs/preview', { ...body, tariffId: undefined, versionId: v2 }, staff);
  assert.equal(withV2.body.totalAmount, '24.00');
});

test('a scheduled version may be replaced until it takes effect; one in force never', async () => {
  const eff = future(10);
  const add = await p.api('POST', '/api/v1/tariffs/t1/versions', { effectiveFrom: eff, periods: periods('0.8000') }, admin);
  assert.equal(add.status, 201);
  const sched = add.body.versions.find((v: any) => v.status === 'scheduled');
  const inForce = add.body.currentVersionId;
  const put = await p.api('PUT', `/api/v1/tariffs/t1/versions/${sched.id}`, { effectiveFrom: future(12), periods: periods('0.8500') }, admin);
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(put.body.versions.find((v: any) => v.id === sched.id).periods[1].electricityPrice, '0.8500');
  const frozen = await p.api('PUT', `/api/v1/tariffs/t1/versions/${inForce}`, { effectiveFrom: future(20), periods: periods('0.1000') }, admin);
  assert.equal(frozen.status, 409);
  assert.equal(frozen.body.error.code, 'version_in_force');
  assert.equal((await loadTariffVersion(p.ctx.db, 'op1', inForce))!.periods[1].electricityPrice, 7000);
  assert.equal((await p.api('PUT', `/api/v1/tariffs/t1/versions/${sched.id}`, { effectiveFrom: future(12), periods: periods('0.8500') }, staff)).status, 403);
  assert.equal((await p.api('PUT', `/api/v1/tariffs/t1/versions/${sched.id}`, { effectiveFrom: future(12), periods: periods('0.8500') }, other)).status, 404);
});

test('the OpenAPI document lists the tariff routes', async () => {
  const o = await p.api('GET', '/api/v1/openapi.json');
  for (const path of ['/api/v1/tariffs', '/api/v1/tariffs/{id}', '/api/v1/tariffs/{id}/versions', '/api/v1/tariffs/preview', '/api/v1/stations/{id}/tariff', '/api/v1/chargers/{id}/tariff'])
    assert.ok(o.body.paths[path], path);
});
