import type { Queryable } from '../../platform/db/index.ts';
import { recordAudit } from '../../platform/audit.ts';

/**
 * Every change made through the enterprise routes is recorded in the platform audit_log, in the
 * same transaction as the change (issue 17: an enterprise admin's changes are all audited). The
 * actor is the login name; the role is kept with the change so an enterprise admin's edits can be
 * told from the operator's.
 */
export async function auditEnterprise(
  q: Queryable,
  a: { operatorId: string; actor: string; role: string; enterpriseId: string; action: string; entity: string; entityId: string | number; after?: unknown },
) {
  await recordAudit(q, {
    operatorId: a.operatorId,
    actor: a.actor,
    action: a.action,
    entity: a.entity,
    entityId: a.entityId,
    after: { enterpriseId: a.enterpriseId, role: a.role, ...(a.after && typeof a.after === 'object' ? a.after : a.after === undefined ? {} : { value: a.after }) },
  });
}
