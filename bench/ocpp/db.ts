import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres } from '../../src/platform/db/index.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { provision } from '../../src/modules/registry/provisioning.ts';
// the composition root registers the provisioning sections (since eb96262 registry no longer imports them)
import '../../src/modules/index.ts';

const withDb = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * A fresh database provisioned with the given documents. Provisioning thousands of chargers hashes
 * thousands of keys (scrypt), so the provisioned database is kept as a template (keyed by the
 * documents) and later runs copy it with CREATE DATABASE ... TEMPLATE.
 */
export async function freshBenchDb(serverUrl: string, docs: unknown[], log: (m: string) => void): Promise<{ url: string; drop(): Promise<void> }> {
  // Keyed by the documents only: migrations added since the template was made are applied to the copy.
  const key = createHash('sha1')
    .update(JSON.stringify(docs))
    .digest('hex')
    .slice(0, 12);
  const tpl = `chargeops_bench_tpl_${key}`;
  const name = `chargeops_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const exists = await admin(serverUrl, async (c) => (await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [tpl])).rowCount === 1);
  if (!exists) {
    const build = `${tpl}_build_${process.pid}`;
    await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${build}`));
    const db = await openPostgres(withDb(serverUrl, build), { max: docs.length + 1 });
    const t = Date.now();
    await migrate(db);
    // Separate operators provision in parallel: each upsert locks only its own operator's rows.
    await Promise.all(docs.map((d) => provision(db, d)));
    await db.close();
    log(`provisioned a template database in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    await admin(serverUrl, (c) => c.query(`ALTER DATABASE ${build} RENAME TO ${tpl}`));
  }
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${tpl}`));
  const db = await openPostgres(withDb(serverUrl, name), { max: 1 });
  await migrate(db);
  await db.close();
  return {
    url: withDb(serverUrl, name),
    drop: () => admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}
