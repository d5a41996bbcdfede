// bench/ocpp: N chargers against one ChargeOps node on PostgreSQL. Reports boot-storm time,
// persisted MeterValues per second, command round trip through the HTTP API and memory per
// connection, into docs/performance.md ("OCPP gateway (Node N)", one section per Node.js major, so
// runs on Node 20 and Node 24 stand side by side). The server runs on the same Node as the bench:
// `npx -y -p node@24 -- npm run bench -- ocpp`. All traffic stays on 127.0.0.1; every phase is
// bounded in count and time.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import pg from 'pg';
import { fleetFromDoc, syntheticProvisioning } from '../../src/modules/ocpp/simulator/fleet.ts';
import { machine, percentile, writeSection } from '../support/perf-doc.ts';
import { freshBenchDb } from './db.ts';
import { benchSecret, commands, freePort, login, pool, serverCheckout } from './harness.ts';
import { RawCharger, meterValuesPayload } from './raw-charger.ts';
import { SERVER_NODE_FLAGS } from '../../bin/node-flags.mjs';

const arg = (name: string, env: string, def: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  const v = Number(a ? a.split('=')[1] : (process.env[env] ?? def));
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} / ${env} must be a positive number`);
  return v;
};
const N = arg('chargers', 'BENCH_CHARGERS', 5000);
const RATE = arg('rate', 'BENCH_MV_RATE', 4000); // MeterValues/s offered in total
const WINDOW_S = arg('window', 'BENCH_WINDOW_S', 30);
const COMMANDS = arg('commands', 'BENCH_COMMANDS', 300);
const FLEET_S = arg('fleet-window', 'BENCH_FLEET_S', 25);
const OPERATORS = Math.min(N, arg('operators', 'BENCH_OPERATORS', 4));
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** --detection=off: the server runs without the live billing-evasion rules (issue 13's "without the rules" half); figures are printed, never written. */
const DETECTION = !process.argv.includes('--detection=off');
const WRITE = !process.argv.includes('--no-write') && DETECTION;
/** The Node.js that runs the server (spawned with process.execPath) and the load generator. */
const NODE = process.version;
const SECTION = `OCPP gateway (Node ${process.versions.node.split('.')[0]})`;

const log = (m: string) => console.log(`[bench ocpp ${new Date().toISOString().slice(11, 19)}] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const cpuS = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

/** MeterValues from every charger at `rate` per second in total (one in flight per charger) until `end`. */
async function meterLoad(tx: Map<RawCharger, { id: number; wh: number }>, rate: number, end: number) {
  const lat: number[] = [];
  const period = (tx.size / rate) * 1000;
  const start = Date.now();
  await Promise.all(
    [...tx.entries()].map(async ([ch, t], i) => {
      let next = start + (i / tx.size) * period;
      while (Date.now() < end && !ch.closed) {
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
        if (Date.now() >= end) break;
        t.wh += 250;
        const s = performance.now();
        await ch.call('MeterValues', meterValuesPayload(t.id, t.wh, 50), 30_000).then(() => lat.push(performance.now() - s), () => {});
        next = Math.max(next + period, Date.now());
      }
    }),
  );
  lat.sort((a, b) => a - b);
  return { n: lat.length, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

/** The commit the server ran (serverCheckout), named in the report. */
let serverCommit = '';

const CEILING_S = arg('ceiling-window', 'BENCH_CEILING_S', 10);

/**
 * The machine's ceiling in this run (issue 15): the same chargers and generator against a bare `ws`
 * server (bare-ws.mjs: parse each CALL, answer it; nothing else), every charger sending its next
 * MeterValues as soon as the last is answered. What the gateway persists is reported as a ratio of it.
 */
async function ceiling(fleet: { id: string; authKey?: string | null }[]) {
  const port = await freePort();
  const child = spawn(process.execPath, [new URL('./bare-ws.mjs', import.meta.url).pathname, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (c) => reject(new Error(`bare ws server exited (${c})`)));
    });
    const chargers = fleet.map((c) => new RawCharger(`ws://127.0.0.1:${port}/ocpp`, c.id, c.authKey ?? 'x'));
    await pool(chargers, 500, (ch) => ch.connect(60_000));
    const tx = new Map(chargers.filter((c) => !c.closed).map((c, i) => [c, { id: i + 1, wh: 1_000_000 }] as const));
    await meterLoad(tx, 1e9, Date.now() + 2000); // warm-up
    const cpu0 = cpuS(child.pid!);
    const gen0 = process.cpuUsage();
    const t0 = Date.now();
    const r = await meterLoad(tx, 1e9, t0 + CEILING_S * 1000);
    const s = (Date.now() - t0) / 1000;
    const cpu = (cpuS(child.pid!) - cpu0) / s;
    const g = process.cpuUsage(gen0);
    for (const c of chargers) c.close();
    return { perS: r.n / s, p50: r.p50, p99: r.p99, cpu, genCpu: (g.user + g.system) / 1e6 / s, chargers: tx.size };
  } finally {
    child.kill('SIGKILL');
  }
}

