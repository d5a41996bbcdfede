import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, currentDoc, moduleGraph, nodeOf, renderGraph, spliceGraph, START, END } from './deps.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));

test('docs/architecture.md shows the current module graph (regenerate: npm run deps:graph)', () => {
  const { doc, next } = currentDoc(cruise());
  assert.ok(doc === next, 'the module graph in docs/architecture.md is out of date: run npm run deps:graph and commit docs/architecture.md');
});

test('each rule of .dependency-cruiser.cjs catches what it is for, and lets its stated exceptions through', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chargeops-deps-'));
  try {
    symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
    copyFileSync(join(repo, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
    copyFileSync(join(repo, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    const files: Record<string, string> = {
      'bin/cli.mjs': `import '../src/main.ts';`,
      'src/main.ts': `import './modules/ocpp/simulator/cli.ts';\nimport './modules/m1/x.ts';\nimport './server.ts';`,
      'src/server.ts': `import './modules/index.ts';\nimport './modules/m2/internal.ts';`,
      'src/demo.ts': `import './modules/m1/demo.ts';\nimport './modules/ocpp/simulator/charger.ts';\nimport './modules/m1/index.ts';`,
      'src/modules/index.ts': `import './m1/index.ts';\nimport './m2/index.ts';\nimport './ocpp/index.ts';`,
      'src/modules/m1/index.ts': `export * from './x.ts';`,
      'src/modules/m1/x.ts': `import '../m2/internal.ts';\nimport '../m2/index.ts';\nimport '../../platform/p.ts';\nexport const x = 1;`,
      'src/modules/m1/demo.ts': `import type {} from '../m2/index.ts';`,
      'src/modules/m2/index.ts': `export const y = 2;`,
      'src/modules/m2/internal.ts': `import './nope.ts';`,
      'src/modules/m3/index.ts': `export const z = 3;`,
      'src/modules/m3/needs-root.ts': `import type {} from '../../server.ts';`,
      'src/modules/m4/a.ts': `import './b.ts';`,
      'src/modules/m4/b.ts': `import './a.ts';`,
      'src/modules/ocpp/index.ts': `import './simulator/charger.ts';`,
      'src/modules/ocpp/simulator/charger.ts': `export const c = 1;`,
      'src/modules/ocpp/simulator/cli.ts': `import './charger.ts';`,
      'src/platform/p.ts': `import '../modules/m3/index.ts';`,
      'web/h5/src/App.tsx': `import '../../../src/modules/m3/index.ts';`,
    };
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(dir, dirname(f)), { recursive: true });
      writeFileSync(join(dir, f), text + '\n');
    }
    const r = spawnSync(process.execPath, [join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', 'web', 'bin', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd: dir, encoding: 'utf8' });
    const result = JSON.parse(r.stdout);
    const found = result.summary.violations.map((v: any) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    assert.deepEqual(found, [
      'main-through-index: src/main.ts → src/modules/m1/x.ts',
      'modules-below-root: src/modules/m3/needs-root.ts → src/server.ts',
      'no-circular: src/modules/m4/a.ts → src/modules/m4/b.ts',
      'no-reach-through: src/modules/m1/x.ts → src/modules/m2/internal.ts',
      'not-to-unresolvable: src/modules/m2/internal.ts → ./nope.ts',
      'platform-below-modules: src/platform/p.ts → src/modules/m3/index.ts',
      'root-through-index: src/server.ts → src/modules/m2/internal.ts',
      'web-apps-over-http: web/h5/src/App.tsx → src/modules/m3/index.ts',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the module graph: files collapse to their module; cycles between modules are found and drawn dashed', () => {
  assert.equal(nodeOf('src/modules/ocpp/simulator/charger.ts'), 'ocpp');
  assert.equal(nodeOf('src/platform/db/index.ts'), 'platform');
  assert.equal(nodeOf('src/server.ts'), 'app');
  assert.equal(nodeOf('src/modules/index.ts'), 'app');
  assert.equal(nodeOf('web/h5/src/Charge.tsx'), 'h5');
  assert.equal(nodeOf('node_modules/pg/lib/index.js'), null);
  const mod = (source: string, ...to: string[]) => ({ source, dependencies: to.map((resolved) => ({ resolved, rules: resolved.endsWith('/x.ts') ? [{ name: 'no-reach-through' }] : undefined })) });
  const g = moduleGraph([
    mod('src/modules/a/index.ts', 'src/modules/b/index.ts', 'src/platform/clock.ts'),
    mod('src/modules/b/index.ts', 'src/modules/a/x.ts', 'src/modules/c/index.ts'),
    mod('src/modules/c/index.ts', 'src/platform/clock.ts'),
    mod('src/server.ts', 'src/modules/a/index.ts'),
    mod('src/platform/clock.ts'),
  ]);
  assert.deepEqual(g.cycles, [['a', 'b']]);
  const md = renderGraph(g);
  assert.match(md, /  a -.-> b\n  b -.-> a\n  b --> c\n/);
  assert.match(md, /Modules in one import cycle: a, b\./);
  assert.match(md, /past a module's index\.ts \(file count\): b → a \(1\)\./);
  assert.doesNotMatch(md, /platform\]/);
  assert.equal(spliceGraph(`x\n${START}\nold\n${END}\ny`, 'new'), `x\n${START}\nnew\n${END}\ny`);
  assert.throws(() => spliceGraph('no markers', 'new'), /markers/);
});
