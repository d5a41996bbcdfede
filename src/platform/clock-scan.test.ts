/**
 * "Now" comes from ctx.clock (or a Clock handed down; pure functions take `now`): this test scans
 * the server's sources for the wall clock read directly and names every hit as file:line.
 *
 * Scanned: every .ts/.tsx file under src/ (tests beside the code included), and web/*.ts (the vite
 * config runs in Node). Not scanned: the browser apps under web/console and web/h5, which run on
 * the driver's or the operator's own device and may keep the browser's clock; test/ (end-to-end
 * tests drive real sockets against the system clock).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The one file allowed to read the wall clock. */
const ALLOWED = new Set(['src/platform/clock.ts', 'src/platform/clock-scan.test.ts']);

/** Date.now (called or passed around), new Date() / new Date without arguments, Date() called as a function. */
const BARE = [/\bDate\.now\b/, /\bnew\s+Date\s*(\(\s*\)|(?![\s(]))/, /(?<![\w.]|new\s)Date\s*\(\s*\)/];

/** 1-based line numbers of the bare wall-clock reads in `text` (comment lines ignored). */
export function bareClockLines(text: string): number[] {
  const out: number[] = [];
  text.split('\n').forEach((line, i) => {
    const code = line.trim();
    if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
    const noTrailingComment = line.replace(/\s\/\/ .*$/, '');
    if (BARE.some((re) => re.test(noTrailingComment))) out.push(i + 1);
  });
  return out;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') sources(p, out);
    } else if (/\.tsx?$/.test(e.name)) out.push(p);
  }
  return out;
}

test('the scan finds each form of a bare wall-clock read, and only those', () => {
  const hits = bareClockLines(
    [
      'const a = Date.now();', // 1
      'const b = new Date();', // 2
      'const c = new Date;', // 3
      'const d = Date();', // 4
      'const e = [1].map(Date.now);', // 5
      'const f = new Date(0);', // 6: an instant given
      'const g = new Date(ms).toISOString();', // 7
      '// Date.now() in a comment', // 8
      ' * new Date() in a doc comment', // 9
      'const h = ctx.clock.now(); // not Date.now()', // 10
      'const i = new  Date( );', // 11
      'const j = isDate(x);', // 12
    ].join('\n'),
  );
  assert.deepEqual(hits, [1, 2, 3, 4, 5, 11]);
});

test('no Date.now() / argument-less new Date() outside src/platform/clock.ts: time comes from ctx.clock', () => {
  const files = [...sources(join(ROOT, 'src')), ...readdirSync(join(ROOT, 'web')).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts')).map((f) => join(ROOT, 'web', f))];
  assert.ok(files.length > 100, `the scan found only ${files.length} files: is ROOT (${ROOT}) right?`);
  const found: string[] = [];
  for (const f of files) {
    const rel = relative(ROOT, f).split('\\').join('/');
    if (ALLOWED.has(rel)) continue;
    for (const line of bareClockLines(readFileSync(f, 'utf8'))) found.push(`${rel}:${line}`);
  }
  assert.deepEqual(found, [], `read the time from ctx.clock (or a Clock / a \`now\` parameter handed down), not the wall clock:\n  ${found.join('\n  ')}`);
});
