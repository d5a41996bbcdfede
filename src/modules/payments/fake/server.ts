import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import { systemClock, type Clock } from '../../../platform/clock.ts';
import { formatDate, billTime, localDate } from '../wechatpay/time.ts';
import { encryptResource, parseAuthorization, requestMessage, rsaVerify, signAsPlatform } from '../wechatpay/crypto.ts';
import { formatTradeBill, sha1Hex, type BillRow } from '../wechatpay/bill.ts';
import { apiV3Key as newApiV3Key, rsaKeyPair, serialFor } from './keys.ts';
import { fakePayPage } from './page.ts';

/** WeChat's callback retry schedule after a failed delivery, in seconds (24h4m in total). */
export const CALLBACK_RETRY_S = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

export interface FakeMerchant {
  mchid: string;
  appid: string;
  merchantSerial: string;
  merchantPublicKey: string;
  apiV3Key: string;
  /** Only for merchants the fake generated itself (the demo and the CLI print it for the operator settings). */
  merchantPrivateKey?: string;
}

export interface FakeOrder {
  mchid: string;
  appid: string;
  out_trade_no: string;
  description: string;
  notify_url: string;
  trade_type: 'JSAPI' | 'MWEB';
  amount: number;
  openid?: string;
  attach?: string;
  time_expire?: string;
  prepay_id: string;
  trade_state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
  transaction_id?: string;
  success_time?: Date;
  refunded: number;
  created: Date;
}

export interface FakeRefund {
  mchid: string;
  out_trade_no: string;
  out_refund_no: string;
  refund_id: string;
  amount: number;
  reason?: string;
  notify_url?: string;
  status: 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  created: Date;
  success_time?: Date;
}

export interface FakeKnobs {
  /** Never deliver payment callbacks (a wrong notify URL, seen from WeChat's side). */
  dropCallbacks: boolean;
  /** Deliver each successful callback this many times in a row (same notification). */
  duplicates: number;
  /** Each delivery attempt sends this many copies at once. */
  parallel: number;
  /** Sign callbacks with a key that is not the platform key. */
  forgeSignature: boolean;
  /** Added to amount.total in callbacks (a forged "fake notification"). */
  callbackAmountDelta: number;
  /** Added to 订单金额/应结订单金额 of these orders in the trade bill. */
  billAmountDelta: Record<string, number>;
  /** Orders left out of the trade bill. */
  omitFromBill: string[];
  /** Unknown rows appended to every trade bill. */
  extraBillRows: number;
  /** The query API reports NOTPAY for paid orders (WeChat lagging), so only the bill reveals them. */
  staleQuery: boolean;
  /** Final state of refunds (after PROCESSING). */
  refundResult: 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  /** The bill download differs from the file the SHA-1 was computed over (a broken transfer). */
  corruptBillDownload: boolean;
}

export interface Delivery {
  outTradeNo: string;
  kind: 'transaction' | 'refund';
  url: string;
  attempt: number;
  status: number | string;
  at: Date;
}

export interface FakeWechatpay {
  url: string;
  port: number;
  platformSerial: string;
  platformPublicKey: string;
  merchant: FakeMerchant & { merchantPrivateKey: string };
  knobs: FakeKnobs;
  orders: Map<string, FakeOrder>;
  refunds: Map<string, FakeRefund>;
  deliveries: Delivery[];
  /** The operator's `payments.wechatpay` settings for the generated merchant. */
  operatorSettings(): Record<string, string>;
  addMerchant(m: FakeMerchant): void;
  /** The payer pays: the order becomes SUCCESS and its callback is sent on the retry schedule. */
  pay(outTradeNo: string, opts?: { openid?: string }): FakeOrder;
  /** Sends the order's payment notification now (once, or `copies` times at once) to its notify_url or `url`. */
  notify(outTradeNo: string, opts?: { url?: string; copies?: number; forge?: boolean; asPaid?: boolean }): Promise<(number | string)[]>;
  /** Sends a correctly signed notification with any resource (what a compromised or confused sender could send). */
  notifyRaw(url: string, kind: 'transaction' | 'refund', eventType: string, resource: unknown): Promise<number | string>;
  close(): Promise<void>;
}

