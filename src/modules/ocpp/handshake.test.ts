import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basicPassword, decodedIdentity } from './handshake.ts';

test('charge box ids: decoded; undecodable, NUL, lone surrogates and over 255 characters refused', () => {
  assert.equal(decodedIdentity('44030700030000200016'), '44030700030000200016');
  assert.equal(decodedIdentity('CP%20one%3A1'), 'CP one:1');
  for (const bad of ['%ZZ', '%E0%A4%A', 'AB%00CD', '%ED%A0%80', 'x'.repeat(256)]) assert.equal(decodedIdentity(bad), null, bad);
});

test('the Basic auth password of the charge box id, binary and colons included; another user gets none', () => {
  const h = (user: string, pw: Buffer) => `Basic ${Buffer.concat([Buffer.from(user + ':'), pw]).toString('base64')}`;
  assert.deepEqual(basicPassword(h('CP1', Buffer.from('a:b:c')), 'CP1'), Buffer.from('a:b:c'));
  assert.deepEqual(basicPassword(h('CP1', Buffer.from([0, 255, 58])), 'CP1'), Buffer.from([0, 255, 58]));
  assert.equal(basicPassword(h('CP2', Buffer.from('x')), 'CP1'), null);
  assert.equal(basicPassword('Bearer abc', 'CP1'), null);
  assert.equal(basicPassword(undefined, 'CP1'), null);
});
