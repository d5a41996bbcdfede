import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring, keyId, openKeyring, keyring, useKeyring } from './secrets.ts';
import { loadConfig, ConfigError } from './config.ts';

const fakeDb = (rows: { value: string }[] = []) => ({ query: async () => ({ rows, rowCount: rows.length }), exec: async () => {} }) as any;

test('sealed secrets: AES-256-GCM, the key id in every ciphertext, a fresh IV each time, tampering detected', () => {
  const key = randomBytes(32);
  const k = new Keyring(key);
  const a = k.seal('apiv3-key-0123456789abcdef012345');
  const b = k.seal('apiv3-key-0123456789abcdef012345');
  assert.notEqual(a, b);
  assert.match(a, new RegExp(`^k1\\.${keyId(key)}\\.`));
  assert.ok(!a.includes('apiv3'));
  assert.equal(k.open(a), 'apiv3-key-0123456789abcdef012345');
  const parts = a.split('.');
  parts[4] = Buffer.from('x' + Buffer.from(parts[4], 'base64url').toString('latin1'), 'latin1').toString('base64url');
  assert.throws(() => k.open(parts.join('.')));
  const relabelled = a.replace(keyId(key), keyId(randomBytes(32)));
  assert.throws(() => k.open(relabelled), /neither SECRETS_KEY nor in SECRETS_KEY_PREVIOUS/);
});

test('rotation: the previous key still opens, the current one seals; without it the error names the key', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const sealedOld = new Keyring(oldKey).seal('s3cret');
  const both = new Keyring(newKey, [oldKey]);
  assert.equal(both.open(sealedOld), 's3cret');
  assert.equal(both.isCurrent(sealedOld), false);
  assert.equal(both.isCurrent(both.seal('x')), true);
  assert.throws(() => new Keyring(newKey).open(sealedOld), new RegExp(keyId(oldKey)));
});

test('the keys of the old per-module format (v1.) still open, with either base64 alphabet', () => {
  const legacy = randomBytes(32);
  const seal = (plain: string, enc: 'base64' | 'base64url') => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', legacy, iv);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString(enc), c.getAuthTag().toString(enc), ct.toString(enc)].join('.');
  };
  const k = new Keyring(randomBytes(32), [], [randomBytes(32), legacy]);
  assert.equal(k.open(seal('merchant-key', 'base64url')), 'merchant-key');
  assert.equal(k.open(seal('{"sigSecret":"x"}', 'base64')), '{"sigSecret":"x"}');
  assert.throws(() => new Keyring(randomBytes(32)).open(seal('x', 'base64')), /legacy/);
});

test('openKeyring: SECRETS_KEY wins; PostgreSQL without it refuses to start; embedded keeps a generated key in DATA_DIR', async () => {
  const before = (() => {
    try {
      return keyring();
    } catch {
      return null;
    }
  })();
  try {
    useKeyring(null);
    const hex = 'cd'.repeat(32);
    const k = await openKeyring(loadConfig({ SECRETS_KEY: hex }), fakeDb());
    assert.equal(k.currentId, keyId(Buffer.from(hex, 'hex')));
    useKeyring(null);
    await assert.rejects(openKeyring(loadConfig({ DATABASE_URL: 'postgres://db/x' }), fakeDb()), (e: unknown) => e instanceof ConfigError && /SECRETS_KEY is required with DATABASE_URL/.test(e.message));
    useKeyring(null);
    const dir = mkdtempSync(join(tmpdir(), 'chargeops-keys-'));
    const first = await openKeyring(loadConfig({ DATA_DIR: dir }), fakeDb());
    const sealed = first.seal('kept');
    assert.equal(statSync(join(dir, 'secrets.key')).mode & 0o777, 0o600);
    useKeyring(null);
    const again = await openKeyring(loadConfig({ DATA_DIR: dir }), fakeDb());
    assert.equal(again.open(sealed), 'kept', 'the same key after a restart');
    assert.ok(readFileSync(join(dir, 'secrets.key'), 'utf8').trim().length >= 43);
  } finally {
    useKeyring(before);
  }
});
