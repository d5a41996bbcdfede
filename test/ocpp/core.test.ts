import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { charger, boot, iso, eventually, CP } from './support.ts';

let p: TestPlatform;
let staff: string;
let cp: any;
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  staff = await p.login('op1-staff', 'op1-staff-pass');
  cp = await charger(p);
});
after(async () => {
  await cp?.close({ force: true });
  await p.close();
});

const session = async (id: number) => (await p.api('GET', `/api/v1/sessions/${id}`, undefined, staff)).body;
const status = (connectorId: number, s: string, timestamp = iso()) => cp.call('StatusNotification', { connectorId, errorCode: 'NoError', status: s, timestamp });

test('TC_001 cold boot: Accepted with the heartbeat interval; identity recorded; connectors live', async () => {
  const r = await boot(cp);
  assert.equal(r.status, 'Accepted');
  assert.equal(r.interval, 300);
  assert.ok(Math.abs(Date.parse(r.currentTime) - Date.now()) < 60_000);
  const hb = await cp.call('Heartbeat', {});
  assert.ok(hb.currentTime);
  await status(0, 'Available');
  await status(1, 'Available');
  assert.deepEqual(await status(2, 'Faulted'), {}, 'Faulted with NoError is a valid StatusNotification');
  await cp.call('StatusNotification', { connectorId: 2, errorCode: 'GroundFailure', status: 'Faulted', info: '接地故障', vendorErrorCode: 'E07', timestamp: iso() });
  const c = (await p.api('GET', `/api/v1/chargers/${CP}`, undefined, staff)).body;
  assert.equal(c.connected, true);
  assert.equal(c.vendor, 'Sinexcel');
  assert.equal(c.model, 'DC60');
  assert.equal(c.serialNumber, 'SN0016');
  assert.equal(c.firmwareVersion, 'V1.2.3');
  assert.deepEqual(c.connectors.map((x: any) => [x.connectorId, x.status, x.errorCode]), [[1, 'Available', 'NoError'], [2, 'Faulted', 'GroundFailure']]);
  const faults = (await p.api('GET', `/api/v1/chargers/${CP}/status-history?faultsOnly=true`, undefined, staff)).body.items;
  assert.equal(faults[0].errorCode, 'GroundFailure');
  assert.equal(faults[0].vendorErrorCode, 'E07');
  assert.ok(faults.every((f: any) => f.errorCode !== 'NoError' || f.status === 'Faulted'));
  const all = (await p.api('GET', `/api/v1/chargers/${CP}/status-history`, undefined, staff)).body.items;
  assert.ok(all.some((f: any) => f.connectorId === 0), 'connector 0 (the whole charger) is kept in the history');
  await status(2, 'Available');
});