async function main() {
  const loadBefore = loadavg()[0];
  log(`${N} chargers, ${RATE} MeterValues/s offered, ${WINDOW_S} s window, ${OPERATORS} operator(s); PostgreSQL ${PG_URL.replace(/\/\/[^@]*@/, '//')}; server and load generator on Node ${NODE}; live detection ${DETECTION ? 'on' : 'OFF'}`);
  const per = Math.ceil(N / OPERATORS);
  const docs = Array.from({ length: OPERATORS }, (_, k) =>
    syntheticProvisioning(Math.min(per, N - k * per), { operatorId: `sim${k + 1}`, offset: k * per, admin: k === 0, secret: benchSecret(), drivers: per }),
  );
  // a driver (card) per charger of its own operator, as in a real fleet: one card on 2,000 connectors
  // at once would be a tag_multi_connector incident on every session (detection would measure itself)
  const tagOf = new Map(docs.flatMap((d) => { const f = fleetFromDoc(d); return f.chargers.map((c, i) => [c.id, f.idTags[i % f.idTags.length]] as const); }));
  const fleet = docs.flatMap((d) => fleetFromDoc(d).chargers);
  // 0. The ceiling first, in the same run: a bare ws server, same chargers, same generator.
  const ceil = await ceiling(fleet);
  log(`ceiling (bare ws, parse + answer, ${ceil.chargers} chargers, one CALL in flight each): ${ceil.perS.toFixed(0)} round trips/s, p50 ${ms(ceil.p50)} p99 ${ms(ceil.p99)}, bare server CPU ${(ceil.cpu * 100).toFixed(0)} %, generator CPU ${(ceil.genCpu * 100).toFixed(0)} %, load average ${loadavg()[0].toFixed(1)}`);
  const ratio = (x: number) => `${((100 * x) / ceil.perS).toFixed(1)} % of the ceiling`;
  const db = await freshBenchDb(PG_URL, docs, log);
  const port = await freePort();
  const serverLog = '/tmp/chargeops-bench-ocpp-server.log';
  const { dir: serverDir, commit } = serverCheckout();
  serverCommit = commit;
  // BENCH_SERVER_PROF=DIR: the server writes a V8 CPU profile there when it stops (for finding its bottleneck).
  const prof = process.env.BENCH_SERVER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVER_PROF}`] : [];
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...prof, `${serverDir}/bin/chargeops.mjs`, 'start'], {
    cwd: serverDir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url, DEMO_DATA: 'false', WEB_BUILD: 'off', LOG_LEVEL: 'warn', HEARTBEAT_INTERVAL_S: '3600', AUTH_SECRET: randomBytes(24).toString('hex'), SECRETS_KEY: randomBytes(32).toString('base64'), SECURITY_LIVE_DETECTION: String(DETECTION) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(serverLog);
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const http = `http://127.0.0.1:${port}`;
  const ws = `ws://127.0.0.1:${port}/ocpp`;
  const chargers = fleet.map((c) => new RawCharger(ws, c.id, c.authKey!));
  const pgc = new pg.Client({ connectionString: db.url });
  try {
    for (let t = Date.now(); ; await sleep(250)) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}); see ${serverLog}`);
      if (Date.now() - t > 120_000) throw new Error(`the server did not get ready in 120 s; see ${serverLog}`);
      if ((await fetch(`${http}/readyz`).catch(() => null))?.ok) break;
    }
    await pgc.connect();
    // Warm-up: the first connections and commands load code paths and caches that are not per-connection.
    const warm = fleet.slice(0, Math.min(50, N)).map((c) => new RawCharger(ws, c.id, c.authKey!));
    await pool(warm, 50, async (ch) => {
      await ch.connect();
      await ch.call('BootNotification', { chargePointVendor: 'BenchVendor', chargePointModel: 'RAW-60' });
    });
    const warmToken = await login(http, docs[0].admins[0].password!).catch(() => '');
    if (warmToken) await commands(http, warmToken, warm, 5, Date.now() + 10_000);
    for (const c of warm) c.close();
    await sleep(3000);
    const rssBase = rssMiB(child.pid!);
    log(`server ready on ${port}, RSS ${rssBase.toFixed(0)} MiB`);

    // 1. Boot storm: every charger connects (Basic auth) and sends BootNotification.
    let accepted = 0;
    const t0 = Date.now();
    const cpu0 = cpuS(child.pid!);
    const boot = await pool(chargers, 500, async (ch) => {
      await ch.connect(120_000);
      const r = await ch.call('BootNotification', { chargePointVendor: 'BenchVendor', chargePointModel: 'RAW-60', firmwareVersion: '1.0' }, 120_000);
      if (r.status !== 'Accepted') throw new Error(`BootNotification ${r.status}`);
      accepted++;
    });
    const bootS = (Date.now() - t0) / 1000;
    const bootCpu = (cpuS(child.pid!) - cpu0) / bootS;
    log(`boot storm: ${accepted}/${N} accepted in ${bootS.toFixed(1)} s, ${(accepted / bootS).toFixed(0)} boots/s (server CPU ${(bootCpu * 100).toFixed(0)} %)${boot.failed ? `; ${boot.failed} failed: ${boot.errors.join(' | ')}` : ''}`);
    await sleep(5000);
    const live = chargers.filter((c) => !c.closed && c.ws);
    const rssConnected = rssMiB(child.pid!);
    const perConnKiB = ((rssConnected - rssBase) * 1024) / Math.max(1, accepted);
    log(`RSS with ${accepted} connections: ${rssConnected.toFixed(0)} MiB (${perConnKiB.toFixed(1)} KiB per connection)`);

    // 2. Every charger starts a session on connector 1.
    const tx = new Map<RawCharger, { id: number; wh: number }>();
    const t1 = Date.now();
    const starts = await pool(live, 200, async (ch) => {
      await ch.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
      const wh = 1_000_000;
      const r = await ch.call('StartTransaction', { connectorId: 1, idTag: tagOf.get(ch.id)!, meterStart: wh, timestamp: new Date().toISOString() });
      tx.set(ch, { id: r.transactionId, wh });
      await ch.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    });
    log(`${tx.size} sessions started in ${((Date.now() - t1) / 1000).toFixed(1)} s${starts.failed ? `; ${starts.failed} failed: ${starts.errors.join(' | ')}` : ''}`);

    // 3a. Commands while the fleet reports as a real one does (every charger a MeterValues every 15 s).
    const token = await login(http, docs[0].admins[0].password!);
    const fleetRate = tx.size / 15;
    const fleetEnd = Date.now() + FLEET_S * 1000;
    const fleetLoad = meterLoad(tx, fleetRate, fleetEnd);
    await sleep(3000);
    const fleetCmd = await commands(http, token, live, COMMANDS, fleetEnd);
    const fleetMv = await fleetLoad;
    log(`commands with the fleet reporting every 15 s (${fleetRate.toFixed(0)} MeterValues/s, MeterValues p99 ${ms(fleetMv.p99)}): ${fleetCmd.ok}/${fleetCmd.n} answered 200, p50 ${ms(fleetCmd.p50)} p99 ${ms(fleetCmd.p99)}`);
    await sleep(2000);

    // 3. Sustained MeterValues (one in flight per charger) with HTTP commands alongside.
    const mvLat: number[] = [];
    let mvAcked = 0;
    let mvFailed = 0;
    const period = (tx.size / RATE) * 1000;
    const warmupMs = 5000;
    const loadStart = Date.now();
    const loadEnd = loadStart + warmupMs + WINDOW_S * 1000;
    const senders = [...tx.entries()].map(async ([ch, t], i) => {
      let next = loadStart + (i / tx.size) * period;
      while (Date.now() < loadEnd && !ch.closed) {
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
        if (Date.now() >= loadEnd) break;
        t.wh += 250;
        const s = performance.now();
        try {
          await ch.call('MeterValues', meterValuesPayload(t.id, t.wh, 50), 30_000);
          if (Date.now() > loadStart + warmupMs) (mvAcked++, mvLat.push(performance.now() - s));
        } catch {
          mvFailed++;
        }
        next = Math.max(next + period, Date.now());
      }
    });
    await sleep(warmupMs);
    const windowStart = new Date();
    const cpu1 = cpuS(child.pid!);
    const gen1 = process.cpuUsage();
    const waits = sampleBackends(db.url, loadEnd);
    const loadCmd = await commands(http, token, live, COMMANDS, loadEnd);
    await Promise.all(senders);
    const backends = await waits;
    const windowEnd = new Date();
    const windowS = (windowEnd.getTime() - windowStart.getTime()) / 1000;
    const loadCpu = (cpuS(child.pid!) - cpu1) / windowS;
    const gen = process.cpuUsage(gen1);
    const genCpu = (gen.user + gen.system) / 1e6 / windowS;
    const rssLoad = rssMiB(child.pid!);
    const load = loadavg()[0];
    await sleep(3000); // let in-flight writes land before counting
    const rows = Number((await pgc.query(`SELECT count(*) AS n FROM meter_samples WHERE received_at >= $1 AND received_at < $2`, [windowStart, windowEnd])).rows[0].n);
    const persistedPerS = rows / 5 / windowS;
    mvLat.sort((a, b) => a - b);
    log(
      `MeterValues: ${(mvAcked / windowS).toFixed(0)}/s acknowledged (${ratio(mvAcked / windowS)}), ${persistedPerS.toFixed(0)}/s persisted (${ratio(persistedPerS)}; ${rows} meter_samples rows in ${windowS.toFixed(1)} s), ` +
        `p50 ${ms(percentile(mvLat, 50))} p99 ${ms(percentile(mvLat, 99))}, ${mvFailed} failed; server CPU ${(loadCpu * 100).toFixed(0)} %, generator CPU ${(genCpu * 100).toFixed(0)} %, RSS ${rssLoad.toFixed(0)} MiB`,
    );
    log(`commands under load (MeterValues at ${ratio(persistedPerS)}): ${loadCmd.ok}/${loadCmd.n} answered 200, p50 ${ms(loadCmd.p50)} p99 ${ms(loadCmd.p99)}`);
    log(`server's PostgreSQL sessions during the window (average count by state/wait): ${backends}`);

    // 4. Commands with the fleet connected but quiet.
    await sleep(2000);
    const idleCmd = await commands(http, token, live, COMMANDS, Date.now() + 120_000);
    log(`commands idle: ${idleCmd.ok}/${idleCmd.n} answered 200, p50 ${ms(idleCmd.p50)} p99 ${ms(idleCmd.p99)}`);

    const result = {
      chargers: N, accepted, bootS, bootCpu, rssBase, rssConnected, perConnKiB, rssLoad,
      offered: RATE, ackedPerS: mvAcked / windowS, persistedPerS, windowS, rows, mvP50: percentile(mvLat, 50), mvP99: percentile(mvLat, 99), mvFailed, loadCpu,
      loadCmd, idleCmd, backends, load, fleetRate, fleetCmd, fleetMv, genCpu, node: NODE, detection: DETECTION,
      ceilingPerS: ceil.perS, ceilingP50: ceil.p50, ceilingP99: ceil.p99, ceilingCpu: ceil.cpu, ceilingGenCpu: ceil.genCpu, ratio: persistedPerS / ceil.perS, loadBefore,
    };
    console.log(JSON.stringify(result));
    if (WRITE) writeSection(SECTION, report(result), { after: /^## OCPP gateway \(Node \d+\)$/ });
    if (WRITE) log(`results written to docs/performance.md (${SECTION})`);
  } finally {
    for (const c of chargers) c.close();
    await pgc.end().catch(() => {});
    child.kill('SIGTERM');
    // a profiled server writes its profile on exit: give it time before the SIGKILL
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(prof.length ? 90_000 : 10_000)]);
    if (child.exitCode === null) log('the server did not stop in time: killed (no CPU profile)');
    if (child.exitCode === null) child.kill('SIGKILL');
    await db.drop().catch((e) => log(`could not drop the bench database: ${e.message}`));
  }
}

