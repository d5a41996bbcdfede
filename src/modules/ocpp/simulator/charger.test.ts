import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { RPCServer } from 'ocpp-rpc';
import { SimulatedCharger } from './charger.ts';
import { sessionLoop } from './fleet.ts';
// the test's central system and the simulated chargers share the system wall clock (real sockets, real time)
import { systemClock } from '../../../platform/clock.ts';

// A tiny strict-mode Central System, so the simulator is checked against an OCPP stack we did not write.
interface Frame {
  id: string;
  action: string;
  params: any;
}
const frames: Frame[] = [];
const clients = new Map<string, any>();
let server: RPCServer;
let url = '';
let nextTx = 100;

before(async () => {
  server = new RPCServer({ protocols: ['ocpp1.6'], strictMode: true });
  server.auth((accept, reject, handshake) => {
    if (handshake.password?.toString() !== `key-${handshake.identity}-0000000`) return reject(401, 'bad key');
    accept({}, 'ocpp1.6');
  });
  server.on('client', (client: any) => {
    clients.set(client.identity, client);
    const rec = (action: string, reply: (p: any) => any) =>
      client.handle(action, async ({ params }: any) => {
        frames.push({ id: client.identity, action, params });
        return reply(params);
      });
    rec('BootNotification', () => ({ status: 'Accepted', interval: 300, currentTime: systemClock.date().toISOString() }));
    rec('Heartbeat', () => ({ currentTime: systemClock.date().toISOString() }));
    rec('StatusNotification', () => ({}));
    rec('Authorize', (p) => ({ idTagInfo: { status: p.idTag === 'BLOCKED' ? 'Blocked' : 'Accepted' } }));
    rec('StartTransaction', (p) => ({ transactionId: nextTx++, idTagInfo: { status: p.idTag === 'LATEBLOCK' ? 'Blocked' : 'Accepted' } }));
    rec('MeterValues', () => ({}));
    rec('StopTransaction', () => ({}));
    rec('FirmwareStatusNotification', () => ({}));
    rec('DiagnosticsStatusNotification', () => ({}));
  });
  const http = await server.listen(0, '127.0.0.1');
  url = `ws://127.0.0.1:${(http.address() as any).port}/ocpp`;
});

after(async () => {
  await server.close({ force: true });
});

const sim = (id: string, extra: Partial<ConstructorParameters<typeof SimulatedCharger>[0]> = {}) =>
  new SimulatedCharger({
    url,
    id,
    authKey: `key-${id}-0000000`,
    connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }, { id: 2, type: 'AC', maxPowerKw: 7 }],
    speed: 60, // an hour per real second
    meterIntervalS: 60,
    ...extra,
  });
