/**
 * The bulk of a partition matched inside the database (bench/reconciliation: reading a million
 * orders out into JS and the items back in was most of the time). One statement pairs our orders
 * with the partner's rows by StartChargeSeq and stores, as `matched`, every pair that is certainly
 * matched by the rules of match.ts: one record a side, neither side negative nor with figures that
 * do not add up, energy and money within the tolerances. Everything else of the partition (the few
 * differences) comes back as records and goes through the pure rules (match.pairBySeq), so match.ts
 * stays the spec; the SQL test only has to be sound (it may leave a matched pair to the pure rules,
 * never the other way), which sql-match.db.test.ts checks against `reconcile` on random data.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { partnerOrdersById, partnerOrdersEndedSql, type PartnerOrderFigures, type SeqBuckets } from '../orders/index.ts';
import { connectorCode } from '../roaming/index.ts';
import { anomalies, type ClassSums, type Rec, type Tolerance } from './match.ts';
import { stagedRowsOf } from './stage.ts';

/** An order of ours as a record; details that add up say nothing more and are dropped (smaller). */
export function ourRec(o: PartnerOrderFigures): Rec {
  const r: Rec = {
    seq: o.startChargeSeq ?? undefined,
    connector: connectorCode(o.chargerId, o.connectorId),
    startMs: o.startMs,
    endMs: o.endMs,
    wh: o.wh,
    elecFen: o.elecFen,
    serviceFen: o.serviceFen,
    totalFen: o.elecFen + o.serviceFen,
    details: o.details,
    orderNo: o.orderNo,
  };
  if (!anomalies(r).length) delete r.details;
  return r;
}

export interface RunRef {
  id: number;
  operator_id: string;
  partner_id: string;
  period_from: Date;
  period_to: Date;
}

/**
 * Stores the certainly-matched pairs of partition `range` (in recon_matched, the lean table of
 * migration 0886) and returns the rest: our orders (in the
 * order partnerOrdersEnded reads them: end_time, id) and the partner's rows with a StartChargeSeq
 * (by row), and the sizes of both sides.
 *
 * Shaped by EXPLAIN ANALYZE on a million a side (bench/reconciliation): the CTEs that are written
 * out carry only what matching needs (the rest of our orders is read again by id); one hash full
 * join and one hash aggregate by StartChargeSeq decide everything (a StartChargeSeq has a certain
 * match when it joined exactly one pair and that pair passes; a StartChargeSeq twice on either side
 * makes two pairs or more) where sorts for windows and merge joins took seconds; our few that are
 * not matched find their records through a small hash, the partner's by a second query; the sizes
 * are added up from the pairs and the rest (counting each side again took 0.4 s a partition); and
 * no JIT (it spent 2 s compiling a statement that runs once).
 */
