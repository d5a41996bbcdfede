import type { Queryable } from '../../platform/db/index.ts';

/**
 * The operator that receives unknown chargers admitted as Pending for commissioning: the operator whose
 * settings say `admitUnknownChargers: true` (the first by id if several do), else, when the platform
 * setting ADMIT_UNKNOWN_CHARGERS is on and there is exactly one operator, that operator. Otherwise
 * nobody: a multi-tenant platform never guesses whose charger an unknown one is.
 */
export async function operatorForUnknownChargers(q: Queryable, platformAllows: boolean): Promise<string | null> {
  const r = await q.query<{ id: string; settings: Record<string, unknown> | null }>(`SELECT id, settings FROM operators ORDER BY id`);
  const opted = r.rows.find((o) => o.settings?.admitUnknownChargers === true);
  if (opted) return opted.id;
  if (platformAllows && r.rows.length === 1) return r.rows[0].id;
  return null;
}

/** Chargers marked connected, with the node that holds (or held) them. */
export async function listConnectedChargers(q: Queryable): Promise<{ id: string; operator_id: string; connected_node: string | null }[]> {
  const r = await q.query<{ id: string; operator_id: string; connected_node: string | null }>(`SELECT id, operator_id, connected_node FROM chargers WHERE connected`);
  return r.rows;
}

/** The connector ids provisioned on a charger (none for a charger still waiting to be commissioned). */
export async function connectorIdsOf(q: Queryable, chargerId: string): Promise<number[]> {
  const r = await q.query<{ connector_id: number }>(`SELECT connector_id FROM connectors WHERE charger_id = $1`, [chargerId]);
  return r.rows.map((x) => x.connector_id);
}

/** Marks a charger disconnected only while this node still holds it (it may have reconnected elsewhere). */
export async function releaseCharger(q: Queryable, chargerId: string, node: string, at: Date): Promise<boolean> {
  const r = await q.query(`UPDATE chargers SET connected = false, connected_node = NULL, last_seen_at = $3 WHERE id = $1 AND connected_node = $2`, [chargerId, node, at]);
  return r.rowCount > 0;
}

/** Marks disconnected every charger still held by one of these (dead) nodes; returns them. */
export async function releaseChargersOfNodes(q: Queryable, nodes: string[]): Promise<{ id: string; operator_id: string }[]> {
  if (!nodes.length) return [];
  const r = await q.query<{ id: string; operator_id: string }>(
    `UPDATE chargers SET connected = false, connected_node = NULL WHERE connected AND connected_node = ANY($1::text[]) RETURNING id, operator_id`,
    [nodes],
  );
  return r.rows;
}
