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
import { partnerOrdersEndedSql, periodFigures, type PartnerOrderFigures, type SeqBuckets } from '../orders/index.ts';
import type { PricedPeriod } from '../tariffs/index.ts';
import { connectorCode } from '../roaming/index.ts';
import { anomalies, type Rec, type Tolerance } from './match.ts';
import { stagedRec } from './stage.ts';

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

interface Row {
  side: 'n' | 'o' | 't';
  ord_end: Date | null;
  ord: string;
  order_no: string | null;
  seq: string | null;
  charger_id: string | null;
  connector_id: number | null;
  connector: string | null;
  start_ms: string | null;
  end_ms: string | null;
  wh: string;
  elec_fen: string | null;
  service_fen: string | null;
  total_fen: string | null;
  periods: PricedPeriod[] | null;
}

/**
 * Stores the certainly-matched pairs of partition `range` and returns the rest: our orders (in the
 * order partnerOrdersEnded reads them: end_time, id) and the partner's rows with a StartChargeSeq
 * (by row), and the sizes of both sides.
 */
export async function matchInSql(q: Queryable, run: RunRef, range: SeqBuckets, tol: Tolerance) {
  const params: unknown[] = [];
  const ours = partnerOrdersEndedSql(params, run.operator_id, run.partner_id, run.period_from, run.period_to, range);
  const p = (v: unknown) => `$${params.push(v)}`;
  const [runId, op, lo, hi, tolE, tolM] = [run.id, run.operator_id, Math.floor(range.lo), Math.floor(range.hi), tol.energyWh, tol.moneyFen].map(p);
  // anomaly (match.anomalies): a negative figure, electricity + service ≠ total, details ≠ totals
  const sql = `WITH o AS MATERIALIZED (
      SELECT x.*, x.elec_fen + x.service_fen AS total_fen, count(*) OVER (PARTITION BY x.seq) AS n,
        x.wh >= 0 AND x.elec_fen >= 0 AND x.service_fen >= 0 AND x.elec_fen + x.service_fen >= 0 AND x.details_add_up AS clean
      FROM (${ours}) x),
    t AS MATERIALIZED (
      SELECT s.row_no, s.seq, s.connector, s.start_ms, s.end_ms, s.wh, s.elec_fen, s.service_fen, s.total_fen, count(*) OVER (PARTITION BY s.seq) AS n,
        s.wh >= 0 AND coalesce(s.elec_fen, 0) >= 0 AND coalesce(s.service_fen, 0) >= 0 AND s.total_fen >= 0
          AND (s.elec_fen IS NULL OR s.service_fen IS NULL OR s.elec_fen + s.service_fen = s.total_fen) AS clean
      FROM recon_statement_rows s WHERE s.run_id = ${runId} AND s.bucket BETWEEN ${lo} AND ${hi} AND s.seq IS NOT NULL),
    m AS MATERIALIZED (
      SELECT o.order_no, o.seq, o.wh AS ours_wh, o.total_fen AS ours_fen, t.wh AS theirs_wh, t.total_fen AS theirs_fen
      FROM o JOIN t ON t.seq = o.seq
      WHERE o.seq <> '' AND o.n = 1 AND t.n = 1 AND o.clean AND t.clean
        AND abs(o.wh - t.wh) <= ${tolE} AND abs(o.total_fen - t.total_fen) <= ${tolM}
        AND (t.elec_fen IS NULL OR abs(o.elec_fen - t.elec_fen) <= ${tolM}) AND (t.service_fen IS NULL OR abs(o.service_fen - t.service_fen) <= ${tolM})),
    ins AS (
      INSERT INTO recon_items (run_id, operator_id, class, order_no, start_charge_seq, ours_wh, ours_fen, theirs_wh, theirs_fen, stake_fen)
      SELECT ${runId}, ${op}, 'matched', order_no, seq, ours_wh, ours_fen, theirs_wh, theirs_fen, abs(ours_fen - theirs_fen) FROM m)
    SELECT 'n' AS side, NULL::timestamptz AS ord_end, 0::int8 AS ord, NULL AS order_no, NULL AS seq, NULL AS charger_id, NULL::int AS connector_id, NULL AS connector, NULL::int8 AS start_ms, NULL::int8 AS end_ms,
        (SELECT count(*) FROM o) AS wh, (SELECT count(*) FROM t) AS elec_fen, (SELECT count(*) FROM m) AS service_fen, NULL::int8 AS total_fen, NULL::jsonb AS periods
    UNION ALL
    SELECT 'o', o.end_time, o.id, o.order_no, o.seq, o.charger_id, o.connector_id, NULL, o.start_ms, o.end_ms, o.wh, o.elec_fen, o.service_fen, o.total_fen, o.periods
      FROM o WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.seq = o.seq)
    UNION ALL
    SELECT 't', NULL, t.row_no, NULL, t.seq, NULL, NULL, t.connector, t.start_ms, t.end_ms, t.wh, t.elec_fen, t.service_fen, t.total_fen, NULL
      FROM t WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.seq = t.seq)
    ORDER BY side, ord_end, ord`;
  // the CTEs carry no statistics: without this the planner may pair them in nested loops (n²); the
  // sorts and hashes of a million rows stay in memory instead of spilling to disk (4 MB default)
  await q.query(`SET LOCAL enable_nestloop = off`);
  await q.query(`SET LOCAL work_mem = '128MB'`);
  const r = await q.query<Row>(sql, params);
  const n = r.rows.find((x) => x.side === 'n')!;
  const restOurs: Rec[] = [];
  const restTheirs: Rec[] = [];
  for (const x of r.rows) {
    if (x.side === 'o')
      restOurs.push(
        ourRec({
          orderNo: x.order_no!,
          startChargeSeq: x.seq,
          chargerId: x.charger_id!,
          connectorId: Number(x.connector_id),
          startMs: Number(x.start_ms),
          endMs: Number(x.end_ms),
          wh: Number(x.wh),
          elecFen: Number(x.elec_fen),
          serviceFen: Number(x.service_fen),
          details: periodFigures(x.periods),
        }),
      );
    else if (x.side === 't') restTheirs.push(stagedRec({ ...x, row_no: Number(x.ord), wh: x.wh, total_fen: x.total_fen! }));
  }
  return { matched: Number(n.service_fen), ours: Number(n.wh), theirs: Number(n.elec_fen), restOurs, restTheirs };
}
