/**
 * Usage against limits (issue 17 point 2), for the members and departments screens: what the
 * enterprise ledger booked this month (operator time zone) per member and per department subtree,
 * with the caps set on each. "Used" is counted exactly as memberAllowance counts it for enforcement
 * (ledger transactions of orders and corrections paid by the enterprise this month; energy of those
 * orders), so what the screen shows left is what a start is checked against.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { formatKwh3, formatYuan } from '../../platform/money.ts';

export interface UsageView {
  /** yuan / kWh strings; a cap not set is null */
  limits: { monthlyAmount: string | null; monthlyEnergyKwh: string | null; perSessionAmount: string | null };
  used: { amount: string; energyKwh: string };
  /** what is left under each monthly cap (never below 0), null without a cap */
  left: { amount: string | null; energyKwh: string | null };
}

interface Caps {
  monthly_amount_fen: string | number | null;
  monthly_energy_wh: string | number | null;
  per_session_amount_fen: string | number | null;
}

const num = (v: string | number | null) => (v === null ? null : Number(v));

export function usageView(caps: Caps, usedFen: number, usedWh: number): UsageView {
  const a = num(caps.monthly_amount_fen);
  const e = num(caps.monthly_energy_wh);
  const s = num(caps.per_session_amount_fen);
  return {
    limits: { monthlyAmount: a === null ? null : formatYuan(a), monthlyEnergyKwh: e === null ? null : formatKwh3(e), perSessionAmount: s === null ? null : formatYuan(s) },
    used: { amount: formatYuan(usedFen), energyKwh: formatKwh3(usedWh) },
    left: { amount: a === null ? null : formatYuan(Math.max(0, a - usedFen)), energyKwh: e === null ? null : formatKwh3(Math.max(0, e - usedWh)) },
  };
}

/** This month's usage and caps of every member (by phone) and every department (its whole subtree). */
export async function enterpriseUsage(q: Queryable, operatorId: string, enterpriseId: string, at: Date) {
  const used = await q.query<{ phone: string; dept: string; fen: string; wh: string }>(
    `WITH since AS (
       SELECT date_trunc('month', $3::timestamptz AT TIME ZONE COALESCE(o.timezone, 'Asia/Shanghai')) AT TIME ZONE COALESCE(o.timezone, 'Asia/Shanghai') AS t
       FROM (SELECT 1) x LEFT JOIN operators o ON o.id = $1)
     SELECT t.meta->>'phone' AS phone, t.meta->>'departmentId' AS dept, SUM((t.meta->>'amountFen')::bigint)::bigint AS fen,
            SUM(CASE WHEN t.cause = 'order' THEN COALESCE(ord.energy_wh, 0) ELSE 0 END)::bigint AS wh
     FROM ledger_transactions t CROSS JOIN since
     LEFT JOIN orders ord ON ord.operator_id = t.operator_id AND ord.order_no = t.cause_ref
     WHERE t.operator_id = $1 AND t.meta->>'enterpriseId' = $2 AND t.created_at >= since.t AND t.cause IN ('order', 'correction')
     GROUP BY 1, 2`,
    [operatorId, enterpriseId, at],
  );
  const depts = await q.query<Caps & { id: string; parent_id: string | null }>(
    `SELECT id, parent_id, monthly_amount_fen, monthly_energy_wh, per_session_amount_fen FROM enterprise_departments WHERE operator_id = $1 AND enterprise_id = $2`,
    [operatorId, enterpriseId],
  );
  const members = await q.query<Caps & { driver_phone: string }>(
    `SELECT driver_phone, monthly_amount_fen, monthly_energy_wh, per_session_amount_fen FROM enterprise_members WHERE operator_id = $1 AND enterprise_id = $2`,
    [operatorId, enterpriseId],
  );
  const byPhone = new Map<string, { fen: number; wh: number }>();
  const byDept = new Map<number, { fen: number; wh: number }>();
  const add = <K>(m: Map<K, { fen: number; wh: number }>, k: K, fen: number, wh: number) => {
    const cur = m.get(k) ?? { fen: 0, wh: 0 };
    m.set(k, { fen: cur.fen + fen, wh: cur.wh + wh });
  };
  const parent = new Map(depts.rows.map((d) => [Number(d.id), d.parent_id === null ? null : Number(d.parent_id)]));
  for (const u of used.rows) {
    const fen = Number(u.fen);
    const wh = Number(u.wh);
    add(byPhone, u.phone, fen, wh);
    // a booking counts for its department (at the time of the charge) and every ancestor
    for (let d: number | null = u.dept === null ? null : Number(u.dept), n = 0; d !== null && n < 64; d = parent.get(d) ?? null, n++) add(byDept, d, fen, wh);
  }
  const zero = { fen: 0, wh: 0 };
  return {
    members: new Map(members.rows.map((m) => [m.driver_phone, usageView(m, (byPhone.get(m.driver_phone) ?? zero).fen, (byPhone.get(m.driver_phone) ?? zero).wh)])),
    departments: new Map(depts.rows.map((d) => [Number(d.id), usageView(d, (byDept.get(Number(d.id)) ?? zero).fen, (byDept.get(Number(d.id)) ?? zero).wh)])),
  };
}
