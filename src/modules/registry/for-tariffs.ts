import type { Queryable } from '../../platform/db/index.ts';

/** Which tariff a charger bills with: its own override, else its station's (owned by the tariffs helper). */
export async function tariffAssignment(q: Queryable, operatorId: string, chargerId: string) {
  const r = await q.query<{ charger_tariff_id: string | null; station_id: string | null; station_tariff_id: string | null }>(
    `SELECT c.tariff_id AS charger_tariff_id, c.station_id, s.tariff_id AS station_tariff_id
     FROM chargers c LEFT JOIN stations s ON s.id = c.station_id AND s.operator_id = c.operator_id
     WHERE c.operator_id = $1 AND c.id = $2`,
    [operatorId, chargerId],
  );
  const row = r.rows[0];
  if (!row) return null;
  return { chargerTariffId: row.charger_tariff_id, stationId: row.station_id, stationTariffId: row.station_tariff_id, tariffId: row.charger_tariff_id ?? row.station_tariff_id };
}

/** Assigns a tariff to a station; false when the operator has no such station. */
export async function setStationTariff(q: Queryable, operatorId: string, stationId: string, tariffId: string | null): Promise<boolean> {
  const r = await q.query(`UPDATE stations SET tariff_id = $3, updated_at = now() WHERE operator_id = $1 AND id = $2`, [operatorId, stationId, tariffId]);
  return r.rowCount > 0;
}

/** Sets or clears (null: use the station's) a charger's tariff override; false when there is no such charger. */
export async function setChargerTariff(q: Queryable, operatorId: string, chargerId: string, tariffId: string | null): Promise<boolean> {
  const r = await q.query(`UPDATE chargers SET tariff_id = $3, updated_at = now() WHERE operator_id = $1 AND id = $2`, [operatorId, chargerId, tariffId]);
  return r.rowCount > 0;
}
