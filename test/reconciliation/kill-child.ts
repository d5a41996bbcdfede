// The child of kill.test.ts: runs (or resumes) one reconciliation run on the test server's schema,
// slowly (each part's transaction waits before its commit) so the test can kill -9 it mid-run.
// Prints "part <phase> <n>" inside each part's transaction and "committed <phase> <n>" after it.
import { openPostgres } from '../../src/platform/db/index.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { executeRun } from '../../src/modules/reconciliation/execute.ts';

const [url, schema, runId, now] = process.argv.slice(2);
const db = await openPostgres(url, { schema, max: 2 });
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const ctx = { db, clock: { now: () => Number(now), date: () => new Date(Number(now)) }, log: silent } as unknown as Ctx;
await executeRun(ctx, Number(runId), {
  partRows: 10,
  inPart: async (phase, p) => {
    console.log(`part ${phase} ${p}`);
    await new Promise((r) => setTimeout(r, 150));
  },
  afterPart: (phase, p) => void console.log(`committed ${phase} ${p}`),
});
console.log('finished');
await db.close();
