/**
 * The set-based run (sql-match.ts inside execute.ts) against the spec (match.reconcile): random months
 * with every kind of difference — StartChargeSeqs shared, doubled or missing on either side, rows
 * without one (connector + time), negative figures, details or parts that do not add up, figures on
 * and just past the tolerances — give exactly the items of `reconcile` over the whole month.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import type { Db } from '../../platform/db/index.ts';
import type { Ctx } from '../../platform/context.ts';
import { connectorCode } from '../roaming/index.ts';
import { executeRun, loadOurs } from './execute.ts';
import { reconcile, summarize, type Rec } from './match.ts';
import { createRun, savePartnerSettings } from './runs.ts';
import { claimPart, stageRows } from './stage.ts';

const FROM = new Date('2026-08-01T00:00:00+08:00');
const TO = new Date('2026-09-01T00:00:00+08:00');
let db: Db;
let ctx: Ctx;
before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
  const silent = { info() {}, warn() {}, error() {}, debug() {} };
  ctx = { db, clock: { now: () => TO.getTime() + 86_400_000, date: () => new Date(TO.getTime() + 86_400_000) }, log: silent } as unknown as Ctx;
});
after(async () => db?.close());

const figures = fc.record({ wh: fc.integer({ min: -20, max: 20 }), elec: fc.integer({ min: -3, max: 12 }), serv: fc.integer({ min: -3, max: 12 }) });
const order = fc.record({
  // a few shared: the same StartChargeSeq twice here
  seq: fc.integer({ min: 0, max: 24 }),
  charger: fc.integer({ min: 0, max: 1 }),
  gun: fc.integer({ min: 1, max: 2 }),
  startMin: fc.integer({ min: 0, max: 12 }),
  f: figures,
  // priced periods: none, adding up, or off by one somewhere
  periods: fc.constantFrom('none', 'ok', 'off'),
  // now and then the previous order again, figures and all: a duplicate each of whose pairs passes
  twin: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
const row = fc.record({
  // mostly the order it copies; or another StartChargeSeq (maybe none of ours), or none (connector + time)
  seq: fc.oneof({ weight: 6, arbitrary: fc.constant('same' as const) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 }) }, { weight: 1, arbitrary: fc.constant(undefined) }),
  charger: fc.integer({ min: 0, max: 1 }),
  gun: fc.integer({ min: 1, max: 2 }),
  startMin: fc.integer({ min: 0, max: 12 }),
  startSec: fc.integer({ min: -40, max: 40 }),
  // the partner's figures: ours nudged, or absent parts, or parts that do not add up
  dWh: fc.integer({ min: -12, max: 12 }),
  dElec: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) }),
  dServ: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) }),
  parts: fc.constantFrom('both', 'both', 'none', 'elec', 'bad'),
  wh: figures,
  // now and then the previous row again: the partner's duplicate, each of whose pairs passes
  twin: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
const month = fc.record({
  orders: fc.array(order, { maxLength: 14 }),
  rows: fc.array(row, { maxLength: 16 }),
  tol: fc.record({ energyWh: fc.integer({ min: 0, max: 10 }), moneyFen: fc.integer({ min: 0, max: 1 }) }),
  partRows: fc.integer({ min: 2, max: 30 }),
});

let runNo = 0;
const seen = new Set<string>();
let orderNo = 0;
const key = (c: string, seq: unknown, no: unknown, ow: unknown, of: unknown, tw: unknown, tf: unknown, stake: unknown) => [c, seq, no, ow, of, tw, tf, stake].map((v) => (v === null || v === undefined ? '' : String(v))).join('|');

test('a run stores exactly the items of reconcile (random months, both databases)', async () => {
  await fc.assert(
    fc.asyncProperty(month, async (m) => {
      const partner = `P${String(++runNo).padStart(8, '0')}`;
      const seqOf = (k: number) => `${partner}S${String(k).padStart(6, '0')}`;
      const chargerOf = (c: number) => `44030700030000200${String(c).padStart(3, '0')}`;
      const at = (min: number, sec = 0) => FROM.getTime() + 3 * 86_400_000 + min * 60_000 + sec * 1000;
      const ours: { seq: string; charger: string; gun: number; start: number; wh: number; elec: number; serv: number }[] = [];
      const drawn: (typeof m.orders)[number][] = [];
      for (const [k, o0] of m.orders.entries()) {
        const o = o0.twin && k > 0 ? drawn[k - 1] : o0;
        drawn.push(o);
        const [wh, elec, serv] = [1000 + o.f.wh * 5, 100 + o.f.elec, 50 + o.f.serv].map((v, i) => (i === 0 && o.f.wh < -15 ? -v : v));
        const periods = o.periods === 'none' ? [] : [{ wh: wh - 400, electricityFen: elec - 40, serviceFen: serv - 20 }, { wh: 400 + (o.periods === 'off' ? 1 : 0), electricityFen: 40, serviceFen: 20 }];
        const x = { seq: seqOf(o.seq), charger: chargerOf(o.charger), gun: o.gun, start: at(o.startMin), wh, elec: o.f.elec < -2 ? -elec : elec, serv };
        ours.push(x);
        await db.query(
          `INSERT INTO orders (operator_id, order_no, session_id, charger_id, connector_id, origin, auth_method, partner_id, partner_order_no, payment_method, status,
             start_time, end_time, energy_wh, electricity_fen, service_fen, total_fen, periods)
           VALUES ('op1', $1, $2, $3, $4, 'partner', 'partner', $5, $6, 'partner', 'settled', $7, $8, $9, $10, $11, $12, $13)`,
          [`R${String(++orderNo).padStart(19, '0')}`, 800_000 + orderNo, x.charger, x.gun, partner, x.seq, new Date(x.start), new Date(x.start + 2_400_000), x.wh, x.elec, x.serv, x.elec + x.serv, JSON.stringify(periods)],
        );
      }
      const copies: number[] = [];
      const theirs: Rec[] = m.rows.map((r0, i) => {
        const j = r0.twin && i > 0 ? copies[i - 1] : i;
        copies.push(j);
        const r = m.rows[j];
        const base = ours[j]; // row i copies order i (if any), so a pair is mostly one record a side
        const wh = base ? base.wh + r.dWh : 1000 + r.wh.wh;
        const elec = base ? base.elec + r.dElec : 100 + r.wh.elec;
        const serv = base ? base.serv + r.dServ : 50 + r.wh.serv;
        const seq = r.seq === 'same' ? (base?.seq ?? seqOf(40 + j)) : r.seq === undefined ? undefined : seqOf(r.seq);
        const rec: Rec = { seq, connector: connectorCode(chargerOf(r.charger), r.gun), startMs: at(r.startMin, r.startSec), wh, totalFen: elec + serv, row: i + 2 };
        rec.endMs = rec.startMs! + 2_400_000;
        if (r.parts !== 'none') rec.elecFen = elec - (r.parts === 'bad' ? 1 : 0); // bad: the parts do not add up to the total
        if (r.parts === 'both' || r.parts === 'bad') rec.serviceFen = serv;
        return rec;
      });
      await savePartnerSettings(db, 'op1', partner, { tolerance: m.tol }, 'test');
      const run = { id: 0, operator_id: 'op1', partner_id: partner, period_from: FROM, period_to: TO, source: 'statement' as const, status: 'running', parts: null };
      const all = reconcile(await loadOurs(db, run), theirs, m.tol);
      const want = all
        .map((i) => {
          const s = (rs: Rec[], k: 'wh' | 'totalFen') => (rs.length ? rs.reduce((a, r) => a + r[k], 0) : null);
          return key(i.class, i.seq, i.ours[0]?.orderNo, s(i.ours, 'wh'), s(i.ours, 'totalFen'), s(i.theirs, 'wh'), s(i.theirs, 'totalFen'), i.stakeFen);
        })
        .sort();
      const id = await db.tx(async (q) => {
        const id = (await createRun(q, { operatorId: 'op1', partnerId: partner, from: FROM, to: TO, startedBy: 'test', source: 'statement' }))!;
        await stageRows(q, id, theirs);
        await claimPart(q, id, 'stage', 0, theirs.length);
        return id;
      });
      await executeRun(ctx, id, { partRows: m.partRows });
      for (const k of want) seen.add(k.split('|')[0]);
      const got = (
        await db.query<{ class: string; start_charge_seq: string | null; order_no: string | null; ours_wh: string | null; ours_fen: string | null; theirs_wh: string | null; theirs_fen: string | null; stake_fen: string }>(
          `SELECT class, start_charge_seq, order_no, ours_wh, ours_fen, theirs_wh, theirs_fen, stake_fen FROM recon_items_all WHERE run_id = $1`,
          [id],
        )
      ).rows
        .map((x) => key(x.class, x.start_charge_seq, x.order_no, x.ours_wh, x.ours_fen, x.theirs_wh, x.theirs_fen, x.stake_fen))
        .sort();
      assert.deepEqual(got, want);
      // the summary, added up from the parts' sums, is reconcile's over the whole month
      const summary = (await db.query<{ summary: { perClass: unknown } }>(`SELECT summary FROM recon_runs WHERE id = $1`, [id])).rows[0].summary;
      assert.deepEqual(summary.perClass, summarize(all).perClass);
    }),
    { numRuns: 60, seed: 20261206 }, // fixed: every class must show up in the 60 months (unseeded, one run in CI had no amount_mismatch)
  );
  for (const c of ['matched', 'missing_at_partner', 'missing_here', 'energy_mismatch', 'amount_mismatch', 'anomaly', 'duplicate']) assert.ok(seen.has(c), `the random months had a ${c}`);
});