const DEFAULT_KNOBS = (): FakeKnobs => ({
  dropCallbacks: false,
  duplicates: 1,
  parallel: 1,
  forgeSignature: false,
  callbackAmountDelta: 0,
  billAmountDelta: {},
  omitFromBill: [],
  extraBillRows: 0,
  staleQuery: false,
  refundResult: 'SUCCESS',
  corruptBillDownload: false,
});

class HttpError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

/**
 * A local stand-in for WeChat Pay API v3 speaking the real protocol: merchant request signatures are
 * verified, answers and callbacks are signed with the fake's own platform key, callback resources
 * are AES-256-GCM encrypted with the APIv3 key, callbacks follow the real retry schedule
 * (compressed by `timeScale`), and the trade bill is the backtick CSV with its SHA-1.
 */
export async function startFakeWechatpay(
  opts: { port?: number; host?: string; timeScale?: number; serialStyle?: 'pubkey' | 'cert'; publicUrl?: string; /** the fake's own wall clock */ clock?: Clock } = {},
): Promise<FakeWechatpay> {
  const timeScale = opts.timeScale ?? 1;
  const clock = opts.clock ?? systemClock;
  const platform = { ...rsaKeyPair(), serial: serialFor(opts.serialStyle ?? 'pubkey') };
  const forger = rsaKeyPair();
  const mkey = rsaKeyPair();
  const merchant = {
    mchid: String(1_900_000_000 + randomInt(0, 99_999_999)),
    appid: 'wx' + randomBytes(8).toString('hex'),
    merchantSerial: serialFor('cert'),
    merchantPublicKey: mkey.publicKey,
    merchantPrivateKey: mkey.privateKey,
    apiV3Key: newApiV3Key(),
  };
  const merchants = new Map<string, FakeMerchant>([[merchant.mchid, merchant]]);
  const orders = new Map<string, FakeOrder>();
  const refunds = new Map<string, FakeRefund>();
  const bills = new Map<string, string>();
  const deliveries: Delivery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const knobs = DEFAULT_KNOBS();
  let base = '';

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const transactionJson = (o: FakeOrder, amountDelta = 0) => ({
    mchid: o.mchid,
    appid: o.appid,
    out_trade_no: o.out_trade_no,
    ...(o.transaction_id ? { transaction_id: o.transaction_id } : {}),
    trade_type: o.trade_type,
    trade_state: o.trade_state,
    trade_state_desc: { NOTPAY: '未支付', SUCCESS: '支付成功', CLOSED: '已关闭', REFUND: '转入退款' }[o.trade_state],
    ...(o.transaction_id ? { bank_type: 'OTHERS', success_time: formatDate(o.success_time!) } : {}),
    attach: o.attach ?? '',
    payer: { openid: o.openid ?? '' },
    amount: { total: o.amount + amountDelta, payer_total: o.amount + amountDelta, currency: 'CNY', payer_currency: 'CNY' },
  });

  const refundJson = (r: FakeRefund, o: FakeOrder) => ({
    refund_id: r.refund_id,
    out_refund_no: r.out_refund_no,
    transaction_id: o.transaction_id,
    out_trade_no: r.out_trade_no,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(r.success_time ? { success_time: formatDate(r.success_time) } : {}),
    create_time: formatDate(r.created),
    status: r.status,
    funds_account: 'AVAILABLE',
    amount: { total: o.amount, refund: r.amount, payer_total: o.amount, payer_refund: r.amount, settlement_refund: r.amount, settlement_total: o.amount, discount_refund: 0, currency: 'CNY' },
  });

  /** One notification body, signed (or forged) afresh for each send as WeChat does. */
  async function send(url: string, body: string, forge: boolean): Promise<number | string> {
    const headers = signAsPlatform(body, { serial: platform.serial, privateKeyPem: forge ? forger.privateKey : platform.privateKey }, clock.now());
    try {
      const res = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'Mozilla/4.0 (fake-wechatpay)' }, body, signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      return res.status;
    } catch (e) {
      return `error: ${((e as Error).cause as Error)?.message ?? (e as Error).message}`;
    }
  }

  function notification(kind: 'transaction' | 'refund', resourceJson: unknown, eventType: string, apiV3Key: string) {
    const summary = kind === 'transaction' ? '支付成功' : '退款状态变更';
    return JSON.stringify({
      id: randomBytes(16).toString('hex'),
      create_time: formatDate(clock.date()),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary,
      resource: encryptResource(JSON.stringify(resourceJson), apiV3Key, kind),
    });
  }

  /** Delivers on the retry schedule: the first try at once, then after each failure the next wait. */
  function deliver(key: string, kind: 'transaction' | 'refund', url: string, body: string, attempt = 0) {
    if (knobs.dropCallbacks && kind === 'transaction') {
      deliveries.push({ outTradeNo: key, kind, url, attempt, status: 'dropped', at: clock.date() });
      return;
    }
    void (async () => {
      const copies = Math.max(1, knobs.parallel);
      const statuses = await Promise.all(Array.from({ length: copies }, () => send(url, body, knobs.forgeSignature)));
      for (const s of statuses) deliveries.push({ outTradeNo: key, kind, url, attempt, status: s, at: clock.date() });
      const ok = statuses.some((s) => typeof s === 'number' && s >= 200 && s < 300);
      if (ok) {
        for (let i = 1; i < knobs.duplicates; i++) {
          const s = await send(url, body, knobs.forgeSignature);
          deliveries.push({ outTradeNo: key, kind, url, attempt, status: s, at: clock.date() });
        }
        return;
      }
      if (attempt < CALLBACK_RETRY_S.length) later(CALLBACK_RETRY_S[attempt] * 1000 * timeScale, () => deliver(key, kind, url, body, attempt + 1));
    })();
  }

  function pay(outTradeNo: string, o2: { openid?: string } = {}): FakeOrder {
    const o = orders.get(outTradeNo);
    if (!o) throw new HttpError(404, 'ORDER_NOT_EXIST', `no order ${outTradeNo}`);
    if (o.trade_state === 'SUCCESS') return o;
    if (o.trade_state !== 'NOTPAY') throw new HttpError(400, 'ORDER_CLOSED', `order ${outTradeNo} is ${o.trade_state}`);
    o.trade_state = 'SUCCESS';
    o.transaction_id = '42000' + Array.from(randomBytes(23), (b) => String(b % 10)).join('');
    o.success_time = clock.date();
    o.openid = o.openid ?? o2.openid ?? 'o' + randomBytes(13).toString('base64url');
    const m = merchants.get(o.mchid)!;
    deliver(outTradeNo, 'transaction', o.notify_url, notification('transaction', transactionJson(o, knobs.callbackAmountDelta), 'TRANSACTION.SUCCESS', m.apiV3Key));
    return o;
  }

  /** `asPaid` claims SUCCESS for an order that is not paid: what an attacker's forged notification would say. */
  async function notify(outTradeNo: string, n: { url?: string; copies?: number; forge?: boolean; asPaid?: boolean } = {}) {
    const o = orders.get(outTradeNo);
    if (!o) throw new HttpError(404, 'ORDER_NOT_EXIST', `no order ${outTradeNo}`);
    const m = merchants.get(o.mchid)!;
    const shown: FakeOrder = n.asPaid && o.trade_state !== 'SUCCESS' ? { ...o, trade_state: 'SUCCESS', transaction_id: '4200000000000000000000000000', success_time: clock.date() } : o;
    const body = notification('transaction', transactionJson(shown, knobs.callbackAmountDelta), 'TRANSACTION.SUCCESS', m.apiV3Key);
    const url = n.url ?? o.notify_url;
    const statuses = await Promise.all(Array.from({ length: Math.max(1, n.copies ?? 1) }, () => send(url, body, n.forge ?? knobs.forgeSignature)));
    for (const s of statuses) deliveries.push({ outTradeNo, kind: 'transaction', url, attempt: -1, status: s, at: clock.date() });
    return statuses;
  }
  async function notifyRaw(url: string, kind: 'transaction' | 'refund', eventType: string, resource: unknown) {
    return send(url, notification(kind, resource, eventType, merchant.apiV3Key), false);
  }


  function billFor(date: string, mchid: string): BillRow[] {
    const rows: BillRow[] = [];
    for (const o of orders.values()) {
      if (o.mchid !== mchid || !o.success_time || localDate(o.success_time) !== date || knobs.omitFromBill.includes(o.out_trade_no)) continue;
      const fen = o.amount + (knobs.billAmountDelta[o.out_trade_no] ?? 0);
      rows.push({ tradeTime: billTime(o.success_time), appid: o.appid, mchid, transactionId: o.transaction_id!, outTradeNo: o.out_trade_no, openid: o.openid ?? '', tradeType: o.trade_type, tradeState: 'SUCCESS', settlementFen: fen, orderFen: fen, refundId: '', outRefundNo: '', refundFen: 0, refundStatus: '', body: o.description, attach: o.attach ?? '' });
    }
    for (const r of refunds.values()) {
      const o = orders.get(r.out_trade_no)!;
      if (r.mchid !== mchid || localDate(r.created) !== date) continue;
      rows.push({ tradeTime: billTime(r.created), appid: o.appid, mchid, transactionId: o.transaction_id!, outTradeNo: o.out_trade_no, openid: o.openid ?? '', tradeType: o.trade_type, tradeState: 'REFUND', settlementFen: o.amount, orderFen: o.amount, refundId: r.refund_id, outRefundNo: r.out_refund_no, refundFen: r.amount, refundStatus: r.status, body: o.description, attach: o.attach ?? '' });
    }
    const merchantApp = merchants.get(mchid)?.appid ?? '';
    for (let i = 0; i < knobs.extraBillRows; i++) {
      rows.push({ tradeTime: `${date} 12:00:0${i % 10}`, appid: merchantApp, mchid, transactionId: '42000' + String(i).padStart(23, '9'), outTradeNo: `OTHER${date.replace(/-/g, '')}${String(i).padStart(4, '0')}`, openid: 'ounknown', tradeType: 'JSAPI', tradeState: 'SUCCESS', settlementFen: 1000 + i, orderFen: 1000 + i, refundId: '', outRefundNo: '', refundFen: 0, refundStatus: '', body: 'not from ChargeOps', attach: '' });
    }
    return rows.sort((a, b) => a.tradeTime.localeCompare(b.tradeTime));
  }

  /** Checks the merchant's WECHATPAY2-SHA256-RSA2048 Authorization over the request as received. */
  function authenticate(req: IncomingMessage, body: string): FakeMerchant {
    const a = parseAuthorization(req.headers.authorization);
    if (!a) throw new HttpError(401, 'SIGN_ERROR', 'missing or malformed Authorization (WECHATPAY2-SHA256-RSA2048)');
    const m = merchants.get(a.mchid);
    if (!m) throw new HttpError(401, 'SIGN_ERROR', `unknown mchid ${a.mchid}`);
    if (a.serial_no !== m.merchantSerial) throw new HttpError(401, 'SIGN_ERROR', `serial_no ${a.serial_no} is not the merchant's API certificate serial`);
    if (Math.abs(clock.now() / 1000 - Number(a.timestamp)) > 300) throw new HttpError(401, 'SIGN_ERROR', 'timestamp out of range');
    if (!rsaVerify(requestMessage(req.method!, req.url!, a.timestamp, a.nonce_str, body), a.signature, m.merchantPublicKey))
      throw new HttpError(401, 'SIGN_ERROR', '签名错误 (signature does not verify)');
    return m;
  }

  const route = async (req: IncomingMessage, body: string): Promise<{ status: number; json?: unknown; text?: string; type?: string; sign?: boolean }> => {
    const u = new URL(req.url!, 'http://fake');
    const p = u.pathname;
    const json = () => {
      try {
        return body ? JSON.parse(body) : {};
      } catch {
        throw new HttpError(400, 'PARAM_ERROR', 'body is not JSON');
      }
    };
    let mm: RegExpMatchArray | null;
    // ---- test and demo controls (not part of WeChat's API) ----
    if (req.method === 'POST' && (mm = p.match(/^\/fake\/pay\/([^/]+)$/))) {
      const o = pay(decodeURIComponent(mm[1]), json());
      return { status: 200, json: transactionJson(o), sign: false };
    }
    if (req.method === 'POST' && (mm = p.match(/^\/fake\/notify\/([^/]+)$/))) return { status: 200, json: { statuses: await notify(decodeURIComponent(mm[1]), json()) }, sign: false };
    if (req.method === 'POST' && p === '/fake/knobs') {
      Object.assign(knobs, json());
      return { status: 200, json: knobs, sign: false };
    }
    if (req.method === 'POST' && p === '/fake/merchants') {
      const m = json() as FakeMerchant;
      if (!m.mchid || !m.merchantSerial || !m.merchantPublicKey || !m.apiV3Key || !m.appid) throw new HttpError(400, 'PARAM_ERROR', 'mchid, appid, merchantSerial, merchantPublicKey and apiV3Key are required');
      merchants.set(m.mchid, m);
      return { status: 200, json: { ok: true }, sign: false };
    }
    if (req.method === 'GET' && p === '/fake/config') return { status: 200, json: settings(), sign: false };
    if (req.method === 'GET' && p === '/fake/deliveries') return { status: 200, json: deliveries, sign: false };
    if (req.method === 'GET' && (mm = p.match(/^\/fake\/checkout\/([^/]+)$/))) {
      const o = orders.get(decodeURIComponent(mm[1]));
      if (!o) throw new HttpError(404, 'ORDER_NOT_EXIST', 'no such order');
      return { status: 200, text: fakePayPage(o, u.searchParams.get('redirect_url')), type: 'text/html; charset=utf-8', sign: false };
    }
    if (req.method === 'GET' && (mm = p.match(/^\/fake\/billdownload\/([^/]+)$/))) {
      authenticate(req, body);
      const text = bills.get(mm[1]);
      if (!text) throw new HttpError(404, 'RESOURCE_NOT_EXISTS', 'download url expired');
      return { status: 200, text: knobs.corruptBillDownload ? text.replace('SUCCESS', 'SUCCESs') : text, type: 'text/csv; charset=utf-8', sign: false };
    }
    // ---- WeChat Pay API v3 ----
    if (!p.startsWith('/v3/')) throw new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${p}`);
    const m = authenticate(req, body);
    if (req.method === 'POST' && (mm = p.match(/^\/v3\/pay\/transactions\/(jsapi|h5)$/))) {
      const b = json();
      for (const k of ['appid', 'mchid', 'description', 'out_trade_no', 'notify_url']) if (!b[k]) throw new HttpError(400, 'PARAM_ERROR', `${k} is required`);
      if (b.mchid !== m.mchid) throw new HttpError(400, 'MCH_NOT_EXISTS', 'mchid does not match the signing merchant');
      if (b.appid !== m.appid) throw new HttpError(400, 'APPID_MCHID_NOT_MATCH', 'appid and mchid do not match');
      if (!/^[0-9A-Za-z_\-|*]{6,32}$/.test(b.out_trade_no)) throw new HttpError(400, 'PARAM_ERROR', 'out_trade_no must be 6-32 of [0-9A-Za-z_-|*]');
      if (!/^https?:\/\/[^?#]+$/.test(b.notify_url)) throw new HttpError(400, 'PARAM_ERROR', 'notify_url must be an absolute URL without a query string');
      if (!Number.isInteger(b.amount?.total) || b.amount.total < 1) throw new HttpError(400, 'PARAM_ERROR', 'amount.total must be a positive integer (fen)');
      if (mm[1] === 'jsapi' && !b.payer?.openid) throw new HttpError(400, 'PARAM_ERROR', 'payer.openid is required');
      const prev = orders.get(b.out_trade_no);
      if (prev) {
        if (prev.amount !== b.amount.total || prev.mchid !== b.mchid) throw new HttpError(400, 'INVALID_REQUEST', '201 商户订单号重复');
        if (prev.trade_state === 'SUCCESS') throw new HttpError(400, 'ORDERPAID', 'the order is already paid');
      }
      const o: FakeOrder = prev ?? {
        mchid: b.mchid, appid: b.appid, out_trade_no: b.out_trade_no, description: b.description, notify_url: b.notify_url, trade_type: mm[1] === 'jsapi' ? 'JSAPI' : 'MWEB',
        amount: b.amount.total, openid: b.payer?.openid, attach: b.attach, time_expire: b.time_expire, prepay_id: 'wx' + randomBytes(16).toString('hex'), trade_state: 'NOTPAY', refunded: 0, created: clock.date(),
      };
      orders.set(o.out_trade_no, o);
      if (mm[1] === 'jsapi') return { status: 200, json: { prepay_id: o.prepay_id } };
      return { status: 200, json: { h5_url: `${base}/fake/checkout/${encodeURIComponent(o.out_trade_no)}?prepay_id=${o.prepay_id}` } };
    }
    if (req.method === 'GET' && (mm = p.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/))) {
      const o = orders.get(decodeURIComponent(mm[1]));
      if (!o || o.mchid !== m.mchid || u.searchParams.get('mchid') !== m.mchid) throw new HttpError(404, 'ORDER_NOT_EXIST', '订单不存在');
      if (knobs.staleQuery && o.trade_state === 'SUCCESS') return { status: 200, json: { ...transactionJson({ ...o, trade_state: 'NOTPAY', transaction_id: undefined }) } };
      return { status: 200, json: transactionJson(o) };
    }
    if (req.method === 'POST' && (mm = p.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/))) {
      const o = orders.get(decodeURIComponent(mm[1]));
      if (!o || o.mchid !== m.mchid) throw new HttpError(404, 'ORDER_NOT_EXIST', '订单不存在');
      if (o.trade_state === 'SUCCESS' || o.trade_state === 'REFUND') throw new HttpError(400, 'ORDERPAID', '订单已支付');
      o.trade_state = 'CLOSED';
      return { status: 204 };
    }
    if (req.method === 'POST' && p === '/v3/refund/domestic/refunds') {
      const b = json();
      const o = orders.get(b.out_trade_no);
      if (!o || o.mchid !== m.mchid) throw new HttpError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
      const prev = refunds.get(b.out_refund_no);
      if (prev) return { status: 200, json: refundJson(prev, o) };
      if (o.trade_state !== 'SUCCESS' && o.trade_state !== 'REFUND') throw new HttpError(400, 'INVALID_REQUEST', 'the order is not paid');
      if (b.amount?.total !== o.amount) throw new HttpError(400, 'PARAM_ERROR', 'amount.total is not the order amount');
      if (!Number.isInteger(b.amount?.refund) || b.amount.refund < 1 || b.amount.refund > o.amount - o.refunded) throw new HttpError(400, 'NOT_ENOUGH', '申请退款金额超过订单可退金额');
      const r: FakeRefund = { mchid: m.mchid, out_trade_no: o.out_trade_no, out_refund_no: b.out_refund_no, refund_id: '50' + Array.from(randomBytes(27), (x) => String(x % 10)).join(''), amount: b.amount.refund, reason: b.reason, notify_url: b.notify_url, status: 'PROCESSING', created: clock.date() };
      refunds.set(r.out_refund_no, r);
      o.refunded += r.amount;
      o.trade_state = 'REFUND';
      later(1000 * timeScale, () => {
        r.status = knobs.refundResult;
        if (r.status === 'SUCCESS') r.success_time = clock.date();
        else o.refunded -= r.amount;
        if (r.notify_url) {
          const res = { mchid: m.mchid, out_trade_no: o.out_trade_no, transaction_id: o.transaction_id, out_refund_no: r.out_refund_no, refund_id: r.refund_id, refund_status: r.status, ...(r.success_time ? { success_time: formatDate(r.success_time) } : {}), user_received_account: '支付用户零钱', amount: { total: o.amount, refund: r.amount, payer_total: o.amount, payer_refund: r.amount } };
          deliver(r.out_refund_no, 'refund', r.notify_url, notification('refund', res, `REFUND.${r.status}`, m.apiV3Key));
        }
      });
      return { status: 200, json: refundJson(r, o) };
    }
    if (req.method === 'GET' && (mm = p.match(/^\/v3\/refund\/domestic\/refunds\/([^/]+)$/))) {
      const r = refunds.get(decodeURIComponent(mm[1]));
      if (!r || r.mchid !== m.mchid) throw new HttpError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return { status: 200, json: refundJson(r, orders.get(r.out_trade_no)!) };
    }
    if (req.method === 'GET' && p === '/v3/bill/tradebill') {
      const date = u.searchParams.get('bill_date') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new HttpError(400, 'PARAM_ERROR', 'bill_date must be YYYY-MM-DD');
      if (date > localDate(clock.date())) throw new HttpError(400, 'INVALID_REQUEST', 'the bill of a future day does not exist');
      const rows = billFor(date, m.mchid);
      if (!rows.length) throw new HttpError(400, 'NO_STATEMENT_EXIST', '账单文件不存在');
      const text = formatTradeBill(rows);
      const token = randomBytes(12).toString('hex');
      bills.set(token, text);
      later(5 * 60 * 1000, () => bills.delete(token));
      return { status: 200, json: { hash_type: 'SHA1', hash_value: sha1Hex(text), download_url: `${base}/fake/billdownload/${token}` } };
    }
    throw new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${p}`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let out: { status: number; json?: unknown; text?: string; type?: string; sign?: boolean };
      try {
        out = await route(req, body);
      } catch (e) {
        out = e instanceof HttpError ? { status: e.status, json: { code: e.code, message: e.message } } : { status: 500, json: { code: 'SYSTEM_ERROR', message: (e as Error).message } };
      }
      const text = out.text ?? (out.json === undefined ? '' : JSON.stringify(out.json));
      const headers: Record<string, string> = { 'request-id': randomBytes(8).toString('hex') };
      if (text) headers['content-type'] = out.type ?? 'application/json';
      if (out.sign !== false) Object.assign(headers, signAsPlatform(text, { serial: platform.serial, privateKeyPem: platform.privateKey }, clock.now()));
      res.writeHead(out.status, headers).end(text);
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  base = (opts.publicUrl ?? `http://127.0.0.1:${port}`).replace(/\/+$/, '');

  function settings() {
    return {
      mchid: merchant.mchid,
      appid: merchant.appid,
      apiV3Key: merchant.apiV3Key,
      merchantSerial: merchant.merchantSerial,
      merchantPrivateKey: merchant.merchantPrivateKey,
      platformSerial: platform.serial,
      platformPublicKey: platform.publicKey,
      apiBaseUrl: base,
    };
  }

  return {
    url: base,
    port,
    platformSerial: platform.serial,
    platformPublicKey: platform.publicKey,
    merchant,
    knobs,
    orders,
    refunds,
    deliveries,
    operatorSettings: settings,
    addMerchant: (m) => merchants.set(m.mchid, m),
    pay,
    notify,
    notifyRaw,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
