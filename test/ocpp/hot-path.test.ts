/**
 * The gateway's hot path for one MeterValues frame (docs/architecture.md): the balance watcher's
 * spacing per session, the message log's two lanes, and the gateway's own answer to a committed
 * frame. The database is wrapped so the test can count the watcher's session reads and stall the
 * outbound lane's INSERTs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { testDb } from '../support/db.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/index.ts';
import type { OcppServer } from '../../src/modules/ocpp/gateway.ts';
import { CHECK_EVERY_MS } from '../../src/modules/wallet/watcher.ts';
import { rawCharger, eventually, iso, CP } from './support.ts';

// ticking: sockets and the database need real time; advance() jumps the watcher's spacing ahead
const clock = new FakeClock(Date.now(), { ticking: true });
let p: TestPlatform;
let db: Db;
let gw: OcppServer;
let c: Awaited<ReturnType<typeof rawCharger>>;
let tx: number;

/** getSession's statement: the balance watcher's first read of every check (wallet/running-cost.ts). */
const SESSION_READ = 'SELECT * FROM sessions WHERE id = $1';
const sessionReads = new Map<number, number>();
/** loadTariffVersion's statement (tariffs/service.ts): the cache of the versions in force stands in front of it. */
const VERSION_READ = 'FROM tariff_versions WHERE operator_id = $1 AND id = $2';
let versionReads = 0;
/** While set, the outbound lane's INSERTs into the message log wait for it. */
let outboundGate: Promise<void> | null = null;

