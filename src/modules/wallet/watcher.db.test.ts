import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import type { Db } from '../../platform/db/index.ts';
import { Outbox } from '../../platform/outbox.ts';
import { Events } from '../../platform/events.ts';
import { systemClock } from '../../platform/clock.ts';
import { createLogger } from '../../platform/log.ts';
import type { Ctx } from '../../platform/context.ts';
import { startWatcher, watchSession, type WatchDeps } from './watcher.ts';
import type { WatchedSession } from './running-cost.ts';
import { saveWalletSettings } from './settings.ts';
import { chargeForOrder, walletBalanceFen } from './postings.ts';

// The balance watcher with the session source injected (the OCPP gateway's own e2e test lives in
// test/wallet/remote-stop.test.ts once the gateway and orders are in).
let db: Db;
let outbox: Outbox;
const sessions = new Map<number, WatchedSession>();
const deps: WatchDeps = { session: async (_q, _op, id) => sessions.get(id) ?? null };
const s = (id: number, over: Partial<WatchedSession>): WatchedSession => ({
  id,
  operatorId: 'op1',
  chargerId: '44030700030000200016',
  driverPhone: '18475511853',
  idTag: 'CARD0001',
  origin: 'charger',
  active: true,
  energyWh: 10_000,
  powerW: 7_000,
  costFen: 0,
  ...over,
});

before(async () => {
  db = await testDb();
  await provision(db, minimalDoc()); // 18475511853 has 100.00
  await saveWalletSettings(db, 'op1', { minStartBalanceFen: 500, stopMarginFen: 100, stopHorizonSeconds: 60, lowBalanceFen: 1000 });
  outbox = new Outbox(db);
});
after(async () => db.close());

test('the watcher stops a session once its cost plus the margin reaches the balance, once', async () => {
  sessions.set(1, s(1, { costFen: 9899, energyWh: 100_000 }));
  assert.equal((await db.tx((q) => watchSession({ outbox }, q, 'op1', 1, deps))).action, 'none');
  sessions.set(1, s(1, { costFen: 9900, energyWh: 100_000 }));
  const r = await db.tx((q) => watchSession({ outbox }, q, 'op1', 1, deps));
  assert.deepEqual(r, { action: 'stop', costFen: 9900, availableFen: 10000, marginFen: 100, queued: true });
  const again = await db.tx((q) => watchSession({ outbox }, q, 'op1', 1, deps));
  assert.equal(again.action === 'stop' && again.queued, false);
  const rows = await db.query(`SELECT topic, payload FROM outbox WHERE topic = 'wallet.remote_stop'`);
  assert.equal(rows.rows.length, 1);
  assert.deepEqual([rows.rows[0].payload.chargerId, rows.rows[0].payload.transactionId], ['44030700030000200016', 1]);
});

test('at high power the margin grows with the energy still flowing', async () => {
  // 120 kW for 60 s = 2 kWh at 1.50 yuan/kWh so far → 3.00 yuan margin
  sessions.set(2, s(2, { costFen: 9750, energyWh: 65_000, powerW: 120_000 }));
  const r = await db.tx((q) => watchSession({ outbox }, q, 'op1', 2, deps));
  assert.equal(r.action, 'stop');
  assert.ok(r.action === 'stop' && r.marginFen === 300, JSON.stringify(r));
});

test('partner sessions, sessions without a driver, finished sessions and unknown costs are left alone', async () => {
  for (const [id, over] of [
    [3, { origin: 'partner', costFen: 1e6 }],
    [4, { driverPhone: null, costFen: 1e6 }],
    [5, { active: false, costFen: 1e6 }],
    [6, { costFen: null }],
  ] as const) {
    sessions.set(id, s(id, over as Partial<WatchedSession>));
    assert.equal((await db.tx((q) => watchSession({ outbox }, q, 'op1', id, deps))).action, 'none');
  }
});

test('a meter event leads to RemoteStopTransaction through the outbox; the order then settles to exactly zero', async () => {
  // earlier tests' stops are in the outbox too; this test looks at session 7 only
  const all: unknown[][] = [];
  const calls = { get length() { return all.filter((c: any) => c[2].transactionId === 7).length; } };
  const events = new Events();
  const ob = new Outbox(db);
  const ctx = {
    db,
    events,
    outbox: ob,
    log: createLogger('silent'),
    clock: systemClock,
    timeScale: 0.001, // checks of one session spaced 5 ms apart, not 5 s
    services: { ocpp: { call: async (...a: unknown[]) => (all.push(a), { status: 'Accepted' }) } },
  } as unknown as Ctx;
  const stop = startWatcher(ctx, deps);
  sessions.set(7, s(7, { costFen: 5000 }));
  await events.emit('session.meter', { operatorId: 'op1', sessionId: 7, chargerId: '44030700030000200016', connectorId: 1, energyWh: 10_000 });
  await new Promise((r) => setTimeout(r, 50));
  await ob.drain();
  assert.equal(calls.length, 0, 'plenty of balance left');
  sessions.set(7, s(7, { costFen: 9950 }));
  events.emit('session.meter', { operatorId: 'op1', sessionId: 7, chargerId: '44030700030000200016', connectorId: 1, energyWh: 10_000 });
  events.emit('session.meter', { operatorId: 'op1', sessionId: 7, chargerId: '44030700030000200016', connectorId: 1, energyWh: 10_000 });
  for (let i = 0; i < 50 && calls.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
    await ob.drain();
  }
  assert.deepEqual(all.filter((c: any) => c[2].transactionId === 7), [['44030700030000200016', 'RemoteStopTransaction', { transactionId: 7 }]]);
  stop();
  // late frames pushed the final cost past the balance: the wallet ends at exactly zero, the rest is owed
  const r = await db.tx((q) => chargeForOrder(q, { operatorId: 'op1', phone: '18475511853', orderNo: 'S7', version: 1, amountFen: 10_020 }));
  assert.equal(r.chargedFen, 10_000);
  assert.equal(await walletBalanceFen(db, 'op1', '18475511853'), 0);
});
