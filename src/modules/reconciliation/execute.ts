/**
 * Running a reconciliation in hash partitions, each committed with its marker, so memory is bounded
 * by a partition (not the month) and a run stopped half-way (crash, restart, deploy) continues where
 * it stopped without storing anything twice:
 *
 *   stage  — the partner's side is in recon_statement_rows (a statement: stored by the request;
 *            check_charge_orders: fetched and stored here, once);
 *   seq    — partition p of StartChargeSeq buckets: our orders of those buckets against the
 *            partner's rows of those buckets, paired by StartChargeSeq. One SQL statement stores the
 *            pairs that are certainly matched (sql-match.ts: the bulk, never read out of the
 *            database); the rest comes back and goes through the pure rules (match.pairBySeq), with
 *            hints. An order the partner lacks waits (loose_bucket) if the partner sent rows
 *            without StartChargeSeq;
 *   loose  — partition p of connector buckets: the waiting orders against the partner's rows
 *            without StartChargeSeq, by connector + start time (match.pairLoose);
 *   finish — the summary added up from the parts' sums (from the stored items for parts stored
 *            without them), the run open or closed; once that is committed, the staged rows are dropped.
 *
 * The result is the one `reconcile` gives over the whole month (match.test.ts, execute.db.test.ts,
 * sql-match.db.test.ts on random months).
 */
import type { Ctx } from '../../platform/context.ts';
import { copyField, type Queryable } from '../../platform/db/index.ts';
import { countPartnerOrdersEnded, partnerOrdersEnded, type SeqBuckets } from '../orders/index.ts';
import { checkAnswer, connectorCode } from '../roaming/index.ts';
import { operatorTimeZone } from '../tariffs/index.ts';
import { gatherFacts, hintsFor } from './hints.ts';
import { CLASSES, pairBySeq, pairLoose, summarize, TIME_WINDOW_MS, type ClassSums, type ItemClass, type Item, type Rec, type Tolerance } from './match.ts';
import { daysOf, partnerSettings, theirsFromCheck } from './runs.ts';
import { matchInSql, ourRec } from './sql-match.ts';
import { BUCKETS, bucketRange, claimPart, partsDone, stagedCounts, stagedRows, stageRows, STAGE_CHUNK, type Phase } from './stage.ts';

export interface RunOptions {
  /** records of one side per partition: the memory bound of what SQL leaves to JS (default 1,000,000) */
  partRows?: number;
  /** our orders per query (default 20,000) */
  batch?: number;
  /** partitions worked at once, each in its own transaction (default RUN_WORKERS on PostgreSQL; 1 on PGlite, one connection) */
  workers?: number;
  /** tests: called inside each part's transaction, before its commit */
  inPart?: (phase: Phase, part: number) => Promise<void> | void;
  /** tests: called after each part committed */
  afterPart?: (phase: Phase, part: number, sizes: { ours: number; theirs: number; ms?: Record<string, number> }) => Promise<void> | void;
  /** the bench: called once the result is committed (visible to readers), before the staged rows are dropped */
  onResult?: () => void;
}

/**
 * A partition's certain matches never leave the database, so JS holds only its differences (a few
 * per cent; all of it only for a statement that matches nothing). Each partition scans the month's
 * orders once: at 1,000,000 one partition took 15.5 s where five of 200,000 took 38.4 s (bench).
 */
export const PART_ROWS = 1_000_000;
/**
 * Partitions worked at once on PostgreSQL: a partition is one backend's work (mostly the INSERT of
 * its matched items), so two use both cores of a small server (bench/reconciliation). A run of at
 * least MIN_SPLIT records a side is cut into at least this many partitions.
 */
export const RUN_WORKERS = 2;
const MIN_SPLIT = 100_000;

interface RunRow {
  id: number;
  operator_id: string;
  partner_id: string;
  period_from: Date;
  period_to: Date;
  source: 'check_charge_orders' | 'statement';
  status: string;
  parts: number | null;
}

async function progress(ctx: Ctx, runId: number, p: Record<string, unknown>) {
  await ctx.db.query(`UPDATE recon_runs SET progress = $2 WHERE id = $1`, [runId, JSON.stringify({ ...p, at: ctx.clock.date().toISOString() })]);
}

