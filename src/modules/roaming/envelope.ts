/**
 * The T/CEC 102.4 envelope, pure: AES-128-CBC/PKCS7 with key and IV as raw UTF-8 bytes, Base64
 * text, HMAC-MD5 upper-case hex over OperatorID+Data+TimeStamp+Seq (requests) or
 * String(Ret)+Msg+Data (responses). No I/O; the pipeline in inbound.ts and client.ts use it.
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { Temporal } from 'temporal-polyfill';

export interface Keys {
  dataSecret: string;
  dataSecretIv: string;
  sigSecret: string;
}

export interface RequestEnvelope {
  OperatorID: string;
  Data: string;
  TimeStamp: string;
  Seq: string;
  Sig: string;
}

export interface ResponseEnvelope {
  Ret: number;
  Msg: string;
  Data: string;
  Sig: string;
}

export const Ret = { OK: 0, BUSY: -1, SIGNATURE: 4001, TOKEN: 4002, ENVELOPE: 4003, BUSINESS: 4004, SERVER: 500 } as const;

export function encrypt(plaintext: string, k: Pick<Keys, 'dataSecret' | 'dataSecretIv'>): string {
  const c = createCipheriv('aes-128-cbc', Buffer.from(k.dataSecret, 'utf8'), Buffer.from(k.dataSecretIv, 'utf8'));
  return Buffer.concat([c.update(plaintext, 'utf8'), c.final()]).toString('base64');
}

/** Throws on a wrong key, bad padding or non-Base64 input. */
export function decrypt(b64: string, k: Pick<Keys, 'dataSecret' | 'dataSecretIv'>): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) throw new Error('Data is not Base64');
  const d = createDecipheriv('aes-128-cbc', Buffer.from(k.dataSecret, 'utf8'), Buffer.from(k.dataSecretIv, 'utf8'));
  return Buffer.concat([d.update(Buffer.from(b64, 'base64')), d.final()]).toString('utf8');
}

export const hmacMd5 = (secret: string, s: string) => createHmac('md5', Buffer.from(secret, 'utf8')).update(s, 'utf8').digest('hex').toUpperCase();

export const requestSig = (sigSecret: string, e: Pick<RequestEnvelope, 'OperatorID' | 'Data' | 'TimeStamp' | 'Seq'>) =>
  hmacMd5(sigSecret, e.OperatorID + e.Data + e.TimeStamp + e.Seq);

export const responseSig = (sigSecret: string, r: Pick<ResponseEnvelope, 'Ret' | 'Msg' | 'Data'>) => hmacMd5(sigSecret, String(r.Ret) + (r.Msg ?? '') + (r.Data ?? ''));

/** Sig is 32 hex digits (HMAC-MD5), in either case. */
export const SIG_FORMAT = /^[0-9A-Fa-f]{32}$/;

/** Constant-time, hex case-insensitive (some partners sign in lower case); false for anything that is not 32 hex digits. */
export function sigEquals(expectedUpper: string, got: unknown): boolean {
  // checked before any byte comparison: a multibyte or odd-length string must not reach timingSafeEqual
  if (typeof got !== 'string' || !SIG_FORMAT.test(got) || expectedUpper.length !== got.length) return false;
  return timingSafeEqual(Buffer.from(expectedUpper, 'latin1'), Buffer.from(got.toUpperCase(), 'latin1'));
}

