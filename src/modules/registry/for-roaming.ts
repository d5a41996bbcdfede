import type { Queryable } from '../../platform/db/index.ts';

/** Stations (of the given ids) whose station, charger or connector data changed since `since` (T/CEC LastQueryTime). */
export async function stationsChangedSince(q: Queryable, operatorId: string, stationIds: string[], since: Date): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `SELECT s.id FROM stations s WHERE s.operator_id = $1 AND s.id = ANY($2::text[]) AND (
       s.updated_at > $3
       OR EXISTS (SELECT 1 FROM chargers c WHERE c.station_id = s.id AND c.operator_id = $1 AND c.updated_at > $3)
       OR EXISTS (SELECT 1 FROM connectors x JOIN chargers c ON c.id = x.charger_id WHERE c.station_id = s.id AND x.operator_id = $1 AND x.updated_at > $3))
     ORDER BY s.id`,
    [operatorId, stationIds, since],
  );
  return r.rows.map((x) => x.id);
}
