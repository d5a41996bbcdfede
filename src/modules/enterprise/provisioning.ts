import { z } from 'zod';
import type { Queryable } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors.ts';
import { parseYuan } from '../../platform/money.ts';
import { createEnterprise, updateEnterprise } from './service.ts';
import { upsertEnterpriseAdmin } from './admins.ts';
import { membershipOf } from './members.ts';

const yuan = z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'yuan as a string with at most 2 decimals, e.g. "12.34"');
const kwh = z.union([z.number().nonnegative(), z.string().regex(/^\d{1,9}(\.\d{1,3})?$/, 'kWh with at most 3 decimals')]);
const docId = z.union([z.string().min(1).max(64), z.number().int()]).transform(String);

export const limitsSchema = z
  .object({ monthlyAmount: yuan.optional(), monthlyEnergyKwh: kwh.optional(), perSessionAmount: yuan.optional() })
  .strict();
export type LimitsDoc = z.infer<typeof limitsSchema>;

export const enterpriseDocSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'an enterprise id: 1-40 letters, digits, _ -'),
    name: z.string().min(1).max(100),
    creditLimit: yuan.default('0'),
    contact: z.string().optional(),
    admins: z.array(z.object({ username: z.string().regex(/^[A-Za-z0-9_.@-]{3,64}$/, 'username: 3-64 letters, digits or _.@-'), password: z.string().min(8).max(1024).optional() }).strict()).default([]),
    departments: z.array(z.object({ id: docId, name: z.string().trim().min(1).max(100), parentId: docId.optional(), limits: limitsSchema.optional() }).strict()).default([]),
    members: z.array(z.object({ phone: z.string().min(1), departmentId: docId, limits: limitsSchema.optional() }).strict()).default([]),
  })
  .strict();
export type EnterpriseDoc = z.infer<typeof enterpriseDocSchema>;

/** kWh (number or decimal string) → integer Wh, without binary-float rounding of the string form. */
export function kwhToWh(v: number | string): number {
  const [i, f = ''] = String(typeof v === 'number' ? v.toFixed(3) : v).split('.');
  return Number(i) * 1000 + Number((f + '000').slice(0, 3));
}

export const limitsToColumns = (l: LimitsDoc | undefined) => ({
  monthlyAmountFen: l?.monthlyAmount === undefined ? null : parseYuan(l.monthlyAmount),
  monthlyEnergyWh: l?.monthlyEnergyKwh === undefined ? null : kwhToWh(l.monthlyEnergyKwh),
  perSessionAmountFen: l?.perSessionAmount === undefined ? null : parseYuan(l.perSessionAmount),
});

/** Departments parents-first; a parent missing from the list or a cycle is reported by refine. */
function parentsFirst(depts: EnterpriseDoc['departments']) {
  const out: EnterpriseDoc['departments'] = [];
  const done = new Set<string>();
  let left = [...depts];
  while (left.length) {
    const ready = left.filter((d) => d.parentId === undefined || done.has(d.parentId));
    if (!ready.length) break;
    for (const d of ready) (out.push(d), done.add(d.id));
    left = left.filter((d) => !done.has(d.id));
  }
  return out;
}

/**
 * The `enterprises` section of an operator (issue 17): enterprises with their admins, department
 * tree, members and limits. Structurally a registry SectionProvisioner; the composition root
 * (src/modules/index.ts) registers it with registry.
 */
export const enterprisesProvisioner = {
  section: 'enterprises',
  schema: z.array(enterpriseDocSchema),
  refine(list: EnterpriseDoc[], op: { drivers?: unknown }, issue: (path: (string | number)[], message: string) => void) {
    const drivers = new Set(Array.isArray(op.drivers) ? op.drivers.map((d: any) => d?.phone) : []);
    const ids = new Set<string>();
    const phones = new Map<string, string>();
    const usernames = new Set<string>();
    list.forEach((e, ei) => {
      if (ids.has(e.id)) issue([ei, 'id'], `duplicate enterprise id ${e.id}`);
      ids.add(e.id);
      e.admins.forEach((a, ai) => {
        if (usernames.has(a.username)) issue([ei, 'admins', ai, 'username'], `duplicate username ${a.username}`);
        usernames.add(a.username);
      });
      const depts = new Set<string>();
      e.departments.forEach((d, di) => {
        if (depts.has(d.id)) issue([ei, 'departments', di, 'id'], `duplicate department id ${d.id}`);
        depts.add(d.id);
      });
      e.departments.forEach((d, di) => {
        if (d.parentId !== undefined && !depts.has(d.parentId)) issue([ei, 'departments', di, 'parentId'], `no department ${d.parentId} in enterprise ${e.id}`);
      });
      const ordered = new Set(parentsFirst(e.departments).map((d) => d.id));
      e.departments.forEach((d, di) => {
        if (!ordered.has(d.id) && d.parentId !== undefined && depts.has(d.parentId)) issue([ei, 'departments', di, 'parentId'], `department ${d.id} is its own ancestor`);
      });
      e.members.forEach((m, mi) => {
        if (!drivers.has(m.phone)) issue([ei, 'members', mi, 'phone'], `${m.phone} is not a driver of this operator's drivers section (members must be provisioned drivers)`);
        const other = phones.get(m.phone);
        if (other !== undefined) issue([ei, 'members', mi, 'phone'], `${m.phone} is already a member of enterprise ${other}`);
        phones.set(m.phone, e.id);
        if (!depts.has(m.departmentId)) issue([ei, 'members', mi, 'departmentId'], `no department ${m.departmentId} in enterprise ${e.id}`);
      });
    });
  },
  async apply(q: Queryable, operatorId: string, list: EnterpriseDoc[]) {
    for (const e of list) await applyEnterprise(q, operatorId, e);
  },
};

