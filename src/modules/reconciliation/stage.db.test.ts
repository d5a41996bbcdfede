/**
 * The partner's side of a run as stored (migration 0882): COPY and the INSERT fallback keep every
 * field as it was (text that COPY must escape, absent fields), the database's bucket is the one
 * orders.seqBucketSql gives (the two sides of a partition meet), and a run's rows need their run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import type { Db, Queryable } from '../../platform/db/index.ts';
import { seqBucketSql } from '../orders/index.ts';
import type { Rec } from './match.ts';
import { createRun } from './runs.ts';
import { BUCKETS, dropStagedOfFinishedRuns, stagedRows, stageRows, stager } from './stage.ts';

const FROM = new Date('2026-08-01T00:00:00+08:00');
const TO = new Date('2026-09-01T00:00:00+08:00');
let db: Db;
before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
});
after(async () => db?.close());

const newRun = () => db.tx(async (q) => (await createRun(q, { operatorId: 'op1', partnerId: '101437000', from: FROM, to: TO, startedBy: 'test', source: 'statement' }))!);
/** The same database without COPY: stageRows falls back to INSERT. */
const withoutCopy = (q: Queryable): Queryable => ({ query: (t, p) => q.query(t, p), exec: (t) => q.exec(t) });

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('a\tb', 'c\\d', 'e\nf', 'g\rh', '\\N', '\\', '站\t点', ' x '));
const rec = fc
  .record(
    {
      seq: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,30}$/), { nil: undefined }),
      connector: fc.option(text, { nil: undefined }),
      startMs: fc.option(fc.integer({ min: 0, max: 2 ** 41 }), { nil: undefined }),
      endMs: fc.option(fc.integer({ min: 0, max: 2 ** 41 }), { nil: undefined }),
      wh: fc.integer({ min: -1e9, max: 1e9 }),
      elecFen: fc.option(fc.integer({ min: -1e9, max: 1e9 }), { nil: undefined }),
      serviceFen: fc.option(fc.integer({ min: -1e9, max: 1e9 }), { nil: undefined }),
      totalFen: fc.integer({ min: -1e9, max: 1e9 }),
    },
    { requiredKeys: ['wh', 'totalFen'] },
  )
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as Rec);

