import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from './platform/config.ts';
import { openDb } from './platform/db/index.ts';
import { migrate } from './platform/db/migrate.ts';
import { provision, resetPassword, validateProvisioning, type GeneratedSecrets } from './modules/registry/index.ts';
import { openKeyring } from './platform/secrets.ts';
import { configureOutbound } from './platform/outbound-url.ts';
import { startPlatform } from './server.ts';
import { AppError } from './platform/errors.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `chargeops <command>
  start                      start the platform (API, OCPP endpoint, console, H5) on PORT
  migrate                    apply database migrations and exit
  provision FILE.json        upsert a whole setup from a provisioning document (prints the passwords
                             and charger keys it made up for entries that gave none, once)
  reset-password USER        give a staff user a new random password and print it
  rotate-secrets             re-seal every stored secret with SECRETS_KEY (old key in SECRETS_KEY_PREVIOUS)
  verify-ledger              prove the books: every ledger transaction sums to zero, every balance equals
                             its entries and is not below its floor, every order's ledger movements equal
                             its amount; prints each difference, exits 1 if there is any
  simulate --url URL --chargers N [--file FILE.json] [--speed X] [--sessions]   run simulated OCPP 1.6J chargers (--help for more)
  fake-wechatpay [--port P]  run a local fake WeChat Pay v3 server
  build-web                  build the console and the driver H5 into web/dist if they are not current
                             (start runs it in a child process when needed)
Configuration comes from the environment: see README.md.`;

function fail(msg: string): never {
  process.stderr.write(msg.endsWith('\n') ? msg : msg + '\n');
  process.exit(2);
}

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'start':
        return await cmdStart();
      case 'migrate': {
        const cfg = loadConfig();
        const db = await openDb(cfg);
        const applied = await migrate(db);
        await db.close();
        console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
        return;
      }
      case 'provision':
        return await cmdProvision(rest);
      case 'reset-password':
        return await cmdResetPassword(rest);
      case 'rotate-secrets':
        return await cmdRotateSecrets();
      case 'verify-ledger':
        return await cmdVerifyLedger();
      case 'simulate': {
        const { simulateCli } = await import('./modules/ocpp/simulator/cli.ts');
        return await simulateCli(rest);
      }
      case 'build-web': {
        const { buildWeb } = await import('./modules/web/index.ts');
        await buildWeb((m) => console.log(m));
        return;
      }
      case 'fake-wechatpay': {
        const { fakeWechatpayCli } = await import('./modules/payments/fake/cli.ts');
        return await fakeWechatpayCli(rest);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return;
      default:
        fail(`unknown command ${cmd}\n\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    if (e instanceof AppError) fail(`${e.message}${e.details ? '\n' + JSON.stringify(e.details, null, 2) : ''}`);
    throw e;
  }
}

