/**
 * Root-cause hints, computed from our own records for every item that is not matched (never typed
 * by a person). `hintsFor` is pure; `gatherFacts` reads what it needs for a batch of items.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { orderFacts, type OrderFacts } from '../orders/index.ts';
import { partnerSessionFacts, type PartnerSessionFacts } from '../roaming/index.ts';
import { meteredEnergy } from '../sessions/index.ts';
import type { Item, Tolerance } from './match.ts';

export type HintCode =
  | 'start_not_confirmed'
  | 'stopped_unconfirmed_start'
  | 'push_dead_letter'
  | 'push_not_acknowledged'
  | 'never_pushed'
  | 'corrected_after_push'
  | 'held_abnormal'
  | 'meter_differs'
  | 'no_order_here';

export interface Hint {
  code: HintCode;
  message: string;
  [k: string]: unknown;
}

export interface Facts {
  order?: OrderFacts;
  session?: PartnerSessionFacts;
  /** the charger's meter: stop − start (Wh) */
  meterWh?: number | null;
}

export function hintsFor(item: Pick<Item, 'class' | 'ours' | 'theirs' | 'seq'>, f: Facts, tol: Tolerance): Hint[] {
  if (item.class === 'matched') return [];
  const out: Hint[] = [];
  const s = f.session;
  if (s && !s.confirmedAt)
    out.push({ code: 'start_not_confirmed', message: 'the start was never confirmed to the partner (start timeout, case 2): the partner may have no record of this charge' });
  if (s?.autoStopReason) out.push({ code: 'stopped_unconfirmed_start', message: `the session was stopped by the platform: ${s.autoStopReason}` });
  const o = f.order;
  if (o?.pushDead) out.push({ code: 'push_dead_letter', message: `the order push (version ${o.version}) is dead-lettered: it never reached the partner` });
  else if (o && s && s.pushedVersion !== null && !s.pushedAcknowledged && !o.pushPending)
    out.push({ code: 'push_not_acknowledged', message: `the partner never acknowledged the order (last ConfirmResult ${s.lastConfirmResult ?? 'none'})`, confirmResult: s.lastConfirmResult });
  if (o && o.status === 'settled' && (!s || s.pushedVersion === null) && !o.pushDead) out.push({ code: 'never_pushed', message: 'the order was never pushed to the partner' });
  if (o && s?.pushedVersion !== null && s?.pushedVersion !== undefined && o.version > s.pushedVersion)
    out.push({ code: 'corrected_after_push', message: `the order was corrected after it was pushed (version ${o.version} here, the partner last got version ${s.pushedVersion})`, version: o.version, pushedVersion: s.pushedVersion });
  if (o?.status === 'held') out.push({ code: 'held_abnormal', message: 'the order is abnormal and still held for review: it was never final, so never pushed' });
  const theirs = item.theirs[0];
  if (theirs && f.meterWh !== undefined && f.meterWh !== null && Math.abs(theirs.wh - f.meterWh) > tol.energyWh)
    out.push({ code: 'meter_differs', message: `the partner’s energy (${theirs.wh} Wh) differs from the charger’s meter readings (${f.meterWh} Wh)`, partnerWh: theirs.wh, meterWh: f.meterWh });
  if (!item.ours.length) out.push({ code: 'no_order_here', message: s ? `no order here; the partner session is ${s.state}${s.failReason ? ` (FailReason ${s.failReason})` : ''}` : 'no order and no partner session here with this StartChargeSeq' });
  return out;
}

/** Facts for a batch of non-matched items (keyed by item index). */
export async function gatherFacts(q: Queryable, operatorId: string, partnerId: string, items: Pick<Item, 'class' | 'ours' | 'theirs' | 'seq'>[]): Promise<Facts[]> {
  const orderNos = [...new Set(items.flatMap((i) => i.ours.map((r) => r.orderNo!).filter(Boolean)))];
  const seqs = [...new Set(items.map((i) => i.seq).filter((x): x is string => !!x))];
  const orders = await orderFacts(q, operatorId, orderNos);
  const sessions = await partnerSessionFacts(q, operatorId, partnerId, seqs);
  const needMeter = (i: (typeof items)[number]) => i.theirs.length > 0 && (i.class === 'energy_mismatch' || i.class === 'anomaly');
  const sessionIds = items.filter(needMeter).map((i) => (i.ours[0]?.orderNo ? orders.get(i.ours[0].orderNo)?.sessionId : undefined)).filter((x): x is number => x !== undefined);
  const meters = await meteredEnergy(q, operatorId, sessionIds);
  const out: Facts[] = [];
  for (const i of items) {
    const order = i.ours[0]?.orderNo ? orders.get(i.ours[0].orderNo) : undefined;
    const meterWh = order && needMeter(i) ? (meters.get(order.sessionId) ?? null) : undefined;
    out.push({ order, session: i.seq ? sessions.get(i.seq) : undefined, meterWh });
  }
  return out;
}
