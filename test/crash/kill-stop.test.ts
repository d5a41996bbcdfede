/**
 * kill -9 between StopTransaction and settlement (issue 16 done-when, issue 11 point 19): the server
 * runs as a child process (`chargeops start`), kills itself with SIGKILL at a crash point, and is
 * started again without it. Afterwards every session has exactly one order and one ledger
 * transaction, the wallet moved by exactly the order's amount, the ledger balances: nothing lost,
 * nothing doubled, and no sweep exists to paper over it (the session.settle job does it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { childPlatform, type ChildPlatform, type ChildServer } from '../support/child-platform.ts';
import { RPCClient, CP, KEY, boot } from '../ocpp/support.ts';
import { minimalDoc } from '../fixtures/minimal.ts';

let cp: ChildPlatform;
const PHONE = '18475511853';

before(async () => {
  const doc: any = minimalDoc();
  for (const t of doc.operators[0].tariffs) for (const v of t.versions) delete v.idleFee; // settles at the stop: no unplug to wait for
  cp = await childPlatform(doc);
});
after(async () => cp?.cleanup());

async function charger(s: ChildServer) {
  const c = new RPCClient({ endpoint: s.url.replace(/^http/, 'ws') + '/ocpp', identity: CP, password: KEY, protocols: ['ocpp1.6'], strictMode: true, reconnect: false, callTimeoutMs: 10_000 });
  await c.connect();
  await boot(c);
  return c;
}

async function settledOrder(s: ChildServer, sessionId: number): Promise<any> {
  const login = await fetch(`${s.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'op1-staff', password: 'op1-staff-pass' }) });
  const { token } = (await login.json()) as any;
  for (let i = 0; i < 300; i++) {
    const r = await fetch(`${s.url}/api/v1/orders?limit=50`, { headers: { authorization: `Bearer ${token}` } });
    const o = ((await r.json()) as any).items?.find((x: any) => x.sessionId === sessionId);
    if (o?.status === 'settled') return o;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no settled order for session ${sessionId} within 30 s:\n${s.out()}`);
}

/** What the database says about a session's money once no server runs. */
async function books(sessionId: number) {
  const db = await cp.db();
  try {
    const orders = (await db.query<{ order_no: string; status: string; total_fen: number; charged_fen: number }>(`SELECT order_no, status, total_fen, charged_fen FROM orders WHERE session_id = $1`, [sessionId])).rows;
    const txs = orders.length
      ? (await db.query<{ id: number }>(`SELECT id FROM ledger_transactions WHERE cause = 'order' AND cause_ref = $1`, [orders[0].order_no])).rows
      : [];
    const unbalanced = (await db.query(`SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING sum(amount_fen) <> 0`)).rows;
    const drift = (await db.query(`SELECT a.id FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id GROUP BY a.id, a.balance_fen HAVING a.balance_fen <> COALESCE(sum(e.amount_fen), 0)`)).rows;
    const wallet = (await db.query<{ balance_fen: number }>(`SELECT balance_fen FROM ledger_accounts WHERE kind = 'wallet' AND ref = $1`, [PHONE])).rows[0].balance_fen;
    const jobs = (await db.query<{ status: string }>(`SELECT status FROM outbox WHERE topic = 'session.settle' AND dedupe_key = $1`, [`session.settle:op1:${sessionId}`])).rows;
    return { orders, txs, unbalanced, drift, wallet, jobs };
  } finally {
    await db.close();
  }
}

/**
 * One charging session whose server dies at `fault`; the charger resends an unanswered
 * StopTransaction to the restarted server, as OCPP chargers do.
 */
async function crashAt(fault: string, connectorId: number) {
  const t0 = Date.now() - 3_600_000;
  const walletBefore = (await books(0)).wallet;
  const s1 = await cp.start({ fault });
  const c1 = await charger(s1);
  const start = await c1.call('StartTransaction', { connectorId, idTag: 'CARD0001', meterStart: 1_000, timestamp: new Date(t0).toISOString() });
  const sessionId: number = start.transactionId;
  const stop = { transactionId: sessionId, meterStop: 11_000, timestamp: new Date(t0 + 1_800_000).toISOString(), idTag: 'CARD0001', reason: 'EVDisconnected' };
  const answered = await c1.call('StopTransaction', stop).then(
    () => true,
    () => false,
  );
  assert.equal(await s1.exited, 'SIGKILL', `the server died at ${fault}:\n${s1.out()}`);
  await c1.close({ force: true }).catch(() => {});

  const s2 = await cp.start();
  const c2 = await charger(s2);
  if (!answered) assert.deepEqual(await c2.call('StopTransaction', stop), { idTagInfo: { status: 'Accepted' } });
  const order = await settledOrder(s2, sessionId);
  await c2.close({ force: true }).catch(() => {});
  await s2.stop();

  const b = await books(sessionId);
  assert.equal(b.orders.length, 1, 'exactly one order');
  assert.equal(b.orders[0].status, 'settled');
  assert.equal(b.txs.length, 1, 'exactly one ledger transaction for it');
  assert.deepEqual(b.unbalanced, [], 'every ledger transaction sums to zero');
  assert.deepEqual(b.drift, [], 'every balance equals its entries');
  assert.equal(walletBefore - b.wallet, b.orders[0].total_fen, 'the wallet moved by the order amount, once');
  assert.equal(b.orders[0].charged_fen, b.orders[0].total_fen);
  assert.ok(b.orders[0].total_fen > 0);
  assert.equal(order.orderNo, b.orders[0].order_no);
  assert.deepEqual(b.jobs, [{ status: 'delivered' }], 'the settle job the stop wrote did it');
  const verify = cp.cli('verify-ledger');
  assert.equal(verify.status, 0, verify.output);
  return { answered };
}

test('kill -9 after the StopTransaction committed, before the charger got its answer', { timeout: 180_000 }, async () => {
  const r = await crashAt('ocpp:StopTransaction:after-commit', 1);
  assert.equal(r.answered, false, 'the process died before answering');
});

test('kill -9 inside the settlement transaction (order and ledger written, not committed)', { timeout: 180_000 }, async () => {
  await crashAt('outbox:session.settle:before-commit', 2);
});
