import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkValues } from './constraints.ts';

const start = (over: Record<string, unknown>) => checkValues('StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: '2026-01-01T00:00:00Z', ...over });

test('numbers: exact, meters non-negative, connectors in range; transaction ids are left to the handler', () => {
  assert.equal(start({}), null);
  assert.match(start({ meterStart: -1 })!.message, /^meterStart is out of range/);
  assert.match(start({ meterStart: 1e30 })!.message, /^meterStart is out of range/);
  assert.match(start({ connectorId: 0 })!.message, /^connectorId/);
  assert.match(start({ connectorId: 2 ** 31 })!.message, /^connectorId/);
  assert.equal(checkValues('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' }), null);
  assert.equal(checkValues('StopTransaction', { transactionId: 1e30, meterStop: 5, timestamp: '2026-01-01T00:00:00Z' }), null);
  assert.match(checkValues('StopTransaction', { transactionId: 1, meterStop: -5, timestamp: '2026-01-01T00:00:00Z' })!.message, /^meterStop/);
});

test('timestamps a database holds; sampled values that are readings', () => {
  assert.match(start({ timestamp: '0000-01-01T00:00:00Z' })!.message, /^timestamp/);
  assert.match(start({ timestamp: '2026-01-01T23:59:60Z' })!.message, /^timestamp/);
  assert.equal(start({ timestamp: '1970-01-01T00:00:00Z' }), null); // an unset clock is flagged later, not refused
  const mv = (value: string) => checkValues('MeterValues', { connectorId: 1, meterValue: [{ timestamp: '2026-01-01T00:00:00Z', sampledValue: [{ value: '1' }, { value }] }] });
  assert.equal(mv('123456789012.5'), null);
  assert.equal(mv('000000000000001.5'), null);
  assert.equal(mv('junk'), null); // not a decimal: skipped by the normaliser, the frame is acknowledged
  assert.match(mv('1' + '0'.repeat(30))!.message, /^meterValue\[0\]\.sampledValue\[1\]\.value is out of range/);
});
