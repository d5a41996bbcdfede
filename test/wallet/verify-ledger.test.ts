/**
 * The database keeps the money invariants too (issue 11, point 6): the floor CHECK, one lock order
 * (concurrent opposite postings never deadlock, shown on PostgreSQL where transactions really run
 * concurrently), and `chargeops verify-ledger` reporting each difference with a non-zero exit.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDb, TEST_DB } from '../support/db.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { provision } from '../../src/modules/registry/provisioning.ts';
import { openPglite, type Db } from '../../src/platform/db/index.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { chargeForOrder, adjustForOrder, creditTopUp, collectOwed, manualAdjust, walletBalanceFen } from '../../src/modules/wallet/index.ts';
import { verifyLedger } from '../../src/modules/orders/index.ts';
import { assertLedgerClean } from '../support/verify-ledger.ts';

let db: Db;
const OP = 'op1';
before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
});
after(async () => db.close());

const newDriver = (phone: string) => db.query(`INSERT INTO drivers (operator_id, phone) VALUES ($1, $2)`, [OP, phone]);

test('the database refuses a balance below its floor, whatever path writes it', async () => {
  await newDriver('13700000001');
  await db.tx((q) => creditTopUp(q, { operatorId: OP, phone: '13700000001', amountFen: 100, outTradeNo: 'V-1', remark: 'top-up' }));
  await assert.rejects(
    db.query(`UPDATE ledger_accounts SET balance_fen = -1 WHERE operator_id = $1 AND kind = 'wallet' AND ref = '13700000001'`, [OP]),
    /ledger_accounts_floor/,
  );
  assert.equal(await walletBalanceFen(db, OP, '13700000001'), 100);
});

test('concurrent opposite postings on the same accounts never deadlock (one lock order, by account id)', async () => {
  // Each driver owes from a short order; then, all at once: top-ups collecting what is owed (wallet →
  // receivable), corrections giving money back (receivable → wallet), new orders (wallet, receivable,
  // revenue) and staff debits. Locked one by one these took their accounts in opposite orders.
  const phones = ['13700000011', '13700000012', '13700000013'];
  for (const ph of phones) {
    await newDriver(ph);
    await db.tx((q) => chargeForOrder(q, { operatorId: OP, phone: ph, orderNo: `DL-${ph}`, version: 1, amountFen: 5000 }));
  }
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < 12; i++)
    for (const ph of phones) {
      work.push(db.tx((q) => creditTopUp(q, { operatorId: OP, phone: ph, amountFen: 300, outTradeNo: `DL-T-${ph}-${i}`, remark: 'top-up' })));
      work.push(db.tx((q) => adjustForOrder(q, { operatorId: OP, phone: ph, orderNo: `DL-${ph}`, version: 2 + i, deltaFen: -100, remark: 'meter fix' })));
      work.push(db.tx((q) => chargeForOrder(q, { operatorId: OP, phone: ph, orderNo: `DL-${ph}-${i}`, version: 1, amountFen: 200 })));
      work.push(db.tx((q) => collectOwed(q, OP, ph, { key: `collect:manual:DL-${ph}-${i}`, remark: 'staff collection' })));
      work.push(
        db.tx((q) => manualAdjust(q, { operatorId: OP, account: { kind: 'wallet', ref: ph }, phone: ph, amountFen: 1, direction: 'credit', remark: 'goodwill', actor: 't', idempotencyKey: `DL-${ph}-${i}` })),
      );
    }
  const rs = await Promise.allSettled(work);
  const failed = rs.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason?.code ?? r.reason?.message ?? r.reason));
  assert.deepEqual(failed, [], `${TEST_DB}: every posting completes (no deadlock_detected)`);
  await assertLedgerClean(db);
});

test('verify-ledger lists each difference: a cached balance off its entries, an order whose ledger differs from its amount', async () => {
  const v = await testDb();
  try {
    await provision(v, minimalDoc());
    await assertLedgerClean(v);
    await v.query(`UPDATE ledger_accounts SET balance_fen = balance_fen + 1 WHERE operator_id = $1 AND kind = 'wallet' AND ref = '18475511853'`, [OP]);
    const diffs = await verifyLedger(v);
    assert.deepEqual(
      diffs.map((d) => [d.check, d.ref]),
      [['account_balance', 'wallet:18475511853']],
    );
    assert.match(diffs[0].message, /balance 10001 fen, its entries sum to 10000 fen/);
  } finally {
    await v.close();
  }
});

test('chargeops verify-ledger exits 0 on clean books and 1 with the differences printed', { skip: TEST_DB === 'postgres' ? 'the CLI on the embedded database is covered by the PGlite pass' : false }, async () => {
  const root = new URL('../..', import.meta.url).pathname;
  const dataDir = mkdtempSync(join(tmpdir(), 'chargeops-verify-'));
  const { NODE_TEST_CONTEXT: _ctx, DATABASE_URL: _url, ...env } = process.env;
  const run = () => spawnSync(process.execPath, ['bin/chargeops.mjs', 'verify-ledger'], { cwd: root, env: { ...env, DATA_DIR: dataDir }, encoding: 'utf8' });
  try {
    const d = await openPglite({ dataDir: join(dataDir, 'pg') });
    await migrate(d);
    await provision(d, minimalDoc());
    await d.close();
    const clean = run();
    assert.equal(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, /verify-ledger: clean/);

    const e = await openPglite({ dataDir: join(dataDir, 'pg') });
    await e.query(`UPDATE ledger_accounts SET balance_fen = balance_fen + 5 WHERE kind = 'wallet' AND ref = '18475511853'`);
    await e.close();
    const dirty = run();
    assert.equal(dirty.status, 1, dirty.stderr);
    assert.match(dirty.stdout, /op1\taccount_balance\taccount wallet:18475511853: balance 10005 fen, its entries sum to 10000 fen/);
    assert.match(dirty.stderr, /1 difference/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
