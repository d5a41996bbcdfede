import type { Queryable } from '../../platform/db/index.ts';
import { listChargers } from '../registry/index.ts';
import { advisoryMatches } from './waves.ts';

export interface Advisory {
  id: string;
  vendor: string;
  modelPattern: string;
  versionPattern: string;
  text: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
}

export async function listAdvisories(q: Queryable, operatorId: string): Promise<Advisory[]> {
  const r = await q.query<any>(`SELECT * FROM firmware_advisories WHERE operator_id = $1 ORDER BY id`, [operatorId]);
  return r.rows.map((x) => ({ id: x.id, vendor: x.vendor, modelPattern: x.model_pattern, versionPattern: x.version_pattern, text: x.text, severity: x.severity }));
}

/** Replaces the operator's advisories with this list (the console edits the whole list; provisioning gives it, dated by the database: null). */
export async function saveAdvisories(q: Queryable, operatorId: string, list: Advisory[], by: string, now: Date | null) {
  await q.query(`DELETE FROM firmware_advisories WHERE operator_id = $1`, [operatorId]);
  for (const a of list)
    await q.query(
      `INSERT INTO firmware_advisories (operator_id, id, vendor, model_pattern, version_pattern, text, severity, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9::timestamptz, now()))`,
      [operatorId, a.id, a.vendor, a.modelPattern, a.versionPattern, a.text, a.severity, by, now],
    );
}

/** Vendor, model and firmware version per charger (from its BootNotification) with the advisories that name it. */
export async function inventory(q: Queryable, operatorId: string) {
  const [chargers, advisories] = await Promise.all([listChargers(q, { operatorId }), listAdvisories(q, operatorId)]);
  return chargers.map((c) => ({
    chargerId: c.id,
    stationId: c.stationId,
    vendor: c.vendor,
    model: c.model,
    firmwareVersion: c.firmwareVersion,
    advisories: advisories.filter((a) => advisoryMatches(a, c)).map((a) => a.id),
  }));
}
