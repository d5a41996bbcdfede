import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { divRoundHalfUp, energyCostFen, formatKwh, formatYuan, parsePrice4, parseYuan, formatPrice4 } from './money.ts';

test('half-up rounding at the half', () => {
  assert.equal(divRoundHalfUp(5n, 10n), 1n);
  assert.equal(divRoundHalfUp(4n, 10n), 0n);
  assert.equal(divRoundHalfUp(15n, 10n), 2n);
  assert.equal(divRoundHalfUp(-15n, 10n), -2n);
});

test('energy cost: 37.512 kWh at 0.6853 + 0.80 yuan is 5572 fen (reference example)', () => {
  assert.equal(energyCostFen(37512, parsePrice4('0.6853')) + energyCostFen(37512, parsePrice4('0.80')), 2571 + 3001);
  assert.equal(energyCostFen(37512, 14853), 5572);
});

test('parse and format round-trip', () => {
  assert.equal(parsePrice4('1.2'), 12000);
  assert.equal(formatPrice4(12000), '1.2000');
  assert.equal(parseYuan('39.57'), 3957);
  assert.equal(formatYuan(3957), '39.57');
  assert.equal(formatYuan(-5), '-0.05');
  assert.equal(formatKwh(25374), '25.37');
  assert.equal(formatKwh(25375), '25.38');
  assert.throws(() => parsePrice4('1.23456'));
  assert.throws(() => parseYuan('1.234'));
  fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (fen) => parseYuan(formatYuan(fen)) === fen));
});

test('rounding matches exact rational half-up for any energy and price', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e6 }), (wh, p) => {
      const exact = BigInt(wh) * BigInt(p); // in 1e-5 fen
      const fen = BigInt(energyCostFen(wh, p));
      return fen * 100000n - exact <= 50000n && exact - fen * 100000n < 50000n;
    }),
  );
});
