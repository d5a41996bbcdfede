import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { Keyring, keyId, useKeyring } from '../../src/platform/secrets.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { rotateStoredSecrets } from '../../src/server.ts';
import type { Db } from '../../src/platform/db/index.ts';
import { startFakeWechatpay, type FakeWechatpay } from '../../src/modules/payments/fake/server.ts';
import { saveSettings, allSettings, channelConfig } from '../../src/modules/notify/settings.ts';
import { getPartner } from '../../src/modules/roaming/partners.ts';
import { partnerToken } from '../../src/modules/roaming/client.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { testDb } from '../support/db.ts';
import { freePort, waitFor } from '../payments/helpers.ts';
import { XIAOJU, partnerClient, roamingDoc, startPartners } from '../roaming/setup.ts';
import type { FakePartner } from '../roaming/fake-partner.ts';

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('hex');
let db: Db;
let fake: FakeWechatpay;
let partners: { xiaoju: FakePartner; cec: FakePartner };
let port = 0;

before(async () => {
  db = await testDb();
  fake = await startFakeWechatpay({ timeScale: 0.001 });
  partners = await startPartners();
  port = await freePort();
});
after(async () => {
  useKeyring(Keyring.random());
  await fake?.close();
  await partners?.xiaoju.close();
  await partners?.cec.close();
  await db?.close();
});

const start = (env: Record<string, string>, provisioning?: unknown) =>
  startTestPlatform({ db, provisioning, timeScale: 0.01, env: { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ...env } });

/** What still works: a partner logs in to us, we log in to the partner, a top-up is prepaid and credited, a channel secret opens. */
async function everythingWorks(p: TestPlatform) {
  const xj = partnerClient(p.url, XIAOJU, 'x');
  assert.ok((await xj.login()).length >= 16, 'inbound partner secrets open');
  const partner = (await getPartner(p.ctx.db, 'op1', XIAOJU))!;
  assert.ok((await partnerToken(p.ctx, partner, true)).length > 0, 'outbound partner secrets open');
  const staff = await p.login('op1-staff', 'op1-staff-pass');
  const t = await p.api('POST', '/api/v1/topups', { phone: '18475511853', amount: '1.00', channel: 'wechatpay_h5' }, staff);
  assert.equal(t.status, 201, JSON.stringify(t.body));
  fake.pay(t.body.outTradeNo);
  await waitFor('credited', async () => (await p.api('GET', `/api/v1/topups/${t.body.outTradeNo}`, undefined, staff)).body.status === 'credited');
  assert.equal((await channelConfig(p.ctx.db, 'op1', 'webhook')).config.secret, 'hook-secret-1');
}

async function sealedValues(): Promise<string[]> {
  const r = await db.query<{ v: string }>(
    `SELECT api_v3_key_enc AS v FROM payment_merchants UNION ALL SELECT merchant_private_key_enc FROM payment_merchants
     UNION ALL SELECT inbound_secrets FROM roaming_partners UNION ALL SELECT outbound_secrets FROM roaming_partners
     UNION ALL SELECT token FROM roaming_outbound_tokens UNION ALL SELECT secrets FROM notify_channels WHERE secrets IS NOT NULL`,
  );
  return r.rows.map((x) => x.v);
}

test('SECRETS_KEY rotation: after rotate-secrets, with the old key removed, partners and payments still work', async () => {
  // 1. running on the old key (and one secret still in the format of before the keyring, under its legacy key)
  useKeyring(new Keyring(Buffer.from(OLD, 'base64')));
  const doc: any = roamingDoc({ xiaoju: partners.xiaoju.url, cec: partners.cec.url });
  doc.operators[0].payments = { wechatpay: fake.operatorSettings() };
  doc.operators[0].drivers = [{ phone: '18475511853', name: '李先生', idTags: [{ id: 'CARD0001', status: 'active' }], walletBalance: '10.00' }];
  let p = await start({ SECRETS_KEY: OLD }, doc);
  await saveSettings(p.ctx.db, 'op1', 'admin', { channels: { webhook: { adapter: 'fake', config: { secret: 'hook-secret-1' } } } });
  const legacy = randomBytes(32);
  const cec = (await getPartner(db, 'op1', '313744932'))!;
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', legacy, iv);
  const ct = Buffer.concat([c.update(JSON.stringify(cec.outbound)), c.final()]);
  await db.query(`INSERT INTO platform_settings (key, value) VALUES ('roaming_secret_key', $1)`, [JSON.stringify(legacy.toString('base64'))]);
  await db.query(`UPDATE roaming_partners SET outbound_secrets = $1 WHERE operator_id = 'op1' AND id = '313744932'`, [`v1.${iv.toString('base64')}.${c.getAuthTag().toString('base64')}.${ct.toString('base64')}`]);
  await everythingWorks(p);
  await p.close();
  const before = await sealedValues();
  assert.ok(before.length >= 6 && before.some((v) => v.startsWith(`k1.${keyId(Buffer.from(OLD, 'base64'))}.`)) && before.some((v) => v.startsWith('v1.')));
  assert.throws(() => new Keyring(Buffer.from(NEW, 'hex')).open(before.find((v) => v.startsWith('k1.'))!), /SECRETS_KEY_PREVIOUS/, 'the new key alone cannot open them yet');

  // 2. chargeops rotate-secrets with SECRETS_KEY=new SECRETS_KEY_PREVIOUS=old
  const r = await rotateStoredSecrets(db, loadConfig({ SECRETS_KEY: NEW, SECRETS_KEY_PREVIOUS: OLD }));
  assert.equal(r.keyId, keyId(Buffer.from(NEW, 'hex')));
  assert.equal(r.resealed, before.length, JSON.stringify(r.byColumn));
  const after = await sealedValues();
  assert.ok(after.every((v) => v.startsWith(`k1.${r.keyId}.`)), after.map((v) => v.slice(0, 12)).join());
  assert.equal((await db.query(`SELECT count(*)::int AS n FROM platform_settings WHERE key IN ('roaming_secret_key', 'payments_secret_key')`)).rows[0].n, 0, 'legacy keys dropped');
  assert.equal((await rotateStoredSecrets(db, loadConfig({ SECRETS_KEY: NEW }))).resealed, 0, 'running it again changes nothing');

  // 3. the old key removed: everything still works
  useKeyring(null);
  port = await freePort(); // a fresh port: no keep-alive socket of the first server is reused
  p = await start({ SECRETS_KEY: NEW });
  try {
    await everythingWorks(p);
    const cecNow = (await getPartner(p.ctx.db, 'op1', '313744932'))!;
    assert.deepEqual(cecNow.outbound, cec.outbound, 'the legacy-format secret survived');
    assert.equal((await allSettings(p.ctx.db, 'op1')).channels.webhook.config.secret, '***');
  } finally {
    await p.close();
  }
});
