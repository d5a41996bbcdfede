/**
 * The wallet module's exported surface. Other modules call these inside their own transaction
 * (pass the Queryable of that transaction) so money moves atomically with what caused it.
 * NOTE: placeholders until the ledger lands; signatures are the contract.
 */
import type { Queryable } from '../../platform/db/index.ts';
export { idTagInfo, type IdTagInfo, type IdTagStatus } from './id-tags.ts';

/** Debits the driver's wallet for an order version; idempotent per (orderNo, version). */
export async function chargeForOrder(
  _q: Queryable,
  _input: { operatorId: string; phone: string; orderNo: string; version: number; amountFen: number },
): Promise<{ chargedFen: number }> {
  return { chargedFen: _input.amountFen };
}

/** Moves the difference of a corrected order: deltaFen > 0 debits more, < 0 refunds to the wallet. Idempotent per (orderNo, version). */
export async function adjustForOrder(
  _q: Queryable,
  _input: { operatorId: string; phone: string; orderNo: string; version: number; deltaFen: number; remark: string },
): Promise<void> {}

/** Credits a paid top-up once; idempotent per outTradeNo. */
export async function creditTopUp(
  _q: Queryable,
  _input: { operatorId: string; phone: string; amountFen: number; outTradeNo: string; remark: string },
): Promise<{ credited: boolean }> {
  return { credited: true };
}

/** Debits a refund of wallet balance to the original payment; idempotent per refundId. */
export async function debitRefund(
  _q: Queryable,
  _input: { operatorId: string; phone: string; amountFen: number; refundId: string; remark: string },
): Promise<void> {}

/** Wallet balance in fen. */
export async function walletBalanceFen(_q: Queryable, _operatorId: string, _phone: string): Promise<number> {
  return 0;
}
