import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { shiftDecimal, roundDecimal, normaliseMeterValues, latestReadings } from './meter.ts';

test('shiftDecimal is exact', () => {
  assert.equal(shiftDecimal('1.2345', 3), '1234.5');
  assert.equal(shiftDecimal('37.512', 3), '37512');
  assert.equal(shiftDecimal('0.001', 3), '1');
  assert.equal(shiftDecimal('15.20', 0), '15.2');
  assert.equal(shiftDecimal('007', 0), '7');
  assert.equal(shiftDecimal('-0.5', 3), '-500');
  assert.equal(shiftDecimal('12', 3), '12000');
  assert.equal(shiftDecimal('1234', -3), '1.234');
  assert.equal(shiftDecimal('.5', 0), '0.5');
  assert.equal(shiftDecimal('0.000', 3), '0');
  assert.equal(shiftDecimal('abc', 0), null);
  assert.equal(shiftDecimal('1e3', 0), null);
  assert.equal(shiftDecimal('', 0), null);
  assert.equal(shiftDecimal('.', 0), null);
});

test('kWh → Wh round-trips for any decimal with up to 3 decimals', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e12 }), (wh) => {
      const kwh = shiftDecimal(String(wh), -3)!;
      return shiftDecimal(kwh, 3) === String(wh);
    }),
  );
});

test('roundDecimal rounds half away from zero', () => {
  assert.equal(roundDecimal('15.5'), 16);
  assert.equal(roundDecimal('15.49'), 15);
  assert.equal(roundDecimal('-2.5'), -3);
  assert.equal(roundDecimal('7'), 7);
});

test('normalisation: units, defaults, phases kept apart, junk skipped', () => {
  const at = '2026-01-01T00:00:00Z';
  const n = normaliseMeterValues([
    {
      timestamp: at,
      sampledValue: [
        { value: '12.5' }, // default: Energy.Active.Import.Register in Wh
        { value: '37.512', measurand: 'Energy.Active.Import.Register', unit: 'kWh', context: 'Sample.Periodic' },
        { value: '7.2', measurand: 'Power.Active.Import', unit: 'kW' },
        { value: '230.1', measurand: 'Voltage', phase: 'L1-N' },
        { value: '16', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
        { value: '5', measurand: 'Energy.Active.Import.Register', phase: 'L1', unit: 'kWh' },
        { value: '55', measurand: 'SoC', location: 'EV', unit: 'Percent' },
        { value: 'deadbeef', format: 'SignedData' },
        { value: 'n/a', measurand: 'Voltage' },
      ],
    },
  ]);
  assert.deepEqual(
    n.samples.map((s) => [s.measurand, s.phase, s.unit, s.value]),
    [
      ['Energy.Active.Import.Register', null, 'Wh', '12.5'],
      ['Energy.Active.Import.Register', null, 'Wh', '37512'],
      ['Power.Active.Import', null, 'W', '7200'],
      ['Voltage', 'L1-N', 'V', '230.1'],
      ['Current.Import', 'L1', 'A', '16'],
      ['Energy.Active.Import.Register', 'L1', 'Wh', '5000'],
      ['SoC', null, 'Percent', '55'],
    ],
  );
  assert.equal(n.skipped.length, 2);
  const r = latestReadings(n.samples);
  // the later total register in the same batch wins; the L1 register is never the total
  assert.equal(r.energyWh, 37512);
  assert.equal(r.powerW, 7200);
  assert.equal(r.soc, 55);
});

test('latest readings take the newest total, whatever the order', () => {
  const n = normaliseMeterValues([
    { timestamp: '2026-01-01T00:02:00Z', sampledValue: [{ value: '200' }, { value: '60', measurand: 'SoC' }] },
    { timestamp: '2026-01-01T00:01:00Z', sampledValue: [{ value: '100' }, { value: '50', measurand: 'SoC' }] },
  ]);
  const r = latestReadings(n.samples);
  assert.equal(r.energyWh, 200);
  assert.equal(r.soc, 60);
  assert.equal(r.firstSoc, 50);
});
