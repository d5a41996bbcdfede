import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { charger, boot, eventually, CP, KEY } from './support.ts';
import type { OcppServer } from '../../src/modules/ocpp/gateway.ts';

let p: TestPlatform;
let admin: string;
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  admin = await p.login('op1-admin', 'op1-admin-pass');
});
after(async () => p.close());

const wsUrl = (id: string) => `${p.url.replace(/^http/, 'ws')}/ocpp/${id}`;
const basic = (id: string, key: string) => `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}`;

/** The HTTP status of a refused upgrade (or 101 when it was accepted). */
function handshake(id: string, opts: { key?: string; protocols?: string[] } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(id), opts.protocols ?? ['ocpp1.6'], opts.key === undefined ? {} : { headers: { authorization: basic(id, opts.key) } });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => {
      ws.terminate();
      resolve({ status: 101, body: '' });
    });
    ws.on('error', (e) => (e.message.includes('Unexpected server response') ? undefined : reject(e)));
  });
}

/** A raw 1.6 connection for frames no well-behaved stack would send. */
async function raw() {
  const ws = new WebSocket(wsUrl(CP), ['ocpp1.6'], { headers: { authorization: basic(CP, KEY) } });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const inbox: any[] = [];
  ws.on('message', (d) => inbox.push(JSON.parse(String(d))));
  const send = async (frame: string) => {
    const n = inbox.length;
    ws.send(frame);
    await eventually(async () => inbox.length > n, `an answer to ${frame}`);
    return inbox[n];
  };
  return { ws, send };
}

test('wrong password, no password and unknown charger → HTTP 401; the failures become one security event per charger', async () => {
  assert.equal((await handshake(CP, { key: 'key-0000000000000099' })).status, 401);
  assert.equal((await handshake(CP)).status, 401);
  assert.equal((await handshake('NOSUCHCHARGER0001', { key: 'whatever-whatever' })).status, 401);
  assert.equal((await handshake(CP, { key: KEY })).status, 101);
  await (p.ctx.services.ocpp as OcppServer).guard.flush(); // the periodic report (every minute)
  const ev = (await p.api('GET', `/api/v1/chargers/${CP}/security-events`, undefined, admin)).body.items.filter((e: any) => e.kind === 'authentication_failed');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].details.attempts, 2);
  assert.deepEqual(ev[0].details.reasons.sort(), ['no Basic auth', 'wrong key']);
});

