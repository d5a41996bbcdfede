import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDb } from '../../test/support/db.ts';
import type { Db } from './db/index.ts';
import { storableText, storableJson, originalText, originalJson } from './safe-text.ts';

let db: Db;
before(async () => {
  db = await testDb();
  await db.exec(`CREATE TABLE safe_text_probe (t text, j jsonb)`);
});
after(async () => db.close());

const nasty = fc.array(fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d\ude00', '\\', '\u241b', 'a', '中'), { maxLength: 8 }).map((x) => x.join(''));

test('what PostgreSQL refuses raw, it stores in the storable form, and the original comes back', async () => {
  await assert.rejects(db.query(`INSERT INTO safe_text_probe (t) VALUES ($1)`, ['a\u0000b']));
  await assert.rejects(db.query(`INSERT INTO safe_text_probe (j) VALUES ($1)`, [JSON.stringify({ a: 'x\u0000' })]));
  await assert.rejects(db.query(`INSERT INTO safe_text_probe (j) VALUES ($1)`, [JSON.stringify({ a: 'x\ud800' })]));
  await fc.assert(
    fc.asyncProperty(nasty, nasty, async (s, k) => {
      const v = { [k]: [s, { s }] };
      const r = await db.query<{ t: string; j: unknown }>(`INSERT INTO safe_text_probe (t, j) VALUES ($1, $2) RETURNING t, j`, [storableText(s), JSON.stringify(storableJson(v))]);
      assert.equal(originalText(r.rows[0].t), s);
      assert.deepEqual(originalJson(r.rows[0].j), v);
    }),
    { seed: 1414, numRuns: 150 },
  );
});
