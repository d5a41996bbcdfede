import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { kwhToWh } from '../../src/modules/enterprise/provisioning.ts';

let p: TestPlatform;
let root: string;
const withEnterprises = (enterprises: unknown, extraDrivers: unknown[] = []) => {
  const doc: any = minimalDoc();
  doc.operators[0].drivers.push({ phone: '13900000001', name: '张三' }, ...extraDrivers);
  doc.operators[0].enterprises = enterprises;
  return doc;
};
const acme = () => ({
  id: 'acme',
  name: '顺丰速运',
  creditLimit: '500.00',
  admins: [{ username: 'acme-boss', password: 'acme-boss-pass' }],
  departments: [
    { id: 'south', name: '华南', limits: { monthlyAmount: '3000.00' } },
    { id: 'sz', name: '深圳', parentId: 'south' },
    { id: 'ba', name: '宝安', parentId: 'sz', limits: { monthlyEnergyKwh: '800.5' } },
  ],
  members: [
    { phone: '18475511853', departmentId: 'ba', limits: { monthlyAmount: '300.00', monthlyEnergyKwh: 200, perSessionAmount: '80.00' } },
    { phone: '13900000001', departmentId: 'sz' },
  ],
});

before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  root = await p.login('root', 'root-password');
});
after(async () => p.close());

test('kWh to Wh without float drift', () => {
  assert.equal(kwhToWh('800.5'), 800_500);
  assert.equal(kwhToWh(200), 200_000);
  assert.equal(kwhToWh(0.001), 1);
  assert.equal(kwhToWh('12.345'), 12_345);
});

test('provisioning enterprises: tree, members with limits, admins; again is idempotent', async () => {
  for (let round = 0; round < 2; round++) {
    const r = await p.api('PUT', '/api/v1/provisioning', withEnterprises([acme()]), root);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const admin = await p.login('op1-admin', 'op1-admin-pass');
  const e = await p.api('GET', '/api/v1/enterprises/acme', undefined, admin);
  assert.equal(e.body.creditLimit, '500.00');
  const tree = await p.api('GET', '/api/v1/enterprises/acme/departments', undefined, admin);
  assert.deepEqual(tree.body.flat.map((d: any) => d.path), ['华南', '华南 / 深圳', '华南 / 深圳 / 宝安']);
  const m = await p.ctx.db.query(`SELECT driver_phone, monthly_amount_fen, monthly_energy_wh, per_session_amount_fen FROM enterprise_members WHERE enterprise_id = 'acme' ORDER BY driver_phone`);
  assert.deepEqual(m.rows, [
    { driver_phone: '13900000001', monthly_amount_fen: null, monthly_energy_wh: null, per_session_amount_fen: null },
    { driver_phone: '18475511853', monthly_amount_fen: 30000, monthly_energy_wh: 200000, per_session_amount_fen: 8000 },
  ]);
  const d = await p.ctx.db.query(`SELECT external_id, monthly_amount_fen, monthly_energy_wh FROM enterprise_departments WHERE enterprise_id = 'acme' ORDER BY external_id`);
  assert.deepEqual(d.rows, [
    { external_id: 'ba', monthly_amount_fen: null, monthly_energy_wh: 800500 },
    { external_id: 'south', monthly_amount_fen: 300000, monthly_energy_wh: null },
    { external_id: 'sz', monthly_amount_fen: null, monthly_energy_wh: null },
  ]);
  const ent = await p.login('acme-boss', 'acme-boss-pass');
  assert.equal((await p.api('GET', '/api/v1/enterprises/acme/members', undefined, ent)).body.items.length, 2);
});

test('provisioning refuses members that are not provisioned drivers, unknown departments and cycles, naming each', async () => {
  const bad = acme();
  bad.members.push({ phone: '13999999999', departmentId: 'nowhere' });
  bad.departments.push({ id: 'x', name: 'X', parentId: 'y' }, { id: 'y', name: 'Y', parentId: 'x' });
  const r = await p.api('PUT', '/api/v1/provisioning', withEnterprises([bad, { id: 'acme', name: 'dup' }]), root);
  assert.equal(r.status, 400);
  const text = JSON.stringify(r.body);
  for (const want of ['13999999999 is not a driver', 'no department nowhere', 'is its own ancestor', 'duplicate enterprise id acme']) assert.ok(text.includes(want), `${want} in ${text}`);
  const amount = await p.api('PUT', '/api/v1/provisioning', withEnterprises([{ ...acme(), creditLimit: 500 }]), root);
  assert.equal(amount.status, 400, 'amounts are yuan strings');
});
