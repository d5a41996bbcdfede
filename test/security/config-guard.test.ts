import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { SimulatedCharger } from '../../src/modules/ocpp/simulator/charger.ts';

// Issue 13 point 2: the configuration guard shows drift for a charger that rejects a key (the
// simulator does not know MaxEnergyOnInvalidId: NotSupported). Off until the operator turns it on.
const A = '44030700030000200016';
const B = '44030700030000200017';
let p: TestPlatform;
let admin: string;
const sims: SimulatedCharger[] = [];
const until = async <T>(fn: () => Promise<T | null | false>, what: string, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  admin = await p.login('op1-admin', 'op1-admin-pass');
});
after(async () => {
  await Promise.allSettled(sims.map((s) => s.close()));
  await p?.close();
});

test('off by default: a boot sends no configuration command', async () => {
  const url = p.url.replace(/^http/, 'ws') + '/ocpp';
  const s = new SimulatedCharger({ url, id: B, authKey: 'key-0000000000000017', connectors: [{ id: 1, type: 'AC', maxPowerKw: 7 }] });
  s.setConfigValue('StopTransactionOnInvalidId', 'false');
  sims.push(s);
  await s.connect();
  await p.ctx.services.incidents!.drain();
  assert.equal(s.config.get('StopTransactionOnInvalidId')!.value, 'false');
  assert.deepEqual((await p.api('GET', `/api/v1/chargers/${B}/configuration-drift`, undefined, admin)).body, { chargerId: B, items: [] });
});

test('turned on: the keys are set and read back at boot; a rejected key is drift on the charger and in the fleet report', async () => {
  const put = await p.api('PUT', '/api/v1/incidents/configuration-guard', { enabled: true }, admin);
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual(put.body.keys.map((k: any) => k.key), ['StopTransactionOnInvalidId', 'MaxEnergyOnInvalidId']);
  const url = p.url.replace(/^http/, 'ws') + '/ocpp';
  const s = new SimulatedCharger({ url, id: A, authKey: 'key-0000000000000016', connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }] });
  s.setConfigValue('StopTransactionOnInvalidId', 'false');
  sims.push(s);
  await s.connect();
  const items = await until(async () => {
    const r = await p.api('GET', `/api/v1/chargers/${A}/configuration-drift`, undefined, admin);
    return r.body.items.length === 2 && r.body.items;
  }, 'the guard to check the charger');
  const byKey = Object.fromEntries(items.map((x: any) => [x.key, x]));
  assert.equal(s.config.get('StopTransactionOnInvalidId')!.value, 'true', 'the charger was set');
  assert.deepEqual([byKey.StopTransactionOnInvalidId.changeStatus, byKey.StopTransactionOnInvalidId.actual, byKey.StopTransactionOnInvalidId.drift], ['Accepted', 'true', false]);
  assert.deepEqual([byKey.MaxEnergyOnInvalidId.changeStatus, byKey.MaxEnergyOnInvalidId.actual, byKey.MaxEnergyOnInvalidId.drift], ['NotSupported', null, true]);
  const fleet = await p.api('GET', '/api/v1/incidents/configuration-guard', undefined, admin);
  assert.deepEqual(fleet.body.drift, [{ chargerId: A, keys: ['MaxEnergyOnInvalidId'] }]);
  const other = await p.login('op2-admin', 'op2-admin-pass');
  assert.equal((await p.api('GET', `/api/v1/chargers/${A}/configuration-drift`, undefined, other)).status, 404);
});
