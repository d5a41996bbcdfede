import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { powerAt, randomVehicle, sessionLimitW, startPhysics, step, type CurveParams } from './curve.ts';

const dc: CurveParams = { type: 'DC', maxPowerW: 60_000, vehicle: { capacityWh: 60_000, maxAcceptW: 120_000, targetSoc: 100 } };

const params = fc.record({
  type: fc.constantFrom<'AC' | 'DC'>('AC', 'DC'),
  maxPowerW: fc.integer({ min: 3_000, max: 360_000 }),
  vehicle: fc.record({
    capacityWh: fc.integer({ min: 10_000, max: 120_000 }),
    maxAcceptW: fc.integer({ min: 3_000, max: 350_000 }),
    targetSoc: fc.integer({ min: 50, max: 100 }),
  }),
});

test('energy and SoC never fall, power never exceeds the session limit, SoC stays within 0..100', () => {
  fc.assert(
    fc.property(params, fc.integer({ min: 0, max: 95 }), fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 60 }), (p, soc0, steps) => {
      let s = startPhysics(p, soc0);
      for (const dt of steps) {
        const n = step(p, s, dt);
        assert.ok(n.energyWh >= s.energyWh, 'energy rises monotonically');
        assert.ok(n.soc >= s.soc, 'SoC rises monotonically');
        assert.ok(n.soc <= 100);
        assert.ok(n.powerW >= 0 && n.powerW <= sessionLimitW(p), `power ${n.powerW} within limit`);
        assert.ok(n.currentA >= 0);
        s = n;
      }
    }),
  );
});

test('a DC session ramps up, holds a plateau near max power and tapers above 80 % SoC', () => {
  assert.equal(powerAt(dc, 20, 0), 0);
  const ramping = powerAt(dc, 20, 30);
  const plateau = powerAt(dc, 50, 600);
  assert.ok(ramping > 0 && ramping < plateau, 'ramping below plateau');
  assert.ok(plateau >= 0.9 * 60_000 && plateau <= 60_000, `plateau ${plateau} near max`);
  assert.equal(powerAt(dc, 79, 600), plateau, 'no taper below the knee');
  assert.ok(powerAt(dc, 90, 600) < plateau * 0.6, 'tapered at 90 %');
  assert.ok(powerAt(dc, 97, 600) < powerAt(dc, 90, 600));
});

test('charging stops at the target SoC', () => {
  const p: CurveParams = { ...dc, vehicle: { ...dc.vehicle, targetSoc: 80 } };
  let s = startPhysics(p, 30);
  for (let i = 0; i < 200 && s.soc < 80; i++) s = step(p, s, 60);
  assert.ok(s.soc >= 80 && s.soc < 81, `stopped at ${s.soc}`);
  assert.equal(s.powerW, 0);
  const after = step(p, s, 600);
  assert.equal(after.energyWh, s.energyWh, 'no energy once full');
});

test('energy follows power: 30 min at a 60 kW plateau delivers roughly 28-30 kWh', () => {
  let s = startPhysics(dc, 10);
  for (let i = 0; i < 30; i++) s = step(dc, s, 60);
  assert.ok(s.energyWh > 27_000 && s.energyWh < 30_000, `energy ${s.energyWh}`);
  assert.ok(s.soc > 50 && s.soc < 60, `SoC ${s.soc}`);
});

test('the car limits power below the charger rating', () => {
  const p: CurveParams = { type: 'DC', maxPowerW: 120_000, vehicle: { capacityWh: 50_000, maxAcceptW: 50_000, targetSoc: 100 } };
  assert.ok(powerAt(p, 40, 600) <= 50_000);
});

test('random vehicles are plausible for their connector type', () => {
  let seed = 1;
  const rng = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 100; i++) {
    const ac = randomVehicle('AC', rng);
    const dcv = randomVehicle('DC', rng);
    assert.equal(ac.maxAcceptW, 7_000);
    assert.ok(dcv.capacityWh >= 50_000 && dcv.capacityWh <= 80_000);
    assert.ok(dcv.targetSoc >= 90 && dcv.targetSoc <= 100);
  }
});
