import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignWaves, validWaves, progress, nextStep, advisoryMatches, DEFAULT_WAVES } from './waves.ts';

test('waves: 5 %, 25 %, 100 % of 50 chargers are 3, 10 and 37', () => {
  const w = assignWaves(50, DEFAULT_WAVES);
  assert.deepEqual([1, 2, 3].map((k) => w.filter((x) => x === k).length), [3, 10, 37]);
  assert.deepEqual(assignWaves(1, DEFAULT_WAVES), [1]);
  assert.deepEqual(assignWaves(2, DEFAULT_WAVES), [1, 2]);
});

test('property: every charger in exactly one wave, waves in order, cumulative share respected', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2000 }), fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 5 }), (n, mids) => {
      const waves = [...mids.sort((a, b) => a - b), 100];
      assert.equal(validWaves(waves), null);
      const w = assignWaves(n, waves);
      assert.equal(w.length, n);
      for (let i = 1; i < w.length; i++) assert.ok(w[i] >= w[i - 1]);
      waves.forEach((pct, i) => {
        const upto = w.filter((x) => x <= i + 1).length;
        assert.ok(upto >= Math.min(n, Math.ceil((n * pct) / 100)));
      });
    }),
  );
});

test('validWaves names what is wrong', () => {
  assert.match(validWaves([5, 25])!, /last wave must be 100/);
  assert.match(validWaves([25, 5, 100])!, /increase/);
  assert.match(validWaves([0, 100])!, /waves\[0\]/);
});

test('nextStep: wait, advance, halt above the threshold, complete', () => {
  const t = (wave: number, state: string) => ({ wave, state });
  const p = (xs: { wave: number; state: string }[]) => progress(xs, 3);
  assert.deepEqual(nextStep(p([t(1, 'sent'), t(2, 'waiting')]), 1, 20), { action: 'wait' });
  assert.deepEqual(nextStep(p([t(1, 'succeeded'), t(2, 'waiting')]), 1, 20), { action: 'advance', wave: 2 });
  assert.equal(nextStep(p([t(1, 'failed'), t(1, 'sent'), t(2, 'waiting')]), 1, 20).action, 'halt');
  // exactly at the threshold: not above it
  const five = [t(2, 'failed'), ...Array.from({ length: 4 }, () => t(2, 'succeeded'))];
  assert.deepEqual(nextStep(p([t(1, 'succeeded'), ...five, t(3, 'waiting')]), 2, 20), { action: 'advance', wave: 3 });
  assert.deepEqual(nextStep(p([t(1, 'succeeded'), ...five]), 2, 20), { action: 'complete' });
});

test('advisories: vendor case-insensitive, model and version regular expressions; a bad pattern matches nothing', () => {
  const a = { vendor: 'Sinexcel', modelPattern: 'STM32', versionPattern: '^1' };
  assert.ok(advisoryMatches(a, { vendor: 'SINEXCEL', model: 'STM32-DC60', firmwareVersion: '1.0.7' }));
  assert.ok(!advisoryMatches(a, { vendor: 'Sinexcel', model: 'STM32-DC60', firmwareVersion: '2.0.0' }));
  assert.ok(!advisoryMatches(a, { vendor: 'Other', model: 'STM32', firmwareVersion: '1.0' }));
  assert.ok(!advisoryMatches({ ...a, modelPattern: '(' }, { vendor: 'Sinexcel', model: 'STM32', firmwareVersion: '1.0' }));
});
