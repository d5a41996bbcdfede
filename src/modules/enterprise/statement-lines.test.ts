import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { figuresOf, statementLine, totalsOf, type VersionFigures } from './statement-lines.ts';

const figures = fc.record({ wh: fc.nat(10_000_000), sharp: fc.nat(1e6), peak: fc.nat(1e6), flat: fc.nat(1e6), valley: fc.nat(1e6), idle: fc.nat(1e5) }) as fc.Arbitrary<VersionFigures>;

test('property: a line’s parts add up to what the ledger moved, and totals are sums of lines', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), figures, figures, fc.integer({ min: -1e6, max: 1e6 })), { maxLength: 30 }), (xs) => {
      const lines = xs.map(([corr, v, prev, amountFen], i) =>
        statementLine({ cause: corr ? 'correction' : 'order', orderNo: `O${i}`, version: corr ? 2 : 1, at: '', phone: 'p', departmentId: 1, amountFen }, v, corr ? prev : null),
      );
      for (const l of lines) assert.equal(l.sharpFen + l.peakFen + l.flatFen + l.valleyFen + l.idleFen + l.otherFen, l.amountFen);
      const t = totalsOf(lines);
      assert.equal(t.amountFen, lines.reduce((s, l) => s + l.amountFen, 0));
      assert.equal(t.sessions + t.corrections, lines.length);
    }),
  );
});

test('a correction line is the change from the version before', () => {
  const v1 = figuresOf({ billedWh: 30_000, periods: [{ type: 'peak', wh: 20_000, electricityFen: 2000, serviceFen: 1000 }, { type: 'valley', wh: 10_000, electricityFen: 500, serviceFen: 300 }], idleFeeFen: 500 });
  const v2 = figuresOf({ billedWh: 25_000, periods: [{ type: 'peak', wh: 15_000, electricityFen: 1500, serviceFen: 750 }, { type: 'valley', wh: 10_000, electricityFen: 500, serviceFen: 300 }], idleFeeFen: 0 });
  const l = statementLine({ cause: 'correction', orderNo: 'O', version: 2, at: '', phone: 'p', departmentId: 1, amountFen: -1250 }, v2, v1);
  assert.deepEqual([l.energyWh, l.peakFen, l.valleyFen, l.idleFen, l.otherFen], [-5000, -750, 0, -500, 0]);
});
