/**
 * Failed OCPP Basic auth (issue 11, point 13): no database write per failed handshake, throttled per
 * client address (429 with Retry-After, no lookup, no hashing), chargers whose key this node already
 * verified still connect from a throttled address, and the failures are reported once per charger
 * per minute (security event + log line with counts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { CP, KEY, eventually } from './support.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { MAX_AUTH_FAILURES, AUTH_FAILURE_WINDOW_MS, AUTH_FAILURE_FLUSH_MS } from '../../src/modules/ocpp/auth-guard.ts';

const CP2 = '44030700030000200017';
const KEY2 = 'key-0000000000000017';
const clock = new FakeClock('2026-03-01T08:00:00Z', { ticking: true });
let p: TestPlatform;
let statements: string[] = [];
const warnings: { obj: any; msg: string }[] = [];
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc(), clock });
  const query = p.ctx.db.query.bind(p.ctx.db);
  p.ctx.db.query = ((sql: string, params?: unknown[]) => (statements.push(sql), query(sql, params))) as typeof p.ctx.db.query;
  const warn = p.ctx.log.warn.bind(p.ctx.log);
  p.ctx.log.warn = ((obj: any, msg: string) => (warnings.push({ obj, msg }), warn(obj, msg))) as typeof p.ctx.log.warn;
});
after(async () => p.close());

const basic = (id: string, key: string) => `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}`;
function handshake(id: string, key: string, opts: { on?: TestPlatform; forwardedFor?: string } = {}): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: basic(id, key), ...(opts.forwardedFor ? { 'x-forwarded-for': opts.forwardedFor } : {}) };
    const ws = new WebSocket(`${(opts.on ?? p).url.replace(/^http/, 'ws')}/ocpp/${id}`, ['ocpp1.6'], { headers });
    ws.on('unexpected-response', (_q, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined });
    });
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101 });
    });
    ws.on('error', (e) => (e.message.includes('Unexpected server response') ? undefined : reject(e)));
  });
}
const writes = () => statements.filter((s) => /^\s*(INSERT|UPDATE|DELETE)/i.test(s) && !/ocpp_connections|chargers SET|ocpp_messages|last_seen/i.test(s));

test('a failed handshake writes nothing; repeated failures from one address get 429 without any lookup', async () => {
  assert.equal((await handshake(CP2, KEY2)).status, 101, 'CP2 connects once: its key is now known to this node');
  statements = [];
  for (let i = 0; i < MAX_AUTH_FAILURES; i++) {
    // a client naming itself in X-Forwarded-For does not get a fresh window (no TRUST_PROXY here)
    const r = await handshake(i % 2 ? CP : 'NOSUCH' + i, 'wrong-key-' + i, { forwardedFor: `198.51.100.${i}` });
    assert.equal(r.status, 401);
  }
  assert.deepEqual(writes(), [], 'no database write for failed handshakes');
  statements = [];
  const t = await handshake(CP, KEY);
  assert.equal(t.status, 429, 'even the right key waits: the address is throttled');
  assert.ok(Number(t.retryAfter) > 0 && Number(t.retryAfter) <= AUTH_FAILURE_WINDOW_MS / 1000, `Retry-After ${t.retryAfter}`);
  assert.equal((await handshake('NOSUCH-X', 'guess')).status, 429);
  assert.deepEqual(statements, [], 'a throttled handshake is refused before any database query (and any hashing)');
  assert.ok(warnings.some((w) => /refused \(429\)/.test(w.msg) && w.obj.failures === MAX_AUTH_FAILURES));
  // a charger this node already verified keeps connecting from the throttled address
  assert.equal((await handshake(CP2, KEY2)).status, 101);
  assert.equal((await handshake(CP2, 'not-its-key')).status, 429);
});

test('the failures of known chargers are reported once per charger per minute, with counts; the window ends', async () => {
  assert.equal((await p.ctx.db.query(`SELECT count(*)::int AS n FROM ocpp_security_events WHERE kind = 'authentication_failed'`)).rows[0].n, 0);
  await clock.advance(AUTH_FAILURE_FLUSH_MS); // the report timer fires; its write is awaited below
  const ev = await eventually(async () => {
    const r = await p.ctx.db.query(`SELECT charger_id, details FROM ocpp_security_events WHERE kind = 'authentication_failed'`);
    return r.rows.length ? r.rows : null;
  }, 'the periodic report');
  assert.deepEqual(ev.map((r: any) => [r.charger_id, r.details.attempts]), [[CP, MAX_AUTH_FAILURES / 2]]);
  const line = warnings.find((w) => w.msg === 'failed OCPP authentications since the last report');
  assert.ok(line, 'one log line with the counts');
  assert.equal(line.obj.failures, MAX_AUTH_FAILURES / 2);
  assert.equal(line.obj.throttledAddresses[0].refused, 3);
  await clock.advance(AUTH_FAILURE_WINDOW_MS);
  assert.equal((await handshake(CP, KEY)).status, 101, 'after the window the address is heard again');
});

test('behind a TRUST_PROXY proxy each client address has its own window', async () => {
  const proxied = await startTestPlatform({ provisioning: minimalDoc(), env: { TRUST_PROXY: '127.0.0.1,::1' } });
  try {
    for (let i = 0; i < MAX_AUTH_FAILURES; i++) assert.equal((await handshake(CP, 'wrong', { on: proxied, forwardedFor: '203.0.113.7' })).status, 401);
    assert.equal((await handshake(CP, KEY, { on: proxied, forwardedFor: '203.0.113.7' })).status, 429);
    assert.equal((await handshake(CP, KEY, { on: proxied, forwardedFor: '203.0.113.8' })).status, 101, 'another charger behind the same proxy is not locked out');
  } finally {
    await proxied.close();
  }
});
