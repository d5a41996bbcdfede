/** The web apps' time-zone helper (web/shared/zone.ts, issue 18.5): the operator's zone, never the process's. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayRange, formatIn, instantOf, offsetLabel, offsetMinutes, knownZone } from '../../web/shared/zone.ts';

test('an instant is formatted in the given zone', () => {
  assert.equal(formatIn('2026-12-04T02:00:00Z', 'Asia/Shanghai'), '2026-12-04 10:00:00');
  assert.equal(formatIn('2026-12-04T17:30:05Z', 'Asia/Shanghai', 'MM-DD HH:mm'), '12-05 01:30');
  assert.equal(formatIn('2026-12-04T02:00:00Z', 'UTC'), '2026-12-04 02:00:00');
  assert.equal(formatIn('2026-07-01T12:00:00Z', 'America/New_York'), '2026-07-01 08:00:00');
  assert.equal(formatIn('2026-12-04T16:00:00Z', 'Asia/Shanghai'), '2026-12-05 00:00:00', 'midnight is 00, not 24');
});

test('offsets and wall-clock times back to instants, across DST too', () => {
  assert.equal(offsetMinutes('2026-12-04T02:00:00Z', 'Asia/Shanghai'), 480);
  assert.equal(offsetLabel('2026-12-04T02:00:00Z', 'Asia/Shanghai'), '+08:00');
  assert.equal(offsetLabel('2026-01-15T12:00:00Z', 'America/New_York'), '-05:00');
  assert.equal(new Date(instantOf('2026-12-04T10:00', 'Asia/Shanghai')).toISOString(), '2026-12-04T02:00:00.000Z');
  assert.equal(new Date(instantOf('2026-12-04', 'Asia/Shanghai')).toISOString(), '2026-12-03T16:00:00.000Z');
  assert.equal(new Date(instantOf('2026-07-01 08:00:00', 'America/New_York')).toISOString(), '2026-07-01T12:00:00.000Z');
  assert.equal(new Date(instantOf('2026-03-08T12:00', 'America/New_York')).toISOString(), '2026-03-08T16:00:00.000Z', 'the day DST starts');
  assert.throws(() => instantOf('04/12/2026', 'UTC'), /not a wall-clock time/);
});

test('a range of operator-local days is the instants of their midnights, the last day included', () => {
  assert.deepEqual(dayRange('2026-12-04', '2026-12-04', 'Asia/Shanghai'), { from: '2026-12-03T16:00:00.000Z', to: '2026-12-04T16:00:00.000Z' });
  assert.deepEqual(dayRange('2026-12-30', '2026-12-31', 'Asia/Shanghai'), { from: '2026-12-29T16:00:00.000Z', to: '2026-12-31T16:00:00.000Z' });
});

test('an unknown zone falls back to Asia/Shanghai', () => {
  assert.equal(knownZone('Mars/Olympus'), 'Asia/Shanghai');
  assert.equal(knownZone(null), 'Asia/Shanghai');
  assert.equal(knownZone('Europe/Paris'), 'Europe/Paris');
});
