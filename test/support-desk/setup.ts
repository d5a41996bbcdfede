import { randomBytes } from 'node:crypto';
import { signToken } from '../../src/platform/auth/tokens.ts';
import type { TestPlatform } from '../support/platform.ts';

export interface Creds {
  username: string;
  password: string;
}

/**
 * Users of this test file, made here with fresh random passwords (the documents' fixed demo
 * passwords are not relied on): operator_admin and operator_staff of the first operator, a platform
 * admin, and, when the document has a second operator, its admin.
 */
export function addUsers(doc: any, prefix = 'sd') {
  const pw = () => randomBytes(12).toString('base64url');
  const make = (username: string) => ({ username: `${prefix}-${username}`, password: pw() });
  const admin = make('admin');
  const staff = make('staff');
  const root = make('root');
  const other = make('other');
  doc.admins = [root];
  doc.operators[0].users = [
    { ...admin, role: 'operator_admin' },
    { ...staff, role: 'operator_staff' },
  ];
  if (doc.operators[1]) doc.operators[1].users = [{ ...other, role: 'operator_admin' }];
  return { admin, staff, root, other };
}

export async function logins(p: TestPlatform, u: ReturnType<typeof addUsers>, driver: { phone: string; operatorId: string }) {
  return {
    admin: await p.login(u.admin.username, u.admin.password),
    staff: await p.login(u.staff.username, u.staff.password),
    root: await p.login(u.root.username, u.root.password),
    other: u.other ? await p.login(u.other.username, u.other.password).catch(() => '') : '',
    // a driver's H5 token, as the driver login signs it
    driver: signToken({ sub: driver.phone, role: 'driver', operatorId: driver.operatorId }, p.ctx.authSecret),
  };
}
