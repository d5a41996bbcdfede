/**
 * The ledger's posting rules as plain functions over plain data (no I/O), so they can be tested
 * exhaustively. Amounts are signed integer fen; positive = credit. An account's balance is the sum
 * of its entries; a floor (0 for wallets, -creditLimit for enterprise accounts) bounds debits.
 */
export interface AccountState {
  balanceFen: number;
  /** Lowest balance a debit may reach; null = unbounded (clearing, revenue, receivables, ...). */
  floorFen: number | null;
}

export interface EntryInput<K = string> {
  account: K;
  amountFen: number;
}

export type PostingCheck<K> =
  | { ok: true; after: Map<K, number> }
  | { ok: false; code: 'unbalanced' | 'too_few_entries' | 'bad_amount' | 'below_floor'; message: string; account?: K };

/** Checks one transaction against the current balances and returns every touched account's balance after it. */
export function checkPosting<K>(entries: EntryInput<K>[], balances: Map<K, AccountState>): PostingCheck<K> {
  if (entries.length < 2) return { ok: false, code: 'too_few_entries', message: 'a ledger transaction has at least two entries' };
  let sum = 0;
  for (const e of entries) {
    if (!Number.isSafeInteger(e.amountFen) || e.amountFen === 0)
      return { ok: false, code: 'bad_amount', message: `an entry amount is a non-zero integer number of fen, got ${e.amountFen}` };
    sum += e.amountFen;
  }
  if (sum !== 0) return { ok: false, code: 'unbalanced', message: `entries sum to ${sum} fen, not zero` };
  const after = new Map<K, number>();
  const delta = new Map<K, number>();
  for (const e of entries) delta.set(e.account, (delta.get(e.account) ?? 0) + e.amountFen);
  for (const [k, d] of delta) {
    const s = balances.get(k) ?? { balanceFen: 0, floorFen: null };
    const b = s.balanceFen + d;
    // Only a net debit is bounded: an account already under its floor (limit lowered) may still be credited.
    if (d < 0 && s.floorFen !== null && b < s.floorFen)
      return { ok: false, code: 'below_floor', message: `the balance would go below ${s.floorFen} fen (${b})`, account: k };
    after.set(k, b);
  }
  return { ok: true, after };
}

/** How much of an amount a payer can cover now; the rest is a shortfall (a receivable). */
export function settleAgainst(amountFen: number, balanceFen: number, floorFen: number | null): { chargedFen: number; shortfallFen: number } {
  if (amountFen <= 0) return { chargedFen: 0, shortfallFen: 0 };
  const available = floorFen === null ? amountFen : Math.max(0, balanceFen - floorFen);
  const chargedFen = Math.min(amountFen, available);
  return { chargedFen, shortfallFen: amountFen - chargedFen };
}

/**
 * The margin kept for energy still flowing between the stop decision and the charger actually
 * stopping: the cost of `horizonSeconds` more at the current power and the session's average price
 * so far, never less than the operator's fixed margin. Rounded up (in the operator's favour).
 */
export function stopMarginFen(s: { costFen: number; energyWh: number; powerW: number | null; horizonSeconds: number; minMarginFen: number }): number {
  let flowing = 0;
  if (s.powerW && s.powerW > 0 && s.energyWh > 0 && s.costFen > 0) {
    const wh = BigInt(Math.round(s.powerW)) * BigInt(s.horizonSeconds); // W·s
    const num = wh * BigInt(s.costFen);
    const den = 3600n * BigInt(s.energyWh);
    flowing = Number((num + den - 1n) / den);
  }
  return Math.max(s.minMarginFen, flowing);
}

/** The session must be stopped once its cost plus the margin reaches what the payer can spend. */
export const mustStop = (costFen: number, availableFen: number, marginFen: number) => costFen + marginFen >= availableFen;
