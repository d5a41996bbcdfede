/**
 * The whole story of one session in one answer, as a list of parts (driver, order, frames,
 * connector states, connections, faults, partner envelopes, payments, ledger, notifications,
 * incidents), each with a link to where its evidence lives in the console.
 *
 * Parts come from providers registered by name (`registerStoryPart`): support registers its own at
 * start; a module above support (the billing-evasion incidents module) adds or replaces one with the
 * same call, so support never imports it. A provider that fails gives its part an error, not the
 * page a 500. The subject's phone number is masked in the whole answer, whatever a provider put in.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { notFound } from '../../platform/errors.ts';
import { getOrder } from '../orders/index.ts';
import { getSession } from '../sessions/index.ts';
import { getOperator, listStations } from '../registry/index.ts';
import { idTagInfo } from '../wallet/index.ts';
import { maskPhone } from './mask.ts';

export interface StorySubject {
  operatorId: string;
  timeZone: string;
  orderNo: string | null;
  sessionId: number;
  stationId: string | null;
  stationName: string | null;
  chargerId: string;
  connectorId: number;
  startedAt: Date;
  endedAt: Date | null;
  /** start → unplug (or end); null while the car is still there */
  occupiedUntil: Date | null;
  phone: string | null;
  idTag: string | null;
  partnerId: string | null;
  startChargeSeq: string | null;
  /** when the story is told (ctx.clock) */
  now: Date;
}

export interface StoryPart {
  name: string;
  /** console path of the evidence (order page, charger tab, partner envelopes, ...) */
  evidence: { kind: string; href: string } | null;
  /** a one-line summary (e.g. the network state as the case template writes it) */
  summary?: string;
  items: unknown[];
  /** a part's single record (the order with its versions, the driver) */
  data?: unknown;
  error?: string;
}

export type StoryProvider = (q: Queryable, s: StorySubject) => Promise<Omit<StoryPart, 'name'>>;

export class StoryParts {
  private parts: [string, StoryProvider][] = [];
  /** Adds a part at the end, or replaces the provider of a part with that name in place. */
  register(name: string, fn: StoryProvider) {
    const i = this.parts.findIndex(([n]) => n === name);
    if (i >= 0) this.parts[i] = [name, fn];
    else this.parts.push([name, fn]);
  }
  names() {
    return this.parts.map(([n]) => n);
  }
  list() {
    return [...this.parts];
  }
}

declare module '../../platform/context.ts' {
  interface Services {
    supportStory: StoryParts;
  }
}

export function storyParts(ctx: Ctx): StoryParts {
  return (ctx.services.supportStory ??= new StoryParts());
}

/** The hook for modules above support: `registerStoryPart(ctx, 'incidents', async (q, s) => ({ evidence, items }))`. */
export function registerStoryPart(ctx: Ctx, name: string, fn: StoryProvider): void {
  storyParts(ctx).register(name, fn);
}

/** The subject of a story: from an order (finished sessions) or a session (still running, no order yet). */
export async function storySubject(q: Queryable, operatorId: string, key: { orderNo?: string; sessionId?: number }, now: Date): Promise<StorySubject> {
  const op = await getOperator(q, operatorId);
  const timeZone = op?.timezone ?? 'Asia/Shanghai';
  if (key.orderNo) {
    const o = await getOrder(q, operatorId, key.orderNo);
    if (!o) throw notFound(`order ${key.orderNo}`);
    return {
      operatorId,
      timeZone,
      orderNo: o.orderNo,
      sessionId: o.sessionId,
      stationId: o.stationId,
      stationName: o.stationName,
      chargerId: o.chargerId,
      connectorId: o.connectorId,
      startedAt: new Date(o.startTime),
      endedAt: o.endTime ? new Date(o.endTime) : null,
      occupiedUntil: o.idleEndTime ? new Date(o.idleEndTime) : o.endTime ? new Date(o.endTime) : null,
      phone: o.driver?.phone ?? null,
      idTag: o.card,
      partnerId: o.partnerId,
      startChargeSeq: o.partnerOrderNo,
      now,
    };
  }
  const s = key.sessionId ? await getSession(q, operatorId, key.sessionId) : null;
  if (!s) throw notFound(`session ${key.sessionId}`);
  let phone = s.driver_phone;
  if (!phone && s.id_tag && s.origin !== 'partner') phone = (await idTagInfo(q, operatorId, s.id_tag, s.started_at)).driverPhone ?? null;
  const station = s.station_id ? (await listStations(q, operatorId)).find((x) => x.id === s.station_id) : undefined;
  return {
    operatorId,
    timeZone,
    orderNo: null,
    sessionId: Number(s.id),
    stationId: s.station_id,
    stationName: station?.name ?? null,
    chargerId: s.charger_id,
    connectorId: s.connector_id,
    startedAt: s.started_at,
    endedAt: s.charging_ended_at ?? s.stopped_at,
    occupiedUntil: s.unplugged_at,
    phone,
    idTag: s.origin === 'partner' ? null : s.id_tag,
    partnerId: s.partner_id,
    startChargeSeq: s.start_charge_seq,
    now,
  };
}

/** Replaces every occurrence of the subject's phone number with its masked form, in the whole answer. */
export function maskedEverywhere<T>(value: T, phone: string | null): T {
  if (!phone) return value;
  const masked = maskPhone(phone)!;
  return JSON.parse(JSON.stringify(value).split(phone).join(masked));
}

export async function tellStory(ctx: Ctx, q: Queryable, s: StorySubject) {
  const parts: StoryPart[] = [];
  for (const [name, fn] of storyParts(ctx).list()) {
    try {
      parts.push({ name, ...(await fn(q, s)) });
    } catch (err) {
      ctx.log.warn({ err, part: name, orderNo: s.orderNo, sessionId: s.sessionId }, 'support story part failed');
      parts.push({ name, evidence: null, items: [], error: `this part could not be read (${(err as Error).message.slice(0, 120)})` });
    }
  }
  const subject = {
    orderNo: s.orderNo,
    sessionId: s.sessionId,
    stationId: s.stationId,
    stationName: s.stationName,
    chargerId: s.chargerId,
    connectorId: s.connectorId,
    startedAt: s.startedAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
    occupiedUntil: s.occupiedUntil?.toISOString() ?? null,
    phoneMasked: maskPhone(s.phone),
    startChargeSeq: s.startChargeSeq,
    partnerId: s.partnerId,
  };
  return maskedEverywhere({ subject, parts }, s.phone);
}
