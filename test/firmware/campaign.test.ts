import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { SimulatedCharger } from '../../src/modules/ocpp/simulator/charger.ts';

// Issue 13, "done when": a campaign over 50 simulated chargers, some told to fail the download or
// the install, proceeds wave by wave (5 %, 25 %, 100 %: 3, 10, 37 chargers), gets a charger that was
// offline its command when it comes back, halts when the last wave's failures pass 20 %, and ends
// with the inventory showing the new version exactly where the upgrade succeeded.
const N = 50;
const id = (i: number) => `FW${String(i).padStart(4, '0')}`;
const key = (i: number) => `key-firmware-${String(i).padStart(6, '0')}`;
/** by position (ids sort in this order): wave 1 = 0..2, wave 2 = 3..12, wave 3 = 13..49 */
const mode = (i: number): 'succeed' | 'download_fail' | 'install_fail' => (i === 3 ? 'download_fail' : i === 4 ? 'install_fail' : i >= 13 && i < 22 ? (i % 2 ? 'install_fail' : 'download_fail') : 'succeed');
const OFFLINE = 7; // in wave 2: offline when its wave starts
const doc: any = minimalDoc();
for (let i = 0; i < N; i++) doc.operators[0].stations[0].chargers.push({ id: id(i), authKey: key(i), connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }] });

