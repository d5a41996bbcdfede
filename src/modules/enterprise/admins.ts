import type { Queryable } from '../../platform/db/index.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { hashSecret } from '../../platform/auth/passwords.ts';

/** Enterprise admins: users bound to one enterprise (users.enterprise_id, migration 0251). */
export async function listEnterpriseAdmins(q: Queryable, operatorId: string, enterpriseId: string) {
  const r = await q.query(`SELECT username, created_at FROM users WHERE operator_id = $1 AND enterprise_id = $2 AND role = 'enterprise_admin' ORDER BY username`, [
    operatorId,
    enterpriseId,
  ]);
  return r.rows.map((u: any) => ({ username: u.username as string, createdAt: u.created_at.toISOString() }));
}

export async function createEnterpriseAdmin(q: Queryable, operatorId: string, enterpriseId: string, a: { username: string; password: string }) {
  const taken = await q.query(`SELECT 1 FROM users WHERE username = $1`, [a.username]);
  if (taken.rows[0]) throw conflict(`username ${a.username} is taken`);
  await q.query(`INSERT INTO users (operator_id, username, password_hash, role, enterprise_id) VALUES ($1, $2, $3, 'enterprise_admin', $4)`, [
    operatorId,
    a.username,
    await hashSecret(a.password),
    enterpriseId,
  ]);
}

/** Upsert for provisioning: an existing login of this enterprise gets the new password. */
export async function upsertEnterpriseAdmin(q: Queryable, operatorId: string, enterpriseId: string, a: { username: string; password: string }) {
  const cur = await q.query(`SELECT operator_id, enterprise_id FROM users WHERE username = $1`, [a.username]);
  const u = cur.rows[0] as any;
  if (!u) return createEnterpriseAdmin(q, operatorId, enterpriseId, a);
  if (u.operator_id !== operatorId || u.enterprise_id !== enterpriseId) throw conflict(`username ${a.username} is taken by another login`);
  await q.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1`, [a.username, await hashSecret(a.password)]);
}

export async function deleteEnterpriseAdmin(q: Queryable, operatorId: string, enterpriseId: string, username: string) {
  const r = await q.query(`DELETE FROM users WHERE operator_id = $1 AND enterprise_id = $2 AND username = $3 AND role = 'enterprise_admin'`, [operatorId, enterpriseId, username]);
  if (!r.rowCount) throw notFound(`enterprise admin ${username}`);
}