test('TC_003 regular session: authorize, start, meter values (kWh normalised, phases apart), stop, unplug', async () => {
  const events: string[] = [];
  for (const name of ['session.started', 'session.meter'] as const) p.ctx.events.on(name, (e: any) => events.push(`${name}:${e.connectorId}`));
  assert.deepEqual(await cp.call('Authorize', { idTag: 'CARD0001' }), { idTagInfo: { status: 'Accepted' } });
  await status(1, 'Preparing');
  const t0 = Date.now() - 30_000;
  const at = (sec: number) => new Date(t0 + sec * 1000).toISOString();
  const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 1_000_000, timestamp: at(0) });
  assert.equal(start.idTagInfo.status, 'Accepted');
  const tx = start.transactionId;
  assert.ok(Number.isInteger(tx) && tx > 0);
  await status(1, 'Charging', at(0));
  await cp.call('MeterValues', {
    connectorId: 1,
    transactionId: tx,
    meterValue: [
      {
        timestamp: at(10),
        sampledValue: [
          { value: '1005.5', measurand: 'Energy.Active.Import.Register', unit: 'kWh', context: 'Sample.Periodic' },
          { value: '400', measurand: 'Energy.Active.Import.Register', unit: 'kWh', phase: 'L1' },
          { value: '33.3', measurand: 'Power.Active.Import', unit: 'kW' },
          { value: '120.5', measurand: 'Current.Import', unit: 'A' },
          { value: '380.2', measurand: 'Voltage', unit: 'V', phase: 'L1-L2' },
          { value: '45', measurand: 'SoC', unit: 'Percent', location: 'EV' },
        ],
      },
    ],
  });
  let s = await session(tx);
  assert.equal(s.status, 'active');
  assert.equal(s.lastEnergyWh, 1_005_500);
  assert.equal(s.lastPowerW, 33_300);
  assert.equal(s.socStart, 45);
  assert.equal(s.origin, 'charger');
  assert.equal(s.driverPhone, '18475511853');
  assert.ok(s.tariffVersionId, 'the tariff version in force is frozen onto the session');
  const energy = s.samples.filter((x: any) => x.measurand === 'Energy.Active.Import.Register');
  assert.deepEqual(energy.map((x: any) => [x.phase, x.unit, x.value]), [[null, 'Wh', '1005500'], ['L1', 'Wh', '400000']]);
  assert.ok(s.samples.some((x: any) => x.measurand === 'Voltage' && x.value === '380.2' && x.phase === 'L1-L2'));
  // a main-meter reading without a transaction is stored too
  await cp.call('MeterValues', { connectorId: 0, meterValue: [{ timestamp: at(11), sampledValue: [{ value: '123456' }] }] });

  const stop = await cp.call('StopTransaction', {
    transactionId: tx,
    meterStop: 1_012_345,
    timestamp: at(20),
    idTag: 'CARD0001',
    reason: 'Local',
    transactionData: [{ timestamp: at(20), sampledValue: [{ value: '1012345', context: 'Transaction.End' }] }],
  });
  assert.deepEqual(stop, { idTagInfo: { status: 'Accepted' } });
  await status(1, 'Finishing', at(20));
  await status(1, 'Available', at(25));
  s = await session(tx);
  assert.equal(s.status, 'finished');
  assert.equal(s.meterStopWh, 1_012_345);
  assert.equal(s.energyKwh, '12.35');
  assert.equal(s.stopReason, 'Local');
  assert.equal(s.chargingEndedAt, at(20));
  assert.equal(s.unpluggedAt, at(25), 'idle time ends when the connector is Available again (charger time)');
  assert.ok(s.samples.some((x: any) => x.context === 'Transaction.End' && x.value === '1012345'));
  assert.deepEqual(s.flags, []);
  assert.deepEqual(events, ['session.started:1', 'session.meter:1']);
  // the stop and the unplug each wrote a durable settle job with the session change (no in-process event)
  const jobs = await p.ctx.db.query<{ dedupe_key: string }>(`SELECT dedupe_key FROM outbox WHERE topic = 'session.settle' AND payload->>'sessionId' = $1 ORDER BY id`, [String(tx)]);
  // (an idle_limit timer too when the stop's job ran before the Available arrived)
  assert.deepEqual(
    jobs.rows.map((r) => r.dedupe_key.split(':').slice(3).join(':') || 'stop').filter((c) => c !== 'idle_limit'),
    ['stale', 'stop', 'unplug'],
  );
  const list = (await p.api('GET', `/api/v1/sessions?chargerId=${CP}`, undefined, staff)).body.items;
  assert.ok(list.some((x: any) => x.id === tx));
});

test('a retried identical StartTransaction gets the same transactionId', async () => {
  const req = { connectorId: 2, idTag: 'CARD0001', meterStart: 500, timestamp: iso() };
  const a = await cp.call('StartTransaction', req);
  const b = await cp.call('StartTransaction', req);
  assert.equal(a.transactionId, b.transactionId);
  const stop = { transactionId: a.transactionId, meterStop: 900, timestamp: iso() };
  const s1 = await cp.call('StopTransaction', stop);
  // duplicate StopTransaction: the same answer, nothing changes
  const s2 = await cp.call('StopTransaction', stop);
  assert.deepEqual(s1, s2);
  const s = await session(a.transactionId);
  assert.equal(s.meterStopWh, 900);
  assert.deepEqual(s.flags, []);
  // a second stop with another meterStop is an anomaly, never an overwrite
  await cp.call('StopTransaction', { ...stop, meterStop: 999 });
  const after = await session(a.transactionId);
  assert.equal(after.meterStopWh, 900);
  assert.deepEqual(after.flags, ['stop_mismatch']);
  await status(2, 'Available');
});

