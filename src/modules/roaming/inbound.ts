/**
 * The receive pipeline for partner calls to /evcs/v1/{interface}: envelope shape (4003) → partner
 * lookup → signature (4001, before decryption) → bearer token (4002) → stored raw → timestamp
 * window and Seq replay (4003) → decrypt (4003/4004) → business handler (4004 / 500) → signed answer.
 * Nothing a caller sends is stored before its signature and token are verified: a refused call is
 * counted (chargeops_inbound_rejected_total) and logged with metadata only. The answer is always
 * HTTP 200 with a T/CEC envelope; every stored call carries its outcome.
 */
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../../platform/context.ts';
import { checkRequestShape, openRequest, requestSig, sealResponse, sigEquals, Ret, type ResponseEnvelope } from './envelope.ts';
import { keysOf, partnersByTcecId, type Partner } from './partners.ts';
import { redactTcec, tokenDigest } from './redact.ts';
import { AppError } from '../../platform/errors.ts';
import { answerUnroutable } from '../../platform/http/app.ts';
import { findUnsafeText, storableText } from '../../platform/safe-text.ts';

/** The largest partner request we read (T/CEC requests are small; query answers are what is large). */
export const INBOUND_BODY_LIMIT = 1024 * 1024;

export class TcecError extends Error {
  constructor(public readonly ret: number, message: string) {
    super(message);
  }
}
export const businessError = (msg: string) => new TcecError(Ret.BUSINESS, `请求的业务参数不合法: ${msg}`);

