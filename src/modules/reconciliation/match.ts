/**
 * Reconciliation matching and classification (pure). Our partner orders and the partner's records
 * are paired by StartChargeSeq, then (for partner rows without one) by connector + start time within
 * 2 minutes; every StartChargeSeq, and every row left unpaired, yields exactly one item with exactly
 * one class. Units are integers: energy in Wh, money in fen.
 */

export const CLASSES = ['matched', 'missing_at_partner', 'missing_here', 'energy_mismatch', 'amount_mismatch', 'anomaly', 'duplicate'] as const;
export type ItemClass = (typeof CLASSES)[number];

/** One side's record of one charge (ours: an order; theirs: a statement row or a check answer). */
export interface Rec {
  seq?: string;
  connector?: string;
  startMs?: number;
  endMs?: number;
  wh: number;
  elecFen?: number;
  serviceFen?: number;
  totalFen: number;
  /** per-period details, when known: they must add up to the totals */
  details?: { wh: number; elecFen: number; serviceFen: number }[];
  /** ours: the order number */
  orderNo?: string;
  /** theirs: 1-based row in the statement (header is row 1) */
  row?: number;
}

export interface Tolerance {
  energyWh: number;
  moneyFen: number;
}
export const DEFAULT_TOLERANCE: Tolerance = { energyWh: 10, moneyFen: 1 };
/** Start times of a connector+time match may differ by at most this. */
export const TIME_WINDOW_MS = 2 * 60_000;

export interface Item {
  class: ItemClass;
  seq?: string;
  ours: Rec[];
  theirs: Rec[];
  /** why the class (machine-made, shown with the hint) */
  reasons: string[];
  /** |Σ ours − Σ theirs| of TotalMoney, in fen: what the difference is worth */
  stakeFen: number;
}

/** Why a record does not add up (empty: it does). */
export function anomalies(r: Rec): string[] {
  const out: string[] = [];
  const neg = (['wh', 'elecFen', 'serviceFen', 'totalFen'] as const).filter((k) => (r[k] ?? 0) < 0);
  if (neg.length) out.push(`negative ${neg.join(', ')}`);
  if (r.elecFen !== undefined && r.serviceFen !== undefined && r.elecFen + r.serviceFen !== r.totalFen) out.push('electricity + service ≠ total');
  if (r.details?.length) {
    const s = r.details.reduce((a, d) => ({ wh: a.wh + d.wh, e: a.e + d.elecFen, v: a.v + d.serviceFen }), { wh: 0, e: 0, v: 0 });
    if (s.wh !== r.wh) out.push('details energy ≠ total energy');
    if (r.elecFen !== undefined && s.e !== r.elecFen) out.push('details electricity ≠ total electricity');
    if (r.serviceFen !== undefined && s.v !== r.serviceFen) out.push('details service ≠ total service');
  }
  return out;
}

const sum = (rs: Rec[], k: 'wh' | 'totalFen') => rs.reduce((a, r) => a + r[k], 0);

/** The class of one item, first applicable in the order duplicate, anomaly, missing, energy, amount. */
export function classify(ours: Rec[], theirs: Rec[], tol: Tolerance): { class: ItemClass; reasons: string[] } {
  if (ours.length > 1 || theirs.length > 1) return { class: 'duplicate', reasons: [`${ours.length} here, ${theirs.length} at the partner`] };
  const bad = [...ours.map((r) => anomalies(r).map((m) => `ours: ${m}`)), ...theirs.map((r) => anomalies(r).map((m) => `theirs: ${m}`))].flat();
  if (bad.length) return { class: 'anomaly', reasons: bad };
  if (!theirs.length) return { class: 'missing_at_partner', reasons: [] };
  if (!ours.length) return { class: 'missing_here', reasons: [] };
  const [o, t] = [ours[0], theirs[0]];
  if (Math.abs(o.wh - t.wh) > tol.energyWh) return { class: 'energy_mismatch', reasons: [`energy ${o.wh} Wh here, ${t.wh} Wh at the partner`] };
  const money: string[] = [];
  if (Math.abs(o.totalFen - t.totalFen) > tol.moneyFen) money.push(`total ${o.totalFen} fen here, ${t.totalFen} fen at the partner`);
  for (const k of ['elecFen', 'serviceFen'] as const)
    if (o[k] !== undefined && t[k] !== undefined && Math.abs(o[k]! - t[k]!) > tol.moneyFen) money.push(`${k} ${o[k]} here, ${t[k]} at the partner`);
  if (money.length) return { class: 'amount_mismatch', reasons: money };
  return { class: 'matched', reasons: [] };
}

function item(ours: Rec[], theirs: Rec[], tol: Tolerance, seq?: string): Item {
  const c = classify(ours, theirs, tol);
  return { ...c, seq: seq ?? ours[0]?.seq ?? theirs[0]?.seq, ours, theirs, stakeFen: Math.abs(sum(ours, 'totalFen') - sum(theirs, 'totalFen')) };
}

