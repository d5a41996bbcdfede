#!/usr/bin/env node
// Runs the whole suite (README.md, "Tests"):
//   1. the dependency rules (dependency-cruiser, .dependency-cruiser.cjs; strict, no baseline);
//   2. every test on the embedded database (PGlite);
//   3. every test that touches a database again on the PostgreSQL server (TEST_DATABASE_URL, default
//      127.0.0.1:5432/test): the files under test/ and the *.db.test.ts files beside the code. Without
//      a server this pass is skipped (and listed as skipped), except with CI=true where it is required.
// `npm test -- ocpp` runs only the test files whose path contains "ocpp" (one at least must match);
// `--only pglite` / `--only postgres` runs one pass. The last line is always
// `N passed, N failed, N skipped`, counted by node:test in both passes, after the list of every
// skipped and every failed test by name.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { check as checkDependencyRules } from './deps.mjs';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const filter = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');
const ci = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const reporter = fileURLToPath(new URL('./test-reporter.mjs', import.meta.url));
const node = `Node ${process.version}`;

if (only && !['pglite', 'postgres'].includes(only)) {
  console.error(`--only takes pglite or postgres, not ${only}`);
  process.exit(2);
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (f === 'node_modules' || f.startsWith('.')) continue;
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const allFiles = ['src', 'test', 'scripts', 'bin'].flatMap((d) => walk(d)).sort();
let files = allFiles;
if (filter) {
  files = files.filter((f) => f.includes(filter));
  if (!files.length) {
    console.error(`no test file matches "${filter}" (the filter is a part of a path; ${allFiles.length} test files under src/, test/, scripts/, bin/)`);
    process.exit(1);
  }
  console.log(`${files.length} test file(s) match "${filter}"`);
}
const isDbTest = (f) => f.startsWith('test/') || f.endsWith('.db.test.ts');
const isBrowser = (f) => f.startsWith('test/browser/');

const passes = []; // { label, passed, failed, skipped, seconds }
const skippedList = []; // lines
const failedList = []; // lines
const tmp = mkdtempSync(join(tmpdir(), 'chargeops-test-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// Line numbers are left out: tsx hands node:test transformed sources, so they point nowhere useful.
const where = (e) => e.file ?? '?';
const testName = (e) => (e.file && e.nesting === 0 && (e.name.endsWith(e.file) || e.file.endsWith(e.name)) ? '(the file itself: it failed to load, crashed or exited early)' : e.name);

function run(label, list, env) {
  const events = join(tmp, `${passes.length}.jsonl`);
  console.log(`\n=== ${label} on ${node}: ${list.length} file(s)`);
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      '--import', 'tsx', '--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, '--test-timeout=240000',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      `--test-reporter=${reporter}`, `--test-reporter-destination=${events}`,
      ...list,
    ],
    // NODE_TEST_CONTEXT would make this runner a child of an outer node:test run (scripts/test-runner.test.ts).
    { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_TEST_CONTEXT: undefined, ...env } },
  );
  const seconds = (performance.now() - t0) / 1000;
  const lines = existsSync(events) ? readFileSync(events, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  const count = {};
  for (const e of lines) if (e.kind === 'count') count[e.key] = e.value;
  const out = { label, passed: count.pass ?? 0, failed: (count.fail ?? 0) + (count.cancelled ?? 0), skipped: (count.skipped ?? 0) + (count.todo ?? 0), seconds };
  for (const e of lines) {
    if (e.kind === 'count' || e.suite) continue;
    if (e.skip !== undefined || e.todo !== undefined) {
      const reason = e.skip ?? e.todo;
      skippedList.push(`[${label}] ${where(e)} › ${testName(e)} — ${e.todo !== undefined ? 'todo' : 'skipped'}: ${reason || '(no reason given)'}`);
      if (!reason) {
        failedList.push(`[${label}] ${where(e)} › ${testName(e)} — skipped without a reason: say why, e.g. { skip: 'needs the PostgreSQL server' }`);
        out.failed++;
      }
    } else if (e.kind === 'fail' && e.failureType !== 'subtestsFailed')
      failedList.push(`[${label}] ${where(e)} › ${testName(e)}${e.error ? ` — ${e.error}` : ''}`);
  }
  if (count.tests === undefined || (r.status !== 0 && out.failed === 0)) {
    failedList.push(`[${label}] the test runner ended with ${r.signal ?? `exit status ${r.status}`} without reporting its results${r.error ? ` (${r.error.message})` : ''}`);
    out.failed++;
  } else if (count.tests === 0) {
    failedList.push(`[${label}] no test ran in ${list.length} file(s)`);
    out.failed++;
  }
  passes.push(out);
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

// 1. Dependency rules: a new import cycle or reach-through fails the run with dependency-cruiser's message.
console.log(`=== dependency rules on ${node}`);
const d0 = performance.now();
let depsOk;
try {
  depsOk = checkDependencyRules();
} catch (e) {
  console.log(e.message);
  depsOk = false;
}
const depsSeconds = (performance.now() - d0) / 1000;
if (!depsOk) failedList.push('[dependency rules] new dependency violations (above): fix them, see docs/architecture.md "Dependency rules"');

// 2. and 3. The two database passes.
if (only !== 'postgres') run('PGlite (embedded)', files, { TEST_DB: 'pglite' });
if (only !== 'pglite') {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const shown = url.replace(/:[^:@/]*@/, ':***@');
  const dbFiles = files.filter((f) => isDbTest(f) && !isBrowser(f));
  if (dbFiles.length) {
    const ok = await postgresReachable(url);
    if (ok === true) run(`PostgreSQL server (${shown})`, dbFiles, { TEST_DB: 'postgres', TEST_DATABASE_URL: url });
    else if (ci) {
      console.log(`\nFAILED the PostgreSQL pass: no server answers at ${shown} (${ok}); with CI=true this pass is required.`);
      failedList.push(`[PostgreSQL server] no server answers at ${shown} (${ok}): CI=true requires the PostgreSQL pass (${dbFiles.length} database test files)`);
      passes.push({ label: 'PostgreSQL server', passed: 0, failed: 1, skipped: 0, seconds: 0 });
    } else {
      console.log(`\nSKIPPED the PostgreSQL pass: no server answers at ${shown} (${ok}). Start one or set TEST_DATABASE_URL.`);
      skippedList.push(`[PostgreSQL server] ${dbFiles.length} database test files not run: no server answers at ${shown} (${ok}); start one or set TEST_DATABASE_URL (CI=true requires it)`);
      passes.push({ label: 'PostgreSQL server', passed: 0, failed: 0, skipped: dbFiles.length, seconds: 0 });
    }
  }
}

// The dependency rules are not node:test tests: they add to the count only when they fail.
const total = { passed: 0, failed: depsOk ? 0 : 1, skipped: 0 };
console.log(`\n=== summary (${node}${ci ? ', CI' : ''})`);
console.log(`dependency rules: ${depsOk ? 'ok' : 'FAILED'} (${depsSeconds.toFixed(1)} s)`);
for (const p of passes) {
  for (const k of Object.keys(total)) total[k] += p[k];
  console.log(`${p.label}: ${p.passed} passed, ${p.failed} failed, ${p.skipped} skipped (${p.seconds.toFixed(1)} s)`);
}
if (skippedList.length) console.log(`\nskipped (${skippedList.length}):\n${skippedList.map((l) => `  - ${l}`).join('\n')}`);
if (failedList.length) console.log(`\nfailed (${failedList.length}):\n${failedList.map((l) => `  - ${l}`).join('\n')}`);
console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
