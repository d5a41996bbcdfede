/**
 * What the wallet's balance watcher reads from tariffs (added by the wallet helper; the tariffs
 * module owns the tables): a frozen tariff version by id, in the pricing engine's form.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { parseTariffVersion } from './parse.ts';
import type { TariffVersion } from './types.ts';

export async function tariffVersionById(q: Queryable, operatorId: string, id: number): Promise<TariffVersion | null> {
  const r = await q.query<{ id: number; tariff_id: string; effective_from: Date; definition: any }>(
    `SELECT id, tariff_id, effective_from, definition FROM tariff_versions WHERE operator_id = $1 AND id = $2`,
    [operatorId, id],
  );
  const v = r.rows[0];
  return v ? parseTariffVersion(v.id, v.tariff_id, v.effective_from.getTime(), v.definition) : null;
}