/** Our orders of a partition (or all of them) as records; details that add up are dropped. */
export async function loadOurs(q: Queryable, run: RunRow, buckets?: SeqBuckets, batch?: number): Promise<Rec[]> {
  const ours: Rec[] = [];
  for await (const part of partnerOrdersEnded(q, run.operator_id, run.partner_id, run.period_from, run.period_to, batch, buckets)) for (const o of part) ours.push(ourRec(o));
  return ours;
}

const sum = (rs: Rec[], k: 'wh' | 'totalFen') => (rs.length ? rs.reduce((a, r) => a + r[k], 0) : null);
const slim = (r: Rec) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));

/** Hints for the items that are not matched (a batch of facts at a time). */
async function hintsOf(q: Queryable, run: RunRow, items: Item[], tol: Tolerance) {
  const out = new Map<Item, unknown[]>();
  const diffs = items.filter((i) => i.class !== 'matched');
  // 2,000 at a time: four queries a batch, each a few milliseconds (500 made the round trips most of it)
  for (let k = 0; k < diffs.length; k += 2000) {
    const part = diffs.slice(k, k + 2000);
    const facts = await gatherFacts(q, run.operator_id, run.partner_id, part);
    part.forEach((it, j) => out.set(it, hintsFor(it, facts[j], tol)));
  }
  return out;
}

type Sums = Partial<Record<ItemClass, ClassSums>>;
const SUM_KEYS = ['count', 'oursFen', 'theirsFen', 'oursWh', 'theirsWh', 'stakeFen'] as const;

/**
 * Adds (sign 1) or takes away (-1) per-class sums. A class that is all zeros is left out (a part's
 * record stays small); a count of zero is not enough: a connector + time part that turns a waiting
 * anomaly into a paired one changes the sums of the class, not its count.
 */
function addSums(into: Sums, from: Sums, sign = 1): Sums {
  for (const c of CLASSES) {
    const f = from[c];
    if (!f || SUM_KEYS.every((k) => !f[k])) continue;
    const t = (into[c] ??= { count: 0, oursFen: 0, theirsFen: 0, oursWh: 0, theirsWh: 0, stakeFen: 0 });
    for (const k of SUM_KEYS) t[k] += sign * f[k];
  }
  return into;
}

const BATCH = 10_000;
const ITEM_COLUMNS = 'run_id, operator_id, class, order_no, start_charge_seq, ours_wh, ours_fen, theirs_wh, theirs_fen, stake_fen, detail, hints, loose_conn';
/** A jsonb field of a COPY line (null stays null). */
const json = (v: unknown) => (v === null ? null : JSON.stringify(v));

/**
 * Stores items; `waiting` ones keep their connector (the database derives the connector + time
 * pass's bucket from it, migration 0887) and no hints yet. By COPY (both databases have it): a
 * third of the time of an INSERT from a JSON document (bench/reconciliation).
 */
async function storeItems(q: Queryable, run: RunRow, items: Item[], hints: Map<Item, unknown[]>, waiting = false) {
  for (let k = 0; k < items.length; k += BATCH) {
    const rows = items.slice(k, k + BATCH).map((i) => [
      run.id,
      run.operator_id,
      i.class,
      i.ours[0]?.orderNo ?? null,
      i.seq ?? null,
      sum(i.ours, 'wh'),
      sum(i.ours, 'totalFen'),
      sum(i.theirs, 'wh'),
      sum(i.theirs, 'totalFen'),
      i.stakeFen,
      json(i.class === 'matched' ? null : { ours: i.ours.map(slim), theirs: i.theirs.map(slim), reasons: i.reasons }),
      json(i.class === 'matched' || waiting ? null : (hints.get(i) ?? [])),
      waiting ? (i.ours[0]?.connector ?? '') : null,
    ]);
    const text = rows.map((r) => r.map(copyField).join('\t')).join('\n') + '\n';
    await q.copyFrom!(`COPY recon_items (${ITEM_COLUMNS}) FROM STDIN`, text);
  }
}

/** The number of partitions, fixed by the first worker so a resumed run cuts the same way. */
async function partitions(ctx: Ctx, run: RunRow, ours: number, rows: number, partRows: number, workers: number): Promise<number> {
  if (run.parts) return run.parts;
  const most = Math.max(ours, rows);
  const want = Math.min(BUCKETS, Math.max(1, Math.ceil(most / Math.max(1, partRows)), most >= MIN_SPLIT ? workers : 1));
  const r = await ctx.db.query<{ parts: number }>(`UPDATE recon_runs SET parts = COALESCE(parts, $2) WHERE id = $1 RETURNING parts`, [run.id, want]);
  run.parts = r.rows[0].parts;
  return run.parts;
}

