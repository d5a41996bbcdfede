import type { Queryable } from '../../platform/db/index.ts';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.ts';

export interface Membership {
  enterpriseId: string;
  enterpriseName: string;
  enterpriseStatus: 'active' | 'suspended';
  departmentId: number;
  departmentName: string;
}

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
