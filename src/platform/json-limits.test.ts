import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonTooDeep, MAX_JSON_DEPTH } from './json-limits.ts';

const depthOf = (v: unknown): number => (v && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0);

test('depth of JSON text: counts only structure, never brackets inside strings', () => {
  assert.equal(jsonTooDeep('['.repeat(64) + ']'.repeat(64)), false);
  assert.equal(jsonTooDeep('['.repeat(65) + ']'.repeat(65)), true);
  assert.equal(jsonTooDeep(`{"a":"${'['.repeat(500)}\\"${'{'.repeat(500)}"}`), false);
  assert.equal(jsonTooDeep('['.repeat(1_000_000)), true);
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 8 }), (v, limit) => {
      assert.equal(jsonTooDeep(JSON.stringify(v), limit), depthOf(v) > limit);
    }),
    { seed: 1501, numRuns: 500 },
  );
  assert.equal(MAX_JSON_DEPTH, 64);
});
