import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { charger, boot, eventually } from '../ocpp/support.ts';
import { verifyLedgerLast } from '../support/verify-ledger.ts';
import { canStart } from '../../src/modules/wallet/index.ts';
import { FakeClock } from '../../src/platform/clock.ts';

// Issue 17 point 2 over real OCPP 1.6J: enterprise caps while charging. 华南 (cap 20.00) > 深圳 > 宝安;
// A in 深圳 with its own cap of 14.00, B in 宝安 with none. The charger delivers 54 kW (300 Wh = 0.45
// yuan per 20 s frame at 1.50 yuan/kWh); the stop threshold is 1.35 (60 s more at 54 kW). The balance
// watcher stops A when 13.05 + 1.35 ≥ 14.00 (frame 29; frame 28: 12.60 + 1.35 < 14.00), then B, whose
// department's cap leaves 20.00 − 13.05 = 6.95, when 5.85 + 1.35 ≥ 6.95 (frame 13; frame 12: 6.75). Each
// booked amount stays under its cap, and each member's next start is refused (OCPP Blocked).
const A = { phone: '13500000051', tag: 'ENTA0001' };
const B = { phone: '13500000052', tag: 'ENTB0001' };
let p: TestPlatform;
let admin: string;
let cp: any;
const asked = new Set<number>();
// the platform's clock runs from a fixed midday, so the sessions (50 to 25 minutes before it) never
// cross the operator's midnight, where a flat day would be priced in two rounded parts (13.06, not
// 13.05), nor a month's start, where "this month" of the caps would not hold them
const NOW = Date.parse('2026-11-18T12:00:00+08:00');
const t0 = NOW - 50 * 60_000;
const at = (s: number) => new Date(t0 + s * 1000).toISOString();

before(async () => {
  const doc: any = minimalDoc();
  const op = doc.operators[0];
  op.tariffs[0].versions[0].periods = [{ start: '00:00', type: 'flat', electricityPrice: '1.0000', servicePrice: '0.5000' }];
  op.drivers.push({ phone: A.phone, name: '甲', idTags: [{ id: A.tag, status: 'active' }] }, { phone: B.phone, name: '乙', idTags: [{ id: B.tag, status: 'active' }] });
  op.enterprises = [
    {
      id: 'acme',
      name: '顺丰速运',
      creditLimit: '1000.00',
      departments: [
        { id: 'south', name: '华南', limits: { monthlyAmount: '20.00' } },
        { id: 'sz', name: '深圳', parentId: 'south' },
        { id: 'bao', name: '宝安', parentId: 'sz' },
      ],
      members: [
        { phone: A.phone, departmentId: 'sz', limits: { monthlyAmount: '14.00' } },
        { phone: B.phone, departmentId: 'bao' },
      ],
    },
  ];
  p = await startTestPlatform({ provisioning: doc, timeScale: 0.01, clock: new FakeClock(NOW, { ticking: true }) });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  await p.api('PUT', '/api/v1/wallet/settings', { minStartBalance: '5.00', stopMargin: '1.00', stopHorizonSeconds: 60, lowBalance: '2.00' }, admin);
  cp = await charger(p);
  await boot(cp);
  cp.handle('RemoteStopTransaction', async ({ params }: any) => (asked.add(params.transactionId), { status: 'Accepted' }));
});
after(async () => {
  await cp?.close({ force: true });
  await p?.close();
});

