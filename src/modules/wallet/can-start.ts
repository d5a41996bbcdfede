import type { Queryable } from '../../platform/db/index.ts';
import { formatKwh3, formatYuan } from '../../platform/money.ts';
import { idTagInfo, type IdTagInfo } from './id-tags.ts';
export { availableFen } from './holds.ts';
import { availableFen } from './holds.ts';
import { memberAllowance, payerFor, type Payer } from './payer.ts';
import { walletSettings } from './settings.ts';

/** The energy an enterprise's monthly energy caps must still leave for a start (1 kWh). */
export const MIN_START_WH = 1000;

export interface CanStart {
  ok: boolean;
  /** Machine code: ok | partner | unknown_tag | tag_blocked | tag_expired | no_driver | driver_blocked | insufficient_balance | enterprise_limit */
  code: string;
  reason: string;
  /** What an OCPP 1.6 idTagInfo should say (1.6 has no "no funds" status: Blocked is the closest). */
  ocppStatus: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
  payer?: Payer;
  availableFen?: number;
  minStartFen?: number;
}

/**
 * The idTagInfo of a StartTransaction: an enterprise member whose monthly caps leave too little is
 * Blocked (issue 17: refused in the OCPP idTagInfo, like Authorize). A wallet short of money is not:
 * that start is recorded and the balance watcher stops it (docs/wallet.md), as before.
 */
export async function startTagInfo(q: Queryable, operatorId: string, idTag: string, at: Date): Promise<IdTagInfo> {
  const info = await idTagInfo(q, operatorId, idTag, at);
  if (info.status !== 'Accepted' || !info.driverPhone || info.kind === 'partner') return info;
  const c = await canStart(q, operatorId, { phone: info.driverPhone }, at);
  return c.code === 'enterprise_limit' ? { ...info, status: 'Blocked' } : info;
}

/**
 * May this id tag or driver start charging? For OCPP Authorize/StartTransaction (by idTag) and for
 * app/H5 starts (by phone). Partner tags are the partner's business and always pass here.
 */
export async function canStart(q: Queryable, operatorId: string, who: { idTag?: string; phone?: string }, at: Date): Promise<CanStart> {
  let phone = who.phone ?? null;
  if (who.idTag !== undefined) {
    const info = await idTagInfo(q, operatorId, who.idTag, at);
    if (info.status === 'Invalid') return { ok: false, code: 'unknown_tag', reason: `id tag ${who.idTag} is unknown`, ocppStatus: 'Invalid' };
    if (info.status === 'Blocked') return { ok: false, code: 'tag_blocked', reason: `id tag ${who.idTag} or its driver is blocked`, ocppStatus: 'Blocked' };
    if (info.status === 'Expired') return { ok: false, code: 'tag_expired', reason: `id tag ${who.idTag} has expired`, ocppStatus: 'Expired' };
    if (info.kind === 'partner') return { ok: true, code: 'partner', reason: 'a roaming partner pays for this tag', ocppStatus: 'Accepted' };
    if (!info.driverPhone) return { ok: false, code: 'no_driver', reason: `id tag ${who.idTag} belongs to no driver, so nobody pays`, ocppStatus: 'Invalid' };
    phone = info.driverPhone;
  }
  if (!phone) return { ok: false, code: 'no_driver', reason: 'name an id tag or a driver', ocppStatus: 'Invalid' };
  const d = await q.query<{ status: string }>(`SELECT status FROM drivers WHERE operator_id = $1 AND phone = $2`, [operatorId, phone]);
  if (!d.rows[0]) return { ok: false, code: 'no_driver', reason: `driver ${phone} is unknown`, ocppStatus: 'Invalid' };
  if (d.rows[0].status === 'blocked') return { ok: false, code: 'driver_blocked', reason: `driver ${phone} is blocked`, ocppStatus: 'Blocked' };
  const payer = await payerFor(q, operatorId, phone);
  const avail = await availableFen(q, operatorId, payer);
  const min = (await walletSettings(q, operatorId)).minStartBalanceFen;
  const what = payer.method === 'enterprise' ? `enterprise ${payer.enterpriseId} has ${formatYuan(avail)} yuan available` : `wallet balance ${formatYuan(avail)} yuan`;
  if (avail < min)
    return { ok: false, code: 'insufficient_balance', reason: `${what}, below the ${formatYuan(min)} yuan needed to start`, ocppStatus: 'Blocked', payer, availableFen: avail, minStartFen: min };
  if (payer.method === 'enterprise') {
    // the enterprise's monthly caps (member, and its departments up the tree): a start needs what a
    // wallet start needs, so a session the watcher stopped at the cap (it leaves less than the stop
    // threshold) is followed by a refusal, not by a start that would be stopped at once
    const a = await memberAllowance(q, operatorId, phone, at);
    const cap = (name: string, left: string, needed: string, reached: boolean) =>
      `the ${name} of enterprise ${payer.enterpriseId} (${a!.scope}) ${reached ? 'is reached for this month' : `leaves ${left} this month, below the ${needed} needed to start`}`;
    let refused: string | null = null;
    if (a && a.remainingFen !== null && a.remainingFen < min) refused = cap('monthly amount limit', `${formatYuan(Math.max(0, a.remainingFen))} yuan`, `${formatYuan(min)} yuan`, a.remainingFen <= 0);
    else if (a && a.remainingWh !== null && a.remainingWh < MIN_START_WH) refused = cap('monthly energy limit', `${formatKwh3(Math.max(0, a.remainingWh))} kWh`, `${formatKwh3(MIN_START_WH)} kWh`, a.remainingWh <= 0);
    if (refused) return { ok: false, code: 'enterprise_limit', reason: refused, ocppStatus: 'Blocked', payer, availableFen: avail, minStartFen: min };
  }
  return { ok: true, code: 'ok', reason: what, ocppStatus: 'Accepted', payer, availableFen: avail, minStartFen: min };
}