test('TC_088 wrong subprotocol: a handshake without ocpp1.6 is refused with HTTP 400, never accepted without a protocol', async () => {
  const r = await handshake(CP, { key: KEY, protocols: ['ocpp1.5'] });
  assert.equal(r.status, 400);
  assert.match(r.body, /ocpp1\.6/);
  assert.equal((await handshake(CP, { key: KEY, protocols: [] })).status, 400);
  // a WebSocket anywhere else is not left hanging
  const elsewhere = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${p.url.replace(/^http/, 'ws')}/not-ocpp`, ['ocpp1.6']);
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => {});
  });
  assert.equal(elsewhere, 404);
  // a charger that also speaks 2.0.1 gets 1.6
  const c = await charger(p, { protocols: ['ocpp2.0.1', 'ocpp1.6'] });
  assert.equal(c.protocol, 'ocpp1.6');
  await c.close();
});

test('unknown action → NotImplemented; malformed frames → 1.6 error codes; the connection stays open', async () => {
  const { ws, send } = await raw();
  assert.deepEqual((await send('[2,"u1","MakeCoffee",{}]')).slice(0, 3), [4, 'u1', 'NotImplemented']);
  assert.deepEqual((await send('not json at all')).slice(0, 3), [4, '-1', 'FormationViolation']);
  assert.deepEqual((await send('{"an":"object"}')).slice(0, 3), [4, '-1', 'FormationViolation']);
  assert.deepEqual((await send('[2,17,"Heartbeat",{}]')).slice(0, 3), [4, '-1', 'FormationViolation']);
  assert.deepEqual((await send('[2,"m0","Heartbeat"]')).slice(0, 3), [4, 'm0', 'FormationViolation']);
  assert.deepEqual((await send('[2,"m1","StartTransaction",{"connectorId":1}]')).slice(0, 3), [4, 'm1', 'OccurenceConstraintViolation']);
  assert.deepEqual((await send('[2,"m2","StartTransaction",{"connectorId":"one","idTag":"CARD0001","meterStart":0,"timestamp":"2026-01-01T00:00:00Z"}]')).slice(0, 3), [
    4,
    'm2',
    'TypeConstraintViolation',
  ]);
  assert.deepEqual((await send('[2,"m3","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Sleeping"}]')).slice(0, 3), [4, 'm3', 'PropertyConstraintViolation']);
  assert.deepEqual((await send('[2,"m4","Authorize",{"idTag":"THIS-TAG-IS-LONGER-THAN-20"}]')).slice(0, 3), [4, 'm4', 'PropertyConstraintViolation']);
  // still open and serving
  const hb = await send('[2,"h1","Heartbeat",{}]');
  assert.equal(hb[0], 3);
  assert.equal(hb[1], 'h1');
  // every frame is in the log, stored before it was answered; a CALLERROR keeps its code
  const log = await eventually(async () => {
    const items = (await p.api('GET', `/api/v1/chargers/${CP}/messages?limit=1000`, undefined, admin)).body.items;
    return items.some((m: any) => m.direction === 'out' && m.messageId === 'h1') ? items : null;
  }, 'the last answer in the log');
  const bad = log.find((m: any) => m.direction === 'in' && m.raw === 'not json at all');
  assert.equal(bad.messageType, 'unparseable');
  const inM1 = log.find((m: any) => m.direction === 'in' && m.messageId === 'm1');
  const outM1 = log.find((m: any) => m.direction === 'out' && m.messageId === 'm1');
  assert.equal(outM1.errorCode, 'OccurenceConstraintViolation');
  assert.equal(outM1.action, 'StartTransaction');
  assert.ok(inM1.id < outM1.id, 'the inbound frame was stored before the answer');
  ws.close();
  await eventually(async () => !p.ctx.services.ocpp!.isConnected(CP), 'disconnect');
});

test('second connection with the same id: the authenticated newcomer replaces the old one; a security event is recorded', async () => {
  const first = await charger(p);
  await boot(first);
  const closed = new Promise<{ code: number }>((r) => first.once('close', r));
  const second = await charger(p);
  assert.equal((await closed).code, 4000);
  assert.ok((await second.call('Heartbeat', {})).currentTime);
  assert.equal((await p.api('GET', `/api/v1/chargers/${CP}`, undefined, admin)).body.connected, true);
  const ev = (await p.api('GET', `/api/v1/chargers/${CP}/security-events`, undefined, admin)).body.items;
  assert.equal(ev[0].kind, 'duplicate_connection');
  assert.equal(ev[0].details.policy, 'newcomer replaces the open connection');
  const all = (await p.api('GET', `/api/v1/security-events?kind=duplicate_connection`, undefined, admin)).body.items;
  assert.equal(all[0].chargerId, CP);
  const op2 = await p.login('op2-admin', 'op2-admin-pass');
  assert.deepEqual((await p.api('GET', `/api/v1/security-events`, undefined, op2)).body.items, []);
  const conns = await eventually(async () => {
    const items = (await p.api('GET', `/api/v1/chargers/${CP}/connections`, undefined, admin)).body.items;
    return items[1]?.disconnectedAt ? items : null;
  }, 'the replaced connection closed');
  assert.equal(conns[0].disconnectedAt, null);
  assert.match(conns[0].remoteAddress, /127\.0\.0\.1/);
  assert.equal(conns[1].reason, 'replaced by a newer connection');
  assert.equal(conns[1].closeCode, 4000);
  await second.close();
  await eventually(async () => (await p.api('GET', `/api/v1/chargers/${CP}`, undefined, admin)).body.connected === false, 'Offline after the last close');
  const c = (await p.api('GET', `/api/v1/chargers/${CP}`, undefined, admin)).body;
  assert.ok(c.connectors.length > 0 && c.connectors.every((x: any) => x.status === 'Offline'), JSON.stringify(c.connectors));
});

test('an unknown charger is admitted as Pending only when an operator takes such chargers; never on a shared platform by default', async () => {
  assert.equal((await handshake('NEWBOX0000000000001', { key: 'anything-anything' })).status, 401);
  await p.ctx.db.query(`UPDATE operators SET settings = settings || '{"admitUnknownChargers": true}' WHERE id = 'op2'`);
  const c = await charger(p, { id: 'NEWBOX0000000000001', password: 'anything-anything' });
  const r = await c.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'X1' });
  assert.equal(r.status, 'Pending');
  const op2 = await p.login('op2-admin', 'op2-admin-pass');
  const row = (await p.api('GET', `/api/v1/chargers/NEWBOX0000000000001`, undefined, op2)).body;
  assert.equal(row.commissioned, false);
  assert.equal(row.registrationStatus, 'Pending');
  assert.equal(row.vendor, 'Acme');
  assert.equal((await p.api('GET', `/api/v1/chargers/NEWBOX0000000000001`, undefined, admin)).status, 404, 'op1 does not see it');
  // while Pending, configuration may be read and changed but no remote start (OCPP 1.6 §4.2)
  const pending = await p.api('POST', `/api/v1/chargers/NEWBOX0000000000001/commands/RemoteStartTransaction`, { idTag: 'X' }, op2);
  assert.equal(pending.status, 409);
  assert.equal(pending.body.error.code, 'charger_pending');
  await c.close();
  await p.ctx.db.query(`UPDATE operators SET settings = settings - 'admitUnknownChargers' WHERE id = 'op2'`);
  assert.equal((await handshake('NEWBOX0000000000001', { key: 'anything-anything' })).status, 401);
});

test('at start, chargers held by a node that is gone are marked disconnected', async () => {
  const ghost = `${hostname()}:999999:dead00`;
  await p.ctx.db.query(`UPDATE chargers SET connected = true, connected_node = $1 WHERE id = '44030700030000200017'`, [ghost]);
  await p.ctx.db.query(`INSERT INTO ocpp_connections (operator_id, charger_id, node_id) VALUES ('op1', '44030700030000200017', $1)`, [ghost]);
  const gw = p.ctx.services.ocpp as unknown as { markStaleConnections(): Promise<number> };
  assert.equal(await gw.markStaleConnections(), 1);
  assert.equal((await p.api('GET', `/api/v1/chargers/44030700030000200017`, undefined, admin)).body.connected, false);
  const conns = (await p.api('GET', `/api/v1/chargers/44030700030000200017/connections`, undefined, admin)).body.items;
  assert.equal(conns[0].reason, 'node stopped');
});
