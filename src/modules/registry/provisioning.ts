import type { Db, Queryable } from '../../platform/db/index.ts';
import { randomBytes } from 'node:crypto';
import { hashMachineKey, hashSecret, verifySecret } from '../../platform/auth/passwords.ts';
import { AppError } from '../../platform/errors.ts';
import { forgetLoginFailures } from '../../platform/auth/login-throttle.ts';
import { provisioningSchema, crossCheck, type ProvisioningDoc } from './provisioning.schema.ts';
import { sectionProvisioners } from './provisioners.ts';

export interface ProvisioningError {
  path: string;
  message: string;
}

/** Validates a provisioning document; every error carries its JSON path. */
export function validateProvisioning(doc: unknown): { ok: true; doc: ProvisioningDoc } | { ok: false; errors: ProvisioningError[] } {
  const r = provisioningSchema().safeParse(doc);
  const issues = [...(r.success ? [] : r.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message }))), ...crossCheck(doc)];
  if (r.success && issues.length === 0) return { ok: true, doc: r.data };
  return {
    ok: false,
    errors: issues.map((i) => ({ path: '$' + i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join(''), message: i.message })),
  };
}

/** Secrets provision() made up for new users and chargers the document gave none for (shown once). */
export interface GeneratedSecrets {
  users: { username: string; role: string; operatorId: string | null; password: string }[];
  chargers: { id: string; operatorId: string; authKey: string }[];
}

/** A random password or key: 16 bytes, base64url (no characters that need quoting). */
export const randomSecret = () => randomBytes(16).toString('base64url');

async function upsertSecretHolder(q: Queryable, select: string, update: string, key: unknown[], secret: string | undefined) {
  if (secret === undefined) return; // left out: the stored one stays
  const cur = await q.query<{ h: string | null }>(select, key);
  if (cur.rows[0] && (await verifySecret(secret, cur.rows[0].h))) return;
  await q.query(update, [...key, await hashSecret(secret)]);
}

