import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkPosting, settleAgainst, stopMarginFen, mustStop, type AccountState, type EntryInput } from './ledger-core.ts';

/** An in-memory ledger that applies postings only through checkPosting, as the database code does. */
class ModelLedger {
  accounts = new Map<string, AccountState>();
  txs: EntryInput[][] = [];
  constructor() {
    for (const w of ['w1', 'w2']) this.accounts.set(w, { balanceFen: 0, floorFen: 0 });
    this.accounts.set('ent', { balanceFen: 0, floorFen: -5000 });
    for (const k of ['clearing', 'revenue', 'refunds', 'adjustments', 'receivable']) this.accounts.set(k, { balanceFen: 0, floorFen: null });
  }
  post(entries: EntryInput[]): boolean {
    const r = checkPosting(entries, this.accounts);
    if (!r.ok) return false;
    for (const [k, b] of r.after) this.accounts.get(k)!.balanceFen = b;
    this.txs.push(entries);
    return true;
  }
  bal = (k: string) => this.accounts.get(k)!.balanceFen;
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('topup' as const), w: fc.constantFrom('w1', 'w2'), fen: fc.integer({ min: 1, max: 100_000 }) }),
  fc.record({ kind: fc.constant('order' as const), w: fc.constantFrom('w1', 'w2', 'ent'), fen: fc.integer({ min: 0, max: 100_000 }) }),
  fc.record({ kind: fc.constant('refund' as const), w: fc.constantFrom('w1', 'w2'), fen: fc.integer({ min: 1, max: 100_000 }) }),
  fc.record({ kind: fc.constant('manual' as const), w: fc.constantFrom('w1', 'w2', 'ent'), fen: fc.integer({ min: -100_000, max: 100_000 }).filter((n) => n !== 0) }),
);

function apply(l: ModelLedger, o: any) {
  switch (o.kind) {
    case 'topup':
      return l.post([{ account: o.w, amountFen: o.fen }, { account: 'clearing', amountFen: -o.fen }]);
    case 'refund': // may be refused: more than the balance
      return l.post([{ account: o.w, amountFen: -o.fen }, { account: 'refunds', amountFen: o.fen }]);
    case 'manual':
      return l.post([{ account: o.w, amountFen: o.fen }, { account: 'adjustments', amountFen: -o.fen }]);
    case 'order': {
      const a = l.accounts.get(o.w)!;
      const s = settleAgainst(o.fen, a.balanceFen, a.floorFen);
      const es: EntryInput[] = [{ account: 'revenue', amountFen: o.fen }];
      if (s.chargedFen) es.push({ account: o.w, amountFen: -s.chargedFen });
      if (s.shortfallFen) es.push({ account: 'receivable', amountFen: -s.shortfallFen });
      if (o.fen === 0) return true;
      assert.ok(l.post(es), 'a settlement never fails');
      return true;
    }
  }
}

test('property: every transaction balances, a balance is the sum of its entries, no wallet goes below its floor', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const l = new ModelLedger();
      for (const o of ops) apply(l, o);
      for (const t of l.txs) {
        assert.ok(t.length >= 2);
        assert.equal(t.reduce((s, e) => s + e.amountFen, 0), 0);
      }
      for (const [k, a] of l.accounts) {
        const sum = l.txs.flat().filter((e) => e.account === k).reduce((s, e) => s + e.amountFen, 0);
        assert.equal(a.balanceFen, sum, `account ${k}`);
        if (a.floorFen !== null) assert.ok(a.balanceFen >= a.floorFen, `${k} at ${a.balanceFen}`);
      }
      assert.equal([...l.accounts.values()].reduce((s, a) => s + a.balanceFen, 0), 0, 'the whole ledger sums to zero');
    }),
    { numRuns: 300 },
  );
});

test('property: a settlement charges what is available and books the rest as a shortfall', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e7 }), fc.integer({ min: -1e6, max: 1e7 }), fc.option(fc.integer({ min: -1e6, max: 0 })), (amount, bal, floor) => {
      const s = settleAgainst(amount, bal, floor);
      assert.equal(s.chargedFen + s.shortfallFen, Math.max(0, amount));
      assert.ok(s.chargedFen >= 0 && s.shortfallFen >= 0);
      if (floor !== null && s.chargedFen > 0) assert.ok(bal - s.chargedFen >= floor);
      if (floor !== null && s.shortfallFen > 0) assert.equal(bal - s.chargedFen, Math.min(bal, floor));
    }),
  );
});

test('checkPosting refuses unbalanced, single-entry, zero and fractional postings and debits below the floor', () => {
  const b = new Map<string, AccountState>([['w', { balanceFen: 100, floorFen: 0 }]]);
  assert.equal(checkPosting([{ account: 'w', amountFen: 1 }], b).ok, false);
  const r1 = checkPosting([{ account: 'w', amountFen: 1 }, { account: 'x', amountFen: -2 }], b);
  assert.ok(!r1.ok && r1.code === 'unbalanced');
  const r2 = checkPosting([{ account: 'w', amountFen: 0 }, { account: 'x', amountFen: 0 }], b);
  assert.ok(!r2.ok && r2.code === 'bad_amount');
  const r3 = checkPosting([{ account: 'w', amountFen: 0.5 }, { account: 'x', amountFen: -0.5 }], b);
  assert.ok(!r3.ok && r3.code === 'bad_amount');
  const r4 = checkPosting([{ account: 'w', amountFen: -101 }, { account: 'x', amountFen: 101 }], b);
  assert.ok(!r4.ok && r4.code === 'below_floor' && r4.account === 'w');
  const r5 = checkPosting([{ account: 'w', amountFen: -100 }, { account: 'x', amountFen: 100 }], b);
  assert.ok(r5.ok && r5.after.get('w') === 0 && r5.after.get('x') === 100);
  // An account already under its floor (credit limit lowered) may still be credited.
  const under = new Map<string, AccountState>([['e', { balanceFen: -500, floorFen: -100 }]]);
  assert.ok(checkPosting([{ account: 'e', amountFen: 50 }, { account: 'x', amountFen: -50 }], under).ok);
});

test('the stop margin covers the energy still flowing, never less than the fixed margin', () => {
  // 60 kW for 60 s = 1000 Wh; 10 kWh cost 1500 fen so far → 150 fen more.
  assert.equal(stopMarginFen({ costFen: 1500, energyWh: 10_000, powerW: 60_000, horizonSeconds: 60, minMarginFen: 100 }), 150);
  assert.equal(stopMarginFen({ costFen: 1500, energyWh: 10_000, powerW: 7_000, horizonSeconds: 60, minMarginFen: 100 }), 100);
  assert.equal(stopMarginFen({ costFen: 0, energyWh: 0, powerW: null, horizonSeconds: 60, minMarginFen: 100 }), 100);
  // rounded up: 1 W for 1 s of a 1 fen/Wh session is 1/3600 fen → 1 fen
  assert.equal(stopMarginFen({ costFen: 1, energyWh: 1, powerW: 1, horizonSeconds: 1, minMarginFen: 0 }), 1);
  assert.equal(mustStop(900, 1000, 100), true);
  assert.equal(mustStop(899, 1000, 100), false);
});
