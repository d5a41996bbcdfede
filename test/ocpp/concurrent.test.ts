import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { charger, boot, iso } from './support.ts';

let p: TestPlatform;
let cp: any;
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  cp = await charger(p);
  await boot(cp);
});
after(async () => {
  await cp?.close({ force: true });
  await p.close();
});

test('one card on two connectors at once: ConcurrentTx at Authorize and StartTransaction, recorded and flagged', async () => {
  const first = await cp.call('StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 1000, timestamp: iso() });
  assert.equal(first.idTagInfo.status, 'Accepted');
  assert.equal((await cp.call('Authorize', { idTag: 'CARD0001' })).idTagInfo.status, 'ConcurrentTx');
  const second = await cp.call('StartTransaction', { connectorId: 2, idTag: 'CARD0001', meterStart: 5000, timestamp: iso() });
  assert.equal(second.idTagInfo.status, 'ConcurrentTx');
  assert.ok(second.transactionId > first.transactionId);
  const t = await p.login('op1-staff', 'op1-staff-pass');
  const s = await p.api('GET', `/api/v1/sessions/${second.transactionId}`, undefined, t);
  assert.ok(s.body.flags.includes('concurrent_tx'), JSON.stringify(s.body.flags));
  // A retried identical start keeps its first answer.
  const again = await cp.call('StartTransaction', { connectorId: 2, idTag: 'CARD0001', meterStart: 5000, timestamp: new Date(Date.parse(s.body.startedAt ?? s.body.startTime)).toISOString() });
  assert.equal(again.transactionId, second.transactionId);
  await cp.call('StopTransaction', { transactionId: second.transactionId, meterStop: 5000, timestamp: iso(), reason: 'DeAuthorized' });
  await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 2000, timestamp: iso() });
  assert.equal((await cp.call('Authorize', { idTag: 'CARD0001' })).idTagInfo.status, 'Accepted');
});
