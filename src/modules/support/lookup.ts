/**
 * Look-up by any key and "who charged here" (case 3). Orders are read through the orders module's
 * index probes; running sessions (no order yet) through the sessions module. Phones leave here
 * masked.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { formatKwh, formatYuan } from '../../platform/money.ts';
import { lookupOrders, ordersOverlapping, type LookupMatch } from '../orders/index.ts';
import type { OrderRow } from '../orders/index.ts';
import { listActiveSessions, sessionEnergyWh, type SessionRow } from '../sessions/index.ts';
import { topupForSupport } from '../payments/index.ts';
import { idTagInfo, driverForOrder } from '../wallet/index.ts';
import { maskPhone } from './mask.ts';

export interface LookupSession {
  orderNo: string | null;
  sessionId: number;
  startChargeSeq?: string;
  chargerId: string;
  connectorId: number;
  stationId: string | null;
  stationName: string | null;
  startedAt: string;
  endedAt: string | null;
  /** start → unplug: what "overlapping a window" is measured on */
  occupiedUntil: string | null;
  energyKwh: string;
  amount: string | null;
  phoneMasked: string | null;
  driverName?: string;
  card: string | null;
  /** settled | held | idle for orders, charging for a session without an order yet */
  status: string;
  matchedBy?: (LookupMatch | 'outTradeNo' | 'window')[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function fromOrder(o: OrderRow, matchedBy?: LookupSession['matchedBy']): LookupSession {
  return {
    orderNo: o.order_no,
    sessionId: Number(o.session_id),
    ...(o.partner_order_no ? { startChargeSeq: o.partner_order_no } : {}),
    chargerId: o.charger_id,
    connectorId: o.connector_id,
    stationId: o.station_id,
    stationName: o.station_name,
    startedAt: o.start_time.toISOString(),
    endedAt: iso(o.end_time),
    occupiedUntil: iso(o.occupied_until),
    energyKwh: formatKwh(Number(o.energy_wh)),
    amount: formatYuan(Number(o.total_fen)),
    phoneMasked: maskPhone(o.driver_phone),
    ...(o.driver_name ? { driverName: o.driver_name } : {}),
    card: o.id_tag,
    status: o.status,
    ...(matchedBy ? { matchedBy } : {}),
  };
}

async function fromActive(q: Queryable, s: SessionRow): Promise<LookupSession> {
  let phone = s.driver_phone;
  if (!phone && s.id_tag && s.origin !== 'partner') phone = (await idTagInfo(q, s.operator_id, s.id_tag, s.started_at)).driverPhone ?? null;
  const driver = phone ? await driverForOrder(q, s.operator_id, phone) : null;
  return {
    orderNo: null,
    sessionId: Number(s.id),
    ...(s.start_charge_seq ? { startChargeSeq: s.start_charge_seq } : {}),
    chargerId: s.charger_id,
    connectorId: s.connector_id,
    stationId: s.station_id,
    stationName: null,
    startedAt: s.started_at.toISOString(),
    endedAt: null,
    occupiedUntil: null,
    energyKwh: formatKwh(sessionEnergyWh(s)),
    amount: null,
    phoneMasked: maskPhone(phone),
    ...(driver?.name ? { driverName: driver.name } : {}),
    card: s.origin === 'partner' ? null : s.id_tag,
    status: 'charging',
    matchedBy: ['window'],
  };
}

/** Merges rows of the same order, keeping every reason it matched; newest first. */
function merge(rows: LookupSession[]): LookupSession[] {
  const by = new Map<string, LookupSession>();
  for (const r of rows) {
    const k = r.orderNo ?? `s${r.sessionId}`;
    const had = by.get(k);
    if (had) had.matchedBy = [...new Set([...(had.matchedBy ?? []), ...(r.matchedBy ?? [])])];
    else by.set(k, { ...r });
  }
  return [...by.values()].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}

export interface LookupInput {
  q?: string;
  stationId?: string;
  from?: Date;
  to?: Date;
}

/**
 * Sessions a key names (phone, card, order number, StartChargeSeq, out_trade_no, charger id), or
 * a station's sessions in a window; both together: the key's sessions inside the window.
 */
export async function lookup(q: Queryable, operatorId: string, input: LookupInput, limit = 50): Promise<{ sessions: LookupSession[]; topup?: { outTradeNo: string; phoneMasked: string | null; amount: string; status: string; createdAt: string } }> {
  const window = input.from && input.to ? { from: input.from, to: input.to } : null;
  const key = input.q?.trim();
  if (!key) {
    if (!window) return { sessions: [] };
    const rows = await ordersOverlapping(q, operatorId, { stationId: input.stationId, ...window }, limit);
    return { sessions: merge(rows.map((o) => fromOrder(o, ['window']))) };
  }
  const found: LookupSession[] = (await lookupOrders(q, operatorId, key, limit)).map((o) => fromOrder(o, [o.matched_by]));
  const topup = await topupForSupport(q, operatorId, key);
  if (topup) {
    const at = Date.parse(topup.createdAt);
    const week = 7 * 86_400_000;
    const rows = await ordersOverlapping(q, operatorId, { phone: topup.phone, from: new Date(at - week), to: new Date(at + week) }, limit);
    found.push(...rows.map((o) => fromOrder(o, ['outTradeNo'])));
  }
  let sessions = merge(found);
  if (window) sessions = sessions.filter((s) => Date.parse(s.startedAt) < window.to.getTime() && (!s.occupiedUntil || Date.parse(s.occupiedUntil) > window.from.getTime()));
  if (input.stationId) sessions = sessions.filter((s) => s.stationId === input.stationId);
  return {
    sessions: sessions.slice(0, limit),
    ...(topup ? { topup: { outTradeNo: topup.outTradeNo, phoneMasked: maskPhone(topup.phone), amount: topup.amount, status: topup.status, createdAt: topup.createdAt } } : {}),
  };
}

export const WHO_CHARGED_MAX = 1000;

/** Every session that occupied a connector of the station at some point in [from, to): finished ones (orders) and running ones. */
export async function whoCharged(q: Queryable, operatorId: string, stationId: string, from: Date, to: Date): Promise<{ sessions: LookupSession[]; truncated: boolean }> {
  const rows = await ordersOverlapping(q, operatorId, { stationId, from, to }, WHO_CHARGED_MAX + 1);
  const withOrder = new Set(rows.map((o) => Number(o.session_id)));
  const active = (await listActiveSessions(q, operatorId)).filter((s) => s.station_id === stationId && s.started_at < to && !withOrder.has(Number(s.id)));
  const out = rows.slice(0, WHO_CHARGED_MAX).map((o) => fromOrder(o, ['window']));
  for (const s of active) out.push(await fromActive(q, s));
  out.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return { sessions: out, truncated: rows.length > WHO_CHARGED_MAX };
}
