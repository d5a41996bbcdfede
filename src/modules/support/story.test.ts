import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoryParts, maskedEverywhere } from './story.ts';

test('a story part registered under an existing name replaces it in place; a new name goes last', () => {
  const r = new StoryParts();
  const a = async () => ({ evidence: null, items: [1] });
  const b = async () => ({ evidence: null, items: [2] });
  r.register('order', a);
  r.register('incidents', a);
  r.register('extra', a);
  r.register('incidents', b);
  assert.deepEqual(r.names(), ['order', 'incidents', 'extra']);
  assert.equal(r.list()[1][1], b);
});

test('the subject’s phone is masked wherever a part put it', () => {
  const v = { a: '18475511853', b: [{ text: '致电18475511853未接' }], c: 1 };
  assert.deepEqual(maskedEverywhere(v, '18475511853'), { a: '184****1853', b: [{ text: '致电184****1853未接' }], c: 1 });
  assert.equal(maskedEverywhere(v, null), v);
});
