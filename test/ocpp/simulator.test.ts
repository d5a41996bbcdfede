import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { SimulatedCharger } from '../../src/modules/ocpp/simulator/charger.ts';
import { fleetFromDoc, makeCharger } from '../../src/modules/ocpp/simulator/fleet.ts';

// The simulator against the real platform: three chargers through full sessions, then commands
// sent through the HTTP API and answered by the simulator.
let p: TestPlatform;
let token: string;
let sims: SimulatedCharger[] = [];
const doc = minimalDoc();
doc.operators[0].stations[0].chargers.push({
  id: '44030700030000200018',
  authKey: 'key-0000000000000018',
  connectors: [{ id: 1, type: 'DC', maxPowerKw: 120 }],
});

// One driver charges one car at a time (a second start with the same tag is ConcurrentTx): a driver per charger.
(doc.operators[0] as any).drivers.push(
  { phone: '13800000012', name: '王女士', idTags: [{ id: 'CARD0012', status: 'active' }], walletBalance: '200.00' },
  { phone: '13800000013', name: '张先生', idTags: [{ id: 'CARD0013', status: 'active' }], walletBalance: '200.00' },
);
const tags = ['CARD0001', 'CARD0012', 'CARD0013'];

const until = async (cond: () => boolean | Promise<boolean>, what: string, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

before(async () => {
  p = await startTestPlatform({ provisioning: doc });
  token = await p.login('op1-admin', 'op1-admin-pass');
  const url = p.url.replace(/^http/, 'ws') + '/ocpp';
  sims = fleetFromDoc(doc)
    .chargers.filter((c) => c.operatorId === 'op1')
    .map((c) => makeCharger(url, c, { speed: 60, meterIntervalS: 60, vendor: 'Sinexcel', model: 'SIM-DC', firmware: 'V9.9' }));
  await Promise.all(sims.map((s) => s.connect()));
});

after(async () => {
  await Promise.allSettled(sims.map((s) => s.close()));
  await p?.close();
});

test('three simulated chargers boot and show as connected with what they reported', async () => {
  assert.equal(sims.length, 3);
  for (const s of sims) {
    assert.equal(s.bootStatus, 'Accepted');
    const r = await p.api('GET', `/api/v1/chargers/${s.id}`, undefined, token);
    assert.equal(r.status, 200);
    assert.equal(r.body.connected, true);
    assert.equal(r.body.vendor, 'Sinexcel');
    assert.equal(r.body.firmwareVersion, 'V9.9');
  }
});

test('full sessions on three chargers are recorded with their meter samples', async () => {
  const runs = await Promise.all(
    sims.map(async (s, i) => {
      await s.plugIn(1);
      const start = await s.startSession(1, tags[i], { startSoc: 20 });
      assert.equal(start.status, 'Accepted');
      let meters = 0;
      s.on('meter', () => meters++);
      await until(() => meters >= 4, `MeterValues from ${s.id}`);
      const stop = await s.stopSession(1, 'Local');
      await s.unplug(1);
      return { s, tx: start.transactionId!, meterStop: stop!.meterStopWh, meters };
    }),
  );
  for (const { s, tx, meterStop, meters } of runs) {
    const r = await p.api('GET', `/api/v1/sessions/${tx}`, undefined, token);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const session = r.body;
    assert.equal(session.chargerId, s.id);
    assert.equal(session.status, 'finished');
    assert.equal(session.meterStopWh, meterStop);
    assert.ok(meterStop > session.meterStartWh, 'energy was delivered');
    assert.equal(session.stopReason, 'Local');
    const energy = session.samples.filter((x: any) => x.measurand === 'Energy.Active.Import.Register' && x.context === 'Sample.Periodic');
    assert.ok(energy.length >= Math.min(meters, 4), `${energy.length} periodic energy samples stored`);
    const values = energy.map((x: any) => Number(x.value));
    assert.deepEqual(values, [...values].sort((a, b) => a - b), 'register never falls');
    const soc = session.samples.filter((x: any) => x.measurand === 'SoC');
    assert.ok(soc.length >= 4 && soc.every((x: any) => x.location === 'EV'));
    assert.ok(session.samples.some((x: any) => x.measurand === 'Power.Active.Import' && Number(x.value) > 0));
  }
  const list = await p.api('GET', `/api/v1/sessions?status=finished`, undefined, token);
  assert.equal(list.body.items.length, 3);
});

test('commands through the HTTP API reach the simulator and come back with its answer', async () => {
  const s = sims[0];
  const conf = await p.api('POST', `/api/v1/chargers/${s.id}/commands/GetConfiguration`, { key: ['MeterValueSampleInterval'] }, token);
  assert.equal(conf.status, 200, JSON.stringify(conf.body));
  assert.equal(JSON.stringify(conf.body).includes('"value":"60"'), true, JSON.stringify(conf.body));

  const start = await p.api('POST', `/api/v1/chargers/${s.id}/commands/RemoteStartTransaction`, { connectorId: 2, idTag: 'CARD0001' }, token);
  assert.equal(start.status, 200, JSON.stringify(start.body));
  assert.equal(JSON.stringify(start.body).includes('Accepted'), true);
  await until(() => s.state(2).status === 'Charging', 'remote start');
  const tx = s.state(2).transactionId!;
  const stop = await p.api('POST', `/api/v1/chargers/${s.id}/commands/RemoteStopTransaction`, { transactionId: tx }, token);
  assert.equal(stop.status, 200);
  await until(async () => (await p.api('GET', `/api/v1/sessions/${tx}`, undefined, token)).body.status === 'finished', 'remote stop recorded');
  assert.equal((await p.api('GET', `/api/v1/sessions/${tx}`, undefined, token)).body.stopReason, 'Remote');
  await s.unplug(2);

  const boots = { n: 0 };
  s.on('boot', () => boots.n++);
  const reset = await p.api('POST', `/api/v1/chargers/${s.id}/commands/Reset`, { type: 'Soft' }, token);
  assert.equal(reset.status, 200);
  await until(() => boots.n === 1 && s.connected, 'boot after reset');
  await until(async () => (await p.api('GET', `/api/v1/chargers/${s.id}`, undefined, token)).body.connected === true, 'connected after reset');
});
