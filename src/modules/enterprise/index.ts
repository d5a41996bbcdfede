/**
 * Contract of the enterprise module (issue 17).
 * Owns: enterprises, enterprise_departments, enterprise_members (limits), enterprise admins,
 *   enterprise_statements (issued on the 1st, outbox topic enterprise.statement).
 * Offers: enterprise accounts and their members' limits, statements, bulk member import, its
 *   provisioning section (enterprises).
 * Needs: registry (operators), wallet (ledger postings and accounts, statements' charges); the
 *   enterprise registers itself with the wallet as the membership provider (who pays, what caps leave).
 */
import type { Cron } from 'croner';
import type { Module } from '../../platform/context.ts';
import { enterpriseRoutes } from './routes.ts';
import { issueStatement, scheduleStatements, TOPIC_ISSUE } from './issued.ts';
import { registerMembershipProvider } from '../wallet/index.ts';
import { membershipOf, memberAllowance } from './members.ts';

// the wallet asks who pays (a member's enterprise) and what its caps leave through this: it may not import enterprise
registerMembershipProvider({ membershipOf, memberAllowance });

export { membershipOf, listMembers, type Membership } from './members.ts';
export { departmentTree } from './departments.ts';
export { getEnterprise, listEnterprises } from './service.ts';
export { buildStatement, statementView } from './statement.ts';
export { enterprisesProvisioner } from './provisioning.ts';
export { payerFor, type Payer } from '../wallet/index.ts';

export { issueDueStatements, listIssued } from './issued.ts';

const schedules = new WeakMap<object, Cron>();

export const enterpriseModule: Module = {
  name: 'enterprise',
  register(app, ctx) {
    enterpriseRoutes(app, ctx);
    // transactional: the statement is kept in the same transaction as the job's delivered mark
    ctx.outbox.register(TOPIC_ISSUE, (row, q) => issueStatement(ctx, row, q), { transactional: true, backoff: [60, 300, 900, 3600], maxAttempts: 12 });
  },
  start(ctx) {
    schedules.set(ctx, scheduleStatements(ctx));
  },
  stop(ctx) {
    schedules.get(ctx)?.stop();
    schedules.delete(ctx);
  },
};
