import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startWorld, fillPicker, newPage, shot, waitFor, chargeOnce, DC, type World } from './support.ts';

let w: World;
let page: Page;
let errors: string[];
let held: string;

before(async () => {
  w = await startWorld();
  // a few orders: two settled ones on the driver's card, one held (an id tag nobody knows)
  await chargeOnce(w.sim, 1, 'CARD0001', 1500);
  await chargeOnce(w.sim, 2, 'CARD0001', 1200);
  await w.sim.plugIn(2);
  await w.sim.startSession(2, 'UNKNOWN-CARD', { authorize: false, startSoc: 40 });
  await w.sim.unplug(2);
  const admin = await w.p.login('op1-admin', 'op1-admin-pass');
  held = await waitFor('the held order', async () => {
    const r = await w.p.api('GET', '/api/v1/orders?status=held', undefined, admin);
    return r.body.items?.[0]?.orderNo;
  });
  await waitFor('three orders', async () => (await w.p.api('GET', '/api/v1/orders', undefined, admin)).body.total === 3);
  ({ page, errors } = await newPage(w.browser, { width: 1440, height: 900 }));
});
after(async () => w?.close());

async function login(username: string, password: string) {
  await page.goto(`${w.p.url}/console`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
}
const nav = (label: string) => page.getByTestId('nav').getByText(label, { exact: true }).click();

test('log in; the dashboard and the live charger grid render in Chinese', async () => {
  await page.goto(`${w.p.url}/console`);
  await page.getByTestId('login-card').waitFor();
  await shot(page, 'console-0-login');
  await page.getByTestId('login-username').fill('op1-admin');
  await page.getByTestId('login-password').fill('wrong');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('login-error').waitFor();
  await login('op1-admin', 'op1-admin-pass');
  await page.getByTestId('chart-trend').waitFor();
  await waitFor('today’s sessions', async () => (await page.getByTestId('stat-sessions').textContent())?.includes('3'));
  assert.match((await page.getByTestId('stat-abnormal').textContent()) ?? '', /1/);
  await shot(page, 'console-1-dashboard');
  await nav('电站与充电桩');
  await page.getByTestId(`charger-${DC}`).waitFor();
  assert.match((await page.getByTestId(`charger-${DC}`).textContent()) ?? '', /在线/);
  await shot(page, 'console-2-stations');
  await page.getByTestId(`charger-${DC}`).click();
  await page.getByTestId('charger-title').waitFor();
  await page.getByRole('tab', { name: '报文日志' }).click();
  await page.locator('[data-testid="history-messages"] tbody tr').first().waitFor();
  await shot(page, 'console-3-charger');
});

test('search orders by station and time window, see the case-3 columns, export CSV and XLSX', async () => {
  await nav('充电订单');
  await page.getByTestId('orders-search').click();
  await page.getByTestId('orders-hint').waitFor(); // a station comes first
  await page.getByTestId('orders-station').click();
  await page.getByTitle('永湖站').click();
  await page.getByTestId('orders-search').click();
  const rows = page.locator('[data-testid="orders-table"] tbody tr.ant-table-row');
  await waitFor('three rows', async () => (await rows.count()) === 3);
  const text = (await page.getByTestId('orders-table').textContent()) ?? '';
  assert.match(text, /平段:\d+\.\d{2}|谷段:\d+\.\d{2}/, 'per-period amounts as in case 3');
  assert.match(text, /18475511853/);
  await shot(page, 'console-4-orders');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('orders-export-csv').click()]);
  const body = readFileSync(await csv.path(), 'utf8');
  assert.equal(body.trim().split('\n').length, 4, 'a header and three orders');
  assert.match(body, /44030700030000200016/);
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('orders-export-xlsx').click()]);
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
});

