/**
 * Corrections move exactly `new amount − (charged + receivable before)` (issue 11, point 1): a
 * correction that changes nothing moves nothing, even on an order whose wallet ran short; and any
 * sequence of corrections ends with the order's ledger movements equal to its final amount.
 * Orders are made and corrected through the orders module's own functions (how settlement is
 * triggered is not what this file tests).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDb } from '../support/db.ts';
import { provision } from '../../src/modules/registry/provisioning.ts';
import type { Db } from '../../src/platform/db/index.ts';
import { Outbox } from '../../src/platform/outbox.ts';
import { Events } from '../../src/platform/events.ts';
import { createOrderForSession } from '../../src/modules/orders/lifecycle.ts';
import { correctOrder } from '../../src/modules/orders/corrections.ts';
import type { OrdersDeps, After } from '../../src/modules/orders/settle.ts';
import { bookOpeningBalance, walletBalanceFen } from '../../src/modules/wallet/index.ts';
import { chargeSession, ordersDoc } from './support.ts';
import { verifyLedgerLast } from '../support/verify-ledger.ts';

let db: Db;
let d: OrdersDeps;
const H = 3_600_000;
const DAY = 24 * H;
const admin = { username: 'op1-admin', role: 'operator_admin' };
// 10:00 local (UTC+8) on a fixed day: flat prices all along, nothing depends on when the suite runs
const BASE = Date.parse('2026-06-01T02:00:00Z');

before(async () => {
  db = await testDb();
  await provision(db, ordersDoc());
  d = { outbox: new Outbox(db), events: new Events() };
});
after(async () => db.close());

let n = 0;
/** A new driver with `balanceFen` and a settled order for a 3-hour session of `wh`, on its own day. */
async function settledOrder(balanceFen: number, wh: number) {
  const i = ++n;
  const phone = `1390000${String(i).padStart(4, '0')}`;
  const tag = `CORR${String(i).padStart(6, '0')}`;
  await db.query(`INSERT INTO drivers (operator_id, phone) VALUES ('op1', $1)`, [phone]);
  await db.query(`INSERT INTO id_tags (operator_id, id, driver_phone, kind) VALUES ('op1', $1, $2, 'card')`, [tag, phone]);
  if (balanceFen > 0) await db.tx((q) => bookOpeningBalance(q, 'op1', phone, balanceFen));
  const t0 = BASE - i * DAY;
  const at = (ms: number) => new Date(ms).toISOString();
  const sessionId = await chargeSession(db, { idTag: tag, start: at(t0), stop: at(t0 + 3 * H), meterStartWh: 100_000, meterStopWh: 100_000 + wh, unplug: at(t0 + 3 * H) });
  const after: After = [];
  const orderNo = (await db.tx((q) => createOrderForSession(d, q, 'op1', sessionId, t0 + 4 * H, after)))!;
  return { phone, orderNo, now: t0 + 4 * H };
}

const correct = async (orderNo: string, meterStopWh: number, now: number) => {
  const r = await db.tx((q) => correctOrder(d, q, 'op1', orderNo, { meterStopWh, reason: 'meter check' }, admin, now, []));
  if (r.pending) throw new Error('an operator admin is never over the staff limit');
  return r;
};

async function order(orderNo: string) {
  return (await db.query<any>(`SELECT status, total_fen, charged_fen, receivable_fen FROM orders WHERE order_no = $1`, [orderNo])).rows[0];
}

/** Σ of the order's ledger movements on its payer's accounts (wallet/enterprise and receivable). */
async function moved(orderNo: string) {
  const r = await db.query<{ fen: number }>(
    `SELECT COALESCE(-SUM(e.amount_fen), 0)::bigint AS fen FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id JOIN ledger_accounts a ON a.id = e.account_id
     WHERE t.operator_id = 'op1' AND t.cause IN ('order', 'correction') AND t.cause_ref = $1 AND a.kind IN ('wallet', 'enterprise', 'receivable')`,
    [orderNo],
  );
  return Number(r.rows[0].fen);
}

test('a correction that changes nothing moves nothing on an order whose wallet ran short', async () => {
  // 30 kWh at flat prices (0.70 + 0.80) = 45.00 against a balance of 30.00: 30.00 charged, 15.00 owed
  const o = await settledOrder(3000, 30_000);
  const v1 = await order(o.orderNo);
  assert.equal(v1.status, 'settled');
  assert.equal(Number(v1.total_fen), 4500);
  assert.deepEqual([Number(v1.charged_fen), Number(v1.receivable_fen)], [3000, 1500]);

  const r = await correct(o.orderNo, 130_000, o.now);
  assert.equal(r.deltaFen, 0, 'the order already moved its whole amount');
  const v2 = await order(o.orderNo);
  assert.deepEqual([Number(v2.total_fen), Number(v2.charged_fen), Number(v2.receivable_fen)], [4500, 3000, 1500]);
  assert.equal(await moved(o.orderNo), 4500, 'the shortfall is not charged a second time');
  assert.equal(await walletBalanceFen(db, 'op1', o.phone), 0);

  // down by 10 kWh (−15.00): the part still owed is cancelled first, nothing comes back to the wallet
  const down = await correct(o.orderNo, 120_000, o.now);
  assert.equal(down.deltaFen, -1500);
  const v3 = await order(o.orderNo);
  assert.deepEqual([Number(v3.total_fen), Number(v3.charged_fen), Number(v3.receivable_fen)], [3000, 3000, 0]);
  assert.equal(await moved(o.orderNo), 3000);
  assert.equal(await walletBalanceFen(db, 'op1', o.phone), 0);
});

test('property: any sequence of corrections on any order from any balance ends with the ledger movements equal to the final amount', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 8000 }),
      fc.integer({ min: 1, max: 40_000 }),
      fc.array(fc.integer({ min: 1, max: 40_000 }), { minLength: 1, maxLength: 5 }),
      async (balanceFen, wh, corrections) => {
        const o = await settledOrder(balanceFen, wh);
        for (const c of corrections) await correct(o.orderNo, 100_000 + c, o.now);
        const final = await order(o.orderNo);
        assert.equal(final.status, 'settled');
        assert.equal(await moved(o.orderNo), Number(final.total_fen), 'Σ ledger movements = final amount');
        assert.equal(Number(final.charged_fen) + Number(final.receivable_fen), Number(final.total_fen), 'charged + receivable = final amount');
        assert.ok(Number(final.charged_fen) >= 0 && Number(final.receivable_fen) >= 0);
        assert.ok((await walletBalanceFen(db, 'op1', o.phone)) >= 0);
      },
    ),
    { numRuns: 25, seed: 11 },
  );
});

verifyLedgerLast(() => db);
