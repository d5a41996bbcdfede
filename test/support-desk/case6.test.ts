/**
 * Case 6 of the operator's log (igo_case#6_20190923) rebuilt from the demo: the demo holds the
 * case-6 session (永湖站, 18475511853, charger 44030700030000200016 gun 1, 2019-09-20 14:40:44 →
 * 15:43:49, 25.37 kWh, 39.57 yuan, order 20190920144024840824); a case made from that order on
 * 2019-09-23 and exported as Markdown reproduces the log's case-6 block field by field.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { loadCase6Session, loadSupportDemo } from '../../src/modules/support/demo.ts';
import { parseCaseBlock } from '../../src/modules/support/case-log.ts';
import { FIELDS } from '../../src/modules/support/case-format.ts';
import { addUsers } from './setup.ts';

const seed = parseCaseBlock(readFileSync(new URL('./case6-seed.txt', import.meta.url), 'utf8'));
const demoDoc = () => JSON.parse(readFileSync(new URL('../../examples/demo.json', import.meta.url), 'utf8'));
const ORDER = '20190920144024840824';

let p: TestPlatform;
let admin: string;
let staff: string;
before(async () => {
  const doc = demoDoc();
  const u = addUsers(doc);
  // the support desk on 2019-09-23, the day the case was written down
  p = await startTestPlatform({ provisioning: doc, clock: new FakeClock('2019-09-23T10:00:00+08:00', { ticking: true }) });
  assert.equal(await loadCase6Session(p, doc), ORDER);
  admin = await p.login(u.admin.username, u.admin.password);
  staff = await p.login(u.staff.username, u.staff.password);
});
after(async () => p?.close());

function assertLikeTheLog(md: string) {
  const ours = parseCaseBlock(md);
  assert.equal(ours.caseNo, seed.caseNo);
  for (const [k, label] of FIELDS) assert.equal(ours.fields[k], seed.fields[k], `${label} (${k})`);
  assert.equal(ours.description, seed.description);
  assert.deepEqual(ours.analysis, seed.analysis);
  assert.equal(ours.status, seed.status);
  assert.deepEqual(ours.assignees, seed.assignees);
}

test('the demo holds the case-6 session as the log describes it', async () => {
  const o = await p.api('GET', `/api/v1/orders/${ORDER}`, undefined, admin);
  assert.equal(o.status, 200, JSON.stringify(o.body));
  assert.equal(o.body.stationName, '永湖站');
  assert.equal(o.body.chargerId, '44030700030000200016');
  assert.equal(o.body.connectorId, 1);
  assert.equal(o.body.startTime, '2019-09-20T06:40:44.000Z');
  assert.equal(o.body.endTime, '2019-09-20T07:43:49.000Z');
  assert.equal(o.body.energyKwh, '25.37');
  assert.equal(o.body.totalAmount, '39.57');
  assert.equal(o.body.driver.phone, '18475511853');
  assert.equal(o.body.status, 'settled');
});

test('a case made from the order on 2019-09-23 (the sixth of the operator) exports as the log’s case-6 block', async () => {
  for (let i = 1; i <= 5; i++) assert.equal((await p.api('POST', '/api/v1/support/cases', { description: `earlier case ${i}` }, staff)).status, 201);
  const c = await p.api(
    'POST',
    '/api/v1/support/cases',
    {
      orderNo: ORDER,
      description: '因异常账单通过人工修正后,占桩费显示并不正确。',
      analysis: [{ author: '令狐充', text: '异常账单那个总金额是正确的,修复后占桩费显示异常明天会更新一下' }],
      assignees: ['何倩怡'],
      status: 'in_progress',
    },
    staff,
  );
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal(c.body.caseNo, 'igo_case#6_20190923');
  assert.equal(c.body.fields.phone, '184****1853', 'staff see the phone masked');
  // the operator admin may reveal: the export shows the full number (and counts as a reveal)
  const res = await fetch(`${p.url}/api/v1/support/cases/${c.body.id}/export?format=md`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/markdown/);
  assert.match(res.headers.get('content-disposition') ?? '', /igo_case%236_20190923\.md/);
  assertLikeTheLog(await res.text());
  const reveals = await p.api('GET', '/api/v1/support/reveals', undefined, admin);
  assert.deepEqual(
    reveals.body.items.map((r: any) => [r.actor, r.phone, r.via, r.caseId]),
    [[addUsersName(admin), '18475511853', 'case_export', c.body.id]],
  );
});

// the admin's username from the token (the test made it)
function addUsersName(token: string) {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).sub;
}

test('the demo itself loads the log’s nine cases; its case 6 exports as the log’s block', async () => {
  const doc = demoDoc();
  const u = addUsers(doc, 'sd2');
  const q = await startTestPlatform({ provisioning: doc });
  try {
    const out = await loadSupportDemo(q, doc);
    assert.deepEqual(out, { orderNo: ORDER, cases: 9 });
    const t = await q.login(u.admin.username, u.admin.password);
    const list = await q.api('GET', '/api/v1/support/cases?pageSize=20', undefined, t);
    assert.deepEqual(
      list.body.items.map((x: any) => x.caseNo),
      [9, 8, 7, 6, 5, 4, 3, 2, 1].map((n) => `igo_case#${n}_${{ 1: '20190830', 2: '20190826', 3: '20190913', 4: '20190919', 5: '20190919', 6: '20190923', 7: '20190923', 8: '20190923', 9: '20190921' }[n]}`),
    );
    const six = list.body.items.find((x: any) => x.caseNo === 'igo_case#6_20190923');
    const md = await fetch(`${q.url}/api/v1/support/cases/${six.id}/export?format=md`, { headers: { authorization: `Bearer ${t}` } });
    assertLikeTheLog(await md.text());
  } finally {
    await q.close();
  }
});