/** check_charge_orders: the partner's answers for each local day, stored once as the partner's side. */
async function stageCheckAnswers(ctx: Ctx, run: RunRow) {
  const seqs = new Set<string>();
  for await (const part of partnerOrdersEnded(ctx.db, run.operator_id, run.partner_id, run.period_from, run.period_to)) for (const o of part) if (o.startChargeSeq) seqs.add(o.startChargeSeq);
  const tz = await operatorTimeZone(ctx.db, run.operator_id);
  const answers = [];
  for (const day of daysOf(run.period_from, run.period_to, tz)) answers.push(await checkAnswer(ctx, run.operator_id, run.partner_id, day));
  const theirs = theirsFromCheck(answers, seqs);
  await ctx.db.tx(async (q) => {
    if (!(await claimPart(q, run.id, 'stage', 0, theirs.length))) return;
    for (let k = 0; k < theirs.length; k += STAGE_CHUNK) await stageRows(q, run.id, theirs.slice(k, k + STAGE_CHUNK), k + 1);
  });
}

/** Matches, classifies, hints and stores a run, partition by partition; resumes a run stopped half-way. */
export async function executeRun(ctx: Ctx, runId: number, opts: RunOptions = {}) {
  const run = (await ctx.db.query<RunRow>(`SELECT * FROM recon_runs WHERE id = $1`, [runId])).rows[0];
  if (!run || run.status !== 'running') return null;
  run.id = Number(run.id);
  try {
    const { tolerance } = await partnerSettings(ctx.db, run.operator_id, run.partner_id);
    let done = await partsDone(ctx.db, run.id);
    if (!done.has('stage:0')) {
      if (run.source === 'statement') throw new Error('the statement was not stored with this run: start it again');
      await progress(ctx, run.id, { phase: 'fetching' });
      await stageCheckAnswers(ctx, run);
      done = await partsDone(ctx.db, run.id);
    }
    const workers = Math.max(1, ctx.db.kind === 'postgres' ? (opts.workers ?? RUN_WORKERS) : 1);
    // one pass over the staged rows for both counts (each pass is a tenth of a second at a million),
    // beside the count of our orders that sizes a new run's partitions (0.1-0.4 s at a million)
    const [{ rows: staged, loose }, ours] = await Promise.all([
      stagedCounts(ctx.db, run.id),
      run.parts ? null : countPartnerOrdersEnded(ctx.db, run.operator_id, run.partner_id, run.period_from, run.period_to),
    ]);
    const parts = await partitions(ctx, run, ours ?? 0, staged, opts.partRows ?? PART_ROWS, workers);
    const steps: Phase[] = loose ? ['seq', 'loose'] : ['seq'];
    let stepsDone = [...done.keys()].filter((k) => !k.startsWith('stage:')).length;
    const total = steps.length * parts;
    const part = async (phase: Phase, p: number) => {
      const range = bucketRange(p, parts);
      let sizes: { ours: number; theirs: number; ms?: Record<string, number> } = { ours: 0, theirs: 0 };
      const did = await ctx.db.tx(async (q) => {
        if (!(await claimPart(q, run.id, phase, p))) return false;
        const n = phase === 'seq' ? await seqPart(q, run, range, tolerance, loose > 0) : await loosePart(q, run, range, tolerance);
        sizes = n.sizes;
        await q.query(`UPDATE recon_run_parts SET items = $4, sums = $5 WHERE run_id = $1 AND phase = $2 AND part = $3`, [run.id, phase, p, n.items, JSON.stringify(n.sums)]);
        await opts.inPart?.(phase, p);
        return true;
      });
      stepsDone++;
      if (did) await opts.afterPart?.(phase, p, sizes);
      await progress(ctx, run.id, { phase: phase === 'seq' ? 'matching' : 'pairing by connector and time', part: p + 1, parts, stored: stepsDone, total });
    };
    // the loose pass starts when every seq partition is stored (it pairs what they left waiting)
    for (const phase of steps) {
      const todo = Array.from({ length: parts }, (_, p) => p).filter((p) => !done.has(`${phase}:${p}`));
      let stop = false;
      const worker = async () => {
        try {
          for (let p = todo.shift(); p !== undefined && !stop; p = todo.shift()) await part(phase, p);
        } catch (e) {
          stop = true;
          throw e;
        }
      };
      // after a failure no worker takes another part, and the failure is reported once every worker
      // has stopped (none is still writing when the run is marked failed)
      const failed = (await Promise.allSettled(Array.from({ length: Math.min(workers, todo.length) }, worker))).find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    const result = await finish(ctx, run, done.get('stage:0') ?? staged);
    opts.onResult?.();
    // the partner's rows go once the result is committed: readers see the result without waiting for
    // a million deletions (a crash in between leaves them to dropStagedOfFinishedRuns at the next start)
    await ctx.db.query(`DELETE FROM recon_statement_rows WHERE run_id = $1`, [run.id]);
    return result;
  } catch (e) {
    await ctx.db.query(`UPDATE recon_runs SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1 AND status = 'running'`, [run.id, (e as Error).message.slice(0, 500), ctx.clock.date()]);
    throw e;
  }
}

/** Loose rows looked at per seq part to decide which orders wait; beyond it every candidate waits. */
const NEAR_MAX = 200_000;

/**
 * Whether a row without StartChargeSeq starts on `connector` within the time window of `startMs`:
 * the start times of the run's loose rows on the connectors of `ours` (null: too many to hold;
 * every order with a connector and a start waits then). The loose pass pairs only such orders, so
 * an order without one is final already (the same item `pairLoose` would give it).
 */
async function looseStarts(q: Queryable, runId: number, ours: Rec[]): Promise<((connector: string, startMs: number) => boolean) | null> {
  const conns = [...new Set(ours.map((r) => r.connector).filter((c): c is string => c !== undefined))];
  if (!conns.length) return () => false;
  const r = await q.query<{ connector: string; start_ms: number }>(
    `SELECT connector, start_ms FROM recon_statement_rows WHERE run_id = $1 AND seq IS NULL AND start_ms IS NOT NULL AND connector = ANY($2::text[]) LIMIT ${NEAR_MAX + 1}`,
    [runId, conns],
  );
  if (r.rows.length > NEAR_MAX) return null;
  const starts = new Map<string, number[]>();
  for (const x of r.rows) (starts.get(x.connector) ?? starts.set(x.connector, []).get(x.connector)!).push(Number(x.start_ms));
  return (connector, startMs) => (starts.get(connector) ?? []).some((t) => Math.abs(t - startMs) <= TIME_WINDOW_MS);
}

async function seqPart(q: Queryable, run: RunRow, range: SeqBuckets, tol: Tolerance, hasLoose: boolean) {
  const t0 = performance.now();
  // the certain matches are paired and stored inside the database; the rest comes back as records
  const m = await matchInSql(q, run, range, tol);
  const t1 = performance.now();
  const { items, unpairedOurs } = pairBySeq(m.restOurs, m.restTheirs, tol);
  // an order the partner lacks may still pair with a row without StartChargeSeq on its connector,
  // within the time window: only then it waits for the loose pass (the others are final here)
  const near = hasLoose ? await looseStarts(q, run.id, unpairedOurs) : null;
  const waits = (r: Rec) => hasLoose && r.connector !== undefined && r.startMs !== undefined && (near === null || near(r.connector, r.startMs));
  const final = [...items, ...pairLoose(unpairedOurs.filter((r) => !waits(r)), [], tol)];
  const waiting = pairLoose(unpairedOurs.filter(waits), [], tol);
  const t2 = performance.now();
  const hints = await hintsOf(q, run, final, tol);
  const t3 = performance.now();
  await storeItems(q, run, final, hints);
  await storeItems(q, run, waiting, new Map(), true);
  const t4 = performance.now();
  const ms = { sql: t1 - t0, match: t2 - t1, hints: t3 - t2, store: t4 - t3 };
  const sums = addSums({ matched: m.matched }, summarize([...final, ...waiting]).perClass);
  return { items: m.matched.count + final.length + waiting.length, sums, sizes: { ours: m.ours, theirs: m.theirs, ms } };
}

async function loosePart(q: Queryable, run: RunRow, range: SeqBuckets, tol: Tolerance) {
  const w = await q.query<{ id: number; detail: { ours: Rec[] }; class: ItemClass; ours_fen: number | null; ours_wh: number | null; stake_fen: number }>(
    `SELECT id, detail, class, ours_fen, ours_wh, stake_fen FROM recon_items WHERE run_id = $1 AND loose_bucket BETWEEN $2 AND $3 ORDER BY id`,
    [run.id, range.lo, range.hi],
  );
  const ours = w.rows.map((x) => x.detail.ours[0]);
  const idOf = new Map(ours.map((r, i) => [r, Number(w.rows[i].id)]));
  const theirs = await stagedRows(q, run.id, range, true);
  const items = pairLoose(ours, theirs, tol);
  const hints = await hintsOf(q, run, items, tol);
  await q.query(`DELETE FROM recon_items WHERE id = ANY($1::int8[])`, [[...idOf.values()]]);
  await storeItems(q, run, items, hints);
  // what this part changed: the waiting items it replaced go out of the seq parts' sums, its items come in
  const sums = addSums({}, summarize(items).perClass);
  for (const x of w.rows)
    addSums(sums, { [x.class]: { count: 1, oursFen: Number(x.ours_fen ?? 0), theirsFen: 0, oursWh: Number(x.ours_wh ?? 0), theirsWh: 0, stakeFen: Number(x.stake_fen) } }, -1);
  return { items: items.length, sums, sizes: { ours: ours.length, theirs: theirs.length } };
}

/** Counts and sums per class of the stored items: what the parts' sums must add up to (and the way for a part stored without them). */
export async function itemSums(q: Queryable, runId: number): Promise<Sums> {
  const r = await q.query<{ class: ItemClass; n: string; ours_fen: string; theirs_fen: string; ours_wh: string; theirs_wh: string; stake_fen: string }>(
    `SELECT class, count(*) AS n, coalesce(sum(ours_fen), 0) AS ours_fen, coalesce(sum(theirs_fen), 0) AS theirs_fen, coalesce(sum(ours_wh), 0) AS ours_wh,
            coalesce(sum(theirs_wh), 0) AS theirs_wh, coalesce(sum(stake_fen), 0) AS stake_fen
     FROM recon_items_all WHERE run_id = $1 GROUP BY class`,
    [runId],
  );
  return Object.fromEntries(
    r.rows.map((x) => [x.class, { count: Number(x.n), oursFen: Number(x.ours_fen), theirsFen: Number(x.theirs_fen), oursWh: Number(x.ours_wh), theirsWh: Number(x.theirs_wh), stakeFen: Number(x.stake_fen) }]),
  );
}

/**
 * The summary (the same sums as match.summarize) from the parts' sums, status set. `theirs`: the
 * rows the partner's side had (counted when they were staged).
 */
async function finish(ctx: Ctx, run: RunRow, theirs: number) {
  return ctx.db.tx(async (q) => {
    const parts = await q.query<{ sums: Sums | null }>(`SELECT sums FROM recon_run_parts WHERE run_id = $1 AND phase <> 'stage'`, [run.id]);
    const sums = parts.rows.every((x) => x.sums) ? parts.rows.reduce((a, x) => addSums(a, x.sums!), {} as Sums) : await itemSums(q, run.id);
    const perClass = Object.fromEntries(CLASSES.map((c) => [c, sums[c] ?? { count: 0, oursFen: 0, theirsFen: 0, oursWh: 0, theirsWh: 0, stakeFen: 0 }])) as Record<ItemClass, ClassSums>;
    const counts = Object.fromEntries(CLASSES.map((c) => [c, perClass[c].count])) as Record<ItemClass, number>;
    const stakeFen = CLASSES.reduce((a, c) => a + perClass[c].stakeFen, 0);
    const nItems = CLASSES.reduce((a, c) => a + counts[c], 0);
    const body = {
      counts,
      perClass,
      agreedFen: perClass.matched.oursFen,
      agreedWh: perClass.matched.oursWh,
      stakeFen,
      stakeBeforeFen: stakeFen,
      period: 'an order belongs to the period its charging session ended in',
      theirs,
      parts: run.parts ?? undefined,
    };
    const status = nItems - counts.matched ? 'open' : 'closed';
    const u = await q.query(
      `UPDATE recon_runs SET status = $2, summary = $3, progress = $4, finished_at = $5, closed_at = CASE WHEN $2 = 'closed' THEN $5::timestamptz END WHERE id = $1 AND status = 'running' RETURNING id`,
      [run.id, status, JSON.stringify(body), JSON.stringify({ phase: 'done', stored: nItems, total: nItems }), ctx.clock.date()],
    );
    // another worker finished it first: its answer stands
    if (!u.rows.length) return null;
    return { status, counts };
  });
}
