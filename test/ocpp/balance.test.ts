import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { charger, boot } from './support.ts';

let p: TestPlatform;
let cp: any;
before(async () => {
  const doc: any = minimalDoc();
  doc.operators[0].drivers.push({ phone: '13900000009', name: 'Empty wallet', idTags: [{ id: 'CARDPOOR', status: 'active' }], walletBalance: '1.00' });
  p = await startTestPlatform({ provisioning: doc });
  cp = await charger(p);
  await boot(cp);
});
after(async () => {
  await cp?.close({ force: true });
  await p.close();
});

test('Authorize: a valid card whose wallet is below the minimum balance to start is Blocked', async () => {
  assert.equal((await cp.call('Authorize', { idTag: 'CARDPOOR' })).idTagInfo.status, 'Blocked');
  assert.equal((await cp.call('Authorize', { idTag: 'CARD0001' })).idTagInfo.status, 'Accepted');
});

test('after a top-up above the minimum the same card is Accepted', async () => {
  const admin = await p.login('op1-admin', 'op1-admin-pass');
  const r = await p.api('POST', '/api/v1/drivers/13900000009/wallet/adjustments', { amount: '10.00', direction: 'credit', remark: 'test top-up by hand' }, admin);
  assert.ok(r.status < 300, JSON.stringify(r.body));
  assert.equal((await cp.call('Authorize', { idTag: 'CARDPOOR' })).idTagInfo.status, 'Accepted');
});
