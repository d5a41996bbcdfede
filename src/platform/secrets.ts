/**
 * The secrets keyring: every secret kept at rest (merchant keys, partner secrets, channel tokens,
 * one-time-code SMS payloads) is sealed here with AES-256-GCM under SECRETS_KEY. Each ciphertext
 * names the key that sealed it (`k1.<keyId>.<iv>.<tag>.<data>`), so a key can be rotated:
 * SECRETS_KEY=new SECRETS_KEY_PREVIOUS=old, `chargeops rotate-secrets`, then drop the old key.
 *
 * One keyring per process (there is one SECRETS_KEY per deployment); provisioning and outbox
 * handlers run without a request context, so they reach it through `keyring()`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from './db/index.ts';
import { ConfigError, type Config } from './config.ts';
import { KEY_FORMAT_HINT, keyId, parseKey } from './secrets-key.ts';

export { KEY_FORMAT_HINT, keyId, parseKey };

export const SECRETS_KEY_FILE = 'secrets.key';
/** platform_settings rows of the keys used before the keyring (decrypt-only until rotate-secrets). */
export const LEGACY_KEY_SETTINGS = ['payments_secret_key', 'roaming_secret_key'];

export class Keyring {
  readonly currentId: string;
  private readonly byId = new Map<string, Buffer>();

  constructor(
    private readonly current: Buffer,
    previous: Buffer[] = [],
    /** keys of the pre-keyring `v1.` format (from platform_settings); only opened, never used to seal */
    private readonly legacy: Buffer[] = [],
  ) {
    if (current.length !== 32) throw new Error('a secrets key has 32 bytes');
    this.currentId = keyId(current);
    for (const k of [current, ...previous]) if (!this.byId.has(keyId(k))) this.byId.set(keyId(k), k);
  }

  static random(): Keyring {
    return new Keyring(randomBytes(32));
  }

  /** The same keys plus the legacy ones found in the database. */
  withLegacy(legacy: Buffer[]): Keyring {
    return new Keyring(this.current, [...this.byId.values()].filter((k) => k !== this.current), legacy);
  }

  seal(plain: string): string {
    const key = this.byId.get(this.currentId)!;
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(Buffer.from(`k1.${this.currentId}`));
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['k1', this.currentId, iv.toString('base64url'), c.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v1') return this.openLegacy(parts);
    const [v, kid, iv, tag, data] = parts;
    if (v !== 'k1' || !kid || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    const key = this.byId.get(kid);
    if (!key) throw new Error(`the secret was sealed with key ${kid}, which is neither SECRETS_KEY nor in SECRETS_KEY_PREVIOUS`);
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(`k1.${kid}`));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(data, 'base64url')), d.final()]).toString('utf8');
  }

  /** True when the ciphertext is sealed with the current key (rotation skips it). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`k1.${this.currentId}.`);
  }

  private openLegacy([, iv, tag, data]: string[]): string {
    if (!iv || !tag || data === undefined) throw new Error('not a sealed secret');
    for (const key of this.legacy) {
      try {
        // Node's base64 decoder reads both alphabets; the two old formats differed in that only
        const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        d.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([d.update(Buffer.from(data, 'base64')), d.final()]).toString('utf8');
      } catch {
        /* the next legacy key */
      }
    }
    throw new Error('an old-format secret does not open with any legacy key');
  }
}

let active: Keyring | null = null;

/** The process's keyring; throws when the process has not opened one (a bug, never a fallback key). */
export function keyring(): Keyring {
  if (!active) throw new Error('the secrets keyring is not open (openKeyring runs at start)');
  return active;
}
export function useKeyring(k: Keyring | null) {
  active = k;
}
export const sealSecret = (plain: string) => keyring().seal(plain);
export const openSecret = (sealed: string) => keyring().open(sealed);
export const sealJson = (v: unknown) => sealSecret(JSON.stringify(v));
export const openJson = <T>(sealed: string): T => JSON.parse(openSecret(sealed)) as T;

/**
 * Opens the keyring at start: SECRETS_KEY (+ SECRETS_KEY_PREVIOUS); without it, the embedded mode
 * keeps a generated key in DATA_DIR/secrets.key and a PostgreSQL deployment refuses to start (its
 * nodes must share one key, and a key generated on one node would lock the others out).
 * A process that already has a keyring and no SECRETS_KEY keeps it (tests).
 */
export async function openKeyring(cfg: Config, db: Queryable): Promise<Keyring> {
  const r = await db.query<{ value: string }>(`SELECT value FROM platform_settings WHERE key = ANY($1::text[])`, [LEGACY_KEY_SETTINGS]);
  const legacy = r.rows.map((row) => Buffer.from(row.value, 'base64'));
  if (!cfg.SECRETS_KEY && active) return (active = active.withLegacy(legacy));
  if (!cfg.SECRETS_KEY && cfg.DATABASE_URL)
    throw new ConfigError([
      `SECRETS_KEY is required with DATABASE_URL: every node must seal and open secrets with the same key (${KEY_FORMAT_HINT}); see docs/security.md`,
    ]);
  const current = cfg.SECRETS_KEY ? parseKey(cfg.SECRETS_KEY)! : embeddedKey(cfg.DATA_DIR);
  const previous = (cfg.SECRETS_KEY_PREVIOUS ?? '')
    .split(',')
    .filter((s) => s.trim())
    .map((s) => parseKey(s)!);
  return (active = new Keyring(current, previous, legacy));
}

function embeddedKey(dataDir: string): Buffer {
  const file = join(dataDir, SECRETS_KEY_FILE);
  if (existsSync(file)) {
    const k = parseKey(readFileSync(file, 'utf8'));
    if (!k) throw new ConfigError([`${file} does not hold a secrets key (${KEY_FORMAT_HINT})`]);
    return k;
  }
  mkdirSync(dataDir, { recursive: true });
  const k = randomBytes(32);
  writeFileSync(file, k.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return k;
}

/** A table column holding sealed secrets; modules declare theirs so rotate-secrets finds them all. */
export interface SealedColumn {
  table: string;
  /** columns that identify a row */
  key: string[];
  column: string;
}

/**
 * Re-seals every declared column under the current key, in one transaction; returns how many
 * values changed. Afterwards the old key (and the legacy platform_settings keys) can go.
 */
export async function rotateSecrets(q: Queryable, columns: SealedColumn[]): Promise<{ resealed: number; byColumn: Record<string, number> }> {
  const k = keyring();
  const byColumn: Record<string, number> = {};
  let resealed = 0;
  for (const c of columns) {
    const name = `${c.table}.${c.column}`;
    byColumn[name] = 0;
    const rows = await q.query<Record<string, string>>(
      `SELECT ${[...c.key, c.column].join(', ')} FROM ${c.table} WHERE ${c.column} IS NOT NULL AND ${c.column} <> '' FOR UPDATE`,
    );
    for (const row of rows.rows) {
      const sealed = row[c.column];
      if (k.isCurrent(sealed)) continue;
      // a value that is not sealed at all (written before its column was) is sealed as it is
      const fresh = k.seal(/^(k1|v1)\./.test(sealed) ? k.open(sealed) : sealed);
      const where = c.key.map((kc, i) => `${kc} = $${i + 2}`).join(' AND ');
      await q.query(`UPDATE ${c.table} SET ${c.column} = $1 WHERE ${where}`, [fresh, ...c.key.map((kc) => row[kc])]);
      byColumn[name]++;
      resealed++;
    }
  }
  await q.query(`DELETE FROM platform_settings WHERE key = ANY($1::text[])`, [LEGACY_KEY_SETTINGS]);
  return { resealed, byColumn };
}
