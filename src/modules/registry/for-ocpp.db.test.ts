import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import type { Db } from '../../platform/db/index.ts';
import { operatorForUnknownChargers } from './for-ocpp.ts';

let db: Db;
before(async () => (db = await testDb()));
after(async () => db.close());

test('who takes unknown chargers: an operator that opted in, else the only operator when the platform allows it, else nobody', async () => {
  assert.equal(await operatorForUnknownChargers(db, true), null, 'no operator at all');
  await db.query(`INSERT INTO operators (id, name) VALUES ('b', 'B')`);
  assert.equal(await operatorForUnknownChargers(db, false), null);
  assert.equal(await operatorForUnknownChargers(db, true), 'b', 'single-operator platform with ADMIT_UNKNOWN_CHARGERS');
  await db.query(`INSERT INTO operators (id, name) VALUES ('a', 'A')`);
  assert.equal(await operatorForUnknownChargers(db, true), null, 'several operators: the platform switch alone admits nobody');
  await db.query(`UPDATE operators SET settings = '{"admitUnknownChargers": true}' WHERE id IN ('a', 'b')`);
  assert.equal(await operatorForUnknownChargers(db, false), 'a', 'several opted in: the first by id');
});
