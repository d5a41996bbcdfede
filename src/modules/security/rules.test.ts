import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createState, observe, finish, seed, energyReadings, DEFAULT_THRESHOLDS as TH, INCIDENT_KINDS, type Obs, type Finding, type DetectorState } from './rules.ts';

const T0 = Date.parse('2026-03-01T00:10:00Z');
const MIN = 60_000;
const ref = (action: string, at: number) => ({ action, at, messageId: `${action}-${at}` });
const start = (at: number, connectorId: number, txId: number, meterStart: number, idTag = 'TAG', status = 'Accepted', chargerId = 'CP1'): Obs => ({ type: 'start', chargerId, at, connectorId, txId, idTag, status, meterStart, ref: ref('StartTransaction', at) });
const stop = (at: number, txId: number, meterStop: number, chargerId = 'CP1'): Obs => ({ type: 'stop', chargerId, at, txId, meterStop, ref: ref('StopTransaction', at) });
const meter = (at: number, connectorId: number, txId: number | null, registerWh: number, chargerId = 'CP1'): Obs => ({ type: 'meter', chargerId, at, connectorId, txId, registerWh, ref: ref('MeterValues', at) });
const status = (at: number, connectorId: number, s: string, chargerId = 'CP1'): Obs => ({ type: 'status', chargerId, at, connectorId, status: s, ref: ref('StatusNotification', at) });

/** Every finding of a run, folded by key as the store does (the last report of an occurrence wins). */
function run(obs: Obs[], state: DetectorState = createState(), th = TH): Map<string, Finding> {
  const out = new Map<string, Finding>();
  for (const o of obs) for (const f of observe(state, o, th)) out.set(f.key, f);
  for (const f of finish(state, th)) out.set(f.key, f);
  return out;
}
const only = (m: Map<string, Finding>) => {
  assert.equal(m.size, 1, `one incident expected, got ${[...m.keys()].join(', ') || 'none'}`);
  return [...m.values()][0];
};

/** A normal session: Preparing, start, Charging, samples every minute at `w` W, stop at the register the power gives. */
function normalSession(at: number, connectorId: number, txId: number, register: number, minutes: number, w: number, idTag = `T${txId}`, chargerId = 'CP1'): { obs: Obs[]; end: number; register: number } {
  const obs: Obs[] = [status(at, connectorId, 'Preparing', chargerId), start(at + 1000, connectorId, txId, register, idTag, 'Accepted', chargerId), status(at + 2000, connectorId, 'Charging', chargerId)];
  let r = register;
  for (let i = 1; i <= minutes; i++) {
    r += Math.floor(w / 60);
    obs.push(meter(at + 1000 + i * MIN, connectorId, txId, r, chargerId));
  }
  const end = at + 1000 + minutes * MIN + 20_000;
  r += Math.floor(w / 180); // 20 s more at the same power
  obs.push(status(end - 1000, connectorId, 'Finishing', chargerId), stop(end, txId, r, chargerId), status(end + 1000, connectorId, 'Available', chargerId));
  return { obs, end: end + 1000, register: r };
}

test('meter_gap: energy between two sessions, exactly the gap', () => {
  const a = normalSession(T0, 1, 1, 10_000, 10, 60_000);
  const b = normalSession(a.end + 10 * MIN, 1, 2, a.register + 3_456, 5, 60_000);
  const f = only(run([...a.obs, ...b.obs]));
  assert.equal(f.kind, 'meter_gap');
  assert.equal(f.unbilledWh, 3_456);
  assert.equal(f.sessionId, 2);
  assert.equal(f.key, 'meter_gap:CP1:2');
  // at the threshold: nothing
  const c = normalSession(a.end + 10 * MIN, 1, 2, a.register + 500, 5, 60_000);
  assert.equal(run([...a.obs, ...c.obs]).size, 0);
});

test('meter_gap after a restart: the previous meterStop comes from the seed', () => {
  const s = createState();
  seed(s, { chargerId: 'CP1', connectorId: 1, idleRegister: 20_000 });
  const f = only(run(normalSession(T0, 1, 7, 21_000, 3, 30_000).obs, s));
  assert.equal(f.kind, 'meter_gap');
  assert.equal(f.unbilledWh, 1_000);
});

test('energy_without_transaction: rising register with no transaction, one incident that grows', () => {
  const a = normalSession(T0, 1, 1, 10_000, 3, 60_000);
  const t = a.end + MIN;
  const obs = [...a.obs, status(t, 1, 'Charging'), meter(t + MIN, 1, null, a.register + 400), meter(t + 2 * MIN, 1, null, a.register + 900), meter(t + 3 * MIN, 1, null, a.register + 1_300), status(t + 4 * MIN, 1, 'Available')];
  const f = only(run(obs));
  assert.equal(f.kind, 'energy_without_transaction');
  assert.equal(f.unbilledWh, 1_300);
  assert.equal(f.from, t);
  // the next session does not count the same energy again as a meter gap
  const b = normalSession(t + 10 * MIN, 1, 2, a.register + 1_300, 3, 60_000);
  const all = run([...obs, ...b.obs]);
  assert.deepEqual([...all.values()].map((x) => x.kind), ['energy_without_transaction']);
});

