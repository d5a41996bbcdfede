/**
 * A partner session end to end: fake partner platforms (both dialects) and a simulated charger
 * (ocpp-rpc RPCClient) against the real platform.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { SimulatedCharger } from '../../src/modules/ocpp/simulator/charger.ts';
import { AC_CHARGER, CEC, CHARGER, XIAOJU, partnerClient, roamingDoc, startPartners } from './setup.ts';
import type { FakePartner } from './fake-partner.ts';

let p: TestPlatform;
let fx: { xiaoju: FakePartner; cec: FakePartner };
let xj: ReturnType<typeof partnerClient>;
let cec: ReturnType<typeof partnerClient>;
let dc: SimulatedCharger;
let ac: SimulatedCharger;
let n = 0;
const seq = (id: string) => `${id}${Date.now()}${String(++n).padStart(5, '0')}`;
const cents = (x: number) => Math.round(x * 100);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function eventually<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const rsOf = async (partnerId: string, s: string) =>
  (await p.ctx.db.query(`SELECT * FROM roaming_sessions WHERE partner_id = $1 AND start_charge_seq = $2`, [partnerId, s])).rows[0];

before(async () => {
  fx = await startPartners();
  p = await startTestPlatform({ provisioning: roamingDoc({ xiaoju: fx.xiaoju.url, cec: fx.cec.url }, { startConfirmTimeoutSeconds: 200 }), timeScale: 0.01 });
  xj = partnerClient(p.url, XIAOJU, 'x');
  cec = partnerClient(p.url, CEC, 'c');
  await xj.login();
  await cec.login();
  const url = p.url.replace(/^http/, 'ws') + '/ocpp';
  dc = new SimulatedCharger({ url, id: CHARGER, authKey: 'key-0000000000000016', connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }, { id: 2, type: 'DC', maxPowerKw: 60 }], speed: 10, meterIntervalS: 60 });
  ac = new SimulatedCharger({ url, id: AC_CHARGER, authKey: 'key-0000000000000017', connectors: [{ id: 1, type: 'AC', maxPowerKw: 7 }], speed: 10, meterIntervalS: 60 });
  await dc.connect();
  await dc.boot();
  await ac.connect();
  await ac.boot();
});
after(async () => {
  await dc?.close().catch(() => {});
  await ac?.close().catch(() => {});
  await p?.close();
  await fx?.xiaoju.close();
  await fx?.cec.close();
});

test('equip auth needs a plugged-in gun; start → start result with the partner’s token → status pushes → stop → order whose details add up (xiaoju)', async () => {
  const conn = CHARGER + '01';
  await eventually('connector status known', async () => (await xj.call('query_station_status', { StationIDs: ['s1'] })).data?.StationStatusInfos[0].ConnectorStatusInfos.find((c: any) => c.ConnectorID === conn)?.Status === 1);
  const unplugged = await xj.call('query_equip_auth', { EquipAuthSeq: seq(XIAOJU), ConnectorID: conn });
  assert.deepEqual([unplugged.data.SuccStat, unplugged.data.FailReason], [1, 1]);
  await dc.plugIn(1);
  await eventually('plugged', async () => (await xj.call('query_equip_auth', { EquipAuthSeq: seq(XIAOJU), ConnectorID: conn })).data.SuccStat === 0);

  const s = seq(XIAOJU);
  // the partner's retry may even arrive while the first call is still being answered
  const [first, ...twins] = await Promise.all(Array.from({ length: 4 }, () => xj.call('query_start_charge', { StartChargeSeq: s, ConnectorID: conn, QRCode: '' })));
  assert.equal(first.ret, 0);
  assert.deepEqual([first.data.SuccStat, first.data.ConnectorID], [0, conn]);
  assert.ok([1, 2].includes(first.data.StartChargeSeqStat));
  assert.deepEqual(twins.map((t) => t.data.SuccStat), [0, 0, 0], 'every twin answers the current state');
  const again = await xj.call('query_start_charge', { StartChargeSeq: s, ConnectorID: conn });
  assert.equal(again.data.SuccStat, 0, 'a repeated start never answers failed');
  assert.ok([1, 2].includes(again.data.StartChargeSeqStat));

  const started = await fx.xiaoju.waitFor('start result', () => fx.xiaoju.of('notification_start_charge_result').find((r) => r.data.StartChargeSeq === s));
  assert.equal(started.data.StartChargeSeqStat, 2);
  assert.equal(started.data.ConnectorID, conn);
  assert.ok(fx.xiaoju.tokens.has(started.token!), 'pushed with the token the partner issued');
  await eventually('start confirmed', async () => (await rsOf(XIAOJU, s))?.confirmed_at);

  const third = await xj.call('query_start_charge', { StartChargeSeq: s, ConnectorID: conn });
  assert.deepEqual([third.data.SuccStat, third.data.StartChargeSeqStat], [0, 2]);
  const sessions = await p.ctx.db.query(`SELECT id FROM sessions WHERE start_charge_seq = $1`, [s]);
  assert.equal(sessions.rows.length, 1, 'never started twice');

  const statuses = await fx.xiaoju.waitFor('3 status pushes', () => {
    const xs = fx.xiaoju.of('notification_equip_charge_status').filter((r) => r.data.StartChargeSeq === s);
    return xs.length >= 3 && xs;
  });
  const powers = statuses.map((r) => r.data.TotalPower);
  assert.deepEqual(powers, [...powers].sort((a, b) => a - b), 'TotalPower never goes down');
  assert.ok('ElecMoney' in statuses[0].data && 'ServiceMoney' in statuses[0].data, 'xiaoju notification spelling');

  // our token expired at the partner: refreshed and the push goes through
  const tokenCalls = fx.xiaoju.tokenCalls;
  fx.xiaoju.expireNextToken = true;
  await eventually('token refreshed', () => fx.xiaoju.tokenCalls > tokenCalls);

  const q = await xj.call('query_equip_charge_status', { StartChargeSeq: s });
  assert.equal(q.data.StartChargeSeqStat, 2);
  assert.ok('ElectMoney' in q.data, 'xiaoju spells ElectMoney in the query answer');
  assert.ok(q.data.TotalPower > 0);

  const stop = await xj.call('query_stop_charge', { StartChargeSeq: s, ConnectorID: conn });
  assert.deepEqual([stop.data.SuccStat, stop.data.StartChargeSeqStat], [0, 3]);
  const stopped = await fx.xiaoju.waitFor('stop result', () => fx.xiaoju.of('notification_stop_charge_result').find((r) => r.data.StartChargeSeq === s));
  assert.deepEqual([stopped.data.SuccStat, stopped.data.StartChargeSeqStat], [0, 4]);
  const again2 = await xj.call('query_stop_charge', { StartChargeSeq: s, ConnectorID: conn });
  assert.deepEqual([again2.data.SuccStat, again2.data.FailReason], [1, 3]);

  await dc.unplug(1); // idle time ends: the order is made
  // The simulator runs 10× fast, so the orders module flags this order (energy above rated power):
  // an abnormal order waits for review and is not pushed until staff approve it.
  const staff = await p.login('op1-staff', 'op1-staff-pass');
  const held = await eventually('order held for review', async () => {
    const r = await p.api('GET', '/api/v1/orders?status=held', undefined, staff);
    return r.body.items?.find((o: any) => o.partnerOrderNo === s);
  });
  assert.equal(held.abnormal, true);
  assert.equal((await p.ctx.db.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'roaming.order' AND payload->>'orderNo' = $1`, [held.orderNo])).rows[0].n, 0);
  assert.equal(fx.xiaoju.of('notification_charge_order_info').length, 0);
  const approved = await p.api('POST', `/api/v1/orders/${held.orderNo}/approve`, { reason: 'simulator runs fast' }, staff);
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  const order = await fx.xiaoju.waitFor('order', () => fx.xiaoju.of('notification_charge_order_info').find((r) => r.data.StartChargeSeq === s), 30000);
  const o = order.data;
  assert.equal(o.ConnectorID, conn);
  assert.equal(o.SumPeriod, o.ChargeDetails.length);
  assert.ok(o.SumPeriod >= 1);
  assert.ok(o.TotalPower > 0);
  assert.equal(cents(o.TotalPower), sum(o.ChargeDetails.map((d: any) => cents(d.DetailPower))));
  assert.equal(cents(o.TotalElecMoney), sum(o.ChargeDetails.map((d: any) => cents(d.DetailElecMoney))));
  assert.equal(cents(o.TotalServiceMoney), sum(o.ChargeDetails.map((d: any) => cents(d.DetailServiceMoney))));
  assert.equal(cents(o.TotalMoney), cents(o.TotalElecMoney) + cents(o.TotalServiceMoney));
  assert.ok('ServicePrice' in o.ChargeDetails[0] && !('TotalSeviceMoney' in o));
  assert.equal(o.StopReason, 1, 'stopped by the partner’s platform');
  await eventually('order confirmed', async () => (await p.ctx.db.query(`SELECT confirmed_at FROM roaming_order_pushes WHERE start_charge_seq = $1`, [s])).rows[0]?.confirmed_at);
  const rs = await rsOf(XIAOJU, s);
  assert.ok(rs.order_no, 'our order number kept beside the partner’s');

  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const stats = await xj.call('query_station_stats', { StationID: 's1', StartTime: today, EndTime: today });
  assert.ok(stats.data.StationStats.StationElectricity > 0, 'energy of the day in the station stats');

  // a corrected order is pushed again, as a new version, details still adding up
  const detail = await p.api('GET', `/api/v1/orders/${held.orderNo}`, undefined, staff);
  const meterStartWh = detail.body.meterStartWh ?? undefined;
  const fixed = await p.api('POST', `/api/v1/orders/${held.orderNo}/corrections`, {
    reason: 'meter reading and end time checked on site',
    meterStopWh: (meterStartWh ?? 0) + 10,
    ...(meterStartWh === undefined ? { meterStartWh: 0 } : {}),
    endTime: new Date(Date.now() - 1000).toISOString(),
    idleEndTime: new Date(Date.now() - 1000).toISOString(),
  }, staff);
  assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
  const second = await fx.xiaoju.waitFor('corrected order', () => {
    const xs = fx.xiaoju.of('notification_charge_order_info').filter((r) => r.data.StartChargeSeq === s);
    return xs.length >= 2 && xs[xs.length - 1];
  });
  assert.equal(second.data.TotalPower, 0.01);
  assert.equal(cents(second.data.TotalPower), sum(second.data.ChargeDetails.map((d: any) => cents(d.DetailPower))));
  assert.equal(cents(second.data.TotalMoney), sum(second.data.ChargeDetails.map((d: any) => cents(d.DetailElecMoney) + cents(d.DetailServiceMoney))));
});

test('a foreign StartChargeSeq prefix is Ret 4004 and starts nothing', async () => {
  const r = await cec.call('query_start_charge', { StartChargeSeq: seq(XIAOJU), ConnectorID: AC_CHARGER + '01' });
  assert.equal(r.ret, 4004);
  assert.match(r.msg, /OperatorID/);
  assert.equal((await p.ctx.db.query(`SELECT count(*)::int AS n FROM roaming_sessions WHERE partner_id = $1`, [CEC])).rows[0].n, 0);
});

test('an unconfirmed start is stopped by the platform, and why is recorded (cec-2016)', async () => {
  fx.cec.ignoreStartResults = true;
  const s = seq(CEC);
  const r = await cec.call('query_start_charge', { StartChargeSeq: s, ConnectorID: AC_CHARGER + '01', QrCode: '' });
  assert.deepEqual([r.data.SuccStat, r.data.StartChargeSeqStat], [0, 1]);
  const rs = await eventually('auto stop', async () => {
    const x = await rsOf(CEC, s);
    return x?.auto_stop_reason && x.state === 'ended' && x;
  });
  assert.match(rs.auto_stop_reason, /did not confirm notification_start_charge_result within 200 s/);
  assert.equal(rs.stop_requested_by, 'platform');
  const audit = await p.ctx.db.query(`SELECT reason FROM audit_log WHERE action = 'roaming.auto_stop' AND entity_id = $1`, [`${CEC}:${s}`]);
  assert.equal(audit.rows.length, 1);
  fx.cec.ignoreStartResults = false;
  // once back, the partner still gets the start result, then the stop result, in that order
  await fx.cec.waitFor('stop result after start result', () => {
    const xs = fx.cec.received.filter((x) => x.data.StartChargeSeq === s).map((x) => x.iface);
    return xs.includes('notification_stop_charge_result') && xs;
  });
  const order = fx.cec.received.filter((x) => x.data.StartChargeSeq === s).map((x) => x.iface);
  assert.ok(order.indexOf('notification_start_charge_result') < order.indexOf('notification_stop_charge_result'));
  await ac.unplug(1);
});

test('a partner that answers it does not know the session gets it stopped at once', async () => {
  fx.cec.unknownSessions = true;
  const s = seq(CEC);
  await eventually('AC available', async () => (await cec.call('query_station_status', { StationIDs: ['s1'] })).data.StationStatusInfos[0].ConnectorStatusInfos.find((c: any) => c.ConnectorID === AC_CHARGER + '01').Status === 1);
  const r = await cec.call('query_start_charge', { StartChargeSeq: s, ConnectorID: AC_CHARGER + '01' });
  assert.equal(r.data.SuccStat, 0);
  const rs = await eventually('auto stop', async () => {
    const x = await rsOf(CEC, s);
    return x?.auto_stop_reason && x;
  });
  assert.match(rs.auto_stop_reason, /does not know the session/);
  await eventually('ended', async () => (await rsOf(CEC, s)).state === 'ended');
  fx.cec.unknownSessions = false;
  await ac.unplug(1);
});

test('a partner that is down for a while then receives every notification once, in order', async () => {
  const conn = CHARGER + '02';
  const seen = () => fx.xiaoju.of('notification_stationStatus').filter((r) => r.data.ConnectorStatusInfo.ConnectorID === conn);
  const before = seen().length;
  fx.xiaoju.down = true;
  await dc.plugIn(2); // Preparing → 2
  await dc.unplug(2); // Available → 1
  await dc.plugIn(2); // Preparing → 2
  await dc.sendStatus(2, 'Faulted', 'GroundFailure'); // → 255
  // at least 3 failed attempts, about a "minute" apart (compressed)
  await eventually('3 failed attempts', async () => {
    const r = await p.ctx.db.query(`SELECT max(attempts)::int AS a FROM outbox WHERE topic = 'roaming.push' AND status = 'pending' AND ordering_key = $1`, [`roaming:op1:${XIAOJU}`]);
    return r.rows[0].a >= 3;
  });
  assert.equal(seen().length, before, 'nothing got through while down');
  fx.xiaoju.down = false;
  const got = await fx.xiaoju.waitFor('4 statuses', () => seen().length >= before + 4 && seen());
  await new Promise((r) => setTimeout(r, 300));
  const after = seen().slice(before).map((r) => r.data.ConnectorStatusInfo.Status);
  assert.deepEqual(after, [2, 1, 2, 255], 'each once, in order');
  assert.ok(got.length >= before + 4);
});

test('console: outbox list and the retry of a dead letter; envelope log of pushes', async () => {
  const admin = await p.login('op1-admin', 'op1-admin-pass');
  const dead = await p.ctx.db.query<{ id: number }>(
    `INSERT INTO outbox (operator_id, topic, payload, status, attempts) VALUES ('op1', 'roaming.push', $1, 'dead', 30) RETURNING id`,
    [JSON.stringify({ operatorId: 'op1', partnerId: XIAOJU, iface: 'notification_stationStatus', data: { ConnectorStatusInfo: { ConnectorID: 'RETRIED01', Status: 1 } } })],
  );
  const list = await p.api('GET', '/api/v1/outbox?status=dead&topic=roaming.push', undefined, admin);
  assert.equal(list.status, 200);
  assert.ok(list.body.items.some((x: any) => x.id === dead.rows[0].id));
  const other = await p.login('op2-admin', 'op2-admin-pass');
  assert.equal((await p.api('POST', `/api/v1/outbox/${dead.rows[0].id}/retry`, undefined, other)).status, 404);
  assert.equal((await p.api('POST', `/api/v1/outbox/${dead.rows[0].id}/retry`, undefined, admin)).status, 200);
  await fx.xiaoju.waitFor('retried push', () => fx.xiaoju.of('notification_stationStatus').some((r) => r.data.ConnectorStatusInfo.ConnectorID === 'RETRIED01'));
  const env = await p.api('GET', `/api/v1/partners/${XIAOJU}/envelopes?direction=out&interface=notification_start_charge_result`, undefined, admin);
  assert.ok(env.body.items.length >= 1);
  assert.ok(env.body.items[0].request.data.StartChargeSeq, 'decrypted payload shown');
  assert.equal(env.body.items[0].response.data.SuccStat, 0, 'the partner’s decrypted answer shown');
  assert.equal(env.body.items[0].request.raw.Sig.length, 32, 'the raw envelope shown');
});

test('a charger that drops off the network shows its connectors offline (Status 0) to the partners', async () => {
  await ac.close();
  await fx.cec.waitFor('offline status', () =>
    fx.cec.of('notification_stationStatus').find((r) => r.data.ConnectorStatusInfo.ConnectorID === AC_CHARGER + '01' && r.data.ConnectorStatusInfo.Status === 0),
  );
});
