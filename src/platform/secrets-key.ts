import { createHash } from 'node:crypto';

/** A 32-byte secrets key given as 64 hex characters or base64/base64url; null when it is neither. */
export function parseKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t, 'base64');
    if (b.length === 32) return b;
  }
  return null;
}

export const KEY_FORMAT_HINT = 'must be 32 bytes as 64 hex characters or base64 (make one with: openssl rand -base64 32)';

/** A short public name of a key (it is in every ciphertext); says nothing about the key. */
export const keyId = (key: Buffer) => createHash('sha256').update('chargeops-secrets-key-id\0').update(key).digest('hex').slice(0, 8);
