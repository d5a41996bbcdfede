/**
 * Daily totals for the console dashboard: orders started per local day, their energy and money
 * (held orders counted apart: their figures are not final). One indexed range scan per call.
 */
import type { Queryable } from '../../platform/db/index.ts';

export interface DailyTotals {
  day: string; // yyyy-MM-dd in the operator's time zone
  orders: number;
  energyWh: number;
  totalFen: number;
  held: number;
}

export async function dailyTotals(q: Queryable, operatorId: string, from: Date, to: Date, timeZone: string): Promise<DailyTotals[]> {
  const r = await q.query<{ day: string; orders: number; energy_wh: number; total_fen: number; held: number }>(
    `SELECT to_char(start_time AT TIME ZONE $4, 'YYYY-MM-DD') AS day, count(*)::int AS orders,
       COALESCE(sum(energy_wh) FILTER (WHERE status <> 'held'), 0)::bigint AS energy_wh,
       COALESCE(sum(total_fen) FILTER (WHERE status <> 'held'), 0)::bigint AS total_fen,
       (count(*) FILTER (WHERE status = 'held'))::int AS held
     FROM orders WHERE operator_id = $1 AND start_time >= $2 AND start_time < $3 GROUP BY 1 ORDER BY 1`,
    [operatorId, from, to, timeZone],
  );
  return r.rows.map((x) => ({ day: x.day, orders: x.orders, energyWh: Number(x.energy_wh), totalFen: Number(x.total_fen), held: x.held }));
}

/** Orders held for review, whatever their age (the dashboard's "abnormal orders waiting"). */
export async function heldCount(q: Queryable, operatorId: string): Promise<number> {
  const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE operator_id = $1 AND status = 'held'`, [operatorId]);
  return r.rows[0].n;
}
