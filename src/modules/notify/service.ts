/**
 * notify(): decide (settings), render (text snapshot of the figures now) and enqueue one outbox row
 * per channel, in the caller's transaction. The outbox handler of each channel delivers through the
 * operator's adapter and records what was sent in notifications_sent (once per dedupe key).
 */
import type { Queryable } from '../../platform/db/index.ts';
import { Outbox, type OutboxRow } from '../../platform/outbox.ts';
import { eventSetting, channelConfig, type Channel, type NotifyEvent, CHANNELS } from './settings.ts';
import { render } from './templates.ts';
import { adapters, type Delivery } from './adapters.ts';
import { openSecret, sealSecret } from '../../platform/secrets.ts';

let bound: Outbox | null = null;
/** The running platform's outbox (wakes its dispatcher); set when the module registers. */
export function bindOutbox(o: Outbox | null) {
  bound = o;
}
// Without a running platform (CLI, scripts) the row is written the same way; a dispatcher picks it up.
const outbox = () => bound ?? new Outbox(null as never);

export interface NotifyInput {
  operatorId: string;
  event: NotifyEvent;
  to: { phone?: string | null; openid?: string | null; webhookUrl?: string | null };
  data: Record<string, any>;
  /** the same key twice sends once (per channel) */
  dedupeKey: string;
  /** send even when the operator's setting for this event is off (a correction with notifyDriver: true) */
  force?: boolean;
}

/** Queues the notification on every enabled channel that has a recipient; returns the channels queued. */
export async function notify(q: Queryable, n: NotifyInput): Promise<Channel[]> {
  const setting = await eventSetting(q, n.operatorId, n.event);
  if (!setting.enabled && !n.force) return [];
  const text = render(n.event, n.data);
  const queued: Channel[] = [];
  for (const channel of setting.channels) {
    const recipient = await recipientFor(q, n, channel);
    if (!recipient) continue;
    const id = await outbox().enqueue(q, {
      operatorId: n.operatorId,
      topic: `notify.${channel}`,
      payload: { operatorId: n.operatorId, event: n.event, channel, recipient, text, data: n.data, dedupeKey: `${n.dedupeKey}:${channel}` } satisfies Delivery,
      dedupeKey: `notify:${n.dedupeKey}:${channel}`,
    });
    if (id !== null) queued.push(channel);
  }
  return queued;
}

async function recipientFor(q: Queryable, n: NotifyInput, channel: Channel): Promise<string | null> {
  if (channel === 'sms') return n.to.phone ?? (n.event === 'abnormal_order_held' ? ((await channelConfig(q, n.operatorId, 'sms')).config.staffPhone ?? null) : null);
  if (channel === 'wechat') return n.to.openid ?? null;
  if (n.to.webhookUrl) return n.to.webhookUrl;
  const c = await channelConfig(q, n.operatorId, 'webhook');
  // the fake adapter records operator events even before a webhook is configured
  return c.config.url ?? (c.adapter === 'fake' ? 'operator-webhook' : null);
}

/**
 * A one-time login code (or any operational text) by SMS, whatever the event settings say. `secret`
 * (the code) never rests in clear: the outbox row and the sent list hold the text with it masked,
 * and the full text sealed with SECRETS_KEY, opened only by the adapter at delivery.
 */
export async function sendSms(q: Queryable, m: { operatorId: string; phone: string; text: string; dedupeKey: string; secret?: string }): Promise<boolean> {
  const masked = m.secret ? m.text.split(m.secret).join('*'.repeat(m.secret.length)) : m.text;
  const id = await outbox().enqueue(q, {
    operatorId: m.operatorId,
    topic: 'notify.sms',
    payload: {
      operatorId: m.operatorId,
      event: 'login_code',
      channel: 'sms',
      recipient: m.phone,
      text: masked,
      ...(m.secret ? { sealedText: sealSecret(m.text) } : {}),
      data: {},
      dedupeKey: `${m.dedupeKey}:sms`,
    } satisfies Delivery,
    dedupeKey: `notify:${m.dedupeKey}:sms`,
    maxAttempts: 3, // a login code is useless after a few minutes
  });
  return id !== null;
}

/** The outbox handler of one channel. Idempotent: a retried delivery is recorded once. */
export function channelHandler(channel: Channel) {
  return async (row: OutboxRow<Delivery>, q: Queryable) => {
    const d = row.payload;
    const done = await q.query(`SELECT id FROM notifications_sent WHERE dedupe_key = $1`, [d.dedupeKey]);
    if (done.rows.length) return { alreadySent: true };
    const { adapter, config } = await channelConfig(q, d.operatorId, channel);
    const { sealedText, ...shown } = d;
    const result = await adapters[adapter][channel](sealedText ? { ...shown, text: openSecret(sealedText) } : shown, config);
    await q.query(
      `INSERT INTO notifications_sent (operator_id, event, channel, adapter, recipient, dedupe_key, text, data, outbox_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING`,
      [d.operatorId, d.event, channel, adapter, d.recipient, d.dedupeKey, d.text, JSON.stringify(d.data), row.id],
    );
    return { adapter, result: result ?? null };
  };
}

export const NOTIFY_TOPICS = CHANNELS.map((c) => [`notify.${c}`, channelHandler(c)] as const);

export async function listSent(q: Queryable, operatorId: string, f: { event?: string; recipient?: string; limit?: number }) {
  const r = await q.query(
    `SELECT id, event, channel, adapter, recipient, text, data, sent_at FROM notifications_sent
     WHERE operator_id = $1 AND ($2::text IS NULL OR event = $2) AND ($3::text IS NULL OR recipient = $3) ORDER BY id DESC LIMIT $4`,
    [operatorId, f.event ?? null, f.recipient ?? null, f.limit ?? 100],
  );
  return r.rows.map((x: any) => ({ id: x.id, event: x.event, channel: x.channel, adapter: x.adapter, recipient: x.recipient, text: x.text, data: x.data, sentAt: x.sent_at.toISOString() }));
}

/** What was sent about one order (any event), sent in [from, to): read through the (operator, sent_at) index. */
export async function sentForOrder(q: Queryable, operatorId: string, orderNo: string, from: Date, to: Date, limit = 50) {
  const r = await q.query(
    `SELECT id, event, channel, adapter, recipient, text, data, sent_at FROM notifications_sent
     WHERE operator_id = $1 AND sent_at >= $2 AND sent_at < $3 AND data->>'orderNo' = $4 ORDER BY id LIMIT $5`,
    [operatorId, from, to, orderNo, limit],
  );
  return r.rows.map((x: any) => ({ id: x.id, event: x.event, channel: x.channel, adapter: x.adapter, recipient: x.recipient as string, text: x.text as string, sentAt: x.sent_at.toISOString() }));
}
