import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// scripts/test.mjs on a small tree of fixture tests: what it counts, lists and exits with.
const repo = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
const NO_SERVER = 'postgres://nobody@127.0.0.1:1/none';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'chargeops-runner-'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'test'));
  writeFileSync(
    join(dir, 'src/mixed.test.ts'),
    `import { test } from 'node:test';
import assert from 'node:assert/strict';
test('adds up', () => assert.equal(1 + 1, 2));
test('needs a printer', { skip: 'no printer here' }, () => {});
test('skipped for no stated reason', { skip: true }, () => {});
test('decides at run time', (t) => t.skip('not today'));
test('one day', { todo: 'write it' }, () => {});
test('is wrong', () => assert.equal(1 + 1, 3, 'one and one make two'));
`,
  );
  writeFileSync(join(dir, 'test/db.test.ts'), `import { test } from 'node:test';\ntest('talks to a database', () => {});\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function runner(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [join(repo, 'scripts/test.mjs'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, CI: undefined, TEST_DATABASE_URL: NO_SERVER, ...env },
  });
  const lines = r.stdout.trimEnd().split('\n');
  return { status: r.status, out: r.stdout, err: r.stderr, last: lines[lines.length - 1] };
}

test('the last line counts both passes; every skipped and failed test is listed by name; a skip needs a reason', () => {
  const r = runner([]);
  assert.equal(r.status, 1, r.out);
  // 2 passes of node:test: PGlite ran 2 files (adds up, talks to a database pass); the PostgreSQL pass had no server (1 file skipped).
  assert.equal(r.last, '2 passed, 2 failed, 5 skipped');
  assert.match(r.out, /src\/mixed\.test\.ts › needs a printer — skipped: no printer here/);
  assert.match(r.out, /src\/mixed\.test\.ts › decides at run time — skipped: not today/);
  assert.match(r.out, /src\/mixed\.test\.ts › one day — todo: write it/);
  assert.match(r.out, /src\/mixed\.test\.ts › skipped for no stated reason — skipped without a reason/);
  assert.match(r.out, /src\/mixed\.test\.ts › is wrong — one and one make two/);
  assert.match(r.out, /\[PostgreSQL server\] 1 database test files not run: no server answers at postgres:\/\/nobody@127\.0\.0\.1:1\/none/);
  assert.match(r.out, /=== PGlite \(embedded\) on Node v\d+\.\d+\.\d+: 2 file\(s\)/);
});

test('with CI=true the PostgreSQL pass is required: no server is a failure, not a skip', () => {
  const r = runner(['db'], { CI: 'true' });
  assert.equal(r.status, 1, r.out);
  assert.equal(r.last, '1 passed, 1 failed, 0 skipped');
  assert.match(r.out, /CI=true requires the PostgreSQL pass/);
  const local = runner(['db']);
  assert.equal(local.status, 0, local.out);
  assert.equal(local.last, '1 passed, 0 failed, 1 skipped');
});

test('a filter that matches no test file fails and says so', () => {
  const r = runner(['no-such-thing']);
  assert.equal(r.status, 1);
  assert.match(r.err, /no test file matches "no-such-thing"/);
});
