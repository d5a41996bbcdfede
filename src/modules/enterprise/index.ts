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
