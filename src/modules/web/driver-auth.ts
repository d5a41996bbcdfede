import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { signToken } from '../../platform/auth/tokens.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { getOperator } from '../registry/index.ts';
import { optionalModule } from './optional.ts';

const CODE_TTL_S = 300;
const RESEND_AFTER_S = 60;
const MAX_PER_HOUR = 5;
const MAX_PER_IP_HOUR = 30;
const MAX_TRIES = 5;
const DRIVER_TOKEN_TTL_S = 30 * 24 * 3600;

const phone = z.string().regex(/^\+?\d{6,15}$/, 'must be a phone number (digits, optionally with a leading +)');
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

export const brandView = z.object({
  operatorId: z.string(),
  name: z.string(),
  logo: z.string().nullable(),
  color: z.string(),
  poweredBy: z.string(),
  /** the operator's time zone: the H5 shows every time in it (issue 18.5) */
  timeZone: z.string(),
});

/** What the H5 page shows for an operator: settings.brand {name, logo, color}, falling back to the operator's name. */
export async function operatorBrand(ctx: Ctx, operatorId: string) {
  const op = await getOperator(ctx.db, operatorId);
  if (!op) return null;
  const b = ((op.settings ?? {}) as { brand?: { name?: string; logo?: string; logoUrl?: string; color?: string } }).brand ?? {};
  const color = typeof b.color === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(b.color) ? b.color : '#1677ff';
  return { operatorId: op.id, name: b.name || op.name, logo: b.logo ?? b.logoUrl ?? null, color, poweredBy: 'ChargeOps', timeZone: op.timezone ?? 'Asia/Shanghai' };
}

/**
 * The last code sent per phone, in this process's memory only (never stored, logged or answered):
 * lets tests read what the SMS said. Bounded; a code is gone once used.
 */
const lastCodes = new Map<string, string>();
const MAX_PEEK = 10_000;
export function peekDriverCode(operatorId: string, phoneNo: string): string | undefined {
  return lastCodes.get(`${operatorId}|${phoneNo}`);
}
function rememberCode(key: string, code: string) {
  lastCodes.delete(key);
  lastCodes.set(key, code);
  if (lastCodes.size > MAX_PEEK) lastCodes.delete(lastCodes.keys().next().value!);
}

const hashCode = (ctx: Ctx, operatorId: string, phoneNo: string, code: string) =>
  createHmac('sha256', ctx.authSecret).update(`driver-code|${operatorId}|${phoneNo}|${code}`).digest('base64url');

const smsText = (brandName: string, code: string) => `【${brandName}】验证码 ${code}，${CODE_TTL_S / 60} 分钟内有效。如非本人操作请忽略。`;

