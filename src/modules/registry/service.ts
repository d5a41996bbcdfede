import type { Queryable } from '../../platform/db/index.ts';

export interface ConnectorView {
  connectorId: number;
  type: 'DC' | 'AC';
  maxPowerKw: number;
  /** OCPP 1.6 status, or Offline while the charger is not connected. */
  status: string;
  ocppStatus: string;
  errorCode: string;
  statusAt: string | null;
}

export interface ChargerView {
  id: string;
  operatorId: string;
  stationId: string | null;
  connected: boolean;
  commissioned: boolean;
  registrationStatus: string | null;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  firmwareVersion: string | null;
  tariffId: string | null;
  lastBootAt: string | null;
  lastSeenAt: string | null;
  connectors: ConnectorView[];
}

export interface ChargerRow {
  id: string;
  operator_id: string;
  station_id: string | null;
  auth_key_hash: string | null;
  commissioned: boolean;
  tariff_id: string | null;
  vendor: string | null;
  model: string | null;
  serial_number: string | null;
  firmware_version: string | null;
  registration_status: string | null;
  last_boot_at: Date | null;
  last_seen_at: Date | null;
  connected: boolean;
  connected_node: string | null;
}

export async function getChargerRow(q: Queryable, id: string): Promise<ChargerRow | null> {
  const r = await q.query<ChargerRow>(`SELECT * FROM chargers WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

export async function getOperator(q: Queryable, id: string) {
  const r = await q.query<{ id: string; name: string; tcec_operator_id: string | null; timezone: string; settings: Record<string, unknown> }>(
    `SELECT id, name, tcec_operator_id, timezone, settings FROM operators WHERE id = $1`,
    [id],
  );
  return r.rows[0] ?? null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function listChargers(q: Queryable, filter: { operatorId: string | null; stationId?: string; id?: string }): Promise<ChargerView[]> {
  const r = await q.query<ChargerRow>(
    `SELECT * FROM chargers WHERE ($1::text IS NULL OR operator_id = $1) AND ($2::text IS NULL OR station_id = $2) AND ($3::text IS NULL OR id = $3) ORDER BY id`,
    [filter.operatorId, filter.stationId ?? null, filter.id ?? null],
  );
  if (!r.rows.length) return [];
  const cs = await q.query<{ charger_id: string; connector_id: number; type: 'DC' | 'AC'; max_power_w: number; status: string; error_code: string; status_at: Date | null }>(
    `SELECT * FROM connectors WHERE charger_id = ANY($1::text[]) ORDER BY charger_id, connector_id`,
    [r.rows.map((c) => c.id)],
  );
  return r.rows.map((c) => ({
    id: c.id,
    operatorId: c.operator_id,
    stationId: c.station_id,
    connected: c.connected,
    commissioned: c.commissioned,
    registrationStatus: c.registration_status,
    vendor: c.vendor,
    model: c.model,
    serialNumber: c.serial_number,
    firmwareVersion: c.firmware_version,
    tariffId: c.tariff_id,
    lastBootAt: iso(c.last_boot_at),
    lastSeenAt: iso(c.last_seen_at),
    connectors: cs.rows
      .filter((x) => x.charger_id === c.id)
      .map((x) => ({
        connectorId: x.connector_id,
        type: x.type,
        maxPowerKw: x.max_power_w / 1000,
        status: c.connected ? x.status : 'Offline',
        ocppStatus: x.status,
        errorCode: x.error_code,
        statusAt: iso(x.status_at),
      })),
  }));
}

export async function listStations(q: Queryable, operatorId: string | null) {
  const r = await q.query(
    `SELECT s.*, (SELECT count(*) FROM chargers c WHERE c.station_id = s.id) AS charger_count
     FROM stations s WHERE ($1::text IS NULL OR s.operator_id = $1) ORDER BY s.id`,
    [operatorId],
  );
  return r.rows.map((s: any) => ({
    id: s.id,
    operatorId: s.operator_id,
    name: s.name,
    city: s.city,
    areaCode: s.area_code,
    address: s.address,
    lat: s.lat === null ? null : Number(s.lat),
    lng: s.lng === null ? null : Number(s.lng),
    status: s.status,
    tariffId: s.tariff_id,
    chargerCount: Number(s.charger_count),
  }));
}

/** Records what a charger said about itself at boot. */
export async function recordBoot(
  q: Queryable,
  id: string,
  info: { vendor: string; model: string; serialNumber?: string; firmwareVersion?: string; iccid?: string; imsi?: string; meterType?: string; status: string },
) {
  await q.query(
    `UPDATE chargers SET vendor = $2, model = $3, serial_number = $4, firmware_version = $5, iccid = $6, imsi = $7, meter_type = $8,
       registration_status = $9, last_boot_at = now(), last_seen_at = now(), updated_at = now() WHERE id = $1`,
    [id, info.vendor, info.model, info.serialNumber ?? null, info.firmwareVersion ?? null, info.iccid ?? null, info.imsi ?? null, info.meterType ?? null, info.status],
  );
}

export async function setConnected(q: Queryable, id: string, connected: boolean, node: string | null) {
  await q.query(`UPDATE chargers SET connected = $2, connected_node = $3, last_seen_at = now() WHERE id = $1`, [id, connected, node]);
}

export async function touchCharger(q: Queryable, id: string) {
  await q.query(`UPDATE chargers SET last_seen_at = now() WHERE id = $1`, [id]);
}

/** Live connector state; returns false when the connector is not provisioned. */
export async function setConnectorStatus(q: Queryable, chargerId: string, connectorId: number, status: string, errorCode: string, at: Date): Promise<boolean> {
  // An older frame delivered late never overwrites a newer state.
  const r = await q.query(
    `UPDATE connectors SET status = $3, error_code = $4, status_at = $5, updated_at = now()
     WHERE charger_id = $1 AND connector_id = $2 AND (status_at IS NULL OR status_at <= $5)`,
    [chargerId, connectorId, status, errorCode, at],
  );
  if (r.rowCount > 0) return true;
  const exists = await q.query(`SELECT 1 FROM connectors WHERE charger_id = $1 AND connector_id = $2`, [chargerId, connectorId]);
  return exists.rows.length > 0;
}

/** Registers an unknown charger as not commissioned (Pending), when the operator admits unknown chargers. */
export async function registerPendingCharger(q: Queryable, id: string, operatorId: string) {
  await q.query(`INSERT INTO chargers (id, operator_id, commissioned) VALUES ($1, $2, false) ON CONFLICT (id) DO NOTHING`, [id, operatorId]);
}

export async function getConnector(q: Queryable, chargerId: string, connectorId: number) {
  const r = await q.query<{ charger_id: string; connector_id: number; operator_id: string; type: string; max_power_w: number; status: string; error_code: string }>(
    `SELECT * FROM connectors WHERE charger_id = $1 AND connector_id = $2`,
    [chargerId, connectorId],
  );
  return r.rows[0] ?? null;
}