/** yyyyMMddHHmmss in Beijing time. */
export function envelopeTimestamp(at: Date): string {
  const z = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO('Asia/Shanghai');
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(z.year, 4)}${p(z.month)}${p(z.day)}${p(z.hour)}${p(z.minute)}${p(z.second)}`;
}

/** yyyyMMddHHmmss (Beijing) → epoch ms, or null when it is not a real time. */
export function parseEnvelopeTimestamp(s: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  try {
    const z = Temporal.ZonedDateTime.from(
      { timeZone: 'Asia/Shanghai', year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5], second: +m[6] },
      { overflow: 'reject' },
    );
    return z.epochMilliseconds;
  } catch {
    return null;
  }
}

export function sealRequest(operatorId: string, payload: unknown, keys: Keys, at: Date, seq: string): RequestEnvelope {
  const Data = encrypt(typeof payload === 'string' ? payload : JSON.stringify(payload), keys);
  const e = { OperatorID: operatorId, Data, TimeStamp: envelopeTimestamp(at), Seq: seq };
  return { ...e, Sig: requestSig(keys.sigSecret, e) };
}

export function sealResponse(ret: number, msg: string, payload: unknown | null, keys: Keys): ResponseEnvelope {
  const Data = payload === null || payload === undefined ? '' : encrypt(JSON.stringify(payload), keys);
  return { Ret: ret, Msg: msg, Data, Sig: responseSig(keys.sigSecret, { Ret: ret, Msg: msg, Data }) };
}

export type OpenResult<T> = { ok: true; value: T } | { ok: false; ret: number; msg: string };

/** Shape check of a request envelope (4003 when a field is missing or malformed). */
export function checkRequestShape(body: unknown): OpenResult<RequestEnvelope> {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object') return { ok: false, ret: Ret.ENVELOPE, msg: 'POST参数不合法: body is not a JSON object' };
  const missing = ['OperatorID', 'Data', 'TimeStamp', 'Seq', 'Sig'].filter((k) => typeof b[k] !== 'string' || (k !== 'Data' && b[k] === ''));
  if (missing.length) return { ok: false, ret: Ret.ENVELOPE, msg: `POST参数不合法: missing or not a string: ${missing.join(', ')}` };
  if (!/^\d{14}$/.test(b.TimeStamp as string)) return { ok: false, ret: Ret.ENVELOPE, msg: 'POST参数不合法: TimeStamp must be yyyyMMddHHmmss' };
  if (!/^\d{4}$/.test(b.Seq as string)) return { ok: false, ret: Ret.ENVELOPE, msg: 'POST参数不合法: Seq must be 4 digits' };
  if (!SIG_FORMAT.test(b.Sig as string)) return { ok: false, ret: Ret.ENVELOPE, msg: 'POST参数不合法: Sig must be 32 hexadecimal digits' };
  return { ok: true, value: b as unknown as RequestEnvelope };
}

/**
 * Opens a request envelope: signature first (4001), then the timestamp window (4003), then
 * decryption and JSON (4004 when Data does not decrypt to a JSON object).
 */
export function openRequest(e: RequestEnvelope, keys: Keys, now: number, windowMs = 5 * 60_000): OpenResult<{ json: Record<string, unknown>; plaintext: string }> {
  if (!sigEquals(requestSig(keys.sigSecret, e), e.Sig)) return { ok: false, ret: Ret.SIGNATURE, msg: '签名错误' };
  const ts = parseEnvelopeTimestamp(e.TimeStamp);
  if (ts === null || Math.abs(now - ts) > windowMs) return { ok: false, ret: Ret.ENVELOPE, msg: 'POST参数不合法: TimeStamp outside the ±5 minute window' };
  let plaintext: string;
  try {
    plaintext = decrypt(e.Data, keys);
  } catch {
    return { ok: false, ret: Ret.ENVELOPE, msg: 'POST参数不合法: Data does not decrypt with the agreed key' };
  }
  try {
    const json = JSON.parse(plaintext);
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('not an object');
    return { ok: true, value: { json, plaintext } };
  } catch {
    return { ok: false, ret: Ret.BUSINESS, msg: '请求的业务参数不合法: Data is not a JSON object' };
  }
}

/** Opens a partner's response to one of our calls; signature checked before decryption. */
export function openResponse(r: unknown, keys: Keys): OpenResult<{ ret: number; msg: string; json: Record<string, unknown> | null; plaintext: string }> {
  const b = r as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || typeof b.Ret !== 'number') return { ok: false, ret: Ret.ENVELOPE, msg: 'response is not an envelope' };
  const Msg = typeof b.Msg === 'string' ? b.Msg : '';
  const Data = typeof b.Data === 'string' ? b.Data : '';
  if (!sigEquals(responseSig(keys.sigSecret, { Ret: b.Ret, Msg, Data }), b.Sig)) return { ok: false, ret: Ret.SIGNATURE, msg: 'response signature does not match' };
  if (!Data) return { ok: true, value: { ret: b.Ret, msg: Msg, json: null, plaintext: '' } };
  try {
    const plaintext = decrypt(Data, keys);
    return { ok: true, value: { ret: b.Ret, msg: Msg, json: JSON.parse(plaintext), plaintext } };
  } catch {
    return { ok: false, ret: Ret.ENVELOPE, msg: 'response Data does not decrypt to JSON' };
  }
}

/** Seq counter 0001..9999 per second, as the standard asks of a sender. */
export function seqCounter() {
  let sec = '';
  let n = 0;
  return (at: Date) => {
    const s = envelopeTimestamp(at);
    if (s !== sec) (sec = s), (n = 0);
    n = (n % 9999) + 1;
    return String(n).padStart(4, '0');
  };
}
