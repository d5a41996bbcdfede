import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { charger, boot, iso, CP } from './support.ts';
import { ChargerOffline, CommandInvalid } from '../../src/modules/ocpp/index.ts';
import { expectRemoteStart } from '../../src/modules/sessions/index.ts';

const { createRPCError } = createRequire(import.meta.url)('ocpp-rpc') as { createRPCError: (c: string, m?: string) => Error };

let p: TestPlatform;
let admin: string;
let staff: string;
let cp: any;
const seen: { action: string; params: any }[] = [];
const config = new Map([
  ['HeartbeatInterval', '300'],
  ['MeterValueSampleInterval', '60'],
  ['StopTransactionOnInvalidId', 'true'],
]);

before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc(), env: { OCPP_COMMAND_TIMEOUT_MS: '1500' } });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  staff = await p.login('op1-staff', 'op1-staff-pass');
  cp = await charger(p);
  await boot(cp);
  const record = (action: string, answer: (params: any) => any) =>
    cp.handle(action, ({ params }: any) => {
      seen.push({ action, params });
      return answer(params);
    });
  record('RemoteStartTransaction', () => ({ status: 'Accepted' }));
  record('RemoteStopTransaction', () => ({ status: 'Accepted' }));
  record('Reset', () => ({ status: 'Accepted' }));
  record('UnlockConnector', (q) => ({ status: q.connectorId === 1 ? 'Unlocked' : 'NotSupported' }));
  record('GetConfiguration', (q) => {
    const keys = q.key ?? [...config.keys()];
    return {
      configurationKey: keys.filter((k: string) => config.has(k)).map((k: string) => ({ key: k, readonly: false, value: config.get(k) })),
      unknownKey: keys.filter((k: string) => !config.has(k)),
    };
  });
  record('ChangeConfiguration', (q) => {
    if (!config.has(q.key)) return { status: 'NotSupported' };
    config.set(q.key, q.value);
    return { status: 'Accepted' };
  });
  record('ClearCache', () => new Promise(() => {})); // never answers
  record('GetLocalListVersion', () => {
    throw createRPCError('NotSupported', 'no local list here');
  });
});
after(async () => {
  await cp?.close({ force: true });
  await p.close();
});

const command = (action: string, body: unknown, token = admin, charger = CP) => p.api('POST', `/api/v1/chargers/${charger}/commands/${action}`, body, token);

test('TC_010/TC_011 remote start: the charger is asked, the following StartTransaction becomes a staff session', async () => {
  await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
  const r = await command('RemoteStartTransaction', { connectorId: 1, idTag: 'STAFF-0001' }, staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { status: 'Accepted' });
  assert.deepEqual(seen.at(-1), { action: 'RemoteStartTransaction', params: { connectorId: 1, idTag: 'STAFF-0001' } });
  // AuthorizeRemoteTxRequests=true chargers ask first: the platform's own idTag is Accepted
  assert.equal((await cp.call('Authorize', { idTag: 'STAFF-0001' })).idTagInfo.status, 'Accepted');
  const start = await cp.call('StartTransaction', { connectorId: 1, idTag: 'STAFF-0001', meterStart: 100, timestamp: iso() });
  assert.equal(start.idTagInfo.status, 'Accepted');
  const s = (await p.api('GET', `/api/v1/sessions/${start.transactionId}`, undefined, staff)).body;
  assert.equal(s.origin, 'staff');
  assert.deepEqual(s.flags, []);

  // TC_012 remote stop
  const stop = await command('RemoteStopTransaction', { transactionId: start.transactionId }, staff);
  assert.deepEqual(stop.body, { status: 'Accepted' });
  await cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 600, timestamp: iso(), reason: 'Remote' });
  const done = (await p.api('GET', `/api/v1/sessions/${start.transactionId}`, undefined, staff)).body;
  assert.equal(done.status, 'finished');
  assert.equal(done.stopReason, 'Remote');
});

test('a partner remote start (expectRemoteStart) gives the session its origin, partner and StartChargeSeq', async () => {
  await expectRemoteStart(p.ctx.db, { operatorId: 'op1', chargerId: CP, connectorId: 2, idTag: 'XJ00000042', origin: 'partner', partnerId: 'MA01H3BQ2', startChargeSeq: 'MA01H3BQ2202611250001', driverPhone: '13900000000' });
  const res = await p.ctx.services.ocpp!.call(CP, 'RemoteStartTransaction', { connectorId: 2, idTag: 'XJ00000042' });
  assert.equal(res.status, 'Accepted');
  const start = await cp.call('StartTransaction', { connectorId: 2, idTag: 'XJ00000042', meterStart: 0, timestamp: iso() });
  assert.equal(start.idTagInfo.status, 'Accepted');
  const { getSession } = await import('../../src/modules/sessions/index.ts');
  const s = (await getSession(p.ctx.db, 'op1', start.transactionId))!;
  assert.deepEqual([s.origin, s.partner_id, s.start_charge_seq, s.driver_phone], ['partner', 'MA01H3BQ2', 'MA01H3BQ2202611250001', '13900000000']);
  // claimed once: a second start with that idTag is an unknown card again
  const again = await cp.call('StartTransaction', { connectorId: 2, idTag: 'XJ00000042', meterStart: 1, timestamp: iso() });
  assert.equal(again.idTagInfo.status, 'Invalid');
});

