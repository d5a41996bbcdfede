import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';

// Issue 13.3: firmware advisories provisioned per operator (`firmwareAdvisories`), the whole list
// when given, untouched when left out; bad patterns and repeated ids refused naming the path.
const SX1 = { id: 'SX-1', vendor: 'Sinexcel', modelPattern: 'STM32', versionPattern: '^1\\.', text: 'scan-to-charge sequence charges without a bill (case 1)', severity: 'critical' };
const withAdvisories = (list?: unknown[]) => {
  const doc: any = minimalDoc();
  if (list) doc.operators[0].firmwareAdvisories = list;
  return doc;
};

let p: TestPlatform;
let root: string;
let admin: string;
before(async () => {
  p = await startTestPlatform({ provisioning: withAdvisories([SX1]) });
  root = await p.login('root', 'root-password');
  admin = await p.login('op1-admin', 'op1-admin-pass');
});
after(async () => p?.close());

const advisories = async () => (await p.api('GET', '/api/v1/firmware/advisories', undefined, admin)).body.items;

test('the document’s advisories are the operator’s; left out, the console’s list stays', async () => {
  assert.deepEqual(await advisories(), [SX1]);
  const edited = [SX1, { ...SX1, id: 'SX-2', versionPattern: '^2\\.0\\.0$', severity: 'medium', text: 'console edit' }];
  assert.equal((await p.api('PUT', '/api/v1/firmware/advisories', { items: edited }, admin)).status, 200);
  assert.equal((await p.api('PUT', '/api/v1/provisioning', withAdvisories(), root)).status, 200);
  assert.deepEqual(await advisories(), edited);
  assert.equal((await p.api('PUT', '/api/v1/provisioning', withAdvisories([{ ...SX1, severity: 'high' }]), root)).status, 200);
  assert.deepEqual(await advisories(), [{ ...SX1, severity: 'high' }]);
  // the other operator has none
  const op2 = await p.login('op2-admin', 'op2-admin-pass');
  assert.deepEqual((await p.api('GET', '/api/v1/firmware/advisories', undefined, op2)).body.items, []);
});

test('a pattern that is not a regular expression, or an id twice, is refused naming where', async () => {
  const r = await p.api('PUT', '/api/v1/provisioning', withAdvisories([SX1, { ...SX1, modelPattern: '(' }, { ...SX1, id: 'SX-3', severity: 'urgent' }]), root);
  assert.equal(r.status, 400);
  const text = JSON.stringify(r.body);
  for (const want of ['firmwareAdvisories', 'SX-1 is given twice', 'not a regular expression', 'severity']) assert.ok(text.includes(want), `${want} in ${text}`);
  assert.deepEqual(await advisories(), [{ ...SX1, severity: 'high' }], 'nothing applied');
});
