/**
 * Property-based fuzzing of the WeChat Pay callbacks (issue 11, point 19c): a real notification
 * signed by the fake provider's platform key, replayed with random and near-miss headers, bodies and
 * signatures, and random requests. Properties: every answer is 204 or a 4xx refusal (never a 5xx),
 * no database text in an answer, no credit without a valid signature, never a second credit.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import type { FakeWechatpay } from '../../src/modules/payments/fake/server.ts';
import { responseMessage, rsaVerify } from '../../src/modules/payments/wechatpay/crypto.ts';
import type { TestPlatform } from '../support/platform.ts';
import { balance, events, startWithFake } from '../payments/helpers.ts';
import { DB_TEXT, nastyString } from './arbitraries.ts';

const PHONE = '18475511853';
let p: TestPlatform;
let fake: FakeWechatpay;
let staff: string;
let capture: Server;
let captured: { headers: Record<string, string>; body: string } | null = null;
let otn = '';

before(async () => {
  ({ p, fake } = await startWithFake());
  staff = await p.login('op1-staff', 'op1-staff-pass');
  capture = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      captured = { headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('wechatpay-')).map(([k, v]) => [k, String(v)])), body };
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => capture.listen(0, '127.0.0.1', () => r()));
  fake.knobs.staleQuery = true; // only callbacks may credit in this test (the recovery query would race them)
  const t = await p.api('POST', '/api/v1/topups', { phone: PHONE, amount: '12.34', channel: 'wechatpay_h5' }, staff);
  assert.equal(t.status, 201, JSON.stringify(t.body));
  otn = t.body.outTradeNo;
  // The notification WeChat would send once the payer paid, signed with the platform key, caught before it reaches us.
  const port = (capture.address() as { port: number }).port;
  await fake.notify(otn, { url: `http://127.0.0.1:${port}/`, asPaid: true });
  assert.ok(captured, 'a signed notification was captured');
});
after(async () => {
  await new Promise((r) => capture?.close(r));
  await p?.close();
  await fake?.close();
});

/** The platform's rule, written out independently: serial known, timestamp within 5 minutes, RSA signature over ts\nnonce\nbody\n. */
function validSignature(h: Record<string, string>, body: string): boolean {
  if (h['wechatpay-serial'] !== fake.platformSerial) return false;
  const ts = h['wechatpay-timestamp'];
  if (!/^\d+$/.test(ts ?? '') || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  return !!h['wechatpay-nonce'] && !!h['wechatpay-signature'] && rsaVerify(responseMessage(ts, h['wechatpay-nonce'], body), h['wechatpay-signature'], fake.platformPublicKey);
}

const HEADERS = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial'] as const;
const flip = (s: string, i: number, c: string) => (s.length ? s.slice(0, i % s.length) + c + s.slice((i % s.length) + 1) : c);
type Req = { path: string; headers: Record<string, string>; body: string; contentType: string };
/** A mutation that prints as what it does (readable counterexamples). */
const named = (label: string, f: (r: Req) => Req) => Object.assign(f, { toString: () => label });
const mutate = fc.oneof(
  { weight: 2, arbitrary: fc.constant(named('genuine', (r: Req) => r)) }, // the genuine notification, again
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...HEADERS), fc.nat(400), fc.constantFrom('A', 'a', '0', '+', '/', '=', '中', ' ')).map(([h, i, c]) => named(`flip ${h}[${i}]=${JSON.stringify(c)}`, (r: Req) => ({ ...r, headers: { ...r.headers, [h]: flip(r.headers[h], i, c) } }))) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...HEADERS), fc.oneof(nastyString, fc.integer().map(String))).map(([h, v]) => named(`set ${h}=${JSON.stringify(v).slice(0, 60)}`, (r: Req) => ({ ...r, headers: { ...r.headers, [h]: v } }))) },
  { weight: 1, arbitrary: fc.constantFrom(...HEADERS).map((h) => named(`drop ${h}`, (r: Req) => ({ ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== h)) }))) },
  { weight: 1, arbitrary: fc.integer({ min: -400, max: 400 }).map((d) => named(`timestamp ${d >= 0 ? '+' : ''}${d}s`, (r: Req) => ({ ...r, headers: { ...r.headers, 'wechatpay-timestamp': String(Number(r.headers['wechatpay-timestamp']) + d) } }))) },
  { weight: 3, arbitrary: fc.tuple(fc.nat(2000), fc.constantFrom('x', ' ', '\u0000', '"', '}', '中', '\ud800')).map(([i, c]) => named(`flip body[${i}]=${JSON.stringify(c)}`, (r: Req) => ({ ...r, body: flip(r.body, i, c) }))) },
  { weight: 1, arbitrary: fc.nat(2000).map((n) => named(`truncate body at ${n}`, (r: Req) => ({ ...r, body: r.body.slice(0, n % Math.max(1, r.body.length)) }))) },
  { weight: 1, arbitrary: fc.oneof(nastyString, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))).map((body) => named(`body=${JSON.stringify(body).slice(0, 60)}`, (r: Req) => ({ ...r, body }))) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('op2', 'nope', '%ZZ', 'op1%00', 'op1/../op2'), nastyString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '')) || 'x')).map((op) => named(`operator ${op}`, (r: Req) => ({ ...r, path: `/api/v1/payments/wechatpay/notify/${op}` }))) },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', '', 'application/json; charset=gbk').map((ct) => named(`content-type ${ct}`, (r: Req) => ({ ...r, contentType: ct }))) },
);

