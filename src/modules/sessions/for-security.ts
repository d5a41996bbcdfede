import type { Queryable } from '../../platform/db/index.ts';

/**
 * What the billing-evasion rules (the security module) read of sessions: a charger's open
 * transactions and each connector's last meterStop (the live detector's memory after a restart),
 * and, for a history scan, the sessions and energy register readings of one charger in a window.
 */
export interface ConnectorBaseline {
  connectorId: number;
  openTx: { id: number; idTag: string; status: string; meterStart: number; startAt: Date; last: number | null; lastAt: Date | null } | null;
  lastStopWh: number | null;
}

export async function connectorBaselines(q: Queryable, operatorId: string, chargerId: string): Promise<ConnectorBaseline[]> {
  const r = await q.query<{ connector_id: number; id: number | null; id_tag: string | null; id_tag_status: string | null; meter_start_wh: number | null; started_at: Date | null; last_energy_wh: number | null; last_sample_at: Date | null; last_stop: number | null }>(
    `SELECT c.connector_id, a.id, a.id_tag, a.id_tag_status, a.meter_start_wh, a.started_at, a.last_energy_wh, a.last_sample_at,
       (SELECT GREATEST(f.meter_stop_wh, f.last_energy_wh) FROM sessions f WHERE f.charger_id = $2 AND f.connector_id = c.connector_id AND f.status = 'finished' AND f.operator_id = $1
         ORDER BY f.started_at DESC LIMIT 1) AS last_stop
     FROM (SELECT DISTINCT connector_id FROM sessions WHERE operator_id = $1 AND charger_id = $2) c
     LEFT JOIN LATERAL (SELECT * FROM sessions s WHERE s.operator_id = $1 AND s.charger_id = $2 AND s.connector_id = c.connector_id AND s.status = 'active' ORDER BY s.started_at DESC LIMIT 1) a ON true`,
    [operatorId, chargerId],
  );
  return r.rows.map((x) => ({
    connectorId: x.connector_id,
    openTx: x.id === null ? null : { id: Number(x.id), idTag: x.id_tag ?? '', status: x.id_tag_status ?? 'Accepted', meterStart: Number(x.meter_start_wh), startAt: x.started_at!, last: x.last_energy_wh === null ? null : Number(x.last_energy_wh), lastAt: x.last_sample_at },
    lastStopWh: x.last_stop === null ? null : Number(x.last_stop),
  }));
}

export interface ScanSession {
  id: number;
  connectorId: number;
  idTag: string;
  status: string;
  meterStart: number;
  meterStop: number | null;
  startedAt: Date;
  stoppedAt: Date | null;
}

/** The sessions of a charger that started in [from, to), oldest first. */
export async function sessionsForScan(q: Queryable, operatorId: string, chargerId: string, from: Date, to: Date): Promise<ScanSession[]> {
  const r = await q.query<{ id: number; connector_id: number; id_tag: string | null; id_tag_status: string | null; meter_start_wh: number; meter_stop_wh: number | null; started_at: Date; stopped_at: Date | null }>(
    `SELECT id, connector_id, id_tag, id_tag_status, meter_start_wh, meter_stop_wh, started_at, stopped_at FROM sessions
     WHERE operator_id = $1 AND charger_id = $2 AND started_at >= $3 AND started_at < $4 ORDER BY started_at, id`,
    [operatorId, chargerId, from, to],
  );
  return r.rows.map((x) => ({ id: Number(x.id), connectorId: x.connector_id, idTag: x.id_tag ?? '', status: x.id_tag_status ?? 'Accepted', meterStart: Number(x.meter_start_wh), meterStop: x.meter_stop_wh === null ? null : Number(x.meter_stop_wh), startedAt: x.started_at, stoppedAt: x.stopped_at }));
}

export interface RegisterReading {
  id: number;
  sessionId: number | null;
  connectorId: number;
  at: Date;
  wh: number;
}

/**
 * The energy register readings of a charger in [from, to), in pages by (at, id): a scan over
 * millions of samples never holds them all (the meter_samples_charger index serves the order).
 */
export async function* registerReadings(q: Queryable, operatorId: string, chargerId: string, from: Date, to: Date, page = 20_000): AsyncGenerator<RegisterReading[]> {
  let after: { at: Date; id: number } | null = null;
  for (;;) {
    const r: { rows: { id: number; session_id: number | null; connector_id: number; at: Date; value: string }[] } = await q.query(
      `SELECT id, session_id, connector_id, at, value::text AS value FROM meter_samples
       WHERE charger_id = $1 AND operator_id = $2 AND at >= $3 AND at < $4 AND measurand = 'Energy.Active.Import.Register' AND phase IS NULL AND unit = 'Wh'
         AND ($5::timestamptz IS NULL OR (at, id) > ($5, $6::bigint))
       ORDER BY at, id LIMIT ${page}`,
      [chargerId, operatorId, from, to, after?.at ?? null, after?.id ?? 0],
    );
    if (!r.rows.length) return;
    yield r.rows.map((x) => ({ id: Number(x.id), sessionId: x.session_id === null ? null : Number(x.session_id), connectorId: x.connector_id, at: x.at, wh: Math.round(Number(x.value)) }));
    if (r.rows.length < page) return;
    const last = r.rows[r.rows.length - 1];
    after = { at: last.at, id: Number(last.id) };
  }
}

/** Sessions of the operator that overlap another open session with the same id tag (one tag on two connectors at once). */
export async function overlappingTagSessions(q: Queryable, operatorId: string, from: Date, to: Date) {
  const r = await q.query<{ a: number; b: number; id_tag: string; a_charger: string; a_connector: number; b_charger: string; b_connector: number; b_started: Date; b_status: string | null }>(
    `SELECT a.id AS a, b.id AS b, b.id_tag, a.charger_id AS a_charger, a.connector_id AS a_connector, b.charger_id AS b_charger, b.connector_id AS b_connector, b.started_at AS b_started, b.id_tag_status AS b_status
     FROM sessions a JOIN sessions b ON b.operator_id = a.operator_id AND b.id_tag = a.id_tag AND b.id <> a.id
       AND b.started_at >= a.started_at AND (a.stopped_at IS NULL OR b.started_at < a.stopped_at) AND NOT (b.started_at = a.started_at AND b.id < a.id)
     WHERE a.operator_id = $1 AND b.started_at >= $2 AND b.started_at < $3 AND a.id_tag IS NOT NULL`,
    [operatorId, from, to],
  );
  return r.rows.map((x) => ({ first: Number(x.a), second: Number(x.b), idTag: x.id_tag, firstChargerId: x.a_charger, firstConnectorId: x.a_connector, chargerId: x.b_charger, connectorId: x.b_connector, at: x.b_started, status: x.b_status ?? 'Accepted' }));
}
