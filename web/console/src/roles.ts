import { session } from './api.ts';

/**
 * What the signed-in role may do, mirroring the API's guards (issue 18.7: a form the API refuses is not
 * shown). operator_staff: look, start/stop/unlock for a driver, correct within its allowance; admins:
 * everything that changes configuration, money settings or keys.
 */
export const isStaff = () => session.me()?.role === 'operator_staff';
export const isAdminRole = () => !isStaff() && session.me()?.role !== 'enterprise_admin';
