import type { Queryable } from '../../platform/db/index.ts';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.ts';

import type { Membership, Allowance } from '../wallet/index.ts';

export type { Membership, Allowance };

export async function membershipOf(q: Queryable, operatorId: string, phone: string): Promise<Membership | null> {
  const r = await q.query(
    `SELECT m.enterprise_id, e.name AS enterprise_name, e.status, m.department_id, d.name AS department_name
     FROM enterprise_members m JOIN enterprises e ON e.operator_id = m.operator_id AND e.id = m.enterprise_id
     JOIN enterprise_departments d ON d.id = m.department_id
     WHERE m.operator_id = $1 AND m.driver_phone = $2`,
    [operatorId, phone],
  );
  const m = r.rows[0];
  return m ? { enterpriseId: m.enterprise_id, enterpriseName: m.enterprise_name, enterpriseStatus: m.status, departmentId: Number(m.department_id), departmentName: m.department_name } : null;
}

/** A live department of this enterprise, or a 400 naming the problem (deleted departments are never a choice). */
export async function liveDepartment(q: Queryable, operatorId: string, enterpriseId: string, departmentId: number) {
  const r = await q.query(`SELECT id, name, deleted_at FROM enterprise_departments WHERE operator_id = $1 AND enterprise_id = $2 AND id = $3`, [
    operatorId,
    enterpriseId,
    departmentId,
  ]);
  const d = r.rows[0];
  if (!d) throw badRequest(`department ${departmentId} is not a department of enterprise ${enterpriseId}`);
  if (d.deleted_at) throw badRequest(`department ${departmentId} (${d.name}) was deleted`);
  return d;
}

/** Members of live departments only (optionally of one department and its subtree). */
export async function listMembers(q: Queryable, operatorId: string, enterpriseId: string, departmentId?: number) {
  const r = await q.query(
    `WITH RECURSIVE sub AS (
       SELECT id FROM enterprise_departments WHERE operator_id = $1 AND enterprise_id = $2 AND deleted_at IS NULL AND ($3::bigint IS NULL OR id = $3)
       UNION SELECT c.id FROM enterprise_departments c JOIN sub ON c.parent_id = sub.id WHERE c.deleted_at IS NULL AND $3::bigint IS NOT NULL)
     SELECT m.driver_phone, dr.name, dr.status, m.department_id, d.name AS department_name, m.created_at
     FROM enterprise_members m JOIN enterprise_departments d ON d.id = m.department_id AND d.deleted_at IS NULL
     JOIN drivers dr ON dr.operator_id = m.operator_id AND dr.phone = m.driver_phone
     WHERE m.operator_id = $1 AND m.enterprise_id = $2 AND m.department_id IN (SELECT id FROM sub)
     ORDER BY d.name, m.driver_phone`,
    [operatorId, enterpriseId, departmentId ?? null],
  );
  return r.rows.map((m: any) => ({
    phone: m.driver_phone,
    name: m.name,
    driverStatus: m.status,
    departmentId: Number(m.department_id),
    departmentName: m.department_name,
    joinedAt: m.created_at.toISOString(),
  }));
}

export async function addMember(q: Queryable, operatorId: string, enterpriseId: string, phone: string, departmentId: number) {
  const drv = await q.query(`SELECT 1 FROM drivers WHERE operator_id = $1 AND phone = $2`, [operatorId, phone]);
  if (!drv.rows[0]) throw notFound(`driver ${phone}`);
  await liveDepartment(q, operatorId, enterpriseId, departmentId);
  const cur = await membershipOf(q, operatorId, phone);
  if (cur && cur.enterpriseId !== enterpriseId) throw conflict(`driver ${phone} is already a member of enterprise ${cur.enterpriseId}`);
  if (cur) throw conflict(`driver ${phone} is already a member; move them with PATCH`);
  await q.query(`INSERT INTO enterprise_members (operator_id, driver_phone, enterprise_id, department_id) VALUES ($1, $2, $3, $4)`, [operatorId, phone, enterpriseId, departmentId]);
}

export async function moveMember(q: Queryable, operatorId: string, enterpriseId: string, phone: string, departmentId: number) {
  // the member first: another operator's enterprise or member is a 404, whatever department is named
  const m = await q.query(`SELECT 1 FROM enterprise_members WHERE operator_id = $1 AND enterprise_id = $2 AND driver_phone = $3`, [operatorId, enterpriseId, phone]);
  if (!m.rows[0]) throw notFound(`member ${phone} of enterprise ${enterpriseId}`);
  await liveDepartment(q, operatorId, enterpriseId, departmentId);
  const r = await q.query(`UPDATE enterprise_members SET department_id = $4, updated_at = now() WHERE operator_id = $1 AND enterprise_id = $2 AND driver_phone = $3`, [
    operatorId,
    enterpriseId,
    phone,
    departmentId,
  ]);
  if (!r.rowCount) throw notFound(`member ${phone} of enterprise ${enterpriseId}`);
}

