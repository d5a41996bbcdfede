import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startWorld, newPage, shot, waitFor, DC, type World } from './support.ts';
import { peekDriverCode } from '../../src/modules/web/driver-auth.ts';

let w: World;
before(async () => (w = await startWorld()));
after(async () => w?.close());

const num = (s: string | null) => Number((s ?? '').replace(/[^\d.]/g, ''));

test('H5 at 360 px: scan a gun, see the price, log in by code, start from the wallet, watch it rise, stop, find the order with its breakdown', async () => {
  const { page, errors } = await newPage(w.browser, { width: 360, height: 740, mobile: true });
  // the charger's QR code URL
  await page.goto(`${w.p.url}/h5/op1?c=${DC}&g=1`);
  await page.getByTestId('h5-connector').waitFor();
  assert.equal(await page.getByTestId('brand-name').textContent(), '永湖充电');
  assert.match((await page.getByTestId('h5-price').textContent()) ?? '', /^\d+\.\d{4}/);
  assert.equal(await page.locator('[data-testid="h5-tariff"] tr').count(), 3, "today's three periods");
  await shot(page, 'h5-1-gun');

  // start without a login → login by one-time code → back on the gun
  await w.sim.plugIn(1);
  await page.getByTestId('h5-start').click();
  await page.getByTestId('h5-phone').fill('18475511853');
  await page.getByTestId('h5-get-code').click();
  const code = await waitFor('the SMS code', async () => peekDriverCode('op1', '18475511853'));
  await page.getByTestId('h5-code').fill(code);
  await shot(page, 'h5-2-login');
  await page.getByTestId('h5-login').click();
  await page.getByTestId('h5-balance').waitFor();
  assert.equal(await page.getByTestId('h5-balance').textContent(), '¥100.00');

  await page.getByTestId('h5-start').click();
  await page.getByTestId('h5-live').waitFor();
  // live figures rise
  const first = await waitFor('energy flowing', async () => {
    const k = num(await page.getByTestId('h5-kwh').textContent());
    return k > 0 ? k : null;
  });
  const later = await waitFor('energy rising', async () => {
    const k = num(await page.getByTestId('h5-kwh').textContent());
    return k > first ? k : null;
  });
  assert.ok(later > first);
  assert.ok(num(await page.getByTestId('h5-soc').textContent()) > 0, 'SoC shown');
  assert.ok(num(await page.getByTestId('h5-power').textContent()) > 0, 'power shown');
  await waitFor('cost so far', async () => num(await page.getByTestId('h5-cost').textContent()) > 0);
  await shot(page, 'h5-3-live');

  await page.getByTestId('h5-stop').click();
  await page.getByTestId('h5-no-session').waitFor();
  await w.sim.unplug(1);
  await page.getByTestId('nav-orders').click();
  const order = page.locator('[data-testid^="h5-order-"]').first();
  await waitFor('the order', async () => {
    if (await order.count()) return true;
    await page.reload();
    return false;
  });
  await page.getByTestId('h5-breakdown').waitFor();
  const rows = page.locator('[data-testid="h5-breakdown"] tbody tr');
  assert.ok((await rows.count()) >= 3, 'at least one period row, the idle fee and the total');
  await shot(page, 'h5-4-orders');

  await page.getByTestId('nav-wallet').click();
  await page.getByTestId('h5-wallet-balance').waitFor();
  const balance = await waitFor('the balance after the order', async () => {
    const b = (await page.getByTestId('h5-wallet-balance').textContent()) ?? '';
    return /^¥\d+\.\d{2}$/.test(b) && b !== '¥100.00' ? b : null;
  });

  // top up 50 yuan through (fake) WeChat Pay H5: its cashier page, pay, back to the H5 page, credited
  await page.getByText('¥50', { exact: true }).click();
  await page.getByTestId('h5-pay').click();
  await page.waitForURL(/\/fake\/checkout\//);
  await shot(page, 'h5-5-wechatpay');
  await page.locator('#pay').click();
  await page.waitForURL(/\/h5\/op1\?topup=/);
  await waitFor('the top-up credited', async () => (await page.getByTestId('h5-topup-status').textContent())?.includes('已到账'), 15_000);
  const fen = (s: string) => Math.round(Number(s.replace('¥', '')) * 100);
  await waitFor('the new balance', async () => fen((await page.getByTestId('h5-wallet-balance').textContent()) ?? '') === fen(balance) + 5000);
  await shot(page, 'h5-6-topup');
  await page.getByTestId('h5-lang').click();
  assert.equal(await page.getByTestId('nav-wallet').textContent(), 'Wallet');
  await shot(page, 'h5-7-wallet-en');
  assert.deepEqual(errors, []);
});

test('the H5 initial load stays under 200 KB of JavaScript gzipped, and loads no antd', async (t) => {
  const html = await (await fetch(`${w.p.url}/h5/op1`)).text();
  // the entry script and every chunk it preloads
  const scripts = [...html.matchAll(/(?:src|href)="(\/web\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  assert.ok(scripts.length >= 1);
  let gz = 0;
  for (const s of scripts) {
    const body = await (await fetch(w.p.url + s)).text();
    gz += gzipSync(body, { level: 9 }).length;
    assert.doesNotMatch(body, /ant-btn|antd/, `${s} carries no antd`);
  }
  t.diagnostic(`H5 initial JavaScript: ${(gz / 1024).toFixed(1)} KB gzipped in ${scripts.length} file(s)`);
  assert.ok(gz > 10_000 && gz < 200 * 1024, `${gz} bytes`);
});
