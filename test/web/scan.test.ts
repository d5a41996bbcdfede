import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCode } from '../../web/h5/src/qr.ts';

test('a charger QR code gives charger and gun: the H5 URL, a relative one, or "charger-gun" text; anything else nothing', () => {
  assert.deepEqual(parseCode('https://cloud.example.com/h5/igo?c=44030700030000200016&g=2'), { c: '44030700030000200016', g: '2' });
  assert.deepEqual(parseCode('/h5/igo?g=1&c=44030600030000200037'), { c: '44030600030000200037', g: '1' });
  assert.deepEqual(parseCode('44030700030000200016-1'), { c: '44030700030000200016', g: '1' });
  assert.equal(parseCode('https://example.com/h5/igo?c=4403'), null);
  assert.equal(parseCode('hello'), null);
});
