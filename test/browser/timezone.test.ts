/**
 * Issue 18.5: one time zone. The browser runs in UTC (TZ=UTC for the Chromium process, timezoneId 'UTC'
 * for the page) while the operator is in Asia/Shanghai: the console and the H5 show every time in
 * +08:00, the order's periods agree with the tariff (10:00 is 平段, not the 02:00 谷段 UTC would
 * show), and a day filter means the operator's day.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { ensureWebBuilt } from '../../src/modules/web/build.ts';
import { peekDriverCode } from '../../src/modules/web/driver-auth.ts';
import { chargeSession, ordersDoc } from '../orders/support.ts';
import { fillPicker, launchChromium, newPage, shot, waitFor } from './support.ts';

let p: TestPlatform;
let browser: Browser;
const orders: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

before(async () => {
  await ensureWebBuilt();
  p = await startTestPlatform({ provisioning: ordersDoc(), timeScale: 0.001 });
  const admin = await p.login('op1-admin', 'op1-admin-pass');
  // b: 04:00 on the 20th in Shanghai (the 19th in UTC); a: 10:00-15:30 (flat then peak at 15:00);
  // c: 01:00 on the 21st in Shanghai (still the 20th in UTC)
  const specs = {
    b: { start: '2026-11-19T20:00:00Z', stop: '2026-11-19T20:20:00Z', unplug: '2026-11-19T20:25:00Z', meterStartWh: 0, meterStopWh: 5_000 },
    a: { start: '2026-11-20T02:00:00Z', stop: '2026-11-20T07:30:00Z', unplug: '2026-11-20T07:35:00Z', meterStartWh: 5_000, meterStopWh: 60_000 },
    c: { start: '2026-11-20T17:00:00Z', stop: '2026-11-20T17:20:00Z', unplug: '2026-11-20T17:25:00Z', meterStartWh: 60_000, meterStopWh: 65_000 },
  };
  for (const [k, s] of Object.entries(specs)) {
    await chargeSession(p.ctx.db, s);
    const at = s.start;
    orders[k as 'a'] = await waitFor(`order ${k}`, async () => {
      const r = await p.api('GET', `/api/v1/orders?stationId=s1&from=${encodeURIComponent(at)}&to=${encodeURIComponent(s.stop)}`, undefined, admin);
      const o = r.body.items?.find((x: any) => x.startTime && Date.parse(x.startTime) === Date.parse(at) && x.status === 'settled');
      return o?.orderNo;
    });
  }
  browser = await launchChromium({ env: { TZ: 'UTC' } });
});
after(async () => {
  await browser?.close();
  await p?.close();
});

async function consoleLogin(page: Page) {
  await page.goto(`${p.url}/console`);
  await page.getByTestId('login-username').fill('op1-admin');
  await page.getByTestId('login-password').fill('op1-admin-pass');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
}

test('a UTC browser: the browser really is in UTC, the console says which zone it shows, an order reads in +08:00 with the tariff’s periods', async () => {
  const { page, errors } = await newPage(browser, { width: 1440, height: 900, timezoneId: 'UTC' });
  await consoleLogin(page);
  assert.equal(await page.evaluate(() => new Date('2026-11-20T02:00:00Z').getHours()), 2, 'the page runs in UTC');
  assert.match((await page.getByTestId('zone-note').textContent()) ?? '', /Asia\/Shanghai（UTC\+08:00）/);
  await page.goto(`${p.url}/console/orders/${orders.a}`);
  await page.getByTestId('order-breakdown').waitFor();
  const details = (await page.locator('.ant-descriptions').first().textContent()) ?? '';
  assert.match(details, /2026-11-20 10:00:00/, 'started 02:00Z = 10:00 in Shanghai');
  assert.match(details, /2026-11-20 15:30:00/);
  assert.doesNotMatch(details, /2026-11-20 02:00:00/);
  const rows = page.locator('[data-testid="order-breakdown"] tbody tr.ant-table-row');
  await waitFor('two periods', async () => (await rows.count()) === 2);
  const first = (await rows.nth(0).textContent()) ?? '';
  const second = (await rows.nth(1).textContent()) ?? '';
  // the tariff: 08:00 flat, 15:00 peak
  assert.match(first, /平段.*2026-11-20 10:00:00.*2026-11-20 15:00:00/);
  assert.match(second, /峰段.*2026-11-20 15:00:00.*2026-11-20 15:30:00/);
  await shot(page, 'console-tz-utc-order');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a UTC browser: the orders filter for the operator’s day 2026-11-20 finds that day’s orders (04:00 and 10:00), not the next day’s 01:00', async () => {
  const { page, errors } = await newPage(browser, { width: 1440, height: 900, timezoneId: 'UTC' });
  await consoleLogin(page);
  await page.goto(`${p.url}/console/orders`);
  await page.getByTestId('orders-station').click();
  await page.getByTitle('永湖站').click();
  const inputs = page.locator('.ant-picker-range').first().locator('input');
  for (const [i, v] of [
    [0, '2026-11-20 00:00'],
    [1, '2026-11-20 23:59'],
  ] as const) {
    await fillPicker(page, inputs.nth(i), v);
  }
  const [req] = await Promise.all([page.waitForRequest((r) => r.url().includes('/api/v1/orders?')), page.getByTestId('orders-search').click()]);
  const q = new URL(req.url()).searchParams;
  assert.equal(new Date(q.get('from')!).toISOString(), '2026-11-19T16:00:00.000Z', 'the day starts at 00:00 in Shanghai');
  assert.equal(new Date(q.get('to')!).toISOString(), '2026-11-20T15:59:00.000Z');
  const table = page.getByTestId('orders-table');
  await waitFor('two rows', async () => (await table.locator('tbody tr.ant-table-row').count()) === 2);
  const text = (await table.textContent()) ?? '';
  assert.ok(text.includes(orders.a) && text.includes(orders.b), 'the 04:00 and 10:00 orders');
  assert.ok(!text.includes(orders.c), 'not 01:00 on the 21st');
  assert.match(text, /2026-11-20 04:00:00/);
  assert.match(text, /2026-11-20 10:00:00/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a UTC browser: the H5 shows the orders in +08:00, in the driver’s language (not the phone’s locale)', async () => {
  const { page, errors } = await newPage(browser, { width: 360, height: 740, mobile: true, timezoneId: 'UTC' });
  await page.goto(`${p.url}/h5/op1/login`);
  await page.getByTestId('h5-phone').fill('18475511853');
  await page.getByTestId('h5-get-code').click();
  const code = await waitFor('the SMS code', async () => peekDriverCode('op1', '18475511853'));
  await page.getByTestId('h5-code').fill(code);
  await page.getByTestId('h5-login').click();
  await page.getByTestId('nav-orders').click();
  const a = page.getByTestId(`h5-order-${orders.a}`);
  await a.waitFor();
  // newest first: c is open; open a
  await a.click();
  await a.getByTestId('h5-breakdown').waitFor();
  const zh = (await a.textContent()) ?? '';
  assert.match(zh, /11月20日 10:00/);
  assert.match(zh, /10:00–15:00/);
  assert.match(zh, /15:00–15:30/);
  assert.match((await page.getByTestId(`h5-order-${orders.c}`).textContent()) ?? '', /11月21日 01:00/);
  await page.getByTestId('h5-lang').click();
  const en = (await a.textContent()) ?? '';
  assert.match(en, /20 Nov, 10:00/);
  assert.doesNotMatch(en, /AM|PM/);
  await shot(page, 'h5-tz-utc-orders');
  assert.deepEqual(errors, []);
  await page.context().close();
});
