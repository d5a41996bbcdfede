#!/usr/bin/env node
// Runs the benchmarks: every bench/<name>/index.ts, or only the named ones (`npm run bench -- ocpp`).
// Each runs in its own Node process through tsx, with the server's Node flags (bin/node-flags.mjs),
// and writes its figures to docs/performance.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from '../bin/node-flags.mjs';

const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const all = existsSync('bench') ? readdirSync('bench').filter((d) => existsSync(join('bench', d, 'index.ts'))).sort() : [];
const unknown = names.filter((n) => !all.includes(n));
if (unknown.length) {
  console.error(`no benchmark named ${unknown.join(', ')}; available: ${all.join(', ') || '(none)'}`);
  process.exit(2);
}
const run = names.length ? names : all;
let failed = 0;
for (const name of run) {
  console.log(`\n=== bench ${name} on Node ${process.version}`);
  const r = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', '--expose-gc', join('bench', name, 'index.ts'), ...process.argv.slice(2).filter((a) => a.startsWith('--'))], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
