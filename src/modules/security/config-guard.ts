import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';

/**
 * The configuration guard: at every accepted BootNotification of an operator that turned it on, the
 * platform sets each enforced key (ChangeConfiguration) and reads them back (GetConfiguration); a
 * key the charger rejects, does not know or reports differently is drift, kept per charger and
 * listed fleet-wide. Off by default: it sends commands at boot, which an operator opts into.
 */
export interface GuardKey {
  key: string;
  value: string;
}
export const DEFAULT_GUARD_KEYS: GuardKey[] = [
  { key: 'StopTransactionOnInvalidId', value: 'true' },
  { key: 'MaxEnergyOnInvalidId', value: '0' },
];

export async function guardSettings(q: Queryable, operatorId: string): Promise<{ enabled: boolean; keys: GuardKey[] }> {
  const r = await q.query<{ enabled: boolean; keys: GuardKey[] }>(`SELECT enabled, keys FROM config_guard_settings WHERE operator_id = $1`, [operatorId]);
  return r.rows[0] ?? { enabled: false, keys: DEFAULT_GUARD_KEYS };
}

export async function saveGuardSettings(q: Queryable, operatorId: string, s: { enabled: boolean; keys: GuardKey[] }, by: string, now: Date) {
  await q.query(
    `INSERT INTO config_guard_settings (operator_id, enabled, keys, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (operator_id) DO UPDATE SET enabled = $2, keys = $3, updated_by = $4, updated_at = $5`,
    [operatorId, s.enabled, JSON.stringify(s.keys), by, now],
  );
}

/** Pure: drift of one key from the ChangeConfiguration answer and the value read back. */
export function isDrift(expected: string, changeStatus: string | null, actual: string | null): boolean {
  if (changeStatus !== 'Accepted' && changeStatus !== 'RebootRequired') return true;
  return actual === null || actual.trim().toLowerCase() !== expected.trim().toLowerCase();
}

/** Sets and reads back the operator's keys on one charger; records every key's outcome. */
export async function enforce(ctx: Ctx, operatorId: string, chargerId: string, keys: GuardKey[]) {
  const gw = ctx.services.ocpp;
  if (!gw || !keys.length) return;
  const status = new Map<string, string>();
  for (const k of keys) {
    try {
      status.set(k.key, ((await gw.call(chargerId, 'ChangeConfiguration', { key: k.key, value: k.value })) as { status: string }).status);
    } catch (e) {
      status.set(k.key, `error: ${(e as Error).message}`.slice(0, 200));
    }
  }
  let read = new Map<string, string>();
  try {
    const r = (await gw.call(chargerId, 'GetConfiguration', { key: keys.map((k) => k.key) })) as { configurationKey?: { key: string; value?: string }[] };
    read = new Map((r.configurationKey ?? []).filter((x) => x.value !== undefined).map((x) => [x.key, x.value!]));
  } catch {
    /* not read back: every key counts as drift (actual null) */
  }
  const now = ctx.clock.date();
  for (const k of keys) {
    const actual = read.get(k.key) ?? null;
    await ctx.db.query(
      `INSERT INTO charger_config_drift (operator_id, charger_id, key, expected, actual, change_status, drift, checked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (charger_id, key) DO UPDATE SET operator_id = $1, expected = $4, actual = $5, change_status = $6, drift = $7, checked_at = $8`,
      [operatorId, chargerId, k.key, k.value, actual, status.get(k.key) ?? null, isDrift(k.value, status.get(k.key) ?? null, actual), now],
    );
  }
}

export async function chargerDrift(q: Queryable, operatorId: string, chargerId: string) {
  const r = await q.query<{ key: string; expected: string; actual: string | null; change_status: string | null; drift: boolean; checked_at: Date }>(
    `SELECT key, expected, actual, change_status, drift, checked_at FROM charger_config_drift WHERE operator_id = $1 AND charger_id = $2 ORDER BY key`,
    [operatorId, chargerId],
  );
  return r.rows.map((x) => ({ key: x.key, expected: x.expected, actual: x.actual, changeStatus: x.change_status, drift: x.drift, checkedAt: x.checked_at.toISOString() }));
}

/** The fleet report: every charger with at least one drifting key. */
export async function fleetDrift(q: Queryable, operatorId: string) {
  const r = await q.query<{ charger_id: string; keys: string[] }>(
    `SELECT charger_id, array_agg(key ORDER BY key) AS keys FROM charger_config_drift WHERE operator_id = $1 AND drift GROUP BY charger_id ORDER BY charger_id`,
    [operatorId],
  );
  return r.rows.map((x) => ({ chargerId: x.charger_id, keys: x.keys }));
}
