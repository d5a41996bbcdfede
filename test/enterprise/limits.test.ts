import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { canStart, chargeForOrder } from '../../src/modules/wallet/index.ts';

let p: TestPlatform;
let admin: string;
let south: number, sz: number;
const E = '/api/v1/enterprises/acme';
const P1 = '18475511853';
const start = () => p.ctx.db.tx((q) => canStart(q, 'op1', { idTag: 'CARD0001' }, p.ctx.clock.date()));

before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  assert.equal((await p.api('POST', '/api/v1/enterprises', { id: 'acme', name: 'Acme', creditLimit: '10000.00' }, admin)).status, 201);
  south = (await p.api('POST', `${E}/departments`, { name: '华南' }, admin)).body.id;
  sz = (await p.api('POST', `${E}/departments`, { name: '深圳', parentId: south }, admin)).body.id;
  assert.equal((await p.api('POST', `${E}/members`, { phone: P1, departmentId: sz }, admin)).status, 201);
  await p.ctx.db.tx((q) => chargeForOrder(q, { operatorId: 'op1', phone: P1, orderNo: 'L1', version: 1, amountFen: 6000 }));
});
after(async () => p.close());

test('a member’s monthly amount cap refuses the next start with a clear reason (OCPP: Blocked)', async () => {
  assert.equal((await start()).ok, true);
  assert.equal((await p.api('PUT', `${E}/members/${P1}/limits`, { monthlyAmount: '50.00' }, admin)).status, 200);
  const r = await start();
  assert.deepEqual([r.ok, r.code, r.ocppStatus], [false, 'enterprise_limit', 'Blocked']);
  assert.match(r.reason, /monthly amount limit of enterprise acme \(member\) is reached/);
  assert.equal((await p.api('PUT', `${E}/members/${P1}/limits`, { monthlyAmount: '80.00' }, admin)).status, 200);
  assert.equal((await start()).ok, true, '20.00 left');
  assert.equal((await p.api('PUT', `${E}/members/${P1}/limits`, {}, admin)).status, 200);
});

test('a department cap covers its sub-departments', async () => {
  assert.equal((await p.api('PUT', `${E}/departments/${south}/limits`, { monthlyAmount: '60.00' }, admin)).status, 200);
  const r = await start();
  assert.equal(r.code, 'enterprise_limit');
  assert.match(r.reason, /department 华南/);
  assert.equal((await p.api('PUT', `${E}/departments/${south}/limits`, { monthlyAmount: '100.00' }, admin)).status, 200);
  assert.equal((await start()).ok, true);
  assert.equal((await p.api('PUT', `${E}/departments/${sz}/limits`, { monthlyAmount: 'abc' }, admin)).status, 400);
  assert.equal((await p.api('PUT', `${E}/members/13999999999/limits`, {}, admin)).status, 404);
});

test('usage against limits on the members and departments answers (this month, a department counts its subtree)', async () => {
  assert.equal((await p.api('PUT', `${E}/members/${P1}/limits`, { monthlyAmount: '80.00', monthlyEnergyKwh: '200', perSessionAmount: '30.00' }, admin)).status, 200);
  assert.equal((await p.api('PUT', `${E}/departments/${south}/limits`, { monthlyAmount: '100.00' }, admin)).status, 200);
  const m = (await p.api('GET', `${E}/members`, undefined, admin)).body.items.find((x: any) => x.phone === P1);
  assert.deepEqual([m.limits, m.used, m.left], [
    { monthlyAmount: '80.00', monthlyEnergyKwh: '200.000', perSessionAmount: '30.00' },
    { amount: '60.00', energyKwh: '0.000' },
    { amount: '20.00', energyKwh: '200.000' },
  ]);
  const d = (await p.api('GET', `${E}/departments`, undefined, admin)).body;
  const flat = new Map(d.flat.map((x: any) => [x.id, x]));
  assert.deepEqual([(flat.get(south) as any).used.amount, (flat.get(south) as any).left.amount, (flat.get(south) as any).limits.monthlyAmount], ['60.00', '40.00', '100.00'], 'the member of 深圳 counts for 华南');
  assert.deepEqual([(flat.get(sz) as any).used.amount, (flat.get(sz) as any).left.amount], ['60.00', null], '深圳 has no cap of its own');
  assert.equal(d.tree[0].children[0].used.amount, '60.00', 'the tree carries it too');
  // the enterprise admin sees the same; a start is checked against what is shown left
  assert.equal((await start()).ok, true);
  assert.equal((await p.api('PUT', `${E}/members/${P1}/limits`, { monthlyAmount: '60.00' }, admin)).status, 200);
  assert.equal((await p.api('GET', `${E}/members`, undefined, admin)).body.items[0].left.amount, '0.00');
  assert.equal((await start()).code, 'enterprise_limit');
  assert.equal((await p.api('PUT', `${E}/members/${P1}/limits`, {}, admin)).status, 200);
});
