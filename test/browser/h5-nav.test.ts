import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, newPage, DC, type World } from './support.ts';
import { peekDriverCode } from '../../src/modules/web/driver-auth.ts';

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

test("H5 messages are in the driver's language and stay until dismissed (a poll does not clear them)", async () => {
  const phone = '18475511853';
  assert.equal((await w.p.api('POST', '/api/v1/driver-auth/code', { operatorId: 'op1', phone })).status, 200);
  const login = await w.p.api('POST', '/api/v1/driver-auth/login', { operatorId: 'op1', phone, code: peekDriverCode('op1', phone) });
  const token = login.body.token;
  // the driver already charges on gun 1
  await w.sim.plugIn(1);
  const first = await w.p.api('POST', '/api/v1/h5/sessions', { chargerId: DC, connectorId: 1 }, token);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  try {
    const { page, errors } = await newPage(w.browser, { width: 360, height: 740, mobile: true });
    await page.goto(`${w.p.url}/h5/op1`);
    await page.evaluate((t) => localStorage.setItem('chargeops.h5.token.op1', t), token);
    for (const [lang, text] of [
      ['zh', '您已有一笔充电正在进行，请先结束它'],
      ['en', 'You already have a charging session in progress: stop it first'],
    ]) {
      await page.goto(`${w.p.url}/h5/op1?c=${DC}&g=2`);
      await page.getByTestId('h5-connector').waitFor();
      if (lang === 'en') await page.getByTestId('h5-lang').click();
      await page.getByTestId('h5-start').click();
      const note = page.getByTestId('h5-error');
      await note.waitFor();
      assert.equal((await note.textContent())?.replace('×', ''), text);
      // the gun view polls every 5 s: the message is still there after the next poll answered
      await page.waitForResponse((r) => r.url().includes(`/api/v1/h5/connectors/${DC}/2`));
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null)))); // its render
      assert.equal((await note.textContent())?.replace('×', ''), text, 'still shown after a poll');
      await page.getByTestId('h5-error-close').click();
      assert.equal(await note.count(), 0, 'dismissed');
    }
    assert.deepEqual(errors, []);
  } finally {
    const cur = await w.p.api('GET', '/api/v1/h5/sessions/current', undefined, token);
    if (cur.body.session) await w.p.api('POST', `/api/v1/h5/sessions/${cur.body.session.id}/stop`, undefined, token);
    await w.sim.unplug(1).catch(() => {});
  }
});
