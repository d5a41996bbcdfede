/**
 * ocpp_connections of a node that died (issue 11, point 17): nodes renew a lease on ctx.clock; any
 * node ends the open rows of a node whose lease expired (at the lease expiry) and releases its
 * chargers; a charger that reconnects through another node ends its old row there and the old node
 * drops its stale socket. Two nodes on one PostgreSQL database, each with its own FakeClock.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { startPlatform, type Platform } from '../../src/server.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { provision } from '../../src/modules/registry/provisioning.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db/index.ts';
import { NODE_LEASE_MS, NODE_LEASE_RENEW_MS } from '../../src/modules/ocpp/lease.ts';
import { testDb, TEST_DB } from '../support/db.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { RPCClient, CP, KEY, boot, eventually } from './support.ts';
import { RELAYS, type Relay } from '../support/relays.ts';

// Each relay in turn (LISTEN/NOTIFY, NATS) carries the 'drop the stale socket' message.
for (const relay of RELAYS) describe(`relay over ${relay.name}`, () => suite(relay));

function suite(relay: Relay) {
  const skip = TEST_DB !== 'postgres' ? 'several nodes need the PostgreSQL server (the embedded database is one process)' : relay.skip;
  const CP2 = '44030700030000200017';
  const KEY2 = 'key-0000000000000017';
  const START = '2026-03-01T08:00:00.000Z';
  let db: Db;
  let a: Platform;
  let b: Platform;
  // A's clock stands still (a node that stopped renewing: hung, or killed); B's runs.
  const clockA = new FakeClock(START);
  const clockB = new FakeClock(START, { ticking: true });
  let token: string;
  const clients: any[] = [];

  async function node(clock: FakeClock): Promise<Platform> {
    const cfg = loadConfig({ PORT: '0', HOST: '127.0.0.1', DEMO_DATA: 'false', LOG_LEVEL: 'silent', OCPP_COMMAND_TIMEOUT_MS: '1500', AUTH_SECRET: 'x'.repeat(40), ...relay.env });
    return startPlatform(cfg, { db, log: createLogger('silent'), clock });
  }
  async function connect(p: Platform, id: string, key: string) {
    const c = new RPCClient({ endpoint: p.url.replace(/^http/, 'ws') + '/ocpp', identity: id, password: key, protocols: ['ocpp1.6'], strictMode: true, reconnect: false });
    const closed = new Promise<number>((r) => c.once('close', ({ code }: { code: number }) => r(code)));
    await c.connect();
    await boot(c);
    clients.push(c);
    return { c, closed };
  }
  const rows = async (id: string) =>
    (await db.query(`SELECT node_id, connected_at, disconnected_at, reason FROM ocpp_connections WHERE charger_id = $1 ORDER BY id`, [id])).rows as {
      node_id: string;
      connected_at: Date;
      disconnected_at: Date | null;
      reason: string | null;
    }[];
  const charger = async (id: string) => (await db.query(`SELECT connected, connected_node FROM chargers WHERE id = $1`, [id])).rows[0];

  before(async () => {
    if (skip) return;
    db = await testDb();
    await migrate(db);
    await provision(db, minimalDoc());
    a = await node(clockA);
    b = await node(clockB);
    const r = await fetch(b.url + '/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'op1-admin', password: 'op1-admin-pass' }) });
    token = ((await r.json()) as any).token;
  });
  after(async () => {
    if (skip) return;
    for (const c of clients) await c.close({ force: true }).catch(() => {});
    await b?.stop();
    await a?.stop();
    await db.close();
  });

  test('both nodes hold a lease', { skip }, async () => {
    const leases = (await db.query(`SELECT node_id, expires_at FROM ocpp_node_leases ORDER BY node_id`)).rows;
    assert.deepEqual(leases.map((l: any) => l.node_id).sort(), [a.ctx.nodeId, b.ctx.nodeId].sort());
  });

  test('a charger that reconnects through another node: its old row ends, the old node drops the stale socket', { skip }, async () => {
    const first = await connect(a, CP2, KEY2);
    await eventually(async () => (await charger(CP2))?.connected_node === a.ctx.nodeId, 'held by A');
    await connect(b, CP2, KEY2);
    assert.equal(await first.closed, 4000, 'A closed its old socket: replaced by a newer connection');
    const r = await eventually(async () => {
      const x = await rows(CP2);
      return x.length === 2 && x[0].disconnected_at ? x : null;
    }, 'the old row ended');
    assert.equal(r[0].node_id, a.ctx.nodeId);
    assert.equal(r[0].reason, 'reconnected through another node');
    assert.equal(r[1].node_id, b.ctx.nodeId);
    assert.equal(r[1].disconnected_at, null);
    // A's close handler ran after B took over: the charger stays connected through B
    await new Promise((res) => setTimeout(res, 200));
    assert.deepEqual(await charger(CP2), { connected: true, connected_node: b.ctx.nodeId });
    assert.equal((await rows(CP2))[0].reason, 'reconnected through another node', 'the first end wins');
  });

  test('a node whose lease expired: its open rows end at the lease expiry, its chargers are released, commands answer 409', { skip }, async () => {
    const held = await connect(a, CP, KEY);
    await eventually(async () => (await charger(CP))?.connected_node === a.ctx.nodeId, 'held by A');
    const expiry = new Date(new Date(START).getTime() + NODE_LEASE_MS);
    // nothing happens while A's lease runs
    await clockB.advance(NODE_LEASE_MS - 5_000);
    assert.equal((await rows(CP))[0].disconnected_at, null);
    await clockB.advance(NODE_LEASE_RENEW_MS);
    const r = await eventually(async () => ((await rows(CP))[0].disconnected_at ? await rows(CP) : null), 'the row closed by B');
    assert.equal(r[0].disconnected_at!.toISOString(), expiry.toISOString());
    assert.equal(r[0].reason, 'node lease expired');
    assert.deepEqual(await charger(CP), { connected: false, connected_node: null });
    assert.deepEqual((await db.query(`SELECT node_id FROM ocpp_node_leases`)).rows.map((x: any) => x.node_id), [b.ctx.nodeId]);
    const cmd = await fetch(`${b.url}/api/v1/chargers/${CP}/commands/GetConfiguration`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{}' });
    assert.equal(cmd.status, 409, 'offline, not relayed into a dead node');
    // A wakes up: it finds its lease gone and closes its sockets, so the chargers reconnect and are recorded again
    await clockA.advance(NODE_LEASE_RENEW_MS);
    assert.equal(await held.closed, 1012);
    await connect(b, CP, KEY);
    await eventually(async () => (await charger(CP))?.connected_node === b.ctx.nodeId, 'held by B');
    assert.equal((await rows(CP))[0].reason, 'node lease expired', 'A closing late does not rewrite the row');
  });
}
