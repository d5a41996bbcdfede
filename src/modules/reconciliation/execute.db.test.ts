/**
 * A run in hash partitions (issue 12, scale): the items are exactly those of `reconcile` over the
 * whole month, no partition holds the month, our orders are read in batches of the given size, and
 * a run stopped half-way (after a part committed, or inside a part's transaction) continues where it
 * stopped with no item stored twice.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import type { Db } from '../../platform/db/index.ts';
import type { Ctx } from '../../platform/context.ts';
import { partnerOrdersEnded } from '../orders/index.ts';
import { connectorCode } from '../roaming/index.ts';
import { executeRun, itemSums, loadOurs } from './execute.ts';
import { CLASSES, reconcile, type Rec } from './match.ts';
import { createRun } from './runs.ts';
import { pendingRuns, resumeInterrupted } from './service.ts';
import { claimPart, stageRows } from './stage.ts';

const XJ = '101437000';
const FROM = new Date('2026-08-01T00:00:00+08:00');
const TO = new Date('2026-09-01T00:00:00+08:00');
const N = 80;
let db: Db;
let ctx: Ctx;
const theirs: Rec[] = [];
const seqOf = (g: number) => `${XJ}${String(g).padStart(18, '0')}`;

before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
  const silent = { info() {}, warn() {}, error() {}, debug() {} };
  ctx = { db, clock: { now: () => TO.getTime() + 86_400_000, date: () => new Date(TO.getTime() + 86_400_000) }, log: silent } as unknown as Ctx;
  let row = 1;
  for (let g = 1; g <= N; g++) {
    const chargerId = `4403070003000020${String(g % 6).padStart(4, '0')}`;
    const connector = 1 + (g % 2);
    const start = FROM.getTime() + g * 4 * 3_600_000;
    const wh = 10_000 + g * 37;
    const elec = Math.floor((wh * 7) / 100);
    const serv = Math.floor((wh * 8) / 100);
    const negative = g % 15 === 0;
    await db.query(
      `INSERT INTO orders (operator_id, order_no, session_id, charger_id, connector_id, origin, auth_method, partner_id, partner_order_no, payment_method, status,
         start_time, end_time, energy_wh, electricity_fen, service_fen, total_fen, periods)
       VALUES ('op1', $1, $2, $3, $4, 'partner', 'partner', $5, $6, 'partner', 'settled', $7, $8, $9, $10, $11, $12, '[]')`,
      [String(g).padStart(20, '0'), 900_000 + g, chargerId, connector, XJ, seqOf(g), new Date(start), new Date(start + 2_400_000), wh, negative ? -elec : elec, serv, (negative ? -elec : elec) + serv],
    );
    const r: Rec = { seq: seqOf(g), connector: connectorCode(chargerId, connector), startMs: start, endMs: start + 2_400_000, wh, elecFen: elec, serviceFen: serv, totalFen: elec + serv };
    if (g % 10 === 1) {
      // not in the statement by StartChargeSeq; every other one is there without it (connector + time)
      if (g % 20 === 1) theirs.push({ ...r, seq: undefined, startMs: start + 30_000, row: row++ });
      continue;
    }
    if (g % 10 === 3) r.wh += 500;
    if (g % 10 === 5) (r.serviceFen! += 100), (r.totalFen += 100);
    theirs.push({ ...r, row: row++ });
    if (g % 10 === 7) theirs.push({ ...r, row: row++ }); // duplicate
  }
  for (let k = 1; k <= 5; k++) theirs.push({ seq: `${XJ}9${String(k).padStart(17, '0')}`, wh: 1000, elecFen: 70, serviceFen: 80, totalFen: 150, startMs: FROM.getTime() + k * 3_600_000, endMs: FROM.getTime() + k * 3_600_000 + 600_000, row: row++ });
  theirs.push({ connector: 'X0000000000000000000001', startMs: FROM.getTime() + 5_000_000, wh: 2000, totalFen: 300, row: row++ }); // loose, no such connector
});
after(async () => db?.close());

async function newRun() {
  return db.tx(async (q) => {
    const id = (await createRun(q, { operatorId: 'op1', partnerId: XJ, from: FROM, to: TO, startedBy: 'test', source: 'statement' }))!;
    for (let k = 0; k < theirs.length; k += 7) await stageRows(q, id, theirs.slice(k, k + 7));
    await claimPart(q, id, 'stage', 0, theirs.length);
    return id;
  });
}

const key = (c: string, seq: unknown, orderNo: unknown, theirsWh: unknown) => `${c}|${seq ?? ''}|${orderNo ?? ''}|${theirsWh ?? ''}`;
async function expected() {
  const run = { id: 0, operator_id: 'op1', partner_id: XJ, period_from: FROM, period_to: TO, source: 'statement' as const, status: 'running', parts: null };
  const items = reconcile(await loadOurs(db, run), theirs);
  return items.map((i) => key(i.class, i.seq, i.ours[0]?.orderNo, i.theirs.length ? i.theirs.reduce((a, r) => a + r.wh, 0) : null)).sort();
}
/** The run's summary (added up from its parts) is the count and sums of its stored items, class by class. */
async function assertSummaryOfItems(id: number) {
  const summary = (await db.query<{ summary: { perClass: Record<string, Record<string, number>>; counts: Record<string, number> } }>(`SELECT summary FROM recon_runs WHERE id = $1`, [id])).rows[0].summary;
  const items = await itemSums(db, id);
  const zero = { count: 0, oursFen: 0, theirsFen: 0, oursWh: 0, theirsWh: 0, stakeFen: 0 };
  for (const c of CLASSES) assert.deepEqual(summary.perClass[c], items[c] ?? zero, `the summary's ${c}`);
  assert.ok(summary.counts.matched > 0 && summary.counts.duplicate > 0, 'the data has matched and differing items');
}
async function stored(id: number) {
  const r = await db.query<{ class: string; start_charge_seq: string | null; order_no: string | null; theirs_wh: string | null }>(`SELECT class, start_charge_seq, order_no, theirs_wh FROM recon_items_all WHERE run_id = $1`, [id]);
  return r.rows.map((x) => key(x.class, x.start_charge_seq, x.order_no, x.theirs_wh === null ? null : Number(x.theirs_wh))).sort();
}

