import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { peekDriverCode } from '../../src/modules/web/driver-auth.ts';
import { SimulatedCharger } from '../../src/modules/ocpp/simulator/charger.ts';

const DC = '44030700030000200016';
let p: TestPlatform;
let sim: SimulatedCharger;

const tokens = new Map<string, string>();
async function driverToken(operatorId: string, phone: string) {
  const have = tokens.get(`${operatorId}|${phone}`);
  if (have) return have; // one code per phone per minute
  const r = await p.api('POST', '/api/v1/driver-auth/code', { operatorId, phone });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const l = await p.api('POST', '/api/v1/driver-auth/login', { operatorId, phone, code: peekDriverCode(operatorId, phone) });
  assert.equal(l.status, 200);
  tokens.set(`${operatorId}|${phone}`, l.body.token);
  return l.body.token as string;
}

const until = async <T>(f: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  sim = new SimulatedCharger({ url: p.url.replace(/^http/, 'ws') + '/ocpp', id: DC, authKey: 'key-0000000000000016', connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }, { id: 2, type: 'DC', maxPowerKw: 60 }], speed: 1 / 60, meterIntervalS: 1 });
  await sim.connect();
  await sim.boot();
  await sim.sendStatus(1, 'Available');
  await sim.sendStatus(2, 'Available');
});
after(async () => {
  await sim?.close().catch(() => {});
  await p?.close();
});

test('the gun view is public with ?operatorId=, shows price now and the day’s periods, and never another operator’s charger', async () => {
  const r = await p.api('GET', `/api/v1/h5/connectors/${DC}/1?operatorId=op1`);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'Available');
  assert.equal(r.body.station.name, '永湖站');
  assert.deepEqual(
    r.body.periods.map((x: any) => [x.start, x.end, x.type]),
    [['00:00', '08:00', 'valley'], ['08:00', '23:00', 'flat'], ['23:00', '24:00', 'valley']],
  );
  assert.match(r.body.priceNow.price, /^\d+\.\d{4}$/);
  assert.deepEqual(r.body.idleFee, { graceMinutes: 10, pricePerMinute: '0.5000', capPerSession: '20.00' });
  assert.equal((await p.api('GET', `/api/v1/h5/connectors/${DC}/1?operatorId=op2`)).status, 404, 'not op2’s charger');
  assert.equal((await p.api('GET', `/api/v1/h5/connectors/${DC}/9?operatorId=op1`)).status, 404, 'no gun 9');
  assert.equal((await p.api('GET', `/api/v1/h5/connectors/${DC}/1`)).status, 401, 'without operator nor login');
  const t2 = await driverToken('op2', '13900000001');
  assert.equal((await p.api('GET', `/api/v1/h5/connectors/${DC}/1?operatorId=op1`, undefined, t2)).status, 404, 'a driver’s token pins its operator');
});

test('driver endpoints need a driver token; staff and anonymous callers are refused', async () => {
  const staff = await p.login('op1-staff', 'op1-staff-pass');
  for (const path of ['/api/v1/h5/wallet', '/api/v1/h5/orders', '/api/v1/h5/sessions/current']) {
    assert.equal((await p.api('GET', path)).status, 401, path);
    assert.equal((await p.api('GET', path, undefined, staff)).status, 403, path);
  }
});

test('start refused: charger offline-or-foreign, gun busy, not enough balance; a driver cannot stop another’s session', async () => {
  const poor = await driverToken('op1', '13800000003'); // balance 0
  const r = await p.api('POST', '/api/v1/h5/sessions', { chargerId: DC, connectorId: 1 }, poor);
  assert.equal(r.status, 402);
  assert.equal(r.body.error.code, 'insufficient_balance');
  const other = await driverToken('op2', '13900000002');
  assert.equal((await p.api('POST', '/api/v1/h5/sessions', { chargerId: DC, connectorId: 1 }, other)).status, 404);
  const offline = await p.api('POST', '/api/v1/h5/sessions', { chargerId: '44030700030000200017', connectorId: 1 }, await driverToken('op1', '18475511853'));
  assert.equal(offline.status, 409);
  assert.match(offline.body.error.message, /offline/);
});

test('start from the wallet → live figures of the own session only → stop → the order in the driver’s history', async () => {
  const me = await driverToken('op1', '13700000001');
  // a new driver: registered at first login, balance 0, cannot start until staff credit the wallet
  assert.deepEqual((await p.api('GET', '/api/v1/h5/wallet', undefined, me)).body, { phone: '13700000001', name: null, balance: '0.00', owed: '0.00', availableBalance: '0.00', holds: [] });
  const admin = await p.login('op1-admin', 'op1-admin-pass');
  const credit = await p.api('POST', '/api/v1/drivers/13700000001/wallet/adjustments', { amount: '50.00', direction: 'credit', remark: 'welcome' }, admin);
  assert.ok(credit.status < 300, JSON.stringify(credit.body));
  await sim.plugIn(2);
  const s = await p.api('POST', '/api/v1/h5/sessions', { chargerId: DC, connectorId: 2 }, me);
  assert.equal(s.status, 200, JSON.stringify(s.body));
  const cur = await until(async () => {
    const c = await p.api('GET', '/api/v1/h5/sessions/current', undefined, me);
    return c.body.session && Number(c.body.session.energyKwh) > 0 ? c.body.session : null;
  });
  assert.equal(cur.connectorId, 2);
  assert.ok(cur.soc > 0);
  // the start held 30.00 of the 50.00 (issue 11.5): shown in the H5 wallet and on the console's driver page
  const w = (await p.api('GET', '/api/v1/h5/wallet', undefined, me)).body;
  assert.deepEqual([w.balance, w.availableBalance, w.holds.map((h: any) => [h.cause, h.ref, h.amount])], ['50.00', '20.00', [['session', String(cur.id), '30.00']]]);
  const staffView = (await p.api('GET', '/api/v1/drivers/13700000001', undefined, admin)).body;
  assert.deepEqual([staffView.availableBalance, staffView.holds.length], ['20.00', 1]);
  // the gun is busy for anyone else; another driver sees no session of its own and cannot stop this one
  const li = await driverToken('op1', '18475511853');
  assert.equal((await p.api('POST', '/api/v1/h5/sessions', { chargerId: DC, connectorId: 2 }, li)).status, 409);
  assert.equal((await p.api('GET', '/api/v1/h5/sessions/current', undefined, li)).body.session, null);
  assert.equal((await p.api('POST', `/api/v1/h5/sessions/${cur.id}/stop`, undefined, li)).status, 404);
  const stop = await p.api('POST', `/api/v1/h5/sessions/${cur.id}/stop`, undefined, me);
  assert.equal(stop.status, 200);
  await until(async () => (await p.api('GET', '/api/v1/h5/sessions/current', undefined, me)).body.session === null);
  await sim.unplug(2);
  const orders = await until(async () => {
    const o = await p.api('GET', '/api/v1/h5/orders', undefined, me);
    return o.body.items?.length ? o.body.items : null;
  });
  assert.equal(orders.length, 1);
  // settled: the hold is released, available = balance again
  const after = (await p.api('GET', '/api/v1/h5/wallet', undefined, me)).body;
  assert.deepEqual([after.availableBalance, after.holds], [after.balance, []]);
  assert.equal(orders[0].driver.phone, '13700000001');
  assert.ok(orders[0].periods.length >= 1);
  assert.equal((await p.api('GET', '/api/v1/h5/orders', undefined, li)).body.items.length, 0, 'Li sees none of it');
});
