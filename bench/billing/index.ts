// bench/billing: the pricing engine (engine.ts, "Billing engine" in docs/performance.md) and, when
// present, order search over many orders (search.ts, written by the orders module). Each part runs
// in its own process so one's heap does not skew the other.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = join('bench', 'billing');
const flags = process.argv.slice(2);
let failed = 0;
for (const part of ['engine.ts', 'search.ts']) {
  const file = join(dir, part);
  if (!existsSync(file)) continue;
  console.log(`--- billing/${part}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', file, ...flags], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
