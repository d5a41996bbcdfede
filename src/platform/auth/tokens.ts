import { createHmac, timingSafeEqual } from 'node:crypto';
import { systemClock } from '../clock.ts';

export type Role = 'platform_admin' | 'operator_admin' | 'operator_staff' | 'enterprise_admin' | 'driver';

export interface Principal {
  sub: string; // username, or the driver's phone
  role: Role;
  operatorId: string | null;
  /** set only for an enterprise_admin: the one enterprise (of operatorId) it may see and manage */
  enterpriseId?: string | null;
  exp: number; // epoch seconds
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** A compact signed bearer token (HMAC-SHA256); stateless so any node can check it. */
export function signToken(p: Omit<Principal, 'exp'>, secret: string, ttlSeconds = 12 * 3600, now: number = systemClock.now()): string {
  const body = b64(JSON.stringify({ ...p, exp: Math.floor(now / 1000) + ttlSeconds }));
  const sig = b64(createHmac('sha256', secret).update(body).digest());
  return `${body}.${sig}`;
}

export function verifyToken(token: string, secret: string, now: number = systemClock.now()): Principal | null {
  const [body, sig] = token.split('.');
  if (!body || !sig) return null;
  const expected = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Principal;
    if (typeof p.exp !== 'number' || p.exp < now / 1000) return null;
    return p;
  } catch {
    return null;
  }
}
