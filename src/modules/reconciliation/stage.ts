/**
 * The partner's side of a run, kept in recon_statement_rows until the run is done: stored a chunk
 * at a time (the statement in the request's transaction, check_charge_orders answers in the run's
 * first step), read back one hash partition at a time. A row's bucket is that of its StartChargeSeq
 * (the same SQL expression as our orders' partitions, orders.seqBucketSql), or of its connector when
 * it has none (the connector + time pass is partitioned by connector); the database computes it
 * (a generated column, migration 0882) and stage.db.test.ts holds it to orders.seqBucketSql.
 */
import { copyField, type CopyWriter, type Queryable } from '../../platform/db/index.ts';
import type { Rec } from './match.ts';

/** Hash buckets of a run; a partition is a contiguous range of them. */
export const BUCKETS = 1024;
/** Partner rows stored per INSERT (larger: fewer round trips; bench/reconciliation). */
export const STAGE_CHUNK = 5_000;

export type Phase = 'stage' | 'seq' | 'loose';

/** Buckets [lo, hi] of partition `p` of `parts`. */
export const bucketRange = (p: number, parts: number) => ({ of: BUCKETS, lo: Math.floor((p * BUCKETS) / parts), hi: Math.floor(((p + 1) * BUCKETS) / parts) - 1 });

const NULL = '\\N';
const STAGE_COLUMNS = 'run_id, row_no, seq, connector, start_ms, end_ms, wh, elec_fen, service_fen, total_fen';

/** Partner rows in COPY's text format (numbers go in as they are: no escaping to check). */
function copyText(runId: number, rows: Rec[], firstRowNo: number): string {
  let text = '';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    text += `${runId}\t${r.row ?? firstRowNo + i}\t${r.seq === undefined ? NULL : copyField(r.seq)}\t${r.connector === undefined ? NULL : copyField(r.connector)}\t${r.startMs ?? NULL}\t${r.endMs ?? NULL}\t${r.wh}\t${r.elecFen ?? NULL}\t${r.serviceFen ?? NULL}\t${r.totalFen}\n`;
  }
  return text;
}
const COPY_SQL = `COPY recon_statement_rows (${STAGE_COLUMNS}) FROM STDIN`;

/** Stores partner rows with the run (bucket: computed by the database, migration 0882). */
export async function stageRows(q: Queryable, runId: number, rows: Rec[], firstRowNo = 1) {
  if (!rows.length) return;
  // COPY: about twice as fast as an INSERT from a JSON document (bench/reconciliation)
  if (q.copyFrom) return q.copyFrom(COPY_SQL, copyText(runId, rows, firstRowNo));
  const doc = rows.map((r, i) => ({
    row_no: r.row ?? firstRowNo + i,
    seq: r.seq ?? null,
    connector: r.connector ?? null,
    start_ms: r.startMs ?? null,
    end_ms: r.endMs ?? null,
    wh: r.wh,
    elec_fen: r.elecFen ?? null,
    service_fen: r.serviceFen ?? null,
    total_fen: r.totalFen,
  }));
  await q.query(
    `INSERT INTO recon_statement_rows (${STAGE_COLUMNS})
     SELECT $1, x.* FROM json_to_recordset($2::json)
       AS x (row_no int, seq text, connector text, start_ms bigint, end_ms bigint, wh bigint, elec_fen bigint, service_fen bigint, total_fen bigint)`,
    [runId, JSON.stringify(doc)],
  );
}

export interface Stager {
  /** stores rows (numbered from 1 in the order written, unless a row carries its own number) */
  write(rows: Rec[]): Promise<void>;
  /** waits until every row is stored; `abort`: none of the rows stays, and the transaction goes on */
  close(abort?: boolean): Promise<void>;
}

/**
 * Stores a run's partner rows chunk by chunk inside the caller's transaction (under a savepoint, so
 * an abort undoes them alone). On PostgreSQL the chunks go into one COPY kept open (the database
 * stores a chunk while the next is parsed: 1.3 s less than a COPY per chunk at a million rows,
 * bench/reconciliation); elsewhere a statement each. Always `close` it before the transaction ends.
 */
