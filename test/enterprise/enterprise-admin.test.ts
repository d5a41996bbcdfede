import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';

let p: TestPlatform;
let admin: string, staff: string;
const E = '/api/v1/enterprises';
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  staff = await p.login('op1-staff', 'op1-staff-pass');
  for (const id of ['acme', 'beta']) assert.equal((await p.api('POST', E, { id, name: id.toUpperCase() }, admin)).status, 201);
});
after(async () => p.close());

test('only an operator admin creates enterprise admins; the login is bound to its enterprise', async () => {
  assert.equal((await p.api('POST', `${E}/acme/admins`, { username: 'acme-boss', password: 'acme-boss-pass' }, staff)).status, 403);
  const made = await p.api('POST', `${E}/acme/admins`, { username: 'acme-boss', password: 'acme-boss-pass' }, admin);
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal((await p.api('POST', `${E}/beta/admins`, { username: 'acme-boss', password: 'x-long-password' }, admin)).status, 409, 'usernames are unique');
  const login = await p.api('POST', '/api/v1/auth/login', { username: 'acme-boss', password: 'acme-boss-pass' });
  assert.equal(login.body.role, 'enterprise_admin');
  assert.equal(login.body.enterpriseId, 'acme');
  assert.deepEqual((await p.api('GET', `${E}/acme/admins`, undefined, admin)).body.items.map((a: any) => a.username), ['acme-boss']);
  const audit = await p.ctx.db.query(`SELECT actor, action FROM audit_log WHERE entity = 'user' AND entity_id = 'acme-boss'`);
  assert.deepEqual(audit.rows, [{ actor: 'op1-admin', action: 'enterprise_admin.create' }]);
});

test('an enterprise admin manages its own departments and members (audited) and reaches nothing else', async () => {
  const ent = await p.login('acme-boss', 'acme-boss-pass');
  assert.deepEqual((await p.api('GET', E, undefined, ent)).body.items.map((e: any) => e.id), ['acme']);
  const dept = await p.api('POST', `${E}/acme/departments`, { name: '华南' }, ent);
  assert.equal(dept.status, 201);
  assert.equal((await p.api('POST', `${E}/acme/members`, { phone: '18475511853', departmentId: dept.body.id }, ent)).status, 201);
  assert.equal((await p.api('PATCH', `${E}/acme/departments/${dept.body.id}`, { name: '华南区' }, ent)).status, 200);
  const audit = await p.ctx.db.query<{ actor: string; action: string; after: any }>(`SELECT actor, action, after FROM audit_log WHERE actor = 'acme-boss' ORDER BY id`);
  assert.deepEqual(
    audit.rows.map((a) => [a.action, a.after.role, a.after.enterpriseId]),
    [
      ['department.create', 'enterprise_admin', 'acme'],
      ['member.add', 'enterprise_admin', 'acme'],
      ['department.update', 'enterprise_admin', 'acme'],
    ],
  );
  // another enterprise of the same operator: as if it did not exist
  for (const [m, path, body] of [
    ['GET', `${E}/beta`],
    ['GET', `${E}/beta/members`],
    ['POST', `${E}/beta/departments`, { name: 'x' }],
    ['GET', `${E}/beta/statement?month=2026-01`],
  ] as const)
    assert.equal((await p.api(m, path, body, ent)).status, 404, `${m} ${path}`);
  // the operator's own pages: refused
  for (const path of ['/api/v1/drivers', '/api/v1/chargers', '/api/v1/orders', '/api/v1/dashboard', `${E}/acme/admins`])
    assert.equal((await p.api('GET', path, undefined, ent)).status, 403, path);
  assert.equal((await p.api('PATCH', `${E}/acme`, { creditLimit: '99999.00' }, ent)).status, 403, 'its own credit limit is the operator’s call');
  assert.equal((await p.api('POST', `${E}/acme/account/adjustments`, { amount: '1.00', direction: 'credit', remark: 'x' }, ent)).status, 403);
  // removing the login ends its access
  assert.equal((await p.api('DELETE', `${E}/acme/admins/acme-boss`, undefined, admin)).status, 200);
  assert.equal((await p.api('POST', '/api/v1/auth/login', { username: 'acme-boss', password: 'acme-boss-pass' })).status, 401);
});
