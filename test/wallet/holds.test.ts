import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../support/db.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { verifyLedgerLast } from '../support/verify-ledger.ts';
import { provision } from '../../src/modules/registry/provisioning.ts';
import type { Db } from '../../src/platform/db/index.ts';
import { Outbox } from '../../src/platform/outbox.ts';
import { recordStart } from '../../src/modules/sessions/index.ts';
import { availableFen, canStart, chargeForOrder, heldFen, holdForRefund, listHolds, payerFor, releaseRefundHold, releaseSessionHold, walletBalanceFen, watchSession } from '../../src/modules/wallet/index.ts';
import { saveWalletSettings } from '../../src/modules/wallet/settings.ts';
import type { WatchDeps } from '../../src/modules/wallet/watcher.ts';
import type { WatchedSession } from '../../src/modules/wallet/running-cost.ts';

// Issue 11, point 5: two sessions started at once on one wallet must not each spend the whole
// balance. 40.00 yuan, start hold 30.00 (the default): the first start holds 30.00, the second only
// the 10.00 left; the watcher gives each session available + its own hold.
const PHONE = '13500000040';
let db: Db;
const at = new Date('2026-03-01T02:00:00Z');

before(async () => {
  db = await testDb();
  const doc: any = minimalDoc();
  doc.operators[0].drivers.push({ phone: PHONE, name: '两把枪', idTags: [{ id: 'HOLD0001', status: 'active' }, { id: 'HOLD0002', status: 'active' }], walletBalance: '40.00' });
  await provision(db, doc);
  await saveWalletSettings(db, 'op1', { minStartBalanceFen: 500, stopMarginFen: 100, stopHorizonSeconds: 60, lowBalanceFen: 1000 });
});
after(async () => db.close());

const start = (chargerId: string, connectorId: number, idTag: string) =>
  db.tx((q) => recordStart(q, { operatorId: 'op1', stationId: 's1', chargerId, connectorId, idTag, meterStartWh: 0, startedAt: at, receivedAt: at }));

let ids: number[] = [];

test('two starts at once: the first holds 30.00, the second only the 10.00 left; available is 0', async () => {
  const [a, b] = await Promise.all([start('44030700030000200016', 1, 'HOLD0001'), start('44030700030000200017', 1, 'HOLD0002')]);
  assert.equal(a.idTagInfo.status, 'Accepted');
  assert.equal(b.idTagInfo.status, 'Accepted');
  const holds = await listHolds(db, 'op1', { kind: 'wallet', ref: PHONE });
  assert.deepEqual(holds.map((h) => h.amountFen).sort((x, y) => y - x), [3000, 1000]);
  // which start got the lock first is up to the database: ids = [the 30.00 one, the 10.00 one]
  ids = [...holds].sort((x, y) => y.amountFen - x.amountFen).map((h) => Number(h.causeRef));
  assert.deepEqual([...ids].sort(), [a.sessionId, b.sessionId].sort());
  assert.equal(await heldFen(db, 'op1', { kind: 'wallet', ref: PHONE }), 4000);
  assert.equal(await availableFen(db, 'op1', await payerFor(db, 'op1', PHONE)), 0);
  assert.equal(await walletBalanceFen(db, 'op1', PHONE), 4000, 'a hold moves no money');
  // a third start is refused at the minimum-balance check: nothing is available
  const c = await canStart(db, 'op1', { phone: PHONE }, at);
  assert.equal(c.code, 'insufficient_balance');
  assert.equal(c.availableFen, 0);
});

test('the watcher stops each session when its cost reaches its share (available + its own hold)', async () => {
  const holdOf = async (id: number) => (await listHolds(db, 'op1', { kind: 'wallet', ref: PHONE })).find((h) => h.causeRef === String(id))!.amountFen;
  const costs = new Map<number, number>();
  const deps: WatchDeps = {
    session: async (_q, _op, id): Promise<WatchedSession> => ({ id, operatorId: 'op1', chargerId: 'X', driverPhone: PHONE, idTag: null, origin: 'charger', active: true, energyWh: 1000, powerW: 0, costFen: costs.get(id) ?? 0 }),
  };
  const outbox = new Outbox(db);
  for (const id of ids) {
    const share = await holdOf(id); // nothing else is available: each may spend exactly its hold
    costs.set(id, share - 101); // cost + 1.00 margin below the share
    assert.equal((await db.tx((q) => watchSession({ outbox }, q, 'op1', id, deps))).action, 'none');
    costs.set(id, share - 100);
    const r = await db.tx((q) => watchSession({ outbox }, q, 'op1', id, deps));
    assert.deepEqual(r, { action: 'stop', costFen: share - 100, availableFen: share, marginFen: 100, queued: true });
    const row = (await db.query(`SELECT hold_fen, reason FROM wallet_session_stops WHERE operator_id = 'op1' AND session_id = $1`, [id])).rows[0];
    assert.equal(Number(row.hold_fen), share);
    assert.match(row.reason, /^balance_exhausted: /);
  }
});

test('settling releases each hold once; each order then charges what it cost', async () => {
  const [a, b] = ids;
  assert.equal(await db.tx((q) => releaseSessionHold(q, 'op1', a, at)), true);
  assert.equal(await db.tx((q) => releaseSessionHold(q, 'op1', a, at)), false, 'settling twice releases once');
  await db.tx((q) => chargeForOrder(q, { operatorId: 'op1', phone: PHONE, orderNo: `H${a}`, version: 1, amountFen: 2900 }));
  assert.equal(await availableFen(db, 'op1', await payerFor(db, 'op1', PHONE)), 100, '40.00 - 29.00 charged - the 10.00 still held');
  await db.tx((q) => releaseSessionHold(q, 'op1', b, at));
  await db.tx((q) => chargeForOrder(q, { operatorId: 'op1', phone: PHONE, orderNo: `H${b}`, version: 1, amountFen: 900 }));
  assert.equal(await heldFen(db, 'op1', { kind: 'wallet', ref: PHONE }), 0);
  assert.equal(await walletBalanceFen(db, 'op1', PHONE), 200);
  assert.equal(await availableFen(db, 'op1', await payerFor(db, 'op1', PHONE)), 200);
});

test('a refund request holds its amount: refused above what is available, released once when it fails', async () => {
  const payer = await payerFor(db, 'op1', PHONE);
  await assert.rejects(
    db.tx((q) => holdForRefund(q, 'op1', PHONE, 'RF1', 300, at)),
    (e: any) => e.status === 409 && e.code === 'insufficient_balance' && /2\.00 yuan available/.test(e.message),
  );
  await db.tx((q) => holdForRefund(q, 'op1', PHONE, 'RF2', 200, at));
  assert.equal(await availableFen(db, 'op1', payer), 0, 'a running session cannot spend what is being refunded');
  assert.equal((await canStart(db, 'op1', { phone: PHONE }, at)).code, 'insufficient_balance');
  assert.equal(await db.tx((q) => releaseRefundHold(q, 'op1', 'RF2', 'failed', at)), true);
  assert.equal(await db.tx((q) => releaseRefundHold(q, 'op1', 'RF2', 'failed', at)), false);
  assert.equal(await availableFen(db, 'op1', payer), 200);
  assert.equal(await walletBalanceFen(db, 'op1', PHONE), 200);
});

verifyLedgerLast(() => db);
