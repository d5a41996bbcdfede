import { createCipheriv, createDecipheriv, createPublicKey, createSign, createVerify, randomBytes, type KeyObject } from 'node:crypto';

/**
 * WeChat Pay API v3 signatures and envelopes, on node:crypto only. Pure functions: the time is
 * always handed in (`now`, ms since the epoch, from the caller's clock), the nonce may be, so tests are exact.
 */

export const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

export const nonceStr = () => randomBytes(16).toString('hex').toUpperCase();
export const unixTime = (now: number) => String(Math.floor(now / 1000));

/** RSA-SHA256 (SHA256withRSA, PKCS#1 v1.5), Base64. */
export function rsaSign(message: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKeyPem, 'base64');
}

export function rsaVerify(message: string, signatureB64: string, publicKey: string | KeyObject): boolean {
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKey, signatureB64, 'base64');
  } catch {
    return false;
  }
}

/** The string a merchant request signature covers: `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` (URL = path + query). */
export const requestMessage = (method: string, urlPath: string, timestamp: string, nonce: string, body: string) =>
  `${method.toUpperCase()}\n${urlPath}\n${timestamp}\n${nonce}\n${body}\n`;

/** The string a response or callback signature covers: `TIMESTAMP\nNONCE\nBODY\n`, over the raw body as received. */
export const responseMessage = (timestamp: string, nonce: string, body: string) => `${timestamp}\n${nonce}\n${body}\n`;

export interface AuthorizationParts {
  mchid: string;
  nonce_str: string;
  timestamp: string;
  serial_no: string;
  signature: string;
}

/** The `Authorization` header of a merchant request. */
export function buildAuthorization(
  input: { mchid: string; serialNo: string; privateKeyPem: string; method: string; urlPath: string; body: string; now: number },
  nonce = nonceStr(),
  timestamp = unixTime(input.now),
): string {
  const signature = rsaSign(requestMessage(input.method, input.urlPath, timestamp, nonce, input.body), input.privateKeyPem);
  return `${AUTH_SCHEMA} mchid="${input.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${input.serialNo}"`;
}

export function parseAuthorization(header: string | undefined): AuthorizationParts | null {
  if (!header?.startsWith(AUTH_SCHEMA + ' ')) return null;
  const out: Record<string, string> = {};
  for (const m of header.slice(AUTH_SCHEMA.length + 1).matchAll(/(\w+)="([^"]*)"/g)) out[m[1]] = m[2];
  for (const k of ['mchid', 'nonce_str', 'timestamp', 'serial_no', 'signature']) if (!out[k]) return null;
  return out as unknown as AuthorizationParts;
}

/** JSAPI payment parameters for `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` / wx.chooseWXPay. */
export function jsapiPayParams(appId: string, prepayId: string, privateKeyPem: string, now: number, nonce = nonceStr(), timeStamp = unixTime(now)) {
  const pkg = `prepay_id=${prepayId}`;
  const paySign = rsaSign(`${appId}\n${timeStamp}\n${nonce}\n${pkg}\n`, privateKeyPem);
  return { appId, timeStamp, nonceStr: nonce, package: pkg, signType: 'RSA' as const, paySign };
}

export interface PlatformKey {
  serial: string;
  /** PEM of a public key or of the platform certificate. */
  publicKey: string;
}

export type SignatureCheck =
  | { ok: true; serial: string }
  | { ok: false; reason: 'missing_headers' | 'unknown_serial' | 'stale_timestamp' | 'bad_signature'; message: string };

/**
 * Verifies a response or callback signature with the platform key that `Wechatpay-Serial` names.
 * A platform certificate serial and a `PUB_KEY_ID_…` key may both be configured during WeChat's migration.
 */
export function verifyWechatSignature(
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  keys: PlatformKey[],
  opts: { now: number; maxAgeSeconds?: number },
): SignatureCheck {
  const h = (k: string) => {
    const v = headers[k] ?? headers[k.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const ts = h('wechatpay-timestamp');
  const nonce = h('wechatpay-nonce');
  const sig = h('wechatpay-signature');
  const serial = h('wechatpay-serial');
  if (!ts || !nonce || !sig || !serial) return { ok: false, reason: 'missing_headers', message: 'Wechatpay-Timestamp/Nonce/Signature/Serial headers are required' };
  if (sig.startsWith('WECHATPAY/SIGNTEST/')) return { ok: false, reason: 'bad_signature', message: 'signature probe (WECHATPAY/SIGNTEST) refused' };
  const key = keys.find((k) => k.serial === serial);
  if (!key) return { ok: false, reason: 'unknown_serial', message: `no platform key with serial ${serial}` };
  const maxAge = opts.maxAgeSeconds ?? 300;
  const now = Math.floor(opts.now / 1000);
  if (!/^\d+$/.test(ts) || Math.abs(now - Number(ts)) > maxAge) return { ok: false, reason: 'stale_timestamp', message: `timestamp ${ts} is more than ${maxAge} s from now` };
  let pub: KeyObject;
  try {
    pub = createPublicKey(key.publicKey);
  } catch {
    return { ok: false, reason: 'unknown_serial', message: `the platform key ${serial} is not a valid PEM public key or certificate` };
  }
  if (!rsaVerify(responseMessage(ts, nonce, rawBody), sig, pub)) return { ok: false, reason: 'bad_signature', message: 'signature does not verify' };
  return { ok: true, serial };
}

/** Signs a response or callback body as the platform does (the fake and tests). */
export function signAsPlatform(rawBody: string, key: { serial: string; privateKeyPem: string }, now: number, nonce = nonceStr(), timestamp = unixTime(now)) {
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-serial': key.serial,
    'wechatpay-signature': rsaSign(responseMessage(timestamp, nonce, rawBody), key.privateKeyPem),
  };
}

export interface EncryptedResource {
  original_type?: string;
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
}

function apiV3KeyBytes(apiV3Key: string): Buffer {
  const k = Buffer.from(apiV3Key, 'utf8');
  if (k.length !== 32) throw new Error('the APIv3 key must be 32 bytes');
  return k;
}

/** AEAD_AES_256_GCM: ciphertext is Base64 of the encrypted bytes followed by the 16-byte tag. */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new Error(`unsupported algorithm ${resource.algorithm}`);
  const buf = Buffer.from(resource.ciphertext, 'base64');
  if (buf.length < 16) throw new Error('ciphertext too short');
  const d = createDecipheriv('aes-256-gcm', apiV3KeyBytes(apiV3Key), Buffer.from(resource.nonce, 'utf8'));
  d.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  d.setAuthTag(buf.subarray(buf.length - 16));
  return Buffer.concat([d.update(buf.subarray(0, buf.length - 16)), d.final()]).toString('utf8');
}

export function encryptResource(plaintext: string, apiV3Key: string, originalType: string, associatedData = originalType, nonce = randomBytes(6).toString('hex')): EncryptedResource {
  const c = createCipheriv('aes-256-gcm', apiV3KeyBytes(apiV3Key), Buffer.from(nonce, 'utf8'));
  c.setAAD(Buffer.from(associatedData, 'utf8'));
  const enc = Buffer.concat([c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]);
  return { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext: enc.toString('base64'), associated_data: associatedData, nonce };
}
