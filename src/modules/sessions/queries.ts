import type { Queryable } from '../../platform/db/index.ts';
import { formatKwh } from '../../platform/money.ts';
import type { SessionRow } from './service.ts';

export async function getSession(q: Queryable, operatorId: string | null, id: number): Promise<SessionRow | null> {
  const r = await q.query<SessionRow>(`SELECT * FROM sessions WHERE id = $1 AND ($2::text IS NULL OR operator_id = $2)`, [id, operatorId]);
  return r.rows[0] ?? null;
}

/** The open session on a connector (the newest, should a stop have been lost). */
export async function activeSessionOn(q: Queryable, chargerId: string, connectorId: number): Promise<SessionRow | null> {
  const r = await q.query<SessionRow>(`SELECT * FROM sessions WHERE charger_id = $1 AND connector_id = $2 AND status = 'active' ORDER BY id DESC LIMIT 1`, [
    chargerId,
    connectorId,
  ]);
  return r.rows[0] ?? null;
}

export async function listActiveSessions(q: Queryable, operatorId: string): Promise<SessionRow[]> {
  const r = await q.query<SessionRow>(`SELECT * FROM sessions WHERE operator_id = $1 AND status = 'active' ORDER BY id`, [operatorId]);
  return r.rows;
}

export interface SampleRow {
  at: Date;
  measurand: string;
  phase: string | null;
  location: string | null;
  context: string | null;
  unit: string;
  value: string;
}

export async function listSessionSamples(q: Queryable, sessionId: number, measurand?: string): Promise<SampleRow[]> {
  const r = await q.query<SampleRow>(
    `SELECT at, measurand, phase, location, context, unit, value::text AS value FROM meter_samples
     WHERE session_id = $1 AND ($2::text IS NULL OR measurand = $2) ORDER BY at, id`,
    [sessionId, measurand ?? null],
  );
  return r.rows;
}

export interface SessionFilter {
  operatorId: string | null;
  chargerId?: string;
  status?: 'active' | 'finished';
  from?: Date;
  to?: Date;
  flag?: string;
  limit?: number;
  beforeId?: number;
}

export async function listSessions(q: Queryable, f: SessionFilter): Promise<SessionRow[]> {
  const r = await q.query<SessionRow>(
    `SELECT * FROM sessions
     WHERE ($1::text IS NULL OR operator_id = $1) AND ($2::text IS NULL OR charger_id = $2) AND ($3::text IS NULL OR status = $3)
       AND ($4::timestamptz IS NULL OR started_at >= $4) AND ($5::timestamptz IS NULL OR started_at < $5)
       AND ($6::text IS NULL OR $6 = ANY(flags)) AND ($7::bigint IS NULL OR id < $7)
     ORDER BY id DESC LIMIT $8`,
    [f.operatorId, f.chargerId ?? null, f.status ?? null, f.from ?? null, f.to ?? null, f.flag ?? null, f.beforeId ?? null, Math.min(f.limit ?? 50, 500)],
  );
  return r.rows;
}

/** Energy a session delivered as the meter says: never negative (a rolled-back meter bills nothing). */
export function sessionEnergyWh(s: Pick<SessionRow, 'meter_start_wh' | 'meter_stop_wh' | 'last_energy_wh'>): number {
  const end = s.meter_stop_wh ?? s.last_energy_wh;
  if (end === null || end === undefined) return 0;
  return Math.max(0, Number(end) - Number(s.meter_start_wh));
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function sessionView(s: SessionRow) {
  return {
    id: s.id,
    transactionId: s.id,
    operatorId: s.operator_id,
    stationId: s.station_id,
    chargerId: s.charger_id,
    connectorId: s.connector_id,
    origin: s.origin,
    idTag: s.id_tag,
    idTagStatus: s.id_tag_status,
    driverPhone: s.driver_phone,
    partnerId: s.partner_id,
    startChargeSeq: s.start_charge_seq,
    status: s.status,
    meterStartWh: Number(s.meter_start_wh),
    meterStopWh: s.meter_stop_wh === null ? null : Number(s.meter_stop_wh),
    energyKwh: formatKwh(sessionEnergyWh(s)),
    startedAt: s.started_at.toISOString(),
    stoppedAt: iso(s.stopped_at),
    chargingEndedAt: iso(s.charging_ended_at),
    unpluggedAt: iso(s.unplugged_at),
    stopReason: s.stop_reason,
    stopIdTag: s.stop_id_tag,
    socStart: s.soc_start,
    socEnd: s.soc_end,
    lastEnergyWh: s.last_energy_wh === null ? null : Number(s.last_energy_wh),
    lastPowerW: s.last_power_w === null ? null : Number(s.last_power_w),
    lastSampleAt: iso(s.last_sample_at),
    tariffVersionId: s.tariff_version_id,
    flags: s.flags,
    startReceivedAt: s.start_received_at.toISOString(),
    stopReceivedAt: iso(s.stop_received_at),
  };
}
export type SessionView = ReturnType<typeof sessionView>;

/** What chargers reported that fits no session (unknown transactionId, a second stop that differs, ...). */
export async function listSessionAnomalies(q: Queryable, f: { operatorId: string | null; chargerId?: string; kind?: string; from?: Date; to?: Date; limit?: number }) {
  const r = await q.query<{ id: number; operator_id: string; charger_id: string; connector_id: number | null; session_id: number | null; kind: string; transaction_id: number | null; details: unknown; at: Date }>(
    `SELECT * FROM session_anomalies
     WHERE ($1::text IS NULL OR operator_id = $1) AND ($2::text IS NULL OR charger_id = $2) AND ($3::text IS NULL OR kind = $3)
       AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at < $5)
     ORDER BY at DESC, id DESC LIMIT $6`,
    [f.operatorId, f.chargerId ?? null, f.kind ?? null, f.from ?? null, f.to ?? null, Math.min(f.limit ?? 100, 1000)],
  );
  return r.rows.map((a) => ({
    id: a.id,
    operatorId: a.operator_id,
    chargerId: a.charger_id,
    connectorId: a.connector_id,
    sessionId: a.session_id,
    kind: a.kind,
    transactionId: a.transaction_id,
    details: a.details,
    at: a.at.toISOString(),
  }));
}

/** The charger's metered energy (stop − start, Wh) of several sessions at once; null while a session has no stop reading. */
export async function meteredEnergy(q: Queryable, operatorId: string, ids: number[]): Promise<Map<number, number | null>> {
  if (!ids.length) return new Map();
  const r = await q.query<{ id: number; meter_start_wh: number; meter_stop_wh: number | null }>(
    `SELECT id, meter_start_wh, meter_stop_wh FROM sessions WHERE operator_id = $1 AND id = ANY($2::bigint[])`,
    [operatorId, ids],
  );
  return new Map(r.rows.map((s) => [Number(s.id), s.meter_stop_wh === null ? null : Number(s.meter_stop_wh) - Number(s.meter_start_wh)]));
}
