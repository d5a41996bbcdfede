/**
 * The receive pipeline for partner calls to /evcs/v1/{interface}: store raw → envelope shape (4003)
 * → partner lookup → signature (4001, before decryption) → bearer token (4002) → timestamp window
 * and Seq replay (4003) → decrypt (4003/4004) → business handler (4004 / 500) → signed answer.
 * The answer is always HTTP 200 with a T/CEC envelope; every step is logged with its outcome.
 */
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../../platform/context.ts';
import { checkRequestShape, openRequest, requestSig, sealResponse, sigEquals, Ret, type ResponseEnvelope } from './envelope.ts';
import { keysOf, partnersByTcecId, type Partner } from './partners.ts';

export class TcecError extends Error {
  constructor(public readonly ret: number, message: string) {
    super(message);
  }
}
export const businessError = (msg: string) => new TcecError(Ret.BUSINESS, `请求的业务参数不合法: ${msg}`);

export type InboundHandler = (ctx: Ctx, partner: Partner, data: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function logIn(ctx: Ctx, raw: string, iface: string): Promise<number> {
  const r = await ctx.db.query<{ id: number }>(`INSERT INTO roaming_envelopes (direction, interface, request_raw) VALUES ('in', $1, $2) RETURNING id`, [iface, raw]);
  return r.rows[0].id;
}

export function inboundRoutes(app: FastifyInstance, ctx: Ctx, handlers: Record<string, InboundHandler>) {
  app.post<{ Params: { iface: string } }>(
    '/evcs/v1/:iface',
    {
      schema: { hide: true } as any,
      // A body that is not JSON never reaches the handler: answer in T/CEC terms (4003), logged.
      errorHandler: async (err: any, req: any, reply: any) => {
        const raw = (req as { rawBody?: string }).rawBody ?? '';
        const msg = `POST参数不合法: ${err?.message ?? 'unreadable request'}`;
        await ctx.db.query(
          `INSERT INTO roaming_envelopes (direction, interface, request_raw, http_status, ret, error, done_at) VALUES ('in', $1, $2, 200, 4003, $3, now())`,
          [String(req.params?.iface ?? ''), raw.slice(0, 1_000_000), msg],
        );
        return reply.status(200).send({ Ret: Ret.ENVELOPE, Msg: msg, Data: '', Sig: '' });
      },
    },
    async (req, reply) => {
      const iface = req.params.iface;
      const raw = (req as unknown as { rawBody?: string }).rawBody ?? JSON.stringify(req.body ?? null);
      const logId = await logIn(ctx, raw.slice(0, 1_000_000), iface);
      let partner: Partner | null = null;
      let plain: string | null = null;
      const finish = async (env: ResponseEnvelope, responsePlain: string | null, error?: string) => {
        await ctx.db.query(
          `UPDATE roaming_envelopes SET operator_id = $2, partner_id = $3, request_plain = $4, response_raw = $5, response_plain = $6,
             http_status = 200, ret = $7, error = $8, done_at = now() WHERE id = $1`,
          [logId, partner?.operatorId ?? null, partner?.id ?? null, plain, JSON.stringify(env), responsePlain, env.Ret, error ?? null],
        );
        return reply.status(200).header('content-type', 'application/json;charset=utf-8').send(env);
      };
      const fail = (ret: number, msg: string) => {
        const env = partner ? sealResponse(ret, msg, null, keysOf(partner.inbound)) : { Ret: ret, Msg: msg, Data: '', Sig: '' };
        return finish(env, null, msg);
      };
      try {
        const shape = checkRequestShape(req.body);
        if (!shape.ok) return fail(shape.ret, shape.msg);
        const e = shape.value;
        const handler = handlers[iface];
        const candidates = await partnersByTcecId(ctx.db, e.OperatorID);
        if (!candidates.length) return fail(Ret.BUSINESS, `请求的业务参数不合法: unknown OperatorID ${e.OperatorID}`);
        // The same partner may roam with several of our operators: its signature key says which one.
        partner = candidates.find((p) => sigEquals(requestSig(p.inbound.sigSecret, e), e.Sig)) ?? null;
        if (!partner) {
          partner = candidates[0];
          return fail(Ret.SIGNATURE, '签名错误');
        }
        if (iface !== 'query_token') {
          const h = req.headers.authorization ?? '';
          const token = h.startsWith('Bearer ') ? h.slice(7).trim() : '';
          const ok = token
            ? await ctx.db.query(`SELECT 1 FROM roaming_tokens WHERE token = $1 AND operator_id = $2 AND partner_id = $3 AND expires_at > now()`, [
                token,
                partner.operatorId,
                partner.id,
              ])
            : { rows: [] };
          if (!ok.rows.length) return fail(Ret.TOKEN, 'Token错误: missing, unknown or expired token');
        }
        const opened = openRequest(e, keysOf(partner.inbound), Date.now());
        if (!opened.ok) return fail(opened.ret, opened.msg);
        plain = opened.value.plaintext;
        const fresh = await ctx.db.query(
          `INSERT INTO roaming_seen_seqs (operator_id, partner_id, time_stamp, seq) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
          [partner.operatorId, partner.id, e.TimeStamp, e.Seq],
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
  await ctx.db.query(`DELETE FROM roaming_seen_seqs WHERE at < now() - interval '1 hour'`);
  await ctx.db.query(`DELETE FROM roaming_tokens WHERE expires_at < now() - interval '1 day'`);
  await ctx.db.query(`DELETE FROM roaming_envelopes WHERE at < now() - make_interval(days => $1)`, [ctx.config.MESSAGE_LOG_RETENTION_DAYS]);
}
