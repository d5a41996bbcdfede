/**
 * The README's tour on the demo data: the driver it names (18475511853) can start a charge from the
 * H5 on a demo charger and stop it, while the demo's simulated chargers keep cycling sessions.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { peekDriverCode } from '../../src/modules/web/driver-auth.ts';
import { startDemoSimulation, simulationIdTags } from '../../src/modules/ocpp/simulator/demo.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const doc = JSON.parse(readFileSync(new URL('../../examples/demo.json', import.meta.url), 'utf8'));
const PHONE = /driver's phone,\s*e\.g\.\s*`(\d{11})`/.exec(README)?.[1];
let p: TestPlatform;

before(async () => {
  p = await startTestPlatform({ provisioning: doc, env: { DEMO_SIMULATE: 'true' } });
  // the demo document has no charger keys: provisioning made them up (npm start hands fresh ones over the same way)
  const keys = new Map(p.generated.chargers.map((c) => [c.id, c.authKey]));
  for (const s of doc.operators[0].stations) for (const c of s.chargers) c.authKey = keys.get(c.id);
  await startDemoSimulation(p, doc);
});
after(async () => {
  await p?.stop(); // startDemoSimulation wraps stop(): closes the simulated chargers first
  await p?.close();
});

const until = async <T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

test('the simulated demo sessions never use the cards of the driver the README names', () => {
  assert.equal(PHONE, '18475511853', 'the README names a driver');
  const cards = doc.operators[0].drivers.find((d: any) => d.phone === PHONE).idTags.map((t: any) => t.id);
  const used = simulationIdTags(doc, new Date());
  assert.ok(used.length >= 2, 'other drivers still charge');
  for (const c of cards) assert.ok(!used.includes(c), `card ${c} of ${PHONE} is left free`);
});

test("the README's driver starts a charge from the H5 on a demo charger and stops it", async () => {
  const operatorId = doc.operators[0].id;
  assert.equal((await p.api('POST', '/api/v1/driver-auth/code', { operatorId, phone: PHONE })).status, 200);
  const login = await p.api('POST', '/api/v1/driver-auth/login', { operatorId, phone: PHONE, code: peekDriverCode(operatorId, PHONE!) });
  assert.equal(login.status, 200);
  const t = login.body.token;
  const sessionNow = async () => (await p.api('GET', '/api/v1/h5/sessions/current', undefined, t)).body.session;
  assert.equal(await sessionNow(), null, 'the demo keeps no session running for the tour driver');
  // a free gun of an online demo charger (the simulator connects them in the background)
  const chargers: string[] = doc.operators[0].stations.flatMap((s: any) => s.chargers.map((c: any) => c.id));
  const gun = await until('a free demo gun', async () => {
    for (const c of chargers.slice().reverse()) {
      const g = await p.api('GET', `/api/v1/h5/connectors/${c}/1?operatorId=${operatorId}`);
      if (g.body?.status === 'Available') return c;
    }
    return null;
  });
  const start = await p.api('POST', '/api/v1/h5/sessions', { chargerId: gun, connectorId: 1 }, t);
  assert.equal(start.status, 200, JSON.stringify(start.body));
  const s = await until('the session running', sessionNow);
  const stop = await p.api('POST', `/api/v1/h5/sessions/${s.id}/stop`, undefined, t);
  assert.equal(stop.status, 200, JSON.stringify(stop.body));
  await until('the session stopped', async () => (await sessionNow()) === null);
});