const groupBySeq = (rs: Rec[]) => {
  const m = new Map<string, Rec[]>();
  for (const r of rs) if (r.seq) (m.get(r.seq) ?? m.set(r.seq, []).get(r.seq)!).push(r);
  return m;
};

/**
 * Pairs and classifies. Deterministic: the connector+time pairing takes the closest start times
 * first (ties: earlier of ours, then earlier row of theirs).
 */
export function reconcile(ours: Rec[], theirs: Rec[], tol: Tolerance = DEFAULT_TOLERANCE): Item[] {
  const { items, unpairedOurs } = pairBySeq(ours, theirs, tol);
  return [...items, ...pairLoose(unpairedOurs, theirs.filter((r) => !r.seq), tol)];
}

/**
 * The first half of `reconcile`: every StartChargeSeq of either side (rows without one are left
 * out). A single order of ours that the partner lacks is not an item yet: it may still pair with a
 * partner row without StartChargeSeq by connector + time (`pairLoose`). Rows of one StartChargeSeq
 * only ever meet rows of the same StartChargeSeq, so a run can do this per hash partition of it.
 */
export function pairBySeq(ours: Rec[], theirs: Rec[], tol: Tolerance = DEFAULT_TOLERANCE): { items: Item[]; unpairedOurs: Rec[] } {
  const o = groupBySeq(ours);
  const t = groupBySeq(theirs);
  const items: Item[] = [];
  const unpairedOurs: Rec[] = [];
  for (const [seq, os] of o) {
    const ts = t.get(seq);
    if (!ts && os.length === 1) unpairedOurs.push(os[0]);
    else items.push(item(os, ts ?? [], tol, seq));
  }
  for (const [seq, ts] of t) if (!o.has(seq)) items.push(item([], ts, tol, seq));
  return { items, unpairedOurs };
}

/**
 * The second half: our unpaired orders against the partner rows without StartChargeSeq, by
 * connector + start time within 2 minutes, closest first; whatever is left is an item alone. Only
 * records of one connector ever pair, so a run can do this per hash partition of the connector.
 */
export function pairLoose(unpairedOurs: Rec[], loose: Rec[], tol: Tolerance = DEFAULT_TOLERANCE): Item[] {
  const items: Item[] = [];
  const byConn = new Map<string, number[]>();
  unpairedOurs.forEach((r, i) => r.connector !== undefined && r.startMs !== undefined && (byConn.get(r.connector) ?? byConn.set(r.connector, []).get(r.connector)!).push(i));
  const cands: [number, number, number][] = [];
  loose.forEach((r, j) => {
    if (r.connector === undefined || r.startMs === undefined) return;
    for (const i of byConn.get(r.connector) ?? []) {
      const dt = Math.abs(unpairedOurs[i].startMs! - r.startMs);
      if (dt <= TIME_WINDOW_MS) cands.push([dt, i, j]);
    }
  });
  cands.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const usedO = new Set<number>();
  const usedT = new Set<number>();
  for (const [, i, j] of cands) {
    if (usedO.has(i) || usedT.has(j)) continue;
    usedO.add(i);
    usedT.add(j);
    items.push(item([unpairedOurs[i]], [loose[j]], tol, unpairedOurs[i].seq));
  }
  unpairedOurs.forEach((r, i) => usedO.has(i) || items.push(item([r], [], tol)));
  loose.forEach((r, j) => usedT.has(j) || items.push(item([], [r], tol)));
  return items;
}

export type Counts = Record<ItemClass, number>;
export const emptyCounts = (): Counts => Object.fromEntries(CLASSES.map((c) => [c, 0])) as Counts;

export interface ClassSums {
  count: number;
  oursFen: number;
  theirsFen: number;
  oursWh: number;
  theirsWh: number;
  stakeFen: number;
}

/** Counts and sums per class; agreed = what both sides agree on (matched items, ours). */
export function summarize(items: Pick<Item, 'class' | 'ours' | 'theirs' | 'stakeFen'>[]) {
  const perClass = Object.fromEntries(CLASSES.map((c) => [c, { count: 0, oursFen: 0, theirsFen: 0, oursWh: 0, theirsWh: 0, stakeFen: 0 }])) as Record<ItemClass, ClassSums>;
  for (const i of items) {
    const s = perClass[i.class];
    s.count++;
    s.oursFen += sum(i.ours, 'totalFen');
    s.theirsFen += sum(i.theirs, 'totalFen');
    s.oursWh += sum(i.ours, 'wh');
    s.theirsWh += sum(i.theirs, 'wh');
    s.stakeFen += i.stakeFen;
  }
  const counts = Object.fromEntries(CLASSES.map((c) => [c, perClass[c].count])) as Counts;
  const stakeFen = CLASSES.reduce((a, c) => a + perClass[c].stakeFen, 0);
  return { counts, perClass, agreedFen: perClass.matched.oursFen, agreedWh: perClass.matched.oursWh, stakeFen };
}