test('our orders are read in keyset batches of the given size (end_time, id), each partition only its buckets', async () => {
  // end times with microseconds (a Date keeps milliseconds): a batch's last row must not come back
  await db.query(`UPDATE orders SET end_time = end_time + interval '0.000123 seconds' WHERE partner_id = $1 AND order_no::int8 % 3 = 0`, [XJ]);
  await db.query(`UPDATE orders SET end_time = (SELECT min(end_time) FROM orders WHERE partner_id = $1) WHERE partner_id = $1 AND order_no::int8 % 10 = 4`, [XJ]);
  const sizes: number[] = [];
  let all = 0;
  const seen = new Set<string>();
  for await (const b of partnerOrdersEnded(db, 'op1', XJ, FROM, TO, 7)) {
    sizes.push(b.length);
    all += b.length;
    for (const o of b) seen.add(o.orderNo);
  }
  assert.equal(all, N);
  assert.equal(seen.size, N, 'no order read twice');
  assert.ok(sizes.every((n) => n <= 7));
  assert.equal(sizes.length, Math.ceil(N / 7));
  let inParts = 0;
  for (const [lo, hi] of [[0, 511], [512, 1023]]) for await (const b of partnerOrdersEnded(db, 'op1', XJ, FROM, TO, 5, { of: 1024, lo, hi })) inParts += b.length;
  assert.equal(inParts, N, 'two halves of the buckets hold every order once');
});

