import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CLASSES, DEFAULT_TOLERANCE, anomalies, classify, reconcile, summarize, type Rec } from './match.ts';

const T0 = Date.parse('2026-08-10T02:00:00Z');
const rec = (seq: string | undefined, wh: number, totalFen: number, extra: Partial<Rec> = {}): Rec => ({ seq, wh, totalFen, connector: 'C01', startMs: T0, ...extra });

test('each class, by example', () => {
  const ours = [rec('A', 10000, 1500), rec('B', 10000, 1500), rec('C', 10000, 1500), rec('D', 10000, 1500), rec('E', 10000, -5), rec('F', 1, 1), rec('F', 1, 1)];
  const theirs = [rec('A', 10005, 1501), rec('C', 10011, 1500), rec('D', 10000, 1502), rec('E', 10000, 1500), rec('F', 1, 1), rec('X', 5, 5)];
  const by = Object.fromEntries(reconcile(ours, theirs).map((i) => [i.seq, i.class]));
  assert.deepEqual(by, { A: 'matched', B: 'missing_at_partner', C: 'energy_mismatch', D: 'amount_mismatch', E: 'anomaly', F: 'duplicate', X: 'missing_here' });
});

test('tolerances are inclusive: 0.01 kWh and 0.01 yuan still match; one more does not', () => {
  assert.equal(classify([rec('A', 1000, 100)], [rec('A', 1010, 101)], DEFAULT_TOLERANCE).class, 'matched');
  assert.equal(classify([rec('A', 1000, 100)], [rec('A', 1011, 100)], DEFAULT_TOLERANCE).class, 'energy_mismatch');
  assert.equal(classify([rec('A', 1000, 100)], [rec('A', 1000, 102)], DEFAULT_TOLERANCE).class, 'amount_mismatch');
  assert.equal(classify([rec('A', 1000, 100)], [rec('A', 1000, 150)], { energyWh: 10, moneyFen: 50 }).class, 'matched');
});

test('priority: duplicate before anomaly before energy before amount', () => {
  const neg = rec('A', 1000, -1);
  assert.equal(classify([neg, rec('A', 1, 1)], [rec('A', 9999, 9)], DEFAULT_TOLERANCE).class, 'duplicate');
  assert.equal(classify([neg], [rec('A', 9999, 9)], DEFAULT_TOLERANCE).class, 'anomaly');
  assert.equal(classify([rec('A', 1000, 100)], [rec('A', 9999, 9)], DEFAULT_TOLERANCE).class, 'energy_mismatch');
});

test('anomalies: negative amounts, parts that do not add up to the total, details that do not add up', () => {
  assert.deepEqual(anomalies(rec('A', 100, 30, { elecFen: 10, serviceFen: 20 })), []);
  assert.match(anomalies(rec('A', 100, 30, { elecFen: -10, serviceFen: 40 }))[0], /negative elecFen/);
  assert.deepEqual(anomalies(rec('A', 100, 31, { elecFen: 10, serviceFen: 20 })), ['electricity + service ≠ total']);
  assert.deepEqual(anomalies(rec('A', 100, 30, { elecFen: 10, serviceFen: 20, details: [{ wh: 60, elecFen: 5, serviceFen: 10 }, { wh: 40, elecFen: 5, serviceFen: 10 }] })), []);
  assert.deepEqual(anomalies(rec('A', 100, 30, { elecFen: 10, serviceFen: 20, details: [{ wh: 60, elecFen: 5, serviceFen: 10 }] })).length, 3);
});

test('rows without StartChargeSeq match by connector and start time within 2 minutes, closest first', () => {
  const ours = [rec('A', 100, 10, { startMs: T0 }), rec('B', 100, 10, { startMs: T0 + 90_000 }), rec('C', 100, 10, { startMs: T0, connector: 'C02' })];
  const theirs = [rec(undefined, 100, 10, { startMs: T0 + 80_000, row: 2 }), rec(undefined, 100, 10, { startMs: T0 + 10_000, row: 3 }), rec(undefined, 100, 10, { startMs: T0 + 121_000, connector: 'C02', row: 4 })];
  const items = reconcile(ours, theirs);
  const pairs = items.filter((i) => i.ours.length && i.theirs.length).map((i) => [i.seq, i.theirs[0].row, i.class]);
  assert.deepEqual(pairs.sort(), [['A', 3, 'matched'], ['B', 2, 'matched']]);
  assert.deepEqual(items.filter((i) => !i.theirs.length).map((i) => i.seq), ['C'], 'C02 started 121 s apart: outside the window');
  assert.deepEqual(items.filter((i) => !i.ours.length).map((i) => [i.class, i.theirs[0].row]), [['missing_here', 4]]);
});

