import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/platform/log.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/index.ts';
import { peekDriverCode } from '../../src/modules/web/driver-auth.ts';
import { LOGIN_MAX_FAILURES } from '../../src/platform/auth/login-throttle.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { testDb } from '../support/db.ts';
import { minimalDoc } from '../fixtures/minimal.ts';

const lines: string[] = [];
const clock = new FakeClock('2026-03-02T02:00:00Z', { ticking: true });
let db: Db;
let p: TestPlatform;
let behindProxy: TestPlatform;

before(async () => {
  db = await testDb();
  p = await startTestPlatform({ db, provisioning: minimalDoc(), clock, log: createLogger('info', { write: (l: string) => void lines.push(l) }) });
  // a second node on the same database, behind a proxy at 127.0.0.1 whose X-Forwarded-For it believes
  behindProxy = await startTestPlatform({ db, clock, env: { TRUST_PROXY: '127.0.0.1' } });
});
after(async () => {
  await behindProxy?.close();
  await p?.close();
  await db?.close();
});

const login = (base: string, username: string, password: string, forwardedFor?: string) =>
  fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ username, password }),
  }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as any }));

test('10 failed logins for one username from one address → 429 with Retry-After until the window passes; other addresses and users are unaffected', async () => {
  for (let i = 0; i < LOGIN_MAX_FAILURES; i++) assert.equal((await login(p.url, 'op1-staff', `wrong-${i}`)).status, 401, `attempt ${i + 1}`);
  const blocked = await login(p.url, 'op1-staff', 'op1-staff-pass');
  assert.equal(blocked.status, 429, 'even the right password waits');
  assert.equal(blocked.body.error.code, 'too_many_attempts');
  const wait = Number(blocked.retryAfter);
  assert.ok(wait > 14 * 60 && wait <= 15 * 60, `Retry-After ${blocked.retryAfter}`);
  // the count is in the database: another node answers the same for the same address
  assert.equal((await login(behindProxy.url, 'op1-staff', 'op1-staff-pass', '127.0.0.1')).status, 429);
  // another client address (through the trusted proxy) and another user are not blocked
  assert.equal((await login(behindProxy.url, 'op1-staff', 'op1-staff-pass', '198.51.100.7')).status, 200);
  assert.equal((await login(p.url, 'op1-admin', 'op1-admin-pass')).status, 200);
  // the fake clock also ticks with real time, and a loaded machine spends seconds on the logins above:
  // a minute short of the window leaves room for that, then a minute past it
  await clock.advance(wait * 1000 - 60_000);
  assert.equal((await login(p.url, 'op1-staff', 'op1-staff-pass')).status, 429, 'not before the window passes');
  await clock.advance(61_000);
  const ok = await login(p.url, 'op1-staff', 'op1-staff-pass');
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  // a success forgets the failures of that pair
  assert.equal((await p.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM login_failures WHERE username = 'op1-staff' AND client_ip = '127.0.0.1'`)).rows[0].n, 0);
});

test('an unknown username gets the same answers as a wrong password, and is throttled the same way', async () => {
  const unknown = await login(p.url, 'nobody-here', 'whatever-password');
  const wrong = await login(p.url, 'op1-admin', 'whatever-password');
  assert.equal(unknown.status, 401);
  assert.deepEqual(unknown.body, wrong.body);
  for (let i = 1; i < LOGIN_MAX_FAILURES; i++) await login(p.url, 'nobody-here', 'x');
  const blocked = await login(p.url, 'nobody-here', 'x');
  assert.equal(blocked.status, 429);
  assert.ok(Number(blocked.retryAfter) > 0);
  await clock.advance(15 * 60_000 + 1000);
});

test('X-Forwarded-For is believed only from TRUST_PROXY: a client cannot dodge the limit by inventing addresses', async () => {
  for (let i = 0; i < LOGIN_MAX_FAILURES; i++) assert.equal((await login(p.url, 'op1-admin', 'bad', `203.0.113.${i}`)).status, 401);
  assert.equal((await login(p.url, 'op1-admin', 'bad', '203.0.113.200')).status, 429, 'the invented addresses were ignored');
  await clock.advance(15 * 60_000 + 1000);
  // the H5 code limit per address uses the same client address
  const codes = async (base: string, xff: (i: number) => string) => {
    for (let i = 0; i < 40; i++) {
      const r = await fetch(`${base}/api/v1/driver-auth/code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': xff(i) },
        body: JSON.stringify({ operatorId: 'op1', phone: `1570000${String(i).padStart(4, '0')}` }),
      });
      if (r.status === 429) return i;
    }
    return 40;
  };
  assert.equal(await codes(p.url, (i) => `198.18.0.${i}`), 30, 'spoofed X-Forwarded-For does not reset the per-address limit');
  await clock.advance(3600_000 + 1000);
});

