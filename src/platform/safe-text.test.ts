import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ESCAPE_MARKER, storableText, originalText, storableJson, originalJson, findUnsafeText, unsafeTextReason } from './safe-text.ts';

/** Strings made of the characters that matter: NUL, lone and paired surrogates, backslashes, the marker, plain text. */
export const nastyString = fc
  .array(fc.constantFrom('\u0000', '\ud800', '\udc00', '\ud83d\ude00', '\\', 'u', '0', ESCAPE_MARKER, 'a', '中', '"'), { maxLength: 12 })
  .map((xs) => xs.join(''));
const anyString = fc.oneof(nastyString, fc.string({ unit: 'binary' }), fc.string());

test('storable strings hold no NUL and no lone surrogate, and give back the original exactly', () => {
  fc.assert(
    fc.property(anyString, (s) => {
      const t = storableText(s);
      assert.equal(unsafeTextReason(t), null);
      assert.equal(originalText(t), s);
    }),
    { seed: 1411, numRuns: 2000 },
  );
});

test('the encoding is injective, and leaves ordinary strings alone', () => {
  fc.assert(
    fc.property(anyString, anyString, (a, b) => {
      if (a !== b) assert.notEqual(storableText(a), storableText(b));
    }),
    { seed: 1412, numRuns: 2000 },
  );
  for (const s of ['CARD0001', 'C:\\path\\x', '充电桩', 'a\ud83d\ude00b', '']) assert.equal(storableText(s), s);
  assert.equal(storableText('AB\u0000C'), `${ESCAPE_MARKER}AB\\u0000C`);
  assert.equal(storableText('x\ud800\\'), `${ESCAPE_MARKER}x\\ud800\\\\`);
  assert.equal(originalText(storableText(ESCAPE_MARKER)), ESCAPE_MARKER);
});

test('JSON values: every string and key is made storable and comes back', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(nastyString, nastyString), (j, d) => {
      const v = JSON.parse(JSON.stringify({ j, d, [`k\u0000`]: [d] }));
      const s = storableJson(v);
      assert.equal(findUnsafeText(s), null);
      assert.doesNotThrow(() => JSON.parse(JSON.stringify(s)));
      assert.deepEqual(originalJson(s), v);
    }),
    { seed: 1413, numRuns: 500 },
  );
});

test('findUnsafeText names the field', () => {
  assert.deepEqual(findUnsafeText({ a: [{ b: 'x' }, { c: 'y\u0000' }] }), { path: 'a[1].c', reason: 'a NUL character' });
  assert.deepEqual(findUnsafeText({ ok: 'x', bad: '\udc00' }, 'body'), { path: 'body.bad', reason: 'an unpaired surrogate' });
  assert.deepEqual(findUnsafeText({ 'k\u0000': 1 }), { path: 'k\u0000', reason: 'a NUL character in a field name' });
  assert.equal(findUnsafeText({ fine: ['\ud83d\ude00', 1, null, true] }), null);
  const proto = JSON.parse('{"__proto__": {"x": "a\\u0000"}}');
  assert.deepEqual(originalJson(storableJson(proto)), proto);
  assert.equal(Object.getPrototypeOf(storableJson(proto)), Object.prototype);
  // deep nesting does not overflow the stack
  let deep: unknown = 'x\u0000';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(findUnsafeText(deep)?.reason, 'a NUL character');
});

test('storableJson copies only what changes: a clean value is returned itself, the input is never changed', () => {
  const clean = JSON.parse('{"connectorId":1,"meterValue":[{"timestamp":"2026-12-06T01:00:00Z","sampledValue":[{"value":"12"}]}]}');
  assert.equal(storableJson(clean), clean);
  const dirty = JSON.parse('{"a":{"keep":[1,2]},"b":["x","y\\u0000"],"__proto__":{"z":"ok"}}');
  const before = JSON.stringify(dirty);
  const s = storableJson(dirty) as any;
  assert.notEqual(s, dirty);
  assert.equal(s.a, dirty.a, 'an untouched branch is shared, not copied');
  assert.notEqual(s.b, dirty.b);
  assert.equal(Object.getOwnPropertyDescriptor(s, '__proto__')?.value.z, 'ok', 'an own __proto__ key stays data');
  assert.equal(Object.getPrototypeOf(s), Object.prototype);
  assert.equal(JSON.stringify(dirty), before);
  assert.deepEqual(originalJson(s), dirty);
});
