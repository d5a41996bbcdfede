/**
 * Support case 7 replayed: igo's August with Xiaoju. 32 of our orders are not in the partner's
 * statement (start timeouts before the fix), 2 differ in energy beyond tolerance, 2 carry negative
 * amounts in our own records. The run reports exactly that, with the hints, and closes once every
 * item is resolved. Also: the period edge (sessions crossing midnight at the month's ends), matching
 * by connector + time, XLSX import and export, bad statements, check_charge_orders as the source.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { CHARGER, XIAOJU, CEC, roamingDoc, startPartners } from '../roaming/setup.ts';
import type { FakePartner } from '../roaming/fake-partner.ts';
import { csv, orderNoAt, seedPartnerOrders, statementLine, type SeedOrder } from './seed.ts';

let p: TestPlatform;
let fx: { xiaoju: FakePartner; cec: FakePartner };
let admin: string;
let staff: string;
const AUG = { from: '2026-08-01T00:00:00+08:00', to: '2026-09-01T00:00:00+08:00' };
const DAY = 86_400_000;
const augStart = Date.parse(AUG.from);
let k = 0;
const seq = (partner = XIAOJU) => `${partner}${1785000000000 + ++k}${String(k).padStart(5, '0')}`;

function order(start: number, minutes: number, extra: Partial<SeedOrder> = {}): SeedOrder {
  const s = new Date(start);
  const wh = 10_000 + (k % 7) * 1_111;
  return { seq: seq(), orderNo: orderNoAt(s), chargerId: CHARGER, gun: 1 + (k % 2), start: s, end: new Date(start + minutes * 60_000), wh, elecFen: Math.round(wh * 0.07), serviceFen: Math.round(wh * 0.08), ...extra };
}

async function waitRun(id: number, token = admin) {
  for (let i = 0; i < 400; i++) {
    const r = await p.api('GET', `/api/v1/reconciliations/${id}?limit=1000`, undefined, token);
    if (r.body.status !== 'running') return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`run ${id} still running`);
}

const month: SeedOrder[] = [];
let edgeIn: SeedOrder;
let edgeOut: SeedOrder;
let timeouts: SeedOrder[];
let energy: SeedOrder[];
let negative: SeedOrder[];

before(async () => {
  fx = await startPartners();
  p = await startTestPlatform({ provisioning: roamingDoc({ xiaoju: fx.xiaoju.url, cec: fx.cec.url }), timeScale: 0.01 });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  staff = await p.login('op1-staff', 'op1-staff-pass');
  // 120 orders over August, 4 a day
  for (let i = 0; i < 120; i++) month.push(order(augStart + Math.floor(i / 4) * DAY + (i % 4) * 5 * 3_600_000 + 3_600_000, 45));
  // 32 the partner never recorded: 28 whose start was never confirmed (start timeout) and 4 without a session story
  timeouts = month.slice(0, 28).map((o) => Object.assign(o, { confirmed: false, pushed: false, autoStopReason: 'the partner did not confirm notification_start_charge_result within 60 s' }));
  month.slice(28, 32).forEach((o) => (o.pushed = false));
  energy = month.slice(40, 42);
  negative = month.slice(50, 52).map((o) => Object.assign(o, { elecFen: -o.elecFen }));
  // the period edge: crossing midnight into August (belongs to August) and into September (does not)
  edgeIn = order(augStart - 30 * 60_000, 40);
  edgeOut = order(Date.parse(AUG.to) - 20 * 60_000, 40);
  await p.ctx.db.tx((q) => seedPartnerOrders(q, 'op1', XIAOJU, [...month, edgeIn, edgeOut]));
});
after(async () => {
  await p?.close();
  await fx?.xiaoju.close();
  await fx?.cec.close();
});

function augustStatement() {
  return [...month.slice(32), edgeIn].map((o) => {
    if (energy.includes(o)) return statementLine({ ...o, wh: o.wh + 500 });
    if (negative.includes(o)) return statementLine({ ...o, elecFen: -o.elecFen });
    return statementLine(o);
  });
}

test('case 7: 32 missing at the partner (with the start-timeout hint), 2 energy differences, 2 anomalies; resolving every item closes the run', async () => {
  const r = await p.api('POST', '/api/v1/reconciliations', { partnerId: XIAOJU, ...AUG, statement: { format: 'csv', content: csv(augustStatement()) } }, admin);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const run = await waitRun(r.body.id);
  assert.equal(run.status, 'open', JSON.stringify(run.error));
  assert.deepEqual(run.counts, { matched: 85, missing_at_partner: 32, missing_here: 0, energy_mismatch: 2, amount_mismatch: 0, anomaly: 2, duplicate: 0 });
  assert.match(run.periodRule, /ended/);
  const items = run.items as any[];
  assert.equal(items.length, 36);
  const missing = items.filter((i) => i.class === 'missing_at_partner');
  assert.deepEqual(missing.map((i) => i.startChargeSeq).sort(), month.slice(0, 32).map((o) => o.seq).sort());
  for (const i of missing) {
    const codes = i.hints.map((h: any) => h.code);
    const wasTimeout = timeouts.some((o) => o.seq === i.startChargeSeq);
    assert.equal(codes.includes('start_not_confirmed'), wasTimeout, `${i.startChargeSeq}: ${codes}`);
    if (wasTimeout) assert.ok(codes.includes('stopped_unconfirmed_start'));
    else assert.ok(codes.includes('never_pushed'), codes.join());
  }
  const en = items.filter((i) => i.class === 'energy_mismatch');
  assert.deepEqual(en.map((i) => i.startChargeSeq).sort(), energy.map((o) => o.seq).sort());
  const meter = en[0].hints.find((h: any) => h.code === 'meter_differs');
  assert.ok(meter, 'the partner’s energy differs from the meter readings');
  const eo = energy.find((o) => o.seq === en[0].startChargeSeq)!;
  assert.deepEqual([meter.partnerWh, meter.meterWh], [eo.wh + 500, eo.wh]);
  const an = items.filter((i) => i.class === 'anomaly');
  assert.deepEqual(an.map((i) => i.startChargeSeq).sort(), negative.map((o) => o.seq).sort());
  assert.match(an[0].reasons.join(), /ours: negative elecFen/);
  assert.ok(!items.some((i) => i.startChargeSeq === edgeOut.seq), 'a session ending in September is not in August');
  assert.equal(run.stakeBeforeAmount, run.stakeAfterAmount);

  // resolve: the 32 re-pushed, the rest written off with a note; the run closes
  for (const i of items) {
    const action = i.class === 'missing_at_partner' ? 'repush' : 'write_off';
    const res = await p.api('POST', `/api/v1/reconciliations/${run.id}/items/${i.id}/resolve`, { action, note: `case 7: ${action}` }, staff);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.item.resolution.by, 'op1-staff');
  }
  const again = await p.api('POST', `/api/v1/reconciliations/${run.id}/items/${items[0].id}/resolve`, { action: 'write_off', note: 'twice' }, staff);
  assert.equal(again.status, 409);
  // the matched items (stored apart, migration 0886) are listed with the rest and need no resolution
  const matched = (await p.api('GET', `/api/v1/reconciliations/${run.id}?class=matched&limit=1000`, undefined, admin)).body.items as any[];
  assert.equal(matched.length, 85);
  assert.equal(new Set([...matched, ...items].map((i) => i.id)).size, 85 + 36, 'one id per item across both tables');
  assert.ok(matched.every((i) => i.class === 'matched' && i.orderNo && i.startChargeSeq && i.ours && i.theirs && i.stakeAmount === '0.00'), JSON.stringify(matched[0]));
  const noNeed = await p.api('POST', `/api/v1/reconciliations/${run.id}/items/${matched[0].id}/resolve`, { action: 'write_off', note: 'matched' }, staff);
  assert.equal(noNeed.status, 409);
  assert.match(noNeed.body.error.message, /matched item needs no resolution/);
  const closed = (await p.api('GET', `/api/v1/reconciliations/${run.id}`, undefined, admin)).body;
  assert.equal(closed.status, 'closed');
  assert.equal(closed.stakeAfterAmount, '0.00');
  assert.notEqual(closed.stakeBeforeAmount, '0.00');
  const pushes = await p.ctx.db.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'roaming.order' AND dedupe_key LIKE $1`, [`%:recon:${run.id}:%`]);
  assert.equal(pushes.rows[0].n, 32, 'each re-push is an outbox row');
});

test('rows without StartChargeSeq match by connector + start time within 2 minutes; duplicates and missing_here', async () => {
  const [a, b, c] = month.slice(60, 63);
  const lines = [
    statementLine({ ...a, start: new Date(a.start.getTime() + 90_000) }, { noSeq: true }),
    statementLine(b),
    statementLine(b),
    statementLine({ ...c, seq: seq() }),
  ];
  const from = new Date(a.start.getTime() - 3_600_000).toISOString();
  const to = new Date(c.end.getTime() + 3_600_000).toISOString();
  const r = await p.api('POST', '/api/v1/reconciliations', { partnerId: XIAOJU, from, to, statement: { format: 'csv', content: csv(lines) } }, admin);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const run = await waitRun(r.body.id);
  assert.deepEqual(run.counts, { matched: 1, missing_at_partner: 1, missing_here: 1, energy_mismatch: 0, amount_mismatch: 0, anomaly: 0, duplicate: 1 });
  const matched = (await p.api('GET', `/api/v1/reconciliations/${run.id}?class=matched`, undefined, admin)).body.items;
  assert.deepEqual(matched.map((i: any) => i.orderNo), [a.orderNo]);
});

test('XLSX statement in, CSV and XLSX export out', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('对账');
  ws.addRow(['StartChargeSeq', 'ConnectorID', 'StartTime', 'EndTime', 'TotalPower', 'TotalElecMoney', 'TotalServiceMoney', 'TotalMoney']);
  const days = month.filter((o) => o.start.getTime() >= augStart + 20 * DAY && o.end.getTime() < augStart + 22 * DAY);
  for (const o of days) ws.addRow(statementLine(o));
  const from = new Date(augStart + 20 * DAY).toISOString();
  const to = new Date(augStart + 22 * DAY).toISOString();
  const content = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
  const r = await p.api('POST', '/api/v1/reconciliations', { partnerId: XIAOJU, from, to, statement: { format: 'xlsx', content } }, admin);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const run = await waitRun(r.body.id);
  assert.equal(run.counts.matched, days.length);
  assert.equal(run.status, 'closed', 'nothing to resolve');
  const c = await fetch(`${p.url}/api/v1/reconciliations/${run.id}/export?format=csv`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(c.status, 200);
  const text = await c.text();
  assert.equal(text.trim().split('\n').length, days.length + 1);
  assert.match(text, new RegExp(days[0].seq));
  const x = await fetch(`${p.url}/api/v1/reconciliations/${run.id}/export?format=xlsx`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(x.status, 200);
  const back = new ExcelJS.Workbook();
  await back.xlsx.load(Buffer.from(await x.arrayBuffer()) as any);
  assert.equal(back.worksheets[0].rowCount, days.length + 1);
  assert.equal(back.worksheets[0].getRow(2).getCell(2).value, 'matched');
});

test('bad statements are refused with row and column, and nothing is stored', async () => {
  const before = (await p.ctx.db.query(`SELECT count(*)::int AS n FROM recon_runs`)).rows[0].n;
  const o = month[70];
  const bad = csv([statementLine(o), ['', '', '2026-08-10 10:00:00', '2026-08-10 11:00:00', 'x', '1', '1', '2'], statementLine({ ...o, seq: seq(CEC) }), statementLine({ ...o, end: new Date(Date.parse('2026-10-01T00:00:00Z')) })]);
  const r = await p.api('POST', '/api/v1/reconciliations', { partnerId: XIAOJU, ...AUG, statement: { format: 'csv', content: bad } }, admin);
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'bad_statement');
  const probs = r.body.error.details.problems.map((x: any) => `${x.row}:${x.column}`);
  assert.deepEqual(probs, ['3:TotalPower', '3:StartChargeSeq', '4:StartChargeSeq', '5:EndTime']);
  const unknown = await p.api('POST', '/api/v1/reconciliations', { partnerId: XIAOJU, ...AUG, statement: { format: 'csv', content: 'StartChargeSeq,Foo\n' } }, admin);
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error.message, /Foo|missing column/);
  const notXlsx = await p.api('POST', '/api/v1/reconciliations', { partnerId: XIAOJU, ...AUG, statement: { format: 'xlsx', content: 'bm90IGEgemlw' } }, admin);
  assert.equal(notXlsx.status, 400, JSON.stringify(notXlsx.body));
  const nobody = await p.api('POST', '/api/v1/reconciliations', { partnerId: '999999999', ...AUG }, admin);
  assert.equal(nobody.status, 404);
  assert.equal((await p.ctx.db.query(`SELECT count(*)::int AS n FROM recon_runs`)).rows[0].n, before);
});

test('without a statement: the partner’s check_charge_orders answers, day by day (DisputeReason 1 missing, 3 energy)', async () => {
  const day = month.filter((o) => o.end.getTime() >= augStart + 25 * DAY && o.end.getTime() < augStart + 26 * DAY);
  fx.xiaoju.disputes = [
    { StartChargeSeq: day[0].seq, TotalPower: 0, TotalMoney: 0, DisputeReason: 1 },
    { StartChargeSeq: day[1].seq, TotalPower: Number(((day[1].wh + 2000) / 1000).toFixed(2)), TotalMoney: Number(((day[1].elecFen + day[1].serviceFen) / 100).toFixed(2)), DisputeReason: 3 },
  ];
  const r = await p.api('POST', '/api/v1/reconciliations', { partnerId: XIAOJU, from: new Date(augStart + 25 * DAY).toISOString(), to: new Date(augStart + 26 * DAY).toISOString() }, staff);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const run = await waitRun(r.body.id);
  fx.xiaoju.disputes = [];
  assert.equal(run.source, 'check_charge_orders');
  assert.deepEqual(run.counts, { matched: day.length - 2, missing_at_partner: 1, missing_here: 0, energy_mismatch: 1, amount_mismatch: 0, anomaly: 0, duplicate: 0 });
  assert.ok(fx.xiaoju.received.some((x) => x.iface === 'check_charge_orders'));
});

test('the monthly schedule makes last month’s run once per partner, from the 2nd', async () => {
  const { enqueueMonthlyRuns } = await import('../../src/modules/reconciliation/index.ts');
  assert.equal(await enqueueMonthlyRuns(p.ctx, new Date('2026-09-01T12:00:00+08:00')), 0, 'not before the 2nd');
  assert.equal(await enqueueMonthlyRuns(p.ctx, new Date('2026-09-02T03:00:00+08:00')), 2, 'one per partner');
  assert.equal(await enqueueMonthlyRuns(p.ctx, new Date('2026-09-03T03:00:00+08:00')), 0, 'once');
  const runs = (await p.api('GET', `/api/v1/reconciliations?partnerId=${XIAOJU}`, undefined, admin)).body.items;
  const sched = runs.find((x: any) => x.startedBy === 'schedule');
  assert.deepEqual([sched.from, sched.to], ['2026-07-31T16:00:00.000Z', '2026-08-31T16:00:00.000Z']);
});

test('accept the partner’s figure and correct: new order versions through the billing engine, never typed totals', async () => {
  const { loadTariffVersion, priceSession } = await import('../../src/modules/tariffs/index.ts');
  const vid = (await p.ctx.db.query<{ id: number }>(`SELECT id FROM tariff_versions WHERE operator_id = 'op1' ORDER BY id LIMIT 1`)).rows[0].id;
  const tariff = (await loadTariffVersion(p.ctx.db, 'op1', Number(vid)))!;
  const start = augStart + 27 * DAY + 2 * 3_600_000;
  const mk = (wh: number) => {
    const pricing = { tariff, timeZone: 'Asia/Shanghai', startAt: start, endAt: start + 45 * 60_000, meterStartWh: 1_000_000, meterStopWh: 1_000_000 + wh, samples: [] };
    return { pricing, priced: priceSession(pricing) };
  };
  const a = mk(12_000);
  const periods = a.priced.periods;
  const sum = (k: 'electricityFen' | 'serviceFen') => periods.reduce((x, pp) => x + pp[k], 0);
  const o = order(start, 45, { wh: 12_000, elecFen: sum('electricityFen'), serviceFen: sum('serviceFen') });
  const b = order(start + 3_600_000, 45, { wh: 12_000, elecFen: sum('electricityFen'), serviceFen: sum('serviceFen') });
  await p.ctx.db.tx(async (q) => {
    await seedPartnerOrders(q, 'op1', XIAOJU, [o, b]);
    for (const x of [o, b]) {
      const v = mk(12_000);
      v.pricing.startAt = x.start.getTime();
      v.pricing.endAt = x.end.getTime();
      await q.query(`INSERT INTO order_versions (operator_id, order_no, version, source, inputs, priced, total_fen) VALUES ('op1', $1, 1, 'charger', $2, $3, $4)`, [
        x.orderNo,
        JSON.stringify({ pricing: { ...v.pricing, startAt: x.start.getTime(), endAt: x.end.getTime() }, stopReason: 'Remote', ratedPowerW: 60_000 }),
        JSON.stringify(priceSession({ ...v.pricing, startAt: x.start.getTime(), endAt: x.end.getTime() })),
        x.elecFen + x.serviceFen,
      ]);
    }
  });
  const from = new Date(start - 10 * 60_000).toISOString(); // the month's order of 01:00 ended at 01:45
  const to = new Date(start + 3 * 3_600_000).toISOString();
  const lines = [statementLine({ ...o, wh: 12_500 }), statementLine({ ...b, wh: 11_000 })];
  const r = await p.api('POST', '/api/v1/reconciliations', { partnerId: XIAOJU, from, to, statement: { format: 'csv', content: csv(lines) } }, admin);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const run = await waitRun(r.body.id);
  assert.equal(run.counts.energy_mismatch, 2, JSON.stringify(run.counts));
  const itemOf = (x: SeedOrder) => run.items.find((i: any) => i.orderNo === x.orderNo);
  const acc = await p.api('POST', `/api/v1/reconciliations/${run.id}/items/${itemOf(o).id}/resolve`, { action: 'accept_partner', note: 'partner meter is the reference' }, admin);
  assert.equal(acc.status, 200, JSON.stringify(acc.body));
  assert.equal(acc.body.item.resolution.version, 2);
  const v2 = (await p.ctx.db.query(`SELECT energy_wh, version FROM orders WHERE order_no = $1`, [o.orderNo])).rows[0];
  assert.deepEqual([Number(v2.energy_wh), v2.version], [12_500, 2], 'the order now carries the partner’s energy, re-priced');
  const why = (await p.ctx.db.query(`SELECT reason, created_by FROM order_versions WHERE order_no = $1 AND version = 2`, [o.orderNo])).rows[0];
  assert.match(why.reason, /accepted the partner's figure: partner meter is the reference/);
  assert.equal(why.created_by, 'op1-admin');
  const bad = await p.api('POST', `/api/v1/reconciliations/${run.id}/items/${itemOf(b).id}/resolve`, { action: 'correct', note: 'no inputs' }, admin);
  assert.equal(bad.status, 400);
  const cor = await p.api('POST', `/api/v1/reconciliations/${run.id}/items/${itemOf(b).id}/resolve`, { action: 'correct', note: 'meter stop re-read', correction: { meterStopWh: 1_011_000 } }, admin);
  assert.equal(cor.status, 200, JSON.stringify(cor.body));
  assert.equal(Number((await p.ctx.db.query(`SELECT energy_wh FROM orders WHERE order_no = $1`, [b.orderNo])).rows[0].energy_wh), 11_000);
  assert.equal(cor.body.runStatus, 'closed');
});
