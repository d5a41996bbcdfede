/** What the README tells a new user matches the product (issue 18 point 8). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const README = read('README.md');
const doc = JSON.parse(read('examples/demo.json'));

test('the README says what browser tests need (Chromium, CJK fonts) and that .ci/run installs them', () => {
  assert.match(README, /Chromium/);
  assert.match(README, /fonts-wqy-zenhei/);
  assert.match(read('.ci/run'), /fonts-wqy-zenhei/);
  assert.match(README, /`\.ci\/run` installs both/);
});

test("the tour's charger numbers are the demo's: all but the last connected, the last offline on purpose", () => {
  const chargers = doc.operators.flatMap((o: any) => o.stations.flatMap((s: any) => s.chargers));
  const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
  assert.match(README, new RegExp(`demo has\\s+${words[chargers.length]} chargers`));
  assert.match(README, new RegExp(`${words[chargers.length - 1]} are simulated in-process and connected`));
  assert.match(read('src/modules/ocpp/simulator/demo.ts'), /all\.slice\(0, Math\.max\(1, all\.length - 1\)\)/, 'the simulator leaves the last charger offline');
});

test('the correction form offers what the tour says it offers', () => {
  const form = read('web/console/src/components/CorrectionForm.tsx');
  const tour = /3\. \*\*Abnormal orders\*\*:([\s\S]*?)\n4\./.exec(README)![1];
  assert.doesNotMatch(tour, /inputs \([^)]*energy per period/, 'the form has no per-period energy input');
  for (const [words, field] of [
    ['meter start and stop', 'meterStartWh'],
    ['start and end times', 'startTime'],
    ['unplug time', 'idleEndTime'],
  ]) {
    assert.ok(tour.replace(/\s+/g, ' ').includes(words), `the tour names ${words}`);
    assert.match(form, new RegExp(`name="${field}"`), `the form has ${field}`);
  }
});

test('Node 20 installs without engine warnings: content-disposition and cookie pinned to Node 20 builds, and the README says why', () => {
  const pkg = JSON.parse(read('package.json'));
  assert.match(pkg.overrides['@fastify/static']['content-disposition'], /^\^?[12]\./);
  assert.match(pkg.overrides['light-my-request'].cookie, /^\^?[01]\./);
  const lock = JSON.parse(read('package-lock.json'));
  for (const [path, meta] of Object.entries<any>(lock.packages))
    if (/node_modules\/(content-disposition|cookie)$/.test(path) && meta.engines?.node) assert.doesNotMatch(meta.engines.node, />=\s*22/, `${path} ${meta.version} wants ${meta.engines.node}`);
  assert.match(README, /content-disposition/);
  assert.match(README, /cookie/);
});
