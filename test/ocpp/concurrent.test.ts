import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { charger, boot, iso, eventually } from './support.ts';

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

test('a start answered ConcurrentTx and abandoned by the charger (Available, no StopTransaction) does not lock the card; it is closed, flagged, not billed', async () => {
  const t = await p.login('op1-staff', 'op1-staff-pass');
  const first = await cp.call('StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 1000, timestamp: iso(60_000) });
  assert.equal(first.idTagInfo.status, 'Accepted');
  const phantom = await cp.call('StartTransaction', { connectorId: 2, idTag: 'CARD0001', meterStart: 5000, timestamp: iso(50_000) });
  assert.equal(phantom.idTagInfo.status, 'ConcurrentTx');
  assert.ok(phantom.transactionId > 0, 'a transactionId is still assigned');
  await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 2000, timestamp: iso(40_000) });
  // The refused start never counts as the card's running session.
  assert.equal((await cp.call('Authorize', { idTag: 'CARD0001' })).idTagInfo.status, 'Accepted');
  // The charger puts the connector back to Available and never sends StopTransaction.
  await cp.call('StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available', timestamp: iso(30_000) });
  const s = await p.api('GET', `/api/v1/sessions/${phantom.transactionId}`, undefined, t);
  assert.equal(s.body.status, 'finished');
  assert.ok(s.body.flags.includes('abandoned'), JSON.stringify(s.body.flags));
  // Its order (if the sweep or the event makes one) bills nothing.
  const order = await eventually(async () => {
    const r = await p.ctx.db.query<{ total_fen: string; status: string; energy_wh: string }>(`SELECT total_fen, status, energy_wh FROM orders WHERE session_id = $1 AND end_time IS NOT NULL`, [phantom.transactionId]);
    return r.rows[0];
  }, 'the abandoned session order');
  assert.equal(Number(order.total_fen), 0);
  assert.equal(Number(order.energy_wh), 0);
  assert.notEqual(order.status, 'settled', 'held for review, no money moved');
  // Retrying on the same connector starts normally.
  const retry = await cp.call('StartTransaction', { connectorId: 2, idTag: 'CARD0001', meterStart: 5000, timestamp: iso(20_000) });
  assert.equal(retry.idTagInfo.status, 'Accepted');
  await cp.call('StopTransaction', { transactionId: retry.transactionId, meterStop: 5100, timestamp: iso(10_000) });
});

test('a refused start left open is closed when the connector starts another transaction', async () => {
  const t = await p.login('op1-staff', 'op1-staff-pass');
  const first = await cp.call('StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 1000, timestamp: iso(60_000) });
  const phantom = await cp.call('StartTransaction', { connectorId: 2, idTag: 'CARD0001', meterStart: 5000, timestamp: iso(50_000) });
  assert.equal(phantom.idTagInfo.status, 'ConcurrentTx');
  await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 2000, timestamp: iso(40_000) });
  const next = await cp.call('StartTransaction', { connectorId: 2, idTag: 'CARD0001', meterStart: 5000, timestamp: iso(30_000) });
  assert.equal(next.idTagInfo.status, 'Accepted');
  const s = await p.api('GET', `/api/v1/sessions/${phantom.transactionId}`, undefined, t);
  assert.equal(s.body.status, 'finished');
  assert.ok(s.body.flags.includes('abandoned') && !s.body.flags.includes('no_stop'), JSON.stringify(s.body.flags));
  await cp.call('StopTransaction', { transactionId: next.transactionId, meterStop: 5100, timestamp: iso(20_000) });
});
