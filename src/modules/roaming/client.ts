/**
 * Our calls to a partner platform: the partner's token (cached, refreshed on Ret 4002), the sealed
 * envelope with our operator's T/CEC OperatorID, and a log row for every envelope in both directions.
 */
import type { Ctx } from '../../platform/context.ts';
import { getOperator } from '../registry/index.ts';
import { openResponse, sealRequest, seqCounter, Ret } from './envelope.ts';
import { partnerUrl, type OutboundInterface } from './dialects.ts';
import { keysOf, type Partner } from './partners.ts';
import { redactTcec } from './redact.ts';
import { openSecret, sealSecret } from '../../platform/secrets.ts';
import { outboundFetch, redactUrl } from '../../platform/outbound-url.ts';

const nextSeq = seqCounter();

export class PartnerCallError extends Error {
  constructor(message: string, public readonly ret?: number) {
    super(message);
  }
}

async function ourTcecId(ctx: Ctx, operatorId: string): Promise<string> {
  const op = await getOperator(ctx.db, operatorId);
  if (!op?.tcec_operator_id) throw new PartnerCallError(`operator ${operatorId} has no tcecOperatorId`);
  return op.tcec_operator_id;
}

async function send(ctx: Ctx, partner: Partner, iface: OutboundInterface, payload: unknown, token: string | null) {
  const now = ctx.clock.date();
  const env = sealRequest(await ourTcecId(ctx, partner.operatorId), payload, keysOf(partner.outbound), now, nextSeq(now));
  const log = await ctx.db.query<{ id: number }>(
    `INSERT INTO roaming_envelopes (operator_id, partner_id, direction, interface, request_raw, request_plain, at) VALUES ($1, $2, 'out', $3, $4, $5, $6) RETURNING id`,
    [partner.operatorId, partner.id, iface, JSON.stringify(env), redactTcec(JSON.stringify(payload)), now],
  );
  const done = (status: number | null, raw: string | null, plain: string | null, ret: number | null, error: string | null) =>
    ctx.db.query(`UPDATE roaming_envelopes SET http_status = $2, response_raw = $3, response_plain = $4, ret = $5, error = $6, done_at = $7 WHERE id = $1`, [
      log.rows[0].id,
      status,
      raw,
      plain === null ? null : redactTcec(plain),
      ret,
      error,
      ctx.clock.date(),
    ]);
  let res: Response;
  let text: string;
  try {
    res = await outboundFetch(partnerUrl(partner, iface), {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf-8', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(env),
      timeoutMs: 15_000,
    });
    text = await res.text();
  } catch (e) {
    const msg = `partner ${redactUrl(partnerUrl(partner, iface))} unreachable: ${e instanceof Error ? e.message : String(e)}`;
    await done(null, null, null, null, msg);
    throw new PartnerCallError(msg);
  }
  if (res.status !== 200) {
    await done(res.status, text.slice(0, 100_000), null, null, `HTTP ${res.status}`);
    throw new PartnerCallError(`partner answered HTTP ${res.status}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    await done(res.status, text.slice(0, 100_000), null, null, 'not JSON');
    throw new PartnerCallError('partner answered something that is not JSON');
  }
  const opened = openResponse(body, keysOf(partner.outbound));
  if (!opened.ok) {
    await done(res.status, text.slice(0, 100_000), null, null, opened.msg);
    throw new PartnerCallError(opened.msg);
  }
  const { ret, msg, json, plaintext } = opened.value;
  await done(res.status, text.slice(0, 100_000), plaintext || null, ret, ret === 0 ? null : msg || `Ret ${ret}`);
  return { ret, msg, json };
}

/** The partner's AccessToken for our calls: cached until a minute before it expires. */
export async function partnerToken(ctx: Ctx, partner: Partner, fresh = false): Promise<string> {
  if (!fresh) {
    const c = await ctx.db.query<{ token: string }>(
      `SELECT token FROM roaming_outbound_tokens WHERE operator_id = $1 AND partner_id = $2 AND expires_at > $3::timestamptz + interval '60 seconds'`,
      [partner.operatorId, partner.id, ctx.clock.date()],
    );
    // kept sealed; a row from before sealing (clear text) is simply refreshed
    if (c.rows[0]?.token.startsWith('k1.')) return openSecret(c.rows[0].token);
  }
  const ours = await ourTcecId(ctx, partner.operatorId);
  const r = await send(ctx, partner, 'query_token', { OperatorID: ours, OperatorSecret: partner.outbound.operatorSecret }, null);
  if (r.ret !== 0 || !r.json) throw new PartnerCallError(`query_token: Ret ${r.ret} ${r.msg}`, r.ret);
  const j = r.json as { SuccStat?: number; AccessToken?: string; TokenAvailableTime?: number; FailReason?: number };
  if (j.SuccStat !== 0 || !j.AccessToken) throw new PartnerCallError(`query_token refused: FailReason ${j.FailReason}`);
  const ttl = Math.max(60, Math.min(7 * 86400, Number(j.TokenAvailableTime) || 3600));
  await ctx.db.query(
    `INSERT INTO roaming_outbound_tokens (operator_id, partner_id, token, expires_at) VALUES ($1, $2, $3, $5::timestamptz + make_interval(secs => $4))
     ON CONFLICT (operator_id, partner_id) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at`,
    [partner.operatorId, partner.id, sealSecret(j.AccessToken), ttl, ctx.clock.date()],
  );
  return j.AccessToken;
}

/**
 * Calls one of the partner's interfaces and returns its decrypted answer. Ret 4002 refreshes the
 * token and tries once more (every call we make is idempotent for the partner: notifications keyed
 * by StartChargeSeq); any other Ret ≠ 0 is an error the outbox retries.
 */
export async function callPartner(ctx: Ctx, partner: Partner, iface: OutboundInterface, payload: unknown): Promise<Record<string, unknown>> {
  let r = await send(ctx, partner, iface, payload, await partnerToken(ctx, partner));
  if (r.ret === Ret.TOKEN) r = await send(ctx, partner, iface, payload, await partnerToken(ctx, partner, true));
  if (r.ret !== 0) throw new PartnerCallError(`${iface}: Ret ${r.ret} ${r.msg}`, r.ret);
  return (r.json ?? {}) as Record<string, unknown>;
}
