/**
 * Channel adapters. `fake` delivers nowhere and only records (tests, demo, an operator without a
 * contract yet); `http` speaks to the real thing: a generic SMS gateway, WeChat's template-message
 * API, or the operator's webhook (HMAC-SHA256 signed). Failures throw: the outbox retries them;
 * a 4xx other than 429 is permanent (dead letter, visible in the console).
 */
import { createHmac } from 'node:crypto';
import { PermanentFailure } from '../../platform/outbox.ts';
import { outboundFetch, redactUrl } from '../../platform/outbound-url.ts';
import type { Channel } from './settings.ts';

export interface Delivery {
  operatorId: string;
  event: string;
  channel: Channel;
  recipient: string;
  /** what lists and logs show (a login code masked) */
  text: string;
  /** the full text sealed with SECRETS_KEY when it holds a secret; opened only for the adapter */
  sealedText?: string;
  data: Record<string, unknown>;
  dedupeKey: string;
}

export type Adapter = (d: Delivery, config: Record<string, any>) => Promise<unknown>;

async function post(url: string, body: string, headers: Record<string, string>): Promise<any> {
  let res: Response;
  try {
    res = await outboundFetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, timeoutMs: 10_000 });
  } catch (e) {
    throw new Error(`POST ${redactUrl(url)} failed: ${(e as Error).message}`);
  }
  // never the query string in a message: the WeChat access token travels there
  const text = await res.text();
  if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new PermanentFailure(`POST ${redactUrl(url)} answered ${res.status}: ${text.slice(0, 200)}`);
  if (!res.ok) throw new Error(`POST ${redactUrl(url)} answered ${res.status}: ${text.slice(0, 200)}`);
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

const fake: Adapter = async () => ({ fake: true });

const sms: Adapter = async (d, c) => {
  if (!c.url) throw new PermanentFailure('the SMS channel has no gateway url');
  return post(c.url, JSON.stringify({ phone: d.recipient, text: d.text, sign: c.sign ?? undefined, requestId: d.dedupeKey }), c.token ? { authorization: `Bearer ${c.token}` } : {});
};

const wechat: Adapter = async (d, c) => {
  const base = c.apiBase ?? 'https://api.weixin.qq.com';
  const templateId = c.templates?.[d.event];
  if (!templateId || !c.accessToken) throw new PermanentFailure(`the WeChat channel has no template for ${d.event} or no access token`);
  const data = { first: { value: d.text }, keyword1: { value: String(d.data.orderNo ?? '') }, keyword2: { value: String(d.data.totalAmount ?? d.data.amount ?? '') } };
  const r = await post(`${base}/cgi-bin/message/template/send?access_token=${encodeURIComponent(c.accessToken)}`, JSON.stringify({ touser: d.recipient, template_id: templateId, data }), {});
  if (r && typeof r === 'object' && r.errcode) throw new Error(`WeChat errcode ${r.errcode}: ${r.errmsg}`);
  return r;
};

const webhook: Adapter = async (d, c) => {
  const body = JSON.stringify({ event: d.event, operatorId: d.operatorId, id: d.dedupeKey, text: d.text, data: d.data });
  const headers: Record<string, string> = { 'x-chargeops-event': d.event };
  if (c.secret) headers['x-chargeops-signature'] = createHmac('sha256', String(c.secret)).update(body).digest('hex');
  return post(d.recipient, body, headers);
};

export const adapters: Record<'fake' | 'http', Record<Channel, Adapter>> = {
  fake: { sms: fake, wechat: fake, webhook: fake },
  http: { sms, wechat, webhook },
};