test('TC_013/TC_014 hard and soft reset', async () => {
  for (const type of ['Hard', 'Soft']) {
    const r = await command('Reset', { type });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'Accepted' });
    assert.deepEqual(seen.at(-1), { action: 'Reset', params: { type } });
  }
});

test('TC_017 unlock connector', async () => {
  assert.deepEqual((await command('UnlockConnector', { connectorId: 1 }, staff)).body, { status: 'Unlocked' });
  assert.deepEqual((await command('UnlockConnector', { connectorId: 9 }, staff)).body, { status: 'NotSupported' });
});

test('TC_019 GetConfiguration (all, specific) and TC_021 ChangeConfiguration', async () => {
  const all = await command('GetConfiguration', {}, staff);
  assert.equal(all.body.configurationKey.length, 3);
  const one = await command('GetConfiguration', { key: ['MeterValueSampleInterval', 'NoSuchKey'] }, staff);
  assert.deepEqual(one.body, { configurationKey: [{ key: 'MeterValueSampleInterval', readonly: false, value: '60' }], unknownKey: ['NoSuchKey'] });
  assert.deepEqual((await command('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '30' })).body, { status: 'Accepted' });
  assert.equal((await command('GetConfiguration', { key: ['MeterValueSampleInterval'] }, staff)).body.configurationKey[0].value, '30');
  assert.deepEqual((await command('ChangeConfiguration', { key: 'Nope', value: '1' })).body, { status: 'NotSupported' });
});

test('a payload that breaks the 1.6 schema is 400 with the reason, and nothing is sent', async () => {
  const before = seen.length;
  const r = await command('Reset', { type: 'Warm' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'invalid_payload');
  assert.match(r.body.error.message, /type/);
  const missing = await command('ChangeConfiguration', { key: 'HeartbeatInterval' });
  assert.equal(missing.status, 400);
  assert.match(missing.body.error.message, /value/);
  assert.equal(seen.length, before);
  const unknown = await command('Heartbeat', {});
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error.message, /unknown command Heartbeat/);
});

test('the charger answers with a CALLERROR → 502 with its code; no answer in time → 504', async () => {
  const e = await command('GetLocalListVersion', {});
  assert.equal(e.status, 502);
  assert.equal(e.body.error.details.ocppErrorCode, 'NotSupported');
  const t = await command('ClearCache', {});
  assert.equal(t.status, 504);
  assert.equal(t.body.error.code, 'command_timeout');
  // the connection is still usable afterwards
  assert.deepEqual((await command('Reset', { type: 'Soft' })).body, { status: 'Accepted' });
});

test('offline charger → 409; roles; another operator’s charger → 404; the gateway’s typed errors', async () => {
  const off = await command('Reset', { type: 'Soft' }, admin, '44030700030000200017');
  assert.equal(off.status, 409);
  assert.match(off.body.error.message, /not connected/);
  assert.equal((await command('Reset', { type: 'Soft' }, staff)).status, 403, 'staff may not reset');
  assert.equal((await command('ChangeConfiguration', { key: 'HeartbeatInterval', value: '60' }, staff)).status, 403);
  const op2 = await p.login('op2-admin', 'op2-admin-pass');
  assert.equal((await command('Reset', { type: 'Soft' }, op2)).status, 404);
  const root = await p.login('root', 'root-password');
  assert.equal((await command('Reset', { type: 'Soft' }, root)).status, 200);
  const gw = p.ctx.services.ocpp!;
  assert.equal(gw.isConnected(CP), true);
  assert.equal(gw.isConnected('44030700030000200017'), false);
  await assert.rejects(gw.call('44030700030000200017', 'Reset', { type: 'Soft' }), ChargerOffline);
  await assert.rejects(gw.call(CP, 'Reset', {}), CommandInvalid);
  const audit = await p.ctx.db.query(`SELECT actor, action FROM audit_log WHERE entity_id = $1 AND action = 'ocpp.Reset' ORDER BY id`, [CP]);
  assert.ok(audit.rows.some((a: any) => a.actor === 'root'));
});

test('metrics: chargers connected, frames by action, command latency', async () => {
  const m = await fetch(p.url + '/metrics').then((r) => r.text());
  assert.match(m, /chargeops_chargers_connected 1/);
  assert.match(m, /chargeops_ocpp_frames_total\{direction="in",action="BootNotification"\} 1/);
  assert.match(m, /chargeops_ocpp_command_seconds_count\{action="Reset",outcome="answered"\} \d+/);
  assert.match(m, /chargeops_ocpp_command_seconds_count\{action="ClearCache",outcome="timeout"\} 1/);
});

test('the OpenAPI document describes the OCPP and session routes', async () => {
  const o = (await p.api('GET', '/api/v1/openapi.json')).body;
  for (const path of [
    '/api/v1/chargers/{id}/commands/{action}',
    '/api/v1/chargers/{id}/messages',
    '/api/v1/chargers/{id}/status-history',
    '/api/v1/chargers/{id}/connections',
    '/api/v1/chargers/{id}/security-events',
    '/api/v1/sessions',
    '/api/v1/sessions/{id}',
  ])
    assert.ok(o.paths[path], path);
  assert.ok(o.paths['/api/v1/chargers/{id}/messages'].get.parameters.some((x: any) => x.name === 'action'));
});
