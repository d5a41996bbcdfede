/**
 * Our pushes to partners, all through the durable outbox. Every partner-facing message of one
 * (operator, partner) shares the ordering key, so a partner that was down receives each one once, in
 * order. Timers (start confirmation, 60 s status ticks) carry no ordering key so they never block it.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { PermanentFailure } from '../../platform/outbox.ts';
import type { OutboundInterface } from './dialects.ts';
import { callPartner } from './client.ts';
import { getPartner, type Partner } from './partners.ts';
import { getRoamingSession, type RoamingSession } from './state.ts';

export const orderingKey = (operatorId: string, partnerId: string) => `roaming:${operatorId}:${partnerId}`;

/** CEC Part 4: more than 3 resends about a minute apart; then exponential; then dead letter. */
export const PUSH_BACKOFF = [60, 60, 60, 120, 240, 480, 960, 1920, 3600, 7200, 14400];
export const PUSH_MAX_ATTEMPTS = 30;

export interface PushPayload {
  operatorId: string;
  partnerId: string;
  iface: OutboundInterface;
  data: Record<string, unknown>;
  startChargeSeq?: string;
}

export async function enqueuePush(ctx: Ctx, q: Queryable, p: PushPayload, dedupeKey?: string) {
  return ctx.outbox.enqueue(q, {
    operatorId: p.operatorId,
    topic: 'roaming.push',
    payload: p,
    orderingKey: orderingKey(p.operatorId, p.partnerId),
    dedupeKey,
  });
}

export async function loadPartner(ctx: Ctx, operatorId: string, partnerId: string): Promise<Partner> {
  const p = await getPartner(ctx.db, operatorId, partnerId);
  if (!p) throw new PermanentFailure(`partner ${partnerId} of ${operatorId} no longer exists`);
  return p;
}

export async function loadSession(ctx: Ctx, x: { operatorId: string; partnerId: string; startChargeSeq: string }): Promise<RoamingSession | null> {
  return getRoamingSession(ctx.db, x.operatorId, x.partnerId, x.startChargeSeq);
}

export type PushEffect = (ctx: Ctx, partner: Partner, p: PushPayload, answer: Record<string, unknown>) => Promise<void>;

/** Sends one push; `effects` apply the partner's business answer (confirmations, unknown sessions). */
export function pushHandler(ctx: Ctx, effects: Partial<Record<OutboundInterface, PushEffect>>) {
  return async (row: { payload: PushPayload }) => {
    const p = row.payload;
    const partner = await loadPartner(ctx, p.operatorId, p.partnerId);
    const answer = await callPartner(ctx, partner, p.iface, p.data);
    await effects[p.iface]?.(ctx, partner, p, answer);
    return answer;
  };
}
