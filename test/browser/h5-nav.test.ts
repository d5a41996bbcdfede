import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, newPage, DC, type World } from './support.ts';

let w: World;
before(async () => (w = await startWorld()));
after(async () => w?.close());

test('H5 navigation re-renders without a reload: typed charger, scanned QR address, back and forward, the tabs', async () => {
  const { page, errors } = await newPage(w.browser, { width: 360, height: 740, mobile: true });
  let loads = 0;
  page.on('load', () => loads++);
  await page.goto(`${w.p.url}/h5/op1`);
  await page.getByTestId('h5-charger').waitFor();

  // typed charger and gun → 查看充电枪 shows the gun (the address changes only in its query string)
  await page.getByTestId('h5-charger').fill(DC);
  await page.getByTestId('h5-gun').fill('2');
  await page.getByTestId('h5-go').click();
  await page.getByTestId('h5-connector').waitFor();
  assert.match(page.url(), new RegExp(`/h5/op1\\?c=${DC}&g=2$`));
  assert.match((await page.getByTestId('h5-connector').textContent()) ?? '', /2/);

  // back: the entry form again; forward: the gun again
  await page.goBack();
  await page.getByTestId('h5-charger').waitFor();
  assert.equal(await page.getByTestId('h5-connector').count(), 0);
  await page.goForward();
  await page.getByTestId('h5-connector').waitFor();

  // the tabs: each needs a login, and back returns to the gun
  await page.getByTestId('nav-orders').click();
  await page.getByTestId('h5-phone').waitFor();
  assert.match(page.url(), /\/h5\/op1\/login\?next=%2Forders$/);
  await page.getByTestId('nav-charge').click();
  await page.getByTestId('h5-charger').waitFor();
  await page.goBack(); // login
  await page.getByTestId('h5-phone').waitFor();
  await page.goBack(); // the login replaced /orders (a redirect): back reaches the gun, no loop
  await page.getByTestId('h5-connector').waitFor();
  assert.equal(loads, 1, 'one page load: every step above was client-side');

  // a scanned QR code's address opens the gun directly, and "back" from an unknown gun leaves it
  await page.goto(`${w.p.url}/h5/op1?c=${DC}&g=1`);
  await page.getByTestId('h5-connector').waitFor();
  await page.goto(`${w.p.url}/h5/op1?c=99999999&g=9`);
  await page.getByTestId('h5-error').waitFor();
  await page.getByTestId('h5-back').click();
  await page.getByTestId('h5-charger').waitFor();
  assert.deepEqual(errors, []);
});
