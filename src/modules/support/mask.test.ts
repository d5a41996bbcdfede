import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { maskPhone, parseMaskedPhone, isFullPhone } from './mask.ts';

test('a phone is shown as 135****8000', () => {
  assert.equal(maskPhone('13501238000'), '135****8000');
  assert.equal(maskPhone('18475511853'), '184****1853');
  assert.equal(maskPhone(null), null);
  assert.equal(maskPhone('12345'), '*****');
});

test('a masked phone reads back as its visible digits; a full one is not a mask', () => {
  assert.deepEqual(parseMaskedPhone('135****8000'), ['135', '8000']);
  assert.equal(parseMaskedPhone('13501238000'), null);
  assert.equal(parseMaskedPhone('135***8000'), null);
  assert.ok(isFullPhone('13501238000'));
  assert.ok(!isFullPhone('135****8000'));
});

test('masking never shows the middle digits of an 11-digit number and always reads back', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^1\d{10}$/), (p) => {
      const m = maskPhone(p)!;
      assert.equal(m.length, 11);
      assert.equal(m.slice(3, 7), '****');
      assert.deepEqual(parseMaskedPhone(m), [p.slice(0, 3), p.slice(7)]);
    }),
  );
});