test('correct the abnormal order with notify off: the preview recomputes before saving; a new version, no notification', async () => {
  await nav('异常订单');
  await page.getByTestId(`correct-${held}`).click();
  await page.getByTestId('correction-form').waitFor();
  await page.getByTestId('preview-total').waitFor();
  const before = await page.getByTestId('preview-total').textContent();
  const stop = page.getByTestId('corr-meter-stop');
  const v = Number(await stop.inputValue());
  await stop.fill(String(v + 5000)); // 5 kWh the charger failed to report
  const setTime = async (testId: string, minutes: number) => {
    const input = page.locator(`[data-testid="${testId}"] input`).first();
    const cur = await input.inputValue();
    const next = new Date(Date.parse(cur.replace(' ', 'T') + '+08:00') + minutes * 60_000);
    const s = next.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' });
    await fillPicker(page, input, s);
  };
  await setTime('corr-start', -30); // the charger's clock lost the start: it began half an hour earlier
  await waitFor('the recomputed total', async () => (await page.getByTestId('preview-total').textContent()) !== before);
  await page.getByTestId('preview-still-abnormal').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('corr-notify').isChecked(), false, 'bill adjusted is off by default (case 9)');
  await page.getByTestId('corr-reason').fill('桩未上报结束读数，按现场电表补录');
  await shot(page, 'console-5-correction');
  const previewed = await page.getByTestId('preview-total').textContent();
  await page.getByTestId('corr-save').click();
  await page.getByTestId('correction-form').waitFor({ state: 'detached' });
  const admin = await w.p.login('op1-admin', 'op1-admin-pass');
  const o = await w.p.api('GET', `/api/v1/orders/${held}`, undefined, admin);
  assert.equal(o.body.version, 2);
  assert.equal(o.body.status, 'settled');
  assert.equal(o.body.totalAmount, previewed, 'the saved order shows what the preview showed');
  const sent = await w.p.api('GET', '/api/v1/notifications/sent?event=bill_adjusted', undefined, admin);
  assert.equal(sent.body.items.length, 0, 'nothing sent with notify off');
  await page.goto(`${w.p.url}/console/orders/${held}`);
  await page.getByTestId('order-versions').waitFor();
  await waitFor('two versions', async () => (await page.locator('[data-testid="order-versions"] tbody tr.ant-table-row').count()) === 2);
  // settled by the correction: shown as resolved, not as abnormal; what was found is one click away
  assert.equal(o.body.review, 'resolved');
  await page.getByTestId('order-resolved').waitFor();
  assert.equal(await page.getByTestId('order-reasons').count(), 0, 'no red 异常原因 banner on a resolved order');
  assert.match((await page.getByTestId('order-resolved').textContent()) ?? '', /异常已处理/);
  await page.getByTestId('order-history-link').click();
  // every enum and reason in Chinese: no raw value (issue 18.7)
  const found = (await page.getByTestId('order-found-reasons').textContent()) ?? '';
  assert.match(found, /卡号未通过鉴权/);
  assert.doesNotMatch(found, /id_tag_rejected|the id tag was/);
  const details = (await page.locator('.ant-descriptions').first().textContent()) ?? '';
  assert.match(details, /桩端刷卡/);
  assert.doesNotMatch(details, /charger(?![\w-])/, 'the origin is translated');
  await shot(page, 'console-6-order-detail');
});

test('edit a tariff: the timeline follows the edit, validation blocks a bad period, a new version is saved', async () => {
  await nav('电价管理');
  await page.getByTestId('tariff-editor').waitFor();
  const segs = page.locator('[data-testid="tariff-timeline"] [data-testid^="timeline-seg-"]');
  assert.equal(await segs.count(), 3);
  await page.getByTestId('period-add').click();
  await waitFor('a fourth segment', async () => (await segs.count()) === 4);
  await page.getByTestId('period-start-3').fill('12:00'); // before 23:00: out of order
  await page.getByTestId('tariff-errors').waitFor();
  assert.equal(await page.getByTestId('tariff-save').isDisabled(), true);
  // a sharp hour 18:00–19:00: insert it in order
  await page.getByTestId('period-start-2').fill('18:00');
  await page.getByTestId('period-start-3').fill('19:00');
  const pick = async (row: number, label: string) => {
    await page.getByTestId(`period-type-${row}`).click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: label }).last().click();
    await waitFor(`period ${row} is ${label}`, async () => (await page.getByTestId(`period-type-${row}`).textContent())?.includes(label));
  };
  await pick(2, '尖段');
  await page.getByTestId('period-elec-2').fill('1.3000');
  await page.getByTestId('period-start-3').fill('23:00');
  await pick(3, '谷段');
  await page.getByTestId('tariff-valid').waitFor();
  assert.equal(await segs.nth(2).getAttribute('data-type'), 'sharp');
  await shot(page, 'console-7-tariff');
  await page.getByTestId('tariff-save').click();
  await waitFor('the new version', async () => (await page.locator('[data-testid="tariff-versions"] tbody tr.ant-table-row').count()) === 2);
});

test('switch language: English everywhere, kept after a reload', async () => {
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('nav').getByText('Tariffs', { exact: true }).waitFor();
  await nav('Orders');
  await page.getByText('Time window').waitFor();
  await page.reload();
  await page.getByTestId('nav').getByText('Dashboard', { exact: true }).waitFor();
  await shot(page, 'console-8-english');
  assert.deepEqual(errors, []);
});
