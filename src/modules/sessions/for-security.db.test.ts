import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import type { Db } from '../../platform/db/index.ts';
import { registerReadings, unpackReadings } from './for-security.ts';

let db: Db;
before(async () => {
  db = await testDb();
});
after(async () => db.close());

const add = (at: string, connectorId: number, sessionId: number | null, value: string, extra: { measurand?: string; phase?: string; unit?: string; chargerId?: string } = {}) =>
  db.query(`INSERT INTO meter_samples (operator_id, session_id, charger_id, connector_id, at, measurand, phase, unit, value) VALUES ('op1', $1, $2, $3, $4, $5, $6, $7, $8)`, [
    sessionId,
    extra.chargerId ?? 'CPR',
    connectorId,
    at,
    extra.measurand ?? 'Energy.Active.Import.Register',
    extra.phase ?? null,
    extra.unit ?? 'Wh',
    value,
  ]);

test('packed register pages give what one row per reading gave: order (at, id), the instant as the driver’s Date, rounded Wh, no session as NaN', async () => {
  // same instant twice (id breaks the tie, across a page boundary), microseconds, decimals, a huge register, before 1970
  await add('2026-01-01T00:00:00.000Z', 1, 7, '100');
  await add('2026-01-01T00:00:00.000Z', 2, null, '200.5');
  await add('2026-01-01T00:00:00.000Z', 1, 7, '101');
  await add('2026-01-01T00:00:01.123456Z', 1, 7, '102.49');
  await add('2026-01-01T00:00:02.999999Z', 0, null, '123456789012345678');
  await add('1969-12-31T23:59:59.500Z', 1, null, '-3.5');
  await add('2026-01-01T00:00:03Z', 1, 7, '999');
  // not the phase-less Wh register of this charger: left out
  await add('2026-01-01T00:00:01Z', 1, 7, '5', { measurand: 'Power.Active.Import', unit: 'W' });
  await add('2026-01-01T00:00:01Z', 1, 7, '5', { phase: 'L1' });
  await add('2026-01-01T00:00:01Z', 1, 7, '5', { chargerId: 'CPOTHER' });
  const from = new Date('1960-01-01T00:00:00Z');
  const to = new Date('2027-01-01T00:00:00Z');
  const rows = (
    await db.query<{ session_id: number | null; connector_id: number; at: Date; value: string }>(
      `SELECT session_id, connector_id, at, value::text AS value FROM meter_samples WHERE charger_id = 'CPR' AND measurand = 'Energy.Active.Import.Register' AND phase IS NULL AND unit = 'Wh' ORDER BY at, id`,
    )
  ).rows;
  const expected = rows.map((r) => ({ at: r.at.getTime(), connectorId: r.connector_id, sessionId: r.session_id === null ? null : Number(r.session_id), wh: Math.round(Number(r.value)) }));
  assert.equal(expected.length, 7);
  for (const page of [2, 3, 50_000]) {
    const got: typeof expected = [];
    for await (const p of registerReadings(db, 'op1', 'CPR', from, to, page)) {
      assert.ok(p.n <= page);
      for (let k = 0; k < p.n; k++) got.push({ at: p.at[k], connectorId: p.connectorId[k], sessionId: Number.isNaN(p.sessionId[k]) ? null : p.sessionId[k], wh: p.wh[k] });
    }
    assert.deepEqual(got, expected, `page of ${page}`);
  }
  // an empty window: no page at all
  for await (const p of registerReadings(db, 'op1', 'CPR', new Date('2030-01-01T00:00:00Z'), new Date('2031-01-01T00:00:00Z'))) assert.fail(`unexpected page of ${p.n}`);
});

test('unpackReadings refuses text that does not hold the readings it says', () => {
  assert.throws(() => unpackReadings('1,1,,5;2,1,,6', 1), /more text left/);
  const p = unpackReadings('1700000000000,2,,12.5', 1);
  assert.deepEqual([p.at[0], p.connectorId[0], p.sessionId[0], p.wh[0]], [1700000000000, 2, NaN, 13]);
});