test('a run in partitions stores exactly the items of reconcile over the whole month, no partition holding the month', async () => {
  const want = await expected();
  for (const c of ['matched', 'missing_at_partner', 'missing_here', 'energy_mismatch', 'amount_mismatch', 'anomaly', 'duplicate']) assert.ok(want.some((k) => k.startsWith(`${c}|`)), `the data has a ${c}`);
  const id = await newRun();
  const seen: { phase: string; ours: number; theirs: number }[] = [];
  const res = await executeRun(ctx, id, { partRows: 10, batch: 4, afterPart: (phase, _p, s) => void seen.push({ phase, ...s }) });
  assert.equal(res?.status, 'open');
  const parts = (await db.query<{ parts: number }>(`SELECT parts FROM recon_runs WHERE id = $1`, [id])).rows[0].parts;
  assert.equal(parts, Math.ceil(Math.max(N, theirs.length) / 10));
  const seq = seen.filter((s) => s.phase === 'seq');
  assert.equal(seq.length, parts);
  assert.equal(seq.reduce((a, s) => a + s.ours, 0), N, 'every order of ours in exactly one partition');
  assert.equal(seq.reduce((a, s) => a + s.theirs, 0), theirs.filter((r) => r.seq).length);
  assert.ok(seq.every((s) => s.ours < N / 2 && s.theirs < theirs.length / 2), `partitions are parts of the month: ${JSON.stringify(seq)}`);
  assert.equal(seen.filter((s) => s.phase === 'loose').length, parts, 'rows without StartChargeSeq: a connector pass per partition');
  // only the orders with a row without StartChargeSeq near their start on their connector wait for that pass
  const near = Array.from({ length: N }, (_, i) => i + 1).filter((g) => g % 20 === 1).length;
  assert.equal(seen.filter((s) => s.phase === 'loose').reduce((a, s) => a + s.ours, 0), near);
  assert.deepEqual(await stored(id), want);
  assert.equal(Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM recon_statement_rows WHERE run_id = $1`, [id])).rows[0].n), 0, 'the staged rows are dropped when the run is done');
  await assertSummaryOfItems(id);
});

test('the result is committed before the staged rows go; a stop in between leaves them to the next start', async () => {
  const id = await newRun();
  const staged = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM recon_statement_rows WHERE run_id = $1`, [id])).rows[0].n);
  let atResult: { status: string; summary: { theirs: number } } | null = null;
  await assert.rejects(
    executeRun(ctx, id, {
      onResult: () => {
        throw new Error('power cut'); // after the commit of the result, before the rows are dropped
      },
    }),
    /power cut/,
  );
  atResult = (await db.query(`SELECT status, summary FROM recon_runs WHERE id = $1`, [id])).rows[0];
  assert.equal(atResult!.status, 'open', 'the result stands (a failure after it does not mark the run failed)');
  assert.equal(atResult!.summary.theirs, theirs.length, 'the partner side counted when it was staged');
  assert.equal(await staged(), theirs.length, 'the rows are still there');
  await resumeInterrupted(ctx);
  assert.equal(await staged(), 0, 'the next start drops them');
});

test('a run stopped half-way continues where it stopped: no item twice, the same result', async () => {
  const want = await expected();
  const id = await newRun();
  // 1. the process dies right after its second part committed
  let committed = 0;
  let died!: () => void;
  const dead = new Promise<void>((r) => (died = r));
  // one worker: the parts follow each other (two workers: see the next test)
  void executeRun(ctx, id, {
    partRows: 10,
    workers: 1,
    afterPart: () => {
      if (++committed < 2) return;
      died();
      return new Promise<void>(() => {}); // never comes back, like a killed process
    },
  });
  await dead;
  const status = async () => (await db.query<{ status: string }>(`SELECT status FROM recon_runs WHERE id = $1`, [id])).rows[0].status;
  const marked = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM recon_run_parts WHERE run_id = $1 AND phase <> 'stage'`, [id])).rows[0].n);
  const items = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM recon_items_all WHERE run_id = $1`, [id])).rows[0].n);
  const markedItems = async () => Number((await db.query<{ n: string }>(`SELECT coalesce(sum(items), 0) AS n FROM recon_run_parts WHERE run_id = $1 AND phase = 'seq'`, [id])).rows[0].n);
  assert.equal(await status(), 'running');
  assert.equal(await marked(), 2);
  assert.equal(await items(), await markedItems(), 'what is stored is exactly the committed parts');

  // 2. a second worker fails inside its third part's transaction: that part is not stored at all
  await assert.rejects(
    executeRun(ctx, id, { workers: 1, inPart: (_phase, p) => { if (p === 4) throw new Error('power cut'); } }),
    /power cut/,
  );
  assert.equal(await marked(), 4, 'the second worker did parts 2 and 3, then part 4 rolled back');
  assert.equal(await items(), await markedItems());

  // 3. the restarted node resumes it (a killed process leaves it running); the parts stored so far
  // carry no sums, as parts stored before migration 0885: the summary then reads the items
  await db.query(`UPDATE recon_run_parts SET sums = NULL WHERE run_id = $1`, [id]);
  await db.query(`UPDATE recon_runs SET status = 'running', error = NULL WHERE id = $1`, [id]);
  const tasks = await resumeInterrupted(ctx);
  assert.equal(tasks.length, 1);
  await Promise.all([...pendingRuns(ctx)]);
  assert.equal(await status(), 'open');
  assert.deepEqual(await stored(id), want);
  await assertSummaryOfItems(id);
  const dup = await db.query(`SELECT phase, part FROM recon_run_parts WHERE run_id = $1 GROUP BY phase, part HAVING count(*) > 1`, [id]);
  assert.equal(dup.rows.length, 0);
});

