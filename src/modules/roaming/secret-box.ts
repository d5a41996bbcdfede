/**
 * Partner secrets at rest: AES-256-GCM under a random 32-byte key kept in platform_settings
 * ('roaming_secret_key'), created on first use. Kept apart from AUTH_SECRET so that rotating the
 * login-token secret never makes partner secrets unreadable.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Queryable } from '../../platform/db/index.ts';

export async function secretKey(q: Queryable): Promise<Buffer> {
  await q.query(`INSERT INTO platform_settings (key, value) VALUES ('roaming_secret_key', $1) ON CONFLICT (key) DO NOTHING`, [
    JSON.stringify(randomBytes(32).toString('base64')),
  ]);
  const r = await q.query<{ value: string }>(`SELECT value FROM platform_settings WHERE key = 'roaming_secret_key'`);
  return Buffer.from(r.rows[0].value, 'base64');
}

export function seal(key: Buffer, plain: unknown): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(JSON.stringify(plain), 'utf8'), c.final()]);
  return `v1.${iv.toString('base64')}.${c.getAuthTag().toString('base64')}.${ct.toString('base64')}`;
}

export function open<T>(key: Buffer, sealed: string): T {
  const [v, iv, tag, ct] = sealed.split('.');
  if (v !== 'v1') throw new Error('unknown secret format');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  d.setAuthTag(Buffer.from(tag, 'base64'));
  return JSON.parse(Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8')) as T;
}
