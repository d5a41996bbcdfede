import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTradeBill, parseTradeBill, sha1Hex, BillFormatError, type BillRow } from './bill.ts';

// The documented sample row (reference C.3) with its header and a summary.
const SAMPLE = [
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注',
  '`2022-03-21 13:51:31,`wxfdc955f7104ad557,`180023671,`176531292,`,`420000612032130748613220688,`2021WERUN1647840687637,`oZWa5555,`JSAPI,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`步数,`,`0.00000,`0.90%,`0.01,`0.00,`',
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  '`1,`0.01,`0.00,`0.00,`0.00000,`0.01,`0.00',
].join('\r\n');

test('parses the documented sample: backticks stripped, yuan to fen, summary checked', () => {
  const b = parseTradeBill(SAMPLE);
  assert.equal(b.rows.length, 1);
  const r = b.rows[0];
  assert.equal(r.outTradeNo, '2021WERUN1647840687637');
  assert.equal(r.transactionId, '420000612032130748613220688');
  assert.equal(r.mchid, '180023671');
  assert.equal(r.tradeState, 'SUCCESS');
  assert.equal(r.orderFen, 1);
  assert.equal(r.settlementFen, 1);
  assert.equal(r.refundId, '');
  assert.deepEqual(b.summary, { count: 1, settlementFen: 1, refundFen: 0, orderFen: 1 });
});

test('format → parse round trip, with refunds and commas in the product name', () => {
  const rows: BillRow[] = [
    { tradeTime: '2026-11-24 10:00:00', appid: 'wx1', mchid: '1900', transactionId: '4200001', outTradeNo: 'TU1', openid: 'o1', tradeType: 'JSAPI', tradeState: 'SUCCESS', settlementFen: 5000, orderFen: 5000, refundId: '', outRefundNo: '', refundFen: 0, refundStatus: '', body: '钱包充值, 50元', attach: '13800000000' },
    { tradeTime: '2026-11-24 11:00:00', appid: 'wx1', mchid: '1900', transactionId: '4200001', outTradeNo: 'TU1', openid: 'o1', tradeType: 'JSAPI', tradeState: 'REFUND', settlementFen: 5000, orderFen: 5000, refundId: '501', outRefundNo: 'RF1', refundFen: 1234, refundStatus: 'SUCCESS', body: 'x', attach: '' },
  ];
  const text = formatTradeBill(rows);
  const b = parseTradeBill(text);
  assert.equal(b.rows.length, 2);
  assert.equal(b.rows[0].orderFen, 5000);
  assert.equal(b.rows[1].refundFen, 1234);
  assert.equal(b.rows[1].outRefundNo, 'RF1');
  assert.equal(b.rows[0].body, '钱包充值， 50元');
  assert.deepEqual(b.summary, { count: 2, settlementFen: 10000, refundFen: 1234, orderFen: 10000 });
  assert.equal(sha1Hex(text), sha1Hex(Buffer.from(text)));
  assert.match(sha1Hex('abc'), /^a9993e364706816aba3e25717850c26c9cd0d89d$/);
});

test('not a bill, a bad amount or a summary that disagrees: a BillFormatError naming the line', () => {
  assert.throws(() => parseTradeBill(''), BillFormatError);
  assert.throws(() => parseTradeBill('<html>error</html>'), /line 1/);
  assert.throws(() => parseTradeBill(SAMPLE.replace('`0.01,`0.00,`0,', '`abc,`0.00,`0,')), /line 2 应结订单金额/);
  assert.throws(() => parseTradeBill(SAMPLE.replace('`1,`0.01', '`2,`0.01')), /summary counts 2/);
});
