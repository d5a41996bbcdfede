/**
 * Wallet events for notifications: low balance (a debit crosses the operator's threshold) and
 * top-up credited. Queued through the notify module's notify() in the caller's transaction, so a
 * rolled-back debit or credit notifies nobody; notify() honours the operator's event settings.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { formatYuan } from '../../platform/money.ts';
import { notify } from '../notify/index.ts';
import { getAccount } from './ledger.ts';
import { walletSettings } from './settings.ts';

export async function afterDebit(q: Queryable, operatorId: string, phone: string, beforeFen: number, afterFen: number) {
  const s = await walletSettings(q, operatorId);
  // Only when the balance crosses the threshold, so a driver is told once, not on every order.
  if (!(beforeFen >= s.lowBalanceFen && afterFen < s.lowBalanceFen)) return;
  await notify(q, {
    operatorId,
    event: 'low_balance',
    to: { phone },
    data: { phone, balance: formatYuan(afterFen), threshold: formatYuan(s.lowBalanceFen) },
    dedupeKey: `low_balance:${operatorId}:${phone}:${await entryCount(q, operatorId, phone)}`,
  });
}

export async function afterTopUp(q: Queryable, operatorId: string, phone: string, amountFen: number, outTradeNo: string) {
  const bal = (await getAccount(q, operatorId, { kind: 'wallet', ref: phone }))?.balanceFen ?? 0;
  await notify(q, {
    operatorId,
    event: 'topup_credited',
    to: { phone },
    data: { phone, outTradeNo, amount: formatYuan(amountFen), balance: formatYuan(bal) },
    dedupeKey: `topup_credited:${operatorId}:${outTradeNo}`,
  });
}

/** One low-balance notice per crossing: the wallet's entry count at the time identifies the crossing. */
async function entryCount(q: Queryable, operatorId: string, phone: string): Promise<number> {
  const r = await q.query<{ n: number }>(
    `SELECT COUNT(*)::int AS n FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.operator_id = $1 AND a.kind = 'wallet' AND a.ref = $2`,
    [operatorId, phone],
  );
  return r.rows[0].n;
}