for (const [tc, tag, want, flag] of [
  ['TC_023_1', 'NOSUCHCARD', 'Invalid', 'unknown_id_tag'],
  ['TC_023_2', 'CARDOLD', 'Expired', 'expired_id_tag'],
  ['TC_023_3', 'CARDBLOCK', 'Blocked', 'blocked_id_tag'],
] as const) {
  test(`${tc} start with an ${want} idTag: answered ${want}, the transaction still recorded and flagged`, async () => {
    assert.equal((await cp.call('Authorize', { idTag: tag })).idTagInfo.status, want);
    const r = await cp.call('StartTransaction', { connectorId: 1, idTag: tag, meterStart: 2_000_000, timestamp: iso() });
    assert.equal(r.idTagInfo.status, want);
    assert.ok(r.transactionId > 0);
    const s = await session(r.transactionId);
    assert.equal(s.idTagStatus, want);
    assert.deepEqual(s.flags, [flag]);
    await cp.call('StopTransaction', { transactionId: r.transactionId, meterStop: 2_000_100, timestamp: iso(), reason: 'DeAuthorized' });
  });
}

test('meterStop < meterStart is flagged meter_rollback and never negative energy', async () => {
  const r = await cp.call('StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 5000, timestamp: iso() });
  await cp.call('StopTransaction', { transactionId: r.transactionId, meterStop: 4000, timestamp: iso() });
  const s = await session(r.transactionId);
  assert.deepEqual(s.flags, ['meter_rollback']);
  assert.equal(s.energyKwh, '0.00');
});

test('StopTransaction for an unknown transactionId (-1, 0) is acknowledged and recorded as an anomaly', async () => {
  assert.deepEqual(await cp.call('StopTransaction', { transactionId: -1, meterStop: 10, timestamp: iso() }), {});
  assert.deepEqual(await cp.call('StopTransaction', { transactionId: 0, meterStop: 10, timestamp: iso(), idTag: 'CARD0001' }), { idTagInfo: { status: 'Accepted' } });
  // an id beyond any session (and beyond bigint) is acknowledged too, never an error
  assert.deepEqual(await cp.call('StopTransaction', { transactionId: 99999999999999999999, meterStop: 10, timestamp: iso() }), {});
  await cp.call('MeterValues', { connectorId: 1, transactionId: 99999999999999999999, meterValue: [{ timestamp: iso(), sampledValue: [{ value: '1' }] }] });
  const a = (await p.api('GET', `/api/v1/session-anomalies?chargerId=${CP}&kind=unknown_transaction`, undefined, staff)).body.items;
  assert.deepEqual(a.map((x: any) => x.transactionId).sort(), [-1, 0, null]);
  assert.equal(a[0].details.meterStop, 10);
});

test('TC_039 offline transaction delivered late with old timestamps: processed normally, flagged offline_late', async () => {
  const day = 24 * 3600_000;
  const r = await cp.call('StartTransaction', { connectorId: 2, idTag: 'CARD0001', meterStart: 100, timestamp: iso(day) });
  await cp.call('MeterValues', { connectorId: 2, transactionId: r.transactionId, meterValue: [{ timestamp: iso(day - 600_000), sampledValue: [{ value: '2100' }] }] });
  const stop = await cp.call('StopTransaction', { transactionId: r.transactionId, meterStop: 3100, timestamp: iso(day - 1200_000), idTag: 'CARD0001' });
  assert.equal(stop.idTagInfo.status, 'Accepted');
  const s = await session(r.transactionId);
  assert.equal(s.status, 'finished');
  assert.equal(s.startedAt, new Date(Date.parse(s.startedAt)).toISOString());
  assert.ok(Date.now() - Date.parse(s.startedAt) >= day - 5000, 'the charger’s own timestamps are kept');
  assert.equal(s.energyKwh, '3.00');
  assert.deepEqual(s.flags, ['offline_late']);
});

test('TC_032_1 power failure mid-session: reboot, Available marks no_stop, the late stop still closes the session', async () => {
  const r = await cp.call('StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 7000, timestamp: iso(120_000) });
  await status(1, 'Charging', iso(110_000));
  await cp.close({ force: true });
  cp = await charger(p);
  assert.equal((await boot(cp)).status, 'Accepted');
  let s = await session(r.transactionId);
  assert.equal(s.status, 'active', 'a reboot alone does not end the session');
  await status(1, 'Available');
  s = await session(r.transactionId);
  assert.equal(s.status, 'active');
  assert.deepEqual(s.flags, ['no_stop']);
  const stop = await cp.call('StopTransaction', { transactionId: r.transactionId, meterStop: 9000, timestamp: iso(60_000), reason: 'PowerLoss' });
  assert.deepEqual(stop, {});
  s = await session(r.transactionId);
  assert.equal(s.status, 'finished');
  assert.equal(s.stopReason, 'PowerLoss');
  assert.equal(s.meterStopWh, 9000);
  assert.deepEqual(s.flags, ['late_stop']);
});

test('message log: every frame in and out, searchable by charger, action and time; other operators see nothing', async () => {
  const from = new Date(Date.now() - 1000).toISOString();
  await cp.call('DataTransfer', { vendorId: 'com.sinexcel', messageId: 'gunTemp', data: '{"t":41}' }).then((r: any) => assert.equal(r.status, 'UnknownVendorId'));
  // outbound frames are logged as they are sent, not before: the answer may reach the charger first
  const r = await eventually(async () => {
    const x = await p.api('GET', `/api/v1/chargers/${CP}/messages?action=DataTransfer&from=${encodeURIComponent(from)}`, undefined, staff);
    return x.body.items?.length === 2 ? x : null;
  }, 'both DataTransfer frames in the log');
  assert.equal(r.status, 200);
  const dirs = r.body.items.map((m: any) => [m.direction, m.messageType]).sort();
  assert.deepEqual(dirs, [['in', 'CALL'], ['out', 'CALLRESULT']]);
  const call = r.body.items.find((m: any) => m.direction === 'in');
  assert.deepEqual(call.payload, { vendorId: 'com.sinexcel', messageId: 'gunTemp', data: '{"t":41}' });
  const all = (await p.api('GET', `/api/v1/chargers/${CP}/messages?limit=1000`, undefined, staff)).body.items;
  assert.ok(all.some((m: any) => m.action === 'BootNotification' && m.direction === 'out' && m.payload.status === 'Accepted'));
  const op2 = await p.login('op2-admin', 'op2-admin-pass');
  assert.equal((await p.api('GET', `/api/v1/chargers/${CP}/messages`, undefined, op2)).status, 404);
  assert.equal((await p.api('GET', `/api/v1/sessions/1`, undefined, op2)).status, 404);
  assert.deepEqual((await p.api('GET', `/api/v1/sessions`, undefined, op2)).body.items, []);
  // retention: rows older than MESSAGE_LOG_RETENTION_DAYS go
  const { purgeMessageLog } = await import('../../src/modules/ocpp/index.ts');
  await p.ctx.db.query(`UPDATE ocpp_messages SET at = now() - interval '100 days' WHERE action = 'DataTransfer'`);
  assert.equal(await purgeMessageLog(p.ctx.db, 90), 2);
  assert.ok((await p.ctx.db.query(`SELECT count(*)::int AS n FROM ocpp_messages`)).rows[0].n > 0);
});