export async function matchInSql(q: Queryable, run: RunRef, range: SeqBuckets, tol: Tolerance) {
  const params: unknown[] = [];
  const ours = partnerOrdersEndedSql(params, run.operator_id, run.partner_id, run.period_from, run.period_to, range);
  const p = (v: unknown) => `$${params.push(v)}`;
  const [runId, op, lo, hi, tolE, tolM] = [run.id, run.operator_id, Math.floor(range.lo), Math.floor(range.hi), tol.energyWh, tol.moneyFen].map(p);
  // anomaly (match.anomalies): a negative figure, electricity + service ≠ total, details ≠ totals
  const sql = `WITH o AS MATERIALIZED (
      SELECT x.id, x.order_no, x.seq, x.wh, x.elec_fen, x.service_fen, x.elec_fen + x.service_fen AS total_fen,
        x.wh >= 0 AND x.elec_fen >= 0 AND x.service_fen >= 0 AND x.elec_fen + x.service_fen >= 0 AND x.details_add_up AS clean
      FROM (${ours}) x),
    t AS MATERIALIZED (
      SELECT s.row_no, s.seq, s.connector, s.start_ms, s.end_ms, s.wh, s.elec_fen, s.service_fen, s.total_fen,
        s.wh >= 0 AND coalesce(s.elec_fen, 0) >= 0 AND coalesce(s.service_fen, 0) >= 0 AND s.total_fen >= 0
          AND (s.elec_fen IS NULL OR s.service_fen IS NULL OR s.elec_fen + s.service_fen = s.total_fen) AS clean
      FROM recon_statement_rows s WHERE s.run_id = ${runId} AND s.bucket BETWEEN ${lo} AND ${hi} AND s.seq IS NOT NULL),
    g AS MATERIALIZED (
      SELECT coalesce(o.seq, t.seq) AS seq,
        count(*) = 1 AND bool_and(o.seq <> '' AND o.clean AND t.clean
          AND abs(o.wh - t.wh) <= ${tolE} AND abs(o.total_fen - t.total_fen) <= ${tolM}
          AND (t.elec_fen IS NULL OR abs(o.elec_fen - t.elec_fen) <= ${tolM}) AND (t.service_fen IS NULL OR abs(o.service_fen - t.service_fen) <= ${tolM})) IS TRUE AS matched,
        min(o.order_no) AS order_no, min(o.wh) AS ours_wh, min(o.total_fen) AS ours_fen, min(t.wh) AS theirs_wh, min(t.total_fen) AS theirs_fen
      FROM o FULL JOIN t ON t.seq = o.seq GROUP BY 1),
    ins AS (
      INSERT INTO recon_matched (run_id, operator_id, order_no, start_charge_seq, ours_wh, ours_fen, theirs_wh, theirs_fen)
      SELECT ${runId}, ${op}, order_no, seq, ours_wh, ours_fen, theirs_wh, theirs_fen FROM g WHERE matched),
    rest AS MATERIALIZED (SELECT seq FROM g WHERE NOT matched)
    SELECT (SELECT json_build_array(count(*), coalesce(sum(ours_fen), 0), coalesce(sum(theirs_fen), 0), coalesce(sum(ours_wh), 0), coalesce(sum(theirs_wh), 0), coalesce(sum(abs(ours_fen - theirs_fen)), 0))
         FROM g WHERE matched) AS matched,
      (SELECT coalesce(array_agg(o.id), '{}') FROM o WHERE o.seq IN (SELECT seq FROM rest)) AS rest_ours,
      (SELECT coalesce(array_agg(seq), '{}') FROM rest) AS rest_seqs`;
  // the CTEs carry no statistics: without this the planner may pair them in nested loops (n²); the
  // sorts and hashes of a million rows stay in memory instead of spilling to disk (4 MB default)
  await q.query(`SET LOCAL enable_nestloop = off`);
  await q.query(`SET LOCAL work_mem = '128MB'`);
  await q.query(`SET LOCAL enable_mergejoin = off`);
  await q.query(`SET LOCAL jit = off`);
  const r = await q.query<{ matched: (string | number)[] | string; rest_ours: (string | number)[]; rest_seqs: string[] }>(sql, params);
  await q.query(`RESET enable_nestloop`);
  await q.query(`RESET enable_mergejoin`);
  const x = r.rows[0];
  const restOurs = (await partnerOrdersById(q, run.operator_id, x.rest_ours.map(Number))).map(ourRec);
  // the partner's rows of the rest by a second query: the array is a constant there, looked up in
  // a hash; inside the statement the planner hashed all the partition's rows to find a few per
  // cent (0.4 s a partition at half a million, bench/reconciliation)
  const restTheirs = await stagedRowsOf(q, run.id, range, x.rest_seqs);
  const [n, oursFen, theirsFen, oursWh, theirsWh, stakeFen] = (typeof x.matched === 'string' ? JSON.parse(x.matched) : x.matched).map(Number) as number[];
  const matched: ClassSums = { count: n, oursFen, theirsFen, oursWh, theirsWh, stakeFen };
  // every order of the partition is in a matched pair (one a StartChargeSeq) or in the rest; so is every row of the partner's
  return { matched, ours: n + x.rest_ours.length, theirs: n + restTheirs.length, restOurs, restTheirs };
}
