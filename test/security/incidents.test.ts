import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { SimulatedCharger } from '../../src/modules/ocpp/simulator/charger.ts';
import { EVASION_SCENARIOS } from '../../src/modules/ocpp/simulator/evasion.ts';

// Each billing-evasion scenario of the simulator, on its own charger, through the real gateway:
// exactly the expected incident, with the unbilled energy within 1 %; a history scan over the same
// time finds the same incidents and creates none; actions and the quarantine start guard.
const KINDS = Object.keys(EVASION_SCENARIOS);
const id = (i: number) => `4403070003000090${String(i).padStart(4, '0')}`;
const doc: any = minimalDoc();
KINDS.forEach((_, i) => {
  doc.operators[0].stations[0].chargers.push({ id: id(i), authKey: `key-evasion-${String(i).padStart(8, '0')}`, connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }, { id: 2, type: 'DC', maxPowerKw: 60 }] });
  doc.operators[0].drivers.push({ phone: `1390000${String(i).padStart(4, '0')}`, name: `D${i}`, idTags: [{ id: `CARDEV${i}`, status: 'active' }], walletBalance: '500.00' });
});

let p: TestPlatform;
let admin: string;
let staff: string;
const sims = new Map<string, SimulatedCharger>();
const HOUR = 3600_000;
/** last local (Asia/Shanghai) midnight at least 3 hours ago: the main-meter scenario crosses it */
const midnight = (() => {
  const now = Date.now();
  let m = Math.floor((now + 8 * HOUR) / (24 * HOUR)) * 24 * HOUR - 8 * HOUR;
  if (now - m < 3 * HOUR) m -= 24 * HOUR;
  return m;
})();
const T0 = midnight - HOUR; // 23:00 local the day before
const results = new Map<string, { expected: { kind: string; connectorId: number | null; unbilledWh: number }; chargerId: string }>();

before(async () => {
  p = await startTestPlatform({ provisioning: doc });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  staff = await p.login('op1-staff', 'op1-staff-pass');
  const url = p.url.replace(/^http/, 'ws') + '/ocpp';
  await Promise.all(
    KINDS.map(async (k, i) => {
      const s = new SimulatedCharger({ url, id: id(i), authKey: `key-evasion-${String(i).padStart(8, '0')}`, connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }, { id: 2, type: 'DC', maxPowerKw: 60 }], vendor: 'Sinexcel', model: 'STM32-DC', firmware: '1.0.7' });
      await s.connect();
      sims.set(k, s);
    }),
  );
  for (const [i, k] of KINDS.entries()) {
    const expected = await EVASION_SCENARIOS[k](sims.get(k)!, { t0: T0 + i * 60_000, idTag: `CARDEV${i}` });
    results.set(k, { expected, chargerId: id(i) });
  }
  await p.ctx.services.incidents!.drain();
});

after(async () => {
  await Promise.allSettled([...sims.values()].map((s) => s.close()));
  await p?.close();
});

