// bench/cluster: two ChargeOps nodes (separate processes, own ports) on one PostgreSQL database,
// half the chargers on each. Measures the cross-node command round trip (staff API on node B for a
// charger whose socket is on node A, relayed over LISTEN/NOTIFY and over NATS), then SIGKILLs node A
// with sessions open on it and measures the failover (bench/cluster/failover.ts), once per relay. Writes
// "## Cluster (two nodes)" into docs/performance.md unless --no-write.
// Options: --chargers=1000 --commands=200 --sessions=100 --relay=postgres|nats|both (default both;
// each relay with its own pair of nodes and its own kill), --no-lease-wait, --no-write. NATS_URL defaults to nats://127.0.0.1:4222.
import { execSync } from 'node:child_process';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import pg from 'pg';
import { fleetFromDoc, syntheticProvisioning } from '../../src/modules/ocpp/simulator/fleet.ts';
import { machine, writeSection } from '../support/perf-doc.ts';
import { freshBenchDb } from '../ocpp/db.ts';
import { benchSecret, commands, login, pool, serverCheckout } from '../ocpp/harness.ts';
import { FailoverCharger } from './failover-charger.ts';
import { killAndFailover, type FailoverResult } from './failover.ts';
import { startNode, stopNode, type ServerNode } from './nodes.ts';

const opt = (name: string) => process.argv.find((x) => x.startsWith(`--${name}=`))?.split('=')[1];
const num = (name: string, def: number) => {
  const v = Number(opt(name) ?? def);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
};
const N = Math.max(2, num('chargers', 1000));
const COMMANDS = num('commands', 200);
const SESSIONS = Math.min(Math.floor(N / 2), num('sessions', 100));
const RELAY = opt('relay') ?? 'both';
if (!['postgres', 'nats', 'both'].includes(RELAY)) throw new Error('--relay must be postgres, nats or both');
const RELAYS = RELAY === 'both' ? ['postgres', 'nats'] : [RELAY];
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WRITE = !process.argv.includes('--no-write');
/** --no-lease-wait: skip waiting (~75 s) for node B to reap the dead node's lease and commanding its former chargers after that. */
const LEASE_WAIT = !process.argv.includes('--no-lease-wait');

