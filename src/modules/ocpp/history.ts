import type { Queryable } from '../../platform/db/index.ts';

/** The charger's histories as the console and API show them: status reports (faults), connections, security events. */
export interface Window {
  from: Date | null;
  to: Date | null;
  limit: number;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export async function statusHistory(q: Queryable, operatorId: string, chargerId: string, w: Window & { connectorId?: number; faultsOnly?: boolean }) {
  const rows = await q.query(
    `SELECT * FROM ocpp_status_history WHERE charger_id = $1 AND operator_id = $2 AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
       AND ($5::int IS NULL OR connector_id = $5) AND (NOT $6 OR error_code <> 'NoError' OR status = 'Faulted')
     ORDER BY at DESC, id DESC LIMIT $7`,
    [chargerId, operatorId, w.from, w.to, w.connectorId ?? null, !!w.faultsOnly, w.limit],
  );
  return rows.rows.map((s: any) => ({
    connectorId: s.connector_id,
    status: s.status,
    errorCode: s.error_code,
    info: s.info,
    vendorId: s.vendor_id,
    vendorErrorCode: s.vendor_error_code,
    at: iso(s.at),
    receivedAt: iso(s.received_at),
  }));
}

export async function connectionHistory(q: Queryable, operatorId: string, chargerId: string, w: Window) {
  const rows = await q.query(
    `SELECT * FROM ocpp_connections WHERE charger_id = $1 AND operator_id = $2 AND ($3::timestamptz IS NULL OR connected_at >= $3) AND ($4::timestamptz IS NULL OR connected_at < $4)
     ORDER BY connected_at DESC, id DESC LIMIT $5`,
    [chargerId, operatorId, w.from, w.to, w.limit],
  );
  return rows.rows.map((x: any) => ({
    connectedAt: iso(x.connected_at),
    disconnectedAt: iso(x.disconnected_at),
    remoteAddress: x.remote_address,
    protocol: x.protocol,
    node: x.node_id,
    closeCode: x.close_code,
    reason: x.reason,
  }));
}

/** Security events of one charger, or of all the operator's chargers (chargerId null; operatorId null for a platform admin). */
export async function securityEvents(q: Queryable, operatorId: string | null, chargerId: string | null, w: Window & { kind?: string }) {
  const rows = await q.query(
    `SELECT * FROM ocpp_security_events WHERE ($1::text IS NULL OR operator_id = $1) AND ($2::text IS NULL OR charger_id = $2)
       AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4) AND ($5::text IS NULL OR kind = $5)
     ORDER BY at DESC, id DESC LIMIT $6`,
    [operatorId, chargerId, w.from, w.to, w.kind ?? null, w.limit],
  );
  return rows.rows.map((x: any) => ({ chargerId: x.charger_id, kind: x.kind, remoteAddress: x.remote_address, details: x.details, at: iso(x.at) }));
}

export async function maintenanceStatus(q: Queryable, chargerId: string) {
  const s = (await q.query(`SELECT * FROM ocpp_charger_state WHERE charger_id = $1`, [chargerId])).rows[0] as any;
  return {
    firmwareStatus: s?.firmware_status ?? null,
    firmwareStatusAt: iso(s?.firmware_status_at),
    diagnosticsStatus: s?.diagnostics_status ?? null,
    diagnosticsStatusAt: iso(s?.diagnostics_status_at),
  };
}

/**
 * The charger's connections that overlap [from, to) (a connection still open counts up to now), oldest
 * first: what "was it online during this session" is answered from.
 */
export async function connectionsOverlapping(q: Queryable, operatorId: string, chargerId: string, from: Date, to: Date, limit = 200) {
  const rows = await q.query(
    `SELECT * FROM ocpp_connections WHERE charger_id = $1 AND operator_id = $2 AND connected_at < $4 AND (disconnected_at IS NULL OR disconnected_at > $3)
     ORDER BY connected_at, id LIMIT $5`,
    [chargerId, operatorId, from, to, limit],
  );
  return rows.rows.map((x: any) => ({
    connectedAt: x.connected_at as Date,
    disconnectedAt: (x.disconnected_at as Date | null) ?? null,
    closeCode: x.close_code as number | null,
    reason: x.reason as string | null,
    remoteAddress: x.remote_address as string | null,
  }));
}

/** The last connection that began before `at` (to say when an offline charger was last seen). */
export async function lastConnectionBefore(q: Queryable, operatorId: string, chargerId: string, at: Date) {
  const r = await q.query(`SELECT * FROM ocpp_connections WHERE charger_id = $1 AND operator_id = $2 AND connected_at < $3 ORDER BY connected_at DESC, id DESC LIMIT 1`, [
    chargerId,
    operatorId,
    at,
  ]);
  const x: any = r.rows[0];
  return x ? { connectedAt: x.connected_at as Date, disconnectedAt: (x.disconnected_at as Date | null) ?? null, reason: x.reason as string | null } : null;
}

/**
 * A connection from before this platform ran (a history import; the demo's 2019 sessions): the
 * charger's network history then, as the previous platform recorded it.
 */
export async function recordPastConnection(
  q: Queryable,
  c: { operatorId: string; chargerId: string; connectedAt: Date; disconnectedAt: Date | null; closeCode?: number; reason?: string; remoteAddress?: string },
) {
  await q.query(
    `INSERT INTO ocpp_connections (operator_id, charger_id, node_id, remote_address, protocol, connected_at, disconnected_at, close_code, reason)
     VALUES ($1, $2, 'import', $3, 'ocpp1.6', $4, $5, $6, $7)`,
    [c.operatorId, c.chargerId, c.remoteAddress ?? null, c.connectedAt, c.disconnectedAt, c.closeCode ?? null, c.reason ?? null],
  );
}

/** Network history rows as the gateway writes them (one per WebSocket connection). */
export async function openConnectionRow(q: Queryable, c: { operatorId: string; chargerId: string; nodeId: string; remoteAddress: string | null; protocol: string; at: Date }): Promise<number> {
  const r = await q.query<{ id: number }>(
    `INSERT INTO ocpp_connections (operator_id, charger_id, node_id, remote_address, protocol, connected_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [c.operatorId, c.chargerId, c.nodeId, c.remoteAddress, c.protocol, c.at],
  );
  return r.rows[0].id;
}

/** Closes a row unless something closed it first (a reconnect elsewhere, a lease reaper): the first end wins. */
export async function closeConnectionRow(q: Queryable, id: number, at: Date, closeCode: number | null, reason: string) {
  await q.query(`UPDATE ocpp_connections SET disconnected_at = $2, close_code = $3, reason = $4 WHERE id = $1 AND disconnected_at IS NULL`, [id, at, closeCode, reason]);
}

/** A charger that connected through `nodeId`: its open rows on other nodes end now (imported history is left alone); returns those nodes. */
export async function closeRowsElsewhere(q: Queryable, chargerId: string, nodeId: string, at: Date): Promise<string[]> {
  const r = await q.query<{ node_id: string }>(
    `UPDATE ocpp_connections SET disconnected_at = $3, reason = 'reconnected through another node'
     WHERE charger_id = $1 AND node_id <> $2 AND node_id <> 'import' AND disconnected_at IS NULL RETURNING node_id`,
    [chargerId, nodeId, at],
  );
  return [...new Set(r.rows.map((x) => x.node_id))];
}
