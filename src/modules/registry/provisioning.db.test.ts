import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision, resetPassword, validateProvisioning } from './provisioning.ts';
import { verifySecret } from '../../platform/auth/passwords.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors.ts';

let db: Db;
before(async () => (db = await testDb()));
after(async () => db.close());

async function snapshot() {
  const out: Record<string, unknown> = {};
  for (const t of ['operators', 'users', 'stations', 'chargers', 'connectors', 'tariffs', 'tariff_versions', 'drivers', 'id_tags'])
    out[t] = (await db.query(`SELECT * FROM ${t} ORDER BY 1, 2`)).rows;
  return JSON.stringify(out);
}

test('provisioning twice changes nothing', async () => {
  await provision(db, minimalDoc());
  const first = await snapshot();
  await provision(db, minimalDoc());
  assert.equal(await snapshot(), first);
  const c = await db.query(`SELECT count(*)::int AS n FROM connectors`);
  assert.equal(c.rows[0].n, 4);
});

test('an invalid document lists every error with its JSON path and writes nothing', async () => {
  const doc: any = minimalDoc();
  doc.operators[0].id = 'op-new';
  doc.operators[0].stations[0].chargers[0].authKey = 'short';
  doc.operators[0].stations[0].chargers[1].connectors[0].type = 'XX';
  doc.operators[0].stations[0].tariffId = 'nope';
  doc.operators[1].stations[0].chargers[0].id = '44030700030000200016';
  const v = validateProvisioning(doc);
  assert.equal(v.ok, false);
  const paths = (v as any).errors.map((e: any) => e.path);
  assert.ok(paths.includes('$.operators[0].stations[0].chargers[0].authKey'), paths.join());
  assert.ok(paths.includes('$.operators[0].stations[0].chargers[1].connectors[0].type'), paths.join());
  assert.ok(paths.some((p: string) => p.startsWith('$.operators[0].tariffs')), paths.join());
  assert.ok(paths.includes('$.operators[1].stations[0].chargers[0].id'), paths.join());
  const before = await snapshot();
  await assert.rejects(() => provision(db, doc), (e: any) => e instanceof AppError && e.status === 400 && Array.isArray(e.details));
  assert.equal(await snapshot(), before);
});

test('a conflict found mid-way rolls the whole document back', async () => {
  const full: any = minimalDoc();
  const op2 = full.operators[1];
  op2.stations[0].chargers.push({ id: '44030700030000200017', authKey: 'another-key-0000001', connectors: [{ id: 1, type: 'AC', maxPowerKw: 7 }] });
  op2.name = 'Renamed';
  // A valid document on its own, but op2 claims a charger op1 already has: refused, and op2's rename is not kept either.
  await assert.rejects(() => provision(db, { operators: [op2] }), /charger 44030700030000200017 belongs to another operator/);
  const r = await db.query(`SELECT name FROM operators WHERE id = 'op2'`);
  assert.equal(r.rows[0].name, 'Operator Two');
});

test('charger keys and passwords are stored hashed', async () => {
  const r = await db.query(`SELECT auth_key_hash FROM chargers WHERE id = '44030700030000200016'`);
  assert.match(r.rows[0].auth_key_hash, /^sha256\$/);
  const u = await db.query(`SELECT password_hash FROM users WHERE username = 'op1-admin'`);
  assert.match(u.rows[0].password_hash, /^scrypt\$/);
  assert.ok(!r.rows[0].auth_key_hash.includes('key-0000000000000016'));
});

test('users and chargers without a password or key get random ones, reported once; existing ones keep theirs', async () => {
  const doc = {
    admins: [{ username: 'gen-root' }],
    operators: [
      {
        id: 'opg',
        name: 'Generated',
        users: [{ username: 'opg-admin', role: 'operator_admin' }, { username: 'opg-staff', role: 'operator_staff', password: 'given-password-1' }],
        stations: [{ id: 'sg', name: 'G', chargers: [{ id: 'GEN0001', connectors: [{ id: 1, type: 'AC', maxPowerKw: 7 }] }] }],
      },
    ],
  };
  const first = await provision(db, doc);
  assert.deepEqual(first.generated.users.map((u) => [u.username, u.role, u.operatorId]), [
    ['gen-root', 'platform_admin', null],
    ['opg-admin', 'operator_admin', 'opg'],
  ]);
  assert.deepEqual(first.generated.chargers.map((c) => c.id), ['GEN0001']);
  for (const s of [...first.generated.users.map((u) => u.password), first.generated.chargers[0].authKey]) assert.ok(s.length >= 20);
  assert.notEqual(first.generated.users[0].password, first.generated.users[1].password);
  const hash = async () => (await db.query(`SELECT password_hash FROM users WHERE username = 'opg-admin'`)).rows[0].password_hash;
  const before = await hash();
  assert.equal(await verifySecret(first.generated.users[1].password, before), true);
  const again = await provision(db, doc);
  assert.deepEqual(again.generated, { users: [], chargers: [] }, 'nothing new is made up the second time');
  assert.equal(await hash(), before, 'a user left without a password keeps its own');
  const key = (await db.query(`SELECT auth_key_hash FROM chargers WHERE id = 'GEN0001'`)).rows[0].auth_key_hash;
  assert.equal(await verifySecret(first.generated.chargers[0].authKey, key), true);
  const fresh = await resetPassword(db, 'opg-admin');
  assert.ok(fresh && fresh !== first.generated.users[1].password);
  assert.equal(await verifySecret(fresh!, await hash()), true);
  assert.equal(await resetPassword(db, 'nobody'), null);
});
