import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashMachineKey, hashSecret, verifySecret } from './passwords.ts';

test('staff passwords: scrypt, salted, verified', async () => {
  const h = await hashSecret('correct horse');
  assert.match(h, /^scrypt\$/);
  assert.notEqual(h, await hashSecret('correct horse'));
  assert.equal(await verifySecret('correct horse', h), true);
  assert.equal(await verifySecret('wrong horse', h), false);
});

test('charger keys: salted sha256, verified, never stored in clear', async () => {
  const h = hashMachineKey('key-0000000000000016');
  assert.match(h, /^sha256\$/);
  assert.ok(!h.includes('key-0000000000000016'));
  assert.equal(await verifySecret('key-0000000000000016', h), true);
  assert.equal(await verifySecret(Buffer.from('key-0000000000000016'), h), true);
  assert.equal(await verifySecret('key-0000000000000017', h), false);
  assert.equal(await verifySecret('x', 'garbage'), false);
  assert.equal(await verifySecret('x', null), false);
});
