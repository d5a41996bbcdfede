import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { SimulatedCharger } from '../../src/modules/ocpp/simulator/charger.ts';
import { EVASION_SCENARIOS } from '../../src/modules/ocpp/simulator/evasion.ts';

// SECURITY_LIVE_DETECTION=false (the bench's "without the rules" half): the gateway's traffic raises
// no incident live; a history scan over the same time still finds it.
const CP = '44030700030000990001';
const doc: any = minimalDoc();
doc.operators[0].stations[0].chargers.push({ id: CP, authKey: 'key-liveswitch-0001', connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }] });
let p: TestPlatform;
let sim: SimulatedCharger;

before(async () => {
  p = await startTestPlatform({ provisioning: doc, env: { SECURITY_LIVE_DETECTION: 'false' } });
  sim = new SimulatedCharger({ url: p.url.replace(/^http/, 'ws') + '/ocpp', id: CP, authKey: 'key-liveswitch-0001', connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }] });
  await sim.connect();
});
after(async () => {
  await sim?.close().catch(() => {});
  await p?.close();
});

test('with live detection off a security event raises no incident until a history scan finds it', async () => {
  const t0 = Date.now() - 3600_000;
  await EVASION_SCENARIOS.security_event(sim, { t0, idTag: 'CARD0001' });
  await p.ctx.services.incidents!.drain();
  const admin = await p.login('op1-admin', 'op1-admin-pass');
  const list = async () => (await p.api('GET', `/api/v1/incidents?chargerId=${CP}`, undefined, admin)).body.items as any[];
  assert.deepEqual(await list(), []);
  const scan = await p.api('POST', '/api/v1/incidents/scan', { from: new Date(t0 - 3600_000).toISOString(), to: new Date(Date.now() + 3600_000).toISOString() }, admin);
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  assert.deepEqual((await list()).map((i) => i.kind), ['security_event']);
});
