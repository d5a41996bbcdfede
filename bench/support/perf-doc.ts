import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execSync } from 'node:child_process';

const FILE = 'docs/performance.md';

/** nproc, memory, CPU model and Node version, for the "Machine" line of a result. */
export function machine(): string {
  let pg = '';
  try {
    pg = execSync(`psql -At -h 127.0.0.1 -U postgres -c 'show server_version' test`, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    /* no psql */
  }
  return `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}${pg ? `, PostgreSQL ${pg}` : ''}`;
}

/**
 * Replaces (or appends) the "## heading" section of docs/performance.md, leaving every other
 * helper's section as it is. A new section goes after the last section whose heading line matches
 * `after` (e.g. the same benchmark on another Node.js), else at the end.
 */
export function writeSection(heading: string, body: string, opts: { after?: RegExp } = {}) {
  const title = `## ${heading}`;
  let doc = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Performance\n';
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.trim() === title);
  const section = [title, '', body.trim(), ''];
  const sibling = opts.after ? lines.findLastIndex((l) => opts.after!.test(l.trim())) : -1;
  if (start < 0 && sibling >= 0) {
    let end = lines.findIndex((l, i) => i > sibling && /^## /.test(l));
    if (end < 0) end = lines.length;
    lines.splice(end, 0, ...section);
    doc = lines.join('\n');
  } else if (start < 0) doc = doc.replace(/\n*$/, '\n\n') + section.join('\n');
  else {
    let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
    if (end < 0) end = lines.length;
    lines.splice(start, end - start, ...section);
    doc = lines.join('\n');
  }
  writeFileSync(FILE, doc.replace(/\n*$/, '\n'));
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A numeric command-line option: `--name N` or `--name=N`, else the default. */
export function numArg(name: string, dflt: number): number {
  const i = process.argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return dflt;
  const a = process.argv[i];
  return Number(a.includes('=') ? a.split('=')[1] : process.argv[i + 1]);
}

/**
 * How fast the machine is right now, by two fixed workloads that no project code changes: the same
 * JSON round trips in JS and the same hash-and-count query in PostgreSQL (best of three each). The
 * machine's speed moved by up to half from hour to hour here, so a result says more beside these.
 */
export async function calibrate(query: (sql: string) => Promise<unknown>): Promise<{ jsMs: number; pgMs: number }> {
  const doc = Array.from({ length: 50_000 }, (_, i) => ({ seq: `101437000${String(i).padStart(18, '0')}`, wh: 10_000 + (i % 20_000), fen: [i % 700, i % 800], ok: i % 3 === 0 }));
  const best = async (f: () => unknown) => {
    let min = Infinity;
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      await f();
      min = Math.min(min, performance.now() - t);
    }
    return Math.round(min);
  };
  const jsMs = await best(() => {
    for (let k = 0; k < 5; k++) JSON.parse(JSON.stringify(doc));
  });
  await query('SET jit = off');
  const pgMs = await best(() => query(`SELECT count(DISTINCT h) FROM (SELECT hashtext(g::text) AS h FROM generate_series(1, 1000000) g) x`));
  await query('RESET jit');
  return { jsMs, pgMs };
}
