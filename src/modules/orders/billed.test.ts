import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { correctionDeltaFen, billedFen } from './billed.ts';

test('a correction to the amount already billed (charged + receivable) moves nothing', () => {
  assert.equal(correctionDeltaFen(4500, { charged_fen: 3000, receivable_fen: 1500 }), 0);
  assert.equal(correctionDeltaFen(3000, { charged_fen: 3000, receivable_fen: 1500 }), -1500);
});

test('property: billed before + delta = the new amount', () => {
  fc.assert(
    fc.property(fc.nat(10_000_00), fc.nat(10_000_00), fc.nat(10_000_00), (c, r, t) => {
      const b = { charged_fen: c, receivable_fen: r };
      assert.equal(billedFen(b) + correctionDeltaFen(t, b), t);
    }),
  );
});
