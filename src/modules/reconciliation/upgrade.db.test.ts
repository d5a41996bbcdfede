/**
 * Upgrading a database whose run was waiting for its connector + time pass when the new release
 * came: migration 0887 keeps each waiting item's place (its connector, from its only record, and the
 * same bucket the old release computed), and leaves the final items alone.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import { migrate } from '../../platform/db/migrate.ts';
import type { Db } from '../../platform/db/index.ts';

let db: Db;
before(async () => {
  db = await testDb({ upTo: '0886_recon_matched.sql' });
});
after(async () => db?.close());

const detail = (connector?: string) => JSON.stringify({ ours: [{ seq: 'S1', wh: 1000, totalFen: 150, ...(connector === undefined ? {} : { connector }) }], theirs: [], reasons: [] });

test('0887: an item waiting for the connector + time pass keeps its connector and its bucket; a final item stays final', async () => {
  const run = await db.query<{ id: string }>(
    `INSERT INTO recon_runs (operator_id, partner_id, period_from, period_to, source, started_by) VALUES ('op1', '101437000', '2026-08-01', '2026-09-01', 'statement', 'test') RETURNING id`,
  );
  const runId = run.rows[0].id;
  // as the release before 0887 stored them: the bucket computed from the connector, no connector kept
  const insert = (cls: string, conn: string | null, d: string) =>
    db.query(
      `INSERT INTO recon_items (run_id, operator_id, class, order_no, start_charge_seq, ours_wh, ours_fen, stake_fen, detail, hints, loose_bucket)
       VALUES ($1, 'op1', $2, 'O1', 'S1', 1000, 150, 150, $3::jsonb, $4::jsonb, CASE WHEN $5::text IS NOT NULL THEN abs(hashtext($5::text) % 1024) END) RETURNING id, loose_bucket`,
      [runId, cls, d, conn === null ? '[]' : null, conn],
    );
  const waiting = await insert('missing_at_partner', '44030700030000000003站\t01', detail('44030700030000000003站\t01'));
  const noConnector = await insert('missing_at_partner', '', detail());
  const final = await insert('missing_at_partner', null, detail('44030700030000000003'));
  const before = [waiting, noConnector, final].map((r) => r.rows[0]);
  assert.notEqual(before[0].loose_bucket, null);

  const applied = await migrate(db);
  assert.ok(applied.includes('0887_recon_items_loose_conn.sql'));

  const after = await db.query<{ id: string; loose_conn: string | null; loose_bucket: number | null }>(`SELECT id, loose_conn, loose_bucket FROM recon_items WHERE run_id = $1 ORDER BY id`, [runId]);
  assert.deepEqual(
    after.rows.map((r) => [String(r.id), r.loose_conn, r.loose_bucket]),
    [
      [String(before[0].id), '44030700030000000003站\t01', before[0].loose_bucket],
      [String(before[1].id), '', before[1].loose_bucket],
      [String(before[2].id), null, null],
    ],
  );
  // the loose pass finds its items through this index, by bucket
  const found = await db.query(`SELECT id FROM recon_items WHERE run_id = $1 AND loose_bucket BETWEEN $2 AND $2`, [runId, before[0].loose_bucket]);
  assert.ok(found.rows.some((r: { id: string }) => String(r.id) === String(before[0].id)));
});

test('migrate refuses to stop at a migration that does not exist', async () => {
  await assert.rejects(migrate(db, { upTo: '0886_no_such_migration.sql' }), /no migration is named 0886_no_such_migration\.sql/);
});
