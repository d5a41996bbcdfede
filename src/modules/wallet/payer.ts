import type { Queryable } from '../../platform/db/index.ts';
import { membershipOf } from './membership.ts';

// the enterprise's spending limits, for canStart (issue 17 point 5)
export { memberAllowance, type Allowance } from './membership.ts';
import type { AccountRef } from './ledger.ts';

/** Who pays a driver's charging: their own wallet, or their enterprise's account (payment method 'enterprise'). */
export type Payer =
  | { method: 'wallet'; phone: string }
  | { method: 'enterprise'; phone: string; enterpriseId: string; enterpriseName: string; departmentId: number };

/** An active enterprise membership makes the enterprise pay; a suspended enterprise falls back to the wallet. */
export async function payerFor(q: Queryable, operatorId: string, phone: string): Promise<Payer> {
  const m = await membershipOf(q, operatorId, phone);
  if (m && m.enterpriseStatus === 'active') return { method: 'enterprise', phone, enterpriseId: m.enterpriseId, enterpriseName: m.enterpriseName, departmentId: m.departmentId };
  return { method: 'wallet', phone };
}

export const payerAccount = (p: Payer): AccountRef => (p.method === 'enterprise' ? { kind: 'enterprise', ref: p.enterpriseId } : { kind: 'wallet', ref: p.phone });

/** A shortfall is owed by whoever pays: the driver, or the enterprise. */
export const receivableAccount = (p: Payer): AccountRef => ({ kind: 'receivable', ref: p.method === 'enterprise' ? `enterprise:${p.enterpriseId}` : p.phone });
