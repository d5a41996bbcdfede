/**
 * Whether a driver belongs to an enterprise (which then pays) and what its caps leave to spend.
 * Memberships are the enterprise module's, a module above the wallet (it books on wallet accounts);
 * so the wallet does not import it: the enterprise module registers itself here when loaded
 * (src/modules/enterprise/index.ts). Without it nobody is a member and every driver pays from a wallet.
 */
import type { Queryable } from '../../platform/db/index.ts';

export interface Membership {
  enterpriseId: string;
  enterpriseName: string;
  enterpriseStatus: 'active' | 'suspended';
  departmentId: number;
  departmentName: string;
}

export interface Allowance {
  /** which cap binds: the member's own or a department's (covering its sub-departments) */
  scope: string;
  remainingFen: number | null;
  remainingWh: number | null;
  perSessionFen: number | null;
}

export interface MembershipProvider {
  membershipOf(q: Queryable, operatorId: string, phone: string): Promise<Membership | null>;
  memberAllowance(q: Queryable, operatorId: string, phone: string, at: Date): Promise<Allowance | null>;
}

let provider: MembershipProvider | null = null;

export function registerMembershipProvider(p: MembershipProvider): void {
  provider = p;
}

export const membershipOf = (q: Queryable, operatorId: string, phone: string): Promise<Membership | null> => (provider ? provider.membershipOf(q, operatorId, phone) : Promise.resolve(null));

export const memberAllowance = (q: Queryable, operatorId: string, phone: string, at: Date): Promise<Allowance | null> => (provider ? provider.memberAllowance(q, operatorId, phone, at) : Promise.resolve(null));
