import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import type { Db, Queryable } from '../../platform/db/index.ts';
import { FakeClock } from '../../platform/clock.ts';
import { insertVersion, replaceScheduledVersion } from './service.ts';
import { newTariffVersionCache, tariffVersionCache } from './version-cache.ts';

// The cache of the versions in force (live cost, balance watcher): reads are counted through a
// Queryable that wraps the database, so "loaded once" means "one query to tariff_versions".
let db: Db;
let reads = 0;
const counting: Queryable = {
  query: (text, params) => {
    if (text.includes('tariff_versions')) reads++;
    return db.query(text, params);
  },
  exec: (text) => db.exec(text),
};
const periods = (price: string) => ({ periods: [{ start: '00:00', type: 'flat', electricityPrice: price, servicePrice: '0.1000' }] });
const clock = new FakeClock('2026-06-01T00:00:00Z');
let inForce: number;

before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
  inForce = (await insertVersion(db, 'op1', 't1', new Date('2026-03-01T00:00:00Z'), periods('0.5000')))!;
});
after(async () => db.close());

test('a tariff version in force is read from the database once, then from the cache', async () => {
  const load = newTariffVersionCache({ clock });
  reads = 0;
  const a = await load(counting, 'op1', inForce);
  const b = await load(counting, 'op1', inForce);
  assert.equal(a?.id, inForce);
  assert.equal(b, a);
  assert.equal(reads, 1);
});

test('callers asking at once for a version share one read', async () => {
  const load = newTariffVersionCache({ clock });
  reads = 0;
  const [a, b] = await Promise.all([load(counting, 'op1', inForce), load(counting, 'op1', inForce)]);
  assert.equal(a, b);
  assert.equal(reads, 1);
});

test('a future tariff version is not cached: an edit before it takes effect is seen', async () => {
  const load = newTariffVersionCache({ clock });
  // far ahead of both the fake clock and the database's now(), so replaceScheduledVersion may edit it
  const at = new Date('2099-01-01T00:00:00Z');
  const id = (await insertVersion(db, 'op1', 't1', at, periods('0.6000')))!;
  assert.equal((await load(counting, 'op1', id))?.periods[0]?.electricityPrice, 6000);
  assert.equal(await replaceScheduledVersion(db, 'op1', 't1', id, at, periods('0.9000')), 'ok');
  reads = 0;
  assert.equal((await load(counting, 'op1', id))?.periods[0]?.electricityPrice, 9000);
  assert.equal(reads, 1);
});

test("another operator's tariff version id never returns the version, even once it is cached", async () => {
  const load = newTariffVersionCache({ clock });
  assert.ok(await load(counting, 'op1', inForce));
  assert.equal(await load(counting, 'op2', inForce), null);
  assert.equal(await load(counting, 'op2', inForce), null);
});

test('the cache keeps at most its bound of versions, dropping the oldest', async () => {
  const load = newTariffVersionCache({ clock }, 2);
  const ids = [inForce];
  for (const d of ['2026-04-01', '2026-05-01']) ids.push((await insertVersion(db, 'op1', 't1', new Date(`${d}T00:00:00Z`), periods('0.5500')))!);
  for (const id of ids) await load(counting, 'op1', id);
  reads = 0;
  await load(counting, 'op1', ids[2]!);
  await load(counting, 'op1', ids[1]!);
  assert.equal(reads, 0, 'the two newest are still cached');
  await load(counting, 'op1', ids[0]!);
  assert.equal(reads, 1, 'the oldest was dropped');
});

test('tariffVersionCache is one cache per ctx', async () => {
  const ctx = { clock };
  assert.equal(tariffVersionCache(ctx), tariffVersionCache(ctx));
  assert.notEqual(tariffVersionCache(ctx), tariffVersionCache({ clock }));
});
