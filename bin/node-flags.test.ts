import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from './node-flags.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));

test('npm start and the systemd unit run the server with the flags of bin/node-flags.mjs', () => {
  assert.ok(SERVER_NODE_FLAGS.length > 0);
  const start = JSON.parse(readFileSync(`${repo}/package.json`, 'utf8')).scripts.start as string;
  assert.equal(start, `node ${SERVER_NODE_FLAGS.join(' ')} bin/chargeops.mjs start`);
  const unit = readFileSync(`${repo}/deploy/chargeops.service`, 'utf8');
  assert.match(unit, new RegExp(`^ExecStart=/usr/local/bin/node ${SERVER_NODE_FLAGS.join(' ')} bin/chargeops\\.mjs start$`, 'm'));
});

test('this Node.js accepts the flags, and under them the young generation grows to 64 MiB a half (a busy allocator reaches it)', () => {
  // a sliding window of a million live objects: the scavenger sees most of the nursery survive and
  // grows it to its maximum (Node 20 and 22 stop at 16 MiB a half without the flag; Node 24 already
  // goes to 64 MiB by itself)
  const script = `const v8 = require('v8'); let max = 0; const keep = [];
    for (let i = 0; i < 6e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 1e6) keep.splice(0, 5e5);
      if (i % 1e5 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space').space_size); }
    process.stdout.write(String(max / 1048576));`;
  const r = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Number(r.stdout) >= 128, `new space reached ${r.stdout} MiB (two halves and the flags' 64 MiB each)`);
});
