import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { charger, boot, eventually } from '../ocpp/support.ts';
import { modules } from '../../src/modules/index.ts';
import { chargeForOrder, walletBalanceFen } from '../../src/modules/wallet/index.ts';
import { watchedSession } from '../../src/modules/wallet/running-cost.ts';

// Done when: "A session whose cost reaches the wallet balance is remote-stopped and settles to
// exactly zero balance". A real OCPP 1.6J charger (ocpp-rpc RPCClient, strict) charges at 90 kW on
// a flat 1.50 yuan/kWh tariff from a 10.00 yuan wallet; it answers RemoteStopTransaction by sending
// StopTransaction, after energy that was still flowing pushed the cost past the balance.
const PHONE = '13500000009';
let p: TestPlatform;
let cp: any;
let admin: string;

before(async () => {
  const doc: any = minimalDoc();
  const op = doc.operators[0];
  op.tariffs[0].versions[0].periods = [{ start: '00:00', type: 'flat', electricityPrice: '1.0000', servicePrice: '0.5000' }];
  op.drivers.push({ phone: PHONE, name: '余额少', idTags: [{ id: 'LOWBAL01', status: 'active' }], walletBalance: '10.00' });
  p = await startTestPlatform({ provisioning: doc, timeScale: 0.01 });
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
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: new Date().toISOString() });
  const t0 = Date.now() - 20 * 60_000;
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const auth = await cp.call('Authorize', { idTag: 'LOWBAL01' });
  assert.equal(auth.idTagInfo.status, 'Accepted');
  const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'LOWBAL01', meterStart: 0, timestamp: at(0) });
  assert.equal(start.idTagInfo.status, 'Accepted');
  const tx: number = start.transactionId;

  let stopAsked: number | null = null;
  let lastWh = 0;
  let stopped: Promise<unknown> | null = null;
  cp.handle('RemoteStopTransaction', async ({ params }: any) => {
    stopAsked = params.transactionId;
    // The charger ramps down: 1.5 kWh more flow before it reports the stop (late energy).
    setTimeout(() => {
      stopped = cp.call('StopTransaction', { transactionId: params.transactionId, meterStop: lastWh + 1500, timestamp: at(20 * 40), reason: 'Remote', idTag: 'LOWBAL01' });
    }, 10);
    return { status: 'Accepted' };
  });

  // 500 Wh per frame (90 kW for 20 s) = 0.75 yuan per frame until the platform asks to stop.
  for (let i = 1; i <= 40 && stopAsked === null; i++) {
    lastWh = i * 500;
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: tx,
      meterValue: [{ timestamp: at(i * 20), sampledValue: [{ value: String(lastWh), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' }, { value: '90000', measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' }] }],
    });
    await eventually(async () => (await p.ctx.db.query(`SELECT 1 FROM wallet_session_stops WHERE session_id = $1`, [tx])).rows.length > 0 || i * 500 < 5000, 'the watcher', 2000).catch(() => {});
  }
  await eventually(async () => stopAsked !== null, 'RemoteStopTransaction', 5000);
  assert.equal(stopAsked, tx);
  // The decision came before the balance ran out: cost + margin (90 kW × 60 s at 0.15 fen/Wh = 2.25 yuan) ≥ 10.00 yuan.
  const decision = (await p.ctx.db.query(`SELECT cost_fen, available_fen, margin_fen FROM wallet_session_stops WHERE session_id = $1`, [tx])).rows[0];
  assert.equal(decision.margin_fen, 225);
  assert.equal(decision.available_fen, 1000);
  assert.ok(decision.cost_fen < 1000 && decision.cost_fen + 225 >= 1000, JSON.stringify(decision));

  await eventually(async () => stopped, 'StopTransaction sent');
  await stopped;
  await eventually(async () => (await p.ctx.db.query(`SELECT status FROM sessions WHERE id = $1`, [tx])).rows[0]?.status === 'finished', 'session finished');

  // The driver unplugs: the connector goes Available and the order is final (idle time within the grace period).
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Finishing', timestamp: at(20 * 40 + 5) });
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: at(20 * 40 + 60) });

  const ordersLanded = modules.some((m) => m.name === 'orders');
  if (!ordersLanded) {
    // Until the orders module settles sessions itself, settle the priced session the way it will.
    const s = await watchedSession(p.ctx.db, 'op1', tx);
    await p.ctx.db.tx((q) => chargeForOrder(q, { operatorId: 'op1', phone: PHONE, orderNo: `S${tx}`, version: 1, amountFen: s!.costFen! }));
  }
  const settled = await eventually(
    async () => (await p.ctx.db.query(`SELECT meta FROM ledger_transactions WHERE cause = 'order' AND meta->>'phone' = $1`, [PHONE])).rows[0],
    'the order settled against the wallet',
    10_000,
  );
  // Final cost: 1.5 kWh more than the last frame at 1.50 yuan/kWh, past the 10.00 yuan balance.
  assert.ok(settled.meta.amountFen > 1000, JSON.stringify(settled.meta));
  assert.equal(settled.meta.chargedFen, 1000);
  assert.equal(settled.meta.shortfallFen, settled.meta.amountFen - 1000);
  assert.equal(await walletBalanceFen(p.ctx.db, 'op1', PHONE), 0);
  const d = await p.api('GET', `/api/v1/drivers/${PHONE}`, undefined, admin);
  assert.equal(d.body.walletBalance, '0.00');
  assert.equal(d.body.owed, ((settled.meta.amountFen - 1000) / 100).toFixed(2));
  assert.equal((await p.api('GET', '/api/v1/wallet/check', undefined, admin)).body.ok, true);
  // and with nothing left the driver cannot start again
  assert.equal((await p.api('GET', `/api/v1/drivers/${PHONE}/can-start`, undefined, admin)).body.code, 'insufficient_balance');
  // staff credit the wallet and collect what is owed from it
  await p.api('POST', `/api/v1/drivers/${PHONE}/wallet/adjustments`, { amount: '5.00', direction: 'credit', remark: 'goodwill' }, admin);
  const c = await p.api('POST', `/api/v1/drivers/${PHONE}/wallet/collect-owed`, {}, admin);
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.deepEqual([c.body.collected, c.body.owed, c.body.walletBalance], [d.body.owed, '0.00', ((500 - (settled.meta.amountFen - 1000)) / 100).toFixed(2)]);
  assert.equal((await p.api('GET', '/api/v1/wallet/check', undefined, admin)).body.ok, true);
});