test('two workers: a part that fails stops both after the part each is in, only whole parts are stored, and a restart gives the same result', async () => {
  const want = await expected();
  const id = await newRun();
  const entered: number[] = [];
  await assert.rejects(
    executeRun(ctx, id, {
      partRows: 10,
      workers: 2,
      inPart: async (_phase, p) => {
        entered.push(p);
        if (p === 2) throw new Error('power cut');
        await new Promise((r) => setTimeout(r, 50)); // the other worker's part outlasts the failure
      },
    }),
    /power cut/,
  );
  const parts = (await db.query<{ part: number }>(`SELECT part FROM recon_run_parts WHERE run_id = $1 AND phase = 'seq' ORDER BY part`, [id])).rows.map((x) => Number(x.part));
  assert.ok(!parts.includes(2), 'the failed part is not stored');
  assert.ok(entered.length <= 4, `no worker takes a part after the failure: ${entered}`);
  assert.deepEqual(parts, entered.filter((p) => p !== 2).sort((a, b) => a - b), 'every other part entered is stored whole');
  const items = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM recon_items_all WHERE run_id = $1`, [id])).rows[0].n);
  const markedItems = Number((await db.query<{ n: string }>(`SELECT coalesce(sum(items), 0) AS n FROM recon_run_parts WHERE run_id = $1 AND phase = 'seq'`, [id])).rows[0].n);
  assert.equal(items, markedItems);
  assert.equal((await db.query<{ status: string }>(`SELECT status FROM recon_runs WHERE id = $1`, [id])).rows[0].status, 'failed');
  await db.query(`UPDATE recon_runs SET status = 'running', error = NULL WHERE id = $1`, [id]);
  await executeRun(ctx, id, { partRows: 10, workers: 2 });
  assert.deepEqual(await stored(id), want);
  await assertSummaryOfItems(id);
});

test('a statement run from before statements were stored cannot resume: marked failed at start', async () => {
  const id = (await createRun(db, { operatorId: 'op1', partnerId: XJ, from: FROM, to: TO, startedBy: 'test', source: 'statement' }))!;
  await resumeInterrupted(ctx);
  await Promise.all([...pendingRuns(ctx)]);
  const r = (await db.query<{ status: string; error: string }>(`SELECT status, error FROM recon_runs WHERE id = $1`, [id])).rows[0];
  assert.equal(r.status, 'failed');
  assert.match(r.error, /start it again/);
});

test('items whose records carry text that COPY escapes (tab, line end, backslash, quotes, CJK) are stored and read back as they were', async () => {
  const odd = 'a\tb\\c"d\n站\re';
  const rows: Rec[] = [
    { seq: `${XJ}odd\\1`, connector: odd, startMs: FROM.getTime() + 1000, endMs: FROM.getTime() + 2000, wh: 5, totalFen: 7, row: 1 },
    { connector: odd, startMs: FROM.getTime() + 3000, wh: 6, totalFen: 8, row: 2 },
  ];
  const id = await db.tx(async (q) => {
    const id = (await createRun(q, { operatorId: 'op1', partnerId: XJ, from: FROM, to: TO, startedBy: 'test', source: 'statement' }))!;
    await stageRows(q, id, rows);
    await claimPart(q, id, 'stage', 0, rows.length);
    return id;
  });
  await executeRun(ctx, id);
  const r = await db.query<{ start_charge_seq: string | null; detail: { theirs: Rec[] } }>(
    `SELECT start_charge_seq, detail FROM recon_items_all WHERE run_id = $1 AND class = 'missing_here' ORDER BY (detail->'theirs'->0->>'row')::int`,
    [id],
  );
  assert.deepEqual(
    r.rows.map((x) => [x.start_charge_seq, x.detail.theirs[0].connector, x.detail.theirs[0].row]),
    [[`${XJ}odd\\1`, odd, 1], [null, odd, 2]],
  );
});
