import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import { createLogger } from '../../platform/log.ts';
import type { Ctx } from '../../platform/context.ts';
import { FakeClock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/index.ts';
import { walletBalanceFen } from '../wallet/index.ts';
import { applyPaid } from './credit.ts';
import type { LoadedMerchant } from './settings.ts';

// Whatever mix of callbacks, queries and reconciliation report a payment, in whatever order and
// concurrency, and whatever forged amounts come along: the wallet is credited exactly once.
let db: Db;
let ctx: Ctx;
const merchant = { operatorId: 'op1', timezone: 'Asia/Shanghai', mchid: '1900000109', appid: 'wxapp' } as LoadedMerchant;
const PHONE = '18475511853';

before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
  ctx = { db, log: createLogger('silent'), clock: new FakeClock('2026-03-01T08:00:00Z', { ticking: true }) } as unknown as Ctx;
});
after(async () => db?.close());

let seq = 0;
test('property: one payment reported N times by any source, concurrently, credits exactly once', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 100000 }),
      fc.array(fc.record({ via: fc.constantFrom('callback', 'query', 'reconciliation'), wrongAmount: fc.boolean(), wrongMchid: fc.boolean() }), { minLength: 1, maxLength: 12 }),
      async (amountFen, reports) => {
        const otn = `TUPROP${String(++seq).padStart(8, '0')}`;
        await db.query(
          `INSERT INTO topups (operator_id, out_trade_no, phone, amount_fen, channel, status, mchid, notify_url, expires_at, created_by)
           VALUES ('op1', $1, $2, $3, 'wechatpay_h5', 'pending', $4, 'http://x/notify', now() + interval '2 hours', 'test')`,
          [otn, PHONE, amountFen, merchant.mchid],
        );
        const before = await walletBalanceFen(db, 'op1', PHONE);
        const outcomes = await Promise.all(
          reports.map((r) =>
            applyPaid(ctx, merchant, { outTradeNo: otn, transactionId: `4200${otn}`, amountFen: r.wrongAmount ? amountFen + 1 : amountFen, mchid: r.wrongMchid ? '1' : merchant.mchid, appid: merchant.appid, paidAt: ctx.clock.date() }, r.via as any),
          ),
        );
        const genuine = reports.filter((r) => !r.wrongAmount && !r.wrongMchid).length;
        const credited = outcomes.filter((o) => o.outcome === 'credited').length;
        assert.equal(credited, genuine > 0 ? 1 : 0);
        assert.equal(outcomes.filter((o) => o.outcome === 'already_credited').length, Math.max(0, genuine - 1));
        assert.equal(await walletBalanceFen(db, 'op1', PHONE), before + (genuine > 0 ? amountFen : 0));
        const t = await db.query<{ status: string }>(`SELECT status FROM topups WHERE out_trade_no = $1`, [otn]);
        assert.equal(t.rows[0].status, genuine > 0 ? 'credited' : 'pending');
      },
    ),
    { numRuns: 25 },
  );
});

test('an unknown out_trade_no and a second transaction for a credited top-up are flagged, never credited', async () => {
  const unknown = await applyPaid(ctx, merchant, { outTradeNo: 'TUNOPE', transactionId: '42001', amountFen: 100, mchid: merchant.mchid, appid: merchant.appid }, 'callback');
  assert.deepEqual([unknown.outcome, (unknown as any).reason], ['flagged', 'unknown_order']);
  await db.query(
    `INSERT INTO topups (operator_id, out_trade_no, phone, amount_fen, channel, status, mchid, notify_url, expires_at, created_by)
     VALUES ('op1', 'TUTWICE1', $1, 500, 'wechatpay_h5', 'pending', $2, 'http://x/notify', now(), 'test')`,
    [PHONE, merchant.mchid],
  );
  assert.equal((await applyPaid(ctx, merchant, { outTradeNo: 'TUTWICE1', transactionId: 'A1', amountFen: 500, mchid: merchant.mchid, appid: merchant.appid }, 'callback')).outcome, 'credited');
  const second = await applyPaid(ctx, merchant, { outTradeNo: 'TUTWICE1', transactionId: 'B2', amountFen: 500, mchid: merchant.mchid, appid: merchant.appid }, 'query');
  assert.equal((second as any).reason, 'other_transaction');
  // another operator's top-up is not found through this operator's merchant
  const other = await applyPaid(ctx, { ...merchant, operatorId: 'op2' }, { outTradeNo: 'TUTWICE1', transactionId: 'A1', amountFen: 500, mchid: merchant.mchid, appid: merchant.appid }, 'callback');
  assert.equal((other as any).reason, 'unknown_order');
});
