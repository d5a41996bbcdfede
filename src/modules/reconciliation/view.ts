/** Reading runs and items: the run view of the API, the item list with filters, the monthly chart. */
import type { Queryable } from '../../platform/db/index.ts';
import { formatKwh3, formatYuan } from '../../platform/money.ts';
import { CLASSES, emptyCounts, type ItemClass } from './match.ts';

export interface RunRow {
  id: number;
  operator_id: string;
  partner_id: string;
  period_from: Date;
  period_to: Date;
  source: string;
  status: 'running' | 'open' | 'closed' | 'failed';
  progress: Record<string, unknown>;
  summary: any;
  error: string | null;
  started_by: string;
  created_at: Date;
  finished_at: Date | null;
  closed_at: Date | null;
}

export interface ItemRow {
  id: number;
  class: ItemClass;
  order_no: string | null;
  start_charge_seq: string | null;
  ours_wh: number | null;
  ours_fen: number | null;
  theirs_wh: number | null;
  theirs_fen: number | null;
  stake_fen: number;
  detail: { ours: unknown[]; theirs: unknown[]; reasons: string[] } | null;
  hints: { code: string; message: string }[] | null;
  resolution: Record<string, unknown> | null;
  resolved_at: Date | null;
}

const side = (wh: number | null, fen: number | null) => (wh === null || fen === null ? undefined : { energyKwh: formatKwh3(Number(wh)), totalAmount: formatYuan(Number(fen)) });

export function itemView(i: ItemRow) {
  return {
    id: Number(i.id),
    class: i.class,
    orderNo: i.order_no ?? undefined,
    startChargeSeq: i.start_charge_seq ?? undefined,
    ours: side(i.ours_wh, i.ours_fen),
    theirs: side(i.theirs_wh, i.theirs_fen),
    stakeAmount: formatYuan(Number(i.stake_fen)),
    reasons: i.detail?.reasons,
    records: i.detail ? { ours: i.detail.ours, theirs: i.detail.theirs } : undefined,
    hint: i.hints?.length ? i.hints.map((h) => h.message).join('; ') : undefined,
    hints: i.hints ?? undefined,
    resolution: i.resolution ?? undefined,
  };
}

export async function runRow(q: Queryable, operatorId: string, id: number, lock = false): Promise<RunRow | null> {
  const r = await q.query<RunRow>(`SELECT * FROM recon_runs WHERE operator_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [operatorId, id]);
  return r.rows[0] ?? null;
}

/** Money at stake now: unresolved differences; what was written off is kept apart. */
export async function stakeNow(q: Queryable, runId: number) {
  const r = await q.query<{ open_fen: string | null; open_items: string; written_off_fen: string | null }>(
    `SELECT sum(stake_fen) FILTER (WHERE resolved_at IS NULL) AS open_fen, count(*) FILTER (WHERE resolved_at IS NULL) AS open_items,
            sum(stake_fen) FILTER (WHERE resolution->>'action' = 'write_off') AS written_off_fen
     FROM recon_items WHERE run_id = $1 AND class <> 'matched'`,
    [runId],
  );
  const x = r.rows[0];
  return { openFen: Number(x?.open_fen ?? 0), openItems: Number(x?.open_items ?? 0), writtenOffFen: Number(x?.written_off_fen ?? 0) };
}

export function runView(r: RunRow, stake?: { openFen: number; openItems: number; writtenOffFen: number }) {
  const s = r.summary;
  const perClass = s
    ? Object.fromEntries(
        CLASSES.map((c) => [c, { count: s.perClass[c].count, oursAmount: formatYuan(s.perClass[c].oursFen), theirsAmount: formatYuan(s.perClass[c].theirsFen), stakeAmount: formatYuan(s.perClass[c].stakeFen) }]),
      )
    : undefined;
  return {
    id: Number(r.id),
    partnerId: r.partner_id,
    from: r.period_from.toISOString(),
    to: r.period_to.toISOString(),
    source: r.source,
    status: r.status,
    periodRule: 'an order belongs to the period its charging session ended in',
    counts: s?.counts ?? emptyCounts(),
    perClass,
    agreedAmount: s ? formatYuan(s.agreedFen) : undefined,
    agreedEnergyKwh: s ? formatKwh3(s.agreedWh) : undefined,
    stakeBeforeAmount: s ? formatYuan(s.stakeBeforeFen) : undefined,
    stakeAfterAmount: stake ? formatYuan(stake.openFen) : undefined,
    writtenOffAmount: stake ? formatYuan(stake.writtenOffFen) : undefined,
    openItems: stake?.openItems,
    progress: r.progress,
    error: r.error ?? undefined,
    startedBy: r.started_by,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString(),
    closedAt: r.closed_at?.toISOString(),
  };
}

export interface ItemFilter {
  class?: ItemClass;
  /** default: every item that is not matched */
  includeMatched?: boolean;
  resolved?: boolean;
  q?: string;
}

export function itemWhere(runId: number, f: ItemFilter, first = 1) {
  const where = [`run_id = $${first}`];
  const values: unknown[] = [runId];
  const add = (sql: string, v: unknown) => {
    values.push(v);
    where.push(sql.replace('?', `$${first + values.length - 1}`));
  };
  if (f.class) add('class = ?', f.class);
  else if (!f.includeMatched) where.push(`class <> 'matched'`);
  if (f.resolved !== undefined) where.push(f.resolved ? 'resolved_at IS NOT NULL' : 'resolved_at IS NULL');
  if (f.q) {
    values.push(f.q);
    const n = first + values.length - 1;
    where.push(`(order_no = $${n} OR start_charge_seq = $${n})`);
  }
  return { sql: where.join(' AND '), values };
}

export async function listItems(q: Queryable, runId: number, f: ItemFilter, limit: number, offset: number) {
  const w = itemWhere(runId, f);
  // every item: the differences (recon_items) and the items matched in the database (recon_matched)
  const r = await q.query<ItemRow>(`SELECT * FROM recon_items_all WHERE ${w.sql} ORDER BY id LIMIT ${Number(limit)} OFFSET ${Number(offset)}`, w.values);
  const t = await q.query<{ n: string }>(`SELECT count(*) AS n FROM recon_items_all WHERE ${w.sql}`, w.values);
  return { items: r.rows.map(itemView), total: Number(t.rows[0].n) };
}

export async function listRuns(q: Queryable, operatorId: string, partnerId?: string, limit = 100) {
  const r = await q.query<RunRow>(`SELECT * FROM recon_runs WHERE operator_id = $1 AND ($2::text IS NULL OR partner_id = $2) ORDER BY period_from DESC, id DESC LIMIT $3`, [
    operatorId,
    partnerId ?? null,
    limit,
  ]);
  return r.rows.map((x) => runView(x));
}

/** Differences per month per partner (latest run of each month): counts and money at stake. */
export async function monthlyDifferences(q: Queryable, operatorId: string, tz: string) {
  const r = await q.query<{ partner_id: string; month: string; summary: any }>(
    `SELECT DISTINCT ON (partner_id, month) partner_id, to_char(period_from AT TIME ZONE $2, 'YYYY-MM') AS month, summary
     FROM recon_runs WHERE operator_id = $1 AND summary IS NOT NULL ORDER BY partner_id, month, id DESC`,
    [operatorId, tz],
  );
  return r.rows.map((x) => {
    const differences = CLASSES.filter((c) => c !== 'matched').reduce((a, c) => a + (x.summary.counts[c] ?? 0), 0);
    return { partnerId: x.partner_id, month: x.month, differences, stakeAmount: formatYuan(x.summary.stakeFen), counts: x.summary.counts };
  });
}
