import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import type { Db } from '../../platform/db/index.ts';
import { maintainMeterPartitions, ensureMeterMonth, meterPartitions } from './partitions.ts';

let db: Db;
before(async () => {
  db = await testDb();
});
after(async () => db.close());

const sample = (receivedAt: string, value: string) =>
  db.query(
    `INSERT INTO meter_samples (operator_id, charger_id, connector_id, at, measurand, unit, value, received_at) VALUES ('op1', 'CPX', 1, $1, 'Energy.Active.Import.Register', 'Wh', $2, $1)`,
    [receivedAt, value],
  );
const where = async (value: string) => (await db.query<{ t: string }>(`SELECT tableoid::regclass::text AS t FROM meter_samples WHERE value = $1`, [value])).rows.map((r) => r.t.replace(/^.*\./, ''));

test('meter samples go into the partition of their UTC month; a missing month catches rows in the default partition and takes them in once created', async () => {
  // the database's clock, as received_at's default and the maintenance use
  const now = (await db.query<{ now: Date }>(`SELECT now() AS now`)).rows[0].now;
  await maintainMeterPartitions(db, now, 0);
  const month = `meter_samples_${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  await db.query(`INSERT INTO meter_samples (operator_id, charger_id, connector_id, at, measurand, unit, value) VALUES ('op1', 'CPX', 1, now(), 'SoC', 'Percent', 41)`);
  assert.deepEqual(await where('41'), [month]);
  // the server was down for months: March 2020 has no partition yet
  await sample('2020-03-15T10:00:00Z', '1001');
  assert.deepEqual(await where('1001'), ['meter_samples_default']);
  assert.equal(await ensureMeterMonth(db, 2020, 2), true);
  assert.deepEqual(await where('1001'), ['meter_samples_202003'], 'moved out of the default partition into its month');
  assert.equal(await ensureMeterMonth(db, 2020, 2), false, 'created once');
});

test('retention drops whole months older than it (DROP, not DELETE) and keeps the months within it', async () => {
  await ensureMeterMonth(db, 2021, 0);
  await sample('2021-01-31T23:59:59Z', '2001');
  await sample('2020-12-31T23:59:59Z', '2002'); // no partition: default
  const r = await maintainMeterPartitions(db, new Date('2023-01-10T00:00:00Z'), 24); // keeps 2021-01 onwards
  assert.ok(r.dropped.includes('meter_samples_202003'), JSON.stringify(r));
  assert.ok(!r.dropped.includes('meter_samples_202101'));
  assert.deepEqual(await where('1001'), []);
  assert.deepEqual(await where('2002'), [], 'old rows left in the default partition are deleted too');
  assert.deepEqual(await where('2001'), ['meter_samples_202101']);
  assert.ok(!(await meterPartitions(db)).includes('meter_samples_202003'));
  assert.ok((await meterPartitions(db)).includes('meter_samples_202302'), 'months ahead of "now" are created');
});