const incidentsOf = async (chargerId: string) => {
  const r = await p.api('GET', `/api/v1/incidents?chargerId=${chargerId}`, undefined, staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items as any[];
};

for (const kind of KINDS)
  test(`scenario ${kind}: exactly one ${kind} incident, unbilled energy within 1 %`, async () => {
    const { expected, chargerId } = results.get(kind)!;
    const items = await incidentsOf(chargerId);
    assert.deepEqual(
      items.map((x) => x.kind),
      [expected.kind],
      JSON.stringify(items.map((x) => ({ kind: x.kind, wh: x.unbilledWh, details: x.details }))),
    );
    const inc = items[0];
    assert.equal(inc.connectorId, expected.connectorId);
    assert.ok(Math.abs(inc.unbilledWh - expected.unbilledWh) <= expected.unbilledWh * 0.01, `${inc.unbilledWh} Wh, expected ${expected.unbilledWh}`);
    assert.equal(inc.status, 'open');
    assert.ok(inc.evidence.length >= 1 && inc.evidence.every((e: any) => typeof e.href === 'string' && e.at));
    if (expected.unbilledWh > 0) assert.ok(Number.isInteger(inc.estimatedAmount) && inc.estimatedAmount > 0, `estimated amount ${inc.estimatedAmount}`);
  });

const incidentRows = async () =>
  (
    await p.ctx.db.query(
      `SELECT kind, dedupe_key, charger_id, connector_id, session_id, from_at, to_at, unbilled_wh, estimated_amount_fen, evidence, details FROM security_incidents WHERE operator_id = 'op1' ORDER BY dedupe_key`,
    )
  ).rows;

test('a history scan over the same time finds exactly the incidents the live path raised, with the same figures, and creates none', async () => {
  const live = await incidentRows();
  assert.equal(live.length, KINDS.length);
  const body = { from: new Date(T0 - HOUR).toISOString(), to: new Date(Date.now() + HOUR).toISOString() };
  const r = await p.api('POST', '/api/v1/incidents/scan', body, admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // duplicate_connection and security_event are found again from the connections and events; meter rules from samples
  assert.equal(r.body.created, 0, JSON.stringify(r.body));
  assert.equal(r.body.incidents, live.length, JSON.stringify(r.body));
  const again = await p.api('POST', '/api/v1/incidents/scan', body, admin);
  assert.equal(again.body.created, 0);
  // The scan's findings went through the same upsert: a different span, energy or details would show.
  // Evidence names the frame live and the stored row from history: the same actions at the same times
  // (tag_multi_connector's pair comes from the sessions table, both at the second start).
  const after = await incidentRows();
  const strip = (rows: any[]) => rows.map(({ evidence, ...x }) => ({ ...x, evidence: x.kind === 'tag_multi_connector' ? evidence.length : evidence.map((e: any) => `${e.action}@${e.at}`) }));
  assert.deepEqual(strip(after), strip(live));
});

test('lifecycle: confirm needs a note; a decided incident stays decided', async () => {
  const inc = (await incidentsOf(results.get('meter_gap')!.chargerId))[0];
  const act = (body: unknown, token = staff) => p.api('POST', `/api/v1/incidents/${inc.id}/actions`, body, token);
  assert.equal((await act({ action: 'confirm' })).status, 400);
  const ok = await act({ action: 'confirm', note: 'vendor confirmed the firmware 1.x hole' });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.incident.status, 'confirmed');
  assert.equal(ok.body.incident.note, 'vendor confirmed the firmware 1.x hole');
  assert.equal((await act({ action: 'dismiss', note: 'no' })).status, 409);
  assert.equal((await act({ action: 'quarantine', note: 'x' })).status, 403); // staff may not
  const summary = await p.api('GET', '/api/v1/incidents/summary', undefined, staff);
  assert.equal(summary.status, 200);
  assert.ok(summary.body.unbilledWh >= 0 && Number.isInteger(summary.body.estimatedAmount));
});

test('quarantine: new sessions refused with the reason until released', async () => {
  const { chargerId } = results.get('invalid_tag_energy')!;
  const sim = sims.get('invalid_tag_energy')!;
  const inc = (await incidentsOf(chargerId))[0];
  const q = await p.api('POST', `/api/v1/incidents/${inc.id}/actions`, { action: 'quarantine', note: 'firmware 1.x evasion' }, admin);
  assert.equal(q.status, 200, JSON.stringify(q.body));
  assert.equal((await p.api('POST', `/api/v1/incidents/${inc.id}/actions`, { action: 'quarantine' }, admin)).status, 409);
  assert.equal((await sim.call('Authorize', { idTag: 'CARD0001' })).idTagInfo.status, 'Blocked');
  const start = await sim.call('StartTransaction', { connectorId: 2, idTag: 'CARD0001', meterStart: 1, timestamp: new Date().toISOString() });
  assert.equal(start.idTagInfo.status, 'Blocked');
  await sim.call('StopTransaction', { transactionId: start.transactionId, meterStop: 1, timestamp: new Date().toISOString(), reason: 'DeAuthorized' });
  const remote = await p.api('POST', `/api/v1/chargers/${chargerId}/commands/RemoteStartTransaction`, { connectorId: 2, idTag: 'CARD0001' }, staff);
  assert.equal(remote.status, 409);
  assert.match(remote.body.error.message, /quarantined.*firmware 1\.x evasion/);
  const detail = await p.api('GET', `/api/v1/incidents/${inc.id}`, undefined, staff);
  assert.equal(detail.body.quarantine.reason, 'firmware 1.x evasion');
  const rel = await p.api('POST', `/api/v1/incidents/${inc.id}/actions`, { action: 'release', note: 'upgraded' }, admin);
  assert.equal(rel.status, 200, JSON.stringify(rel.body));
  assert.equal((await sim.call('Authorize', { idTag: 'CARD0001' })).idTagInfo.status, 'Accepted');
  assert.deepEqual(rel.body.actions.map((a: any) => a.action), ['quarantine', 'release']);
});

test('set_inoperative sends ChangeAvailability; remote_stop with nothing running is a 409', async () => {
  const inc = (await incidentsOf(results.get('stop_meter_mismatch')!.chargerId))[0];
  const r = await p.api('POST', `/api/v1/incidents/${inc.id}/actions`, { action: 'set_inoperative' }, admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.outcome.chargerAnswer.status, 'Accepted');
  assert.equal(sims.get('stop_meter_mismatch')!.connector(1).availability, 'Inoperative');
  assert.equal((await p.api('POST', `/api/v1/incidents/${inc.id}/actions`, { action: 'remote_stop' }, staff)).status, 409);
});

test('another operator sees none of them; bad filters are a 400', async () => {
  const other = await p.login('op2-admin', 'op2-admin-pass');
  assert.deepEqual((await p.api('GET', '/api/v1/incidents', undefined, other)).body.items, []);
  const inc = (await incidentsOf(results.get('meter_gap')!.chargerId))[0];
  assert.equal((await p.api('GET', `/api/v1/incidents/${inc.id}`, undefined, other)).status, 404);
  assert.equal((await p.api('GET', '/api/v1/incidents?kind=nope', undefined, staff)).status, 400);
});
