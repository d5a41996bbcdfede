import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DB } from '../support/db.ts';
import { freePort } from '../payments/helpers.ts';

// `chargeops start` on the embedded database, as a person runs it: the demo logins get random
// passwords printed once; `chargeops reset-password USER` prints a new one.
const skip = TEST_DB === 'postgres' ? 'the embedded demo (chargeops start without DATABASE_URL) is covered by the PGlite pass' : false;
const root = new URL('../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'chargeops-demo-'));
const { NODE_TEST_CONTEXT: _ctx, ...parentEnv } = process.env;
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(port: number): Promise<{ out: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['bin/chargeops.mjs', 'start'], {
    cwd: root,
    env: { ...parentEnv, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', WEB_BUILD: 'off', LOG_LEVEL: 'warn', DEMO_SIMULATE: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  for (let i = 0; !/ChargeOps is running[\s\S]*\n\n/.test(out); i++) {
    if (child.exitCode !== null || i > 900) throw new Error(`chargeops start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    out: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const login = async (port: number, username: string, password: string) =>
  fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }));

test('the demo: random passwords printed once at the first start, none published; reset-password prints a fresh one', { skip }, async () => {
  const demo = readFileSync(join(root, 'examples/demo.json'), 'utf8');
  assert.doesNotMatch(demo, /"password"|"authKey"/, 'examples/demo.json carries no usable password or charger key');
  const port = await freePort();
  const first = await start(port);
  const printed = Object.fromEntries([...first.out().matchAll(/^ {4}(\S+) \/ (\S+) \((\w+)/gm)].map((m) => [m[1], m[2]]));
  assert.deepEqual(Object.keys(printed).sort(), ['admin', 'igo-admin', 'igo-staff']);
  for (const pw of Object.values(printed)) assert.ok(pw.length >= 20 && !/chargeops-admin|-pass$/.test(pw), pw);
  assert.equal((await login(port, 'igo-staff', 'igo-staff-pass')).status, 401, 'the old published password is gone');
  assert.equal((await login(port, 'admin', 'chargeops-admin')).status, 401);
  const staff = await login(port, 'igo-staff', printed['igo-staff']);
  assert.equal(staff.status, 200);
  // the simulated demo chargers got fresh keys of their own and connect
  let connected = 0;
  for (let i = 0; i < 100 && !connected; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/chargers`, { headers: { authorization: `Bearer ${staff.body.token}` } }).then((x) => x.json() as Promise<any>);
    connected = r.items.filter((c: any) => c.connected).length;
    if (!connected) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(connected > 0, 'demo chargers connect with their start-time keys');
  await first.stop();

  const reset = spawnSync(process.execPath, ['bin/chargeops.mjs', 'reset-password', 'igo-staff'], { cwd: root, env: { ...parentEnv, DATA_DIR: dataDir }, encoding: 'utf8' });
  assert.equal(reset.status, 0, reset.stderr);
  const fresh = /new password for igo-staff: (\S+)/.exec(reset.stdout)?.[1];
  assert.ok(fresh && fresh !== printed['igo-staff']);
  const none = spawnSync(process.execPath, ['bin/chargeops.mjs', 'reset-password', 'nobody'], { cwd: root, env: { ...parentEnv, DATA_DIR: dataDir }, encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no staff user nobody/);

  const second = await start(port);
  assert.match(second.out(), /passwords were printed at the first start/);
  for (const pw of Object.values(printed)) assert.ok(!second.out().includes(pw), 'printed once only');
  assert.equal((await login(port, 'igo-staff', printed['igo-staff'])).status, 401);
  assert.equal((await login(port, 'igo-staff', fresh!)).status, 200);
  assert.equal((await login(port, 'igo-admin', printed['igo-admin'])).status, 200, 'the others keep theirs');
  await second.stop();
});
