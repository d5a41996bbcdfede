// bench/reconciliation: one partner's month end to end on PostgreSQL — N of our partner orders
// against an N-row statement CSV with differences of every class: the streamed parse, loading our
// orders, matching, classifying, hints for the differences and storing every item. Peak RSS is
// sampled every 50 ms during the timed part. Writes "Reconciliation" in docs/performance.md.
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { execSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgres } from '../../src/platform/db/index.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { systemClock } from '../../src/platform/clock.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { createRun } from '../../src/modules/reconciliation/runs.ts';
import { executeRun, PART_ROWS, RUN_WORKERS } from '../../src/modules/reconciliation/execute.ts';
import { claimPart, STAGE_CHUNK } from '../../src/modules/reconciliation/stage.ts';
import { stageStatement } from '../../src/modules/reconciliation/stage-statement.ts';
import { calibrate, machine, numArg, writeSection } from '../support/perf-doc.ts';
import { SERVER_NODE_FLAGS } from '../../bin/node-flags.mjs';

const N = numArg('orders', 1_000_000);
// records of one side per partition (the run's memory bound); the API uses PART_ROWS
const PART = numArg('part-rows', 0) || undefined;
// runs one after another against the same orders: the report gives each and the median
const RUNS = Math.max(1, numArg('runs', 3));
// keeps the schema (orders, the run's items) for EXPLAIN ANALYZE in psql; the staged rows are gone once a run finishes
const KEEP = process.argv.includes('--keep');
const WRITE = !process.argv.includes('--no-write') && !KEEP;
const URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'bench_recon';
const XJ = '101437000';
const FROM = Date.parse('2026-08-01T00:00:00+08:00');
const TO = Date.parse('2026-09-01T00:00:00+08:00');
const SPAN_S = Math.floor((TO - FROM) / 1000) - 7200; // every order ends inside August
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

const admin = new pg.Client({ connectionString: URL });
await admin.connect();
await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
await admin.query(`CREATE SCHEMA ${SCHEMA}`);
const db = await openPostgres(URL, { schema: SCHEMA, max: 4 });
await migrate(db);
log(`seeding ${N.toLocaleString()} partner orders`);
const seq = (g: string) => `'${XJ}' || lpad(${g}::text, 18, '0')`;
await admin.query(`SET search_path = ${SCHEMA}`);
await admin.query(`INSERT INTO operators (id, name, timezone) VALUES ('op1', 'Bench', 'Asia/Shanghai')`);
// every order priced in two periods that add up to its totals, as the billing engine writes them
// (reconciliation checks each order's periods against its totals: an order that disagrees is an anomaly)
const periodSql = (type: string, from: string, to: string, wh: string, elec: string, serv: string) =>
  `jsonb_build_object('start', ${from}, 'end', ${to}, 'type', '${type}', 'electricityPrice', 7000, 'servicePrice', 8000, 'wh', ${wh}, 'electricityFen', ${elec}, 'serviceFen', ${serv})`;
await admin.query(
  `INSERT INTO orders (operator_id, order_no, session_id, charger_id, connector_id, origin, auth_method, partner_id, partner_order_no, payment_method, status,
     start_time, end_time, energy_wh, electricity_fen, service_fen, total_fen, periods)
   SELECT 'op1', lpad(g::text, 20, '0'), g, '440307000300' || lpad((g % 500)::text, 8, '0'), 1 + g % 2, 'partner', 'partner', '${XJ}', ${seq('g')}, 'partner', 'settled',
     to_timestamp(st), to_timestamp(st + 2400), wh, elec, serv, elec + serv,
     jsonb_build_array(${periodSql('flat', '(st * 1000)::int8', '((st + 1200) * 1000)::int8', 'wh - wh * 2 / 5', 'elec - elec * 2 / 5', 'serv - serv * 2 / 5')},
                       ${periodSql('peak', '((st + 1200) * 1000)::int8', '((st + 2400) * 1000)::int8', 'wh * 2 / 5', 'elec * 2 / 5', 'serv * 2 / 5')})
   FROM (SELECT g, ${FROM / 1000} + (g - 1)::float8 * ${SPAN_S} / ${N} AS st, 10000 + g % 20000 AS wh,
           CASE WHEN g % 1000 = 7 THEN -1 ELSE 1 END * ((10000 + g % 20000) * 7 / 100) AS elec, (10000 + g % 20000) * 8 / 100 AS serv
         FROM generate_series(1, ${N}) g) x`,
);
await admin.query(`VACUUM ANALYZE orders`);

