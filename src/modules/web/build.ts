import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../platform/clock.ts';

/** Repository root (src/modules/web → ../../..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const WEB_SRC = join(ROOT, 'web');
/** vite writes here (web/vite.config.ts); served under /web/. */
export const DIST = join(ROOT, 'web', 'dist');
export const APP_DIR = join(DIST, 'app');
// vite writes the HTML after the assets it names: its presence means a complete build (also one made by npm run build:web)
const STAMP = join(APP_DIR, 'console', 'index.html');

export const isBuilt = () => existsSync(STAMP) && existsSync(join(APP_DIR, 'h5', 'index.html'));

function newestSource(dir: string): number {
  let newest = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    if (f.name === 'dist' || f.name === 'node_modules' || f.name.startsWith('.')) continue;
    const p = join(dir, f.name);
    newest = Math.max(newest, f.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Built and no web source newer than the build (a source checkout without web/ counts as current). */
export function isCurrent(): boolean {
  if (!isBuilt()) return false;
  if (!existsSync(join(WEB_SRC, 'console'))) return true;
  return newestSource(WEB_SRC) <= statSync(STAMP).mtimeMs;
}

/** Pre-compressed copies next to each asset (served by @fastify/static with preCompressed). */
function gzipAll(dir: string) {
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    if (f.isDirectory()) gzipAll(p);
    else if (/\.(js|css|html|svg|json)$/.test(f.name)) writeFileSync(`${p}.gz`, gzipSync(readFileSync(p), { level: 9 }));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Builds both web apps with vite's build() into a temporary directory and swaps it in, so a reader
 * never sees half a build. A lock file makes parallel test processes share one build.
 */
export async function buildWeb(log: (msg: string) => void = () => {}, opts: { force?: boolean } = {}): Promise<void> {
  mkdirSync(DIST, { recursive: true });
  const lock = join(DIST, '.lock');
  // the lock's age is compared with its file mtime: wall-clock time, whatever clock the platform runs on
  const clock = systemClock;
  const deadline = clock.now() + 240_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      // someone else builds; a lock older than 4 minutes is left over from a crash
      try {
        if (clock.now() - statSync(lock).mtimeMs > 240_000) rmSync(lock, { force: true });
      } catch {}
      if (clock.now() > deadline) throw new Error('timed out waiting for another web build');
      await sleep(300);
      continue;
    }
  }
  try {
    if (!opts.force && isCurrent()) return;
    const t0 = clock.now();
    log('building the web apps (console and driver H5) with vite...');
    const tmp = join(DIST, `.tmp-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    const { build } = await import('vite');
    await build({ configFile: join(WEB_SRC, 'vite.config.ts'), logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } });
    gzipAll(tmp);
    const old = join(DIST, `.old-${process.pid}`);
    if (existsSync(APP_DIR)) renameSync(APP_DIR, old);
    renameSync(tmp, APP_DIR);
    rmSync(old, { recursive: true, force: true });
    log(`web apps built in ${((clock.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(lock, { force: true });
  }
}

/** For tests: one build per run, shared by every test process. */
export async function ensureWebBuilt(): Promise<void> {
  if (!isCurrent()) await buildWeb((m) => process.stderr.write(`# ${m}\n`));
}
