import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import { provision, validateProvisioning } from '../registry/provisioning.ts';
import { roamingDoc, XIAOJU } from '../../../test/roaming/setup.ts';
import { getPartner } from './partners.ts';

test('partners provisioning: stored with secrets encrypted, applying twice changes nothing, bad references named', async () => {
  const db = await testDb();
  try {
    const doc = roamingDoc({ xiaoju: 'http://127.0.0.1:9/x', cec: 'http://127.0.0.1:9/c' });
    await provision(db, doc);
    const row1 = (await db.query(`SELECT inbound_secrets, outbound_secrets, updated_at FROM roaming_partners WHERE id = $1`, [XIAOJU])).rows[0];
    assert.match(row1.inbound_secrets, /^k1\.[0-9a-f]{8}\./, 'sealed with SECRETS_KEY, the key id in front');
    assert.ok(!row1.inbound_secrets.includes('secret-in'), 'not stored in clear');
    const p = await getPartner(db, 'op1', XIAOJU);
    assert.equal(p?.inbound.operatorSecret, `secret-in-${XIAOJU}`);
    assert.equal(p?.dialect, 'xiaoju');
    assert.deepEqual(p?.stations, ['s1']);
    await provision(db, doc);
    const row2 = (await db.query(`SELECT inbound_secrets, outbound_secrets, updated_at FROM roaming_partners WHERE id = $1`, [XIAOJU])).rows[0];
    assert.deepEqual(row2, row1, 'a second apply changes nothing');

    const bad = structuredClone(doc) as any;
    bad.operators[0].partners[0].stations = ['nope'];
    bad.operators[0].partners[1].dialect = 'klingon';
    bad.operators[0].partners[1].inbound.dataSecret = 'short';
    const v = validateProvisioning(bad);
    assert.equal(v.ok, false);
    if (!v.ok) {
      const paths = v.errors.map((e) => e.path);
      assert.ok(paths.includes('$.operators[0].partners[0].stations[0]'), paths.join(' '));
      assert.ok(paths.includes('$.operators[0].partners[1].dialect'), paths.join(' '));
      assert.ok(paths.includes('$.operators[0].partners[1].inbound.dataSecret'), paths.join(' '));
    }
  } finally {
    await db.close();
  }
});
