/**
 * What partner reconciliation (src/modules/reconciliation) needs from orders: the partner orders of
 * a period (by the time their session ENDED), the facts behind a difference, and the two ways to
 * act on one: re-push the order to the partner (through the outbox) and correct it (through the
 * billing engine's correction, never by typing totals).
 */
import { AppError } from '../../platform/errors.ts';
import type { Queryable } from '../../platform/db/index.ts';
import type { Ctx } from '../../platform/context.ts';
import type { PricedPeriod } from '../tariffs/index.ts';
import { correctOrder, type Actor, type CorrectionRequest } from './corrections.ts';
import { emitAll, type After } from './settle.ts';

export interface PartnerOrderFigures {
  orderNo: string;
  startChargeSeq: string | null;
  chargerId: string;
  connectorId: number;
  startMs: number;
  endMs: number;
  wh: number;
  elecFen: number;
  serviceFen: number;
  details: { wh: number; elecFen: number; serviceFen: number }[];
}

/**
 * A hash partition of StartChargeSeq: `abs(hashtext(seq) % of)` in [lo, hi]. Reconciliation puts
 * the partner's rows in the same buckets (the same SQL expression), so one partition of both sides
 * can be matched on its own with bounded memory.
 */
export interface SeqBuckets {
  of: number;
  lo: number;
  hi: number;
}
export const seqBucketSql = (col: string, of: number) => `abs(hashtext(${col}) % ${Math.max(1, Math.floor(of))})`;

/**
 * Partner orders whose charging ended in [from, to), latest version, in keyset batches on
 * (end_time, id) (index orders_partner_end_covering, migration 0544), at most `batch` rows per query; with
 * `buckets`, only the orders whose StartChargeSeq falls in that hash partition (orders without one
 * have no bucket and are left out then).
 */
export async function* partnerOrdersEnded(q: Queryable, operatorId: string, partnerId: string, from: Date, to: Date, batch = 20_000, buckets?: SeqBuckets): AsyncGenerator<PartnerOrderFigures[]> {
  // the keyset's time goes back as PostgreSQL's own text: a Date would drop the microseconds and read
  // the batch's last row again
  let after: [string, number] | null = null;
  const part = buckets ? ` AND ${seqBucketSql('partner_order_no', buckets.of)} BETWEEN ${Math.floor(buckets.lo)} AND ${Math.floor(buckets.hi)}` : '';
  for (;;) {
    const params: unknown[] = [operatorId, partnerId, from, to, batch];
    const keyset = after ? ` AND (end_time, id) > ($${params.push(after[0])}::timestamptz, $${params.push(after[1])})` : '';
    const r: { rows: (FiguresRow & { id: number; end_key: string })[] } = await q.query(
      `SELECT id, end_time::text AS end_key, ${FIGURES} FROM orders
       WHERE operator_id = $1 AND partner_id = $2 AND end_time >= $3 AND end_time < $4${keyset}${part} ORDER BY end_time, id LIMIT $5`,
      params,
    );
    if (!r.rows.length) return;
    const last = r.rows[r.rows.length - 1];
    after = [last.end_key, Number(last.id)];
    yield r.rows.map(figuresOf);
    if (r.rows.length < batch) return;
  }
}

interface FiguresRow {
  order_no: string;
  partner_order_no: string | null;
  charger_id: string;
  connector_id: number;
  start_time: Date;
  end_time: Date;
  energy_wh: number;
  electricity_fen: number;
  service_fen: number;
  periods: PricedPeriod[];
}
const FIGURES = 'order_no, partner_order_no, charger_id, connector_id, start_time, end_time, energy_wh, electricity_fen, service_fen, periods';
const figuresOf = (o: FiguresRow): PartnerOrderFigures => ({
  orderNo: o.order_no,
  startChargeSeq: o.partner_order_no,
  chargerId: o.charger_id,
  connectorId: o.connector_id,
  startMs: o.start_time.getTime(),
  endMs: o.end_time.getTime(),
  wh: Number(o.energy_wh),
  elecFen: Number(o.electricity_fen),
  serviceFen: Number(o.service_fen),
  details: periodFigures(o.periods),
});

/**
 * Orders by id (the `id` column of partnerOrdersEndedSql: what a set-based match left over), as
 * partnerOrdersEnded gives them and in its order (end_time, id).
 */
export async function partnerOrdersById(q: Queryable, operatorId: string, ids: number[]): Promise<PartnerOrderFigures[]> {
  if (!ids.length) return [];
  const r = await q.query<FiguresRow>(`SELECT ${FIGURES} FROM orders WHERE operator_id = $1 AND id = ANY($2::int8[]) ORDER BY end_time, id`, [operatorId, ids]);
  return r.rows.map(figuresOf);
}

/**
 * The same orders as `partnerOrdersEnded` of one hash partition, as a SQL SELECT for a set-based
 * reconciliation (it joins them with the partner's rows inside the database instead of reading a
 * million rows out). Parameters are appended to `params`. Columns: id, end_time, order_no, seq
 * (StartChargeSeq), charger_id, connector_id, start_ms, end_ms (epoch ms, as a Date keeps them),
 * wh, elec_fen, service_fen, periods, and details_add_up: false unless the priced periods (if any)
 * are numbers that add up to the order's energy, electricity and service totals (kept by the order
 * itself, migration 0543: computed when it is written, not for each of a month's orders at a run).
 */
