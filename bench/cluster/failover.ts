// bench/cluster's second half: sessions open on node A, node A is SIGKILLed, its chargers fail over
// to node B. Measures the time until every one of them takes a command through node B again, then
// ends the sessions there and checks what the database kept against what the chargers were told.
import type pg from 'pg';
import { pool } from '../ocpp/harness.ts';
import { meterValuesPayload } from '../ocpp/raw-charger.ts';
import type { FailoverCharger } from './failover-charger.ts';
import type { ServerNode } from './nodes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const METER_START = 1_000_000;

interface Session {
  ch: FailoverCharger;
  idTag: string;
  tx: number;
  wh: number;
  /** MeterValues frames the server acknowledged (CALLRESULT received) */
  acked: number;
}

export interface FailoverResult {
  /** node A's chargers with an ocpp_connections row open on both nodes once all had failed over (should be 0) */
  doubleOpen: number;
  /** seconds from the kill until node A's lease row was gone (NaN: not waited for, or never) */
  leaseReapedS: number;
  /** commands through node B to node A's former chargers after that reap */
  afterReap: { ok: number; n: number };
  killedChargers: number;
  reconnectS: number;
  recoveryS: number;
  recovered: number;
  sessionsTotal: number;
  sessionsOk: number;
  sessionProblems: string[];
  ackedFrames: number;
  lostAckedFrames: number;
  lostAckedLogFrames: number;
}