export async function removeMember(q: Queryable, operatorId: string, enterpriseId: string, phone: string) {
  const r = await q.query(`DELETE FROM enterprise_members WHERE operator_id = $1 AND enterprise_id = $2 AND driver_phone = $3`, [operatorId, enterpriseId, phone]);
  if (!r.rowCount) throw new AppError(404, 'not_found', `member ${phone} of enterprise ${enterpriseId} not found`);
}

/**
 * What a member may still spend this month (operator time zone) under its own caps and those of its
 * department and every ancestor department (a department's cap covers its sub-departments). Usage is
 * what the enterprise ledger booked this month (orders and corrections) and the energy of those orders.
 * Null when no cap applies.
 */
export async function memberAllowance(q: Queryable, operatorId: string, phone: string, at: Date): Promise<Allowance | null> {
  const r = await q.query(
    `WITH RECURSIVE m AS (
       SELECT em.enterprise_id, em.department_id, em.monthly_amount_fen, em.monthly_energy_wh, em.per_session_amount_fen,
              date_trunc('month', $3::timestamptz AT TIME ZONE COALESCE(o.timezone, 'Asia/Shanghai')) AT TIME ZONE COALESCE(o.timezone, 'Asia/Shanghai') AS since
       FROM enterprise_members em LEFT JOIN operators o ON o.id = em.operator_id
       WHERE em.operator_id = $1 AND em.driver_phone = $2),
     up AS (SELECT d.id, d.parent_id, d.name, d.monthly_amount_fen, d.monthly_energy_wh, d.per_session_amount_fen FROM enterprise_departments d JOIN m ON d.id = m.department_id
            UNION SELECT p.id, p.parent_id, p.name, p.monthly_amount_fen, p.monthly_energy_wh, p.per_session_amount_fen FROM enterprise_departments p JOIN up ON p.id = up.parent_id),
     down AS (SELECT id, id AS root FROM up UNION SELECT c.id, down.root FROM enterprise_departments c JOIN down ON c.parent_id = down.id),
     used AS (SELECT t.meta->>'phone' AS phone, (t.meta->>'departmentId')::bigint AS dept, (t.meta->>'amountFen')::bigint AS fen,
                     CASE WHEN t.cause = 'order' THEN COALESCE(ord.energy_wh, 0) ELSE 0 END AS wh
              FROM ledger_transactions t JOIN m ON t.meta->>'enterpriseId' = m.enterprise_id AND t.created_at >= m.since
              LEFT JOIN orders ord ON ord.operator_id = t.operator_id AND ord.order_no = t.cause_ref
              WHERE t.operator_id = $1 AND t.cause IN ('order', 'correction'))
     SELECT 'member' AS scope, m.monthly_amount_fen AS amount_cap, m.monthly_energy_wh AS energy_cap, m.per_session_amount_fen AS session_cap,
            (SELECT COALESCE(SUM(fen), 0) FROM used WHERE phone = $2)::bigint AS used_fen, (SELECT COALESCE(SUM(wh), 0) FROM used WHERE phone = $2)::bigint AS used_wh
     FROM m
     UNION ALL
     SELECT 'department ' || up.name, up.monthly_amount_fen, up.monthly_energy_wh, up.per_session_amount_fen,
            (SELECT COALESCE(SUM(fen), 0) FROM used WHERE dept IN (SELECT id FROM down WHERE root = up.id))::bigint,
            (SELECT COALESCE(SUM(wh), 0) FROM used WHERE dept IN (SELECT id FROM down WHERE root = up.id))::bigint
     FROM up`,
    [operatorId, phone, at],
  );
  let out = null as Allowance | null;
  for (const c of r.rows as any[]) {
    const fen = c.amount_cap === null ? null : Number(c.amount_cap) - Number(c.used_fen);
    const wh = c.energy_cap === null ? null : Number(c.energy_cap) - Number(c.used_wh);
    const sess = c.session_cap === null ? null : Number(c.session_cap);
    if (fen === null && wh === null && sess === null) continue;
    const min = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
    // the tightest cap binds; the scope named is the one with the least money (else energy) left
    const prev: Allowance | null = out;
    const tighter: boolean = !prev || (fen !== null && (prev.remainingFen === null || fen < prev.remainingFen)) || (fen === null && wh !== null && (prev.remainingWh === null || wh < prev.remainingWh));
    out = { scope: tighter || !prev ? c.scope : prev.scope, remainingFen: min(prev?.remainingFen ?? null, fen), remainingWh: min(prev?.remainingWh ?? null, wh), perSessionFen: min(prev?.perSessionFen ?? null, sess) };
  }
  return out;
}