async function cmdProvision(args: string[]) {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  const file = positionals[0];
  if (!file) fail('usage: chargeops provision FILE.json');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch (e) {
    fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  const cfg = loadConfig();
  // the document's outbound URLs are checked against this instance's policy (OUTBOUND_ALLOW_PRIVATE)
  configureOutbound({ allowPrivate: cfg.OUTBOUND_ALLOW_PRIVATE === true });
  const v = validateProvisioning(doc);
  if (!v.ok) fail(`${file} is not a valid provisioning document:\n${v.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  const db = await openDb(cfg);
  try {
    await migrate(db);
    await openKeyring(cfg, db);
    const c = await provision(db, doc);
    console.log(`provisioned ${c.operators} operator(s), ${c.stations} station(s), ${c.chargers} charger(s)`);
    const shown = showGenerated(c.generated);
    if (shown.length) console.log(['made up for entries without one (shown this once; store them now):', ...shown].join('\n'));
  } finally {
    await db.close();
  }
}

function showGenerated(g: GeneratedSecrets, withChargers = true): string[] {
  return [
    ...g.users.map((u) => `  ${u.username} / ${u.password} (${u.role}${u.operatorId ? `, ${u.operatorId}` : ''})`),
    ...(withChargers ? g.chargers.map((c) => `  charger ${c.id}: authKey ${c.authKey}`) : []),
  ];
}

async function cmdResetPassword(args: string[]) {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  const username = positionals[0];
  if (!username) fail('usage: chargeops reset-password USER');
  const cfg = loadConfig();
  const db = await openDb(cfg);
  try {
    await migrate(db);
    const password = await resetPassword(db, username);
    if (password === null) fail(`no staff user ${username}`);
    console.log(`new password for ${username}: ${password}`);
  } finally {
    await db.close();
  }
}

async function cmdRotateSecrets() {
  const cfg = loadConfig();
  const db = await openDb(cfg);
  try {
    await migrate(db);
    const { rotateStoredSecrets } = await import('./server.ts');
    const r = await rotateStoredSecrets(db, cfg);
    for (const [col, n] of Object.entries(r.byColumn)) console.log(`  ${col}: ${n} re-sealed`);
    console.log(`every stored secret is sealed with key ${r.keyId} (${r.resealed} re-sealed); SECRETS_KEY_PREVIOUS can go`);
  } finally {
    await db.close();
  }
}

async function cmdVerifyLedger() {
  const cfg = loadConfig();
  const db = await openDb(cfg);
  try {
    await migrate(db);
    const { verifyLedger } = await import('./modules/orders/index.ts');
    const diffs = await verifyLedger(db);
    for (const d of diffs) console.log(`${d.operatorId}\t${d.check}\t${d.message}`);
    if (diffs.length) {
      console.error(`verify-ledger: ${diffs.length} difference(s)`);
      process.exitCode = 1;
    } else console.log('verify-ledger: clean (every transaction sums to zero, every balance equals its entries and keeps its floor, every order moved its amount)');
  } finally {
    await db.close();
  }
}

async function cmdStart() {
  const loaded = loadConfig();
  // The embedded demo pays through a fake WeChat Pay and roams with a fake partner on loopback, and
  // has no SMS gateway: it allows private outbound addresses and logs one-time codes unless told not to.
  const embeddedDemo = loaded.DEMO_DATA && !loaded.DATABASE_URL;
  const cfg = embeddedDemo ? { ...loaded, OUTBOUND_ALLOW_PRIVATE: loaded.OUTBOUND_ALLOW_PRIVATE ?? true, OTP_LOG_CODES: loaded.OTP_LOG_CODES ?? true } : loaded;
  const p = await startPlatform(cfg);
  const log = p.ctx.log;
  const demoFile = join(root, 'examples', 'demo.json');
  const doc = cfg.DEMO_DATA && existsSync(demoFile) ? JSON.parse(readFileSync(demoFile, 'utf8')) : null;
  const empty = (await p.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM operators`)).rows[0].n === 0;
  let generated: GeneratedSecrets | null = null;
  if (doc && empty) {
    generated = (await provision(p.ctx.db, doc)).generated;
    const { loadDemo } = await import('./demo.ts');
    await loadDemo(p, doc);
    log.info('demo data loaded from examples/demo.json');
  }
  if (doc) {
    const { demoRunning } = await import('./demo.ts');
    await demoRunning(p, doc);
    const base = cfg.publicBaseUrl;
    const users = [
      ...(doc.admins ?? []).map((a: any) => `${a.username} (platform admin)`),
      ...(doc.operators ?? []).flatMap((o: any) => (o.users ?? []).map((u: any) => `${u.username} (${u.role}, ${o.id})`)),
    ];
    const logins = generated
      ? ['  demo logins (random passwords, shown only now; `npx chargeops reset-password USER` prints a new one):', ...showGenerated(generated, false).map((l) => `  ${l}`)]
      : [
          `  demo logins: ${users.join(', ')}`,
          '    (their passwords were printed at the first start; `npx chargeops reset-password USER` prints a new one)',
        ];
    console.log(
      [
        '',
        `ChargeOps is running on port ${cfg.PORT}`,
        `  console:  ${base}/console`,
        `  driver H5: ${base}/h5/${doc.operators?.[0]?.id ?? '{operatorId}'}`,
        `  OCPP 1.6J: ${base.replace(/^http/, 'ws')}/ocpp/{chargeBoxId}`,
        `  API:      ${base}/api/v1 (OpenAPI at ${base}/api/v1/openapi.json)`,
        ...logins,
        ...(cfg.OTP_LOG_CODES ? ['  driver one-time login codes are written to this log (OTP_LOG_CODES=true: the embedded demo has no SMS gateway)'] : []),
        '',
      ].join('\n'),
    );
  } else {
    console.log(`ChargeOps is running on port ${cfg.PORT}: console at ${cfg.publicBaseUrl}/console`);
  }
  const shutdown = async () => {
    log.info('shutting down');
    // A stop that hangs (a peer that never closes, a stuck query) must not keep the process, and a
    // --cpu-prof profile is only written on exit: 30 s, then out anyway.
    setTimeout(() => {
      log.error('shutdown took longer than 30 s; exiting anyway');
      process.exit(1);
    }, 30_000).unref();
    await p.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