/** Upserts a whole setup in one transaction. Applying the same document twice changes nothing. */
export async function provision(db: Db, input: unknown): Promise<{ operators: number; stations: number; chargers: number; generated: GeneratedSecrets }> {
  const v = validateProvisioning(input);
  if (!v.ok) throw new AppError(400, 'invalid_provisioning', `the provisioning document has ${v.errors.length} error(s)`, v.errors);
  const doc = v.doc;
  const counts = { operators: 0, stations: 0, chargers: 0 };
  const generated: GeneratedSecrets = { users: [], chargers: [] };
  const newPassword = (username: string, role: string, operatorId: string | null, given: string | undefined) => {
    if (given !== undefined) return given;
    const password = randomSecret();
    generated.users.push({ username, role, operatorId, password });
    return password;
  };
  await db.tx(async (q) => {
    for (const a of doc.admins) {
      const exists = await q.query<{ role: string }>(`SELECT role FROM users WHERE username = $1`, [a.username]);
      if (exists.rows[0] && exists.rows[0].role !== 'platform_admin') throw new AppError(400, 'invalid_provisioning', `username ${a.username} is already an operator user`);
      if (!exists.rows[0])
        await q.query(`INSERT INTO users (username, password_hash, role) VALUES ($1, $2, 'platform_admin')`, [a.username, await hashSecret(newPassword(a.username, 'platform_admin', null, a.password))]);
      else await upsertSecretHolder(q, `SELECT password_hash AS h FROM users WHERE username = $1`, `UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1`, [a.username], a.password);
    }
    for (const o of doc.operators) {
      counts.operators++;
      await q.query(
        `INSERT INTO operators (id, name, tcec_operator_id, timezone, settings) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, tcec_operator_id = EXCLUDED.tcec_operator_id, timezone = EXCLUDED.timezone,
           settings = operators.settings || EXCLUDED.settings,
           updated_at = CASE WHEN (operators.name, operators.tcec_operator_id, operators.timezone, operators.settings || EXCLUDED.settings)
             IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.tcec_operator_id, EXCLUDED.timezone, operators.settings) THEN now() ELSE operators.updated_at END`,
        [o.id, o.name, o.tcecOperatorId ?? null, o.timezone, JSON.stringify(o.settings ?? {})],
      );
      for (const u of o.users) {
        const exists = await q.query<{ operator_id: string | null; role: string }>(`SELECT operator_id, role FROM users WHERE username = $1`, [u.username]);
        const row = exists.rows[0];
        if (row && row.operator_id !== o.id) throw new AppError(400, 'invalid_provisioning', `username ${u.username} belongs to another operator`);
        if (!row) {
          await q.query(`INSERT INTO users (operator_id, username, password_hash, role) VALUES ($1, $2, $3, $4)`, [o.id, u.username, await hashSecret(newPassword(u.username, u.role, o.id, u.password)), u.role]);
        } else {
          if (row.role !== u.role) await q.query(`UPDATE users SET role = $2, updated_at = now() WHERE username = $1`, [u.username, u.role]);
          await upsertSecretHolder(q, `SELECT password_hash AS h FROM users WHERE username = $1`, `UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1`, [u.username], u.password);
        }
      }
      // Sections owned by other modules come first where stations refer to them (tariffs).
      for (const p of sectionProvisioners()) {
        const value = (o as Record<string, unknown>)[p.section];
        if (value !== undefined) await p.apply(q, o.id, value, { timezone: o.timezone });
      }
      for (const s of o.stations) {
        counts.stations++;
        const other = await q.query<{ operator_id: string }>(`SELECT operator_id FROM stations WHERE id = $1`, [s.id]);
        if (other.rows[0] && other.rows[0].operator_id !== o.id) throw new AppError(400, 'invalid_provisioning', `station ${s.id} belongs to another operator`);
        await q.query(
          `INSERT INTO stations (operator_id, id, name, city, area_code, address, lat, lng, status, tariff_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9, 'operational'), $10)
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, city = EXCLUDED.city, area_code = EXCLUDED.area_code, address = EXCLUDED.address,
             lat = EXCLUDED.lat, lng = EXCLUDED.lng, status = EXCLUDED.status, tariff_id = EXCLUDED.tariff_id,
             updated_at = CASE WHEN (stations.name, stations.city, stations.area_code, stations.address, stations.lat, stations.lng, stations.status, stations.tariff_id)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.city, EXCLUDED.area_code, EXCLUDED.address, EXCLUDED.lat, EXCLUDED.lng, EXCLUDED.status, EXCLUDED.tariff_id)
               THEN now() ELSE stations.updated_at END`,
          [o.id, s.id, s.name, s.city ?? null, s.areaCode ?? null, s.address ?? null, s.lat ?? null, s.lng ?? null, s.status ?? null, s.tariffId ?? null],
        );
        for (const c of s.chargers) {
          counts.chargers++;
          const cur = await q.query<{ operator_id: string; auth_key_hash: string | null }>(`SELECT operator_id, auth_key_hash FROM chargers WHERE id = $1`, [c.id]);
          if (cur.rows[0] && cur.rows[0].operator_id !== o.id) throw new AppError(400, 'invalid_provisioning', `charger ${c.id} belongs to another operator`);
          if (!cur.rows[0]) {
            let authKey = c.authKey;
            if (authKey === undefined) generated.chargers.push({ id: c.id, operatorId: o.id, authKey: (authKey = randomSecret()) });
            await q.query(
              `INSERT INTO chargers (id, operator_id, station_id, auth_key_hash, commissioned, tariff_id) VALUES ($1, $2, $3, $4, true, $5)`,
              [c.id, o.id, s.id, hashMachineKey(authKey), c.tariffId ?? null],
            );
          } else {
            await q.query(
              `UPDATE chargers SET station_id = $2, commissioned = true, tariff_id = $3, updated_at = now()
               WHERE id = $1 AND (station_id IS DISTINCT FROM $2 OR commissioned IS DISTINCT FROM true OR tariff_id IS DISTINCT FROM $3)`,
              [c.id, s.id, c.tariffId ?? null],
            );
            if (c.authKey !== undefined && !(await verifySecret(c.authKey, cur.rows[0].auth_key_hash)))
              await q.query(`UPDATE chargers SET auth_key_hash = $2, updated_at = now() WHERE id = $1`, [c.id, hashMachineKey(c.authKey)]);
          }
          for (const x of c.connectors) {
            const w = Math.round(x.maxPowerKw * 1000);
            await q.query(
              `INSERT INTO connectors (charger_id, connector_id, operator_id, type, max_power_w) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (charger_id, connector_id) DO UPDATE SET type = EXCLUDED.type, max_power_w = EXCLUDED.max_power_w,
                 updated_at = CASE WHEN (connectors.type, connectors.max_power_w) IS DISTINCT FROM (EXCLUDED.type, EXCLUDED.max_power_w) THEN now() ELSE connectors.updated_at END`,
              [c.id, x.id, o.id, x.type, w],
            );
          }
        }
      }
    }
  });
  return { ...counts, generated };
}

/** A fresh random password for a staff user (`chargeops reset-password`); null when there is no such user. */
export async function resetPassword(db: Db, username: string): Promise<string | null> {
  const password = randomSecret();
  const r = await db.query(`UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1`, [username, await hashSecret(password)]);
  if (!r.rowCount) return null;
  await forgetLoginFailures(db, username);
  return password;
}

/** Sets a charger's authorization key (the demo gives its simulated chargers a fresh one at each start). */
export async function setChargerKey(q: Queryable, operatorId: string, chargerId: string, authKey: string): Promise<boolean> {
  const r = await q.query(`UPDATE chargers SET auth_key_hash = $3 WHERE operator_id = $1 AND id = $2`, [operatorId, chargerId, hashMachineKey(authKey)]);
  return r.rowCount > 0;
}
