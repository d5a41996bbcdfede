import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from './index.ts';

test('a file-backed embedded database: its cluster is made by a child process, small shared buffers, reopened as is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chargeops-pglite-'));
  try {
    const data = join(dir, 'pg');
    const db = await openPglite({ dataDir: data });
    assert.ok(existsSync(join(data, 'PG_VERSION')));
    assert.equal((await db.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0].shared_buffers, '16MB');
    await db.exec('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await db.close();
    const again = await openPglite({ dataDir: data });
    assert.deepEqual((await again.query('SELECT n FROM kept')).rows, [{ n: 42 }]);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a DATA_DIR that cannot hold a cluster fails with a message naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chargeops-pglite-'));
  try {
    writeFileSync(join(dir, 'file'), 'x');
    await assert.rejects(openPglite({ dataDir: join(dir, 'file', 'pg') }), (e: Error) => e.message.includes(join(dir, 'file', 'pg')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
