import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { matchTradeBill, type TopupForMatch } from './reconcile.ts';
import type { BillRow } from './wechatpay/bill.ts';

const row = (otn: string, fen: number, extra: Partial<BillRow> = {}): BillRow => ({
  tradeTime: '2026-11-24 10:00:00', appid: 'wx', mchid: '1900', transactionId: 'T' + otn, outTradeNo: otn, openid: 'o', tradeType: 'JSAPI', tradeState: 'SUCCESS',
  settlementFen: fen, orderFen: fen, refundId: '', outRefundNo: '', refundFen: 0, refundStatus: '', body: '', attach: '', ...extra,
});
const top = (otn: string, fen: number, status = 'credited', paidInDay = true): TopupForMatch => ({ outTradeNo: otn, amountFen: fen, status, transactionId: 'T' + otn, paidInDay });

test('each case is classified: matched, paid not credited, credited not in bill, amount mismatch, unknown row', () => {
  const bill = [row('A', 5000), row('B', 3000), row('C', 2001), row('X', 999)];
  const topups = [top('A', 5000), top('B', 3000, 'pending'), top('C', 2000), top('D', 1000)];
  const { items, totals } = matchTradeBill(bill, topups, []);
  const kinds = Object.fromEntries(items.map((i) => [i.outTradeNo, i.kind]));
  assert.deepEqual(kinds, { A: 'matched', B: 'paid_not_credited', C: 'amount_mismatch', X: 'unknown_row', D: 'credited_not_in_bill' });
  assert.equal(items.find((i) => i.outTradeNo === 'C')!.billFen, 2001);
  assert.equal(items.find((i) => i.outTradeNo === 'C')!.ourFen, 2000);
  assert.equal(totals.billPayments, 4);
  assert.equal(totals.billPaymentsFen, 5000 + 3000 + 2001 + 999);
  assert.equal(totals.creditedInDay, 3);
  assert.equal(totals.creditedInDayFen, 8000);
  assert.deepEqual(totals.byKind, { matched: 1, paid_not_credited: 1, amount_mismatch: 1, unknown_row: 1, credited_not_in_bill: 1 });
});

test('a top-up credited on another day is not missing from this bill', () => {
  const { items } = matchTradeBill([], [top('E', 100, 'credited', false)], []);
  assert.deepEqual(items, []);
});

test('refund rows: matched, amount mismatch, unknown, and a debited refund absent from the bill', () => {
  const bill = [
    row('A', 5000, { tradeState: 'REFUND', outRefundNo: 'R1', refundId: '5', refundFen: 100 }),
    row('A', 5000, { tradeState: 'REFUND', outRefundNo: 'R2', refundId: '6', refundFen: 201 }),
    row('A', 5000, { tradeState: 'REFUND', outRefundNo: 'R9', refundId: '7', refundFen: 1 }),
  ];
  const refunds = [
    { outRefundNo: 'R1', outTradeNo: 'A', amountFen: 100, status: 'success', debited: true, inDay: true },
    { outRefundNo: 'R2', outTradeNo: 'A', amountFen: 200, status: 'success', debited: true, inDay: true },
    { outRefundNo: 'R3', outTradeNo: 'A', amountFen: 300, status: 'success', debited: true, inDay: true },
  ];
  const { items, totals } = matchTradeBill(bill, [], refunds);
  assert.deepEqual(items.map((i) => [i.outRefundNo, i.kind]), [['R1', 'refund_matched'], ['R2', 'refund_amount_mismatch'], ['R9', 'refund_unknown_row'], ['R3', 'refund_not_in_bill']]);
  assert.equal(totals.billRefundsFen, 302);
  assert.equal(totals.billPayments, 0);
});

test('property: every bill row yields exactly one item and the bill totals are the sum of the rows', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.record({ otn: fc.stringMatching(/^[A-Z]{1,4}$/), fen: fc.integer({ min: 1, max: 100000 }), known: fc.boolean(), delta: fc.integer({ min: -2, max: 2 }), credited: fc.boolean() }), { selector: (r) => r.otn, maxLength: 30 }),
      (spec) => {
        const bill = spec.map((s) => row(s.otn, s.fen + s.delta));
        const topups = spec.filter((s) => s.known).map((s) => top(s.otn, s.fen, s.credited ? 'credited' : 'pending'));
        const { items, totals } = matchTradeBill(bill, topups, []);
        const fromBill = items.filter((i) => i.kind !== 'credited_not_in_bill');
        assert.equal(fromBill.length, bill.length);
        assert.equal(totals.billPaymentsFen, bill.reduce((a, r) => a + r.orderFen, 0));
        for (const s of spec) {
          const i = items.find((x) => x.outTradeNo === s.otn)!;
          const want = !s.known ? 'unknown_row' : s.delta !== 0 ? 'amount_mismatch' : s.credited ? 'matched' : 'paid_not_credited';
          assert.equal(i.kind, want);
        }
        assert.equal(Object.values(totals.byKind).reduce((a, b) => a + (b ?? 0), 0), items.length);
      },
    ),
  );
});
