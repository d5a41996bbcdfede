// bench/web: builds both web apps with vite and measures what a browser downloads — the H5 page's
// initial JavaScript (entry + every chunk it preloads; limit 200 KB gzipped), the console's initial
// load, and each lazily loaded screen. Writes the "Web bundles" section of docs/performance.md.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWeb, APP_DIR } from '../../src/modules/web/build.ts';
import { machine, writeSection } from '../support/perf-doc.ts';

const write = !process.argv.includes('--no-write');
const t0 = Date.now();
await buildWeb((m) => console.log(m), { force: true });
const buildS = (Date.now() - t0) / 1000;

const kb = (n: number) => (n / 1024).toFixed(1);
const gz = (f: string) => gzipSync(readFileSync(join(APP_DIR, f)), { level: 9 }).length;
const size = (f: string) => statSync(join(APP_DIR, f)).size;

function initial(app: 'h5' | 'console') {
  const html = readFileSync(join(APP_DIR, app, 'index.html'), 'utf8');
  const js = [...html.matchAll(/(?:src|href)="\/web\/([^"]+\.js)"/g)].map((m) => m[1]);
  const css = [...html.matchAll(/href="\/web\/([^"]+\.css)"/g)].map((m) => m[1]);
  const sum = (fs: string[], f: (x: string) => number) => fs.reduce((a, x) => a + f(x), 0);
  return { files: js.length, min: sum(js, size), gz: sum(js, gz), cssGz: sum(css, gz) };
}

const h5 = initial('h5');
const con = initial('console');
const screens = readdirSync(join(APP_DIR, 'assets'))
  .map((f) => ({ f, m: /^(Dashboard|Stations|ChargerDetail|Orders|OrderDetail|Abnormal|Tariffs|Drivers|Payments|Roaming|Settings)-[\w-]+\.js$/.exec(f) }))
  .filter((x) => x.m)
  .map(({ f, m }) => ({ name: m![1], min: size(`assets/${f}`), gz: gz(`assets/${f}`) }))
  .sort((a, b) => a.name.localeCompare(b.name));

const body = `
What a browser downloads (vite 8 production build, gzip level 9; \`npm run bench -- web\`), ${new Date().toISOString().slice(0, 10)}, ${machine()}. Build time ${buildS.toFixed(1)} s.

| load | files | minified | gzipped |
|---|---|---|---|
| **driver H5, initial JavaScript** | ${h5.files} | ${kb(h5.min)} KB | **${kb(h5.gz)} KB** (limit 200 KB) |
| driver H5, CSS | 1 | | ${kb(h5.cssGz)} KB |
| console, initial JavaScript (entry, React, antd core, i18n, layout) | ${con.files} | ${kb(con.min)} KB | ${kb(con.gz)} KB |

Console screens, each its own lazy chunk (shared antd chunks such as table or date-picker load with the first screen that needs them):

| screen | minified | gzipped |
|---|---|---|
${screens.map((s) => `| ${s.name} | ${kb(s.min)} KB | ${kb(s.gz)} KB |`).join('\n')}

The Dashboard chunk carries ECharts (\`echarts/core\` with pie, bar, line and the canvas renderer only).
`;
console.log(body);
if (write) writeSection('Web bundles', body);
