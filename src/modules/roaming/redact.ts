import { createHash } from 'node:crypto';

/** Fields of T/CEC payloads that are credentials: never kept in the envelope log or shown to staff. */
export const SECRET_FIELDS = new Set(['OperatorSecret', 'AccessToken', 'DataSecret', 'DataSecretIV', 'SigSecret']);

/** The decrypted payload as the envelope log keeps it: credentials replaced by "***". */
export function redactTcec(plain: string): string {
  let v: unknown;
  try {
    v = JSON.parse(plain);
  } catch {
    return plain;
  }
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (!x || typeof x !== 'object') return x;
    return Object.fromEntries(Object.entries(x).map(([k, val]) => [k, SECRET_FIELDS.has(k) && val ? '***' : walk(val)]));
  };
  return JSON.stringify(walk(v));
}

/** Tokens we issue to partners are kept as a digest: the table never holds a usable token. */
export const tokenDigest = (token: string) => 'sha256:' + createHash('sha256').update(token, 'utf8').digest('hex');
