import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enterpriseLimitStop, flowingWh } from './limit-stop.ts';

const s = (costFen: number, energyWh = 10_000, powerW: number | null = 54_000) => ({ costFen, energyWh, powerW });
const none = { scope: 'member', remainingFen: null, remainingWh: null, perSessionFen: null };

test('no allowance or caps out of reach: no stop', () => {
  assert.equal(enterpriseLimitStop(null, s(1e6), 135, 60, 'acme'), null);
  assert.equal(enterpriseLimitStop({ ...none, remainingFen: 1400 }, s(1260), 135, 60, 'acme'), null, '12.60 + 1.35 < 14.00');
});

test('the monthly amount left: stop once cost + threshold reaches it, scope named', () => {
  const r = enterpriseLimitStop({ ...none, scope: 'department 华南', remainingFen: 1400 }, s(1305), 135, 60, 'acme');
  assert.equal(r?.capFen, 1400);
  assert.match(r!.reason, /^enterprise_limit: running cost 13\.05 yuan \+ stop threshold 1\.35 yuan reached the 14\.00 yuan left this month under the monthly amount limit of enterprise acme \(department 华南\)$/);
});

test('the per-session cap binds when it is the lower', () => {
  const r = enterpriseLimitStop({ ...none, remainingFen: 5000, perSessionFen: 300 }, s(180), 135, 60, 'acme');
  assert.equal(r?.capFen, 300);
  assert.match(r!.reason, /per-session limit of 3\.00 yuan/);
  assert.equal(enterpriseLimitStop({ ...none, remainingFen: 5000, perSessionFen: 300 }, s(135), 135, 60, 'acme'), null);
});

test('the monthly energy left: stop once energy + what flows until the charger stops reaches it', () => {
  assert.equal(flowingWh(54_000, 60), 900);
  assert.equal(flowingWh(null, 60), 0);
  assert.equal(enterpriseLimitStop({ ...none, remainingWh: 3000 }, s(0, 2099), 135, 60, 'acme'), null);
  const r = enterpriseLimitStop({ ...none, remainingWh: 3000 }, s(0, 2100), 135, 60, 'acme');
  assert.equal(r?.capFen, null);
  assert.match(r!.reason, /energy 2\.100 kWh \+ 0\.900 kWh still flowing reached the 3\.000 kWh left/);
  assert.ok(enterpriseLimitStop({ ...none, remainingWh: -5 }, s(0, 0, null), 135, 60, 'acme'), 'a cap already passed stops at once');
});