const of = (id: string, action: string) => frames.filter((f) => f.id === id && f.action === action);
const until = async (cond: () => boolean, what: string, ms = 20_000) => {
  const end = systemClock.now() + ms;
  while (!cond()) {
    if (systemClock.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('boot announces vendor, model, serial and firmware, then every connector status', async () => {
  const ch = sim('SIMBOOT01', { vendor: 'Sinexcel', model: 'PCS-60', firmware: 'V2.3' });
  await ch.connect();
  try {
    const boot = of('SIMBOOT01', 'BootNotification')[0].params;
    assert.deepEqual([boot.chargePointVendor, boot.chargePointModel, boot.firmwareVersion], ['Sinexcel', 'PCS-60', 'V2.3']);
    assert.equal(ch.heartbeatIntervalS, 300);
    assert.deepEqual(of('SIMBOOT01', 'StatusNotification').map((f) => [f.params.connectorId, f.params.status]), [[0, 'Available'], [1, 'Available'], [2, 'Available']]);
  } finally {
    await ch.close();
  }
});

test('a wrong key is refused at the handshake', async () => {
  const ch = sim('SIMBAD01', { authKey: 'not-the-right-key' });
  await assert.rejects(ch.connect());
  await ch.close();
});

test('a full session: plug-in, authorize, start, rising meter values, stop with transactionData, unplug; the register persists', async () => {
  const ch = sim('SIMSESS01', { registerWh: 1_000_000 });
  await ch.connect();
  try {
    await ch.plugIn(1);
    const r = await ch.startSession(1, 'CARD1', { startSoc: 20 });
    assert.equal(r.status, 'Accepted');
    assert.equal(ch.state(1).status, 'Charging');
    await until(() => of('SIMSESS01', 'MeterValues').length >= 5, 'five MeterValues');
    const stopped = await ch.stopSession(1, 'Local');
    await ch.unplug(1);
    const start = of('SIMSESS01', 'StartTransaction')[0].params;
    assert.equal(start.meterStart, 1_000_000);
    const mv = of('SIMSESS01', 'MeterValues').map((f) => f.params);
    assert.ok(mv.every((m) => m.transactionId === r.transactionId));
    const series = (measurand: string) => mv.map((m) => Number(m.meterValue[0].sampledValue.find((s: any) => s.measurand === measurand).value));
    const energy = series('Energy.Active.Import.Register');
    const soc = series('SoC');
    for (let i = 1; i < energy.length; i++) assert.ok(energy[i] >= energy[i - 1] && soc[i] >= soc[i - 1]);
    assert.ok(energy.at(-1)! > 1_000_000 && soc.at(-1)! > 20);
    assert.ok(series('Power.Active.Import').every((p) => p <= 60_000));
    const socSample = mv[0].meterValue[0].sampledValue.find((s: any) => s.measurand === 'SoC');
    assert.deepEqual([socSample.location, socSample.unit], ['EV', 'Percent']);
    const stop = of('SIMSESS01', 'StopTransaction')[0].params;
    assert.equal(stop.transactionId, r.transactionId);
    assert.equal(stop.meterStop, stopped!.meterStopWh);
    assert.ok(stop.meterStop >= energy.at(-1)!);
    assert.deepEqual(stop.transactionData.map((d: any) => d.sampledValue[0].context), ['Transaction.Begin', 'Transaction.End']);
    const statuses = of('SIMSESS01', 'StatusNotification').filter((f) => f.params.connectorId === 1).map((f) => f.params.status);
    assert.deepEqual(statuses, ['Available', 'Preparing', 'Charging', 'Finishing', 'Available']);
    // The next session starts where the lifetime register stopped.
    await ch.startSession(1, 'CARD1');
    assert.equal(of('SIMSESS01', 'StartTransaction')[1].params.meterStart, stop.meterStop);
    await ch.stopSession(1);
  } finally {
    await ch.close();
  }
});

test('an id tag the server refuses: no transaction after Authorize, DeAuthorized stop after StartTransaction', async () => {
  const ch = sim('SIMAUTH01');
  await ch.connect();
  try {
    assert.deepEqual(await ch.startSession(1, 'BLOCKED'), { status: 'Blocked' });
    assert.equal(of('SIMAUTH01', 'StartTransaction').length, 0);
    const r = await ch.startSession(1, 'LATEBLOCK');
    assert.equal(r.status, 'Blocked');
    assert.equal(of('SIMAUTH01', 'StopTransaction')[0].params.reason, 'DeAuthorized');
    assert.equal(ch.state(1).transactionId, undefined);
  } finally {
    await ch.close();
  }
});

test('remote start and stop, configuration, trigger, reservation and unlock commands', async () => {
  const ch = sim('SIMCMD01');
  await ch.connect();
  const cs = clients.get('SIMCMD01');
  try {
    assert.deepEqual(await cs.call('RemoteStartTransaction', { connectorId: 1, idTag: 'APP1' }), { status: 'Accepted' });
    await until(() => ch.state(1).status === 'Charging', 'remote start');
    const tx = ch.state(1).transactionId!;
    assert.deepEqual(await cs.call('RemoteStartTransaction', { connectorId: 1, idTag: 'APP1' }), { status: 'Rejected' });
    assert.deepEqual(await cs.call('RemoteStopTransaction', { transactionId: 999999 }), { status: 'Rejected' });
    assert.deepEqual(await cs.call('RemoteStopTransaction', { transactionId: tx }), { status: 'Accepted' });
    await until(() => of('SIMCMD01', 'StopTransaction').length === 1, 'remote stop');
    assert.equal(of('SIMCMD01', 'StopTransaction')[0].params.reason, 'Remote');

    const conf: any = await cs.call('GetConfiguration', { key: ['MeterValueSampleInterval', 'NoSuchKey'] });
    assert.deepEqual(conf, { configurationKey: [{ key: 'MeterValueSampleInterval', readonly: false, value: '60' }], unknownKey: ['NoSuchKey'] });
    assert.deepEqual(await cs.call('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '30' }), { status: 'Accepted' });
    assert.equal(ch.meterIntervalS(), 30);
    assert.deepEqual(await cs.call('ChangeConfiguration', { key: 'NumberOfConnectors', value: '5' }), { status: 'Rejected' });
    assert.deepEqual(await cs.call('ChangeConfiguration', { key: 'Bogus', value: '1' }), { status: 'NotSupported' });

    const hb = of('SIMCMD01', 'Heartbeat').length;
    assert.deepEqual(await cs.call('TriggerMessage', { requestedMessage: 'Heartbeat' }), { status: 'Accepted' });
    await until(() => of('SIMCMD01', 'Heartbeat').length === hb + 1, 'triggered heartbeat');

    await ch.unplug(1);
    const expiryDate = new Date(systemClock.now() + 600_000).toISOString();
    assert.deepEqual(await cs.call('ReserveNow', { connectorId: 2, expiryDate, idTag: 'RES1', reservationId: 7 }), { status: 'Accepted' });
    await until(() => ch.state(2).status === 'Reserved', 'reserved');
    assert.deepEqual(await ch.startSession(2, 'SOMEONE'), { status: 'Rejected' });
    assert.deepEqual(await cs.call('CancelReservation', { reservationId: 7 }), { status: 'Accepted' });
    await until(() => ch.state(2).status === 'Available', 'reservation cancelled');

    await ch.startSession(2, 'CARD2');
    assert.deepEqual(await cs.call('UnlockConnector', { connectorId: 2 }), { status: 'Unlocked' });
    await until(() => ch.state(2).status === 'Available', 'unlocked');
    assert.equal(of('SIMCMD01', 'StopTransaction').at(-1)!.params.reason, 'UnlockCommand');

    assert.deepEqual(await cs.call('ChangeAvailability', { connectorId: 1, type: 'Inoperative' }), { status: 'Accepted' });
    await until(() => ch.state(1).status === 'Unavailable', 'unavailable');
    assert.deepEqual(await cs.call('SendLocalList', { listVersion: 3, updateType: 'Full', localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }] }), { status: 'Accepted' });
    assert.deepEqual(await cs.call('GetLocalListVersion', {}), { listVersion: 3 });

    await cs.call('UpdateFirmware', { location: 'http://127.0.0.1/fw.bin', retrieveDate: systemClock.date().toISOString() });
    await until(() => of('SIMCMD01', 'FirmwareStatusNotification').length === 4, 'firmware statuses');
    assert.equal(of('SIMCMD01', 'FirmwareStatusNotification').at(-1)!.params.status, 'Installed');
  } finally {
    await ch.close();
  }
});

test('Reset ends the session, reconnects and boots again', async () => {
  const ch = sim('SIMRESET01');
  await ch.connect();
  try {
    await ch.startSession(1, 'CARD1');
    const cs = clients.get('SIMRESET01');
    const reboot = once(ch, 'reboot');
    assert.deepEqual(await cs.call('Reset', { type: 'Soft' }), { status: 'Accepted' });
    await reboot;
    await until(() => of('SIMRESET01', 'BootNotification').length === 2 && ch.booted, 'second boot');
    assert.equal(of('SIMRESET01', 'StopTransaction')[0].params.reason, 'SoftReset');
    assert.equal(ch.state(1).transactionId, undefined);
  } finally {
    await ch.close();
  }
});

test('a connection the server replaced (close code 4000) stays closed instead of pushing the newcomer out', async () => {
  const ch = sim('SIMREPL01');
  let connections = 0;
  const count = (c: any) => c.identity === 'SIMREPL01' && connections++;
  server.on('client', count);
  await ch.connect();
  try {
    const gone = once(ch, 'disconnected');
    await clients.get('SIMREPL01').close({ code: 4000, reason: 'replaced' });
    await gone;
    await new Promise((r) => setTimeout(r, 1500)); // longer than the first reconnect backoff
    assert.equal(connections, 1);
    assert.equal(ch.connected, false);
  } finally {
    server.off('client', count);
    await ch.close();
  }
});

test('the session loop cycles plug-in, start, stop and unplug with the given drivers until aborted', async () => {
  const ch = sim('SIMLOOP01', { speed: 60 }); // a simulated minute is 1/60 s
  await ch.connect();
  const abort = new AbortController();
  try {
    const loop = sessionLoop(ch, 1, { idTags: ['LOOP1', 'LOOP2'], idleMin: [0.1, 0.2], chargeMin: [1, 2], dwellMin: [0.1, 0.2], firstIdleMin: 0 }, abort.signal);
    await until(() => of('SIMLOOP01', 'StopTransaction').length >= 2, 'two sessions', 10_000);
    abort.abort();
    await loop;
    const starts = of('SIMLOOP01', 'StartTransaction').map((f) => f.params);
    assert.ok(starts.every((s) => ['LOOP1', 'LOOP2'].includes(s.idTag)));
    const stops = of('SIMLOOP01', 'StopTransaction').map((f) => f.params);
    assert.ok(stops[0].meterStop > starts[0].meterStart);
    assert.equal(starts[1].meterStart, stops[0].meterStop);
    const statuses = of('SIMLOOP01', 'StatusNotification').filter((f) => f.params.connectorId === 1).map((f) => f.params.status);
    assert.deepEqual(statuses.slice(1, 6), ['Preparing', 'Charging', 'Finishing', 'Available', 'Preparing']);
  } finally {
    abort.abort();
    await ch.close();
  }
});

test('power loss mid-session: a new connection and boot, then StopTransaction PowerLoss with the time of the cut', async () => {
  const ch = sim('SIMPOWER01');
  await ch.connect();
  try {
    const r = await ch.startSession(1, 'CARD1');
    await until(() => of('SIMPOWER01', 'MeterValues').length >= 2, 'meter values');
    const before = systemClock.now();
    await ch.powerLoss(300);
    const stop = of('SIMPOWER01', 'StopTransaction')[0].params;
    assert.equal(stop.transactionId, r.transactionId);
    assert.equal(stop.reason, 'PowerLoss');
    assert.ok(new Date(stop.timestamp).getTime() <= before + 50, 'stop carries the time of the cut, not of the report');
    assert.equal(of('SIMPOWER01', 'BootNotification').length, 2);
    const lastMeter = Number(of('SIMPOWER01', 'MeterValues').at(-1)!.params.meterValue[0].sampledValue[0].value);
    assert.ok(stop.meterStop >= lastMeter);
    assert.equal(ch.state(1).status, 'Available');
  } finally {
    await ch.close();
  }
});