test('any callback: 204 or a 4xx refusal, never a credit without a valid signature, never a second credit', async () => {
  const startBalance = Number(await balance(p, staff, PHONE));
  const credits = async () => (await events(p, otn)).filter((e) => e.outcome === 'credited').length;
  let validSent = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutate, { minLength: 1, maxLength: 3 }), async (ms) => {
      let r: Req = { path: '/api/v1/payments/wechatpay/notify/op1', headers: { ...captured!.headers }, body: captured!.body, contentType: 'application/json' };
      for (const m of ms) r = m(r);
      const valid = r.path === '/api/v1/payments/wechatpay/notify/op1' && validSignature(r.headers, r.body);
      const before = await credits();
      let res: Response;
      try {
        // header values travel as bytes: multibyte text goes as its UTF-8 bytes
        const wire = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Buffer.from(v).toString('latin1')]));
        res = await fetch(p.url + r.path, { method: 'POST', headers: { ...wire, ...(r.contentType ? { 'content-type': r.contentType } : {}) }, body: r.body });
      } catch (e) {
        // a header value Node refuses to send (control characters) never reaches the server
        if (/header|Invalid character/i.test(String((e as Error).cause ?? e))) return;
        throw e;
      }
      const text = await res.text();
      assert.ok(res.status === 204 || (res.status >= 400 && res.status < 500), `${res.status} ${text.slice(0, 300)}`);
      assert.doesNotMatch(text, DB_TEXT);
      const after = await credits();
      if (!valid) assert.equal(after, before, `no credit without a valid signature: ${JSON.stringify(r).slice(0, 300)}`);
      else validSent++;
      assert.ok(after <= 1, 'never a second credit');
    }),
    { seed: 19_201, numRuns: 150, endOnFailure: true, includeErrorInReport: true },
  );
  // the genuine notification once more: credited exactly once in all
  const last = await fetch(`${p.url}/api/v1/payments/wechatpay/notify/op1`, { method: 'POST', headers: { ...captured!.headers, 'content-type': 'application/json' }, body: captured!.body });
  assert.equal(last.status, 204);
  assert.ok(validSent > 5, `genuine copies were sent (${validSent})`);
  assert.equal(await credits(), 1);
  assert.equal(Number(await balance(p, staff, PHONE)), Math.round((startBalance + 12.34) * 100) / 100);
});
