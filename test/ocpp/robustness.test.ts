/**
 * Protocol robustness (issue 11, points 14–16): every frame is answered, strings PostgreSQL refuses are
 * stored escaped (and recoverable), one bad frame never fails its neighbours, oversized frames close
 * the connection with 1009, out-of-range numbers get 1.6 CALLERRORs naming the field, and no database
 * text reaches a charger.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { eventually, iso, rawCharger, basicAuth, CP, KEY } from './support.ts';
import { originalJson, originalText } from '../../src/platform/safe-text.ts';
import { dataTransferHandlers } from '../../src/modules/ocpp/index.ts';
import type { OcppServer } from '../../src/modules/ocpp/gateway.ts';

let p: TestPlatform;
let staff: string;
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
  staff = await p.login('op1-staff', 'op1-staff-pass');
});
after(async () => p.close());

const raw = (id = CP, key = KEY) => rawCharger(p, id, key);

const rows = async (sql: string, params: unknown[] = []) => (await p.ctx.db.query(sql, params)).rows;
const NUL_TAG = 'CARD\u0000\ud800X';

test('a StopTransaction carrying NUL and a lone surrogate is answered, finishes the session and is billed', async () => {
  const c = await raw();
  try {
    await c.call('b', 'BootNotification', { chargePointVendor: 'V\u0000endor', chargePointModel: 'M\udc00' });
    const start = await c.call('s', 'StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 1000, timestamp: iso(30 * 60_000) });
    assert.equal(start[0], 3, JSON.stringify(start));
    const tx = start[2].transactionId;
    const stop = await c.call('t', 'StopTransaction', {
      transactionId: tx,
      meterStop: 11_000,
      timestamp: iso(10 * 60_000),
      idTag: NUL_TAG,
      reason: 'Local',
      transactionData: [{ timestamp: iso(10 * 60_000), sampledValue: [{ value: '11000', context: 'Transaction.End' }, { value: 'junk\u0000' }] }],
    });
    assert.equal(stop[0], 3, `answered with a CALLRESULT: ${JSON.stringify(stop)}`);
    const s = (await rows(`SELECT status, meter_stop_wh, stop_id_tag, transaction_data FROM sessions WHERE id = $1`, [tx]))[0];
    assert.equal(s.status, 'finished');
    assert.equal(Number(s.meter_stop_wh), 11_000);
    assert.equal(originalText(s.stop_id_tag), NUL_TAG, 'the idTag is stored escaped and recoverable');
    assert.equal(originalJson(s.transaction_data)[0].sampledValue[1].value, 'junk\u0000');
    const a = await c.call('a', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: iso() });
    assert.equal(a[0], 3);
    const order = await eventually(async () => {
      const o = (await p.api('GET', `/api/v1/orders?chargerId=${CP}`, undefined, staff)).body.items.find((x: any) => x.sessionId === tx);
      return o?.status === 'settled' ? o : null;
    }, 'the settled order', 60_000);
    assert.equal(order.energyKwh, '10.00');
    assert.ok(Number(order.totalAmount) > 0, JSON.stringify(order));
    // the message log keeps the frame, recoverable to what the charger sent
    const logged = (await rows(`SELECT payload FROM ocpp_messages WHERE direction = 'in' AND message_id = 't' AND charger_id = $1`, [CP]))[0];
    assert.equal(originalJson(logged.payload).idTag, NUL_TAG);
  } finally {
    c.ws.close();
  }
});

test('frames arriving together: the one that breaks the log does not fail the others; every CALL is answered', async () => {
  const c = await raw();
  try {
    const frames: [string, string, unknown][] = [
      ['g1', 'Heartbeat', {}],
      ['g2', 'DataTransfer', { vendorId: 'acme', messageId: 'm\u0000', data: 'bin\u0000ary\ud800' }],
      ['g3\u0000', 'Heartbeat', {}],
      ['g4', 'StatusNotification', { connectorId: 2, errorCode: 'OtherError', status: 'Faulted', info: 'fault\u0000', vendorId: 'v\udfff', vendorErrorCode: 'E\u0000042' }],
      ['g5', 'SecurityEventNotification', { type: 'Tamper\u0000', timestamp: iso(), techInfo: '\ud800' }],
      ['g6', 'Authorize', { idTag: NUL_TAG }],
      ['g7', 'Heartbeat', {}],
    ];
    // one write: they reach the server together and share a group commit
    for (const [mid, action, payload] of frames) c.ws.send(JSON.stringify([2, mid, action, payload]));
    c.ws.send('[2,"g8","Heartbeat",{}]\u0000garbage');
    for (const [mid] of frames) assert.equal((await c.answer(mid))[0], 3, `${JSON.stringify(mid)} answered with a CALLRESULT`);
    assert.deepEqual((await c.answer('-1')).slice(0, 3), [4, '-1', 'FormationViolation']);
    assert.equal((await c.answer('g6'))[2].idTagInfo.status, 'Invalid');
    const dt = (await rows(`SELECT message_id, data FROM ocpp_data_transfers WHERE charger_id = $1 AND vendor_id = 'acme'`, [CP]))[0];
    assert.equal(originalText(dt.data), 'bin\u0000ary\ud800');
    assert.equal(originalText(dt.message_id), 'm\u0000');
    const st = (await rows(`SELECT info, vendor_id, vendor_error_code FROM ocpp_status_history WHERE charger_id = $1 AND status = 'Faulted'`, [CP]))[0];
    assert.deepEqual([originalText(st.info), originalText(st.vendor_id), originalText(st.vendor_error_code)], ['fault\u0000', 'v\udfff', 'E\u0000042']);
    const log = await rows(`SELECT message_id, raw, payload FROM ocpp_messages WHERE direction = 'in' AND charger_id = $1`, [CP]);
    for (const [mid, , payload] of frames) {
      const row = log.find((r: any) => originalText(r.message_id) === mid);
      assert.ok(row, `${JSON.stringify(mid)} is in the message log`);
      assert.deepEqual(originalJson(row.payload), payload);
    }
    assert.ok(log.some((r: any) => r.raw && originalText(r.raw) === '[2,"g8","Heartbeat",{}]\u0000garbage'), 'the unparseable frame is stored as its text');
  } finally {
    c.ws.close();
  }
});

test('a frame the log cannot store at all is answered InternalError (never silence); the connection goes on', async () => {
  const gw = p.ctx.services.ocpp as OcppServer;
  const write = gw.log.write.bind(gw.log);
  gw.log.write = async (e) => {
    if (e.messageId === 'doomed') throw new Error('connection terminated unexpectedly');
    return write(e);
  };
  const c = await raw();
  try {
    const a = await c.call('doomed', 'StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 5, timestamp: iso() });
    assert.deepEqual(a.slice(0, 3), [4, 'doomed', 'InternalError']);
    assert.doesNotMatch(a[3], /terminated/);
    assert.equal((await rows(`SELECT count(*)::int AS n FROM sessions WHERE meter_start_wh = 5`))[0].n, 0, 'not stored, not acted on');
    assert.equal((await c.call('after', 'Heartbeat', {}))[0], 3);
  } finally {
    gw.log.write = write;
    c.ws.close();
  }
});

test('numbers out of range get 1.6 CALLERRORs naming the field, and nothing is recorded', async () => {
  const c = await raw();
  const before = (await rows(`SELECT count(*)::int AS n FROM sessions`))[0].n;
  try {
    const start = (mid: string, over: Record<string, unknown>) => c.call(mid, 'StartTransaction', { connectorId: 1, idTag: 'CARD0001', meterStart: 0, timestamp: iso(), ...over });
    const cases: [string, Promise<any[]>, string, RegExp][] = [
      ['n1', start('n1', { meterStart: -1 }), 'PropertyConstraintViolation', /meterStart/],
      ['n2', start('n2', { meterStart: 1e30 }), 'PropertyConstraintViolation', /meterStart/],
      ['n3', start('n3', { connectorId: 99 }), 'PropertyConstraintViolation', /connectorId.*99/],
      ['n4', start('n4', { connectorId: 0 }), 'PropertyConstraintViolation', /connectorId/],
      ['n5', start('n5', { timestamp: '0000-01-01T00:00:00Z' }), 'PropertyConstraintViolation', /timestamp/],
      ['n6', c.call('n6', 'StopTransaction', { transactionId: 1.5, meterStop: 10, timestamp: iso() }), 'TypeConstraintViolation', /transactionId/],
      ['n7', c.call('n7', 'StopTransaction', { transactionId: 1, meterStop: -5, timestamp: iso() }), 'PropertyConstraintViolation', /meterStop/],
      ['n8', c.call('n8', 'StatusNotification', { connectorId: 7, errorCode: 'NoError', status: 'Available' }), 'PropertyConstraintViolation', /connectorId/],
      ['n9', c.call('n9', 'MeterValues', { connectorId: 3, meterValue: [{ timestamp: iso(), sampledValue: [{ value: '1' }] }] }), 'PropertyConstraintViolation', /connectorId/],
    ];
    for (const [mid, answer, code, field] of cases) {
      const a = await answer;
      assert.deepEqual(a.slice(0, 3), [4, mid, code], JSON.stringify(a));
      assert.match(a[3], field);
    }
    // 1e400 is Infinity once parsed: not an integer (raw text: JSON.stringify cannot write it)
    c.ws.send(`[2,"n10","StartTransaction",{"connectorId":1,"idTag":"CARD0001","meterStart":1e400,"timestamp":"${iso()}"}]`);
    const inf = await c.answer('n10');
    assert.deepEqual(inf.slice(0, 3), [4, 'n10', 'TypeConstraintViolation']);
    assert.match(inf[3], /meterStart/);
    assert.equal((await rows(`SELECT count(*)::int AS n FROM sessions`))[0].n, before);
    // a connector added by provisioning while the charger is connected is accepted at once
    await p.ctx.db.query(`INSERT INTO connectors (charger_id, connector_id, operator_id, type, max_power_w) SELECT charger_id, 3, operator_id, type, max_power_w FROM connectors WHERE charger_id = $1 AND connector_id = 1`, [CP]);
    assert.equal((await c.call('n11', 'StatusNotification', { connectorId: 3, errorCode: 'NoError', status: 'Available' }))[0], 3);
  } finally {
    c.ws.close();
  }
});

test('a handler failure reaches the charger as InternalError with a reference, never the error text', async () => {
  dataTransferHandlers.set('poison', async () => {
    throw new Error('duplicate key value violates unique constraint "sessions_pkey"');
  });
  const c = await raw();
  try {
    const a = await c.call('x1', 'DataTransfer', { vendorId: 'poison' });
    assert.deepEqual(a.slice(0, 3), [4, 'x1', 'InternalError']);
    assert.doesNotMatch(a[3], /duplicate|constraint|sessions_pkey/);
    assert.match(a[3], /reference [0-9a-f]{8}/);
    assert.deepEqual(a[4], {});
  } finally {
    dataTransferHandlers.delete('poison');
    c.ws.close();
  }
});

test('a frame nested deeper than 64 levels is answered FormationViolation and stored as text', async () => {
  const c = await raw();
  try {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const frame = `[2,"deep","DataTransfer",${deep}]`;
    c.ws.send(frame);
    assert.deepEqual((await c.answer('deep')).slice(0, 3), [4, 'deep', 'FormationViolation']);
    assert.equal((await c.call('d2', 'Heartbeat', {}))[0], 3);
    const r = await rows(`SELECT message_type, length(raw) AS n FROM ocpp_messages WHERE direction = 'in' AND message_id = 'deep'`);
    assert.deepEqual(r.map((x: any) => [x.message_type, x.n]), [[null, frame.length]]);
  } finally {
    c.ws.close();
  }
});

test('OCPP_MAX_FRAME_BYTES: a bigger frame (whole or in fragments) closes the connection with 1009 and stores nothing', async () => {
  const limit = p.ctx.config.OCPP_MAX_FRAME_BYTES;
  assert.equal(limit, 65536);
  const count = async () => (await rows(`SELECT count(*)::int AS n FROM ocpp_messages WHERE direction = 'in' AND message_id LIKE 'big%'`))[0].n;
  const c = await raw();
  // just under the limit is fine
  const fits = JSON.stringify([2, 'big0', 'DataTransfer', { vendorId: 'acme', data: '' }]);
  const a = await c.call('big0', 'DataTransfer', { vendorId: 'acme', data: 'x'.repeat(limit - fits.length) });
  assert.equal(a[0], 3);
  c.ws.send(JSON.stringify([2, 'big1', 'DataTransfer', { vendorId: 'acme', data: 'x'.repeat(limit) }]));
  assert.equal(await c.closed, 1009);
  const f = await raw();
  const text = JSON.stringify([2, 'big2', 'DataTransfer', { vendorId: 'acme', data: 'y'.repeat(limit) }]);
  f.ws.send(text.slice(0, 40_000), { fin: false });
  f.ws.send(text.slice(40_000), { fin: true });
  assert.equal(await f.closed, 1009);
  assert.equal(await count(), 1, 'only the frame under the limit was stored');
  const hist = await eventually(async () => {
    const items = (await p.api('GET', `/api/v1/chargers/${CP}/connections`, undefined, staff)).body.items;
    return items.filter((x: any) => x.closeCode === 1009).length === 2 ? items : null;
  }, 'two connections closed with 1009');
  assert.match(hist.find((x: any) => x.closeCode === 1009).reason, /OCPP_MAX_FRAME_BYTES/);
});

test('a charge box id that does not decode, holds NUL or is too long is refused with 400 (the server stays up)', async () => {
  const status = (path: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${p.url.replace(/^http/, 'ws')}/ocpp/${path}`, ['ocpp1.6'], { headers: { authorization: basicAuth('x', 'y') } });
      ws.on('unexpected-response', (_q, res) => (res.resume(), resolve(res.statusCode ?? 0)));
      ws.on('open', () => (ws.terminate(), resolve(101)));
      ws.on('error', () => {});
    });
  for (const bad of ['%E0%A4%A', '%ZZ', 'AB%00CD', '%ED%A0%80', 'x'.repeat(256)]) assert.equal(await status(bad), 400, bad);
  assert.equal((await p.api('GET', '/healthz')).status, 200);
  const c = await raw();
  assert.equal((await c.call('alive', 'Heartbeat', {}))[0], 3);
  c.ws.close();
});

test('MeterValues written together: the one that fails its batch is retried alone and answered InternalError; the others are stored', async () => {
  const db = p.ctx.db;
  const query = db.query;
  const tx = db.tx;
  // the database refuses any meter batch carrying the poisoned reading (whatever the reason), in a
  // statement of its own or in a transaction (MeterValues are written with their log row in one)
  const poisoned = (q: { query: typeof db.query }) =>
    ((sql: string, params?: unknown[]) =>
      sql.includes('INSERT INTO meter_samples') && JSON.stringify(params ?? []).includes('666.666') ? Promise.reject(Object.assign(new Error('numeric field overflow'), { code: '22003', severity: 'ERROR' })) : q.query(sql, params)) as typeof db.query;
  db.query = poisoned({ query: query.bind(db) });
  db.tx = ((fn: (q: any) => Promise<unknown>) => tx.call(db, (q) => fn({ query: poisoned(q), exec: (s: string) => q.exec(s) }))) as typeof db.tx;
  const c = await raw();
  try {
    const mv = (value: string) => ({ connectorId: 2, meterValue: [{ timestamp: iso(), sampledValue: [{ value, measurand: 'Voltage', unit: 'V' }] }] });
    for (const [mid, v] of [['mv1', '230.001'], ['mv2', '666.666'], ['mv3', '230.003']]) c.ws.send(JSON.stringify([2, mid, 'MeterValues', mv(v)]));
    const [a1, a2, a3] = await Promise.all(['mv1', 'mv2', 'mv3'].map((m) => c.answer(m)));
    assert.equal(a1[0], 3);
    assert.equal(a3[0], 3);
    assert.deepEqual(a2.slice(0, 3), [4, 'mv2', 'InternalError']);
    assert.doesNotMatch(a2[3], /overflow/);
    const stored = (await rows(`SELECT value FROM meter_samples WHERE charger_id = $1 AND measurand = 'Voltage' ORDER BY id`, [CP])).map((r: any) => String(r.value));
    assert.ok(stored.includes('230.001') && stored.includes('230.003') && !stored.includes('666.666'), JSON.stringify(stored));
    assert.equal((await rows(`SELECT count(*)::int AS n FROM ocpp_messages WHERE message_id = 'mv2' AND direction = 'in'`))[0].n, 1, 'the frame itself is in the message log');
  } finally {
    db.query = query;
    db.tx = tx;
    c.ws.close();
  }
});