/**
 * What the server's database sessions are doing while the load runs (sampled every 250 ms): tells
 * a saturated pool (all active) from a Node-side limit (idle sessions) and shows commit waits.
 */
async function sampleBackends(url: string, until: number): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const counts = new Map<string, number>();
  const heldBy = new Map<string, number>();
  let samples = 0;
  try {
    while (Date.now() < until) {
      const r = await c.query(
        `SELECT state, coalesce(wait_event_type || ':' || wait_event, 'cpu') AS w, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' GROUP BY 1, 2`,
      );
      samples++;
      for (const row of r.rows) {
        const k = row.state === 'active' ? `active/${row.w}` : row.state;
        counts.set(k, (counts.get(k) ?? 0) + row.n);
      }
      const held = await c.query(
        `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS q, count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'idle in transaction' GROUP BY 1`,
      );
      for (const row of held.rows) heldBy.set(row.q, (heldBy.get(row.q) ?? 0) + row.n);
      await sleep(250);
    }
  } finally {
    await c.end();
  }
  const avg = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([k, n]) => `${k} ${(n / Math.max(1, samples)).toFixed(1)}`);
  const held = avg(heldBy);
  return avg(counts).join(', ') + (held.length ? `; idle in transaction after: ${held.map((h) => `\`${h.replace(/`/g, "'")}\``).join(', ')}` : '');
}

function report(r: any): string {
  const aim = (ok: boolean) => (ok ? 'met' : '**missed**');
  return `Measured ${new Date().toISOString().slice(0, 10)} at commit ${serverCommit} on ${machine()}; server and load generator on Node ${r.node}. Load generator and server share the same 2 cores
