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

/**
 * A page of a charger's energy register readings, column by column: a history scan reads millions,
 * and one object (with a parsed Date) per row cost more than the rules themselves (docs/performance.md,
 * "Incident detection"). `sessionId` is NaN for a reading outside any session; `wh` is rounded.
 */
export interface RegisterPage {
  n: number;
  at: Float64Array;
  connectorId: Int32Array;
  sessionId: Float64Array;
  wh: Float64Array;
}

/**
 * The energy register readings of a charger in [from, to), in pages by (at, id): a scan over
 * millions of samples never holds them all (the meter_samples_charger index serves the order).
 * Each page comes back as ONE row whose text packs the readings ("ms,connector,session,value;...",
 * the instant as epoch milliseconds): the driver parses one row, not one per reading, and no Date.
 * The instant is floor(epoch ms) like the driver's own Date (PostgreSQL 14+: extract is exact numeric).
 * The next page starts after the last (at, id) as the database wrote it: a Date would drop the
 * microseconds, and the page's last readings would come again.
 */
export async function* registerReadings(q: Queryable, operatorId: string, chargerId: string, from: Date, to: Date, page = 50_000): AsyncGenerator<RegisterPage> {
  let after: { at: string; id: number } | null = null;
  for (;;) {
    const r: { rows: { n: number; data: string; last_at: string; last_id: number }[] } = await q.query(
      `WITH p AS MATERIALIZED (
         SELECT id, at, session_id, connector_id, value FROM meter_samples
         WHERE charger_id = $1 AND operator_id = $2 AND at >= $3 AND at < $4 AND measurand = 'Energy.Active.Import.Register' AND phase IS NULL AND unit = 'Wh'
           AND ($5::timestamptz IS NULL OR (at, id) > ($5, $6::bigint))
         ORDER BY at, id LIMIT ${page})
       SELECT a.n, a.data, l.at::text AS last_at, l.id AS last_id
       FROM (SELECT count(*)::int AS n,
               string_agg(floor(extract(epoch FROM at) * 1000)::bigint || ',' || connector_id || ',' || coalesce(session_id::text, '') || ',' || value::text, ';' ORDER BY at, id) AS data
             FROM p) a,
         LATERAL (SELECT at, id FROM p ORDER BY at DESC, id DESC LIMIT 1) l`,
      [chargerId, operatorId, from, to, after?.at ?? null, after?.id ?? 0],
    );
    const row = r.rows[0];
    if (!row || !row.n) return;
    yield unpackReadings(row.data, Number(row.n));
    if (row.n < page) return;
    after = { at: row.last_at, id: Number(row.last_id) };
  }
}

/** Parses the packed text of a page ("ms,connector,session,value" joined by ';'). */
export function unpackReadings(data: string, n: number): RegisterPage {
  const p: RegisterPage = { n, at: new Float64Array(n), connectorId: new Int32Array(n), sessionId: new Float64Array(n), wh: new Float64Array(n) };
  const cur = { pos: 0 };
  for (let k = 0; k < n; k++) {
    p.at[k] = field(data, cur);
    p.connectorId[k] = field(data, cur);
    p.sessionId[k] = field(data, cur);
    p.wh[k] = Math.round(field(data, cur));
  }
  if (cur.pos < data.length) throw new Error(`packed register readings: ${n} expected, more text left`);
  return p;
}

/** One number up to the next ',' or ';' (NaN when empty); plain digits without a string, anything else (sign, decimals) by Number. */
function field(s: string, cur: { pos: number }): number {
  const start = cur.pos;
  let v = 0;
  let plain = true;
  let i = start;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 || c === 59) break;
    if (c >= 48 && c <= 57) v = v * 10 + (c - 48);
    else plain = false;
  }
  cur.pos = i + 1;
  if (i === start) return NaN;
  // 15 digits stay exact in a double; longer ones are rounded as Number rounds them
  return plain && i - start <= 15 ? v : Number(s.slice(start, i));
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
