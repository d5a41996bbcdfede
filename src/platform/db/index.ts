import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { existsSync, mkdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { from as copyFromStdin } from 'pg-copy-streams';

export interface Result<T> {
  rows: T[];
  rowCount: number;
}

/** Anything that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  query<T = any>(text: string, params?: unknown[]): Promise<Result<T>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /**
   * `COPY … FROM STDIN` with `data` in COPY's text format (copyText builds it): the fast way to store
   * a million rows (bench/reconciliation). Optional: a wrapper without it makes callers fall back to INSERT.
   */
  copyFrom?(sql: string, data: string): Promise<void>;
  /**
   * One `COPY … FROM STDIN` kept open while its text is written piece by piece (a transaction only):
   * the database stores each piece while the caller makes the next, with none of a COPY's per-statement
   * cost (bench/reconciliation: a million statement rows in 3.0 s where 200 COPYs took 4.3 s).
   */
  copyStream?(sql: string): CopyWriter;
}

/**
 * An open COPY: `write` waits while the connection's buffer is full; `end` waits for the database's
 * answer; `abort` cancels it (nothing of it is stored) and leaves the connection usable.
 */
export interface CopyWriter {
  write(text: string): Promise<void>;
  end(): Promise<void>;
  abort(): Promise<void>;
}

/** One field in COPY's text format: \N for null; backslash, tab and line ends escaped. */
export function copyField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction; it commits when fn resolves and rolls back when it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel (PostgreSQL: every node on the database hears it; PGlite: this process). */
  listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
  /** NOTIFY a channel (payload under 8000 bytes). */
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

// int8 as a JS number on both drivers: fen, Wh and ids stay far below 2^53.
const INT8 = 20;
const NUMERIC = 1700;

/**
 * The embedded server's PostgreSQL settings (a file-backed DATA_DIR). PGlite's default 128 MB of
 * shared buffers is memory the process holds for good; the OS page cache still caches the files, and
 * 16 MB is plenty for one operator's working set (docs/performance.md, "Embedded demo memory").
 */
export const PGLITE_SERVER_CONF = 'shared_buffers = 16MB\nwork_mem = 4MB\nmaintenance_work_mem = 16MB\n';

