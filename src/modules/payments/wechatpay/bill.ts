import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { formatYuan, parseYuan } from '../../../platform/money.ts';

/** The trade bill (交易账单, bill_type=ALL): backtick-prefixed CSV, amounts in yuan. */
export const TRADE_BILL_HEADER = [
  '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态',
  '付款银行', '货币种类', '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型', '退款状态',
  '商品名称', '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注',
];
export const TRADE_BILL_SUMMARY_HEADER = ['总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额'];

export interface BillRow {
  tradeTime: string;
  appid: string;
  mchid: string;
  transactionId: string;
  outTradeNo: string;
  openid: string;
  tradeType: string;
  /** SUCCESS or REFUND (a refund line carries the refund columns). */
  tradeState: string;
  /** 应结订单金额 in fen */
  settlementFen: number;
  /** 订单金额 in fen */
  orderFen: number;
  refundId: string;
  outRefundNo: string;
  /** 退款金额 in fen */
  refundFen: number;
  refundStatus: string;
  body: string;
  attach: string;
}

export interface TradeBill {
  rows: BillRow[];
  summary: { count: number; settlementFen: number; refundFen: number; orderFen: number } | null;
}

export class BillFormatError extends Error {}

const clean = (v: string | undefined) => (v ?? '').replace(/^`/, '').trim();
const fen = (v: string | undefined, what: string) => {
  const s = clean(v);
  if (s === '' || s === '0') return 0;
  try {
    return parseYuan(s);
  } catch {
    throw new BillFormatError(`${what}: not an amount in yuan: ${s}`);
  }
};

/** Parses a trade bill; throws BillFormatError with the line when the file is not one. */
export function parseTradeBill(text: string): TradeBill {
  const records: string[][] = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, relax_quotes: true });
  if (!records.length) throw new BillFormatError('empty bill');
  const head = records[0].map(clean);
  if (head[0] !== '交易时间' || !head.includes('商户订单号')) throw new BillFormatError(`line 1 is not a trade bill header: ${head.slice(0, 3).join(',')}`);
  const col = (name: string) => head.indexOf(name);
  const idx = {
    time: col('交易时间'), appid: col('公众账号ID'), mchid: col('商户号'), tx: col('微信订单号'), otn: col('商户订单号'), openid: col('用户标识'),
    type: col('交易类型'), state: col('交易状态'), settle: col('应结订单金额'), refundId: col('微信退款单号'), outRefundNo: col('商户退款单号'),
    refund: col('退款金额'), refundStatus: col('退款状态'), body: col('商品名称'), attach: col('商户数据包'), order: col('订单金额'),
  };
  const rows: BillRow[] = [];
  let summary: TradeBill['summary'] = null;
  for (let i = 1; i < records.length; i++) {
    const r = records[i];
    if (clean(r[0]) === '总交易单数') {
      const s = records[i + 1];
      if (s) summary = { count: Number(clean(s[0])), settlementFen: fen(s[1], `line ${i + 2} 应结订单总金额`), refundFen: fen(s[2], `line ${i + 2} 退款总金额`), orderFen: fen(s[5], `line ${i + 2} 订单总金额`) };
      break;
    }
    if (r.length < head.length - 1) throw new BillFormatError(`line ${i + 1} has ${r.length} columns, expected ${head.length}`);
    const g = (k: number) => (k >= 0 ? clean(r[k]) : '');
    rows.push({
      tradeTime: g(idx.time), appid: g(idx.appid), mchid: g(idx.mchid), transactionId: g(idx.tx), outTradeNo: g(idx.otn), openid: g(idx.openid),
      tradeType: g(idx.type), tradeState: g(idx.state), settlementFen: fen(r[idx.settle], `line ${i + 1} 应结订单金额`),
      orderFen: idx.order >= 0 ? fen(r[idx.order], `line ${i + 1} 订单金额`) : fen(r[idx.settle], `line ${i + 1}`),
      refundId: g(idx.refundId) === '0' ? '' : g(idx.refundId), outRefundNo: g(idx.outRefundNo) === '0' ? '' : g(idx.outRefundNo),
      refundFen: fen(r[idx.refund], `line ${i + 1} 退款金额`), refundStatus: g(idx.refundStatus), body: g(idx.body), attach: g(idx.attach),
    });
  }
  if (summary && summary.count !== rows.length) throw new BillFormatError(`the summary counts ${summary.count} rows but the bill has ${rows.length}`);
  return { rows, summary };
}

/** Writes a trade bill as WeChat does (used by the fake and by tests). */
export function formatTradeBill(rows: BillRow[]): string {
  const q = (v: string) => '`' + v.replace(/,/g, '，');
  const lines = [TRADE_BILL_HEADER.join(',')];
  let settle = 0, refund = 0, order = 0;
  for (const r of rows) {
    settle += r.settlementFen;
    refund += r.refundFen;
    order += r.orderFen;
    const isRefund = r.tradeState === 'REFUND';
    lines.push(
      [
        r.tradeTime, r.appid, r.mchid, '', '', r.transactionId, r.outTradeNo, r.openid, r.tradeType, r.tradeState, 'OTHERS', 'CNY',
        formatYuan(r.settlementFen), '0.00', isRefund ? r.refundId : '0', isRefund ? r.outRefundNo : '0', formatYuan(r.refundFen), '0.00',
        isRefund ? 'ORIGINAL' : '', r.refundStatus, r.body, r.attach, '0.00000', '0.60%', formatYuan(r.orderFen), formatYuan(isRefund ? r.refundFen : 0), '',
      ].map(q).join(','),
    );
  }
  lines.push(TRADE_BILL_SUMMARY_HEADER.join(','));
  lines.push([String(rows.length), formatYuan(settle), formatYuan(refund), '0.00', '0.00000', formatYuan(order), formatYuan(refund)].map(q).join(','));
  return lines.join('\r\n') + '\r\n';
}

export const sha1Hex = (text: string | Buffer) => createHash('sha1').update(text).digest('hex');
