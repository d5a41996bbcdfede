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
