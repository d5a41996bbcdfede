/**
 * What the orders module reads from and writes to sessions (added by the orders helper; the sessions
 * module owns the tables). Plain camelCase views, always filtered by operator.
 */
import type { Queryable } from '../../platform/db/index.ts';

export interface SessionForOrder {
  id: number;
  operatorId: string;
  stationId: string | null;
  chargerId: string;
  connectorId: number;
  origin: 'charger' | 'app' | 'partner' | 'staff';
  idTag: string | null;
  idTagStatus: string | null;
  driverPhone: string | null;
  partnerId: string | null;
  startChargeSeq: string | null;
  status: 'active' | 'finished';
  meterStartWh: number;
  meterStopWh: number | null;
  startedAt: Date;
  stoppedAt: Date | null;
  chargingEndedAt: Date | null;
  unpluggedAt: Date | null;
  /** Server time the StopTransaction arrived: how long we have waited for the unplug is measured from it. */
  stopReceivedAt: Date | null;
  stopReason: string | null;
  socStart: number | null;
  socEnd: number | null;
  lastEnergyWh: number | null;
  lastSampleAt: Date | null;
  tariffVersionId: number | null;
  flags: string[];
}

const COLUMNS = `id, operator_id AS "operatorId", station_id AS "stationId", charger_id AS "chargerId", connector_id AS "connectorId",
  origin, id_tag AS "idTag", id_tag_status AS "idTagStatus", driver_phone AS "driverPhone", partner_id AS "partnerId",
  start_charge_seq AS "startChargeSeq", status, meter_start_wh AS "meterStartWh", meter_stop_wh AS "meterStopWh",
  started_at AS "startedAt", stopped_at AS "stoppedAt", charging_ended_at AS "chargingEndedAt", unplugged_at AS "unpluggedAt",
  stop_received_at AS "stopReceivedAt", stop_reason AS "stopReason", soc_start AS "socStart", soc_end AS "socEnd", last_energy_wh AS "lastEnergyWh",
  last_sample_at AS "lastSampleAt", tariff_version_id AS "tariffVersionId", flags`;

export async function sessionForOrder(q: Queryable, operatorId: string, sessionId: number): Promise<SessionForOrder | null> {
  const r = await q.query<SessionForOrder>(`SELECT ${COLUMNS} FROM sessions WHERE operator_id = $1 AND id = $2`, [operatorId, sessionId]);
  return r.rows[0] ?? null;
}

/** Energy register readings (total, not per phase) of a session, in time order. */
export async function energySamples(q: Queryable, operatorId: string, sessionId: number): Promise<{ at: number; wh: number }[]> {
  const r = await q.query<{ at: Date; value: string }>(
    `SELECT at, value FROM meter_samples
     WHERE operator_id = $1 AND session_id = $2 AND measurand = 'Energy.Active.Import.Register' AND phase IS NULL
     ORDER BY at, id`,
    [operatorId, sessionId],
  );
  return r.rows.map((s) => ({ at: s.at.getTime(), wh: Math.round(Number(s.value)) }));
}

/** The running price of an active session (pricing engine output, money as fen). */
export async function setLiveCost(q: Queryable, operatorId: string, sessionId: number, liveCost: unknown): Promise<void> {
  await q.query(`UPDATE sessions SET live_cost = $3 WHERE operator_id = $1 AND id = $2 AND status = 'active'`, [operatorId, sessionId, JSON.stringify(liveCost)]);
}