export async function killAndFailover(o: {
  a: ServerNode;
  b: ServerNode;
  onA: FailoverCharger[];
  sessions: number;
  idTags: string[];
  token: string;
  db: pg.Client;
  log: (m: string) => void;
  leaseWait: boolean;
}): Promise<FailoverResult> {
  const { a, b, onA, token, db, log } = o;
  // 1. Sessions on node A's chargers, reporting MeterValues every second through the kill.
  const sessions: Session[] = [];
  const started = await pool(onA.slice(0, o.sessions).map((ch, i) => ({ ch, i })), 50, async ({ ch, i }) => {
    const idTag = o.idTags[i % o.idTags.length]; // one driver per session (a second start with the same card is ConcurrentTx)
    await ch.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    const r = await ch.call('StartTransaction', { connectorId: 1, idTag, meterStart: METER_START, timestamp: new Date().toISOString() });
    if (r.idTagInfo?.status !== 'Accepted') throw new Error(`StartTransaction ${r.idTagInfo?.status}`);
    await ch.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Charging' });
    sessions.push({ ch, idTag, tx: r.transactionId, wh: METER_START, acked: 0 });
  });
  log(`${sessions.length} sessions open on node A${started.failed ? `; ${started.failed} failed: ${started.errors.join(' | ')}` : ''}`);
  let metering = true;
  const meters = sessions.map(async (s, i) => {
    await sleep((i / sessions.length) * 1000);
    while (metering) {
      if (!s.ch.closed) {
        s.wh += 250;
        // one counts only what the server answered; a frame lost with the socket is the charger's to resend (not counted)
        await s.ch.call('MeterValues', meterValuesPayload(s.tx, s.wh, 50), 10_000).then(() => s.acked++, () => {});
      }
      await sleep(s.ch.closed ? 100 : 1000);
    }
  });
  await sleep(5000);

  // 2. SIGKILL node A; every charger it held reconnects to B and must take a command through B.
  const tKill = Date.now();
  a.child.kill('SIGKILL');
  log(`node A killed (SIGKILL) with ${onA.length} chargers and ${sessions.length} sessions on it`);
  const doneAt = new Map<FailoverCharger, number>();
  const deadline = tKill + 180_000;
  await pool(onA, 50, async (ch) => {
    while (Date.now() < deadline) {
      if (!ch.closed && ch.node === 1) {
        if ((await getConfiguration(b, token, ch)) === 200) return void doneAt.set(ch, Date.now() - tKill);
      }
      await sleep(200);
    }
  });
  const reconnectS = Math.max(...onA.map((c) => (c.reconnectedAt ? c.reconnectedAt - tKill : Infinity))) / 1000;
  const recoveryS = doneAt.size === onA.length ? Math.max(...doneAt.values()) / 1000 : Infinity;
  log(`all of node A's chargers reconnected to B after ${reconnectS.toFixed(1)} s; commands to all of them through B after ${recoveryS.toFixed(1)} s (${doneAt.size}/${onA.length})`);

  // The network history agrees: a charger now on B has no row left open on A (closeRowsElsewhere).
  const doubleOpen = (
    await db.query(`SELECT count(*)::int AS n FROM (SELECT charger_id FROM ocpp_connections WHERE disconnected_at IS NULL AND charger_id = ANY($1) GROUP BY 1 HAVING count(*) > 1) x`, [
      onA.map((c) => c.id),
    ])
  ).rows[0].n;
  if (doubleOpen) log(`${doubleOpen} chargers have a connection row open on both nodes`);

  // 3. A few more frames through B, then every session ends there.
  await sleep(3000);
  metering = false;
  await Promise.all(meters);
  const stopped = await pool(sessions, 50, async (s) => {
    const r = await s.ch.call('StopTransaction', { transactionId: s.tx, idTag: s.idTag, meterStop: s.wh, timestamp: new Date().toISOString(), reason: 'Local' });
    if (r.idTagInfo && r.idTagInfo.status !== 'Accepted') throw new Error(`StopTransaction ${r.idTagInfo.status}`);
    await s.ch.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Finishing' });
    await s.ch.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
  });
  if (stopped.failed) log(`${stopped.failed} StopTransaction failed: ${stopped.errors.join(' | ')}`);

  // 4. What the database kept: acknowledged frames, and one correct order per session.
  const txs = sessions.map((s) => s.tx);
  const samples = new Map<number, number>();
  for (const r of (
    await db.query(`SELECT session_id, count(*)::int AS n FROM meter_samples WHERE session_id = ANY($1) AND measurand = 'Energy.Active.Import.Register' GROUP BY 1`, [txs])
  ).rows)
    samples.set(Number(r.session_id), r.n);
  const logged = new Map<string, number>();
  for (const r of (
    await db.query(`SELECT charger_id, count(*)::int AS n FROM ocpp_messages WHERE direction = 'in' AND action = 'MeterValues' AND charger_id = ANY($1) GROUP BY 1`, [sessions.map((s) => s.ch.id)])
  ).rows)
    logged.set(r.charger_id, r.n);
  const lostAckedFrames = sessions.reduce((n, s) => n + Math.max(0, s.acked - (samples.get(s.tx) ?? 0)), 0);
  const lostAckedLogFrames = sessions.reduce((n, s) => n + Math.max(0, s.acked - (logged.get(s.ch.id) ?? 0)), 0);

  let orders: any[] = [];
  for (const until = Date.now() + 60_000; Date.now() < until; await sleep(500)) {
    orders = (await db.query(`SELECT session_id, energy_wh, total_fen FROM orders WHERE session_id = ANY($1)`, [txs])).rows;
    if (orders.length >= sessions.length) break;
  }
  const problems: string[] = [];
  let sessionsOk = 0;
  for (const s of sessions) {
    const mine = orders.filter((r) => Number(r.session_id) === s.tx);
    const want = s.wh - METER_START;
    const why =
      mine.length !== 1 ? `${mine.length} orders` : Number(mine[0].energy_wh) !== want ? `energy ${mine[0].energy_wh} Wh, expected ${want}` : Number(mine[0].total_fen) <= 0 ? `amount ${mine[0].total_fen}` : '';
    if (why) problems.length < 5 && problems.push(`session ${s.tx} (${s.ch.id}): ${why}`);
    else sessionsOk++;
  }
  // 5. Node B reaps node A's expired lease (lease.ts): that must release only what A still held,
  // not the chargers that moved to B (they keep taking commands).
  let leaseReapedS = NaN;
  const afterReap = { ok: 0, n: 0 };
  if (o.leaseWait) {
    log('waiting for node B to reap node A\'s lease (up to ~75 s after the kill)');
    for (const until = tKill + 150_000; Date.now() < until; await sleep(1000))
      if ((await db.query(`SELECT count(*)::int AS n FROM ocpp_node_leases`)).rows[0].n <= 1) {
        leaseReapedS = (Date.now() - tKill) / 1000;
        break;
      }
    await pool(onA, 20, async (ch) => {
      afterReap.n++;
      if ((await getConfiguration(b, token, ch)) === 200) afterReap.ok++;
    });
    log(`node A's lease reaped ${leaseReapedS.toFixed(0)} s after the kill; then commands through B to its former chargers: ${afterReap.ok}/${afterReap.n} OK`);
  }
  return {
    doubleOpen,
    leaseReapedS,
    afterReap,
    killedChargers: onA.length,
    reconnectS,
    recoveryS,
    recovered: doneAt.size,
    sessionsTotal: o.sessions,
    sessionsOk,
    sessionProblems: problems,
    ackedFrames: sessions.reduce((n, s) => n + s.acked, 0),
    lostAckedFrames,
    lostAckedLogFrames,
  };
}

/** One GetConfiguration through a node's staff API; the HTTP status (0: no answer). */
async function getConfiguration(node: ServerNode, token: string, ch: FailoverCharger): Promise<number> {
  const r = await fetch(`${node.http}/api/v1/chargers/${ch.id}/commands/GetConfiguration`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ key: ['HeartbeatInterval'] }),
  }).catch(() => null);
  await r?.arrayBuffer();
  return r?.status ?? 0;
}
