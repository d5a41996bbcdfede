/**
 * The order of a real OCPP 1.6J session (ocpp-rpc client in strict mode): StartTransaction, MeterValues,
 * StopTransaction make an `idle` order with a live cost on the way; StatusNotification Available makes
 * it final and settles it with the idle fee computed from the charger's own timestamps.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { charger, boot, eventually, iso, CP } from '../ocpp/support.ts';
import { getSession } from '../../src/modules/sessions/index.ts';
import { ordersDoc } from './support.ts';
import { parseYuan } from '../../src/platform/money.ts';

let p: TestPlatform;
let staff: string;
before(async () => {
  p = await startTestPlatform({ provisioning: ordersDoc(), timeScale: 0.001 });
  staff = await p.login('op1-staff', 'op1-staff-pass');
});
after(async () => p.close());

test('OCPP session → idle order (live cost on the way) → Available → settled with the idle fee', async () => {
  const c = await charger(p);
  try {
    await boot(c);
    const MIN = 60_000;
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing', timestamp: iso(70 * MIN) });
    const start = await c.call('StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 2_000_000, timestamp: iso(70 * MIN) });
    assert.equal(start.idTagInfo.status, 'Accepted');
    const tx = start.transactionId;
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging', timestamp: iso(69 * MIN) });
    await c.call('MeterValues', {
      connectorId: 1,
      transactionId: tx,
      meterValue: [{ timestamp: iso(50 * MIN), sampledValue: [{ value: '2012000', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    const live = await eventually(async () => (await getSession(p.ctx.db, 'op1', tx))?.live_cost as any, 'live cost');
    assert.equal(live.billedWh, 12_000);

    await c.call('StopTransaction', { transactionId: tx, meterStop: 2_030_000, timestamp: iso(40 * MIN), reason: 'Local', idTag: 'CARD0001' });
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Finishing', timestamp: iso(40 * MIN) });
    const idle = await eventually(async () => (await p.api('GET', '/api/v1/orders?chargerId=' + CP, undefined, staff)).body.items.find((o: any) => o.sessionId === tx), 'order');
    assert.equal(idle.status, 'idle');
    assert.equal(idle.energyKwh, '30.00');

    // unplugged 40 minutes after the stop, by the charger's clock: 40 − 10 grace = 30 min × 0.50 = 15.00
    await c.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: iso(0) });
    const settled = await eventually(async () => {
      const o = (await p.api('GET', `/api/v1/orders/${idle.orderNo}`, undefined, staff)).body;
      return o.status === 'settled' ? o : null;
    }, 'settled order');
    assert.equal(settled.idleFee, '15.00');
    assert.equal(settled.paymentMethod, 'wallet');
    assert.equal(settled.driver.phone, '18475511853');
    const sum = (k: string) => settled.periods.reduce((a: number, x: any) => a + parseYuan(x[k]), 0);
    assert.equal(sum('electricityAmount'), parseYuan(settled.electricityAmount));
    assert.equal(sum('serviceAmount'), parseYuan(settled.serviceAmount));
    assert.equal(parseYuan(settled.totalAmount), parseYuan(settled.electricityAmount) + parseYuan(settled.serviceAmount) + 1500);
  } finally {
    await c.close({ force: true });
  }
});
