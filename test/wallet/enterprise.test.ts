import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { chargeForOrder, adjustForOrder, payerFor, canStart } from '../../src/modules/wallet/index.ts';
import { verifyLedgerLast } from '../support/verify-ledger.ts';

let p: TestPlatform;
let admin: string, staff: string, other: string;
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  staff = await p.login('op1-staff', 'op1-staff-pass');
  other = await p.login('op2-admin', 'op2-admin-pass');
});
after(async () => p.close());

const E = '/api/v1/enterprises';

test('case 8: deleted departments never appear in the picker or the member list; deleting takes the subtree', async () => {
  assert.equal((await p.api('POST', E, { id: 'acme', name: '深圳顺丰', creditLimit: '100.00' }, admin)).status, 201);
  const dept = async (name: string, parentId?: number) => (await p.api('POST', `${E}/acme/departments`, { name, parentId }, staff)).body.id as number;
  const ops = await dept('运营部');
  const fleet = await dept('车队', ops);
  const night = await dept('夜班', fleet);
  const hr = await dept('人事部');
  assert.equal((await p.api('POST', `${E}/acme/departments`, { name: '人事部' }, staff)).status, 409, 'sibling names are unique');
  assert.equal((await p.api('POST', `${E}/acme/members`, { phone: '18475511853', departmentId: night }, staff)).status, 403, 'staff may not add members (issue 11.10)');
  assert.equal((await p.api('POST', `${E}/acme/members`, { phone: '18475511853', departmentId: night }, admin)).status, 201);
  // A department with members (in its subtree) cannot be deleted: the members would vanish from every list.
  const refused = await p.api('DELETE', `${E}/acme/departments/${ops}`, undefined, staff);
  assert.equal(refused.status, 409);
  assert.match(refused.body.error.message, /1 member/);
  assert.equal((await p.api('PATCH', `${E}/acme/members/18475511853`, { departmentId: hr }, staff)).status, 200);
  const del = await p.api('DELETE', `${E}/acme/departments/${ops}`, undefined, staff);
  assert.equal(del.status, 200);
  assert.deepEqual([...del.body.deleted].sort(), [ops, fleet, night].sort());
  const picker = await p.api('GET', `${E}/acme/departments`, undefined, staff);
  assert.deepEqual(picker.body.flat.map((d: any) => d.name), ['人事部']);
  assert.deepEqual(picker.body.tree.map((d: any) => d.name), ['人事部']);
  const members = await p.api('GET', `${E}/acme/members`, undefined, staff);
  assert.deepEqual(members.body.items.map((m: any) => [m.phone, m.departmentName]), [['18475511853', '人事部']]);
  // A deleted department is no choice for a member, and the name can be used again.
  const bad = await p.api('PATCH', `${E}/acme/members/18475511853`, { departmentId: fleet }, staff);
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /deleted/);
  assert.equal((await p.api('POST', `${E}/acme/departments`, { name: '运营部' }, staff)).status, 201);
  // Even a live row left under a deleted parent (the legacy data of case 8) stays out of the picker.
  await p.ctx.db.query(`INSERT INTO enterprise_departments (operator_id, enterprise_id, parent_id, name) VALUES ('op1', 'acme', $1, '孤儿')`, [fleet]);
  const picker2 = await p.api('GET', `${E}/acme/departments`, undefined, staff);
  assert.deepEqual(picker2.body.flat.map((d: any) => d.name).sort(), ['人事部', '运营部']);
  // tenancy
  assert.equal((await p.api('GET', `${E}/acme/departments`, undefined, other)).status, 404);
});

test('a member pays from the enterprise account up to its credit limit; the statement groups charges per department', async () => {
  const d = await p.api('GET', '/api/v1/drivers/18475511853', undefined, staff);
  assert.equal(d.body.paymentMethod, 'enterprise');
  assert.equal(d.body.enterprise.departmentName, '人事部');
  const payer = await payerFor(p.ctx.db, 'op1', '18475511853');
  assert.equal(payer.method, 'enterprise');
  // credit limit 100.00, balance 0: available 100.00
  assert.equal((await canStart(p.ctx.db, 'op1', { idTag: 'CARD0001' }, p.ctx.clock.date())).availableFen, 10000);
  const r1 = await p.ctx.db.tx((q) => chargeForOrder(q, { operatorId: 'op1', phone: '18475511853', orderNo: 'O1', version: 1, amountFen: 6000 }));
  assert.equal(r1.chargedFen, 6000);
  const again = await p.ctx.db.tx((q) => chargeForOrder(q, { operatorId: 'op1', phone: '18475511853', orderNo: 'O1', version: 1, amountFen: 6000 }));
  assert.equal(again.chargedFen, 6000, 'idempotent per order version');
  const r2 = await p.ctx.db.tx((q) => chargeForOrder(q, { operatorId: 'op1', phone: '18475511853', orderNo: 'O2', version: 1, amountFen: 5000 }));
  assert.equal(r2.chargedFen, 4000, 'never past the credit limit; the rest is a receivable of the enterprise');
  const ent = await p.api('GET', `${E}/acme`, undefined, staff);
  assert.deepEqual([ent.body.balance, ent.body.available], ['-100.00', '0.00']);
  // the personal wallet was not touched
  assert.equal((await p.api('GET', '/api/v1/drivers/18475511853', undefined, staff)).body.walletBalance, '100.00');
  // a correction refunds the receivable first
  await p.ctx.db.tx((q) => adjustForOrder(q, { operatorId: 'op1', phone: '18475511853', orderNo: 'O2', version: 2, deltaFen: -1500, remark: 'meter fix' }));
  assert.equal((await p.api('GET', `${E}/acme`, undefined, staff)).body.balance, '-95.00');
  const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
  const st = await p.api('GET', `${E}/acme/statement?month=${month}`, undefined, staff);
  assert.equal(st.status, 200, JSON.stringify(st.body));
  assert.equal(st.body.total, '95.00');
  assert.deepEqual(st.body.departments.map((x: any) => [x.name, x.orders, x.amount]), [['人事部', 2, '95.00']]);
  assert.equal((await p.api('GET', `${E}/acme/statement?month=2025-13`, undefined, staff)).status, 400);
  // funding the enterprise account is a manual credit with a remark (operator_admin)
  assert.equal((await p.api('POST', `${E}/acme/account/adjustments`, { amount: '500.00', direction: 'credit', remark: 'bank transfer' }, staff)).status, 403);
  const fund = await p.api('POST', `${E}/acme/account/adjustments`, { amount: '500.00', direction: 'credit', remark: 'bank transfer 2026-11' }, admin);
  assert.equal(fund.status, 201);
  assert.equal(fund.body.enterprise.balance, '405.00');
  const led = await p.api('GET', `${E}/acme/ledger`, undefined, staff);
  assert.deepEqual(led.body.items.map((e: any) => [e.cause, e.amount, e.balanceAfter]), [
    ['manual', '500.00', '405.00'],
    ['correction', '5.00', '-95.00'],
    ['order', '-40.00', '-100.00'],
    ['order', '-60.00', '-60.00'],
  ]);
  // a suspended enterprise no longer pays: the member falls back to the wallet
  await p.api('PATCH', `${E}/acme`, { status: 'suspended' }, admin);
  assert.equal((await payerFor(p.ctx.db, 'op1', '18475511853')).method, 'wallet');
  const check = await p.api('GET', '/api/v1/wallet/check', undefined, staff);
  assert.equal(check.body.ok, true, JSON.stringify(check.body));
});

verifyLedgerLast(() => p.ctx.db);
