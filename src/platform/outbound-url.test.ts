import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lookup as realLookup } from 'node:dns';
import { checkOutboundUrl, classifyAddress, outboundFetch, outboundUrl, OutboundRefused, type OutboundPolicy } from './outbound-url.ts';

const strict: OutboundPolicy = { allowPrivate: false };
const lenient: OutboundPolicy = { allowPrivate: true };
let server: Server;
let port = 0;
before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/to-metadata') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/to-self') return res.writeHead(307, { location: '/ok' }).end();
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, url: req.url, body })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

test('addresses: link-local and metadata always forbidden; loopback and private ranges are private; the rest public', () => {
  for (const ip of ['169.254.169.254', '169.254.1.1', 'fe80::1', 'fd00:ec2::254', '100.100.100.200', '::ffff:169.254.169.254', '224.0.0.1', 'not-an-ip'])
    assert.equal(classifyAddress(ip), 'forbidden', ip);
  for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '127.8.8.8', '::1', 'fc00::1', 'fd12:3456::1', '0.0.0.0', '::', '::ffff:10.0.0.1', '100.64.0.1'])
    assert.equal(classifyAddress(ip), 'private', ip);
  for (const ip of ['8.8.8.8', '172.32.0.1', '101.226.103.1', '2408:8000::1', '192.169.0.1']) assert.equal(classifyAddress(ip), 'public', ip);
});

test('URLs when saved: http(s) only; metadata never; loopback/private only when allowed', () => {
  assert.equal(checkOutboundUrl('https://api.partner.example.com/evcs/v1', strict), null);
  assert.match(checkOutboundUrl('ftp://x.example.com/', lenient)!, /only http and https/);
  assert.match(checkOutboundUrl('file:///etc/passwd', lenient)!, /only http and https/);
  assert.match(checkOutboundUrl('gopher://x/', lenient)!, /only http and https/);
  assert.match(checkOutboundUrl('not a url', lenient)!, /not an absolute URL/);
  for (const u of ['http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://metadata.google.internal/computeMetadata/v1/', 'http://METADATA.google.internal./x', 'http://100.100.100.200/', 'http://[fe80::1]/', 'http://[::ffff:a9fe:a9fe]/'])
    assert.match(checkOutboundUrl(u, lenient) ?? '', /never allowed/, u);
  for (const u of ['http://127.0.0.1:8080/', 'http://10.0.0.5/', 'http://172.20.1.1/', 'http://192.168.0.10/', 'http://[::1]/', 'http://[fc00::1]/', 'http://0.0.0.0/', 'http://localhost:9090/', 'http://2130706433/', 'http://0x7f.1/']) {
    assert.match(checkOutboundUrl(u, strict) ?? '', /OUTBOUND_ALLOW_PRIVATE/, u);
    assert.equal(checkOutboundUrl(u, lenient), null, u);
  }
});

test('the zod schema says why a URL is refused', () => {
  const r = outboundUrl().safeParse('http://169.254.169.254/');
  assert.equal(r.success, false);
  assert.match(r.error!.issues[0].message, /not an allowed outbound URL: .*never allowed/);
});

test('when connecting: a name that resolves to a forbidden or private address is refused before any connection', async () => {
  let connected = 0;
  server.once('connection', () => connected++);
  const toLoopback: OutboundPolicy = { allowPrivate: false, lookup: ((_h: string, _o: unknown, cb: any) => cb(null, [{ address: '127.0.0.1', family: 4 }])) as never };
  await assert.rejects(outboundFetch(`http://partner.example.com:${port}/x`, {}, toLoopback), (e: Error) => e instanceof OutboundRefused && /resolves to 127\.0\.0\.1 is a loopback/.test(e.message));
  const toMetadata: OutboundPolicy = { allowPrivate: true, lookup: ((_h: string, _o: unknown, cb: any) => cb(null, [{ address: '93.184.216.34', family: 4 }, { address: '169.254.169.254', family: 4 }])) as never };
  await assert.rejects(outboundFetch(`http://rebind.example.com:${port}/x`, {}, toMetadata), /169\.254\.169\.254 is a link-local/);
  assert.equal(connected, 0);
  const viaName: OutboundPolicy = { allowPrivate: true, lookup: realLookup as never };
  const ok = await outboundFetch(`http://localhost:${port}/hello`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } }, viaName);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { method: 'POST', url: '/hello', body: '{"a":1}' });
});

test('redirects are followed only to allowed addresses', async () => {
  await assert.rejects(outboundFetch(`http://127.0.0.1:${port}/to-metadata`, {}, lenient), /never allowed/);
  const r = await outboundFetch(`http://127.0.0.1:${port}/to-self`, { method: 'POST', body: 'x' }, lenient);
  assert.deepEqual(await r.json(), { method: 'POST', url: '/ok', body: 'x' });
  await assert.rejects(outboundFetch(`http://127.0.0.1:${port}/x`, {}, strict), /OUTBOUND_ALLOW_PRIVATE/);
});
