import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeSupport, SUPPORTED, RECOMMENDED } from './node-support.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));

test('Node.js below the support matrix is refused, with the supported and the recommended versions named', () => {
  for (const v of ['18.20.4', '20.0.0', '20.18.3', 'v20.18.0', '21.7.3', '22.0.0', '22.11.0', '23.11.1', '16.20.2']) {
    const r = nodeSupport(v);
    assert.equal(r.ok, false, v);
    assert.match(r.message!, new RegExp(`this is Node\\.js v${v.replace(/^v/, '').replace(/\./g, '\\.')}\\.`), v);
    assert.match(r.message!, /Node\.js 24 LTS \(recommended\), 22\.12 or later 22\.x, or 20\.19 or later 20\.x/, v);
    assert.match(r.message!, /Install Node\.js 24/, v);
  }
  const junk = nodeSupport('not-a-version');
  assert.equal(junk.ok, false);
  assert.match(junk.message!, /cannot tell which Node\.js/);
});

test('Node.js 20.19+, 22.12+ and 24+ run; Node 20 gets an end-of-life warning, 22 and 24 none', () => {
  for (const v of ['20.19.0', '20.20.2', 'v20.19.1']) {
    const r = nodeSupport(v);
    assert.equal(r.ok, true, v);
    assert.match(r.warning!, /Node\.js 20 reached its end of life in April 2026.*Node\.js 24 LTS is recommended/, v);
  }
  for (const v of ['22.12.0', '22.23.3', '24.0.0', '24.21.0', '26.1.0']) assert.deepEqual(nodeSupport(v), { ok: true }, v);
  assert.equal(nodeSupport(process.versions.node).ok, true, 'the Node running this test is supported');
});

test('the matrix is stated once: package.json engines, .nvmrc and the check agree', () => {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  assert.equal(pkg.engines.node, SUPPORTED);
  assert.equal(readFileSync(join(repo, '.nvmrc'), 'utf8').trim(), String(RECOMMENDED));
  const unit = readFileSync(join(repo, 'deploy/chargeops.service'), 'utf8');
  assert.match(unit, new RegExp(`Node\\.js ${RECOMMENDED}`));
});

test('the chargeops CLI refuses an unsupported Node before loading anything (exit 3, message on stderr)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chargeops-node-'));
  try {
    const fake = join(dir, 'old-node.mjs');
    writeFileSync(fake, `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.18.1' } });\n`);
    const r = spawnSync(process.execPath, ['--import', fake, join(repo, 'bin/chargeops.mjs'), 'migrate'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/never' } });
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^ChargeOps needs Node\.js 24 LTS \(recommended\), 22\.12 or later 22\.x, or 20\.19 or later 20\.x; this is Node\.js v20\.18\.1\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
