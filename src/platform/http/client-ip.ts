import { BlockList, isIP } from 'node:net';

/** A matcher for TRUST_PROXY entries (addresses and CIDRs). */
export function proxyMatcher(trusted: string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const t of trusted) {
    const [ip, bits] = t.split('/');
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, Number(bits), family);
  }
  return (ip: string) => {
    const bare = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const v = isIP(bare);
    return v !== 0 && list.check(bare, v === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * The client address of a connection: X-Forwarded-For is read right to left only while the hop
 * that added it is a trusted proxy (TRUST_PROXY); with none trusted it is ignored. The same rule as
 * the HTTP server's req.ip, for places that see a raw upgrade request (the OCPP WebSocket).
 */
export function clientAddress(remoteAddress: string | null | undefined, forwardedFor: string | string[] | undefined, trusted: string[]): string | null {
  if (!remoteAddress) return null;
  if (!trusted.length || !forwardedFor) return remoteAddress;
  const isTrusted = proxyMatcher(trusted);
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let addr = remoteAddress;
  while (isTrusted(addr) && hops.length) addr = hops.pop()!;
  return addr;
}
