/**
 * HTTP input limits (issue 11, points 15–16): bodies over HTTP_MAX_BODY_BYTES → 413, JSON nested
 * deeper than 64 → 400, NUL or lone surrogates in a body, query or path → 400 naming the field,
 * database errors → a generic message with a reference (never the database's text), never a 500
 * for bad input.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import type { Module } from '../../src/platform/context.ts';

// Routes that make the database fail the way bad input or a bug would.
const probe: Module = {
  name: 'db-error-probe',
  register(app, ctx) {
    app.get('/test/db/value', async (req) => (await ctx.db.query(`SELECT $1::bigint AS v`, [(req.query as { v: string }).v])).rows[0]);
    app.get('/test/db/conflict', async () => {
      await ctx.db.query(`INSERT INTO platform_settings (key, value) VALUES ('probe', '1')`);
      await ctx.db.query(`INSERT INTO platform_settings (key, value) VALUES ('probe', '1')`);
      return {};
    });
    app.get('/test/db/bug', async () => (await ctx.db.query(`SELECT secret_column FROM no_such_table`)).rows);
    app.post('/test/echo', async (req) => ({ ok: true, body: req.body }));
  },
};

let p: TestPlatform;
let admin: string;
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc(), env: { HTTP_MAX_BODY_BYTES: String(64 * 1024) }, extraModules: [probe] });
  admin = await p.login('op1-admin', 'op1-admin-pass');
});
after(async () => p.close());

const post = async (path: string, body: string, token = admin) => {
  const r = await fetch(p.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  return { status: r.status, body: (await r.json()) as any };
};

test('a body over HTTP_MAX_BODY_BYTES is 413 with a JSON error', async () => {
  const r = await post('/test/echo', JSON.stringify({ x: 'a'.repeat(70 * 1024) }));
  assert.equal(r.status, 413);
  assert.deepEqual(r.body.error.code, 'body_too_large');
  assert.match(r.body.error.message, /65536 bytes/);
  assert.equal((await post('/test/echo', JSON.stringify({ x: 'a'.repeat(60 * 1024) }))).status, 200);
});

test('JSON nested deeper than 64 levels is 400; 64 levels are fine', async () => {
  const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const deep = await post('/test/echo', `{"a":${nest(64)}}`);
  assert.equal(deep.status, 400);
  assert.equal(deep.body.error.code, 'json_too_deep');
  assert.equal((await post('/test/echo', `{"a":${nest(63)}}`)).status, 200);
  // thousands of levels: still a 400, not a crash
  assert.equal((await post('/test/echo', nest(30_000))).status, 400);
});

test('NUL or a lone surrogate in a JSON string, a query or a path is 400 naming the field', async () => {
  const nul = await post('/api/v1/auth/login', JSON.stringify({ username: 'op1-admin', password: 'x\u0000y' }), '');
  assert.equal(nul.status, 400);
  assert.equal(nul.body.error.code, 'invalid_text');
  assert.equal(nul.body.error.details.path, 'body.password');
  assert.match(nul.body.error.message, /body\.password contains a NUL character/);
  const deepNul = await post('/test/echo', JSON.stringify({ a: [{ b: 'ok' }, { c: 'bad\u0000' }] }));
  assert.equal(deepNul.body.error.details.path, 'body.a[1].c');
  const sur = await post('/test/echo', '{"name":"\\ud800"}');
  assert.equal(sur.status, 400);
  assert.match(sur.body.error.message, /body\.name contains an unpaired surrogate/);
  const q = await p.api('GET', '/api/v1/sessions?chargerId=%00x', undefined, admin);
  assert.equal(q.status, 400);
  assert.equal(q.body.error.details.path, 'query.chargerId');
  const undecodable = await p.api('GET', '/api/v1/chargers/%E0%A4%A/messages', undefined, admin);
  assert.deepEqual([undecodable.status, undecodable.body.error.code], [400, 'bad_url']);
  const path = await p.api('GET', '/api/v1/chargers/AB%00CD/messages', undefined, admin);
  assert.equal(path.status, 400);
  assert.match(path.body.error.details.path, /^params\./);
});

test('database errors: a generic message with a reference, never the database text, never a 500 for bad input', async () => {
  const v = await p.api('GET', '/test/db/value?v=1e30', undefined, admin);
  assert.equal(v.status, 400);
  assert.equal(v.body.error.code, 'invalid_value');
  const c = await p.api('GET', '/test/db/conflict', undefined, admin);
  assert.equal(c.status, 409);
  const bug = await p.api('GET', '/test/db/bug', undefined, admin);
  assert.equal(bug.status, 500);
  for (const r of [v, c, bug]) {
    assert.match(r.body.error.message, /reference [0-9a-f]{8}/);
    assert.doesNotMatch(JSON.stringify(r.body), /bigint|duplicate|platform_settings|no_such_table|secret_column|relation|syntax/i);
  }
});
