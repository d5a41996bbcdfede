import type { Queryable } from '../../platform/db/index.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import { liveDepartment } from './members.ts';
import { recordAudit } from '../../platform/audit.ts';

export interface DepartmentNode {
  id: number;
  name: string;
  parentId: number | null;
  path: string;
  memberCount: number;
  children: DepartmentNode[];
}

/**
 * The live department tree. A department is shown only when it and every ancestor are live: even
 * if a row were left behind under a deleted parent (case 8), it never reaches a picker.
 */
export async function departmentTree(q: Queryable, operatorId: string, enterpriseId: string): Promise<{ tree: DepartmentNode[]; flat: Omit<DepartmentNode, 'children'>[] }> {
  const r = await q.query(
    `SELECT d.id, d.name, d.parent_id, (SELECT COUNT(*)::int FROM enterprise_members m WHERE m.department_id = d.id) AS members
     FROM enterprise_departments d WHERE d.operator_id = $1 AND d.enterprise_id = $2 AND d.deleted_at IS NULL ORDER BY d.name, d.id`,
    [operatorId, enterpriseId],
  );
  const nodes = new Map<number, DepartmentNode>();
  for (const d of r.rows as any[])
    nodes.set(Number(d.id), { id: Number(d.id), name: d.name, parentId: d.parent_id === null ? null : Number(d.parent_id), path: d.name, memberCount: d.members, children: [] });
  const tree: DepartmentNode[] = [];
  for (const n of nodes.values()) {
    if (n.parentId === null) tree.push(n);
    else nodes.get(n.parentId)?.children.push(n); // a parent that is not live drops the subtree
  }
  const flat: Omit<DepartmentNode, 'children'>[] = [];
  const walk = (ns: DepartmentNode[], prefix: string) => {
    for (const n of ns) {
      n.path = prefix ? `${prefix} / ${n.name}` : n.name;
      const { children, ...rest } = n;
      flat.push(rest);
      walk(children, n.path);
    }
  };
  walk(tree, '');
  return { tree, flat };
}

async function enterpriseExists(q: Queryable, operatorId: string, enterpriseId: string) {
  const r = await q.query(`SELECT 1 FROM enterprises WHERE operator_id = $1 AND id = $2`, [operatorId, enterpriseId]);
  if (!r.rows[0]) throw notFound(`enterprise ${enterpriseId}`);
}

const siblingClash = (e: any) => e?.code === '23505' || /enterprise_departments_name/.test(String(e?.message));

export async function createDepartment(q: Queryable, operatorId: string, enterpriseId: string, d: { name: string; parentId?: number | null }): Promise<number> {
  await enterpriseExists(q, operatorId, enterpriseId);
  if (d.parentId != null) await liveDepartment(q, operatorId, enterpriseId, d.parentId);
  const dup = await q.query(
    `SELECT 1 FROM enterprise_departments WHERE operator_id = $1 AND enterprise_id = $2 AND parent_id IS NOT DISTINCT FROM $3 AND name = $4 AND deleted_at IS NULL`,
    [operatorId, enterpriseId, d.parentId ?? null, d.name],
  );
  if (dup.rows[0]) throw conflict(`a department named ${d.name} already exists there`);
  try {
    const r = await q.query<{ id: number }>(`INSERT INTO enterprise_departments (operator_id, enterprise_id, parent_id, name) VALUES ($1, $2, $3, $4) RETURNING id`, [
      operatorId,
      enterpriseId,
      d.parentId ?? null,
      d.name,
    ]);
    return Number(r.rows[0].id);
  } catch (e) {
    if (siblingClash(e)) throw conflict(`a department named ${d.name} already exists there`);
    throw e;
  }
}

async function subtreeIds(q: Queryable, id: number): Promise<number[]> {
  const r = await q.query<{ id: number }>(
    `WITH RECURSIVE sub AS (SELECT id FROM enterprise_departments WHERE id = $1 UNION SELECT c.id FROM enterprise_departments c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub`,
    [id],
  );
  return r.rows.map((x) => Number(x.id));
}

export async function updateDepartment(q: Queryable, operatorId: string, enterpriseId: string, id: number, patch: { name?: string; parentId?: number | null }) {
  await liveDepartment(q, operatorId, enterpriseId, id).catch(() => {
    throw notFound(`department ${id}`);
  });
  if (patch.parentId != null) {
    await liveDepartment(q, operatorId, enterpriseId, patch.parentId);
    if ((await subtreeIds(q, id)).includes(patch.parentId)) throw badRequest('a department cannot move under itself or one of its sub-departments');
  }
  try {
    await q.query(
      `UPDATE enterprise_departments SET name = COALESCE($3, name), parent_id = CASE WHEN $4::boolean THEN $5::bigint ELSE parent_id END, updated_at = now()
       WHERE operator_id = $1 AND id = $2`,
      [operatorId, id, patch.name ?? null, patch.parentId !== undefined, patch.parentId ?? null],
    );
  } catch (e) {
    if (siblingClash(e)) throw conflict(`a department named ${patch.name} already exists there`);
    throw e;
  }
}

/**
 * Soft-deletes a department with its whole subtree in one statement. Refused while any of them has
 * members: they are moved first, so no member ever sits in a deleted department.
 */
export async function deleteDepartment(q: Queryable, operatorId: string, enterpriseId: string, id: number, actor: string) {
  await liveDepartment(q, operatorId, enterpriseId, id).catch(() => {
    throw notFound(`department ${id}`);
  });
  const ids = await subtreeIds(q, id);
  const members = await q.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM enterprise_members WHERE department_id = ANY($1::bigint[])`, [ids]);
  if (members.rows[0].n > 0)
    throw conflict(`department ${id} or its sub-departments still have ${members.rows[0].n} member(s); move them first`, { members: members.rows[0].n });
  await q.query(`UPDATE enterprise_departments SET deleted_at = now(), deleted_by = $3, updated_at = now() WHERE operator_id = $1 AND id = ANY($2::bigint[]) AND deleted_at IS NULL`, [
    operatorId,
    ids,
    actor,
  ]);
  await recordAudit(q, { operatorId, actor, action: 'department.delete', entity: 'department', entityId: id, after: { deleted: ids } });
  return ids;
}
