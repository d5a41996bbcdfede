import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite, openPostgres, type Db } from '../../src/platform/db/index.ts';
import { listMigrations, migrate } from '../../src/platform/db/migrate.ts';
import pg from 'pg';
import { Keyring, useKeyring } from '../../src/platform/secrets.ts';
import { configureOutbound } from '../../src/platform/outbound-url.ts';
// the composition root registers the provisioning sections (tariffs, drivers, …) every test document uses
import '../../src/modules/index.ts';

// Tests seal secrets with a random key of their own (a process without SECRETS_KEY keeps it), and
// their fake partners, gateways and providers listen on 127.0.0.1.
useKeyring(Keyring.random());
configureOutbound({ allowPrivate: true });

export const TEST_DB = (process.env.TEST_DB ?? 'pglite') as 'pglite' | 'postgres';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let template: Blob | null = null;

/** A PGlite data dir with every migration applied, made once per migration set and cached on disk. */
async function pgliteTemplate(): Promise<Blob> {
  if (template) return template;
  const hash = createHash('sha1').update(listMigrations().map((m) => m.name + m.sql).join('\n')).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'chargeops-test');
  const file = join(dir, `pglite-${hash}.tar.gz`);
  if (existsSync(file)) {
    template = new Blob([readFileSync(file)]);
    return template;
  }
  const db = await openPglite();
  await migrate(db);
  const blob: Blob = await (db as any).pglite.dumpDataDir('gzip');
  await db.close();
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${file}.${process.pid}`, Buffer.from(await blob.arrayBuffer()));
  const { renameSync } = await import('node:fs');
  renameSync(`${file}.${process.pid}`, file);
  template = blob;
  return blob;
}

/**
 * A fresh, migrated database for one test file: PGlite in memory (from a template) or, with
 * TEST_DB=postgres, a new schema on the PostgreSQL server that is dropped on close. `upTo` (upgrade
 * tests): only the migrations up to and including that one (PGlite then starts empty, not from the
 * template); `migrate(db)` applies the rest.
 */
export async function testDb(opts: { upTo?: string } = {}): Promise<Db> {
  if (TEST_DB === 'postgres') {
    const schema = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const db = await openPostgres(TEST_DATABASE_URL, { schema, max: 10 });
    await migrate(db, opts);
    const close = db.close;
    return Object.assign(db, {
      async close() {
        await close();
        const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await c.connect();
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await c.end();
      },
    });
  }
  if (opts.upTo !== undefined) {
    const db = await openPglite();
    await migrate(db, opts);
    return db;
  }
  const db = await openPglite({ loadDataDir: await pgliteTemplate() });
  await migrate(db); // no-op, but proves the template is current
  return db;
}
