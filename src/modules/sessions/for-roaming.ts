import type { Queryable } from '../../platform/db/index.ts';

/** Energy delivered per connector by sessions started in [from, to) (T/CEC query_station_stats). */
export async function energyByConnector(
  q: Queryable,
  operatorId: string,
  chargerIds: string[],
  from: Date,
  to: Date,
): Promise<{ chargerId: string; connectorId: number; wh: number }[]> {
  const r = await q.query<{ charger_id: string; connector_id: number; wh: number }>(
    `SELECT charger_id, connector_id,
            COALESCE(SUM(GREATEST(0, COALESCE(meter_stop_wh, last_energy_wh, meter_start_wh) - meter_start_wh)), 0)::bigint AS wh
     FROM sessions WHERE operator_id = $1 AND charger_id = ANY($2::text[]) AND started_at >= $3 AND started_at < $4
     GROUP BY charger_id, connector_id`,
    [operatorId, chargerIds, from, to],
  );
  return r.rows.map((x) => ({ chargerId: x.charger_id, connectorId: x.connector_id, wh: Number(x.wh) }));
}
