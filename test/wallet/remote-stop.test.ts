import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { charger, boot, eventually } from '../ocpp/support.ts';
import { walletBalanceFen } from '../../src/modules/wallet/index.ts';
import { verifyLedgerLast } from '../support/verify-ledger.ts';
import { FakeClock } from '../../src/platform/clock.ts';

// Done when: "A session whose cost reaches the wallet balance is remote-stopped and settles to
// exactly zero balance". A real OCPP 1.6J charger (ocpp-rpc RPCClient, strict) charges at 54 kW on
// a flat 1.50 yuan/kWh tariff from a 10.00 yuan wallet; it answers RemoteStopTransaction by sending
// StopTransaction, after energy that was still flowing pushed the cost past the balance. Every
// figure is exact: the frame on which the watcher must decide follows from the rule, not from timing.
const PHONE = '13500000009';
// the platform's clock runs from a fixed midday, so the session never crosses the operator's
// midnight, where the flat day would be priced in two rounded parts (a fen more than the figures below)
const NOW = Date.parse('2026-11-18T12:00:00+08:00');
let p: TestPlatform;
let cp: any;
let admin: string;

before(async () => {
  const doc: any = minimalDoc();
  const op = doc.operators[0];
  op.tariffs[0].versions[0].periods = [{ start: '00:00', type: 'flat', electricityPrice: '1.0000', servicePrice: '0.5000' }];
  op.drivers.push({ phone: PHONE, name: '余额少', idTags: [{ id: 'LOWBAL01', status: 'active' }], walletBalance: '10.00' });
  p = await startTestPlatform({ provisioning: doc, timeScale: 0.01, clock: new FakeClock(NOW, { ticking: true }) });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  await p.api('PUT', '/api/v1/wallet/settings', { minStartBalance: '5.00', stopMargin: '1.00', stopHorizonSeconds: 60, lowBalance: '2.00' }, admin);
  cp = await charger(p);
});
after(async () => {
  await cp?.close({ force: true });
  await p?.close();
});

test('a session whose cost reaches the wallet balance is remote-stopped and settles to exactly zero balance', async () => {
  await boot(cp);
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: p.ctx.clock.date().toISOString() });
  const t0 = NOW - 20 * 60_000;
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const auth = await cp.call('Authorize', { idTag: 'LOWBAL01' });
  assert.equal(auth.idTagInfo.status, 'Accepted');
  const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOWBAL01', meterStart: 0, timestamp: at(0) });
  assert.equal(start.idTagInfo.status, 'Accepted');
  const tx: number = start.transactionId;

  const DECISION_FRAME = 20;
  let stopAsked: number | null = null;
  let lastWh = 0;
  let stopped: Promise<unknown> | null = null;
  cp.handle('RemoteStopTransaction', async ({ params }: any) => {
    stopAsked = params.transactionId;
    // The charger ramps down: 0.9 kWh more flow (54 kW for 60 s) before it reports the stop (late energy).
    setTimeout(() => {
      stopped = cp.call('StopTransaction', { transactionId: params.transactionId, meterStop: lastWh + 900, timestamp: at(DECISION_FRAME * 20 + 60), reason: 'Remote', idTag: 'LOWBAL01' });
    }, 10);
    return { status: 'Accepted' };
  });

  // 300 Wh per frame (54 kW for 20 s) = 0.45 yuan per frame. The stop margin is what flows in the
  // next 60 s at 54 kW: 0.9 kWh = 1.35 yuan. So the watcher must decide on frame 20 (9.00 + 1.35 ≥
  // 10.00) and cannot before (frame 19: 8.55 + 1.35 < 10.00). The charger sends frames 1..20, then
  // waits for the platform: the decision records the cost it saw, which must be frame 20's.
  for (let i = 1; i <= DECISION_FRAME; i++) {
    lastWh = i * 300;
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: tx,
      meterValue: [{ timestamp: at(i * 20), sampledValue: [{ value: String(lastWh), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' }, { value: '54000', measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' }] }],
    });
  }
  const decision = await eventually(
    async () => (await p.ctx.db.query(`SELECT cost_fen, available_fen, margin_fen FROM wallet_session_stops WHERE session_id = $1`, [tx])).rows[0],
    "the balance watcher's stop decision",
    10_000,
  );
  assert.deepEqual({ ...decision }, { cost_fen: 900, available_fen: 1000, margin_fen: 135 });
  await eventually(async () => stopAsked !== null, 'RemoteStopTransaction', 10_000);
  assert.equal(stopAsked, tx);

  await eventually(async () => stopped, 'StopTransaction sent');
  await stopped;
  await eventually(async () => (await p.ctx.db.query(`SELECT status FROM sessions WHERE id = $1`, [tx])).rows[0]?.status === 'finished', 'session finished');

  // The driver unplugs: the connector goes Available and the order is final (idle time within the grace period).
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Finishing', timestamp: at(DECISION_FRAME * 20 + 65) });
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: at(DECISION_FRAME * 20 + 120) });

  // The orders module settles the session against the wallet (no help from the test): 6.0 + 0.9 kWh
  // at 1.50 yuan/kWh = 10.35 yuan, no idle fee (unplugged within the grace period); 10.00 from the
  // wallet, 0.35 owed. One order, one ledger transaction.
  const order = await eventually(
    async () => (await p.ctx.db.query(`SELECT order_no, status, total_fen, idle_fee_fen, charged_fen FROM orders WHERE session_id = $1`, [tx])).rows.find((o: any) => o.status === 'settled'),
    'the order settled',
    10_000,
  ).catch(async (e) => {
    throw new Error(`${e.message}: ${JSON.stringify((await p.ctx.db.query(`SELECT * FROM orders WHERE session_id = $1`, [tx])).rows)}`);
  });
  assert.deepEqual([Number(order.total_fen), Number(order.idle_fee_fen), Number(order.charged_fen)], [1035, 0, 1000]);
  const ledger = (await p.ctx.db.query(`SELECT cause_ref, meta FROM ledger_transactions WHERE cause = 'order' AND meta->>'phone' = $1`, [PHONE])).rows;
  assert.equal(ledger.length, 1, JSON.stringify(ledger));
  const settled = ledger[0];
  assert.equal(settled.cause_ref, order.order_no);
  assert.deepEqual([settled.meta.amountFen, settled.meta.chargedFen, settled.meta.shortfallFen], [1035, 1000, 35]);
  assert.equal(await walletBalanceFen(p.ctx.db, 'op1', PHONE), 0);
  const d = await p.api('GET', `/api/v1/drivers/${PHONE}`, undefined, admin);
  assert.equal(d.body.walletBalance, '0.00');
  assert.equal(d.body.owed, '0.35');
  assert.equal((await p.api('GET', '/api/v1/wallet/check', undefined, admin)).body.ok, true);
  // and with nothing left the driver cannot start again
  assert.equal((await p.api('GET', `/api/v1/drivers/${PHONE}/can-start`, undefined, admin)).body.code, 'insufficient_balance');
  // staff credit the wallet and collect what is owed from it
  await p.api('POST', `/api/v1/drivers/${PHONE}/wallet/adjustments`, { amount: '5.00', direction: 'credit', remark: 'goodwill' }, admin);
  const c = await p.api('POST', `/api/v1/drivers/${PHONE}/wallet/collect-owed`, {}, admin);
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.deepEqual([c.body.collected, c.body.owed, c.body.walletBalance], ['0.35', '0.00', '4.65']);
  assert.equal((await p.api('GET', '/api/v1/wallet/check', undefined, admin)).body.ok, true);
});

verifyLedgerLast(() => p.ctx.db);