test('one-time codes: stored hashed; never in an outbox row, the sent list, a log line or any API answer to any role', async () => {
  const phone = '18475511853';
  const sent = await p.api('POST', '/api/v1/driver-auth/code', { operatorId: 'op1', phone });
  assert.equal(sent.status, 200);
  const code = peekDriverCode('op1', phone)!;
  assert.match(code, /^\d{6}$/);
  const answers: unknown[] = [sent.body];
  await p.ctx.outbox.drain();
  const stored = await p.ctx.db.query<{ dump: string }>(
    `SELECT (SELECT coalesce(string_agg(payload::text || coalesce(last_error, '') || coalesce(result::text, ''), ''), '') FROM outbox)
         || (SELECT coalesce(string_agg(text || data::text, ''), '') FROM notifications_sent)
         || (SELECT coalesce(string_agg(code_hash, ''), '') FROM driver_login_codes) AS dump`,
  );
  assert.ok(!stored.rows[0].dump.includes(code), 'no code in clear at rest');
  const tokens = { root: await p.login('root', 'root-password'), admin: await p.login('op1-admin', 'op1-admin-pass'), staff: await p.login('op1-staff', 'op1-staff-pass') };
  for (const [who, t] of Object.entries(tokens)) {
    for (const path of ['/api/v1/outbox?limit=200', '/api/v1/notifications/sent?limit=500', `/api/v1/drivers/${phone}`]) {
      const r = await p.api('GET', path + (who === 'root' ? (path.includes('?') ? '&' : '?') + 'operatorId=op1' : ''), undefined, t);
      assert.ok(r.status < 500, `${who} ${path}`);
      answers.push(r.body);
    }
  }
  const shown = await p.api('GET', '/api/v1/notifications/sent?event=login_code', undefined, tokens.admin);
  assert.match(shown.body.items[0].text, /\*{6}/, 'the list shows the SMS masked');
  const loggedIn = await p.api('POST', '/api/v1/driver-auth/login', { operatorId: 'op1', phone, code });
  assert.equal(loggedIn.status, 200);
  answers.push(loggedIn.body);
  for (const a of answers) assert.ok(!JSON.stringify(a).includes(code), JSON.stringify(a).slice(0, 300));
  assert.ok(!lines.join('\n').includes(code), 'no code in the log');
  assert.ok(lines.some((l) => l.includes('staff login failed')), 'the log was captured');
});

test('OTP_LOG_CODES=true (the embedded demo only) writes the code to the log', async () => {
  const demoLines: string[] = [];
  const demo = await startTestPlatform({ provisioning: minimalDoc(), env: { OTP_LOG_CODES: 'true' }, log: createLogger('info', { write: (l: string) => void demoLines.push(l) }) });
  try {
    assert.equal((await demo.api('POST', '/api/v1/driver-auth/code', { operatorId: 'op1', phone: '13800000003' })).status, 200);
    const code = peekDriverCode('op1', '13800000003')!;
    assert.ok(demoLines.some((l) => l.includes(code) && l.includes('OTP_LOG_CODES')));
  } finally {
    await demo.close();
  }
});
