import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './index.ts';

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Migration {
  name: string;
  sql: string;
}

/**
 * Every module keeps its own SQL in `migrations/NNNN_name.sql`; the number is global so modules
 * can depend on each other's tables (ranges: platform 0000, registry 0100, wallet 0200, ocpp 0300,
 * tariffs 0400, orders 0500, payments 0600, notify 0700, roaming 0800). One set serves PGlite and PostgreSQL.
 */
export function listMigrations(): Migration[] {
  const dirs = [join(srcDir, 'platform', 'migrations')];
  const modules = join(srcDir, 'modules');
  for (const m of readdirSync(modules)) dirs.push(join(modules, m, 'migrations'));
  const all: Migration[] = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).filter((f) => f.endsWith('.sql'))) all.push({ name: f, sql: readFileSync(join(d, f), 'utf8') });
  }
  all.sort((a, b) => a.name.localeCompare(b.name));
  const seen = new Set<string>();
  for (const m of all) {
    if (seen.has(m.name)) throw new Error(`two migrations are named ${m.name}`);
    seen.add(m.name);
  }
  return all;
}

/**
 * Applies what is not applied yet, in name order. `upTo` (upgrade tests) stops after that migration,
 * so a test can write rows the way an older release did and then migrate the rest.
 */
export async function migrate(db: Db, opts: { upTo?: string } = {}): Promise<string[]> {
  const all = listMigrations();
  if (opts.upTo !== undefined && !all.some((m) => m.name === opts.upTo)) throw new Error(`no migration is named ${opts.upTo}`);
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  await db.tx(async (q) => {
    // Several nodes may start at once on one server: one migrates, the others wait.
    if (db.kind === 'postgres') await q.query(`SELECT pg_advisory_xact_lock(7264001)`);
    const done = new Set((await q.query<{ name: string }>(`SELECT name FROM schema_migrations`)).rows.map((r) => r.name));
    for (const m of all) {
      if (opts.upTo !== undefined && m.name.localeCompare(opts.upTo) > 0) break;
      if (done.has(m.name)) continue;
      await q.exec(m.sql);
      await q.query(`INSERT INTO schema_migrations (name) VALUES ($1)`, [m.name]);
      applied.push(m.name);
    }
  });
  return applied;
}
