/**
 * What the top-up, recovery, reconciliation and refund code needs from a payment provider. WeChat Pay
 * v3 implements it today; Alipay fits the same shape (trade.precreate/wap.pay, trade.query,
 * trade.close, trade.refund, bill.downloadurl.query).
 */
import type { TradeBill } from './wechatpay/bill.ts';

export type Channel = 'wechatpay_jsapi' | 'wechatpay_h5';

export interface PrepayInput {
  outTradeNo: string;
  description: string;
  amountFen: number;
  notifyUrl: string;
  expiresAt: Date;
  channel: Channel;
  openid?: string;
  clientIp?: string;
  attach?: string;
}

export interface PrepayResult {
  /** What the payer's page needs: JSAPI bridge parameters or the H5 redirect URL. */
  payParams: Record<string, string>;
  providerRef: string;
}

/** The provider's view of one payment, normalised. */
export interface PaymentState {
  outTradeNo: string;
  state: 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR' | 'NOT_FOUND';
  transactionId?: string;
  amountFen?: number;
  paidAt?: Date;
  mchid?: string;
  appid?: string;
  openid?: string;
  raw: unknown;
}

export interface RefundInput {
  outTradeNo: string;
  outRefundNo: string;
  refundFen: number;
  totalFen: number;
  reason: string;
  notifyUrl: string;
}

export interface RefundState {
  outRefundNo: string;
  refundId?: string;
  status: 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL' | 'NOT_FOUND';
  refundFen?: number;
  raw: unknown;
}

export interface PaymentProvider {
  readonly name: 'wechatpay' | 'alipay';
  prepay(input: PrepayInput): Promise<PrepayResult>;
  query(outTradeNo: string): Promise<PaymentState>;
  close(outTradeNo: string): Promise<void>;
  refund(input: RefundInput): Promise<RefundState>;
  queryRefund(outRefundNo: string): Promise<RefundState>;
  /** The trade bill of one day (provider's time zone), downloaded and verified. */
  tradeBill(date: string): Promise<TradeBill & { text: string }>;
}

/** The provider could not be reached or answered with an error; `retryable` tells the caller whether to try again. */
export class ProviderError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly code: string,
    public readonly retryable: boolean,
  ) {
    super(message);
  }
}