// the statement: a CSV file, written once (not timed)
const dir = mkdtempSync(join(tmpdir(), 'bench-recon-'));
const file = join(dir, 'statement.csv');
const out = createWriteStream(file);
const pad = (x: number, w = 2) => String(x).padStart(w, '0');
const wall = (ms: number) => {
  const t = new Date(ms + 8 * 3_600_000);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
};
const yuan = (f: number) => `${f < 0 ? '-' : ''}${Math.floor(Math.abs(f) / 100)}.${pad(Math.abs(f) % 100)}`;
const kwh = (wh: number) => `${Math.floor(wh / 1000)}.${pad(wh % 1000, 3)}`;
let buf = 'StartChargeSeq,ConnectorID,StartTime,EndTime,TotalPower,TotalElecMoney,TotalSeviceMoney,TotalMoney\n';
let rows = 0;
for (let g = 1; g <= N; g++) {
  const wh0 = 10000 + (g % 20000);
  let wh = wh0;
  const elec = Math.floor((wh0 * 7) / 100);
  let serv = Math.floor((wh0 * 8) / 100);
  const start = Math.floor(FROM / 1000 + ((g - 1) * SPAN_S) / N) * 1000;
  let s = `${XJ}${pad(g, 18)}`;
  let st = start;
  if (g % 100 === 1) continue; // missing at the partner
  if (g % 200 === 3) wh += 500; // energy
  if (g % 200 === 5) serv += 100; // amount
  if (g % 100 === 11) {
    s = ''; // no StartChargeSeq: connector + start time
    st += 30_000;
  }
  const line = `${s},440307000300${pad(g % 500, 8)}${pad(1 + (g % 2))},${wall(st)},${wall(start + 2_400_000)},${kwh(wh)},${yuan(elec)},${yuan(serv)},${yuan(elec + serv)}\n`;
  buf += line;
  rows++;
  if (g % 1000 === 9) {
    buf += line; // duplicate
    rows++;
  }
  if (g % 200 === 13) {
    buf += `${XJ}9${pad(g, 17)},440307000300${pad(g % 500, 8)}01,${wall(start)},${wall(start + 600_000)},1.000,0.70,0.80,1.50\n`; // missing here
    rows++;
  }
  if (buf.length > 1 << 20) {
    if (!out.write(buf)) await once(out, 'drain');
    buf = '';
  }
}
out.end(buf);
await once(out, 'finish');
log(`statement: ${rows.toLocaleString()} rows`);

const ctx = { db, clock: systemClock, log: console } as unknown as Ctx;
// the statement in memory, as the API holds a request's body when the run starts
const content = readFileSync(file, 'utf8');

interface Timing {
  staged: number;
  partitions: number;
  result: number;
  total: number;
  peak: number;
  rss0: number;
  maxPart: number;
  parts: number;
  stored: number;
  counts: Record<string, number>;
  up0: string;
  load0: number;
}

