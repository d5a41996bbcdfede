import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { loadOrdersDemo } from '../../src/modules/orders/demo.ts';

const doc = JSON.parse(readFileSync(new URL('../../examples/demo.json', import.meta.url), 'utf8'));
let p: TestPlatform;
before(async () => (p = await startTestPlatform({ provisioning: doc })));
after(async () => p.close());

test('the demo history: a day of priced orders with breakdowns, exactly one abnormal order held', async () => {
  const { sessions } = await loadOrdersDemo(p, doc);
  assert.equal(sessions, 28);
  // examples/demo.json carries no passwords: provisioning made one up and reported it once
  const staff = p.generated.users.find((u) => u.username === 'igo-staff')!;
  const t = await p.login('igo-staff', staff.password);
  const all = await p.api('GET', `/api/v1/orders?pageSize=100&from=${new Date(Date.now() - 26 * 3_600_000).toISOString()}&to=${new Date().toISOString()}`, undefined, t);
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.equal(all.body.total, 28);
  const held = all.body.items.filter((o: any) => o.abnormal);
  assert.equal(held.length, 1);
  assert.ok(held[0].abnormalReasons.length > 0);
  for (const o of all.body.items.filter((x: any) => !x.abnormal)) {
    assert.ok(o.periods.length >= 1, o.orderNo);
    assert.ok(Number(o.totalAmount) > 0, o.orderNo);
  }
  assert.ok(all.body.items.some((o: any) => Number(o.idleFee) > 0), 'some demo drivers pay an occupancy fee');
});
