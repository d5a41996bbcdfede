import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { startWorld, newPage, shot, confirmModal, type World } from './support.ts';

let w: World;
let page: Page;
let errors: string[];

before(async () => {
  w = await startWorld();
  const admin = await w.p.login('op1-admin', 'op1-admin-pass');
  const E = '/api/v1/enterprises';
  assert.equal((await w.p.api('POST', E, { id: 'sf', name: '顺丰速运', creditLimit: '5000.00' }, admin)).status, 201);
  const south = (await w.p.api('POST', `${E}/sf/departments`, { name: '华南' }, admin)).body.id;
  const sz = (await w.p.api('POST', `${E}/sf/departments`, { name: '深圳', parentId: south }, admin)).body.id;
  assert.equal((await w.p.api('POST', `${E}/sf/members`, { phone: '18475511853', departmentId: sz }, admin)).status, 201);
  assert.equal((await w.p.api('POST', `${E}/sf/admins`, { username: 'sf-admin', password: 'sf-admin-pass' }, admin)).status, 201);
  assert.equal((await w.p.api('PUT', `${E}/sf/departments/${south}/limits`, { monthlyAmount: '3000.00' }, admin)).status, 200);
  assert.equal((await w.p.api('PUT', `${E}/sf/members/18475511853/limits`, { monthlyAmount: '300.00', monthlyEnergyKwh: '200', perSessionAmount: '80.00' }, admin)).status, 200);
  ({ page, errors } = await newPage(w.browser, { width: 1440, height: 900 }));
});
after(async () => w?.close());

async function login(username: string, password: string) {
  await page.goto(`${w.p.url}/console`);
  await page.evaluate(() => localStorage.removeItem('chargeops.token'));
  await page.goto(`${w.p.url}/console`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
}

test('/console/enterprises: the list, the department tree editor, members with import preview, the statement (zh-CN)', async () => {
  await login('op1-admin', 'op1-admin-pass');
  await page.goto(`${w.p.url}/console/enterprises`);
  await page.locator('[data-testid="enterprises-table"] tbody tr.ant-table-row').first().waitFor();
  assert.match((await page.getByTestId('enterprises-table').textContent()) ?? '', /顺丰速运.*5000\.00/);
  await shot(page, 'console-enterprise-1-list');
  await page.getByText('顺丰速运').click();
  await page.getByTestId('enterprise-title').waitFor();
  // department tree: add 宝安 under 深圳
  await page.getByTestId('dept-深圳').waitFor();
  // usage against limits: 华南's cap covers 深圳; 深圳 has none of its own
  assert.match((await page.getByTestId('dept-usage-华南').textContent()) ?? '', /金额 0\.00 \/ 3000\.00 元/);
  assert.match((await page.getByTestId('dept-usage-深圳').textContent()) ?? '', /金额 0\.00 元.*不限额/);
  await page.getByTestId('dept-add-深圳').click();
  await page.getByTestId('dept-name').fill('宝安');
  await page.getByTestId('dept-save').click();
  await page.getByTestId('dept-宝安').waitFor();
  await shot(page, 'console-enterprise-2-departments');
  // members, and an import whose preview names the bad row (spreadsheet row 3)
  await page.getByRole('tab', { name: '成员' }).click();
  await page.locator('[data-testid="members-table"] tbody tr.ant-table-row').first().waitFor();
  assert.match((await page.getByTestId('members-table').textContent()) ?? '', /18475511853/);
  assert.match((await page.getByTestId('usage-18475511853').textContent()) ?? '', /金额 0\.00 \/ 300\.00 元.*电量 0\.000 \/ 200\.000 kWh.*单次 ≤ 80\.00 元/);
  // the member's caps edited in place
  await page.getByTestId('limits-18475511853').click();
  await page.getByTestId('limits-amount').fill('250.00');
  assert.equal(await page.getByTestId('limits-amount').inputValue(), '250.00');
  await confirmModal(page, 'limits-save');
  await page.getByTestId('usage-18475511853').getByText('金额 0.00 / 250.00 元').waitFor();
  await page.getByTestId('members-import').click();
  const file = join(tmpdir(), `members-${process.pid}.csv`);
  writeFileSync(file, 'phone,name,department,idTags\n13700000001,王五,华南/深圳/宝安,\n1370,坏,华南,\n');
  await page.locator('input[type=file]').setInputFiles(file);
  await page.getByTestId('import-preview').click();
  await page.getByTestId('import-errors').waitFor();
  assert.match((await page.getByTestId('import-result').textContent()) ?? '', /1 处错误/);
  assert.match((await page.getByTestId('import-errors').textContent()) ?? '', /3.*phone.*malformed phone/);
  assert.ok(await page.getByTestId('import-apply').isDisabled(), 'nothing to apply while the file has errors');
  await shot(page, 'console-enterprise-3-import');
  await page.keyboard.press('Escape');
  // the statement screen (its figures are checked against the ledger in test/enterprise/statement.test.ts)
  await page.getByRole('tab', { name: '月结账单' }).click();
  await page.getByTestId('statement-totals').waitFor();
  const lines = (await page.getByTestId('statement-lines').textContent()) ?? '';
  assert.match(lines, /尖.*峰.*平.*谷.*占位费.*其他.*金额/);
  assert.equal(await page.getByTestId('statement-total').textContent(), '0.00');
  await shot(page, 'console-enterprise-4-statement');
});

test('English, and the enterprise admin’s reduced console: its enterprise only', async () => {
  await page.getByTestId('lang-switch').click();
  await page.getByRole('tab', { name: 'Statements' }).waitFor();
  await shot(page, 'console-enterprise-5-en');
  await page.getByTestId('lang-switch').click();
  await login('sf-admin', 'sf-admin-pass');
  await page.getByTestId('enterprise-title').waitFor();
  const menu = await page.getByTestId('nav').locator('li[role=menuitem]').allTextContents();
  assert.deepEqual(menu, ['企业客户']);
  assert.equal(await page.getByTestId('header-lookup').count(), 0);
  assert.equal(await page.getByRole('tab', { name: '企业管理员' }).count(), 0, 'only operator admins manage enterprise admins');
  await shot(page, 'console-enterprise-6-enterprise-admin');
  await page.goto(`${w.p.url}/console/drivers`);
  await page.getByText('404').first().waitFor();
  assert.deepEqual(
    errors.filter((e) => !/403|Forbidden/.test(e)),
    [],
    'no page errors (the operator-wide calls the shell makes answer 403 to an enterprise admin)',
  );
});
