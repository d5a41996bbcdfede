import { formatDate } from './time.ts';
import { outboundFetch } from '../../../platform/outbound-url.ts';
import { systemClock, type Clock } from '../../../platform/clock.ts';
import { buildAuthorization, jsapiPayParams, verifyWechatSignature, type PlatformKey } from './crypto.ts';
import { parseTradeBill, sha1Hex, BillFormatError } from './bill.ts';
import { ProviderError, type PaymentProvider, type PaymentState, type PrepayInput, type PrepayResult, type RefundInput, type RefundState } from '../provider.ts';

export interface WechatpayMerchant {
  mchid: string;
  appid: string;
  apiV3Key: string;
  merchantSerial: string;
  merchantPrivateKey: string;
  platformKeys: PlatformKey[];
  apiBaseUrl: string;
}

export const WECHATPAY_DEFAULT_BASE = 'https://api.mch.weixin.qq.com';

/** WeChat Pay API v3 over fetch: every request signed, every response signature verified. */
export class WechatpayProvider implements PaymentProvider {
  readonly name = 'wechatpay' as const;
  constructor(
    private m: WechatpayMerchant,
    private timeoutMs = 10_000,
    private clock: Clock = systemClock,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown, opts: { verify?: boolean; raw?: boolean; absolute?: string } = {}): Promise<{ status: number; json: T; text: string }> {
    const url = opts.absolute ?? this.m.apiBaseUrl.replace(/\/+$/, '') + path;
    const u = new URL(url);
    const text = body === undefined ? '' : JSON.stringify(body);
    const authorization = buildAuthorization({ mchid: this.m.mchid, serialNo: this.m.merchantSerial, privateKeyPem: this.m.merchantPrivateKey, method, urlPath: u.pathname + u.search, body: text, now: this.clock.now() });
    let res: Response;
    try {
      // the API base is set by an admin: the outbound policy applies (no metadata or private addresses)
      res = await outboundFetch(url, {
        method,
        headers: { authorization, accept: 'application/json', 'user-agent': 'ChargeOps/0.1', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : text,
        timeoutMs: this.timeoutMs,
      });
    } catch (e) {
      throw new ProviderError(`WeChat Pay ${method} ${u.pathname} unreachable: ${(e as Error).message}`, 0, 'NETWORK', true);
    }
    const out = await res.text();
    if (opts.verify !== false && res.status < 500) {
      const check = verifyWechatSignature(Object.fromEntries(res.headers), out, this.m.platformKeys, { now: this.clock.now() });
      if (!check.ok) throw new ProviderError(`WeChat Pay response to ${method} ${u.pathname} failed verification: ${check.message}`, res.status, 'RESPONSE_SIGNATURE', true);
    }
    let json: any = undefined;
    if (!opts.raw && out) {
      try {
        json = JSON.parse(out);
      } catch {
        throw new ProviderError(`WeChat Pay answered ${res.status} with non-JSON`, res.status, 'BAD_RESPONSE', res.status >= 500);
      }
    }
    if (res.status >= 400 && !(res.status === 404 && json?.code === 'ORDER_NOT_EXIST') && !(res.status === 404 && json?.code === 'RESOURCE_NOT_EXISTS')) {
      throw new ProviderError(`WeChat Pay ${method} ${u.pathname}: ${res.status} ${json?.code ?? ''} ${json?.message ?? ''}`.trim(), res.status, json?.code ?? 'HTTP_' + res.status, res.status >= 500 || res.status === 429);
    }
    return { status: res.status, json, text: out };
  }

  async prepay(input: PrepayInput): Promise<PrepayResult> {
    const base = {
      appid: this.m.appid,
      mchid: this.m.mchid,
      description: input.description,
      out_trade_no: input.outTradeNo,
      time_expire: formatDate(input.expiresAt),
      attach: input.attach,
      notify_url: input.notifyUrl,
      amount: { total: input.amountFen, currency: 'CNY' },
    };
    if (input.channel === 'wechatpay_jsapi') {
      if (!input.openid) throw new ProviderError('a JSAPI payment needs the payer openid', 400, 'PARAM_ERROR', false);
      const r = await this.call<{ prepay_id: string }>('POST', '/v3/pay/transactions/jsapi', { ...base, payer: { openid: input.openid } });
      return { providerRef: r.json.prepay_id, payParams: jsapiPayParams(this.m.appid, r.json.prepay_id, this.m.merchantPrivateKey, this.clock.now()) };
    }
    const r = await this.call<{ h5_url: string }>('POST', '/v3/pay/transactions/h5', {
      ...base,
      scene_info: { payer_client_ip: input.clientIp ?? '127.0.0.1', h5_info: { type: 'Wap' } },
    });
    return { providerRef: r.json.h5_url, payParams: { h5Url: r.json.h5_url } };
  }

  async query(outTradeNo: string): Promise<PaymentState> {
    const r = await this.call<any>('GET', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.m.mchid)}`);
    if (r.status === 404) return { outTradeNo, state: 'NOT_FOUND', raw: r.json };
    return transactionState(r.json);
  }

  async close(outTradeNo: string) {
    await this.call('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, { mchid: this.m.mchid });
  }

  async refund(input: RefundInput): Promise<RefundState> {
    const r = await this.call<any>('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: input.outTradeNo,
      out_refund_no: input.outRefundNo,
      reason: input.reason,
      notify_url: input.notifyUrl,
      amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
    });
    return refundState(r.json);
  }

  async queryRefund(outRefundNo: string): Promise<RefundState> {
    const r = await this.call<any>('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`);
    if (r.status === 404) return { outRefundNo, status: 'NOT_FOUND', raw: r.json };
    return refundState(r.json);
  }

  async tradeBill(date: string) {
    let r: { status: number; json: { hash_type: string; hash_value: string; download_url: string } };
    try {
      r = await this.call('GET', `/v3/bill/tradebill?bill_date=${date}&bill_type=ALL`);
    } catch (e) {
      // WeChat has no file for a day without a successful trade: that day's bill is empty.
      if (e instanceof ProviderError && e.code === 'NO_STATEMENT_EXIST') return { rows: [], summary: null, text: '' };
      throw e;
    }
    // The download is not signed; the SHA-1 from the signed answer vouches for it.
    const file = await this.call<string>('GET', '', undefined, { verify: false, raw: true, absolute: r.json.download_url });
    const got = sha1Hex(file.text);
    if (r.json.hash_type?.toUpperCase() !== 'SHA1' || got !== r.json.hash_value.toLowerCase())
      throw new ProviderError(`trade bill ${date}: SHA-1 ${got} does not match ${r.json.hash_value}`, 200, 'BILL_HASH_MISMATCH', true);
    try {
      return { ...parseTradeBill(file.text), text: file.text };
    } catch (e) {
      if (e instanceof BillFormatError) throw new ProviderError(`trade bill ${date}: ${e.message}`, 200, 'BILL_FORMAT', false);
      throw e;
    }
  }
}

export function transactionState(t: any): PaymentState {
  return {
    outTradeNo: t.out_trade_no,
    state: t.trade_state,
    transactionId: t.transaction_id || undefined,
    amountFen: t.amount?.total,
    paidAt: t.success_time ? new Date(t.success_time) : undefined,
    mchid: t.mchid,
    appid: t.appid,
    openid: t.payer?.openid,
    raw: t,
  };
}

export function refundState(r: any): RefundState {
  return { outRefundNo: r.out_refund_no, refundId: r.refund_id, status: r.status, refundFen: r.amount?.refund, raw: r };
}