/** One run timed: the statement staged as the API does it, then the run. */
async function timedRun(k: number): Promise<Timing> {
  // the dirty pages of the seeding (or of the run before) written out first (a checkpoint inside a run was ±20 % noise)
  await admin.query('CHECKPOINT').catch(() => {});
  globalThis.gc?.();
  const load0 = loadavg()[0];
  const up0 = execSync('uptime').toString().trim();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  // as the API does it: the statement parsed in pieces and stored with the run through one COPY, in one transaction
  const runId = await db.tx(async (q) => {
    const id = (await createRun(q, { operatorId: 'op1', partnerId: XJ, from: new Date(FROM), to: new Date(TO), startedBy: 'bench', source: 'statement' }))!;
    const parsed = await stageStatement(q, id, { format: 'csv', content, check: { partnerId: XJ, from: FROM, to: TO, timeZone: 'Asia/Shanghai' } });
    if (parsed.problems.length) throw new Error(JSON.stringify(parsed.problems.slice(0, 3)));
    await claimPart(q, id, 'stage', 0, parsed.count);
    return id;
  });
  const tParse = performance.now();
  if (KEEP) await db.query(`CREATE TABLE IF NOT EXISTS kept_statement_rows AS SELECT * FROM recon_statement_rows WHERE run_id = $1`, [runId]);
  let maxPart = 0;
  log(`run ${k}: statement stored (${((tParse - t0) / 1000).toFixed(1)} s)`);
  let tResult = 0;
  const res = await executeRun(ctx, runId, {
    partRows: PART,
    onResult: () => (tResult = performance.now()),
    afterPart: (phase, p, sizes) => {
      maxPart = Math.max(maxPart, sizes.ours, sizes.theirs);
      log(`  ${phase} partition ${p}: ${sizes.ours.toLocaleString()} ours, ${sizes.theirs.toLocaleString()} theirs${sizes.ms ? ` (s: ${Object.entries(sizes.ms).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')})` : ''}`);
    },
  });
  const tEnd = performance.now();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const parts = Number((await db.query<{ parts: number }>(`SELECT parts FROM recon_runs WHERE id = $1`, [runId])).rows[0].parts);
  const stored = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM recon_items_all WHERE run_id = $1`, [runId])).rows[0].n);
  const t: Timing = {
    staged: (tParse - t0) / 1000,
    partitions: (tEnd - tParse) / 1000,
    result: (tResult - t0) / 1000,
    total: (tEnd - t0) / 1000,
    peak,
    rss0,
    maxPart,
    parts,
    stored,
    counts: res!.counts as Record<string, number>,
    up0,
    load0,
  };
  log(`run ${k}: result committed at ${t.result.toFixed(1)} s, total ${t.total.toFixed(1)} s`);
  return t;
}

const speed = (c: { jsMs: number; pgMs: number }) => `JS ${c.jsMs} ms, PostgreSQL ${c.pgMs} ms`;
const cal0 = await calibrate((sql) => admin.query(sql));
log(`machine speed now (fixed workloads, lower is faster): ${speed(cal0)}`);
const timings: Timing[] = [];
for (let k = 1; k <= RUNS; k++) timings.push(await timedRun(k));
const load1 = loadavg()[0];
const cal1 = await calibrate((sql) => admin.query(sql));
log(`machine speed after the runs: ${speed(cal1)}`);
await db.close();
if (!KEEP) await admin.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
await admin.end();
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const mid = timings.find((t) => t.result === median(timings.map((x) => x.result)))!;
const mib = (b: number) => Math.round(b / 2 ** 20);
const full = N >= 1_000_000;
const { counts, parts, stored, up0, load0 } = mid;
const row = (t: Timing, label: string) =>
  `| ${label} | ${N.toLocaleString()} | ${rows.toLocaleString()} | ${t.staged.toFixed(1)} | ${t.partitions.toFixed(1)} | ${t.result.toFixed(1)} | **${t.total.toFixed(1)}** | ${mib(t.peak)} (before: ${mib(t.rss0)}) | ${t.maxPart.toLocaleString()} |`;
const uptime = (() => {
  try {
    return execSync('uptime').toString().trim();
  } catch {
    return `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`;
  }
})();
const body = `\`npm run bench -- reconciliation\`: one partner's month on PostgreSQL — ${N.toLocaleString()} of our partner orders (each priced in two periods) against a
${rows.toLocaleString()}-row statement CSV with differences of every class, end to end as the API runs it: the file (in memory, as
a request's body) parsed in 64 KiB pieces and stored with the run through one COPY kept open (chunks of ${STAGE_CHUNK.toLocaleString()} rows, each
stored while the next is parsed, in one transaction), then the run in ${parts} hash partition(s) (at most about ${(PART ?? PART_ROWS).toLocaleString()} records a side, at least ${RUN_WORKERS} from 100,000), ${RUN_WORKERS} worked at
once in their own transactions. In each, one SQL statement joins our orders with the partner's rows by StartChargeSeq and
stores every StartChargeSeq that is certainly matched (one record a side, nothing negative or not adding up, within the
tolerances) without reading it out of the database, in the lean table recon_matched; only the rest (the differences, a few per cent) comes back to the pure
rules (match.ts), gets its hints and is stored; the part commits with its marker. Then the connector + time pass, the
summary; the run's result is committed (“result committed at”: what a reader waits for) and then the staged rows are
dropped (the total includes that). ${stored.toLocaleString()} items stored. Target: under 10 s for 1,000,000 against 1,000,000 on this 2-core machine.
${full ? '' : `\n**This run is at ${N.toLocaleString()} orders, not 1,000,000: the machine was busy.** \`npm run bench -- reconciliation\` runs the full size.\n`}
Machine speed (bench/support/perf-doc.ts \`calibrate\`: fixed JSON round trips in JS and a fixed hash-and-count query in PostgreSQL, best of three, lower is faster; the same machine moved by up to half from hour to hour): ${speed(cal0)} before the runs, ${speed(cal1)} after.

\`uptime\` when the timed part began (a 1-minute load average above ~2 means other work shared the 2 cores): \`${up0}\`; at its end: \`${uptime}\`.

| run | orders | statement rows | parse + store statement s | partitions: match in SQL + the rest in JS + hints + store s | result committed at s | **total s** (staged rows dropped) | peak RSS MiB | largest partition (records of one side) |
|---|---|---|---|---|---|---|---|---|
${timings.map((t, k) => row(t, String(k + 1))).join('\n')}

**Median of the ${RUNS} runs: result committed at ${median(timings.map((t) => t.result)).toFixed(1)} s, total ${median(timings.map((t) => t.total)).toFixed(1)} s** (every run against the same orders, one after another, each with its own run; the machine's speed varies from minute to minute, so one run alone says little).

Items per class: ${Object.entries(counts).map(([k, v]) => `${k} ${v.toLocaleString()}`).join(', ')}.

Memory: the statement's text is held once, as the API holds a request's body (${mib(content.length)} MiB of the peak); its records
are never all held (parsed in pieces, stored a chunk at a time), and the run holds in JS only what a partition does not match in SQL, so the peak follows the differences of a partition (at most PART_ROWS in
src/modules/reconciliation/execute.ts a side), not the month.
Machine: ${machine()}, Node flags ${process.execArgv.filter((a) => a.startsWith('--max-')).join(' ') || 'none'} (the server's, bin/node-flags.mjs: ${SERVER_NODE_FLAGS.join(' ')}). Measured ${new Date().toISOString().slice(0, 10)}; 1-minute load average ${load0.toFixed(1)} before the median run and ${load1.toFixed(1)} after the last.
Reproduce: \`npm run bench -- reconciliation\` or \`node ${SERVER_NODE_FLAGS.join(' ')} --import tsx --expose-gc bench/reconciliation/index.ts [--orders 1000000] [--runs 3] [--part-rows 1000000] [--no-write] [--keep]\`.`;
if (WRITE) writeSection('Reconciliation', body);
console.log(body);
