import type { Duplex } from 'node:stream';
import { unsafeTextReason } from '../../platform/safe-text.ts';

/** Raw HTTP answers and header parsing for the OCPP upgrade, before ocpp-rpc sees the request. */

/** Answers a refused upgrade on the raw socket and closes it. */
export function refuseUpgrade(socket: Duplex, status: number, text: string, body = '', headers: Record<string, string> = {}) {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${extra}Connection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** The charge box id of /ocpp/{id}: decoded, storable, at most 255 characters; null otherwise. */
export function decodedIdentity(encoded: string): string | null {
  try {
    const id = decodeURIComponent(encoded);
    return id.length <= 255 && unsafeTextReason(id) === null ? id : null;
  } catch {
    return null;
  }
}

/** The password of a Basic auth header whose user is the charge box id (as ocpp-rpc reads it). */
export function basicPassword(header: string | undefined, identity: string): Buffer | null {
  const m = /^ *[Bb][Aa][Ss][Ii][Cc] +([A-Za-z0-9._~+/-]+=*) *$/.exec(header ?? '');
  if (!m) return null;
  const raw = Buffer.from(m[1], 'base64');
  const user = Buffer.from(identity + ':');
  return raw.subarray(0, user.length).equals(user) ? raw.subarray(user.length) : null;
}
