import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Queryable } from '../../platform/db/index.ts';

/**
 * Merchant secrets (APIv3 key, merchant private key) are stored AES-256-GCM encrypted under a
 * dedicated random key kept in platform_settings ('payments_secret_key'). A dedicated key (not
 * AUTH_SECRET) so rotating the token secret never makes stored merchant keys unreadable, and so
 * provisioning (which runs without the platform's context) can encrypt too. Format: v1.<iv>.<tag>.<ciphertext>, base64url.
 */
export async function secretKey(q: Queryable): Promise<Buffer> {
  const sel = () => q.query<{ value: string }>(`SELECT value FROM platform_settings WHERE key = 'payments_secret_key'`);
  let r = await sel();
  if (!r.rows[0]) {
    // Several nodes may race here: the first insert wins and everyone reads it back.
    await q.query(`INSERT INTO platform_settings (key, value) VALUES ('payments_secret_key', $1) ON CONFLICT (key) DO NOTHING`, [JSON.stringify(randomBytes(32).toString('base64'))]);
    r = await sel();
  }
  return Buffer.from(r.rows[0].value, 'base64');
}

export function sealSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const enc = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), enc.toString('base64url')].join('.');
}

export function openSecret(sealed: string, key: Buffer): string {
  const [v, iv, tag, enc] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || enc === undefined) throw new Error('not a sealed secret');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(enc, 'base64url')), d.final()]).toString('utf8');
}