export function stager(q: Queryable, runId: number): Stager {
  let written = 0;
  let started: Promise<CopyWriter | null> | null = null;
  const start = () =>
    (started ??= q.query(`SAVEPOINT recon_stage`).then(() => (q.copyStream ? q.copyStream(COPY_SQL) : null)));
  return {
    async write(rows) {
      const copy = await start();
      const first = written + 1;
      written += rows.length;
      if (!rows.length) return;
      if (copy) await copy.write(copyText(runId, rows, first));
      else await stageRows(q, runId, rows, first);
    },
    async close(abort = false) {
      if (!started) return;
      const copy = await started;
      if (abort) {
        await copy?.abort();
        await q.query(`ROLLBACK TO SAVEPOINT recon_stage`);
      } else await copy?.end();
      await q.query(`RELEASE SAVEPOINT recon_stage`);
    },
  };
}

/** The partner's rows of a partition: with a StartChargeSeq (`loose` false) or without (true). */
export async function stagedRows(q: Queryable, runId: number, range: { lo: number; hi: number }, loose: boolean): Promise<Rec[]> {
  const r = await q.query<StagedRow>(
    `SELECT row_no, seq, connector, start_ms, end_ms, wh, elec_fen, service_fen, total_fen FROM recon_statement_rows
     WHERE run_id = $1 AND bucket BETWEEN $2 AND $3 AND (seq IS NULL) = $4 ORDER BY row_no`,
    [runId, range.lo, range.hi, loose],
  );
  return r.rows.map(stagedRec);
}

/** The partner's rows with these StartChargeSeqs in a range of buckets, by row. */
export async function stagedRowsOf(q: Queryable, runId: number, range: { lo: number; hi: number }, seqs: string[]): Promise<Rec[]> {
  if (!seqs.length) return [];
  const r = await q.query<StagedRow>(
    `SELECT row_no, seq, connector, start_ms, end_ms, wh, elec_fen, service_fen, total_fen FROM recon_statement_rows
     WHERE run_id = $1 AND bucket BETWEEN $2 AND $3 AND seq = ANY($4::text[]) ORDER BY row_no`,
    [runId, Math.floor(range.lo), Math.floor(range.hi), seqs],
  );
  return r.rows.map(stagedRec);
}

export interface StagedRow {
  row_no: number;
  seq: string | null;
  connector: string | null;
  start_ms: string | number | null;
  end_ms: string | number | null;
  wh: string | number;
  elec_fen: string | number | null;
  service_fen: string | number | null;
  total_fen: string | number;
}

/** A staged row as the record it was (fields that were absent stay absent). */
export function stagedRec(x: StagedRow): Rec {
  const rec: Rec = { wh: Number(x.wh), totalFen: Number(x.total_fen), row: Number(x.row_no) };
  if (x.seq !== null) rec.seq = x.seq;
  if (x.connector !== null) rec.connector = x.connector;
  for (const [k, v] of [['startMs', x.start_ms], ['endMs', x.end_ms], ['elecFen', x.elec_fen], ['serviceFen', x.service_fen]] as const) if (v !== null) rec[k] = Number(v);
  return rec;
}

/**
 * Drops the staged rows of runs that have their result (open or closed). A run drops its own once
 * its result is committed; this catches a process that stopped in between. A failed run keeps them:
 * its retry goes on from them.
 */
export async function dropStagedOfFinishedRuns(q: Queryable): Promise<number> {
  const r = await q.query(`DELETE FROM recon_statement_rows s USING recon_runs r WHERE r.id = s.run_id AND r.status IN ('open', 'closed')`);
  return r.rowCount ?? 0;
}

/** Counts of the staged side: all rows, and those without StartChargeSeq. */
export async function stagedCounts(q: Queryable, runId: number) {
  const r = await q.query<{ n: string; loose: string }>(`SELECT count(*) AS n, count(*) FILTER (WHERE seq IS NULL) AS loose FROM recon_statement_rows WHERE run_id = $1`, [runId]);
  return { rows: Number(r.rows[0].n), loose: Number(r.rows[0].loose) };
}

/**
 * Claims a part inside the caller's transaction: true if this transaction is the first to do it.
 * A second worker on the same part waits here for the first one's commit, then gets false.
 */
export async function claimPart(q: Queryable, runId: number, phase: Phase, part: number, items = 0): Promise<boolean> {
  const r = await q.query(`INSERT INTO recon_run_parts (run_id, phase, part, items) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING part`, [runId, phase, part, items]);
  return r.rows.length === 1;
}

export async function partsDone(q: Queryable, runId: number): Promise<Map<string, number>> {
  const r = await q.query<{ phase: string; part: number; items: number }>(`SELECT phase, part, items FROM recon_run_parts WHERE run_id = $1`, [runId]);
  return new Map(r.rows.map((x) => [`${x.phase}:${x.part}`, Number(x.items)]));
}
