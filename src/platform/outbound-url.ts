/**
 * URLs an admin sets (partner base URLs, notification webhooks and gateways, payment API bases) are
 * requests the platform makes on that admin's behalf: they must not reach the cloud's metadata
 * service or, unless OUTBOUND_ALLOW_PRIVATE=true, the platform's own network. Checked when a URL is
 * saved (checkOutboundUrl, outboundUrl schema) and again when connecting (outboundFetch resolves
 * the name, checks every address and connects to a checked one; redirects are checked the same way).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { z } from 'zod';

export interface OutboundPolicy {
  allowPrivate: boolean;
  /** name resolution (tests give a fake resolver) */
  lookup?: typeof dnsLookup;
}

let policy: OutboundPolicy = { allowPrivate: false };
/** Set once at start from OUTBOUND_ALLOW_PRIVATE (outbox handlers and provisioning run without a request). */
export function configureOutbound(p: OutboundPolicy) {
  policy = { ...p };
}
export const outboundPolicy = (): OutboundPolicy => policy;

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

// Always refused: link-local (where cloud metadata services live), the known metadata addresses,
// multicast and reserved ranges.
const forbidden = new BlockList();
forbidden.addSubnet('169.254.0.0', 16, 'ipv4');
forbidden.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
forbidden.addSubnet('224.0.0.0', 4, 'ipv4');
forbidden.addSubnet('240.0.0.0', 4, 'ipv4');
forbidden.addSubnet('fe80::', 10, 'ipv6');
forbidden.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
forbidden.addSubnet('ff00::', 8, 'ipv6');

// Refused unless OUTBOUND_ALLOW_PRIVATE=true: loopback, private networks, "this host", CGNAT.
const privateNets = new BlockList();
privateNets.addSubnet('0.0.0.0', 8, 'ipv4');
privateNets.addSubnet('10.0.0.0', 8, 'ipv4');
privateNets.addSubnet('100.64.0.0', 10, 'ipv4');
privateNets.addSubnet('127.0.0.0', 8, 'ipv4');
privateNets.addSubnet('172.16.0.0', 12, 'ipv4');
privateNets.addSubnet('192.168.0.0', 16, 'ipv4');
privateNets.addAddress('::', 'ipv6');
privateNets.addAddress('::1', 'ipv6');
privateNets.addSubnet('fc00::', 7, 'ipv6');

export type AddressClass = 'public' | 'private' | 'forbidden';

/** Where an IP address points; an IPv4-mapped IPv6 address is judged by its IPv4 part. */
export function classifyAddress(ip: string): AddressClass {
  const bare = ip.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  const addr = mapped ? mapped[1] : bare;
  const family = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
  if (!isIP(addr)) return 'forbidden';
  if (forbidden.check(addr, family)) return 'forbidden';
  if (privateNets.check(addr, family)) return 'private';
  return 'public';
}

function addressProblem(ip: string, p: OutboundPolicy): string | null {
  const c = classifyAddress(ip);
  if (c === 'forbidden') return `${ip} is a link-local, cloud-metadata or reserved address, which is never allowed`;
  if (c === 'private' && !p.allowPrivate) return `${ip} is a loopback or private-network address (allowed only with OUTBOUND_ALLOW_PRIVATE=true)`;
  return null;
}

/** Why a URL may not be used for outbound requests, or null when it may (no DNS: see outboundFetch). */
export function checkOutboundUrl(url: string, p: OutboundPolicy = policy): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${url} is not an absolute URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `only http and https URLs are allowed, not ${u.protocol.replace(/:$/, '')}`;
  const host = u.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (!host) return `${url} has no host`;
  if (METADATA_HOSTS.has(host)) return `${host} is a cloud metadata service, which is never allowed`;
  if (isIP(host)) return addressProblem(host, p);
  if ((host === 'localhost' || host.endsWith('.localhost')) && !p.allowPrivate) return `${host} is this machine (allowed only with OUTBOUND_ALLOW_PRIVATE=true)`;
  return null;
}

/** zod: an absolute http(s) URL the outbound policy allows (400 with the reason when saved). */
export const outboundUrl = () =>
  z.url().superRefine((v, ctx) => {
    const why = checkOutboundUrl(v);
    if (why) ctx.addIssue({ code: 'custom', message: `not an allowed outbound URL: ${why}` });
  });

export class OutboundRefused extends Error {}

/** A DNS lookup that answers only addresses the policy allows (the connection uses what it answers). */
function checkedLookup(p: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    (p.lookup ?? dnsLookup)(hostname, { all: true, family: options.family as number | undefined }, (err, addresses) => {
      if (err) return (callback as (e: Error | null, a: string | LookupAddress[], f?: number) => void)(err, '', 0);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const why = addressProblem(a.address, p);
        if (why) return (callback as (e: Error) => void)(new OutboundRefused(`${hostname} resolves to ${why}`));
      }
      if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
      (callback as (e: null, a: string, f: number) => void)(null, list[0].address, list[0].family);
    });
  };
}

export interface OutboundRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  maxRedirects?: number;
  /** answers larger than this are cut off with an error */
  maxBytes?: number;
}

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * fetch for admin-set URLs: the URL and every address its name resolves to are checked before
 * connecting, and so is every redirect. Answers a standard Response.
 */
export async function outboundFetch(url: string, init: OutboundRequest = {}, p: OutboundPolicy = policy): Promise<Response> {
  let current = url;
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  let headers = { ...(init.headers ?? {}) };
  const signal = AbortSignal.timeout(init.timeoutMs ?? 10_000);
  for (let hop = 0; ; hop++) {
    const why = checkOutboundUrl(current, p);
    if (why) throw new OutboundRefused(`refused to connect: ${why}`);
    const res = await send(current, method, headers, body, signal, p, init.maxBytes ?? 50 * 1024 * 1024);
    const location = res.headers.get('location');
    if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
    if (hop >= (init.maxRedirects ?? 5)) throw new OutboundRefused(`too many redirects from ${redactUrl(url)}`);
    const next = new URL(location, current);
    if (next.origin !== new URL(current).origin) {
      const { authorization: _drop, ...rest } = headers;
      headers = rest;
    }
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    current = next.toString();
  }
}

function send(url: string, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal, p: OutboundPolicy, maxBytes: number): Promise<Response> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const req = request(u, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: checkedLookup(p), signal }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          res.destroy();
          reject(new Error(`the answer of ${redactUrl(url)} is larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) for (const x of v) h.append(k, x);
          else if (v !== undefined) h.set(k, v);
        }
        const status = res.statusCode ?? 502;
        resolve(new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status: status < 200 ? 502 : status, headers: h }));
      });
    });
    req.on('error', (e) => reject(e instanceof OutboundRefused ? e : new Error(`${method} ${redactUrl(url)} failed: ${(e as Error).message}`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The URL without its query string and credentials, for messages (tokens often travel in the query). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
