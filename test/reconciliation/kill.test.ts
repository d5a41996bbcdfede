/**
 * kill -9 in the middle of a run (issue 12): a run in a child process on the PostgreSQL server is
 * killed inside a part's transaction; what it left is exactly its committed parts (no half part),
 * and the restarted node (resumeInterrupted) finishes it with exactly one item per StartChargeSeq
 * and per unpaired row: none twice, none lost — the items `reconcile` gives over the whole month.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres, type Db } from '../../src/platform/db/index.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { provision } from '../../src/modules/registry/provisioning.ts';
import { connectorCode } from '../../src/modules/roaming/index.ts';
import { loadOurs } from '../../src/modules/reconciliation/execute.ts';
import { reconcile, type Rec } from '../../src/modules/reconciliation/match.ts';
import { createRun } from '../../src/modules/reconciliation/runs.ts';
import { pendingRuns, resumeInterrupted } from '../../src/modules/reconciliation/service.ts';
import { claimPart, stageRows } from '../../src/modules/reconciliation/stage.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { TEST_DB, TEST_DATABASE_URL } from '../support/db.ts';

const skip = TEST_DB !== 'postgres' ? 'a second process on the database needs the PostgreSQL server (the embedded database is one process)' : false;
const XJ = '101437000';
const FROM = new Date('2026-08-01T00:00:00+08:00');
const TO = new Date('2026-09-01T00:00:00+08:00');
const NOW = TO.getTime() + 86_400_000;
const N = 60;
const schema = `t_kill_${process.pid}_${randomBytes(3).toString('hex')}`;
let db: Db;
const theirs: Rec[] = [];

before(async () => {
  if (skip) return;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  db = await openPostgres(TEST_DATABASE_URL, { schema, max: 4 });
  await migrate(db);
  await provision(db, minimalDoc());
  let row = 2;
  for (let g = 1; g <= N; g++) {
    const chargerId = `4403070003000020${String(g % 6).padStart(4, '0')}`;
    const start = FROM.getTime() + g * 4 * 3_600_000;
    const wh = 10_000 + g * 37;
    const [elec, serv] = [Math.floor((wh * 7) / 100), Math.floor((wh * 8) / 100)];
    const seq = `${XJ}${String(g).padStart(18, '0')}`;
    await db.query(
      `INSERT INTO orders (operator_id, order_no, session_id, charger_id, connector_id, origin, auth_method, partner_id, partner_order_no, payment_method, status,
         start_time, end_time, energy_wh, electricity_fen, service_fen, total_fen, periods)
       VALUES ('op1', $1, $2, $3, 1, 'partner', 'partner', $4, $5, 'partner', 'settled', $6, $7, $8, $9, $10, $11, '[]')`,
      [String(g).padStart(20, '0'), 700_000 + g, chargerId, XJ, seq, new Date(start), new Date(start + 2_400_000), wh, elec, serv, elec + serv],
    );
    const r: Rec = { seq, connector: connectorCode(chargerId, 1), startMs: start, endMs: start + 2_400_000, wh, elecFen: elec, serviceFen: serv, totalFen: elec + serv };
    if (g % 10 === 1) {
      if (g % 20 === 1) theirs.push({ ...r, seq: undefined, startMs: start + 30_000, row: row++ }); // connector + time
      continue; // missing at the partner
    }
    if (g % 10 === 3) r.wh += 500;
    theirs.push({ ...r, row: row++ });
    if (g % 10 === 7) theirs.push({ ...r, row: row++ }); // duplicate
  }
  for (let k = 1; k <= 4; k++) theirs.push({ seq: `${XJ}9${String(k).padStart(17, '0')}`, wh: 1000, totalFen: 150, row: row++ }); // missing here
});
after(async () => {
  if (skip) return;
  await db?.close();
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

const count = async (sql: string, id: number) => Number((await db.query<{ n: string }>(sql, [id])).rows[0].n);

test('a run killed -9 inside a part resumes after the restart: every record in exactly one item, none lost', { skip }, async () => {
  const id = await db.tx(async (q) => {
    const id = (await createRun(q, { operatorId: 'op1', partnerId: XJ, from: FROM, to: TO, startedBy: 'test', source: 'statement' }))!;
    await stageRows(q, id, theirs);
    await claimPart(q, id, 'stage', 0, theirs.length);
    return id;
  });
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./kill-child.ts', import.meta.url).pathname, TEST_DATABASE_URL, schema, String(id), String(NOW)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_TEST_CONTEXT: undefined },
  });
  let out = '';
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.on('exit', (code, signal) => r(signal ?? code)));
  // killed inside a part's transaction once two parts committed (two workers: parts interleave)
  const committed = () => [...out.matchAll(/committed seq (\d+)\n/g)].map((m) => Number(m[1]));
  const entered = () => [...out.matchAll(/part seq (\d+)\n/g)].map((m) => Number(m[1]));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const done = committed();
      if (done.length >= 2 && entered().some((p) => !done.includes(p))) resolve();
      if (/finished/.test(out)) reject(new Error('the child finished before it was killed'));
    });
    child.on('exit', () => reject(new Error(`the child ended early: ${out}`)));
  });
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const done = committed();
  const inFlight = entered().filter((p) => !done.includes(p));
  assert.ok(done.length >= 2 && inFlight.length >= 1, out);
  // what the killed run left: its committed parts, whole, and nothing of the ones it was in
  await new Promise((r) => setTimeout(r, 200)); // the server notices the dropped connection and rolls back
  assert.equal((await db.query<{ status: string }>(`SELECT status FROM recon_runs WHERE id = $1`, [id])).rows[0].status, 'running');
  const stored = (await db.query<{ part: number }>(`SELECT part FROM recon_run_parts WHERE run_id = $1 AND phase = 'seq' ORDER BY part`, [id])).rows.map((x) => Number(x.part));
  // every part that said it committed is stored (one may also commit between its output and the kill);
  // a part the kill caught inside its transaction left nothing: the items are exactly the stored parts'
  assert.ok(done.every((p) => stored.includes(p)), `committed ${done} stored ${stored}`);
  assert.equal(
    await count(`SELECT count(*) AS n FROM recon_items_all WHERE run_id = $1`, id),
    await count(`SELECT coalesce(sum(items), 0) AS n FROM recon_run_parts WHERE run_id = $1 AND phase = 'seq'`, id),
    'the items stored are exactly those of the committed parts',
  );

  // the restarted node
  const silent = { info() {}, warn() {}, error() {}, debug() {} };
  const ctx = { db, clock: { now: () => NOW, date: () => new Date(NOW) }, log: silent } as unknown as Ctx;
  assert.equal((await resumeInterrupted(ctx)).length, 1);
  await Promise.all([...pendingRuns(ctx)]);
  assert.equal((await db.query<{ status: string }>(`SELECT status FROM recon_runs WHERE id = $1`, [id])).rows[0].status, 'open');
  const orders = await db.query<{ order_no: string; n: string }>(`SELECT order_no, count(*) AS n FROM recon_items_all WHERE run_id = $1 AND order_no IS NOT NULL GROUP BY order_no`, [id]);
  assert.equal(orders.rows.length, N, 'every order of ours in an item');
  assert.ok(orders.rows.every((x) => Number(x.n) === 1), 'no order in two items');
  const seqs = await db.query(`SELECT start_charge_seq FROM recon_items_all WHERE run_id = $1 AND start_charge_seq IS NOT NULL GROUP BY start_charge_seq HAVING count(*) > 1`, [id]);
  assert.equal(seqs.rows.length, 0, 'no StartChargeSeq in two items');
  const run = { id, operator_id: 'op1', partner_id: XJ, period_from: FROM, period_to: TO, source: 'statement' as const, status: 'running', parts: null };
  const key = (c: unknown, seq: unknown, no: unknown) => `${c}|${seq ?? ''}|${no ?? ''}`;
  const want = reconcile(await loadOurs(db, run), theirs).map((i) => key(i.class, i.seq, i.ours[0]?.orderNo)).sort();
  const got = (await db.query<{ class: string; start_charge_seq: string | null; order_no: string | null }>(`SELECT class, start_charge_seq, order_no FROM recon_items_all WHERE run_id = $1`, [id])).rows
    .map((x) => key(x.class, x.start_charge_seq, x.order_no))
    .sort();
  assert.deepEqual(got, want);
});
