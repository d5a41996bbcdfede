import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (p: string | Buffer, s: Buffer, n: number) => Promise<Buffer>;

/** scrypt$<salt b64>$<hash b64>; used for staff passwords and charger authorization keys. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * sha256$<salt b64>$<hash b64>, for charger authorization keys: they are machine-made random keys of
 * at least 16 bytes, so a slow hash buys nothing against guessing and would make a boot storm of
 * thousands of chargers wait on scrypt (about 50 ms of CPU each).
 */
export function hashMachineKey(key: string): string {
  const salt = randomBytes(16);
  const hash = createHash('sha256').update(salt).update(key, 'utf8').digest();
  return `sha256$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifySecret(secret: string | Buffer, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  const [alg, salt, hash] = stored.split('$');
  if (!salt || !hash) return false;
  if (alg === 'sha256') {
    const expected = Buffer.from(hash, 'base64');
    const got = createHash('sha256').update(Buffer.from(salt, 'base64')).update(secret).digest();
    return got.length === expected.length && timingSafeEqual(expected, got);
  }
  if (alg !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scrypt(secret, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(expected, got);
}
