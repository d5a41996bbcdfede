/**
 * Issue 11 point 4: a T/CEC partner session under an idle-fee rule. notification_charge_order_info
 * goes out when the session stops (the order as it stands, idle fee still accruing); when the idle
 * fee is final the corrected order goes out again for the same StartChargeSeq, and
 * check_charge_orders reports that final one.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { expectRemoteStart, recordStart, recordStop, applyConnectorStatus } from '../../src/modules/sessions/index.ts';
import { CHARGER, XIAOJU, roamingDoc, startPartners } from './setup.ts';
import type { FakePartner } from './fake-partner.ts';

let p: TestPlatform;
let fx: { xiaoju: FakePartner; cec: FakePartner };
const MIN = 60_000;

before(async () => {
  fx = await startPartners();
  const doc: any = roamingDoc({ xiaoju: fx.xiaoju.url, cec: fx.cec.url });
  doc.operators[0].tariffs[0].versions[0].idleFee = { graceMinutes: 10, pricePerMinute: '0.5000', capPerSession: '20.00' };
  p = await startTestPlatform({ provisioning: doc, timeScale: 0.01 });
});
after(async () => {
  await p?.close();
  await fx?.xiaoju.close();
  await fx?.cec.close();
});

test('a partner session is pushed at stop although an idle fee accrues, then again with the final idle fee; the check reports the final one', async () => {
  const seq = `${XIAOJU}${Date.now()}00001`;
  const t0 = Date.now() - 3 * 3_600_000;
  const sessionId = await p.ctx.db.tx(async (q) => {
    await expectRemoteStart(q, { operatorId: 'op1', chargerId: CHARGER, connectorId: 2, idTag: 'PARTNERTAG', origin: 'partner', partnerId: XIAOJU, startChargeSeq: seq });
    const r = await recordStart(q, { operatorId: 'op1', stationId: 's1', chargerId: CHARGER, connectorId: 2, idTag: 'PARTNERTAG', meterStartWh: 1_000, startedAt: new Date(t0), receivedAt: new Date(t0) });
    await q.query(
      `INSERT INTO roaming_sessions (operator_id, partner_id, start_charge_seq, connector_code, charger_id, connector_id, state, session_id, started_at)
       VALUES ('op1', $1, $2, $3, $4, 2, 'charging', $5, $6)`,
      [XIAOJU, seq, CHARGER + '02', CHARGER, r.sessionId, new Date(t0)],
    );
    return r.sessionId;
  });
  const stopAt = new Date(t0 + 60 * MIN);
  await p.ctx.db.tx((q) => recordStop(q, { operatorId: 'op1', chargerId: CHARGER, transactionId: sessionId, meterStopWh: 21_000, stoppedAt: stopAt, reason: 'EVDisconnected', receivedAt: stopAt }));

  const pushes = () => fx.xiaoju.of('notification_charge_order_info').filter((r) => r.data.StartChargeSeq === seq);
  const first = await fx.xiaoju.waitFor('order at stop', () => pushes()[0]);
  const orderNo = (await p.ctx.db.query(`SELECT order_no, status FROM orders WHERE session_id = $1`, [sessionId])).rows[0];
  assert.equal(orderNo.status, 'idle', 'the car is still plugged in: the idle fee is not final');
  assert.equal(first.data.TotalPower, 20);

  // unplugged 30 minutes after the stop: 20 billable minutes × 0.50 = 10.00
  await p.ctx.db.tx((q) => applyConnectorStatus(q, { chargerId: CHARGER, connectorId: 2, status: 'Available', at: new Date(stopAt.getTime() + 30 * MIN), lastBootAt: null, receivedAt: new Date() }));
  const final = await fx.xiaoju.waitFor('final order', () => pushes()[1]);
  assert.equal(final.data.IdleFee, 10);
  assert.notEqual(first.data.IdleFee, 10, 'the first push was the order at stop');
  assert.equal(final.data.StartChargeSeq, first.data.StartChargeSeq);

  const admin = await p.login('op1-admin', 'op1-admin-pass');
  const day = new Date(stopAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  const r = await p.api('POST', '/api/v1/partners/check', { day }, admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const check = await fx.xiaoju.waitFor('check', () => fx.xiaoju.of('check_charge_orders').at(-1));
  const mine = check.data.ChargeOrders.filter((o: any) => o.StartChargeSeq === seq);
  assert.deepEqual(mine, [{ StartChargeSeq: seq, TotalPower: final.data.TotalPower, TotalMoney: final.data.TotalMoney }]);
  const stored = await p.ctx.db.query(`SELECT payload FROM roaming_order_pushes WHERE start_charge_seq = $1`, [seq]);
  assert.deepEqual(stored.rows.map((x: any) => x.payload.IdleFee), [10], 'one row per order version, holding the final figures');
});
