import type { Queryable } from '../../platform/db/index.ts';

/**
 * Reasons a charger may not start a new session, from modules above sessions (a quarantined charger,
 * issue 13): they register a guard by name, so sessions and the start paths never import them. Every
 * start path asks `startRefusal` (Authorize and StartTransaction answered Blocked, the app, staff
 * and partner remote starts refused with the reason). A guard reads only the database it is given,
 * so one registry per process serves every platform instance in it.
 */
export type StartGuard = (q: Queryable, operatorId: string, chargerId: string) => Promise<string | null>;

const guards = new Map<string, StartGuard>();

export function registerStartGuard(name: string, fn: StartGuard) {
  guards.set(name, fn);
}

/** The first reason a guard gives for refusing a new session on this charger, or null. */
export async function startRefusal(q: Queryable, operatorId: string, chargerId: string): Promise<string | null> {
  for (const g of guards.values()) {
    const why = await g(q, operatorId, chargerId);
    if (why) return why;
  }
  return null;
}