const staged = async (id: number) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM recon_statement_rows WHERE run_id = $1`, [id])).rows[0].n);
/** rows written through a stager in chunks of `size` (the last one shorter) */
async function throughStager(q: Queryable, id: number, rows: Rec[], size: number) {
  const s = stager(q, id);
  for (let k = 0; k < rows.length; k += size) await s.write(rows.slice(k, k + size));
  await s.close();
}

test('property: staged rows read back exactly as they were, through COPY, through the INSERT fallback and through a stager in chunks', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(rec, { minLength: 1, maxLength: 30 }), fc.constantFrom('copy', 'insert', 'stager', 'stager-insert'), fc.integer({ min: 1, max: 8 }), async (rows, how, size) => {
      const id = await newRun();
      await db.tx((q) =>
        how === 'copy' ? stageRows(q, id, rows) : how === 'insert' ? stageRows(withoutCopy(q), id, rows) : throughStager(how === 'stager' ? q : withoutCopy(q), id, rows, size),
      );
      const back = await stagedRows(db, id, { lo: 0, hi: BUCKETS - 1 }, false);
      const loose = await stagedRows(db, id, { lo: 0, hi: BUCKETS - 1 }, true);
      const got = [...back, ...loose].sort((a, b) => a.row! - b.row!);
      assert.deepEqual(
        got,
        rows.map((r, i) => ({ ...r, row: i + 1 })),
      );
    }),
    { numRuns: 40 },
  );
});

test('a stager closed with abort stores nothing of what it took, and its transaction goes on', async () => {
  const id = await newRun();
  await db.tx(async (q) => {
    const s = stager(q, id);
    await s.write([{ seq: 'A1', wh: 1, totalFen: 1 }]);
    await s.close(true);
    await stageRows(q, id, [{ seq: 'B1', wh: 2, totalFen: 2 }]);
  });
  const back = await stagedRows(db, id, { lo: 0, hi: BUCKETS - 1 }, false);
  assert.deepEqual(back.map((r) => r.seq), ['B1']);
});

test("a stager whose rows the database refuses says so when it is closed, and nothing is stored", async () => {
  await assert.rejects(
    db.tx(async (q) => {
      const s = stager(q, 999_999);
      await s.write([{ seq: 'X1', wh: 1, totalFen: 1 }]);
      await s.close();
    }),
    (e: Error & { code?: string }) => e.code === '23503',
  );
  assert.equal(await staged(999_999), 0);
});

test("the database's bucket of a staged row is orders.seqBucketSql of its StartChargeSeq (or connector)", async () => {
  const id = await newRun();
  const rows: Rec[] = Array.from({ length: 500 }, (_, i) => (i % 5 ? { seq: `101437000${String(i * 7919).padStart(18, '0')}`, wh: 1, totalFen: 1 } : { connector: `4403070003000020001${i % 10}01`, wh: 1, totalFen: 1 }));
  await db.tx((q) => stageRows(q, id, rows));
  const r = await db.query<{ bucket: number; want: number }>(
    `SELECT bucket, ${seqBucketSql(`coalesce(seq, connector, '')`, BUCKETS)} AS want FROM recon_statement_rows WHERE run_id = $1`,
    [id],
  );
  assert.equal(r.rows.length, 500);
  assert.ok(new Set(r.rows.map((x) => x.bucket)).size > 100, 'spread over the buckets');
  for (const x of r.rows) assert.equal(x.bucket, x.want);
});

test('staged rows and items need their run; deleting a run takes them along', async () => {
  for (const q of [(x: Queryable) => x, withoutCopy]) {
    await assert.rejects(
      db.tx((t) => stageRows(q(t), 999_999, [{ seq: 'X1', wh: 1, totalFen: 1 }])),
      (e: Error & { code?: string }) => e.code === '23503',
    );
  }
  await assert.rejects(
    db.query(`INSERT INTO recon_items (run_id, operator_id, class) VALUES (999999, 'op1', 'matched')`),
    (e: Error & { code?: string }) => e.code === '23503',
  );
  const id = await newRun();
  await db.tx((q) => stageRows(q, id, [{ seq: 'X1', wh: 1, totalFen: 1 }]));
  await db.query(`INSERT INTO recon_items (run_id, operator_id, class) VALUES ($1, 'op1', 'matched')`, [id]);
  await db.query(`INSERT INTO recon_matched (run_id, operator_id, order_no, start_charge_seq, ours_wh, ours_fen, theirs_wh, theirs_fen) VALUES ($1, 'op1', 'O1', 'X1', 1, 1, 1, 1)`, [id]);
  const before = await db.query<{ n: number }>(`SELECT count(*) AS n FROM recon_items_all WHERE run_id = $1`, [id]);
  assert.equal(Number(before.rows[0].n), 2);
  await db.query(`DELETE FROM recon_runs WHERE id = $1`, [id]);
  const left = await db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM recon_items WHERE run_id = $1) + (SELECT count(*) FROM recon_matched WHERE run_id = $1) + (SELECT count(*) FROM recon_statement_rows WHERE run_id = $1) AS n`,
    [id],
  );
  assert.equal(Number(left.rows[0].n), 0);
});

test('a run with its result whose staged rows were left (a stop between the two) loses them at the next start; running and failed runs keep theirs', async () => {
  const runs = { open: await newRun(), closed: await newRun(), running: await newRun(), failed: await newRun() };
  for (const [status, id] of Object.entries(runs)) {
    await db.tx((q) => stageRows(q, id, [{ seq: `S${id}`, wh: 1, totalFen: 1 }, { connector: 'c1', startMs: 1, wh: 2, totalFen: 2 }]));
    await db.query(`UPDATE recon_runs SET status = $2 WHERE id = $1`, [id, status]);
  }
  assert.equal(await dropStagedOfFinishedRuns(db), 4);
  assert.deepEqual([await staged(runs.open), await staged(runs.closed), await staged(runs.running), await staged(runs.failed)], [0, 0, 2, 2]);
  assert.equal(await dropStagedOfFinishedRuns(db), 0, 'a second pass finds nothing');
});
