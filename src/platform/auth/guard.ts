import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized, badRequest } from '../errors.ts';
import type { Principal, Role } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export const STAFF: Role[] = ['platform_admin', 'operator_admin', 'operator_staff'];
export const ADMINS: Role[] = ['platform_admin', 'operator_admin'];

/** A preHandler that admits only the given roles. Every route names its roles. */
export function requireRole(...roles: Role[]) {
  return async (req: FastifyRequest) => {
    if (!req.principal) throw unauthorized();
    if (!roles.includes(req.principal.role)) throw forbidden(`this needs one of the roles ${roles.join(', ')}`);
  };
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
