import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../platform/context.ts';
import { applyPaid } from './credit.ts';
import { applyRefundState } from './refunds.ts';
import { loadWechatpayMerchant, type LoadedMerchant } from './settings.ts';
import { decryptResource, verifyWechatSignature } from './wechatpay/crypto.ts';
import { refundState, transactionState } from './wechatpay/client.ts';

const KEEP_HEADERS = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial', 'wechatpay-signature-type', 'request-id', 'content-type', 'user-agent', 'x-forwarded-for'];

/**
 * WeChat Pay notifications (payments and refunds). The signature (platform key serial, timestamp
 * window, RSA over the exact bytes) is checked first: a refused callback is counted and logged with
 * metadata only, its body never stored. A verified one is stored raw in the inbox before it is
 * acted on. Answers: 204 when processed or already processed; 4xx/5xx with {code:"FAIL"}
 * otherwise, which makes WeChat retry.
 */
export function callbackRoutes(app: FastifyInstance, ctx: Ctx) {
  // Own body parsing in this scope: whatever arrives (malformed JSON, another content type) is kept
  // as raw text and stored in the inbox before it is refused, never dropped by the framework.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
      (req as unknown as { rawBody: string }).rawBody = body as string;
      try {
        done(null, body ? JSON.parse(body as string) : undefined);
      } catch {
        done(null, undefined);
      }
    });
    scope.post('/api/v1/payments/wechatpay/notify/:operatorId', { schema: { tags: ['payments'], description: 'WeChat Pay v3 notify_url (public; signature-checked)', security: [] } }, (req, reply) =>
      handleNotify(ctx, req, reply),
    );
  });
}

/**
 * Callbacks come in bursts (WeChat sends copies from several servers at once): the operator's
 * merchant (with its secrets opened) is kept for a few seconds instead of read per copy.
 */
const merchantCache = new WeakMap<Ctx, Map<string, { at: number; m: Promise<LoadedMerchant | null> }>>();
export function forgetMerchant(ctx: Ctx, operatorId: string) {
  merchantCache.get(ctx)?.delete(operatorId);
}
function cachedMerchant(ctx: Ctx, operatorId: string): Promise<LoadedMerchant | null> {
  let c = merchantCache.get(ctx);
  if (!c) merchantCache.set(ctx, (c = new Map()));
  const hit = c.get(operatorId);
  if (hit && ctx.clock.now() - hit.at < 5000) return hit.m;
  const m = loadWechatpayMerchant(ctx.db, operatorId);
  c.set(operatorId, { at: ctx.clock.now(), m });
  m.catch(() => c.delete(operatorId));
  return m;
}

async function handleNotify(ctx: Ctx, req: FastifyRequest, reply: FastifyReply) {
  const operatorId = (req.params as { operatorId: string }).operatorId;
  const raw = (req as unknown as { rawBody?: string }).rawBody ?? '';
  const headers = Object.fromEntries(KEEP_HEADERS.filter((k) => req.headers[k] !== undefined).map((k) => [k, req.headers[k]]));
  const merchant = await cachedMerchant(ctx, operatorId);
  const refuse = (status: number, reason: string, message: string) => {
    ctx.metrics.inboundRejected.inc({ source: 'wechatpay', reason });
    req.log.warn({ operatorId, reason, serial: headers['wechatpay-serial'], requestId: headers['request-id'], bytes: raw.length }, `WeChat Pay callback refused before verification: ${message}`);
    return reply.status(status).send({ code: 'FAIL', message });
  };
  if (!merchant) return refuse(404, 'unknown_merchant', `operator ${operatorId} has no WeChat Pay merchant`);
  const sig = verifyWechatSignature(req.headers, raw, merchant.platformKeys, { now: ctx.clock.now() });
  if (!sig.ok) return refuse(401, sig.reason, sig.message);
  // Verified: stored raw before it is acted on.
  const inbox = await ctx.db.query<{ id: number }>(
    `INSERT INTO inbox (operator_id, source, kind, dedupe_key, headers, body, received_at) VALUES ($1, 'wechatpay', 'notify', $2, $3, $4, $5) RETURNING id`,
    [operatorId, (req.body as { id?: string } | undefined)?.id ?? null, JSON.stringify({ ...headers, operatorId }), raw, ctx.clock.date()],
  );
  const inboxId = inbox.rows[0].id;
  const done = async (status: number, outcome: string, message?: string, decoded?: unknown) => {
    await ctx.db.query(`UPDATE inbox SET processed_at = $5, outcome = $2, error = $3, decoded = $4 WHERE id = $1`, [
      inboxId,
      outcome,
      status >= 400 ? (message ?? null) : null,
      decoded === undefined ? null : JSON.stringify(decoded),
      ctx.clock.date(),
    ]);
    if (status >= 400) {
      req.log.warn({ operatorId, inboxId, outcome, status }, `WeChat Pay callback refused: ${message}`);
      return reply.status(status).send({ code: 'FAIL', message: message ?? outcome });
    }
    return reply.status(204).send();
  };
  const body = req.body as { id?: string; event_type?: string; resource?: any } | undefined;
  if (!body?.resource?.ciphertext) return done(400, 'bad_request', 'no encrypted resource in the notification');
  let plain: any;
  try {
    plain = JSON.parse(decryptResource(body.resource, merchant.apiV3Key));
  } catch (e) {
    return done(400, 'decrypt_failed', `the resource does not decrypt with the APIv3 key: ${(e as Error).message}`);
  }
  try {
    if (body.event_type === 'TRANSACTION.SUCCESS' && body.resource.original_type !== 'refund') {
      const s = transactionState(plain);
      if (s.state !== 'SUCCESS') return done(204, `ignored:${s.state}`, undefined, plain);
      const r = await applyPaid(ctx, merchant, s, 'callback', inboxId);
      if (r.outcome === 'flagged') return done(400, `flagged:${r.reason}`, r.message, plain);
      return done(204, r.outcome, undefined, plain);
    }
    if (body.event_type?.startsWith('REFUND.')) {
      // a refund notification names its merchant; one without it, or with another, is not ours to apply
      if (plain.mchid !== merchant.mchid) return done(400, 'flagged:merchant_mismatch', plain.mchid ? `refund for mchid ${plain.mchid}` : 'refund notification without mchid', plain);
      const outcome = await applyRefundState(ctx, operatorId, refundState({ ...plain, status: plain.refund_status ?? plain.status }), 'callback', inboxId);
      return done(outcome === 'unknown_refund' ? 400 : 204, outcome, outcome === 'unknown_refund' ? `unknown out_refund_no ${plain.out_refund_no}` : undefined, plain);
    }
    return done(204, `ignored:${body.event_type}`, undefined, plain);
  } catch (e) {
    req.log.error({ err: e, inboxId }, 'WeChat Pay callback processing failed');
    // no database text in the answer: the reason is in the log
    return done(500, 'error', 'processing failed, please retry', plain);
  }
}
