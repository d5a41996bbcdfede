/**
 * Migration 0543: an order keeps whether its priced periods add up to its totals (reconciliation's
 * `anomaly` asks it of a month of orders at once). Computed by the database on every write.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import type { Db } from '../../platform/db/index.ts';

let db: Db;
before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
});
after(async () => db?.close());

const period = (wh: unknown, electricityFen: unknown, serviceFen: unknown) => ({ period: 'flat', wh, electricityFen, serviceFen });
let n = 0;
async function addsUp(periods: unknown, totals = { wh: 1000, elec: 70, serv: 80 }) {
  const no = `A${String(++n).padStart(19, '0')}`;
  await db.query(
    `INSERT INTO orders (operator_id, order_no, session_id, charger_id, connector_id, origin, auth_method, payment_method, status, start_time, end_time, energy_wh, electricity_fen, service_fen, total_fen, periods)
     VALUES ('op1', $1, $2, '44030700030000200001', 1, 'local', 'rfid', 'wallet', 'settled', now(), now(), $3, $4::int8, $5::int8, $4::int8 + $5::int8, $6)`,
    [no, 700_000 + n, totals.wh, totals.elec, totals.serv, periods === undefined ? null : JSON.stringify(periods)],
  );
  return { no, value: (await db.query<{ v: boolean }>(`SELECT periods_add_up AS v FROM orders WHERE order_no = $1`, [no])).rows[0].v };
}

test('an order keeps whether its periods add up to its totals; a write of new periods or totals recomputes it', async () => {
  assert.equal((await addsUp([])).value, true, 'no periods: nothing to disagree');
  assert.equal((await addsUp([period(600, 42, 48), period(400, 28, 32)])).value, true);
  assert.equal((await addsUp([period(600, 42, 48), period(401, 28, 32)])).value, false, 'energy one Wh off');
  assert.equal((await addsUp([period(600, 42, 48), period(400, 27, 32)])).value, false, 'electricity one fen off');
  assert.equal((await addsUp([period(600, 42, 48), period(400, 28, 33)])).value, false, 'service one fen off');
  assert.equal((await addsUp([period(600, 42, 48), period('400', 28, 32)])).value, false, 'a figure that is not a number');
  assert.equal((await addsUp([period(600, 42, 48), { period: 'peak', wh: 400, electricityFen: 28 }])).value, false, 'a figure missing');
  const { no } = await addsUp([period(600, 42, 48), period(400, 28, 32)]);
  await db.query(`UPDATE orders SET energy_wh = 1001 WHERE order_no = $1`, [no]);
  assert.equal((await db.query<{ v: boolean }>(`SELECT periods_add_up AS v FROM orders WHERE order_no = $1`, [no])).rows[0].v, false, 'a corrected total');
  await db.query(`UPDATE orders SET periods = $2 WHERE order_no = $1`, [no, JSON.stringify([period(601, 42, 48), period(400, 28, 32)])]);
  assert.equal((await db.query<{ v: boolean }>(`SELECT periods_add_up AS v FROM orders WHERE order_no = $1`, [no])).rows[0].v, true, 'corrected periods');
});
