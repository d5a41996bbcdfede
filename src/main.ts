import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from './platform/config.ts';
import { openDb } from './platform/db/index.ts';
import { migrate } from './platform/db/migrate.ts';
import { provision, validateProvisioning } from './modules/registry/provisioning.ts';
import { startPlatform } from './server.ts';
import { AppError } from './platform/errors.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `chargeops <command>
  start                      start the platform (API, OCPP endpoint, console, H5) on PORT
  migrate                    apply database migrations and exit
  provision FILE.json        upsert a whole setup from a provisioning document
  simulate --url URL --chargers N [--file FILE.json] [--speed X] [--sessions]   run simulated OCPP 1.6J chargers (--help for more)
  fake-wechatpay [--port P]  run a local fake WeChat Pay v3 server
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
      case 'simulate': {
        const { simulateCli } = await import('./modules/ocpp/simulator/cli.ts');
        return await simulateCli(rest);
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
  const v = validateProvisioning(doc);
  if (!v.ok) fail(`${file} is not a valid provisioning document:\n${v.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  const cfg = loadConfig();
  const db = await openDb(cfg);
  try {
    await migrate(db);
    const c = await provision(db, doc);
    console.log(`provisioned ${c.operators} operator(s), ${c.stations} station(s), ${c.chargers} charger(s)`);
  } finally {
    await db.close();
  }
}

async function cmdStart() {
  const cfg = loadConfig();
  const p = await startPlatform(cfg);
  const log = p.ctx.log;
  const demoFile = join(root, 'examples', 'demo.json');
  const empty = (await p.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM operators`)).rows[0].n === 0;
  if (cfg.DEMO_DATA && empty && existsSync(demoFile)) {
    const doc = JSON.parse(readFileSync(demoFile, 'utf8'));
    await provision(p.ctx.db, doc);
    const { loadDemo } = await import('./demo.ts');
    await loadDemo(p, doc);
    log.info('demo data loaded from examples/demo.json');
  }
  if (cfg.DEMO_DATA && existsSync(demoFile)) {
    const doc = JSON.parse(readFileSync(demoFile, 'utf8'));
    const { demoRunning } = await import('./demo.ts');
    await demoRunning(p, doc);
    const base = cfg.publicBaseUrl;
    const logins = [
      ...(doc.admins ?? []).map((a: any) => `${a.username} / ${a.password} (platform admin)`),
      ...(doc.operators ?? []).flatMap((o: any) => (o.users ?? []).map((u: any) => `${u.username} / ${u.password} (${u.role}, ${o.id})`)),
    ];
    console.log(
      [
        '',
        `ChargeOps is running on port ${cfg.PORT}`,
        `  console:  ${base}/console`,
        `  driver H5: ${base}/h5/${doc.operators?.[0]?.id ?? '{operatorId}'}`,
        `  OCPP 1.6J: ${base.replace(/^http/, 'ws')}/ocpp/{chargeBoxId}`,
        `  API:      ${base}/api/v1 (OpenAPI at ${base}/api/v1/openapi.json)`,
        '  demo logins:',
        ...logins.map((l: string) => `    ${l}`),
        '',
      ].join('\n'),
    );
  } else {
    console.log(`ChargeOps is running on port ${cfg.PORT}: console at ${cfg.publicBaseUrl}/console`);
  }
  const shutdown = async () => {
    log.info('shutting down');
    await p.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
