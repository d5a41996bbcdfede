import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { TestPlatform } from '../support/platform.ts';
import { statementPlatform, E, P1 } from './support.ts';
import { adjustForOrder } from '../../src/modules/wallet/index.ts';

let p: TestPlatform;
let admin: string;
let month: string;

before(async () => {
  ({ p, admin, month } = await statementPlatform({ nested: true }));
});
after(async () => p.close());

test('the statement: one line per order and per correction, 尖峰平谷 parts, totals equal the ledger', async () => {
  const [o] = (await p.ctx.db.query<{ order_no: string; version: number }>(`SELECT order_no, version FROM orders WHERE driver_phone = $1 AND status = 'settled' ORDER BY id LIMIT 1`, [P1])).rows;
  assert.ok(o, 'the demo settled an order of the member');
  // a correction booked as its own ledger transaction (version 2 need not exist: its split is then "other")
  await p.ctx.db.tx((q) => adjustForOrder(q, { operatorId: 'op1', phone: P1, orderNo: o.order_no, version: o.version + 1, deltaFen: -123, remark: 'statement test' }));
  const st = await p.api('GET', `${E}/statement?month=${month}`, undefined, admin);
  assert.equal(st.status, 200, JSON.stringify(st.body).slice(0, 300));
  const ledger = await p.ctx.db.query<{ n: number; fen: number }>(
    `SELECT COUNT(*)::int AS n, COALESCE(SUM((meta->>'amountFen')::bigint), 0)::bigint AS fen FROM ledger_transactions WHERE meta->>'enterpriseId' = 'acme' AND cause IN ('order', 'correction')`,
  );
  const fen = (s: string) => Math.round(Number(s) * 100); // test-side check only
  assert.equal(st.body.lines.length, ledger.rows[0].n);
  assert.equal(fen(st.body.totals.amount), Number(ledger.rows[0].fen), 'statement total = the ledger');
  assert.equal(st.body.lines.reduce((s: number, l: any) => s + fen(l.amount), 0), fen(st.body.totals.amount), 'total = Σ lines');
  const corr = st.body.lines.filter((l: any) => l.kind === 'correction');
  assert.deepEqual(corr.map((l: any) => [l.orderNo, l.amount]), [[o.order_no, '-1.23']]);
  const orders = st.body.lines.filter((l: any) => l.kind === 'order');
  assert.ok(orders.some((l: any) => fen(l.peak) + fen(l.flat) + fen(l.valley) + fen(l.sharp) > 0), 'period amounts are split');
  for (const l of st.body.lines) assert.equal(['sharp', 'peak', 'flat', 'valley', 'idleFee', 'other'].reduce((s, k) => s + fen(l[k]), 0), fen(l.amount), `parts of ${l.orderNo}`);
  assert.deepEqual(st.body.departments.map((d: any) => d.path), ['华南 / 深圳']);
  assert.equal(st.body.totals.sessions, orders.length);

  const csv = await p.api('GET', `${E}/statement/export?month=${month}&format=csv`, undefined, admin);
  assert.equal(csv.status, 200);
  assert.match(csv.text, /更正/);
  assert.match(csv.text, new RegExp(`企业合计 Total.*${st.body.totals.amount.replace('.', '\\.')}`));
  const x = await p.app.inject({ method: 'GET', url: `${E}/statement/export?month=${month}&format=xlsx`, headers: { authorization: `Bearer ${admin}` } });
  assert.equal(x.statusCode, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(x.rawPayload as any);
  const ws = wb.worksheets[0];
  assert.equal(ws.rowCount, 1 + 1 + st.body.lines.length + st.body.departments.length + 1);
});
