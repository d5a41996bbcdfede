/**
 * The server as a child process, for kill -9 tests: `chargeops start` on its own database (a PGlite
 * data dir, or with TEST_DB=postgres a fresh schema on the test server), provisioned first through
 * `chargeops provision`. `start({ fault })` arms a crash point (src/platform/faults.ts); `db()` opens
 * the database from the test process once the child is gone (PGlite allows one process at a time).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, type Db } from '../../src/platform/db/index.ts';
import { TEST_DB, TEST_DATABASE_URL } from './db.ts';
import { freePort } from '../payments/helpers.ts';

const root = new URL('../..', import.meta.url).pathname;
const { NODE_TEST_CONTEXT: _ctx, ...parentEnv } = process.env;

export interface ChildServer {
  url: string;
  port: number;
  /** stdout + stderr so far */
  out(): string;
  /** resolves with the signal (or exit code) the process ended with */
  exited: Promise<string>;
  stop(): Promise<void>;
  kill(): void;
}

export interface ChildPlatform {
  /** the server's address, the same for every start */
  url: string;
  start(opts?: { fault?: string }): Promise<ChildServer>;
  /** the child's database, opened from the test process (only while no child runs) */
  db(): Promise<Db>;
  /** another chargeops command on the same database (e.g. verify-ledger) */
  cli(...args: string[]): { status: number | null; output: string };
  cleanup(): Promise<void>;
}

export async function childPlatform(doc: unknown): Promise<ChildPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'chargeops-child-'));
  const schema = `k_${process.pid}_${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = { ...(parentEnv as Record<string, string>), DATA_DIR: dir, DEMO_DATA: 'false', WEB_BUILD: 'off', LOG_LEVEL: 'warn', OUTBOUND_ALLOW_PRIVATE: 'true' };
  if (TEST_DB === 'postgres') {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const u = new URL(TEST_DATABASE_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    env.DATABASE_URL = u.toString();
    env.SECRETS_KEY = randomBytes(32).toString('hex');
  }
  const file = join(dir, 'provisioning.json');
  writeFileSync(file, JSON.stringify(doc));
  const prov = spawnSync(process.execPath, ['bin/chargeops.mjs', 'provision', file], { cwd: root, env, encoding: 'utf8' });
  if (prov.status !== 0) throw new Error(`chargeops provision failed:\n${prov.stdout}\n${prov.stderr}`);
  const children: ChildProcess[] = [];
  // one address for every start: URLs handed out before a crash (payment notify_url) still reach the restarted server
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  env.PORT = String(port);
  env.HOST = '127.0.0.1';
  env.PUBLIC_BASE_URL = url;

  return {
    url,
    async start(opts = {}) {
      const child = spawn(process.execPath, ['bin/chargeops.mjs', 'start'], {
        cwd: root,
        env: { ...env, ...(opts.fault ? { CHARGEOPS_FAULT: opts.fault } : {}) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
      for (let i = 0; ; i++) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`chargeops start exited:\n${out}`);
        if (i > 600) throw new Error(`chargeops start did not become ready in 60 s:\n${out}`);
        const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
        if (ready) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return {
        url,
        port,
        out: () => out,
        exited,
        kill: () => child.kill('SIGKILL'),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    },
    cli(...args) {
      const r = spawnSync(process.execPath, ['bin/chargeops.mjs', ...args], { cwd: root, env, encoding: 'utf8' });
      return { status: r.status, output: `${r.stdout}${r.stderr}` };
    },
    async db() {
      if (TEST_DB === 'postgres') return openPostgres(TEST_DATABASE_URL, { schema, max: 2 });
      return openPglite({ dataDir: join(dir, 'pg') });
    },
    async cleanup() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      if (TEST_DB === 'postgres') {
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
