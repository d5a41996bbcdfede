import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from './config.ts';

test('defaults', () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 8080);
  assert.equal(c.DATA_DIR, './data');
  assert.equal(c.DEMO_DATA, true);
  assert.equal(c.publicBaseUrl, 'http://localhost:8080');
});

test('one clear message per bad value', () => {
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DEMO_DATA: 'maybe', PUBLIC_BASE_URL: 'not a url' });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problems.length, 4);
    assert.match(e.message, /PORT="eighty"/);
    assert.match(e.message, /DATABASE_URL="mysql:\/\/x": must be a postgres/);
    assert.match(e.message, /DEMO_DATA="maybe": must be true or false/);
    assert.match(e.message, /PUBLIC_BASE_URL/);
  }
});

test('public base url loses its trailing slash', () => {
  assert.equal(loadConfig({ PUBLIC_BASE_URL: 'https://cloud.example.com/' }).publicBaseUrl, 'https://cloud.example.com');
});

test('DATABASE_POOL_MAX: default 20, a bad value is named', () => {
  assert.equal(loadConfig({}).DATABASE_POOL_MAX, 20);
  assert.equal(loadConfig({ DATABASE_POOL_MAX: '50' }).DATABASE_POOL_MAX, 50);
  assert.throws(() => loadConfig({ DATABASE_POOL_MAX: '0' }), /DATABASE_POOL_MAX="0"/);
});

test('DEMO_DATA: on by default on the embedded database only; off by default with DATABASE_URL', () => {
  assert.equal(loadConfig({}).DEMO_DATA, true);
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://db/chargeops' }).DEMO_DATA, false);
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://db/chargeops', DEMO_DATA: 'true' }).DEMO_DATA, true);
  assert.equal(loadConfig({ DEMO_DATA: 'false' }).DEMO_DATA, false);
});

test('SECRETS_KEY and SECRETS_KEY_PREVIOUS: 32 bytes as hex or base64, named when wrong', () => {
  const hex = 'ab'.repeat(32);
  const b64 = Buffer.alloc(32, 7).toString('base64');
  assert.equal(loadConfig({ SECRETS_KEY: hex }).SECRETS_KEY, hex);
  assert.equal(loadConfig({ SECRETS_KEY: b64, SECRETS_KEY_PREVIOUS: `${hex},${b64}` }).SECRETS_KEY_PREVIOUS, `${hex},${b64}`);
  assert.throws(() => loadConfig({ SECRETS_KEY: 'short' }), /SECRETS_KEY="short": must be 32 bytes/);
  assert.throws(() => loadConfig({ SECRETS_KEY: hex, SECRETS_KEY_PREVIOUS: `${hex},nope` }), /SECRETS_KEY_PREVIOUS=.*every comma-separated key/);
  assert.throws(() => loadConfig({ SECRETS_KEY_PREVIOUS: hex }), /SECRETS_KEY_PREVIOUS is set without SECRETS_KEY/);
});

test('TRUST_PROXY: addresses and CIDRs, none by default', () => {
  assert.deepEqual(loadConfig({}).trustedProxies, []);
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1' }).trustedProxies, ['10.0.0.1', '192.168.0.0/16', '::1']);
  assert.throws(() => loadConfig({ TRUST_PROXY: 'proxy.local' }), /TRUST_PROXY="proxy.local": must be comma-separated/);
  assert.throws(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' }), /TRUST_PROXY/);
});

test('METRICS_TOKEN and METRICS_PORT are checked', () => {
  assert.throws(() => loadConfig({ METRICS_TOKEN: 'abc' }), /METRICS_TOKEN="abc": must be at least 16/);
  assert.equal(loadConfig({ METRICS_PORT: '9464' }).METRICS_PORT, 9464);
});

test('input limits: OCPP_MAX_FRAME_BYTES (64 KiB) and HTTP_MAX_BODY_BYTES (5 MiB) by default, bad values named', () => {
  const c = loadConfig({});
  assert.equal(c.OCPP_MAX_FRAME_BYTES, 65536);
  assert.equal(c.HTTP_MAX_BODY_BYTES, 5 * 1024 * 1024);
  assert.equal(loadConfig({ OCPP_MAX_FRAME_BYTES: '131072' }).OCPP_MAX_FRAME_BYTES, 131072);
  assert.throws(() => loadConfig({ OCPP_MAX_FRAME_BYTES: '10' }), /OCPP_MAX_FRAME_BYTES="10"/);
  assert.throws(() => loadConfig({ HTTP_MAX_BODY_BYTES: 'lots' }), /HTTP_MAX_BODY_BYTES="lots"/);
});