const log = (m: string) => console.log(`[bench cluster ${new Date().toISOString().slice(11, 19)}] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (n: number) => `${n.toFixed(1)} ms`;
type Cmd = Awaited<ReturnType<typeof commands>>;

/** Whether something listens at NATS_URL's host:port (the NATS run needs a server; this bench does not start one). */
function natsReachable(): Promise<boolean> {
  const u = new URL(NATS_URL);
  return new Promise((resolve) => {
    const s = connect(Number(u.port || 4222), u.hostname, () => (s.end(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** nats-server's version for the report, when it is on this machine's PATH. */
function natsVersion(): string {
  try {
    return execSync('nats-server --version', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'NATS server (version unknown)';
  }
}

async function main() {
  const loadBefore = loadavg()[0];
  if (RELAYS.includes('nats') && !(await natsReachable()))
    throw new Error(`no NATS server at ${NATS_URL}: start one (nats-server -a 127.0.0.1 -p 4222 &, as .ci/run does) or run --relay=postgres`);
  const { dir, commit } = serverCheckout();
  log(`${N} chargers over 2 nodes, relays: ${RELAYS.join(', ')}, ${SESSIONS} sessions on the node killed; PostgreSQL ${PG_URL.replace(/\/\/[^@]*@/, '//')}`);
  const docs = [priced(syntheticProvisioning(N, { operatorId: 'sim1', admin: true, secret: benchSecret(), drivers: Math.max(20, SESSIONS) }))];
  const { chargers: fleet, idTags } = fleetFromDoc(docs[0]);
  const db = await freshBenchDb(PG_URL, docs, log);
  const pgc = new pg.Client({ connectionString: db.url });
  await pgc.connect();
  const cmd: Record<string, { cross: Cmd; same: Cmd }> = {};
  const fo: Record<string, FailoverResult> = {};
  let nodes: ServerNode[] = [];
  let chargers: FailoverCharger[] = [];
  try {
    for (const relay of RELAYS) {
      const env: Record<string, string> = relay === 'nats' ? { NATS_URL } : {};
      nodes = [await startNode('A', dir, db.url, env), await startNode('B', dir, db.url, env)];
      const [a, b] = nodes;
      // even chargers on A, odd on B; each knows both URLs and fails over to the other
      chargers = fleet.map((c, i) => new FailoverCharger([a.ws, b.ws], c.id, c.authKey!, i % 2));
      const t0 = Date.now();
      const boot = await pool(chargers, 200, async (ch) => {
        await ch.connectTo(ch.node, 60_000);
        const r = await ch.call('BootNotification', { chargePointVendor: 'BenchVendor', chargePointModel: 'RAW-60' }, 60_000);
        if (r.status !== 'Accepted') throw new Error(`BootNotification ${r.status}`);
      });
      log(`[${relay}] nodes A (${a.http}) and B (${b.http}) up; ${N - boot.failed}/${N} chargers booted in ${((Date.now() - t0) / 1000).toFixed(1)} s${boot.failed ? `; ${boot.failed} failed: ${boot.errors.join(' | ')}` : ''}`);
      const onA = chargers.filter((c) => c.node === 0 && !c.closed);
      const token = await login(b.http, docs[0].admins[0].password!);
      await commands(b.http, token, onA, 20, Date.now() + 20_000); // warm-up of both paths
      await commands(a.http, token, onA, 20, Date.now() + 20_000);
      const cross = await commands(b.http, token, onA, COMMANDS, Date.now() + 300_000);
      const same = await commands(a.http, token, onA, COMMANDS, Date.now() + 300_000);
      cmd[relay] = { cross, same };
      log(`[${relay}] command to a charger on A through node B: p50 ${ms(cross.p50)} p99 ${ms(cross.p99)} (${cross.ok}/${cross.n} OK); through node A itself: p50 ${ms(same.p50)} p99 ${ms(same.p99)}`);
      fo[relay] = await killAndFailover({ a, b, onA, sessions: SESSIONS, idTags, token, db: pgc, log, leaseWait: LEASE_WAIT });
      for (const c of chargers) c.stop();
      await Promise.all(nodes.map(stopNode));
    }
    const load = loadavg()[0];
    const f = Object.values(fo);
    const sum = (k: 'ackedFrames' | 'lostAckedFrames' | 'lostAckedLogFrames' | 'sessionsOk' | 'sessionsTotal') => f.reduce((n, x) => n + x[k], 0);
    // the headline figures are the worst (times) or the sum (counts) over the relays; `failover` has each
    const result = {
      chargers: N,
      crossNodeCmd: Object.fromEntries(Object.entries(cmd).map(([k, v]) => [k, { p50: v.cross.p50, p99: v.cross.p99, ok: v.cross.ok, n: v.cross.n }])),
      sameNodeCmd: Object.fromEntries(Object.entries(cmd).map(([k, v]) => [k, { p50: v.same.p50, p99: v.same.p99 }])),
      reconnectS: Math.max(...f.map((x) => x.reconnectS)),
      recoveryS: Math.max(...f.map((x) => x.recoveryS)),
      ackedFrames: sum('ackedFrames'),
      lostAckedFrames: sum('lostAckedFrames'),
      lostAckedLogFrames: sum('lostAckedLogFrames'),
      sessionsOk: sum('sessionsOk'),
      sessionsTotal: sum('sessionsTotal'),
      failover: Object.fromEntries(Object.entries(fo).map(([k, { sessionProblems: _, ...v }]) => [k, v])),
      loadBefore,
      load,
    };
    console.log(table(result));
    for (const [k, x] of Object.entries(fo)) if (x.sessionProblems.length) log(`[${k}] sessions not ok: ${x.sessionProblems.join('; ')}`);
    console.log(JSON.stringify(result));
    if (WRITE) writeSection('Cluster (two nodes)', report(result, commit), { after: /^## OCPP gateway/ });
    if (WRITE) log('results written to docs/performance.md (Cluster (two nodes))');
  } finally {
    for (const c of chargers) c.stop();
    await Promise.all(nodes.map(stopNode));
    await pgc.end().catch(() => {});
    await db.drop().catch((e) => log(`could not drop the bench database: ${e.message}`));
  }
}

/** The synthetic fleet charges nothing; an order's amount is checked, so every station gets a flat tariff. */
function priced(doc: ReturnType<typeof syntheticProvisioning>) {
  const op: any = doc.operators[0];
  op.tariffs = [{ id: 'bench', name: 'Bench flat', versions: [{ effectiveFrom: '2024-01-01T00:00:00+08:00', periods: [{ start: '00:00', type: 'flat', electricityPrice: '0.7000', servicePrice: '0.8000' }] }] }];
  for (const st of op.stations) st.tariffId = 'bench';
  return doc;
}

const aim = (ok: boolean) => (ok ? 'met' : '**missed**');

const relayName = (k: string) => (k === 'nats' ? 'NATS' : 'PostgreSQL LISTEN/NOTIFY');

function rows(r: any): string[][] {
  return [
    ...Object.entries(r.crossNodeCmd).map(([k, v]: [string, any]) => [
      `command through node B to a charger on node A, relay ${relayName(k)} (same node: p50 ${ms(r.sameNodeCmd[k].p50)}, p99 ${ms(r.sameNodeCmd[k].p99)})`,
      `p50 ${ms(v.p50)}, p99 ${ms(v.p99)} (${v.ok}/${v.n} OK)`,
      `p99 < 150 ms (${aim(v.p99 < 150)})`,
    ]),
    ...Object.entries(r.failover as Record<string, Omit<FailoverResult, 'sessionProblems'>>).flatMap(([k, f]) => [
      [`${relayName(k)}: node A SIGKILLed (${f.killedChargers} chargers, ${f.sessionsTotal} sessions): all its chargers reconnected to node B`, `${f.reconnectS.toFixed(1)} s`, ''],
      [`… and a command through node B answered by every one of them`, `${f.recoveryS.toFixed(1)} s (${f.recovered}/${f.killedChargers})`, `< 30 s (${aim(f.recoveryS < 30)})`],
      [`… chargers whose connection history then shows them open on both nodes`, `${f.doubleOpen}`, `0 (${aim(f.doubleOpen === 0)})`],
      [`… acknowledged MeterValues frames lost (acks at the chargers vs meter_samples; vs ocpp_messages: ${f.lostAckedLogFrames})`, `${f.lostAckedFrames} of ${f.ackedFrames}`, `0 (${aim(f.lostAckedFrames === 0)})`],
      ...(LEASE_WAIT
        ? [[`… commands through node B to node A's former chargers after B reaped A's expired lease (${f.leaseReapedS.toFixed(0)} s after the kill)`, `${f.afterReap.ok} / ${f.afterReap.n} OK`, `all (${aim(f.afterReap.n > 0 && f.afterReap.ok === f.afterReap.n)})`]]
        : []),
      [`… sessions open on node A at the kill, stopped on node B with one order (energy = meterStop − meterStart, amount > 0)`, `${f.sessionsOk} / ${f.sessionsTotal}`, `all (${aim(f.sessionsOk === f.sessionsTotal)})`],
    ]),
  ];
}

function table(r: any): string {
  return ['| figure | measured | aim |', '|---|---|---|', ...rows(r).map((x) => `| ${x.join(' | ')} |`)].join('\n');
}

function report(r: any, commit: string): string {
  return `Measured ${new Date().toISOString().slice(0, 10)} at commit ${commit} on ${machine()}, ${natsVersion()}. Both nodes, PostgreSQL, NATS and the load generator share the machine
(1-minute load average before the run ${r.loadBefore.toFixed(1)}, at the end ${r.load.toFixed(1)}).

Command: \`npm run bench -- cluster\` (options: \`--chargers=${r.chargers} --commands=${COMMANDS} --sessions=${SESSIONS} --relay=both\`, \`--no-lease-wait\` to skip the ~75 s wait for the dead node's lease to be reaped; NATS_URL, default nats://127.0.0.1:4222; BENCH_PG_URL).
Two \`chargeops start\` processes on one fresh bench database; ${r.chargers} raw chargers (bench/ocpp/raw-charger.ts), even ones on node A, odd ones on node B,
each given both URLs (bench/cluster/failover-charger.ts: on a dropped socket it reconnects to the other node after a 0.1–1 s back-off).
\`POST /api/v1/chargers/{id}/commands/GetConfiguration\` one at a time on node B for random chargers held by node A, once per relay (nodes restarted with NATS_URL for NATS).
Then, on each relay, ${SESSIONS} chargers on node A open a session (StartTransaction, MeterValues every second), node A gets SIGKILL, and the bench measures until every one of
its chargers is connected to node B and answers a command sent through node B; the sessions then send a few more MeterValues and StopTransaction there.

${table(r)}
`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
