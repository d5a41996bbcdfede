import type { BillRow } from './wechatpay/bill.ts';

/**
 * Matching a day's trade bill against our top-ups and refunds (pure). Every bill row and every
 * top-up credited that day ends up in exactly one item; the totals add up from the items.
 */
export interface TopupForMatch {
  outTradeNo: string;
  amountFen: number;
  status: string;
  transactionId: string | null;
  /** Credited with a payment time inside the bill's day. */
  paidInDay: boolean;
}
export interface RefundForMatch {
  outRefundNo: string;
  outTradeNo: string;
  amountFen: number;
  status: string;
  debited: boolean;
  /** Created inside the bill's day (WeChat lists a refund on the day it is initiated). */
  inDay: boolean;
}

export type MatchKind =
  | 'matched'
  | 'paid_not_credited'
  | 'credited_not_in_bill'
  | 'amount_mismatch'
  | 'unknown_row'
  | 'refund_matched'
  | 'refund_amount_mismatch'
  | 'refund_unknown_row'
  | 'refund_not_in_bill';

export interface MatchItem {
  kind: MatchKind;
  outTradeNo: string;
  outRefundNo?: string;
  transactionId?: string;
  billFen?: number;
  ourFen?: number;
  message: string;
}

export interface MatchTotals {
  billPayments: number;
  billPaymentsFen: number;
  billRefunds: number;
  billRefundsFen: number;
  creditedInDay: number;
  creditedInDayFen: number;
  byKind: Partial<Record<MatchKind, number>>;
}

export function matchTradeBill(bill: BillRow[], topups: TopupForMatch[], refunds: RefundForMatch[]): { items: MatchItem[]; totals: MatchTotals } {
  const byOtn = new Map(topups.map((t) => [t.outTradeNo, t]));
  const byRefund = new Map(refunds.map((r) => [r.outRefundNo, r]));
  const items: MatchItem[] = [];
  const seenPay = new Set<string>();
  const seenRefund = new Set<string>();
  const totals: MatchTotals = { billPayments: 0, billPaymentsFen: 0, billRefunds: 0, billRefundsFen: 0, creditedInDay: 0, creditedInDayFen: 0, byKind: {} };
  for (const row of bill) {
    if (row.tradeState === 'REFUND' || row.outRefundNo) {
      totals.billRefunds++;
      totals.billRefundsFen += row.refundFen;
      seenRefund.add(row.outRefundNo);
      const r = byRefund.get(row.outRefundNo);
      if (!r) items.push({ kind: 'refund_unknown_row', outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo, billFen: row.refundFen, message: `refund ${row.outRefundNo} is in the bill but not ours` });
      else if (r.amountFen !== row.refundFen)
        items.push({ kind: 'refund_amount_mismatch', outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo, billFen: row.refundFen, ourFen: r.amountFen, message: `refund ${row.outRefundNo}: bill ${row.refundFen} fen, ours ${r.amountFen} fen` });
      else items.push({ kind: 'refund_matched', outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo, billFen: row.refundFen, ourFen: r.amountFen, message: 'ok' });
      continue;
    }
    totals.billPayments++;
    totals.billPaymentsFen += row.orderFen;
    seenPay.add(row.outTradeNo);
    const t = byOtn.get(row.outTradeNo);
    const base = { outTradeNo: row.outTradeNo, transactionId: row.transactionId, billFen: row.orderFen };
    if (!t) items.push({ ...base, kind: 'unknown_row', message: `payment ${row.outTradeNo} (${row.transactionId}) is in the bill but is no top-up of ours` });
    else if (t.amountFen !== row.orderFen) items.push({ ...base, kind: 'amount_mismatch', ourFen: t.amountFen, message: `bill ${row.orderFen} fen, top-up ${t.amountFen} fen` });
    else if (t.status !== 'credited') items.push({ ...base, kind: 'paid_not_credited', ourFen: t.amountFen, message: `paid at WeChat Pay but the top-up is ${t.status}` });
    else items.push({ ...base, kind: 'matched', ourFen: t.amountFen, message: 'ok' });
  }
  for (const t of topups) {
    if (t.status !== 'credited' || !t.paidInDay) continue;
    totals.creditedInDay++;
    totals.creditedInDayFen += t.amountFen;
    if (!seenPay.has(t.outTradeNo))
      items.push({ kind: 'credited_not_in_bill', outTradeNo: t.outTradeNo, transactionId: t.transactionId ?? undefined, ourFen: t.amountFen, message: 'credited to a wallet but absent from the trade bill' });
  }
  for (const r of refunds) {
    if (r.inDay && r.debited && !seenRefund.has(r.outRefundNo))
      items.push({ kind: 'refund_not_in_bill', outTradeNo: r.outTradeNo, outRefundNo: r.outRefundNo, ourFen: r.amountFen, message: 'refund debited from a wallet but absent from the trade bill' });
  }
  for (const i of items) totals.byKind[i.kind] = (totals.byKind[i.kind] ?? 0) + 1;
  return { items, totals };
}

/** Kinds that need a person (everything except a clean match). */
export const needsAttention = (k: MatchKind) => k !== 'matched' && k !== 'refund_matched';
