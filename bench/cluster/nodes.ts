// The two server nodes of bench/cluster: `chargeops start` child processes on one database, as
// bench/ocpp starts its one; same secrets (a token from one node is good on the other), own ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { freePort } from '../ocpp/harness.ts';
import { SERVER_NODE_FLAGS } from '../../bin/node-flags.mjs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ServerNode {
  name: string;
  child: ChildProcess;
  http: string;
  ws: string;
  logFile: string;
}

const secrets = { AUTH_SECRET: randomBytes(24).toString('hex'), SECRETS_KEY: randomBytes(32).toString('base64') };

export async function startNode(name: string, dir: string, dbUrl: string, env: Record<string, string>): Promise<ServerNode> {
  const port = await freePort();
  // the relay is what `env` says: a NATS_URL in the bench's own environment must not leak into the LISTEN/NOTIFY run
  const { NATS_URL: _, ...inherited } = process.env;
  const logFile = `/tmp/chargeops-bench-cluster-${name}.log`;
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, `${dir}/bin/chargeops.mjs`, 'start'], {
    cwd: dir,
    env: { ...inherited, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: dbUrl, DEMO_DATA: 'false', WEB_BUILD: 'off', LOG_LEVEL: 'warn', HEARTBEAT_INTERVAL_S: '3600', ...secrets, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(logFile);
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const node = { name, child, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ocpp`, logFile };
  for (let t = Date.now(); ; await sleep(250)) {
    if (child.exitCode !== null) throw new Error(`node ${name} exited (${child.exitCode}); see ${logFile}`);
    if (Date.now() - t > 120_000) throw new Error(`node ${name} did not get ready in 120 s; see ${logFile}`);
    if ((await fetch(`${node.http}/readyz`).catch(() => null))?.ok) return node;
  }
}

/** SIGTERM, then SIGKILL if it has not gone in 10 s; a node already dead is left as it is. */
export async function stopNode(n: ServerNode) {
  if (n.child.exitCode !== null || n.child.signalCode !== null) return;
  n.child.kill('SIGTERM');
  await Promise.race([new Promise((r) => n.child.once('exit', r)), sleep(10_000)]);
  if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
}
