/**
 * The reconciliation screens in Chromium: start a run by uploading a partner statement (CSV), the
 * run page with the class summary chart and the items, a write-off with its note, the monthly chart
 * on the list, a bad statement's row/column problems, zh-CN then English. Screenshots go to
 * artifacts/screenshots/reconciliation-*.png.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { ensureWebBuilt } from '../../src/modules/web/build.ts';
import { CHARGER, XIAOJU, roamingDoc, startPartners } from '../roaming/setup.ts';
import type { FakePartner } from '../roaming/fake-partner.ts';
import { csv, orderNoAt, seedPartnerOrders, statementLine, type SeedOrder } from '../reconciliation/seed.ts';
import { launchChromium, newPage, shot, waitFor } from './support.ts';

let p: TestPlatform;
let fx: { xiaoju: FakePartner; cec: FakePartner };
let browser: Browser;
let page: Page;
let errors: string[];
const dir = mkdtempSync(join(tmpdir(), 'recon-ui-'));
const FROM = '2026-08-01T00:00:00+08:00';
const TO = '2026-09-01T00:00:00+08:00';

before(async () => {
  await ensureWebBuilt();
  fx = await startPartners();
  p = await startTestPlatform({ provisioning: roamingDoc({ xiaoju: fx.xiaoju.url, cec: fx.cec.url }) });
  const t0 = Date.parse(FROM);
  const orders: SeedOrder[] = Array.from({ length: 6 }, (_, i) => {
    const start = new Date(t0 + (i + 1) * 86_400_000 + 3_600_000);
    return { seq: `${XIAOJU}${1785100000000 + i}${String(i).padStart(5, '0')}`, orderNo: orderNoAt(start), chargerId: CHARGER, gun: 1, start, end: new Date(start.getTime() + 45 * 60_000), wh: 12_340 + i, elecFen: 864, serviceFen: 987 };
  });
  orders[0].confirmed = false;
  await p.ctx.db.tx((q) => seedPartnerOrders(q, 'op1', XIAOJU, orders));
  // the partner lacks the first order and has 0.5 kWh more on the second
  writeFileSync(join(dir, 'statement.csv'), csv(orders.slice(1).map((o, i) => statementLine(i === 0 ? { ...o, wh: o.wh + 500 } : o))));
  writeFileSync(join(dir, 'bad.csv'), 'StartChargeSeq,ConnectorID,StartTime,EndTime,TotalPower,TotalElecMoney,TotalSeviceMoney,TotalMoney,Remark\n');
  browser = await launchChromium();
  ({ page, errors } = await newPage(browser, { width: 1440, height: 900 }));
});
after(async () => {
  await browser?.close().catch(() => {});
  await p?.close();
  await fx?.xiaoju.close();
  await fx?.cec.close();
});

async function fillPeriod() {
  await page.getByTestId('rec-partner').click();
  await page.getByTitle(`小桔充电 (${XIAOJU})`).click();
  await page.getByTestId('rec-from').fill(FROM);
  await page.getByTestId('rec-to').fill(TO);
}

test('upload a statement: the run page shows the classes, the chart and the items; a write-off keeps its note (zh-CN)', async () => {
  await page.goto(`${p.url}/console`);
  await page.getByTestId('login-username').fill('op1-admin');
  await page.getByTestId('login-password').fill('op1-admin-pass');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').getByText('合作方对账', { exact: true }).click();
  await page.getByTestId('rec-form').waitFor();
  await fillPeriod();
  await page.getByTestId('rec-file').setInputFiles(join(dir, 'statement.csv'));
  await page.getByTestId('rec-upload').click();
  await waitFor('the run is open', async () => (await page.getByTestId('rec-status').textContent().catch(() => '')) === '待处理', 20_000);
  await page.getByTestId('rec-summary').waitFor();
  const rows = page.locator('[data-testid="rec-items"] tbody tr.ant-table-row');
  await waitFor('two differences', async () => (await rows.count()) === 2);
  const text = (await page.getByTestId('rec-items').textContent()) ?? '';
  assert.match(text, /对方缺单/);
  assert.match(text, /电量不符/);
  assert.match(text, /启动结果未向对方确认/);
  await shot(page, 'reconciliation-1-run');
  const id = (await p.ctx.db.query(`SELECT id FROM recon_items WHERE class = 'energy_mismatch' ORDER BY id DESC LIMIT 1`)).rows[0].id;
  await page.getByTestId(`rec-write_off-${id}`).click();
  await page.getByTestId('rec-note').fill('合作方计量偏差，双方同意核销');
  await page.getByTestId('rec-resolve-ok').click();
  await waitFor('the resolution', async () => ((await page.getByTestId(`rec-resolution-${id}`).textContent().catch(() => '')) ?? '').includes('op1-admin'));
  assert.match((await page.getByTestId(`rec-resolution-${id}`).textContent()) ?? '', /双方同意核销/);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rec-export-csv').click()]);
  assert.match(dl.suggestedFilename(), /\.csv$/);
  await shot(page, 'reconciliation-2-resolved');
});

test('the list shows the run and the monthly chart; a bad statement shows its row and column problems', async () => {
  await page.getByTestId('nav').getByText('合作方对账', { exact: true }).click();
  await page.locator('[data-testid="rec-runs"] tbody tr.ant-table-row').first().waitFor();
  await page.getByTestId('rec-monthly').waitFor();
  await fillPeriod();
  await page.getByTestId('rec-file').setInputFiles(join(dir, 'bad.csv'));
  await page.getByTestId('rec-upload').click();
  await page.getByTestId('rec-problems').waitFor();
  const t = (await page.getByTestId('rec-problems').textContent()) ?? '';
  assert.match(t, /Remark/);
  assert.match(t, /未保存任何数据/);
  await shot(page, 'reconciliation-3-bad-statement');
});

test('English', async () => {
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('nav').getByText('Reconciliation', { exact: true }).waitFor();
  await page.locator('[data-testid="rec-runs"] tbody tr.ant-table-row').first().click();
  await waitFor('English run page', async () => ['open', 'closed'].includes(((await page.getByTestId('rec-status').textContent().catch(() => '')) ?? '').trim()));
  const en = (await page.getByTestId('rec-items').textContent()) ?? '';
  assert.match(en, /missing at partner/);
  assert.match(en, /the start was never confirmed to the partner/);
  await shot(page, 'reconciliation-4-en');
  assert.deepEqual(errors, []);
});
