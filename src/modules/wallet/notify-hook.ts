/**
 * Wallet events for notifications (low balance, top-up credited).
 * HOOK: wired to src/modules/notify when it exists (see the report / docs/wallet.md).
 */
import type { Queryable } from '../../platform/db/index.ts';
import { walletSettings } from './settings.ts';

type Notifier = (q: Queryable, n: { operatorId: string; kind: string; phone: string; data: Record<string, unknown>; dedupeKey: string }) => Promise<unknown>;
let notifier: Notifier | null = null;

/** The notify module (or a test) plugs itself in here. */
export function setWalletNotifier(fn: Notifier | null) {
  notifier = fn;
}

export async function afterDebit(q: Queryable, operatorId: string, phone: string, beforeFen: number, afterFen: number) {
  if (!notifier) return;
  const s = await walletSettings(q, operatorId);
  // Only when the balance crosses the threshold, so a driver is told once, not on every order.
  if (beforeFen >= s.lowBalanceFen && afterFen < s.lowBalanceFen)
    await notifier(q, { operatorId, kind: 'wallet.low_balance', phone, data: { balanceFen: afterFen, thresholdFen: s.lowBalanceFen }, dedupeKey: `low:${phone}:${Date.now()}` });
}

export async function afterTopUp(q: Queryable, operatorId: string, phone: string, amountFen: number, outTradeNo: string) {
  if (!notifier) return;
  await notifier(q, { operatorId, kind: 'wallet.topup_credited', phone, data: { amountFen, outTradeNo }, dedupeKey: `topup:${outTradeNo}` });
}