test('energy_without_transaction: Charging past the grace with no StartTransaction', () => {
  const obs = [status(T0, 2, 'Charging'), { type: 'tick', chargerId: 'CP1', at: T0 + TH.chargingGraceMs + 1 } as Obs];
  const f = only(run(obs));
  assert.equal(f.kind, 'energy_without_transaction');
  assert.equal(f.connectorId, 2);
  // within the grace, followed by the start: normal
  assert.equal(run([status(T0, 2, 'Charging'), { type: 'tick', chargerId: 'CP1', at: T0 + 5000 }, start(T0 + 6000, 2, 9, 100)]).size, 0);
});

test('invalid_tag_energy: the case-1 sequence (Invalid start that keeps charging)', () => {
  const obs = [start(T0, 1, 5, 50_000, 'BAD', 'Invalid'), status(T0 + 1000, 1, 'Charging')];
  for (let i = 1; i <= 30; i++) obs.push(meter(T0 + i * MIN, 1, 5, 50_000 + i * 700));
  obs.push(stop(T0 + 31 * MIN, 5, 50_000 + 31 * 700));
  const f = only(run(obs));
  assert.equal(f.kind, 'invalid_tag_energy');
  assert.equal(f.unbilledWh, 31 * 700);
  assert.equal(f.details.ended, true);
  assert.ok(f.evidence.length <= 20 && f.evidence[0].action === 'StartTransaction' && f.evidence.at(-1)!.action === 'StopTransaction');
  // refused and stopped at once with no energy: nothing
  assert.equal(run([start(T0, 1, 6, 100, 'BAD', 'Blocked'), stop(T0 + 5000, 6, 100)]).size, 0);
  // only a stop that ends higher
  assert.equal(only(run([start(T0, 1, 6, 100, 'OLD', 'Expired'), stop(T0 + 5000, 6, 350)])).unbilledWh, 250);
});

test('stop_meter_mismatch: meterStop below the last reading, or far above what the power could add', () => {
  const obs = [start(T0, 1, 3, 1_000), meter(T0 + MIN, 1, 3, 2_000), meter(T0 + 2 * MIN, 1, 3, 3_000), stop(T0 + 2 * MIN + 1000, 3, 2_100)];
  const f = only(run(obs));
  assert.equal(f.kind, 'stop_meter_mismatch');
  assert.equal(f.unbilledWh, 900);
  const above = only(run([start(T0, 1, 3, 1_000), meter(T0 + MIN, 1, 3, 2_000), stop(T0 + MIN + 1000, 3, 9_000)]));
  assert.equal(above.kind, 'stop_meter_mismatch');
  assert.equal(above.unbilledWh, 0);
  // a fast charger sampled once a minute: the stop 50 s later is where the power leads
  assert.equal(run([start(T0, 1, 3, 0), meter(T0 + MIN, 1, 3, 2_500), meter(T0 + 2 * MIN, 1, 3, 5_000), stop(T0 + 2 * MIN + 50_000, 3, 7_080)]).size, 0);
});

test('main_meter_excess: the main meter grows more than the billed energy over a day', () => {
  const obs: Obs[] = [meter(T0, 0, null, 100_000)];
  const a = normalSession(T0 + MIN, 1, 1, 0, 30, 60_000);
  obs.push(...a.obs, meter(T0 + 12 * 3600_000, 0, null, 100_000 + a.register + 5_000));
  const f = only(run(obs));
  assert.equal(f.kind, 'main_meter_excess');
  assert.equal(f.unbilledWh, 5_000);
  assert.equal(f.key, 'main_meter_excess:CP1:2026-03-01');
  // losses within the allowance: nothing
  const ok: Obs[] = [meter(T0, 0, null, 100_000), ...a.obs, meter(T0 + 12 * 3600_000, 0, null, 100_000 + a.register + Math.floor(a.register * 0.03))];
  assert.equal(run(ok).size, 0);
});

test('tag_multi_connector: one tag on two connectors at once', () => {
  const f = only(run([start(T0, 1, 1, 0, 'CARD'), start(T0 + MIN, 1, 2, 0, 'CARD', 'Accepted', 'CP2')]));
  assert.equal(f.kind, 'tag_multi_connector');
  assert.equal(f.key, 'tag_multi_connector:1:2');
  assert.equal(f.details.otherChargerId, 'CP1');
  assert.equal(run([start(T0, 1, 1, 0, 'CARD'), stop(T0 + MIN, 1, 100), start(T0 + 2 * MIN, 2, 2, 0, 'CARD')]).size, 0);
});