/** A new DATA_DIR's cluster is made by a child process (src/platform/db/pglite-init.mjs) that exits. */
async function initClusterInChild(dataDir: string): Promise<void> {
  const script = fileURLToPath(new URL('./pglite-init.mjs', import.meta.url));
  try {
    await promisify(execFile)(process.execPath, [script, dataDir, PGLITE_SERVER_CONF], { maxBuffer: 4 * 2 ** 20 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`creating the embedded database in ${dataDir} failed: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}

export async function openPglite(opts: { dataDir?: string; loadDataDir?: Blob | File } = {}): Promise<Db> {
  if (opts.dataDir) {
    mkdirSync(opts.dataDir, { recursive: true });
    if (!opts.loadDataDir && !existsSync(join(opts.dataDir, 'PG_VERSION'))) await initClusterInChild(opts.dataDir);
  }
  const lite = await PGlite.create({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    ...(opts.dataDir ? { postgresqlconf: PGLITE_SERVER_CONF } : {}),
    parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => v },
  });
  const wrap = (q: { query: PGlite['query']; exec: PGlite['exec'] }): Queryable => ({
    async query<T>(text: string, params?: unknown[]) {
      const r = await q.query<T>(text, params as any[]);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(text: string) {
      await q.exec(text);
    },
    // PGlite reads COPY's input from a blob it names /dev/blob
    async copyFrom(sql: string, data: string) {
      if (!/FROM STDIN/i.test(sql)) throw new Error('copyFrom needs COPY … FROM STDIN');
      await q.query(sql.replace(/FROM STDIN/i, `FROM '/dev/blob'`), [], { blob: new Blob([data]) });
    },
  });
  const base = wrap(lite);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    copyFrom: base.copyFrom,
    tx: (fn) => lite.transaction((t) => fn(wrap(t as any))),
    listen: async (channel, fn) => {
      const off = await lite.listen(channel, fn);
      return async () => off();
    },
    notify: async (channel, payload) => {
      await lite.query(`SELECT pg_notify($1, $2)`, [channel, payload]);
    },
    close: () => lite.close(),
    // exposed for test templates
    ...({ pglite: lite } as object),
  };
}

export async function openPostgres(url: string, opts: { schema?: string; max?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
    types: {
      getTypeParser: ((oid: number, format: any) => {
        if (oid === INT8) return (v: string) => Number(v);
        return pg.types.getTypeParser(oid, format);
      }) as any,
    },
  });
  pool.on('error', () => {
    /* idle client errors surface on the next query */
  });
  const copyOn = async (c: pg.PoolClient, sql: string, data: string) => {
    await pipeline(Readable.from([data]), c.query(copyFromStdin(sql)));
  };
  const wrap = (c: { query: (t: string, p?: unknown[]) => Promise<pg.QueryResult> }, copy: (sql: string, data: string) => Promise<void>, copyStream?: (sql: string) => CopyWriter): Queryable => ({
    async query<T>(text: string, params?: unknown[]) {
      const r = await c.query(text, params);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(text: string) {
      await c.query(text);
    },
    copyFrom: copy,
    copyStream,
  });
  const copyStreamOn = (c: pg.PoolClient) => (sql: string): CopyWriter => {
    if (!/FROM STDIN/i.test(sql)) throw new Error('copyStream needs COPY … FROM STDIN');
    const s = c.query(copyFromStdin(sql));
    // the database's refusal arrives as the stream's error: kept for the next write or the end
    let failed: Error | null = null;
    s.on('error', (e) => (failed = e));
    return {
      async write(text) {
        if (failed) throw failed;
        if (!s.write(text)) await once(s, 'drain');
      },
      async end() {
        if (failed) throw failed;
        s.end();
        await finished(s);
      },
      async abort() {
        if (s.destroyed || s.writableFinished) return;
        s.destroy(new Error('COPY aborted'));
        await finished(s).catch(() => {});
      },
    };
  };
  const poolCopy = async (sql: string, data: string) => {
    const c = await pool.connect();
    try {
      await copyOn(c, sql, data);
    } finally {
      c.release();
    }
  };
  // One dedicated connection carries every LISTEN of this Db (a pooled client cannot keep them).
  let listener: pg.Client | null = null;
  const handlers = new Map<string, Set<(p: string) => void>>();
  const listenerClient = async () => {
    if (listener) return listener;
    const c = new pg.Client({ connectionString: url, options: opts.schema ? `-c search_path=${opts.schema}` : undefined });
    c.on('notification', (n) => handlers.get(n.channel)?.forEach((h) => h(n.payload ?? '')));
    c.on('error', () => {
      listener = null;
    });
    await c.connect();
    listener = c;
    return c;
  };
  return {
    kind: 'postgres',
    async listen(channel, fn) {
      const c = await listenerClient();
      if (!handlers.has(channel)) {
        handlers.set(channel, new Set());
        await c.query(`LISTEN ${quoteIdent(channel)}`);
      }
      handlers.get(channel)!.add(fn);
      return async () => {
        handlers.get(channel)?.delete(fn);
      };
    },
    async notify(channel, payload) {
      await pool.query(`SELECT pg_notify($1, $2)`, [channel, payload]);
    },
    query: wrap(pool as any, poolCopy).query,
    exec: wrap(pool as any, poolCopy).exec,
    copyFrom: poolCopy,
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client as any, (sql, data) => copyOn(client, sql, data), copyStreamOn(client)));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      const l = listener;
      listener = null;
      await l?.end().catch(() => {});
      await pool.end();
    },
  };
}

export async function openDb(cfg: { DATABASE_URL?: string; DATA_DIR: string; DATABASE_POOL_MAX?: number }): Promise<Db> {
  return cfg.DATABASE_URL ? openPostgres(cfg.DATABASE_URL, { max: cfg.DATABASE_POOL_MAX }) : openPglite({ dataDir: `${cfg.DATA_DIR}/pg` });
}
