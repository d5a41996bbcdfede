/**
 * Contract of the enterprise module (issue 17).
 * Owns: enterprises, enterprise_departments, enterprise_members (limits), enterprise admins.
 * Offers: enterprise accounts and their members' limits, statements, bulk member import, its
 *   provisioning section (enterprises).
 * Needs: registry (operators), wallet (ledger postings, drivers, statements: reach-throughs still in
 *   the dependency baseline).
 */
import type { Module } from '../../platform/context.ts';
import { enterpriseRoutes } from './routes.ts';

export { membershipOf, listMembers, type Membership } from './members.ts';
export { departmentTree } from './departments.ts';
export { getEnterprise, listEnterprises } from './service.ts';
export { buildStatement, statementView } from './statement.ts';
export { enterprisesProvisioner } from './provisioning.ts';
export { payerFor, type Payer } from '../wallet/payer.ts';

export const enterpriseModule: Module = {
  name: 'enterprise',
  register: (app, ctx) => enterpriseRoutes(app, ctx),
};