/** One session on connector 1 from `from` s: frames of 300 Wh at 54 kW until the watcher's stop, then the charger stops. */
async function charge(who: { phone: string; tag: string }, from: number, frames: number) {
  const start = await cp.call('StartTransaction', { connectorId: 1, idTag: who.tag, meterStart: 0, timestamp: at(from) });
  assert.equal(start.idTagInfo.status, 'Accepted');
  const tx = start.transactionId as number;
  for (let i = 1; i <= frames; i++)
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: tx,
      meterValue: [{ timestamp: at(from + i * 20), sampledValue: [{ value: String(i * 300), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' }, { value: '54000', measurand: 'Power.Active.Import', unit: 'W', context: 'Sample.Periodic' }] }],
    });
  const stop = await eventually(async () => (await p.ctx.db.query(`SELECT cost_fen, available_fen, margin_fen, reason FROM wallet_session_stops WHERE session_id = $1`, [tx])).rows[0], `the stop of session ${tx}`, 15_000);
  await eventually(async () => asked.has(tx), `RemoteStopTransaction for ${tx}`, 15_000);
  await cp.call('StopTransaction', { transactionId: tx, meterStop: frames * 300, timestamp: at(from + frames * 20 + 5), reason: 'Remote', idTag: who.tag });
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: at(from + frames * 20 + 10) });
  const order = await eventually(async () => (await p.ctx.db.query(`SELECT total_fen FROM orders WHERE session_id = $1 AND status = 'settled'`, [tx])).rows[0], `order of ${tx} settled`, 15_000);
  return { tx, stop, totalFen: Number(order.total_fen) };
}

const members = async () => new Map(((await p.api('GET', '/api/v1/enterprises/acme/members', undefined, admin)).body.items as any[]).map((m) => [m.phone, m]));

test('a member cap stops the running session at the allowance and refuses the next start', async () => {
  const s = await charge(A, 0, 29);
  assert.deepEqual([Number(s.stop.cost_fen), Number(s.stop.available_fen), Number(s.stop.margin_fen)], [1305, 1400, 135]);
  assert.match(s.stop.reason, /^enterprise_limit: running cost 13\.05 yuan \+ stop threshold 1\.35 yuan reached the 14\.00 yuan left this month under the monthly amount limit of enterprise acme \(member\)$/);
  assert.equal(s.totalFen, 1305, 'booked within the cap');
  assert.deepEqual((await members()).get(A.phone).left, { amount: '0.95', energyKwh: null });
  assert.equal((await cp.call('Authorize', { idTag: A.tag })).idTagInfo.status, 'Blocked');
  // a charger that starts without asking (local authorisation) hears it in the StartTransaction answer
  const refused = await cp.call('StartTransaction', { connectorId: 1, idTag: A.tag, meterStart: 8_700, timestamp: at(900) });
  assert.equal(refused.idTagInfo.status, 'Blocked');
  await cp.call('StopTransaction', { transactionId: refused.transactionId, meterStop: 8_700, timestamp: at(905), reason: 'DeAuthorized', idTag: A.tag });
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: at(910) });
  const why = await p.ctx.db.tx((q) => canStart(q, 'op1', { idTag: A.tag }, p.ctx.clock.date()));
  assert.deepEqual([why.code, why.reason], ['enterprise_limit', 'the monthly amount limit of enterprise acme (member) leaves 0.95 yuan this month, below the 5.00 yuan needed to start']);
});

test('a department cap does the same for a member of a sub-department', async () => {
  assert.equal((await cp.call('Authorize', { idTag: B.tag })).idTagInfo.status, 'Accepted', '华南 has 6.95 left');
  const s = await charge(B, 1200, 13);
  assert.deepEqual([Number(s.stop.cost_fen), Number(s.stop.available_fen)], [585, 695]);
  assert.match(s.stop.reason, /reached the 6\.95 yuan left this month under the monthly amount limit of enterprise acme \(department 华南\)$/);
  assert.equal(s.totalFen, 585);
  assert.equal((await cp.call('Authorize', { idTag: B.tag })).idTagInfo.status, 'Blocked');
  const d = (await p.api('GET', '/api/v1/enterprises/acme/departments', undefined, admin)).body.flat.find((x: any) => x.name === '华南');
  assert.deepEqual([d.used.amount, d.left.amount], ['18.90', '1.10'], 'the department booked 13.05 + 5.85, under its 20.00');
});

verifyLedgerLast(() => p.ctx.db);