export function partnerOrdersEndedSql(params: unknown[], operatorId: string, partnerId: string, from: Date, to: Date, buckets: SeqBuckets): string {
  const p = (v: unknown) => `$${params.push(v)}`;
  // the whole range (one partition): every order with a StartChargeSeq, without hashing each one
  const whole = buckets.lo <= 0 && buckets.hi >= buckets.of - 1;
  const part = whole ? 'partner_order_no IS NOT NULL' : `${seqBucketSql('partner_order_no', buckets.of)} BETWEEN ${Math.floor(buckets.lo)} AND ${Math.floor(buckets.hi)}`;
  return `SELECT id, end_time, order_no, partner_order_no AS seq, charger_id, connector_id,
      floor(extract(epoch FROM start_time) * 1000)::int8 AS start_ms, floor(extract(epoch FROM end_time) * 1000)::int8 AS end_ms,
      energy_wh::int8 AS wh, electricity_fen::int8 AS elec_fen, service_fen::int8 AS service_fen, periods, periods_add_up AS details_add_up
    FROM orders WHERE operator_id = ${p(operatorId)} AND partner_id = ${p(partnerId)} AND end_time >= ${p(from)} AND end_time < ${p(to)}
      AND ${part}`;
}

/** A priced period as reconciliation compares it (what `partnerOrdersEnded` gives as details). */
export const periodFigures = (periods: PricedPeriod[] | null) => (periods ?? []).map((p) => ({ wh: p.wh, elecFen: p.electricityFen, serviceFen: p.serviceFen }));

/** How many partner orders ended in [from, to) (what sizes a reconciliation's partitions). */
export async function countPartnerOrdersEnded(q: Queryable, operatorId: string, partnerId: string, from: Date, to: Date): Promise<number> {
  const r = await q.query<{ n: string }>(`SELECT count(*) AS n FROM orders WHERE operator_id = $1 AND partner_id = $2 AND end_time >= $3 AND end_time < $4`, [operatorId, partnerId, from, to]);
  return Number(r.rows[0].n);
}

export interface OrderFacts {
  orderNo: string;
  status: string;
  abnormal: boolean;
  version: number;
  sessionId: number;
  partnerId: string | null;
  /** roaming.order outbox rows of the current version: dead-lettered / still pending */
  pushDead: boolean;
  pushPending: boolean;
}

export async function orderFacts(q: Queryable, operatorId: string, orderNos: string[]): Promise<Map<string, OrderFacts>> {
  const out = new Map<string, OrderFacts>();
  if (!orderNos.length) return out;
  const r = await q.query<{ order_no: string; status: string; abnormal: boolean; version: number; session_id: number; partner_id: string | null }>(
    `SELECT order_no, status, abnormal, version, session_id, partner_id FROM orders WHERE operator_id = $1 AND order_no = ANY($2::text[])`,
    [operatorId, orderNos],
  );
  const keys = r.rows.map((o) => `roaming.order:${operatorId}:${o.order_no}:${o.version}`);
  const ob = await q.query<{ dedupe_key: string; status: string }>(`SELECT dedupe_key, status FROM outbox WHERE dedupe_key = ANY($1::text[])`, [keys]);
  const st = new Map(ob.rows.map((x) => [x.dedupe_key, x.status]));
  for (const o of r.rows) {
    const s = st.get(`roaming.order:${operatorId}:${o.order_no}:${o.version}`);
    out.set(o.order_no, { orderNo: o.order_no, status: o.status, abnormal: o.abnormal, version: o.version, sessionId: Number(o.session_id), partnerId: o.partner_id, pushDead: s === 'dead', pushPending: s === 'pending' });
  }
  return out;
}

/**
 * Sends the current version to the partner again: a dead-lettered push goes back in the queue; a
 * delivered one is enqueued once more under the caller's key (idempotent per reconciliation item).
 */
export async function repushOrder(ctx: Ctx, q: Queryable, operatorId: string, orderNo: string, key: string): Promise<'requeued' | 'enqueued' | 'pending'> {
  const o = (await q.query<{ version: number; partner_id: string | null; origin: string; status: string }>(`SELECT version, partner_id, origin, status FROM orders WHERE operator_id = $1 AND order_no = $2`, [operatorId, orderNo])).rows[0];
  if (!o || o.origin !== 'partner' || !o.partner_id) throw new Error(`order ${orderNo} is not a partner order`);
  const base = `roaming.order:${operatorId}:${orderNo}:${o.version}`;
  const row = (await q.query<{ id: number; status: string }>(`SELECT id, status FROM outbox WHERE dedupe_key = $1`, [base])).rows[0];
  if (row?.status === 'pending') return 'pending';
  if (row?.status === 'dead' && (await ctx.outbox.retry(q, row.id, operatorId))) return 'requeued';
  await ctx.outbox.enqueue(q, {
    operatorId,
    topic: 'roaming.order',
    payload: { operatorId, orderNo, version: o.version },
    orderingKey: `roaming:${operatorId}:${o.partner_id}`,
    dedupeKey: `${base}:${key}`,
  });
  return 'enqueued';
}

/** A correction through the billing engine (new inputs, never totals), in the caller's transaction. */
export async function correctOrderFor(ctx: Ctx, q: Queryable, operatorId: string, orderNo: string, req: CorrectionRequest, actor: Actor, after: After) {
  const r = await correctOrder({ outbox: ctx.outbox, events: ctx.events }, q, operatorId, orderNo, req, actor, ctx.clock.now(), after);
  // a reconciliation item is resolved now or not at all: over the staff member's daily correction
  // limit it is refused (the caller's transaction rolls back), an operator admin resolves it
  if (r.pending) throw new AppError(403, 'over_correction_limit', `${r.pending.message.replace(/: it waits for .*$/, '')}: an operator admin resolves this item`);
  return r;
}

export { emitAll as emitOrderEvents, type After as OrderEvents, type Actor as CorrectionActor, type CorrectionRequest };
