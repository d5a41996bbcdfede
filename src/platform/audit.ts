import type { Queryable } from './db/index.ts';

/** One line of the platform's audit_log: who did what to which record, why, and the record before and after. */
export interface AuditEntry {
  operatorId: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | number;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Written in the caller's transaction, so a change and its audit line land (or roll back) together. */
export async function recordAudit(q: Queryable, e: AuditEntry): Promise<void> {
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  await q.query(`INSERT INTO audit_log (operator_id, actor, action, entity, entity_id, reason, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
    e.operatorId,
    e.actor,
    e.action,
    e.entity,
    String(e.entityId),
    e.reason ?? null,
    json(e.before),
    json(e.after),
  ]);
}
