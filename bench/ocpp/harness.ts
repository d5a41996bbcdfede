// Helpers shared by the benchmarks that drive `chargeops start` child processes with raw chargers
// (bench/ocpp, bench/cluster): bounded concurrency, free ports, the server checkout, login, commands.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from '../support/perf-doc.ts';
import type { RawCharger } from './raw-charger.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs fn over items with at most `width` in flight; returns the errors (bounded sample). */
export async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<void>) {
  const errors: string[] = [];
  let failed = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (i < items.length) {
        const item = items[i++];
        try {
          await fn(item);
        } catch (e) {
          failed++;
          if (errors.length < 5) errors.push((e as Error).message);
        }
      }
    }),
  );
  return { failed, errors };
}

/**
 * The server runs from the working tree, or with --head from a clean export of the last commit
 * (the working tree may hold someone's half-finished change); figures then name that commit.
 */
export function serverCheckout(): { dir: string; commit: string } {
  const sha = execSync('git rev-parse --short HEAD').toString().trim();
  const dirty = execSync('git status --porcelain -- src bin package.json').toString().trim() !== '';
  if (process.env.BENCH_SERVER_DIR) {
    // an experiment: the server from another checkout (e.g. a patched export), named as such
    return { dir: process.env.BENCH_SERVER_DIR, commit: `${sha} with the experimental server in ${process.env.BENCH_SERVER_DIR}` };
  }
  if (!process.argv.includes('--head')) {
    return { dir: process.cwd(), commit: `${sha}${dirty ? ' + uncommitted changes' : ''}` };
  }
  const dir = `/tmp/chargeops-bench-head-${sha}`;
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    execSync(`git archive HEAD | tar -x -C ${dir}`);
    symlinkSync(`${process.cwd()}/node_modules`, `${dir}/node_modules`);
  }
  return { dir, commit: sha };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as any).port;
      s.close(() => resolve(p));
    });
  });
}

/** The synthetic fleet's keys derive from a secret made once per machine (the template database stays valid across runs). */
export function benchSecret(): string {
  const file = join(tmpdir(), 'chargeops-bench-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(16).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export async function login(http: string, password: string): Promise<string> {
  const r = await fetch(`${http}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sim-admin', password }) });
  if (!r.ok) throw new Error(`login failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

/** Sequential GetConfiguration commands through the HTTP API, each a full round trip to a charger. */
export async function commands(http: string, token: string, chargers: RawCharger[], n: number, until: number) {
  const lat: number[] = [];
  let ok = 0;
  let sent = 0;
  const statuses = new Map<number, number>();
  for (; sent < n && Date.now() < until; sent++) {
    const ch = chargers[Math.floor(Math.random() * chargers.length)];
    const s = performance.now();
    const r = await fetch(`${http}/api/v1/chargers/${ch.id}/commands/GetConfiguration`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ key: ['HeartbeatInterval'] }),
    }).catch(() => null);
    await r?.arrayBuffer();
    lat.push(performance.now() - s);
    statuses.set(r?.status ?? 0, (statuses.get(r?.status ?? 0) ?? 0) + 1);
    if (r?.status === 200) ok++;
    await sleep(10);
  }
  lat.sort((a, b) => a - b);
  return { n: sent, ok, p50: percentile(lat, 50), p99: percentile(lat, 99), statuses: Object.fromEntries(statuses) };
}
