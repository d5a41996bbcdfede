// bench/payments: WeChat Pay top-ups end to end against the fake on 127.0.0.1 — prepay requests per
// second (API → signed request → verified answer), callbacks credited per second (signed, encrypted
// callback → raw inbox row → verify → decrypt → locked credit + ledger posting), and a burst of
// duplicate copies of one callback. PGlite and, when reachable, the PostgreSQL server.
// Writes the "Payments (WeChat Pay callbacks)" section of docs/performance.md.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import pg from 'pg';
import { openPglite, openPostgres, type Db } from '../../src/platform/db/index.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/log.ts';
import { startPlatform } from '../../src/server.ts';
import { provision } from '../../src/modules/registry/provisioning.ts';
import { startFakeWechatpay } from '../../src/modules/payments/fake/server.ts';
import { minimalDoc } from '../../test/fixtures/minimal.ts';
import { freePort } from '../../test/payments/helpers.ts';
import { machine, writeSection } from '../support/perf-doc.ts';
import { Keyring, useKeyring } from '../../src/platform/secrets.ts';
import { configureOutbound } from '../../src/platform/outbound-url.ts';

// the merchant settings are sealed while provisioning, before the platform opens its keyring
useKeyring(Keyring.random());
configureOutbound({ allowPrivate: true });

const N = Number(process.env.BENCH_TOPUPS ?? 200);
const COPIES = 100;
const URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const write = !process.argv.includes('--no-write');

async function run(db: Db) {
  const fake = await startFakeWechatpay({ timeScale: 0.001 });
  const doc: any = minimalDoc();
  doc.operators[0].payments = { wechatpay: fake.operatorSettings() };
  await migrate(db);
  await provision(db, doc);
  const port = await freePort();
  const cfg = loadConfig({ PORT: String(port), HOST: '127.0.0.1', DEMO_DATA: 'false', LOG_LEVEL: 'silent', PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, OUTBOUND_ALLOW_PRIVATE: 'true' });
  // timeScale 1: the query job stays out of the way (first query after 10 s)
  const p = await startPlatform(cfg, { db, log: createLogger('silent') });
  try {
    const login = await (await fetch(`${p.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'op1-staff', password: doc.operators[0].users.find((u: any) => u.username === 'op1-staff').password }) })).json();
    const h = { 'content-type': 'application/json', authorization: `Bearer ${login.token}` };
    const t0 = performance.now();
    const otns: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (otns.length < N) {
          const r = await fetch(`${p.url}/api/v1/topups`, { method: 'POST', headers: h, body: JSON.stringify({ phone: '18475511853', amount: '10.00', channel: 'wechatpay_h5' }) });
          if (r.status !== 201) throw new Error(`create: ${r.status} ${await r.text()}`);
          otns.push((await r.json()).outTradeNo);
        }
      }),
    );
    const createS = (performance.now() - t0) / 1000;
    const credited = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM topups WHERE status = 'credited'`)).rows[0].n;
    const t1 = performance.now();
    for (const o of otns) fake.pay(o);
    while ((await credited()) < otns.length) await new Promise((r) => setTimeout(r, 20));
    const creditS = (performance.now() - t1) / 1000;
    // one more order, its callback sent COPIES times at once
    const one = await (await fetch(`${p.url}/api/v1/topups`, { method: 'POST', headers: h, body: JSON.stringify({ phone: '18475511853', amount: '1.00', channel: 'wechatpay_h5' }) })).json();
    fake.knobs.dropCallbacks = true;
    fake.pay(one.outTradeNo);
    const t2 = performance.now();
    const statuses = await fake.notify(one.outTradeNo, { copies: COPIES });
    const burstS = (performance.now() - t2) / 1000;
    const credits = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM payment_events WHERE out_trade_no = $1 AND outcome = 'credited'`, [one.outTradeNo])).rows[0].n;
    if (credits !== 1) throw new Error(`the burst credited ${credits} times`);
    return { created: Math.round(otns.length / createS), credited: Math.round(otns.length / creditS), burstMs: Math.round(burstS * 1000), ok2xx: statuses.filter((s) => s === 204).length };
  } finally {
    await p.stop();
    await fake.close();
  }
}

const load0 = loadavg()[0];
const rows: string[] = [];
const lite = await openPglite();
const a = await run(lite);
await lite.close();
rows.push(`| PGlite (in memory) | ${a.created} | ${a.credited} | ${a.burstMs} ms (${a.ok2xx}/${COPIES} answered 204, 1 credit) |`);
let pgNote = '';
const admin = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 3000 });
try {
  await admin.connect();
  const schema = `bench_pay_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  try {
    const db = await openPostgres(URL, { schema, max: 10 });
    const b = await run(db);
    await db.close();
    rows.push(`| PostgreSQL server | ${b.created} | ${b.credited} | ${b.burstMs} ms (${b.ok2xx}/${COPIES} answered 204, 1 credit) |`);
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  }
} catch (e) {
  pgNote = `\nPostgreSQL server not measured: ${(e as Error).message}.`;
} finally {
  await admin.end().catch(() => {});
}
const body = `${N} H5 top-ups of one driver through the API and the fake WeChat Pay on 127.0.0.1 (both in one process), then
every order paid: callbacks signed (RSA-2048), encrypted (AES-256-GCM), delivered over HTTP, stored raw, verified,
decrypted and credited (row lock + ledger posting) one transaction each. Then one callback sent ${COPIES} times at
once (WeChat's duplicates): exactly one credit. Prepay and callback rates include the RSA signing on both sides.

| database | top-ups created/s (4 clients) | callbacks credited/s | ${COPIES} parallel copies of one callback |
|---|---|---|---|
${rows.join('\n')}
${pgNote}
Machine: ${machine()}; load average ${load0.toFixed(2)} at start. ${new Date().toISOString().slice(0, 10)}.
Reproduce: \`npm run bench -- payments\` (\`BENCH_TOPUPS=…\` for another count).`;
console.log(body);
if (write) writeSection('Payments (WeChat Pay callbacks)', body);
process.exit(0);