async function applyEnterprise(q: Queryable, operatorId: string, e: EnterpriseDoc) {
  const creditLimitFen = parseYuan(e.creditLimit);
  const cur = await q.query(`SELECT 1 FROM enterprises WHERE operator_id = $1 AND id = $2`, [operatorId, e.id]);
  if (cur.rows[0]) await updateEnterprise(q, operatorId, e.id, { name: e.name, creditLimitFen, contact: e.contact ?? null });
  else await createEnterprise(q, operatorId, { id: e.id, name: e.name, creditLimitFen, contact: e.contact });
  for (const a of e.admins) {
    // without a password an existing admin keeps its own (a document need not carry a usable secret)
    const u = (await q.query(`SELECT operator_id, enterprise_id FROM users WHERE username = $1`, [a.username])).rows[0] as any;
    if (u && (u.operator_id !== operatorId || u.enterprise_id !== e.id)) throw new AppError(400, 'invalid_provisioning', `username ${a.username} belongs to another login`);
    if (!u && !a.password) throw new AppError(400, 'invalid_provisioning', `enterprise admin ${a.username} is new and needs a password`);
    if (a.password) await upsertEnterpriseAdmin(q, operatorId, e.id, { username: a.username, password: a.password });
  }
  const dbId = new Map<string, number>();
  for (const d of parentsFirst(e.departments)) {
    const parent = d.parentId === undefined ? null : dbId.get(d.parentId)!;
    const l = limitsToColumns(d.limits);
    const r = await q.query<{ id: number }>(
      `INSERT INTO enterprise_departments (operator_id, enterprise_id, parent_id, name, external_id, monthly_amount_fen, monthly_energy_wh, per_session_amount_fen)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (operator_id, enterprise_id, external_id) WHERE external_id IS NOT NULL
       DO UPDATE SET parent_id = EXCLUDED.parent_id, name = EXCLUDED.name, deleted_at = NULL, monthly_amount_fen = EXCLUDED.monthly_amount_fen,
         monthly_energy_wh = EXCLUDED.monthly_energy_wh, per_session_amount_fen = EXCLUDED.per_session_amount_fen, updated_at = now()
       RETURNING id`,
      [operatorId, e.id, parent, d.name, d.id, l.monthlyAmountFen, l.monthlyEnergyWh, l.perSessionAmountFen],
    );
    dbId.set(d.id, Number(r.rows[0].id));
  }
  for (const m of e.members) {
    const cur = await membershipOf(q, operatorId, m.phone);
    if (cur && cur.enterpriseId !== e.id) throw new AppError(400, 'invalid_provisioning', `driver ${m.phone} is already a member of enterprise ${cur.enterpriseId}`);
    const l = limitsToColumns(m.limits);
    await q.query(
      `INSERT INTO enterprise_members (operator_id, driver_phone, enterprise_id, department_id, monthly_amount_fen, monthly_energy_wh, per_session_amount_fen)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (operator_id, driver_phone) DO UPDATE SET department_id = EXCLUDED.department_id, monthly_amount_fen = EXCLUDED.monthly_amount_fen,
         monthly_energy_wh = EXCLUDED.monthly_energy_wh, per_session_amount_fen = EXCLUDED.per_session_amount_fen, updated_at = now()`,
      [operatorId, m.phone, e.id, dbId.get(m.departmentId)!, l.monthlyAmountFen, l.monthlyEnergyWh, l.perSessionAmountFen],
    );
  }
}
