/**
 * A run's export pages through its items by windows of ids within the run's id span (export.ts), over
 * both tables that hold items (recon_items and recon_matched): every item of the run exactly once and
 * in order, none of another run whose items were written in between, with and without the matched
 * ones — more items than a page.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import type { Db } from '../../platform/db/index.ts';
import { createRun } from './runs.ts';
import { csvExport } from './export.ts';

let db: Db;
before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
});
after(async () => db?.close());

const newRun = async () => (await createRun(db, { operatorId: 'op1', partnerId: '101437000', from: new Date('2026-08-01T00:00:00+08:00'), to: new Date('2026-09-01T00:00:00+08:00'), startedBy: 'test', source: 'statement' }))!;
/**
 * n items of a run: every 100th a difference, the rest matched, half of those in recon_matched (as the
 * database's match stores them, migration 0886); order numbers say run and number
 */
const addItems = async (run: number, from: number, n: number) => {
  await db.query(
    `INSERT INTO recon_items (run_id, operator_id, class, order_no, ours_wh, ours_fen, theirs_wh, theirs_fen)
     SELECT $1::int8, 'op1', CASE WHEN g % 100 = 0 THEN 'energy_mismatch' ELSE 'matched' END, $1::text || '-' || g, 1000, 100, 1000, 100
     FROM generate_series($2::int, $3::int) g WHERE g % 100 = 0 OR g % 2 = 1`,
    [run, from, from + n - 1],
  );
  await db.query(
    `INSERT INTO recon_matched (run_id, operator_id, order_no, start_charge_seq, ours_wh, ours_fen, theirs_wh, theirs_fen)
     SELECT $1::int8, 'op1', $1::text || '-' || g, 'S' || g, 1000, 100, 1000, 100 FROM generate_series($2::int, $3::int) g WHERE g % 100 <> 0 AND g % 2 = 0`,
    [run, from, from + n - 1],
  );
};
const exported = async (run: number, includeMatched: boolean) => {
  let text = '';
  for await (const c of csvExport(db, run, { includeMatched }, 'Asia/Shanghai')) text += c;
  return text.trim().split('\n').slice(1).map((l) => l.split(','));
};

test('an export holds every item of its run once, in order, and nothing of a run written in between', async () => {
  const a = await newRun();
  const b = await newRun();
  await addItems(a, 1, 12_000);
  await addItems(b, 1, 3_000);
  await addItems(a, 12_001, 11_000);
  const all = await exported(a, true);
  assert.equal(all.length, 23_000);
  const ids = all.map((r) => Number(r[0]));
  assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]), 'in id order');
  assert.deepEqual(new Set(all.map((r) => r[2])), new Set(Array.from({ length: 23_000 }, (_, i) => `${a}-${i + 1}`)));
  const diffs = await exported(a, false);
  assert.equal(diffs.length, 230);
  assert.ok(diffs.every((r) => r[1] === 'energy_mismatch'));
  assert.deepEqual(await exported(await newRun(), true), [], 'a run without items exports its header only');
});