const arbRec = (seqs: string[]) =>
  fc.record({
    seq: fc.option(fc.constantFrom(...seqs), { nil: undefined }),
    connector: fc.constantFrom('C01', 'C02'),
    startMs: fc.integer({ min: 0, max: 600_000 }).map((d) => T0 + d),
    wh: fc.integer({ min: -5, max: 50_000 }),
    totalFen: fc.integer({ min: -5, max: 10_000 }),
  });
const sides = fc.tuple(fc.array(arbRec(['A', 'B', 'C', 'D', 'E']), { maxLength: 12 }), fc.array(arbRec(['A', 'B', 'C', 'F', 'G']), { maxLength: 12 }));
// ours always carry a StartChargeSeq (every partner order has one)
const withSeq = (rs: Rec[]) => rs.map((r, i) => ({ ...r, seq: r.seq ?? `O${i}` }));

test('property: every record lands in exactly one item; one item per StartChargeSeq', () => {
  fc.assert(
    fc.property(sides, ([o, t]) => {
      const ours = withSeq(o);
      const items = reconcile(ours, t);
      const seenO = items.flatMap((i) => i.ours);
      const seenT = items.flatMap((i) => i.theirs);
      assert.equal(seenO.length, ours.length);
      assert.equal(seenT.length, t.length);
      assert.equal(new Set(seenO).size, ours.length);
      assert.equal(new Set(seenT).size, t.length);
      const seqs = items.filter((i) => i.ours.some((r) => r.seq) || i.theirs.some((r) => r.seq)).map((i) => i.seq);
      assert.equal(new Set(seqs).size, seqs.length, 'one item per StartChargeSeq');
      for (const i of items) assert.ok(CLASSES.includes(i.class));
    }),
  );
});

test('property: classes agree with the figures (matched within tolerance, missing one-sided, duplicate only with a repeated seq)', () => {
  fc.assert(
    fc.property(sides, ([o, t]) => {
      for (const i of reconcile(withSeq(o), t)) {
        if (i.class === 'matched') {
          assert.equal(i.ours.length, 1);
          assert.equal(i.theirs.length, 1);
          assert.ok(Math.abs(i.ours[0].wh - i.theirs[0].wh) <= 10 && Math.abs(i.ours[0].totalFen - i.theirs[0].totalFen) <= 1);
          assert.deepEqual(anomalies(i.ours[0]).concat(anomalies(i.theirs[0])), []);
        }
        if (i.class === 'missing_at_partner') assert.deepEqual([i.ours.length, i.theirs.length], [1, 0]);
        if (i.class === 'missing_here') assert.deepEqual([i.ours.length, i.theirs.length], [0, 1]);
        if (i.class === 'duplicate') assert.ok(i.ours.length > 1 || i.theirs.length > 1);
        else assert.ok(i.ours.length <= 1 && i.theirs.length <= 1);
        if (i.ours.length && i.theirs.length && !i.theirs[0].seq) assert.ok(Math.abs(i.ours[0].startMs! - i.theirs[0].startMs!) <= 120_000);
      }
    }),
  );
});

test('property: swapping the sides swaps missing_at_partner and missing_here and keeps the rest', () => {
  fc.assert(
    fc.property(sides, ([o, t]) => {
      const ours = withSeq(o);
      const theirs = withSeq(t.map((r) => ({ ...r, seq: r.seq ? `T${r.seq}` : undefined }))).map((r, i) => ({ ...r, seq: i % 2 ? r.seq : ours[i]?.seq ?? r.seq }));
      const count = (items: ReturnType<typeof reconcile>) => summarize(items).counts;
      const a = count(reconcile(ours, theirs));
      const b = count(reconcile(theirs, ours));
      assert.deepEqual({ ...a, missing_at_partner: a.missing_here, missing_here: a.missing_at_partner }, b);
    }),
  );
});

test('property: the summary adds up (counts = items, per-class sums = totals, stake = Σ |ours − theirs|)', () => {
  fc.assert(
    fc.property(sides, ([o, t]) => {
      const ours = withSeq(o);
      const items = reconcile(ours, t);
      const s = summarize(items);
      assert.equal(Object.values(s.counts).reduce((a, b) => a + b, 0), items.length);
      assert.equal(CLASSES.reduce((a, c) => a + s.perClass[c].oursFen, 0), ours.reduce((a, r) => a + r.totalFen, 0));
      assert.equal(CLASSES.reduce((a, c) => a + s.perClass[c].theirsFen, 0), t.reduce((a, r) => a + r.totalFen, 0));
      assert.ok(s.stakeFen >= Math.abs(ours.reduce((a, r) => a + r.totalFen, 0) - t.reduce((a, r) => a + r.totalFen, 0)));
    }),
  );
});
