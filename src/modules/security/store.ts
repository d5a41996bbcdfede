import type { Queryable } from '../../platform/db/index.ts';
import { energyCostFen } from '../../platform/money.ts';
import { getChargerRow } from '../registry/index.ts';
import { tariffVersionForCharger, currentPrice, operatorTimeZone } from '../tariffs/index.ts';
import { DEFAULT_THRESHOLDS, type Finding, type IncidentKind, type Thresholds, type Ref } from './rules.ts';

/** Incidents as the API gives them: times ISO, money integer fen. */
export interface IncidentView {
  id: number;
  kind: IncidentKind;
  chargerId: string;
  stationId: string | null;
  connectorId: number | null;
  sessionId: number | null;
  from: string;
  to: string;
  unbilledWh: number;
  estimatedAmount: number | null;
  status: 'open' | 'confirmed' | 'dismissed';
  note: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  evidence: (Omit<Ref, 'at'> & { at: string; href: string })[];
  details: Record<string, unknown>;
  source: 'live' | 'scan';
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Where a frame or a session lives in the console. */
function evidenceHref(chargerId: string, r: Ref): string {
  if (r.sessionId !== undefined && !r.messageId) return `/sessions/${r.sessionId}`;
  const from = new Date(r.at - 60_000).toISOString();
  const to = new Date(r.at + 60_000).toISOString();
  return `/chargers/${encodeURIComponent(chargerId)}?tab=msg&from=${from}&to=${to}${r.messageId ? `&messageId=${encodeURIComponent(r.messageId)}` : ''}`;
}

export function incidentView(x: any): IncidentView {
  return {
    id: Number(x.id),
    kind: x.kind,
    chargerId: x.charger_id,
    stationId: x.station_id,
    connectorId: x.connector_id,
    sessionId: x.session_id === null ? null : Number(x.session_id),
    from: x.from_at.toISOString(),
    to: x.to_at.toISOString(),
    unbilledWh: Number(x.unbilled_wh),
    estimatedAmount: x.estimated_amount_fen === null ? null : Number(x.estimated_amount_fen),
    status: x.status,
    note: x.note,
    decidedBy: x.decided_by,
    decidedAt: iso(x.decided_at),
    evidence: (x.evidence as Ref[]).map((r) => ({ ...r, at: new Date(r.at).toISOString(), href: evidenceHref(x.charger_id, r) })),
    details: x.details,
    source: x.source,
    createdAt: x.created_at.toISOString(),
    updatedAt: x.updated_at.toISOString(),
  };
}

/** Unbilled energy at the price in force at the station when it began (electricity + service), half-up fen. */
export async function estimateFen(q: Queryable, operatorId: string, chargerId: string, wh: number, at: Date): Promise<number | null> {
  if (wh <= 0) return 0;
  const v = await tariffVersionForCharger(q, operatorId, chargerId, at);
  if (!v) return null;
  const p = currentPrice(v, at, await operatorTimeZone(q, operatorId));
  return energyCostFen(wh, p.totalPrice);
}

/**
 * One incident per occurrence: insert, or grow the existing row (its end, energy and evidence move
 * forward only; a decision already taken stays). Returns the row id and whether it is new.
 */
export async function upsertIncident(q: Queryable, operatorId: string, f: Finding, source: 'live' | 'scan', now: Date): Promise<{ id: number; created: boolean }> {
  const charger = await getChargerRow(q, f.chargerId);
  const fen = await estimateFen(q, operatorId, f.chargerId, f.unbilledWh, new Date(f.from));
  const r = await q.query<{ id: number; created: boolean }>(
    `INSERT INTO security_incidents (operator_id, kind, dedupe_key, charger_id, station_id, connector_id, session_id, from_at, to_at, unbilled_wh, estimated_amount_fen, evidence, details, source, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
     ON CONFLICT (operator_id, dedupe_key) DO UPDATE SET
       to_at = GREATEST(security_incidents.to_at, EXCLUDED.to_at),
       unbilled_wh = GREATEST(security_incidents.unbilled_wh, EXCLUDED.unbilled_wh),
       estimated_amount_fen = CASE WHEN EXCLUDED.unbilled_wh >= security_incidents.unbilled_wh THEN EXCLUDED.estimated_amount_fen ELSE security_incidents.estimated_amount_fen END,
       evidence = CASE WHEN EXCLUDED.to_at >= security_incidents.to_at THEN EXCLUDED.evidence ELSE security_incidents.evidence END,
       details = CASE WHEN EXCLUDED.to_at >= security_incidents.to_at THEN EXCLUDED.details ELSE security_incidents.details END,
       updated_at = EXCLUDED.updated_at
     RETURNING id, (xmax = 0) AS created`,
    [operatorId, f.kind, f.key, f.chargerId, charger?.station_id ?? null, f.connectorId, f.sessionId, new Date(f.from), new Date(f.to), f.unbilledWh, fen, JSON.stringify(f.evidence), JSON.stringify(f.details), source, now],
  );
  return { id: Number(r.rows[0].id), created: !!r.rows[0].created };
}

export interface IncidentFilter {
  chargerId?: string;
  kind?: IncidentKind;
  status?: 'open' | 'confirmed' | 'dismissed';
  sessionId?: number;
  from?: Date;
  to?: Date;
  limit: number;
}

export async function listIncidents(q: Queryable, operatorId: string, f: IncidentFilter): Promise<IncidentView[]> {
  const r = await q.query(
    `SELECT * FROM security_incidents WHERE operator_id = $1 AND ($2::text IS NULL OR charger_id = $2) AND ($3::text IS NULL OR kind = $3) AND ($4::text IS NULL OR status = $4)
       AND ($5::bigint IS NULL OR session_id = $5) AND ($6::timestamptz IS NULL OR to_at >= $6) AND ($7::timestamptz IS NULL OR from_at < $7)
     ORDER BY from_at DESC, id DESC LIMIT $8`,
    [operatorId, f.chargerId ?? null, f.kind ?? null, f.status ?? null, f.sessionId ?? null, f.from ?? null, f.to ?? null, f.limit],
  );
  return r.rows.map(incidentView);
}

export async function getIncident(q: Queryable, operatorId: string, id: number, lock = false): Promise<IncidentView | null> {
  const r = await q.query(`SELECT * FROM security_incidents WHERE operator_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [operatorId, id]);
  return r.rows[0] ? incidentView(r.rows[0]) : null;
}

/** Unbilled energy and money of the incidents (not dismissed) that began in [from, to): the dashboard card. */
export async function unbilledTotals(q: Queryable, operatorId: string, from: Date, to: Date) {
  const r = await q.query<{ n: string; wh: string | null; fen: string | null }>(
    `SELECT count(*) AS n, sum(unbilled_wh) AS wh, sum(estimated_amount_fen) AS fen FROM security_incidents WHERE operator_id = $1 AND status <> 'dismissed' AND from_at >= $2 AND from_at < $3`,
    [operatorId, from, to],
  );
  return { incidents: Number(r.rows[0].n), unbilledWh: Number(r.rows[0].wh ?? 0), estimatedAmount: Number(r.rows[0].fen ?? 0) };
}

export async function recordAction(q: Queryable, operatorId: string, incidentId: number, action: string, actor: string, outcome: unknown, now: Date) {
  await q.query(`INSERT INTO security_incident_actions (operator_id, incident_id, action, actor, outcome, at) VALUES ($1, $2, $3, $4, $5, $6)`, [operatorId, incidentId, action, actor, JSON.stringify(outcome), now]);
}

export async function incidentActions(q: Queryable, operatorId: string, incidentId: number) {
  const r = await q.query<{ action: string; actor: string; outcome: unknown; at: Date }>(`SELECT action, actor, outcome, at FROM security_incident_actions WHERE operator_id = $1 AND incident_id = $2 ORDER BY at, id`, [operatorId, incidentId]);
  return r.rows.map((x) => ({ action: x.action, actor: x.actor, outcome: x.outcome, at: x.at.toISOString() }));
}

export async function loadThresholds(q: Queryable, operatorId: string): Promise<Thresholds> {
  const r = await q.query<{ thresholds: Partial<Thresholds> }>(`SELECT thresholds FROM security_settings WHERE operator_id = $1`, [operatorId]);
  return { ...DEFAULT_THRESHOLDS, ...(r.rows[0]?.thresholds ?? {}) };
}

export async function saveThresholds(q: Queryable, operatorId: string, t: Partial<Thresholds>, by: string, now: Date) {
  await q.query(
    `INSERT INTO security_settings (operator_id, thresholds, updated_by, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (operator_id) DO UPDATE SET thresholds = $2, updated_by = $3, updated_at = $4`,
    [operatorId, JSON.stringify(t), by, now],
  );
}
