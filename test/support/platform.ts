import { loadConfig } from '../../src/platform/config.ts';
import { startPlatform, type Platform } from '../../src/server.ts';
import { createLogger, type Logger } from '../../src/platform/log.ts';
import type { Db } from '../../src/platform/db/index.ts';
import { provision, type GeneratedSecrets } from '../../src/modules/registry/provisioning.ts';
import type { Module } from '../../src/platform/context.ts';
import type { Clock } from '../../src/platform/clock.ts';
import { testDb } from './db.ts';

export interface TestPlatform extends Platform {
  /** fetch against the platform, JSON in and out; token optional. */
  api<T = any>(method: string, path: string, body?: unknown, token?: string, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers; text: string }>;
  login(username: string, password: string): Promise<string>;
  /** passwords and charger keys provisioning made up (for entries of the document without one) */
  generated: GeneratedSecrets;
  close(): Promise<void>;
}

/** Starts the whole platform on a random port against a fresh test database. */
export async function startTestPlatform(
  opts: { env?: Record<string, string>; provisioning?: unknown; timeScale?: number; clock?: Clock; extraModules?: Module[]; log?: Logger; db?: Db } = {},
): Promise<TestPlatform> {
  const db = opts.db ?? (await testDb());
  let generated: GeneratedSecrets = { users: [], chargers: [] };
  if (opts.provisioning) {
    const { migrate } = await import('../../src/platform/db/migrate.ts');
    await migrate(db);
    generated = (await provision(db, opts.provisioning)).generated;
  }
  const cfg = loadConfig({ PORT: '0', HOST: '127.0.0.1', DEMO_DATA: 'false', OUTBOUND_ALLOW_PRIVATE: 'true', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...opts.env });
  const p = await startPlatform(cfg, { db, log: opts.log ?? createLogger(cfg.LOG_LEVEL), timeScale: opts.timeScale, clock: opts.clock, extraModules: opts.extraModules });
  const api: TestPlatform['api'] = async (method, path, body, token, headers = {}) => {
    const res = await fetch(p.url + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers, text };
  };
  return {
    ...p,
    api,
    generated,
    async login(username, password) {
      const r = await api('POST', '/api/v1/auth/login', { username, password });
      if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token;
    },
    async close() {
      await p.stop();
      if (!opts.db) await db.close();
    },
  };
}
