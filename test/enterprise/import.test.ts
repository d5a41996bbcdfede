import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';

let p: TestPlatform;
let admin: string;
const E = '/api/v1/enterprises/acme';
const count = async (sql: string) => (await p.ctx.db.query<{ n: number }>(sql)).rows[0].n;
const phone = (i: number) => `1370000${String(i).padStart(4, '0')}`;

before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  assert.equal((await p.api('POST', '/api/v1/enterprises', { id: 'acme', name: '顺丰' }, admin)).status, 201);
  const south = (await p.api('POST', `${E}/departments`, { name: '华南' }, admin)).body.id;
  const sz = (await p.api('POST', `${E}/departments`, { name: '深圳', parentId: south }, admin)).body.id;
  await p.api('POST', `${E}/departments`, { name: '宝安', parentId: sz }, admin);
  await p.api('POST', '/api/v1/enterprises', { id: 'other', name: 'Other' }, admin);
  const d = (await p.api('POST', '/api/v1/enterprises/other/departments', { name: 'X' }, admin)).body.id;
  assert.equal((await p.api('POST', '/api/v1/enterprises/other/members', { phone: '18475511853', departmentId: d }, admin)).status, 201);
});
after(async () => p.close());

const csv = (bad: boolean) => {
  const lines = ['phone,name,department,idTags,monthlyAmount,monthlyEnergyKwh,perSessionAmount'];
  for (let i = 0; i < 1000; i++) lines.push(`${phone(i)},司机${i},华南/深圳/宝安,T${i};U${i},300.00,200,`);
  if (bad) {
    lines[1 + 10] = `${phone(10)},司机10,华南/深圳/龙岗,,,,`; // row 12: unknown department
    lines[1 + 500] = `${phone(3)},重复,华南,,,,`; // row 502: duplicate phone (row 5)
    lines[1 + 998] = `18475511853,另一家,华南,,,,`; // row 1000: member of another enterprise
  }
  return lines.join('\n');
};

test('a 1,000-row file with 3 bad rows: preview names exactly those rows; apply answers 422 and applies nothing', async () => {
  const before = await count(`SELECT COUNT(*)::int AS n FROM drivers`);
  const prev = await p.api('POST', `${E}/members/import`, { format: 'csv', content: csv(true), apply: false }, admin);
  assert.equal(prev.status, 200, JSON.stringify(prev.body).slice(0, 300));
  assert.equal(prev.body.rows, 1000);
  assert.deepEqual(
    prev.body.errors.map((e: any) => [e.row, e.column]),
    [
      [12, 'department'],
      [502, 'phone'],
      [1000, 'phone'],
    ],
  );
  const applied = await p.api('POST', `${E}/members/import`, { format: 'csv', content: csv(true), apply: true }, admin);
  assert.equal(applied.status, 422);
  assert.equal(applied.body.error.details.errors.length, 3);
  assert.equal(await count(`SELECT COUNT(*)::int AS n FROM drivers`), before, 'no driver created');
  assert.equal(await count(`SELECT COUNT(*)::int AS n FROM enterprise_members WHERE enterprise_id = 'acme'`), 0, 'no member added');
});

test('a clean 1,000-row file applies every row in one transaction (drivers, id tags, limits)', async () => {
  const r = await p.api('POST', `${E}/members/import`, { format: 'csv', content: csv(false), apply: true }, admin);
  assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  assert.equal(r.body.applied, 1000);
  assert.equal(await count(`SELECT COUNT(*)::int AS n FROM enterprise_members WHERE enterprise_id = 'acme' AND monthly_amount_fen = 30000 AND monthly_energy_wh = 200000`), 1000);
  assert.equal(await count(`SELECT COUNT(*)::int AS n FROM id_tags WHERE driver_phone LIKE '1370000%'`), 2000);
  assert.equal(await count(`SELECT COUNT(*)::int AS n FROM audit_log WHERE action = 'member.import'`), 1);
});

test('XLSX import and the templates', async () => {
  const tpl = await p.api('GET', `${E}/members/import-template?format=csv`, undefined, admin);
  assert.equal(tpl.status, 200);
  assert.match(tpl.text, /^\uFEFF?phone,name,department,idTags,monthlyAmount,monthlyEnergyKwh,perSessionAmount/);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('members');
  ws.addRow(['phone', 'name', 'department', 'idTags']);
  ws.addRow(['13600000001', '王五', '华南/深圳', 'XL1']);
  ws.addRow(['136000', '坏', '华南', '']);
  const content = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
  const prev = await p.api('POST', `${E}/members/import`, { format: 'xlsx', content, apply: false }, admin);
  assert.deepEqual(prev.body.errors.map((e: any) => [e.row, e.column]), [[3, 'phone']]);
  ws.spliceRows(3, 1);
  const good = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
  assert.equal((await p.api('POST', `${E}/members/import`, { format: 'xlsx', content: good, apply: true }, admin)).body.applied, 1);
  assert.equal((await p.api('POST', `${E}/members/import`, { format: 'xlsx', content: 'bm90IGEgemlw', apply: false }, admin)).status, 400);
});
