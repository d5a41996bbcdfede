import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized, badRequest, notFound } from '../errors.ts';
import type { Principal, Role } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const STAFF: Role[] = ['platform_admin', 'operator_admin', 'operator_staff'];
export const ADMINS: Role[] = ['platform_admin', 'operator_admin'];
/** Staff plus an enterprise's own admin: only for routes that scope to the enterprise (enterpriseScope). */
export const ENTERPRISE: Role[] = [...STAFF, 'enterprise_admin'];
/**
 * Who adds or removes enterprise members (issue 11, point 10): an operator admin or the platform
 * admin, and the enterprise's own admin inside its enterprise (issue 17); never operator_staff, since
 * a member charges to the enterprise's account.
 */
export const MEMBER_ADMINS: Role[] = [...ADMINS, 'enterprise_admin'];

export const ROLE_GUARD = Symbol('roleGuard');
export type RoleGuard = ((req: FastifyRequest) => Promise<void>) & { [ROLE_GUARD]: Role[] };
export const isRoleGuard = (f: unknown): f is RoleGuard => typeof f === 'function' && ROLE_GUARD in f;

/**
 * A preHandler that admits only the given roles. Every route names its roles. The HTTP app runs it
 * at onRequest (see createHttpApp), so a caller without the role is refused before its body is read
 * or validated: no validation message for someone who may not call the route at all.
 */
export function requireRole(...roles: Role[]): RoleGuard {
  const guard = async (req: FastifyRequest) => {
    if (!req.principal) throw unauthorized();
    if (!roles.includes(req.principal.role)) throw forbidden(`this needs one of the roles ${roles.join(', ')}`);
  };
  return Object.assign(guard, { [ROLE_GUARD]: roles });
}

/**
 * The operator a request acts for. Operator users always act for their own operator (a different
 * one asked for is refused); a platform admin names one with ?operatorId= or X-Operator-Id.
 */
export function operatorScope(req: FastifyRequest, opts: { optional?: boolean } = {}): string | null {
  const p = req.principal;
  if (!p) throw unauthorized();
  const asked =
    ((req.query as Record<string, unknown> | undefined)?.operatorId as string | undefined) ??
    (req.headers['x-operator-id'] as string | undefined);
  if (p.role !== 'platform_admin') {
    if (asked && asked !== p.operatorId) throw forbidden('you may only see your own operator');
    return p.operatorId!;
  }
  if (!asked && !opts.optional) throw badRequest('a platform admin must name the operator: ?operatorId= or X-Operator-Id');
  return asked ?? null;
}

/** operatorScope for routes that need one operator. */
export const requireOperator = (req: FastifyRequest) => operatorScope(req) as string;

/**
 * For routes under /api/v1/enterprises/{id}: an enterprise admin may only name its own enterprise.
 * Another enterprise's id answers 404 (as if it did not exist: nothing learnt about other customers).
 */
export function enterpriseScope(req: FastifyRequest, enterpriseId: string): string {
  const op = requireOperator(req);
  const p = req.principal!;
  if (p.role === 'enterprise_admin' && p.enterpriseId !== enterpriseId) throw notFound(`enterprise ${enterpriseId}`);
  return op;
}
