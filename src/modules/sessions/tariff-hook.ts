import type { Queryable } from '../../platform/db/index.ts';
import { resolveTariffVersionId } from '../tariffs/index.ts';

/** The tariff version in force for this charger when the session starts, frozen onto the session. */
export async function resolveTariffVersion(q: Queryable, operatorId: string, chargerId: string, at: Date): Promise<number | null> {
  return (await resolveTariffVersionId(q, operatorId, chargerId, at)) ?? null;
}