export function driverAuthRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/public/operators/:operatorId/brand',
    { schema: { tags: ['h5'], security: [], description: 'Public: the operator brand the driver H5 page shows (no login).', params: z.object({ operatorId: z.string() }), response: { 200: brandView, 404: errorSchema } } },
    async (req) => {
      const b = await operatorBrand(ctx, req.params.operatorId);
      if (!b) throw notFound(`operator ${req.params.operatorId}`);
      return b;
    },
  );

  r.post(
    '/api/v1/driver-auth/code',
    {
      schema: {
        tags: ['h5'],
        security: [],
        description: 'Sends a one-time login code by SMS (one per minute and five per hour per phone, 30 per hour per client address).',
        body: z.object({ operatorId: z.string().min(1), phone }),
        response: { 200: z.object({ sent: z.boolean(), expiresInSeconds: z.number(), resendAfterSeconds: z.number() }), 404: errorSchema, 429: errorSchema },
      },
    },
    async (req) => {
      const { operatorId, phone: p } = req.body;
      const brand = await operatorBrand(ctx, operatorId);
      if (!brand) throw notFound(`operator ${operatorId}`);
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const notify = await optionalModule<{ sendSms?: (q: unknown, m: { operatorId: string; phone: string; text: string; secret: string; dedupeKey: string }) => Promise<boolean> }>('notify');
      const now = ctx.clock.date();
      await ctx.db.tx(async (q) => {
        // serialise requests for one phone so two parallel requests cannot both pass the limit
        await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`driver-code|${operatorId}|${p}`]);
        const recent = await q.query<{ n: number; last: Date | null }>(
          `SELECT count(*)::int AS n, max(created_at) AS last FROM driver_login_codes WHERE operator_id = $1 AND phone = $2 AND created_at > $3::timestamptz - interval '1 hour'`,
          [operatorId, p, now],
        );
        const { n, last } = recent.rows[0];
        if (last && now.getTime() - last.getTime() < RESEND_AFTER_S * 1000) {
          const wait = Math.ceil(RESEND_AFTER_S - (now.getTime() - last.getTime()) / 1000);
          throw new AppError(429, 'too_many_codes', `a code was sent less than a minute ago; try again in ${wait} s`, { retryAfterSeconds: wait });
        }
        if (n >= MAX_PER_HOUR) throw new AppError(429, 'too_many_codes', `at most ${MAX_PER_HOUR} codes per hour for one phone`, { retryAfterSeconds: 3600 });
        // req.ip: X-Forwarded-For counts only from a TRUST_PROXY address (a client cannot pick its own)
        const fromIp = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM driver_login_codes WHERE requested_ip = $1 AND created_at > $2::timestamptz - interval '1 hour'`, [req.ip, now]);
        if (fromIp.rows[0].n >= MAX_PER_IP_HOUR) throw new AppError(429, 'too_many_codes', `at most ${MAX_PER_IP_HOUR} codes per hour from one address`, { retryAfterSeconds: 3600 });
        const row = await q.query<{ id: number }>(
          `INSERT INTO driver_login_codes (operator_id, phone, code_hash, expires_at, requested_ip, created_at) VALUES ($1, $2, $3, $6::timestamptz + $4::int * interval '1 second', $5, $6) RETURNING id`,
          [operatorId, p, hashCode(ctx, operatorId, p, code), CODE_TTL_S, req.ip, now],
        );
        // through the notify module's SMS adapter (its outbox), in the same transaction as the code
        if (typeof notify?.sendSms === 'function') {
          // a failing SMS adapter must not lose the code row: the driver may retry after a minute
          await q.query(`SAVEPOINT driver_sms`);
          try {
            // the code is sealed in the outbox row and masked everywhere it is shown
            await notify.sendSms(q, { operatorId, phone: p, text: smsText(brand.name, code), secret: code, dedupeKey: `driver-login-code:${row.rows[0].id}` });
          } catch (err) {
            await q.query(`ROLLBACK TO SAVEPOINT driver_sms`);
            ctx.log.error({ err, operatorId, phone: p }, 'could not queue the login code SMS');
          }
        }
      });
      rememberCode(`${operatorId}|${p}`, code);
      // Only the embedded demo (no SMS gateway) writes codes to the log, so a person can log in.
      if (ctx.config.OTP_LOG_CODES === true) ctx.log.info({ operatorId, phone: p }, `driver login code for ${p}: ${code} (OTP_LOG_CODES=true)`);
      return { sent: true, expiresInSeconds: CODE_TTL_S, resendAfterSeconds: RESEND_AFTER_S };
    },
  );

  r.post(
    '/api/v1/driver-auth/login',
    {
      schema: {
        tags: ['h5'],
        security: [],
        description: 'Exchanges a one-time code for a driver token (role driver, sub = phone).',
        body: z.object({ operatorId: z.string().min(1), phone, code: z.string().regex(/^\d{6}$/, 'must be the 6-digit code') }),
        response: { 200: z.object({ token: z.string(), role: z.literal('driver'), operatorId: z.string(), phone: z.string() }), 401: errorSchema, 429: errorSchema },
      },
    },
    async (req) => {
      const { operatorId, phone: p, code } = req.body;
      const ok = await ctx.db.tx(async (q) => {
        const r0 = await q.query<{ id: number; code_hash: string; attempts: number }>(
          `SELECT id, code_hash, attempts FROM driver_login_codes
           WHERE operator_id = $1 AND phone = $2 AND used_at IS NULL AND expires_at > $3
           ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
          [operatorId, p, ctx.clock.date()],
        );
        const row = r0.rows[0];
        if (!row) return 'none' as const;
        if (row.attempts >= MAX_TRIES) return 'locked' as const;
        const want = Buffer.from(row.code_hash);
        const got = Buffer.from(hashCode(ctx, operatorId, p, code));
        if (want.length !== got.length || !timingSafeEqual(want, got)) {
          await q.query(`UPDATE driver_login_codes SET attempts = attempts + 1 WHERE id = $1`, [row.id]);
          return 'wrong' as const;
        }
        await q.query(`UPDATE driver_login_codes SET used_at = $2 WHERE id = $1`, [row.id, ctx.clock.date()]);
        return 'ok' as const;
      });
      if (ok === 'locked') throw new AppError(429, 'too_many_attempts', 'too many wrong codes; request a new one');
      // one answer for "no code" and "wrong code": it must not tell which phones have a code pending
      if (ok !== 'ok') throw new AppError(401, 'bad_code', 'wrong or expired code; request a new one if it expired');
      lastCodes.delete(`${operatorId}|${p}`);
      const wallet = await optionalModule<any>('wallet');
      if (typeof wallet?.ensureDriver === 'function') await wallet.ensureDriver(ctx.db, { operatorId, phone: p });
      const token = signToken({ sub: p, role: 'driver', operatorId }, ctx.authSecret, DRIVER_TOKEN_TTL_S, ctx.clock.now());
      return { token, role: 'driver' as const, operatorId, phone: p };
    },
  );
}
