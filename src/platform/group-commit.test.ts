import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from './group-commit.ts';

test('items written while a batch is in flight share the next batch; each gets its own result', async () => {
  const batches: number[][] = [];
  const g = new GroupCommit<number, number>({
    writeBatch: async (xs) => {
      batches.push(xs);
      await new Promise((r) => setTimeout(r, 10));
      return xs.map((x) => x * 2);
    },
    maxBatch: 100,
    parallel: 1,
    onBatchError: 'fail-all',
  });
  const out = await Promise.all([1, 2, 3, 4, 5].map((x) => g.write(x)));
  assert.deepEqual(out, [2, 4, 6, 8, 10]);
  assert.ok(batches.length < 5, `group commit wrote ${batches.length} batches for 5 items`);
  await g.drain();
});

test("'fail-all' rejects the whole batch; 'one-by-one' fails only the bad item", async () => {
  const writeBatch = async (xs: number[]) => {
    if (xs.includes(13)) throw new Error('bad item');
    return xs;
  };
  const errors: number[] = [];
  const all = new GroupCommit<number, number>({ writeBatch, maxBatch: 10, parallel: 1, onBatchError: 'fail-all', onError: (_e, n) => errors.push(n) });
  const a = await Promise.allSettled([1, 13, 2].map((x) => all.write(x)));
  assert.deepEqual(a.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  assert.deepEqual(errors, [3]);
  const one = new GroupCommit<number, number>({ writeBatch, maxBatch: 10, parallel: 1, onBatchError: 'one-by-one' });
  const b = await Promise.allSettled([1, 13, 2].map((x) => one.write(x)));
  assert.deepEqual(b.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
});
