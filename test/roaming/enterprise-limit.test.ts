/**
 * Issue 17.2: an enterprise member past a monthly cap is refused when a roaming partner starts a
 * session for it (the partner names its driver with the PhoneNum extension), with the reason; a
 * start naming nobody, or a driver with room left, goes ahead as before.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { SimulatedCharger } from '../../src/modules/ocpp/simulator/charger.ts';
import { CHARGER, XIAOJU, partnerClient, roamingDoc, startPartners } from './setup.ts';
import type { FakePartner } from './fake-partner.ts';

const CAPPED = '13500000061';
const FREE = '13500000062';
let p: TestPlatform;
let fx: { xiaoju: FakePartner; cec: FakePartner };
let xj: ReturnType<typeof partnerClient>;
let dc: SimulatedCharger;
let n = 0;
const seq = () => `${XIAOJU}${String(Date.now()).slice(-13)}${String(++n).padStart(5, '0')}`;

before(async () => {
  fx = await startPartners();
  const doc: any = roamingDoc({ xiaoju: fx.xiaoju.url, cec: fx.cec.url });
  const op = doc.operators[0];
  op.drivers = [...(op.drivers ?? []), { phone: CAPPED, name: '甲' }, { phone: FREE, name: '乙' }];
  op.enterprises = [
    {
      id: 'acme',
      name: '顺丰速运',
      creditLimit: '1000.00',
      departments: [{ id: 'south', name: '华南' }],
      members: [
        { phone: CAPPED, departmentId: 'south', limits: { monthlyAmount: '0.00' } },
        { phone: FREE, departmentId: 'south', limits: { monthlyAmount: '500.00' } },
      ],
    },
  ];
  p = await startTestPlatform({ provisioning: doc, timeScale: 0.01 });
  xj = partnerClient(p.url, XIAOJU, 'x');
  await xj.login();
  dc = new SimulatedCharger({ url: p.url.replace(/^http/, 'ws') + '/ocpp', id: CHARGER, authKey: 'key-0000000000000016', connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }, { id: 2, type: 'DC', maxPowerKw: 60 }], speed: 10, meterIntervalS: 60 });
  await dc.connect();
  await dc.boot();
});
after(async () => {
  await dc?.close().catch(() => {});
  await p?.close();
  await fx?.xiaoju.close();
  await fx?.cec.close();
});

test('a partner start for an enterprise member past its monthly cap is refused with the reason; nothing is started', async () => {
  const s = seq();
  const r = await xj.call('query_start_charge', { StartChargeSeq: s, ConnectorID: CHARGER + '01', QRCode: '', PhoneNum: CAPPED });
  assert.equal(r.ret, 0, JSON.stringify(r));
  assert.deepEqual([r.data.SuccStat, r.data.FailReason, r.data.StartChargeSeqStat], [1, 3, 4]);
  assert.match(r.data.FailReasonMsg, /^企业额度不足：the monthly amount limit of enterprise acme \(member\) is reached for this month$/);
  const rows = await p.ctx.db.query(`SELECT 1 FROM roaming_sessions WHERE start_charge_seq = $1`, [s]);
  assert.equal(rows.rows.length, 0, 'no partner session was opened');
});

test('a member with room left, or a start naming no driver, is not refused by the caps', async () => {
  const withRoom = await xj.call('query_start_charge', { StartChargeSeq: seq(), ConnectorID: CHARGER + '01', QRCode: '', PhoneNum: FREE });
  assert.equal(withRoom.data.SuccStat, 0, JSON.stringify(withRoom.data));
  const anonymous = await xj.call('query_start_charge', { StartChargeSeq: seq(), ConnectorID: CHARGER + '02', QRCode: '' });
  assert.equal(anonymous.data.SuccStat, 0, JSON.stringify(anonymous.data));
});