export type InboundHandler = (ctx: Ctx, partner: Partner, data: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function logIn(ctx: Ctx, raw: string, iface: string, partner: Partner): Promise<number> {
  const r = await ctx.db.query<{ id: number }>(
    `INSERT INTO roaming_envelopes (operator_id, partner_id, direction, interface, request_raw, at) VALUES ($1, $2, 'in', $3, $4, $5) RETURNING id`,
    [partner.operatorId, partner.id, storableText(iface), storableText(raw), ctx.clock.date()],
  );
  return r.rows[0].id;
}

/** A call refused before authentication: counted and logged (metadata only), never stored. */
function refused(ctx: Ctx, req: { log: { warn: (o: object, m: string) => void } }, iface: string, reason: string, ret: number, partner: Partner | null) {
  ctx.metrics.inboundRejected.inc({ source: 'tcec', reason });
  req.log.warn({ iface, reason, ret, operatorId: partner?.operatorId, partnerId: partner?.id }, `T/CEC call refused before authentication: ${reason}`);
}

export function inboundRoutes(app: FastifyInstance, ctx: Ctx, handlers: Record<string, InboundHandler>) {
  // a URL that does not even decode is still answered in T/CEC terms
  answerUnroutable(app, '/evcs/', (message, reply) => {
    refused(ctx, reply.request, '(undecodable)', 'unreadable_url', Ret.ENVELOPE, null);
    return reply.status(200).send({ Ret: Ret.ENVELOPE, Msg: `POST参数不合法: ${message}`, Data: '', Sig: '' });
  });
  app.post<{ Params: { iface: string } }>(
    '/evcs/v1/:iface',
    {
      schema: { hide: true } as any,
      bodyLimit: INBOUND_BODY_LIMIT,
      // Whatever never reaches the handler (not JSON, too large, too deep, NUL in a string, another
      // content type) is answered in T/CEC terms (4003), logged, not stored.
      errorHandler: async (err: any, req: any, reply: any) => {
        const msg = `POST参数不合法: ${err instanceof AppError || (err?.statusCode ?? 500) < 500 ? err.message : 'unreadable request'}`;
        refused(ctx, req, String(req.params?.iface ?? ''), 'unreadable_body', Ret.ENVELOPE, null);
        return reply.status(200).send({ Ret: Ret.ENVELOPE, Msg: msg, Data: '', Sig: '' });
      },
    },
    async (req, reply) => {
      const iface = req.params.iface;
      const raw = (req as unknown as { rawBody?: string }).rawBody ?? JSON.stringify(req.body ?? null);
      let logId: number | null = null;
      let partner: Partner | null = null;
      let plain: string | null = null;
      const finish = async (env: ResponseEnvelope, responsePlain: string | null, error?: string) => {
        if (logId !== null)
          await ctx.db.query(
            `UPDATE roaming_envelopes SET request_plain = $2, response_raw = $3, response_plain = $4, http_status = 200, ret = $5, error = $6, done_at = $7 WHERE id = $1`,
            [logId, plain === null ? null : redactTcec(plain), JSON.stringify(env), responsePlain === null ? null : redactTcec(responsePlain), env.Ret, error === undefined ? null : storableText(error), ctx.clock.date()],
          );
        return reply.status(200).header('content-type', 'application/json;charset=utf-8').send(env);
      };
      const fail = (ret: number, msg: string) => {
        const env = partner ? sealResponse(ret, msg, null, keysOf(partner.inbound)) : { Ret: ret, Msg: msg, Data: '', Sig: '' };
        return finish(env, null, msg);
      };
      const refuse = (ret: number, msg: string, reason: string) => {
        refused(ctx, req, iface, reason, ret, partner);
        return fail(ret, msg);
      };
      try {
        const shape = checkRequestShape(req.body);
        if (!shape.ok) return refuse(shape.ret, shape.msg, 'bad_envelope');
        const e = shape.value;
        const handler = handlers[iface];
        const candidates = await partnersByTcecId(ctx.db, e.OperatorID);
        if (!candidates.length) return refuse(Ret.BUSINESS, `请求的业务参数不合法: unknown OperatorID ${e.OperatorID}`, 'unknown_operator');
        // The same partner may roam with several of our operators: its signature key says which one.
        partner = candidates.find((p) => sigEquals(requestSig(p.inbound.sigSecret, e), e.Sig)) ?? null;
        if (!partner) {
          partner = candidates[0];
          return refuse(Ret.SIGNATURE, '签名错误', 'bad_signature');
        }
        if (iface !== 'query_token') {
          const h = req.headers.authorization ?? '';
          const token = h.startsWith('Bearer ') ? h.slice(7).trim() : '';
          const ok = token
            ? await ctx.db.query(`SELECT 1 FROM roaming_tokens WHERE token = $1 AND operator_id = $2 AND partner_id = $3 AND expires_at > $4`, [
                tokenDigest(token),
                partner.operatorId,
                partner.id,
                ctx.clock.date(),
              ])
            : { rows: [] };
          if (!ok.rows.length) return refuse(Ret.TOKEN, 'Token错误: missing, unknown or expired token', 'bad_token');
        }
        // Signed (and, but for query_token, with a valid token): stored before it is acted on.
        logId = await logIn(ctx, raw.slice(0, INBOUND_BODY_LIMIT), iface, partner);
        const opened = openRequest(e, keysOf(partner.inbound), ctx.clock.now());
        if (!opened.ok) return fail(opened.ret, opened.msg);
        plain = opened.value.plaintext;
        const unsafe = findUnsafeText(opened.value.json);
        if (unsafe) return fail(Ret.BUSINESS, `请求的业务参数不合法: ${unsafe.path} contains ${unsafe.reason}`);
        const fresh = await ctx.db.query(
          `INSERT INTO roaming_seen_seqs (operator_id, partner_id, time_stamp, seq, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [partner.operatorId, partner.id, e.TimeStamp, e.Seq, ctx.clock.date()],
        );
        if (!fresh.rowCount) return fail(Ret.ENVELOPE, 'POST参数不合法: this TimeStamp and Seq were already used (replay)');
        if (!handler) return fail(Ret.BUSINESS, `请求的业务参数不合法: interface ${iface} is not offered`);
        const data = await handler(ctx, partner, opened.value.json);
        const env = sealResponse(Ret.OK, '', data, keysOf(partner.inbound));
        return finish(env, JSON.stringify(data));
      } catch (err) {
        if (err instanceof TcecError) return fail(err.ret, err.message);
        req.log.error({ err, iface }, 'partner call failed');
        return fail(Ret.SERVER, '系统错误');
      }
    },
  );
}

/** Forgets replay entries far outside the timestamp window, old tokens, and envelopes past the retention. */
export async function pruneSeenSeqs(ctx: Ctx) {
  const now = ctx.clock.date();
  await ctx.db.query(`DELETE FROM roaming_seen_seqs WHERE at < $1::timestamptz - interval '1 hour'`, [now]);
  await ctx.db.query(`DELETE FROM roaming_tokens WHERE expires_at < $1::timestamptz - interval '1 day'`, [now]);
  await ctx.db.query(`DELETE FROM roaming_envelopes WHERE at < $2::timestamptz - make_interval(days => $1)`, [ctx.config.MESSAGE_LOG_RETENTION_DAYS, now]);
}
