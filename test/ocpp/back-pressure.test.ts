/**
 * Back-pressure (issue 15): a charger flooding MeterValues while the database is slow does not grow
 * the gateway's queue without bound: past OCPP_METER_QUEUE_MAX its socket stops being read (TCP
 * holds the rest on the charger's side), and is read again once the queue drains. A command to
 * another charger, or to the paused one, is answered meanwhile. Counts, not timings.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { eventually, CP, KEY } from './support.ts';
import type { OcppServer } from '../../src/modules/ocpp/gateway.ts';

const CP2 = '44030700030000200017';
const KEY2 = 'key-0000000000000017';
const HIGH = 50;
const FLOOD = 10_000;

let p: TestPlatform;
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc(), env: { OCPP_METER_QUEUE_MAX: String(HIGH), OCPP_COMMAND_TIMEOUT_MS: '20000' } });
});
after(async () => p.close());

async function raw(id: string, key: string) {
  const ws = new WebSocket(`${p.url.replace(/^http/, 'ws')}/ocpp/${id}`, ['ocpp1.6'], { headers: { authorization: `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}` } });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const answers = new Map<string, unknown>();
  ws.on('message', (d) => {
    const f = JSON.parse(String(d));
    if (f[0] === 2) ws.send(JSON.stringify([3, f[1], { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] }])); // a command: answered at once
    else answers.set(f[1], f);
  });
  return { ws, answers };
}

test('a MeterValues flood against a stalled database pauses the socket at the queue limit instead of queueing every frame; commands still get through; all frames are answered once it drains', { timeout: 120_000 }, async () => {
  const gw = p.ctx.services.ocpp as OcppServer;
  const mf = gw.meterFrames as any;
  // the database stalls: no MeterValues batch commits until released
  let release!: () => void;
  const stalled = new Promise<void>((r) => (release = r));
  const write = mf.writeBatch.bind(mf);
  mf.writeBatch = async (db: unknown, fs: unknown[]) => (await stalled, write(db, fs));

  after(() => release()); // never leave the writer stalled (the platform could not stop)
  const a = await raw(CP, KEY);
  const b = await raw(CP2, KEY2);
  await eventually(async () => gw.connections.size === 2, 'both connected');
  const frame = (i: number) =>
    JSON.stringify([2, `mv${i}`, 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)).toISOString(), sampledValue: [{ value: String(i), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' }] }] }]);
  for (let i = 0; i < FLOOD; i++) a.ws.send(frame(i));

  const conn = gw.connections.get(CP)!;
  await eventually(async () => mf.paused.has(conn), 'the flooding socket paused', 20_000);
  // What ws had already read when the socket paused still arrives (its buffer, frames in validation):
  // on PostgreSQL that read-ahead reached about half of a 6,000-frame flood (issue 15 keeps this open),
  // so the bound asserted is that the rest waits in TCP, not a number near the limit.
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(mf.peakQueued < FLOOD, `peak ${mf.peakQueued} below the ${FLOOD} frames sent (the rest waits in TCP)`);
  assert.equal(a.answers.size, 0, 'nothing acknowledged before its commit');

  // commands bypass the MeterValues queue: to a quiet charger, and to the paused one
  const r1 = await gw.call(CP2, 'GetConfiguration', { key: ['HeartbeatInterval'] });
  assert.equal((r1 as any).configurationKey[0].value, '300');
  const r2 = await gw.call(CP, 'GetConfiguration', { key: ['HeartbeatInterval'] });
  assert.equal((r2 as any).configurationKey[0].value, '300');
  assert.equal(a.answers.size, 0, 'still nothing acknowledged: the database is still stalled');

  release();
  await eventually(async () => a.answers.size === FLOOD, `all ${FLOOD} frames answered`, 90_000);
  assert.ok([...a.answers.values()].every((f: any) => f[0] === 3), 'every frame acknowledged');
  assert.equal(mf.paused.size, 0, 'no socket left paused');
  const n = await p.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM meter_samples WHERE charger_id = $1`, [CP]);
  assert.equal(n.rows[0].n, FLOOD);
  a.ws.close();
  b.ws.close();
});
