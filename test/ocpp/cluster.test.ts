import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { startPlatform, type Platform } from '../../src/server.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { provision } from '../../src/modules/registry/provisioning.ts';
import type { Db } from '../../src/platform/db/index.ts';
import { testDb, TEST_DB } from '../support/db.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { RPCClient, CP, KEY, boot, eventually } from './support.ts';
import { RELAYS, type Relay } from '../support/relays.ts';

const { createRPCError } = createRequire(import.meta.url)('ocpp-rpc') as { createRPCError: (c: string, m?: string) => Error };

// Two nodes on one PostgreSQL database: the charger holds a socket to node A, staff call node B;
// the command goes over each relay in turn (LISTEN/NOTIFY, NATS).
for (const relay of RELAYS) describe(`relay over ${relay.name}`, () => suite(relay));

function suite(relay: Relay) {
  const skip = TEST_DB !== 'postgres' ? 'several nodes need the PostgreSQL server (the embedded database is one process)' : relay.skip;
  let db: Db;
  let a: Platform;
  let b: Platform;
  let cp: any;
  let token: string;

  async function node(): Promise<Platform> {
    const cfg = loadConfig({ PORT: '0', HOST: '127.0.0.1', DEMO_DATA: 'false', LOG_LEVEL: 'silent', OCPP_COMMAND_TIMEOUT_MS: '1500', AUTH_SECRET: 'x'.repeat(40), ...relay.env });
    return startPlatform(cfg, { db, log: createLogger('silent') });
  }
  const api = async (p: Platform, path: string, body: unknown) => {
    const r = await fetch(p.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };

  before(async () => {
    if (skip) return;
    db = await testDb();
    await migrate(db);
    await provision(db, minimalDoc());
    a = await node();
    b = await node();
    assert.equal(a.ctx.services.ocpp && (a.ctx.services.ocpp as any).link.relay.kind, relay.env.NATS_URL ? 'nats' : 'postgres');
    cp = new RPCClient({ endpoint: a.url.replace(/^http/, 'ws') + '/ocpp', identity: CP, password: KEY, protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
    cp.handle('GetConfiguration', () => ({ configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] }));
    cp.handle('ChangeAvailability', () => {
      throw createRPCError('NotSupported', 'no availability here');
    });
    cp.handle('Reset', () => new Promise(() => {})); // never answers
    await cp.connect();
    await boot(cp);
    await eventually(async () => (await db.query(`SELECT connected FROM chargers WHERE id = $1`, [CP])).rows[0]?.connected, 'charger connected');
    const r = await fetch(b.url + '/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'op1-admin', password: 'op1-admin-pass' }) });
    token = ((await r.json()) as any).token;
  });
  after(async () => {
    if (skip) return;
    await cp?.close({ force: true });
    await b?.stop();
    await a?.stop();
    await db.close();
  });

  test('a command sent to the node that does not hold the charger is relayed to the one that does', { skip }, async () => {
    assert.equal(b.ctx.services.ocpp!.isConnected(CP), false);
    const r = await api(b, `/api/v1/chargers/${CP}/commands/GetConfiguration`, { key: ['HeartbeatInterval'] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.configurationKey, [{ key: 'HeartbeatInterval', readonly: false, value: '300' }]);
  });

  test('a relayed CALLERROR and a relayed timeout keep their meaning (502, 504)', { skip }, async () => {
    const rej = await api(b, `/api/v1/chargers/${CP}/commands/ChangeAvailability`, { connectorId: 1, type: 'Inoperative' });
    assert.equal(rej.status, 502, JSON.stringify(rej.body));
    assert.match(JSON.stringify(rej.body), /NotSupported/);
    const slow = await api(b, `/api/v1/chargers/${CP}/commands/Reset`, { type: 'Soft' });
    assert.equal(slow.status, 504, JSON.stringify(slow.body));
  });

  test('once the charger leaves node A, node B answers 409 offline', { skip }, async () => {
    await cp.close({ force: true });
    await eventually(async () => !(await db.query(`SELECT connected FROM chargers WHERE id = $1`, [CP])).rows[0]?.connected, 'charger disconnected');
    const r = await api(b, `/api/v1/chargers/${CP}/commands/GetConfiguration`, {});
    assert.equal(r.status, 409, JSON.stringify(r.body));
  });
}
