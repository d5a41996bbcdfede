/**
 * The staff correction limit (issue 11, point 10): what one operator_staff member may change on
 * bills in one operator day (the operator's time zone) without an operator admin, cumulative over
 * all their corrections of that day. A correction that would go over the limit is stored as
 * `pending_approval` and applied only when an operator admin approves it. What counts is how much
 * the correction changes the bill of an order paid from a wallet or an enterprise account
 * (|new total − previous total|); partner and bare-card orders move no balance and count nothing.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { badRequest } from '../../platform/errors.ts';
import { formatYuan } from '../../platform/money.ts';
import { operatorTimeZone } from '../tariffs/index.ts';

export const DEFAULT_STAFF_DAILY_CORRECTION_LIMIT_FEN = 100_00;

/** Pure rule: does a correction counting `countedFen` go over the day's limit after `usedFen`? */
export const overDailyLimit = (usedFen: number, countedFen: number, limitFen: number): boolean => countedFen > 0 && usedFen + countedFen > limitFen;

/** The operator's local calendar day of an instant, YYYY-MM-DD. */
export function operatorDay(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export interface OrderSettings {
  staffDailyCorrectionLimitFen: number;
}

export async function orderSettings(q: Queryable, operatorId: string): Promise<OrderSettings> {
  const r = await q.query<{ staff_daily_correction_limit_fen: number }>(`SELECT staff_daily_correction_limit_fen FROM order_settings WHERE operator_id = $1`, [operatorId]);
  return { staffDailyCorrectionLimitFen: Number(r.rows[0]?.staff_daily_correction_limit_fen ?? DEFAULT_STAFF_DAILY_CORRECTION_LIMIT_FEN) };
}

export async function saveOrderSettings(q: Queryable, operatorId: string, s: OrderSettings): Promise<OrderSettings> {
  if (!Number.isSafeInteger(s.staffDailyCorrectionLimitFen) || s.staffDailyCorrectionLimitFen < 0) throw badRequest('staffDailyCorrectionLimit is a non-negative amount');
  await q.query(
    `INSERT INTO order_settings (operator_id, staff_daily_correction_limit_fen) VALUES ($1, $2)
     ON CONFLICT (operator_id) DO UPDATE SET staff_daily_correction_limit_fen = EXCLUDED.staff_daily_correction_limit_fen, updated_at = now()`,
    [operatorId, s.staffDailyCorrectionLimitFen],
  );
  return orderSettings(q, operatorId);
}

export interface StaffGate {
  day: string;
  usedFen: number;
  limitFen: number;
  over: boolean;
}

/**
 * Checks a staff correction against the member's day. Serialised per (operator, staff member, day)
 * with a transaction-scoped advisory lock, so two corrections sent at once cannot both pass on the
 * same unused allowance.
 */
export async function staffGate(q: Queryable, operatorId: string, username: string, now: number, countedFen: number): Promise<StaffGate> {
  const day = operatorDay(now, await operatorTimeZone(q, operatorId));
  await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`order-correction-limit:${operatorId}:${username}:${day}`]);
  const used = await q.query<{ fen: number }>(
    `SELECT COALESCE(SUM(counted_fen), 0)::bigint AS fen FROM order_correction_requests WHERE operator_id = $1 AND requested_by = $2 AND op_day = $3 AND status = 'applied'`,
    [operatorId, username, day],
  );
  const usedFen = Number(used.rows[0].fen);
  const { staffDailyCorrectionLimitFen: limitFen } = await orderSettings(q, operatorId);
  return { day, usedFen, limitFen, over: overDailyLimit(usedFen, countedFen, limitFen) };
}

export async function recordStaffCorrection(
  q: Queryable,
  r: { operatorId: string; orderNo: string; baseVersion: number; username: string; day: string; countedFen: number; request: unknown; status: 'applied' | 'pending_approval'; resultVersion?: number; now: number },
): Promise<number> {
  const ins = await q.query<{ id: number }>(
    `INSERT INTO order_correction_requests (operator_id, order_no, base_version, requested_by, op_day, counted_fen, request, status, result_version, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [r.operatorId, r.orderNo, r.baseVersion, r.username, r.day, r.countedFen, JSON.stringify(r.request), r.status, r.resultVersion ?? null, new Date(r.now)],
  );
  return ins.rows[0].id;
}

export const limitMessage = (g: StaffGate, countedFen: number) =>
  `this correction changes the bill by ${formatYuan(countedFen)} yuan; with ${formatYuan(g.usedFen)} yuan already corrected today (${g.day}) it goes over the staff limit of ${formatYuan(g.limitFen)} yuan per day: it waits for an operator admin's approval`;