function wrapped(inner: Db): Db {
  const query = (text: string, params?: unknown[]) => {
    if (text.startsWith(SESSION_READ)) sessionReads.set(Number(params?.[0]), (sessionReads.get(Number(params?.[0])) ?? 0) + 1);
    if (text.includes(VERSION_READ)) versionReads++;
    const outbound = text.includes('INSERT INTO ocpp_messages') && (params?.[2] as string[] | undefined)?.every((d) => d === 'out');
    return outbound && outboundGate ? outboundGate.then(() => inner.query(text, params)) : inner.query(text, params);
  };
  return new Proxy(inner, {
    get: (t, k) => {
      if (k === 'query') return query;
      const v = Reflect.get(t, k);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

const meterValues = (mid: string, wh: number, over: Record<string, unknown> = {}) =>
  c.call(mid, 'MeterValues', { connectorId: 1, transactionId: tx, meterValue: [{ timestamp: iso(), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }], ...over });

const logged = async (mid: string) =>
  (await db.query(`SELECT direction, message_type, error_code FROM ocpp_messages WHERE message_id = $1 ORDER BY direction`, [mid])).rows.map((r: any) => [r.direction, r.message_type, r.error_code]);

before(async () => {
  db = await testDb();
  p = await startTestPlatform({ provisioning: minimalDoc(), clock, db: wrapped(db) });
  gw = p.ctx.services.ocpp as OcppServer;
  c = await rawCharger(p);
  // the charger answers the platform's commands at once
  c.ws.on('message', (d) => {
    const f = JSON.parse(String(d));
    if (f[0] === 2) c.ws.send(JSON.stringify([3, f[1], f[2] === 'RemoteStopTransaction' ? { status: 'Accepted' } : {}]));
  });
  await c.call('boot', 'BootNotification', { chargePointVendor: 'Sinexcel', chargePointModel: 'DC60' });
  const start = await c.call('start', 'StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 1_000, timestamp: iso() });
  assert.equal(start[0], 3, JSON.stringify(start));
  tx = start[2].transactionId;
});
after(async () => {
  outboundGate = null;
  c?.ws.close();
  await p?.close();
  await db?.close();
});

test('balance watcher: a second MeterValues of a session within 5 s of clock does not read the session again; after 5 s it does', async () => {
  const reads = () => sessionReads.get(tx) ?? 0;
  const before = reads();
  assert.deepEqual(await meterValues('w1', 2_000), [3, 'w1', {}]);
  await eventually(async () => reads() === before + 1, 'the first frame’s balance check');
  assert.deepEqual(await meterValues('w2', 3_000), [3, 'w2', {}]);
  assert.deepEqual(await meterValues('w3', 4_000), [3, 'w3', {}]);
  await clock.advance(CHECK_EVERY_MS - 1_000);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(reads(), before + 1, 'frames within 5 s of the last check wait for the trailing check');
  await clock.advance(1_000);
  // well under 5 s of real time: the injected clock, not the wall clock, let the trailing check run
  await eventually(async () => reads() === before + 2, 'one trailing check once 5 s of clock passed', 2_000);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(reads(), before + 2, 'two frames in the interval cost one check');
});

test('message log lanes: a command’s answer is stored (and the API call answered) while the outbound lane is stalled behind MeterValues answers', async () => {
  let release!: () => void;
  outboundGate = new Promise<void>((r) => (release = r));
  try {
    // each answer's log row is an outbound write: the first ones hold the lane's INSERTs, the rest queue behind them
    for (let i = 0; i < 20; i++) assert.deepEqual(await meterValues(`lane${i}`, 5_000 + i), [3, `lane${i}`, {}]);
    const staff = await p.login('op1-staff', 'op1-staff-pass');
    const r = await Promise.race([
      p.api('POST', `/api/v1/chargers/44030700030000200016/commands/RemoteStopTransaction`, { transactionId: tx }, staff),
      new Promise<never>((_, j) => setTimeout(() => j(new Error('the command’s answer queued behind the outbound lane')), 5_000)),
    ]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { status: 'Accepted' });
    const answer = (await db.query(`SELECT message_id FROM ocpp_messages WHERE direction = 'in' AND message_type = 3 AND action = 'RemoteStopTransaction'`)).rows;
    assert.equal(answer.length, 1, 'the charger’s answer is in the log');
    const out = (await db.query(`SELECT count(*)::int AS n FROM ocpp_messages WHERE direction = 'out' AND (message_id LIKE 'lane%' OR message_id = $1)`, [answer[0].message_id])).rows[0].n;
    assert.equal(out, 0, 'the outbound lane was still stalled');
    release();
    await gw.log.drain();
    const after = (await db.query(`SELECT count(*)::int AS n FROM ocpp_messages WHERE direction = 'out' AND (message_id LIKE 'lane%' OR message_id = $1)`, [answer[0].message_id])).rows[0].n;
    assert.equal(after, 21, 'every answer and the command are logged once the lane moves');
  } finally {
    outboundGate = null;
    release();
  }
});

test('MeterValues: a committed frame is answered {} by the gateway and logged once in and once out; an invalid one still gets its CALLERROR', async () => {
  const events: number[] = [];
  const off = p.ctx.events.on('session.meter', (e) => void events.push(e.sessionId));
  try {
    assert.deepEqual(await meterValues('direct', 9_000), [3, 'direct', {}]);
    // answered only once committed: the session's running total is there the moment the answer is
    assert.equal(Number((await db.query(`SELECT last_energy_wh FROM sessions WHERE id = $1`, [tx])).rows[0].last_energy_wh), 9_000);
    await gw.log.drain();
    assert.deepEqual(await logged('direct'), [['in', 2, null], ['out', 3, null]]);
    assert.deepEqual(events, [tx], 'one session.meter for the frame (the handler did not act on it a second time)');

    const invalid: [string, Promise<any[]>, string][] = [
      ['bad-schema', c.call('bad-schema', 'MeterValues', { connectorId: 1, transactionId: tx }), 'OccurenceConstraintViolation'],
      ['bad-connector', meterValues('bad-connector', 9_500, { connectorId: 3 }), 'PropertyConstraintViolation'],
      ['bad-time', meterValues('bad-time', 9_500, { meterValue: [{ timestamp: '0000-01-01T00:00:00Z', sampledValue: [{ value: '9500' }] }] }), 'PropertyConstraintViolation'],
    ];
    c.ws.send(`[2,"bad-deep","MeterValues",{"connectorId":1,"meterValue":${'['.repeat(70)}${']'.repeat(70)}}]`);
    invalid.push(['bad-deep', c.answer('bad-deep'), 'FormationViolation']);
    for (const [mid, answer, code] of invalid) assert.deepEqual((await answer).slice(0, 3), [4, mid, code], mid);
    await gw.log.drain();
    for (const [mid, , code] of invalid) {
      const rows = await logged(mid);
      assert.deepEqual(rows.map((r) => r[0]), ['in', 'out'], `${mid}: logged once each way`);
      assert.deepEqual(rows[1], ['out', 4, code], mid);
    }
    assert.deepEqual(events, [tx], 'no session.meter for a refused frame');
  } finally {
    off();
  }
});

test('the gateway sends its own MeterValues answer with what it knows (logged, not parsed back through the sendRaw hook)', async () => {
  const client = gw.connections.get(CP)!.client as unknown as { sendRaw(text: string): unknown };
  const hook = client.sendRaw;
  const throughHook: string[] = [];
  client.sendRaw = (text: string) => (throughHook.push(text), hook.call(client, text));
  try {
    assert.deepEqual(await meterValues('known', 9_800), [3, 'known', {}]);
    // a refused one is answered by ocpp-rpc: through the hook, which gives the CALLERROR its 1.6 code
    assert.deepEqual((await meterValues('known-bad', 9_900, { connectorId: 3 })).slice(0, 3), [4, 'known-bad', 'PropertyConstraintViolation']);
    await gw.log.drain();
    const out = (await db.query(`SELECT message_type, action, payload FROM ocpp_messages WHERE message_id = 'known' AND direction = 'out'`)).rows;
    assert.deepEqual(out, [{ message_type: 3, action: 'MeterValues', payload: {} }]);
    assert.deepEqual(throughHook.map((t) => JSON.parse(t)[1]), ['known-bad']);
  } finally {
    client.sendRaw = hook;
  }
});

test('the balance watcher and the running cost read the session’s frozen tariff version once, not on every check', async () => {
  const reads = () => sessionReads.get(tx) ?? 0;
  const before = reads();
  assert.deepEqual(await meterValues('v1', 10_000), [3, 'v1', {}]);
  await clock.advance(CHECK_EVERY_MS);
  await eventually(async () => reads() > before, 'another balance check', 2_000);
  assert.ok(reads() >= 3, `${reads()} balance checks priced the session in this file`);
  assert.equal(versionReads, 1);
});
