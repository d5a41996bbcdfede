import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { charger, boot, eventually } from '../ocpp/support.ts';
import { walletBalanceFen } from '../../src/modules/wallet/index.ts';
import { verifyLedgerLast } from '../support/verify-ledger.ts';
import { FakeClock } from '../../src/platform/clock.ts';

// Issue 11, point 5 over real OCPP 1.6J: one wallet of 40.00, two connectors of a DC charger started one
// after the other with two cards of the same driver. The first start holds 30.00, the second the 10.00 left;
// each charger then delivers 54 kW (300 Wh = 0.45 yuan per 20 s frame at 1.50 yuan/kWh) and the
// balance watcher stops each when cost + 1.35 (60 s more at 54 kW) reaches its share: B at frame 20
// (9.00 + 1.35 ≥ 10.00; frame 19: 9.90 < 10.00), A at frame 64 (28.80 + 1.35 ≥ 30.00; frame 63: 29.70).
const PHONE = '13500000041';
// the platform's clock runs from a fixed midday, so the session never crosses the operator's
// midnight, where the flat day would be priced in two rounded parts (a fen more than the figures below)
const NOW = Date.parse('2026-11-18T12:00:00+08:00');
let p: TestPlatform;
let admin: string;
const cps: any[] = [];

before(async () => {
  const doc: any = minimalDoc();
  const op = doc.operators[0];
  op.tariffs[0].versions[0].periods = [{ start: '00:00', type: 'flat', electricityPrice: '1.0000', servicePrice: '0.5000' }];
  op.drivers.push({ phone: PHONE, name: '两张卡', idTags: [{ id: 'HOLDA001', status: 'active' }, { id: 'HOLDB001', status: 'active' }], walletBalance: '40.00' });
  p = await startTestPlatform({ provisioning: doc, timeScale: 0.01, clock: new FakeClock(NOW, { ticking: true }) });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  await p.api('PUT', '/api/v1/wallet/settings', { minStartBalance: '5.00', stopMargin: '1.00', stopHorizonSeconds: 60, lowBalance: '2.00' }, admin);
});
after(async () => {
  for (const c of cps) await c?.close({ force: true });
  await p?.close();
});

test('two sessions on one 40.00 wallet: holds 30.00 + 10.00, each remote-stopped at its share, settled, holds released', async () => {
  const t0 = NOW - 40 * 60_000;
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  // one DC charger (60 kW per connector), a card on each connector
  const cp = await charger(p);
  cps.push(cp);
  await boot(cp);
  const asked = new Set<number>();
  cp.handle('RemoteStopTransaction', async ({ params }: any) => (asked.add(params.transactionId), { status: 'Accepted' }));
  const run = async (connectorId: number, tag: string) => {
    const start = await cp.call('StartTransaction', { connectorId, idTag: tag, meterStart: 0, timestamp: at(0) });
    assert.equal(start.idTagInfo.status, 'Accepted');
    const tx = start.transactionId as number;
    return { cp, connectorId, tx, asked: () => asked.has(tx) };
  };
  const a = await run(1, 'HOLDA001');
  const b = await run(2, 'HOLDB001');
  const w = await p.api('GET', `/api/v1/drivers/${PHONE}`, undefined, admin);
  assert.deepEqual([w.body.walletBalance, w.body.availableBalance, w.body.holds.map((h: any) => [h.ref, h.amount])], ['40.00', '0.00', [[String(a.tx), '30.00'], [String(b.tx), '10.00']]]);

  const meter = (s: { cp: any; connectorId: number; tx: number }, i: number) =>
    s.cp.call('MeterValues', {
      connectorId: s.connectorId,
      transactionId: s.tx,
      meterValue: [{ timestamp: at(i * 20), sampledValue: [{ value: String(i * 300), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' }, { value: '54000', measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' }] }],
    });
  const decision = (tx: number) =>
    eventually(async () => (await p.ctx.db.query(`SELECT cost_fen, available_fen, margin_fen, hold_fen, reason FROM wallet_session_stops WHERE session_id = $1`, [tx])).rows[0], `the stop of session ${tx}`, 10_000);
  for (const [s, frames, share] of [[b, 20, 1000], [a, 64, 3000]] as const) {
    for (let i = 1; i <= frames; i++) await meter(s, i);
    const d = await decision(s.tx);
    assert.deepEqual([Number(d.cost_fen), Number(d.available_fen), Number(d.margin_fen), Number(d.hold_fen)], [frames * 45, share, 135, share]);
    assert.match(d.reason, /^balance_exhausted/);
    await eventually(async () => s.asked(), `RemoteStopTransaction for ${s.tx}`, 10_000);
  }
  // both chargers stop once both decisions are made (B's settlement would otherwise give A more: its
  // hold released, only its 9.00 charged)
  for (const [s, frames] of [[b, 20], [a, 64]] as const) {
    await s.cp.call('StopTransaction', { transactionId: s.tx, meterStop: frames * 300, timestamp: at(frames * 20 + 10), reason: 'Remote', idTag: s === a ? 'HOLDA001' : 'HOLDB001' });
    await s.cp.call('StatusNotification', { connectorId: s.connectorId, errorCode: 'NoError', status: 'Available', timestamp: at(frames * 20 + 30) });
  }
  // both settle against the wallet (the orders module, through the session.settle job): 9.00 + 28.80
  for (const s of [a, b])
    await eventually(async () => (await p.ctx.db.query(`SELECT 1 FROM orders WHERE session_id = $1 AND status = 'settled'`, [s.tx])).rows[0], `order of ${s.tx} settled`, 10_000).catch(async (e) => {
      throw new Error(`${e.message}: ${JSON.stringify((await p.ctx.db.query(`SELECT status, total_fen, abnormal_reasons FROM orders WHERE session_id = $1`, [s.tx])).rows)} ${JSON.stringify((await p.ctx.db.query(`SELECT status, unplugged_at, stop_reason FROM sessions WHERE id = $1`, [s.tx])).rows)}`);
    });
  assert.equal(await walletBalanceFen(p.ctx.db, 'op1', PHONE), 4000 - 900 - 2880);
  const d = await p.api('GET', `/api/v1/drivers/${PHONE}`, undefined, admin);
  assert.deepEqual([d.body.walletBalance, d.body.availableBalance, d.body.owed, d.body.holds], ['2.20', '2.20', '0.00', []]);
});

verifyLedgerLast(() => p.ctx.db);
