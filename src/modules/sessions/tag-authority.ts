/**
 * Who answers for an id tag at a start or stop, and who reserves money for an accepted start. Id
 * tags and balances belong to the wallet module, which sits above sessions (it prices running
 * sessions and stops them); so sessions does not import the wallet: the wallet registers itself
 * here when it is loaded (src/modules/wallet/index.ts), the way modules above add onSessionEnd steps.
 */
import type { Queryable } from '../../platform/db/index.ts';

export type IdTagStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';

export interface IdTagInfo {
  status: IdTagStatus;
  expiryDate?: string;
  driverPhone?: string | null;
  kind?: string;
}

export interface TagAuthority {
  /** OCPP idTagInfo for a tag of this operator at that instant. */
  idTagInfo(q: Queryable, operatorId: string, idTag: string, at: Date): Promise<IdTagInfo>;
  /**
   * The idTagInfo a StartTransaction gets: idTagInfo, and Blocked when the payer's rules refuse this
   * start (an enterprise member past a monthly cap), so a charger that starts without Authorize hears it too.
   */
  startTagInfo(q: Queryable, operatorId: string, idTag: string, at: Date): Promise<IdTagInfo>;
  /** Reserve part of the payer's balance for an accepted start, in the start's transaction. */
  holdForSession(q: Queryable, operatorId: string, sessionId: number, phone: string, at: Date): Promise<unknown>;
}

let authority: TagAuthority | null = null;

export function registerTagAuthority(a: TagAuthority): void {
  authority = a;
}

/** Fails loudly rather than accepting every tag: a platform without the wallet must not start sessions. */
export function tagAuthority(): TagAuthority {
  if (!authority) throw new Error('no id tag authority registered with the sessions module (the wallet module registers it when loaded)');
  return authority;
}
