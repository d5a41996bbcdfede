/** The story parts support tells itself; each reads another module only through its index.ts. */
import type { Ctx } from '../../platform/context.ts';
import { getOrder, getOrderDetail } from '../orders/index.ts';
import { getSession, sessionView } from '../sessions/index.ts';
import { searchMessages, statusHistory, connectionsOverlapping, lastConnectionBefore } from '../ocpp/index.ts';
import { roamingTrail } from '../roaming/index.ts';
import { topupsOfPhone } from '../payments/index.ts';
import { ledgerForCauses } from '../wallet/index.ts';
import { sentForOrder } from '../notify/index.ts';
import { storyParts, type StoryProvider, type StorySubject } from './story.ts';
import { networkState, faultsText } from './facts.ts';
import { maskPhone } from './mask.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);
/** The end of the session's occupancy, or now while it lasts. */
const until = (s: StorySubject) => s.occupiedUntil ?? s.endedAt ?? s.now;
const charger = (s: StorySubject, tab: string) => ({ kind: 'charger', href: `/chargers/${encodeURIComponent(s.chargerId)}?tab=${tab}` });

const driver: StoryProvider = async (q, s) => {
  const o = s.orderNo ? await getOrder(q, s.operatorId, s.orderNo) : null;
  const ss = o ? null : await getSession(q, s.operatorId, s.sessionId);
  return {
    evidence: { kind: 'drivers', href: '/drivers' },
    items: [],
    data: {
      phoneMasked: maskPhone(s.phone),
      name: o?.driver?.name ?? null,
      plate: o?.plate ?? null,
      card: s.idTag,
      origin: o?.origin ?? ss?.origin ?? null,
      paymentMethod: o?.paymentMethod ?? null,
      partnerId: s.partnerId,
    },
  };
};

const order: StoryProvider = async (q, s) => {
  if (s.orderNo) return { evidence: { kind: 'order', href: `/orders/${s.orderNo}` }, items: [], data: await getOrderDetail(q, s.operatorId, s.orderNo) };
  const ss = await getSession(q, s.operatorId, s.sessionId);
  return { evidence: null, items: [], data: ss ? sessionView(ss) : null };
};

/** The frames of this session: its connector's and its transaction's calls, and the answers to them. */
const frames: StoryProvider = async (q, s) => {
  const all = await searchMessages(q, { operatorId: s.operatorId, chargerId: s.chargerId, from: plus(s.startedAt, -2 * MIN), to: plus(until(s), 2 * MIN), limit: 2000 });
  const calls = new Set<string>();
  const mine = (p: any) => p && typeof p === 'object' && (p.connectorId === s.connectorId || p.transactionId === s.sessionId);
  const kept = all.filter((m) => {
    if (m.messageType === 'CALL' && mine(m.payload)) {
      if (m.messageId) calls.add(`${m.direction}|${m.messageId}`);
      return true;
    }
    return false;
  });
  // answers travel the other way
  for (const m of all) if (m.messageType !== 'CALL' && m.messageId && calls.has(`${m.direction === 'in' ? 'out' : 'in'}|${m.messageId}`)) kept.push(m);
  kept.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id);
  const from = plus(s.startedAt, -2 * MIN).toISOString();
  const to = plus(until(s), 2 * MIN).toISOString();
  return { evidence: { kind: 'messages', href: `/chargers/${encodeURIComponent(s.chargerId)}?tab=msg&from=${from}&to=${to}` }, items: kept.slice(0, 500) };
};

const connector: StoryProvider = async (q, s) => {
  const items = await statusHistory(q, s.operatorId, s.chargerId, { from: plus(s.startedAt, -HOUR), to: plus(until(s), HOUR), limit: 300, connectorId: s.connectorId });
  return { evidence: charger(s, 'faults'), items: items.reverse() };
};

const connections: StoryProvider = async (q, s) => {
  const items = await connectionsOverlapping(q, s.operatorId, s.chargerId, plus(s.startedAt, -DAY), plus(until(s), HOUR));
  const during = items.filter((c) => c.connectedAt < (s.endedAt ?? s.now) && (!c.disconnectedAt || c.disconnectedAt > s.startedAt));
  const last = during.length ? null : await lastConnectionBefore(q, s.operatorId, s.chargerId, s.startedAt);
  return {
    evidence: charger(s, 'conn'),
    summary: networkState(during, s.startedAt, s.endedAt, s.now, s.timeZone, last),
    items: items.map((c) => ({ ...c, connectedAt: c.connectedAt.toISOString(), disconnectedAt: c.disconnectedAt?.toISOString() ?? null })),
  };
};

const faults: StoryProvider = async (q, s) => {
  const items = (await statusHistory(q, s.operatorId, s.chargerId, { from: plus(s.startedAt, -7 * DAY), to: s.endedAt ?? s.now, limit: 100, faultsOnly: true })).reverse();
  return { evidence: charger(s, 'faults'), summary: faultsText(items, s.timeZone), items };
};

const roaming: StoryProvider = async (q, s) => {
  if (!s.startChargeSeq) return { evidence: null, items: [] };
  const t = await roamingTrail(q, s.operatorId, { startChargeSeq: s.startChargeSeq, partnerId: s.partnerId, from: plus(s.startedAt, -DAY), to: plus(until(s), 7 * DAY) });
  return { evidence: { kind: 'roaming', href: '/roaming' }, items: t.envelopes, data: { sessions: t.sessions, confirmations: t.confirmations } };
};

const payments: StoryProvider = async (q, s) => {
  if (!s.phone) return { evidence: null, items: [] };
  const items = await topupsOfPhone(q, s.operatorId, s.phone, plus(s.startedAt, -7 * DAY), plus(s.endedAt ?? s.now, DAY));
  return { evidence: { kind: 'payments', href: '/payments' }, items };
};

const ledger: StoryProvider = async (q, s) => {
  const topups = s.phone ? await topupsOfPhone(q, s.operatorId, s.phone, plus(s.startedAt, -7 * DAY), plus(s.endedAt ?? s.now, DAY)) : [];
  const refs = [...(s.orderNo ? [s.orderNo] : []), ...topups.map((t) => t.outTradeNo)];
  return { evidence: { kind: 'drivers', href: '/drivers' }, items: await ledgerForCauses(q, s.operatorId, refs) };
};

const notifications: StoryProvider = async (q, s) => {
  if (!s.orderNo) return { evidence: null, items: [] };
  const items = await sentForOrder(q, s.operatorId, s.orderNo, plus(s.startedAt, -HOUR), plus(s.now, MIN));
  return { evidence: { kind: 'settings', href: '/settings' }, items: items.map((n) => ({ ...n, recipient: /^\+?\d{7,15}$/.test(n.recipient) ? maskPhone(n.recipient) : n.recipient })) };
};

/** Empty until the billing-evasion module registers its own 'incidents' part. */
const incidents: StoryProvider = async () => ({ evidence: null, items: [] });

export function registerBuiltInParts(ctx: Ctx) {
  const r = storyParts(ctx);
  const own: [string, StoryProvider][] = [
    ['driver', driver],
    ['order', order],
    ['frames', frames],
    ['connector', connector],
    ['connections', connections],
    ['faults', faults],
    ['roaming', roaming],
    ['payments', payments],
    ['ledger', ledger],
    ['notifications', notifications],
  ];
  for (const [name, fn] of own) r.register(name, fn);
  if (!r.names().includes('incidents')) r.register('incidents', incidents);
}

