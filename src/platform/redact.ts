/**
 * Keeping secrets out of what people see: error text that lands in outbox last_error and logs, and
 * payloads shown in the console. The first line of defence is not putting secrets there at all
 * (sealed payload fields, URLs without query strings in messages); this catches what slips through.
 */

/** Object keys whose values are credentials (not dedupeKey, not keyId). */
export const SECRET_KEY_NAME = /(secret|token|password|passwd|privatekey|apiv3key|authkey|^sealed|^authorization$|^cookie$)/i;

const PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, '[PEM redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, '$1 ***'],
  [/([?&](?:access_token|token|secret|key|password|sign|signature)=)[^&\s"'#]+/gi, '$1***'],
  [/("?[A-Za-z_]*(?:secret|token|password|apiV3Key|privateKey|authKey)[A-Za-z_]*"?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;}&]+)/gi, '$1"***"'],
  [/\bk1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[sealed]'],
];

/** Error text with anything that looks like a credential replaced. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  return out;
}

/** A copy of a payload for display: credential-named fields read "***". */
export function maskPayload<T>(v: T): T {
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (!x || typeof x !== 'object') return x;
    return Object.fromEntries(Object.entries(x).map(([k, val]) => [k, SECRET_KEY_NAME.test(k) && val ? '***' : walk(val)]));
  };
  return walk(v) as T;
}

/** pino redaction paths: the credential fields at the top and two levels down. */
export const LOG_REDACT_KEYS = [
  'password',
  'authKey',
  'apiV3Key',
  'merchantPrivateKey',
  'privateKey',
  'operatorSecret',
  'OperatorSecret',
  'dataSecret',
  'dataSecretIv',
  'DataSecret',
  'DataSecretIV',
  'sigSecret',
  'SigSecret',
  'accessToken',
  'AccessToken',
  'access_token',
  'token',
  'secret',
  'sealedText',
  'authorization',
  'cookie',
];
