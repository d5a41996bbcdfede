// Statements issued on the 1st (issue 17 point 4): the month that ended, once per enterprise, kept as
// issued, listed and downloadable by staff and the enterprise's own admin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Temporal } from 'temporal-polyfill';
import type { TestPlatform } from '../support/platform.ts';
import { statementPlatform, E, P1 } from './support.ts';
import { issueDueStatements } from '../../src/modules/enterprise/index.ts';
import { issueKey, issueStatement } from '../../src/modules/enterprise/issued.ts';

let p: TestPlatform;
let admin: string;
let month: string;
let firstOfNext: Temporal.ZonedDateTime;
let south: number;

before(async () => {
  ({ p, admin, month, south } = await statementPlatform({
    before: async (p, admin) => {
      assert.equal((await p.api('POST', '/api/v1/enterprises', { id: 'beta', name: '京东物流' }, admin)).status, 201);
      assert.equal((await p.api('POST', `${E}/admins`, { username: 'acme-boss', password: 'acme-boss-pass' }, admin)).status, 201);
      assert.equal((await p.api('POST', `/api/v1/enterprises/beta/admins`, { username: 'beta-boss', password: 'beta-boss-pass' }, admin)).status, 201);
    },
  }));
  firstOfNext = Temporal.PlainDate.from(`${month}-01`).add({ months: 1 }).toZonedDateTime({ timeZone: 'Asia/Shanghai' });
});
after(async () => p.close());

const at = (z: Temporal.ZonedDateTime) => new Date(z.epochMilliseconds);

test('on the 1st the month that ended is issued once per enterprise, kept as issued, listed and downloadable', async () => {
  assert.equal(await issueDueStatements(p.ctx, at(firstOfNext.subtract({ minutes: 1 }))), 0, 'not before the month ends (the enterprises are younger than the month before)');
  assert.equal(await issueDueStatements(p.ctx, at(firstOfNext.add({ minutes: 30 }))), 2, 'one per enterprise: acme and beta');
  assert.equal(await issueDueStatements(p.ctx, at(firstOfNext.add({ hours: 5 }))), 0, 'a later tick (or another node) adds nothing');
  const key = issueKey({ operatorId: 'op1', enterpriseId: 'acme', month });
  await p.ctx.outbox.runNow(key);
  await p.ctx.outbox.runNow(issueKey({ operatorId: 'op1', enterpriseId: 'beta', month }));

  const live = (await p.api('GET', `${E}/statement?month=${month}`, undefined, admin)).body;
  const list = await p.api('GET', `${E}/statements`, undefined, admin);
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.items.map((i: any) => [i.month, i.amount, i.sessions, i.corrections, i.lines]),
    [[month, live.totals.amount, live.totals.sessions, live.totals.corrections, live.lines.length]],
  );
  assert.ok(live.lines.length > 0, 'the demo charged the member');
  const issued = await p.api('GET', `${E}/statements/${month}`, undefined, admin);
  assert.deepEqual(issued.body, live, 'issued = the statement of the month');

  // a redelivered job issues nothing again; the document stays as issued after a rename
  const row = (await p.ctx.db.query(`SELECT * FROM outbox WHERE dedupe_key = $1`, [key])).rows[0];
  assert.equal(row.status, 'delivered');
  assert.equal((await p.ctx.db.tx((q) => issueStatement(p.ctx, row, q))).issued, false);
  assert.equal((await p.api('PATCH', `${E}/departments/${south}`, { name: '华南大区' }, admin)).status, 200);
  assert.equal((await p.api('GET', `${E}/statement?month=${month}`, undefined, admin)).body.departments[0].path, '华南大区');
  assert.equal((await p.api('GET', `${E}/statements/${month}`, undefined, admin)).body.departments[0].path, '华南', 'as issued');

  // files of the issued statement
  const pdf = await p.app.inject({ method: 'GET', url: `${E}/statements/${month}?format=pdf`, headers: { authorization: `Bearer ${admin}` } });
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.headers['content-type'], 'application/pdf');
  const csv = await p.api('GET', `${E}/statements/${month}?format=csv`, undefined, admin);
  assert.match(csv.text, new RegExp(`企业合计 Total.*${live.totals.amount.replace('.', '\\.')}`));

  // the enterprise's admin reads its own; another enterprise's admin gets 404
  const boss = await p.login('acme-boss', 'acme-boss-pass');
  assert.equal((await p.api('GET', `${E}/statements`, undefined, boss)).body.items.length, 1);
  assert.equal((await p.api('GET', `${E}/statements/${month}?format=xlsx`, undefined, boss)).status, 200);
  const other = await p.login('beta-boss', 'beta-boss-pass');
  assert.equal((await p.api('GET', `${E}/statements/${month}`, undefined, other)).status, 404);
  assert.equal((await p.api('GET', `/api/v1/enterprises/beta/statements`, undefined, other)).body.items[0].amount, '0.00', 'beta: an empty month is issued too');
  // a month not issued yet
  const none = await p.api('GET', `${E}/statements/2001-01`, undefined, admin);
  assert.equal(none.status, 404);
  assert.match(none.body.error.message, /issued on the 1st/);
});