let p: TestPlatform;
let admin: string;
const sims: SimulatedCharger[] = [];
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
const until = async <T>(fn: () => Promise<T | null | undefined | false>, what: string, ms = 90_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

before(async () => {
  const port = await freePort();
  p = await startTestPlatform({ provisioning: doc, env: { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` } });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  const url = p.url.replace(/^http/, 'ws') + '/ocpp';
  for (let i = 0; i < N; i++) sims.push(new SimulatedCharger({ url, id: id(i), authKey: key(i), connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }], vendor: 'Sinexcel', model: 'STM32-DC60', firmware: '1.0.7', firmwareUpdate: mode(i) }));
  await Promise.all(sims.map((s) => s.connect()));
});
after(async () => {
  await Promise.allSettled(sims.map((s) => s.close()));
  await p?.close();
});

test('inventory and advisories: every Sinexcel STM32 1.x charger is flagged', async () => {
  const bad = await p.api('PUT', '/api/v1/firmware/advisories', { items: [{ id: 'SX-1', vendor: 'Sinexcel', modelPattern: '(', versionPattern: '^1', text: 'x', severity: 'high' }] }, admin);
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /items\[0\]\.modelPattern/);
  const ok = await p.api('PUT', '/api/v1/firmware/advisories', { items: [{ id: 'SX-1', vendor: 'Sinexcel', modelPattern: 'STM32', versionPattern: '^1\\.', text: 'scan-to-charge sequence charges without a bill (case 1)', severity: 'critical' }] }, admin);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const inv = (await p.api('GET', '/api/v1/firmware/inventory', undefined, admin)).body.items as any[];
  assert.equal(inv.filter((c) => c.advisories.includes('SX-1')).length, N);
  assert.deepEqual(inv.find((c) => c.chargerId === id(0)), { chargerId: id(0), stationId: 's1', vendor: 'Sinexcel', model: 'STM32-DC60', firmwareVersion: '1.0.7', advisories: ['SX-1'] });
});

test('a campaign over 50 chargers: waves, an offline charger served on return, halt at the threshold, inventory exact', { timeout: 240_000 }, async () => {
  const up = await fetch(`${p.url}/api/v1/firmware/files?name=sx-2.0.1.bin&version=2.0.1`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream' }, body: 'SINEXCEL FIRMWARE version=2.0.1\n' });
  assert.equal(up.status, 201);
  const file = await up.json();
  assert.match(file.sha256, /^[0-9a-f]{64}$/);
  await sims[OFFLINE].close();
  await until(async () => !(await p.api('GET', `/api/v1/chargers/${id(OFFLINE)}`, undefined, admin)).body.connected, 'the charger to be offline');

  const c = await p.api('POST', '/api/v1/firmware/campaigns', { fileId: file.id, target: { advisoryId: 'SX-1' } }, admin);
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.deepEqual(c.body.progress.map((w: any) => w.total), [3, 10, 37]);
  const get = async () => (await p.api('GET', `/api/v1/firmware/campaigns/${c.body.id}`, undefined, admin)).body;
  const stateOf = (x: any, i: number) => x.chargers.find((t: any) => t.chargerId === id(i)).state;

  // wave 2 starts once wave 1 succeeded (confirmed by BootNotification), and waits for the offline charger
  let x = await until(async () => ((await get()).currentWave === 2 ? get() : null), 'wave 2');
  assert.deepEqual(x.progress[0], { wave: 1, total: 3, succeeded: 3, failed: 0, inProgress: 0 });
  assert.equal(stateOf(x, 20), 'waiting', 'wave 3 not started');
  x = await until(async () => {
    const y = await get();
    return y.progress[1].inProgress === 1 && stateOf(y, OFFLINE) === 'waiting' && y;
  }, 'wave 2 done but for the offline charger');
  assert.equal(x.currentWave, 2);
  assert.equal(x.progress[1].failed, 2, 'a download and an install failure: 20 %, not above the threshold');
  // it comes back: the command reaches it, it upgrades, and wave 3 begins
  const back = new SimulatedCharger({ ...sims[OFFLINE].opts });
  sims[OFFLINE] = back;
  await back.connect();
  x = await until(async () => {
    const y = await get();
    return y.status === 'halted' && y.progress[2].inProgress === 0 && y;
  }, 'the campaign to halt in wave 3 and the wave to settle');
  assert.equal(stateOf(x, OFFLINE), 'succeeded');
  assert.match(x.haltedReason, /wave 3: \d+ of 37 failed, above the 20 % threshold/);
  assert.equal(x.progress[2].failed, 9);
  assert.equal(x.progress[2].succeeded, 28);

  // the inventory: the new version exactly where the upgrade succeeded, the advisory only where it did not
  const inv = new Map(((await p.api('GET', '/api/v1/firmware/inventory', undefined, admin)).body.items as any[]).map((i) => [i.chargerId, i]));
  for (const t of x.chargers) {
    const i = inv.get(t.chargerId);
    assert.equal(i.firmwareVersion, t.state === 'succeeded' ? '2.0.1' : '1.0.7', t.chargerId);
    assert.deepEqual(i.advisories, t.state === 'succeeded' ? [] : ['SX-1'], t.chargerId);
  }
  // download only with the token
  assert.equal((await fetch(`${p.url}/api/v1/firmware/download/${c.body.id}/wrong/sx-2.0.1.bin`)).status, 404);

  // retry one failed charger (now told to succeed), and resume into... nothing left: completed
  const failed = x.chargers.find((t: any) => t.state === 'failed' && t.wave === 3).chargerId;
  const idx = Number(failed.slice(2));
  (sims[idx].opts as any).firmwareUpdate = 'succeed';
  assert.equal((await p.api('POST', `/api/v1/firmware/campaigns/${c.body.id}/chargers/${failed}/retry`, undefined, admin)).status, 200);
  await until(async () => stateOf(await get(), idx) === 'succeeded' && true, 'the retried charger to succeed');
  const r = await p.api('POST', `/api/v1/firmware/campaigns/${c.body.id}/resume`, undefined, admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'completed');
});

test('pause holds a campaign where it is (no wave advances, waiting chargers get nothing); resume carries on', { timeout: 120_000 }, async () => {
  const up = await fetch(`${p.url}/api/v1/firmware/files?name=sx-2.0.2.bin&version=2.0.2`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream' }, body: 'SINEXCEL FIRMWARE version=2.0.2\n' });
  const file = await up.json();
  const c = await p.api('POST', '/api/v1/firmware/campaigns', { fileId: file.id, target: { chargerIds: [id(0), id(1), id(2)] }, waves: [33, 66, 100] }, admin);
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const paused = await p.api('POST', `/api/v1/firmware/campaigns/${c.body.id}/pause`, undefined, admin);
  assert.equal(paused.status, 200, JSON.stringify(paused.body));
  assert.equal(paused.body.status, 'paused');
  assert.match(paused.body.haltedReason, /paused by op1-admin/);
  const wave = paused.body.currentWave as number;
  const get = async () => (await p.api('GET', `/api/v1/firmware/campaigns/${c.body.id}`, undefined, admin)).body;
  // the chargers already sent finish; nothing more happens while paused
  await until(async () => (await get()).progress[wave - 1].inProgress === 0, 'the current wave to settle');
  await new Promise((r) => setTimeout(r, 1000));
  const x = await get();
  assert.equal(x.status, 'paused');
  assert.equal(x.currentWave, wave);
  assert.ok(wave < 3, 'paused before the last wave');
  assert.deepEqual(x.chargers.filter((t: any) => t.wave > wave).map((t: any) => t.state), Array(3 - wave).fill('waiting'));
  assert.equal((await p.api('POST', `/api/v1/firmware/campaigns/${c.body.id}/pause`, undefined, admin)).status, 409);
  const r = await p.api('POST', `/api/v1/firmware/campaigns/${c.body.id}/resume`, undefined, admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const done = await until(async () => {
    const y = await get();
    return y.status === 'completed' && y;
  }, 'the campaign to complete');
  assert.deepEqual(done.chargers.map((t: any) => t.state), ['succeeded', 'succeeded', 'succeeded']);
  const staff = await p.login('op1-staff', 'op1-staff-pass');
  assert.equal((await p.api('POST', `/api/v1/firmware/campaigns/${c.body.id}/pause`, undefined, staff)).status, 403);
});