(1-minute load average before the run ${r.loadBefore.toFixed(1)}, at the end of the MeterValues window ${r.load.toFixed(1)}; anything above ~2 means other processes were competing for the cores).

Command: \`npm run bench -- ocpp\` (options: \`--chargers=5000 --rate=4000 --window=30 --commands=300 --ceiling-window=10\`, \`--head\` to run the server from a clean export of the last commit, or
BENCH_CHARGERS / BENCH_MV_RATE / BENCH_WINDOW_S / BENCH_COMMANDS / BENCH_PG_URL). The bench provisions N synthetic chargers
(\`syntheticProvisioning\`, ${OPERATORS} operators) into a fresh database on the local PostgreSQL, starts \`chargeops start\`
as a child process (DEMO_DATA=false, WEB_BUILD=off so a console build does not blur the memory figures, LOG_LEVEL=warn), and drives it with lightweight raw \`ws\` OCPP-J clients
(bench/ocpp/raw-charger.ts): BootNotification storm, one StartTransaction per charger, ${FLEET_S} s of fleet-like load (every charger a MeterValues every 15 s)
with commands, then MeterValues (5 sampled values each,
one CALL in flight per charger) at the offered rate for a ${r.windowS.toFixed(0)} s window after 5 s warm-up, while
\`POST /api/v1/chargers/{id}/commands/GetConfiguration\` runs one at a time against random chargers.

| figure | measured | aim |
|---|---|---|
| **ceiling**: bare \`ws\` server parsing each CALL and answering it, same chargers and generator, one CALL in flight per charger (bench/ocpp/bare-ws.mjs) | ${r.ceilingPerS.toFixed(0)} round trips/s (p50 ${ms(r.ceilingP50)}, p99 ${ms(r.ceilingP99)}; bare server CPU ${(r.ceilingCpu * 100).toFixed(0)} %, generator ${(r.ceilingGenCpu * 100).toFixed(0)} %) | |
| chargers connected (BootNotification Accepted) | ${r.accepted} / ${r.chargers} | 5,000 (${aim(r.accepted >= 5000)}) |
| boot storm (connect + BootNotification, 500 handshakes in flight) | ${r.bootS.toFixed(1)} s (${(r.accepted / r.bootS).toFixed(0)} boots/s, server CPU ${(r.bootCpu * 100).toFixed(0)} %) | |
| MeterValues persisted per second (meter_samples rows / 5 over the window) | ${r.persistedPerS.toFixed(0)} /s = **${(100 * r.ratio).toFixed(1)} % of the ceiling** (offered ${r.offered}/s, acknowledged ${r.ackedPerS.toFixed(0)}/s, ${r.mvFailed} failed) | ≥ 10,000 (${aim(r.persistedPerS >= 10000)}) and ≥ 20 % of the ceiling (${aim(r.ratio >= 0.2)}) |
| MeterValues round trip (CALL → CALLRESULT) | p50 ${ms(r.mvP50)}, p99 ${ms(r.mvP99)} | |
| CPU during the MeterValues window: server / load generator | ${(r.loadCpu * 100).toFixed(0)} % / ${(r.genCpu * 100).toFixed(0)} % of one core | |
| command round trip, every charger sending MeterValues every 15 s (${r.fleetRate.toFixed(0)}/s; MeterValues p99 ${ms(r.fleetMv.p99)}) | p50 ${ms(r.fleetCmd.p50)}, p99 ${ms(r.fleetCmd.p99)} (${r.fleetCmd.ok}/${r.fleetCmd.n} OK) | p99 < 100 ms (${aim(r.fleetCmd.p99 < 100)}) |
| command round trip under the stress MeterValues load (HTTP → charger → HTTP) | p50 ${ms(r.loadCmd.p50)}, p99 ${ms(r.loadCmd.p99)} (${r.loadCmd.ok}/${r.loadCmd.n} OK) | p99 < 100 ms (${aim(r.loadCmd.p99 < 100)}) |
| command round trip, fleet connected but quiet | p50 ${ms(r.idleCmd.p50)}, p99 ${ms(r.idleCmd.p99)} (${r.idleCmd.ok}/${r.idleCmd.n} OK) | p99 < 100 ms (${aim(r.idleCmd.p99 < 100)}) |
| server RSS: idle / ${r.accepted} connected / under load | ${r.rssBase.toFixed(0)} / ${r.rssConnected.toFixed(0)} / ${r.rssLoad.toFixed(0)} MiB | |
| memory per connection (RSS delta / connections) | ${r.perConnKiB.toFixed(1)} KiB | |
| server's PostgreSQL sessions during the window (average count by state / wait event) | ${r.backends} | |
`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