test('duplicate_connection and security_event', () => {
  const r = run([
    { type: 'connected', chargerId: 'CP1', at: T0, previousAlive: false, ref: ref('connect', T0) },
    { type: 'connected', chargerId: 'CP1', at: T0 + 1, previousAlive: true, ref: ref('connect', T0 + 1) },
    { type: 'security', chargerId: 'CP1', at: T0 + 2, eventType: 'TamperDetectionActivated', ref: ref('SecurityEventNotification', T0 + 2) },
    { type: 'security', chargerId: 'CP1', at: T0 + 3, eventType: 'InvalidFirmwareSignature', ref: ref('SecurityEventNotification', T0 + 3) },
    { type: 'security', chargerId: 'CP1', at: T0 + 4, eventType: 'SettingSystemTime', ref: ref('SecurityEventNotification', T0 + 4) },
  ]);
  assert.deepEqual([...r.values()].map((f) => f.kind).sort(), ['duplicate_connection', 'security_event', 'security_event']);
});

test('energyReadings: the phase-less import register in Wh, kWh converted, other measurands ignored', () => {
  const at = '2026-03-01T00:00:00Z';
  assert.deepEqual(
    energyReadings([
      { timestamp: at, sampledValue: [{ value: '7', measurand: 'Power.Active.Import' }, { value: '12.345', unit: 'kWh' }] },
      { timestamp: at, sampledValue: [{ value: '5', phase: 'L1' }, { value: 'x' }, { value: '99' }] },
    ]),
    [
      { at: Date.parse(at), wh: 12_345 },
      { at: Date.parse(at), wh: 99 },
    ],
  );
});

// Properties ----------------------------------------------------------------------------------

/** Random normal traffic: sessions on several connectors and chargers, distinct tags, honest meters, main meter with losses. */
const normalTraffic = fc
  .array(fc.record({ charger: fc.integer({ min: 1, max: 3 }), connector: fc.integer({ min: 1, max: 2 }), gapMin: fc.integer({ min: 0, max: 600 }), minutes: fc.integer({ min: 1, max: 40 }), kw: fc.integer({ min: 3, max: 150 }) }), { minLength: 1, maxLength: 25 })
  .map((specs) => {
    const clock = new Map<string, number>();
    const reg = new Map<string, number>();
    const obs: Obs[] = [];
    specs.forEach((s, i) => {
      const key = `CP${s.charger}|${s.connector}`;
      const t = (clock.get(key) ?? T0) + s.gapMin * MIN;
      const n = normalSession(t, s.connector, i + 1, reg.get(key) ?? 1_000 * s.connector, s.minutes, s.kw * 1000, `TAG${i}`, `CP${s.charger}`);
      clock.set(key, n.end);
      reg.set(key, n.register);
      obs.push(...n.obs);
    });
    // chargers' frames interleave in time
    return obs.sort((a, b) => a.at - b.at);
  });

test('property: normal traffic raises nothing', () => {
  fc.assert(
    fc.property(normalTraffic, (obs) => {
      assert.deepEqual([...run(obs).keys()], []);
    }),
    { numRuns: 300 },
  );
});

test('property: an injected gap is found once, with exactly its energy, whatever else happens', () => {
  fc.assert(
    fc.property(normalTraffic, fc.integer({ min: TH.thresholdWh + 1, max: 200_000 }), (obs, gap) => {
      const starts = obs.filter((o): o is Extract<Obs, { type: 'start' }> => o.type === 'start');
      const last = starts.at(-1)!;
      // a new session on the last one's connector, after everything else, starting above its register
      const end = Math.max(...obs.map((o) => o.at)) + MIN;
      const lastStop = obs.filter((o): o is Extract<Obs, { type: 'stop' }> => o.type === 'stop' && o.txId === last.txId)[0];
      const extra = normalSession(end, last.connectorId, 10_000, lastStop.meterStop + gap, 2, 20_000, 'NEW', last.chargerId).obs;
      const f = only(run([...obs, ...extra]));
      assert.equal(f.kind, 'meter_gap');
      assert.equal(f.unbilledWh, gap);
    }),
    { numRuns: 200 },
  );
});

test('property: evaluating the same traffic again gives the same incidents (keys and figures)', () => {
  fc.assert(
    fc.property(normalTraffic, fc.integer({ min: 1, max: 5_000 }), (obs, wh) => {
      const s = obs.find((o): o is Extract<Obs, { type: 'start' }> => o.type === 'start')!;
      const tampered = obs.map((o) => (o.type === 'start' && o.txId === s.txId ? { ...o, status: 'Invalid' } : o));
      const a = run(tampered);
      const b = run(tampered);
      assert.deepEqual([...a.entries()], [...b.entries()]);
      for (const f of a.values()) assert.ok(INCIDENT_KINDS.includes(f.kind) && f.unbilledWh >= 0 && f.to >= f.from);
      assert.ok([...a.values()].some((f) => f.kind === 'invalid_tag_energy' && f.sessionId === s.txId));
      void wh;
    }),
    { numRuns: 150 },
  );
});
