import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { provisioningJsonSchema } from './json-schema.ts';
// the sections other modules own are registered by the composition root
import '../index.ts';

test('docs/provisioning.schema.json is the current schema (regenerate: node scripts/gen-provisioning-schema.mjs)', () => {
  const published = JSON.parse(readFileSync(new URL('../../../docs/provisioning.schema.json', import.meta.url), 'utf8'));
  assert.deepEqual(published, JSON.parse(JSON.stringify(provisioningJsonSchema())));
});

test('the published schema names the fixed provisioning fields', () => {
  const s = JSON.stringify(provisioningJsonSchema());
  for (const f of ['admins', 'operators', 'tcecOperatorId', 'timezone', 'users', 'stations', 'areaCode', 'tariffId', 'authKey', 'maxPowerKw', 'tariffs', 'drivers', 'idTags', 'walletBalance'])
    assert.ok(s.includes(`"${f}"`), f);
});
