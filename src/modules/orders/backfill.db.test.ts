/**
 * Migration 0541: sessions from before the durable pipeline get their session.settle jobs once
 * (finished without an order, idle orders, still running), and running it again adds nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import type { Db } from '../../platform/db/index.ts';

const sql = readFileSync(new URL('./migrations/0541_settle_jobs_backfill.sql', import.meta.url), 'utf8');
let db: Db;
before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
});
after(async () => db.close());

test('the backfill writes the jobs the sweep would have covered, once', async () => {
  const ins = async (status: string, extra = '') =>
    (
      await db.query<{ id: number }>(
        `INSERT INTO sessions (operator_id, station_id, charger_id, connector_id, origin, meter_start_wh, started_at, status${extra ? ', stopped_at, meter_stop_wh, stop_received_at' : ''})
         VALUES ('op1', 's1', '44030700030000200016', 1, 'charger', 0, '2026-01-01T00:00:00Z', $1${extra ? `, ${extra}` : ''}) RETURNING id`,
        [status],
      )
    ).rows[0].id;
  const finished = await ins('finished', `'2026-01-01T01:00:00Z', 1000, '2026-01-01T01:00:00Z'`);
  const idle = await ins('finished', `'2026-01-01T02:00:00Z', 1000, '2026-01-01T02:00:00Z'`);
  await db.query(`INSERT INTO orders (operator_id, order_no, session_id, charger_id, connector_id, origin, auth_method, payment_method, status, start_time, end_time) VALUES ('op1', '20260101080000000001', $1, '44030700030000200016', 1, 'charger', 'card', 'card', 'idle', now(), now())`, [idle]);
  const running = await ins('active');
  await db.query(`DELETE FROM outbox WHERE topic = 'session.settle'`);
  await db.exec(sql);
  await db.exec(sql);
  const rows = (await db.query<{ dedupe_key: string; payload: any }>(`SELECT dedupe_key, payload FROM outbox WHERE topic = 'session.settle' ORDER BY dedupe_key`)).rows;
  assert.deepEqual(
    rows.map((r) => [r.payload.sessionId, r.payload.cause]).sort((a, b) => Number(a[0]) - Number(b[0])),
    [
      [finished, 'stop'],
      [idle, 'idle_limit'],
      [running, 'stale'],
    ],
  );
  assert.ok(rows.every((r) => r.payload.operatorId === 'op1'));
});
