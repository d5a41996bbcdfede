import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import type { Db } from '../../platform/db/index.ts';
import { chargeForOrder, creditTopUp, debitRefund, walletBalanceFen, manualAdjust } from './postings.ts';
import { checkBalances } from './ledger.ts';
import { verifyLedgerLast } from '../../../test/support/verify-ledger.ts';

let db: Db;
before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
});
after(async () => db.close());

const OP = 'op1';
const newDriver = async (phone: string) => db.query(`INSERT INTO drivers (operator_id, phone) VALUES ($1, $2)`, [OP, phone]);

test('the same top-up credited 100 times in parallel credits once', async () => {
  await newDriver('13600000001');
  const rs = await Promise.allSettled(
    Array.from({ length: 100 }, () => db.tx((q) => creditTopUp(q, { operatorId: OP, phone: '13600000001', amountFen: 5000, outTradeNo: 'T-1', remark: 'wechat pay' }))),
  );
  const credited = rs.filter((r) => r.status === 'fulfilled' && r.value.credited).length;
  assert.equal(credited, 1, JSON.stringify(rs.filter((r) => r.status === 'rejected').slice(0, 2)));
  assert.equal(await walletBalanceFen(db, OP, '13600000001'), 5000);
});

test('parallel refunds never take a wallet below zero', async () => {
  await newDriver('13600000002');
  await db.tx((q) => creditTopUp(q, { operatorId: OP, phone: '13600000002', amountFen: 10000, outTradeNo: 'T-2', remark: 'wechat pay' }));
  const rs = await Promise.allSettled(
    Array.from({ length: 30 }, (_, i) => db.tx((q) => debitRefund(q, { operatorId: OP, phone: '13600000002', amountFen: 500, refundId: `R-${i}`, remark: 'refund' }))),
  );
  assert.equal(rs.filter((r) => r.status === 'fulfilled').length, 20);
  for (const r of rs) if (r.status === 'rejected') assert.equal((r.reason as any).code, 'insufficient_balance');
  assert.equal(await walletBalanceFen(db, OP, '13600000002'), 0);
  assert.equal((await checkBalances(db, OP)).ok, true);
});

test('an order costing more than the balance debits to exactly zero and books the shortfall as a receivable', async () => {
  await newDriver('13600000003');
  await db.tx((q) => creditTopUp(q, { operatorId: OP, phone: '13600000003', amountFen: 1234, outTradeNo: 'T-3', remark: 'wechat pay' }));
  const r = await db.tx((q) => chargeForOrder(q, { operatorId: OP, phone: '13600000003', orderNo: 'ORD-3', version: 1, amountFen: 1300 }));
  assert.equal(r.chargedFen, 1234);
  assert.equal(await walletBalanceFen(db, OP, '13600000003'), 0);
  const t = await db.query(`SELECT remark, meta FROM ledger_transactions WHERE idempotency_key = 'order:ORD-3:v1'`);
  assert.match(t.rows[0].remark, /short by 0\.66 yuan.*receivable/);
  const recv = await db.query(`SELECT balance_fen FROM ledger_accounts WHERE operator_id = $1 AND kind = 'receivable' AND ref = '13600000003'`, [OP]);
  assert.equal(recv.rows[0].balance_fen, -66);
});

test('property: random credits, debits, refunds and orders against the database keep the ledger provable', async () => {
  await newDriver('13600000004');
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({ kind: fc.constantFrom('topup', 'refund', 'order', 'credit', 'debit'), fen: fc.integer({ min: 1, max: 20000 }) }),
        { minLength: 1, maxLength: 12 },
      ),
      async (ops) => {
        for (const o of ops) {
          const id = `${++n}`;
          const phone = '13600000004';
          await db
            .tx(async (q) => {
              if (o.kind === 'topup') await creditTopUp(q, { operatorId: OP, phone, amountFen: o.fen, outTradeNo: `P-${id}`, remark: 'p' });
              if (o.kind === 'refund') await debitRefund(q, { operatorId: OP, phone, amountFen: o.fen, refundId: `P-${id}`, remark: 'p' });
              if (o.kind === 'order') await chargeForOrder(q, { operatorId: OP, phone, orderNo: `P-${id}`, version: 1, amountFen: o.fen });
              if (o.kind === 'credit' || o.kind === 'debit')
                await manualAdjust(q, { operatorId: OP, account: { kind: 'wallet', ref: phone }, amountFen: o.fen, direction: o.kind, remark: 'p', actor: 't' });
            })
            .catch((e) => assert.equal(e.code, 'insufficient_balance'));
          assert.ok((await walletBalanceFen(db, OP, phone)) >= 0);
        }
        const c = await checkBalances(db, OP);
        assert.equal(c.ok, true, JSON.stringify(c));
      },
    ),
    { numRuns: 15 },
  );
});

test('what a driver owes is collected from the next top-up, and no further', async () => {
  // 13600000003 owes 0.66 (test above) with an empty wallet
  await db.tx((q) => creditTopUp(q, { operatorId: OP, phone: '13600000003', amountFen: 5000, outTradeNo: 'T-3b', remark: 'wechat pay' }));
  assert.equal(await walletBalanceFen(db, OP, '13600000003'), 5000 - 66);
  const recv = await db.query(`SELECT balance_fen FROM ledger_accounts WHERE operator_id = $1 AND kind = 'receivable' AND ref = '13600000003'`, [OP]);
  assert.equal(recv.rows[0].balance_fen, 0);
  const t = await db.query(`SELECT cause, remark FROM ledger_transactions WHERE idempotency_key = 'collect:topup:T-3b'`);
  assert.deepEqual([t.rows[0].cause, t.rows[0].remark], ['collection', 'owed amount collected from top-up T-3b']);
  await db.tx((q) => creditTopUp(q, { operatorId: OP, phone: '13600000003', amountFen: 100, outTradeNo: 'T-3c', remark: 'wechat pay' }));
  assert.equal(await walletBalanceFen(db, OP, '13600000003'), 5000 - 66 + 100);
  assert.equal((await checkBalances(db, OP)).ok, true);
});

verifyLedgerLast(() => db);
