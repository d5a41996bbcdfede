#!/usr/bin/env node
// Runs the whole suite: every test on the embedded database (PGlite), then every test that touches
// a database again on the PostgreSQL server (TEST_DATABASE_URL, default 127.0.0.1:5432/test).
// Database tests are the ones under test/ and the *.db.test.ts files beside the code.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const filter = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');

function walk(dir, out = []) {
  for (const f of readdirSync(dir)) {
    if (f === 'node_modules' || f.startsWith('.')) continue;
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
let files = [...walk('src'), ...walk('test')].sort();
if (filter) files = files.filter((f) => f.includes(filter));
const isDbTest = (f) => f.startsWith('test/') || f.endsWith('.db.test.ts');
const isBrowser = (f) => f.startsWith('test/browser/');

function run(label, list, env) {
  if (!list.length) return { pass: 0, fail: 0 };
  console.log(`\n=== ${label}: ${list.length} file(s)`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', '--test-reporter=spec', ...list],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  process.stdout.write(r.stdout);
  const num = (k) => Number((r.stdout.match(new RegExp(`ℹ ${k} (\\d+)`)) ?? [])[1] ?? 0);
  const out = { pass: num('pass'), fail: num('fail') + (r.status !== 0 && num('fail') === 0 ? 1 : 0) };
  return out;
}

async function postgresReachable(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch (e) {
    return e.message;
  }
}

const totals = { pass: 0, fail: 0, skipped: 0 };
const add = (r) => ((totals.pass += r.pass), (totals.fail += r.fail));
if (only !== 'postgres') add(run('PGlite (embedded)', files, { TEST_DB: 'pglite' }));
if (only !== 'pglite') {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const ok = await postgresReachable(url);
  const dbFiles = files.filter((f) => isDbTest(f) && !isBrowser(f));
  if (ok === true) add(run(`PostgreSQL server (${url.replace(/:[^:@/]*@/, ':***@')})`, dbFiles, { TEST_DB: 'postgres', TEST_DATABASE_URL: url }));
  else {
    console.log(`\nSKIPPED the PostgreSQL pass: no server answers at ${url} (${ok}). Start one or set TEST_DATABASE_URL.`);
    totals.skipped += dbFiles.length;
  }
}
console.log(`\n${totals.pass} passed, ${totals.fail} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.fail > 0 ? 1 : 0);
