import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddress } from './client-ip.ts';

test('X-Forwarded-For is ignored unless the connection comes from a TRUST_PROXY address', () => {
  assert.equal(clientAddress('203.0.113.9', '1.2.3.4', []), '203.0.113.9');
  assert.equal(clientAddress('203.0.113.9', '1.2.3.4', ['10.0.0.1']), '203.0.113.9', 'an untrusted peer cannot choose its address');
  assert.equal(clientAddress('10.0.0.1', '1.2.3.4', ['10.0.0.1']), '1.2.3.4');
  assert.equal(clientAddress('::ffff:10.0.0.7', '1.2.3.4', ['10.0.0.0/8']), '1.2.3.4');
  // a client that sends its own X-Forwarded-For through the proxy gets its real address, not the forged one
  assert.equal(clientAddress('10.0.0.1', '6.6.6.6, 198.51.100.7', ['10.0.0.1']), '198.51.100.7');
  // two trusted proxies in a row
  assert.equal(clientAddress('10.0.0.1', '198.51.100.7, 10.0.0.2', ['10.0.0.0/24']), '198.51.100.7');
  assert.equal(clientAddress(null, '1.2.3.4', ['10.0.0.1']), null);
});
