// bench/wallet: ledger postings per second (top-ups and order settlements, each its own database
// transaction with row locks and cached balances) and the full balance check, on PGlite and, when
// reachable, on the PostgreSQL server. Writes the "Wallet ledger" section of docs/performance.md.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import pg from 'pg';
import { openPglite, openPostgres, type Db } from '../../src/platform/db/index.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { provision } from '../../src/modules/registry/provisioning.ts';
import { minimalDoc } from '../../test/fixtures/minimal.ts';
import { chargeForOrder, creditTopUp } from '../../src/modules/wallet/index.ts';
import { checkBalances } from '../../src/modules/wallet/ledger.ts';
import { machine, writeSection } from '../support/perf-doc.ts';

const DRIVERS = 200;
const POSTINGS = Number(process.env.BENCH_WALLET_POSTINGS ?? 2000);
const URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function setup(db: Db) {
  await migrate(db);
  await provision(db, minimalDoc());
  for (let i = 0; i < DRIVERS; i++) await db.query(`INSERT INTO drivers (operator_id, phone) VALUES ('op1', $1)`, [`1590000${String(i).padStart(4, '0')}`]);
}

async function run(db: Db, concurrency: number, label: string) {
  let n = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = n++;
      if (i >= POSTINGS) return;
      const phone = `1590000${String(i % DRIVERS).padStart(4, '0')}`;
      await db.tx(async (q) => {
        if (i % 2 === 0) await creditTopUp(q, { operatorId: 'op1', phone, amountFen: 5000, outTradeNo: `${label}-${i}`, remark: 'bench' });
        else await chargeForOrder(q, { operatorId: 'op1', phone, orderNo: `${label}-${i}`, version: 1, amountFen: 3000 });
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const s = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const check = await checkBalances(db, 'op1');
  const checkMs = performance.now() - t1;
  if (!check.ok) throw new Error(`ledger check failed: ${JSON.stringify(check).slice(0, 300)}`);
  const entries = (await db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ledger_entries`)).rows[0].n;
  return { perSecond: Math.round(POSTINGS / s), checkMs: Math.round(checkMs), entries };
}

const rows: string[] = [];
const load0 = loadavg()[0];
const lite = await openPglite();
await setup(lite);
const a = await run(lite, 1, 'lite');
rows.push(`| PGlite (in memory) | 1 | ${a.perSecond} | ${a.entries} | ${a.checkMs} |`);
await lite.close();

const admin = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 3000 });
let pgNote = '';
try {
  await admin.connect();
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    const db = await openPostgres(URL, { schema, max: 8 });
    await setup(db);
    const b = await run(db, 1, 'pg1');
    rows.push(`| PostgreSQL | 1 | ${b.perSecond} | ${b.entries} | ${b.checkMs} |`);
    const c = await run(db, 8, 'pg8');
    rows.push(`| PostgreSQL | 8 | ${c.perSecond} | ${c.entries} | ${c.checkMs} |`);
    await db.close();
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
} catch (e) {
  pgNote = `PostgreSQL not measured: ${(e as Error).message}`;
}

const load = `${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`;
const body = `Machine: ${machine()}; 1-minute load average during the run ${load} (a shared machine: a bare \`SELECT 1\` on PGlite took ~1.2 ms at load 20). Reproduce: \`npm run bench -- wallet\` (BENCH_WALLET_POSTINGS=${POSTINGS}).

${POSTINGS} postings, half top-ups (wallet +, clearing −) and half order settlements (revenue +, wallet −,
receivable − when short) over ${DRIVERS} wallets, each in its own database transaction with the
account rows locked and the cached balances updated. "check" is \`GET /api/v1/wallet/check\`
(every account recomputed from its entries) over the entries written so far.

| database | concurrent transactions | postings/s | ledger entries | check (ms) |
|---|---|---|---|---|
${rows.join('\n')}
${pgNote ? `\n${pgNote}\n` : ''}
Every settlement locks the operator's revenue account row, so settlements of one operator are
serialised for the duration of their transaction. A top-up is 10 SQL statements, a settlement 14
(idempotency check, payer look-up, one statement each to create, lock, insert entries and update
the cached balances, the low-balance check).`;
writeSection('Wallet ledger', body);
console.log(body);
