/** A run's export shows when an item was resolved in the operator's time zone (issue 18.5), offset kept. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPORT_HEADER, exportRow, localInstant } from './export.ts';
import type { ItemRow } from './view.ts';

test('resolvedAt in the operator’s zone with its offset, whatever the server’s zone', () => {
  const row: ItemRow = {
    id: 7,
    class: 'energy_mismatch',
    order_no: 'O1',
    start_charge_seq: 'S1',
    ours_wh: 12_000,
    ours_fen: 1_234,
    theirs_wh: 12_100,
    theirs_fen: 1_240,
    stake_fen: 6,
    detail: { ours: [], theirs: [], reasons: ['energy'] },
    hints: null,
    resolution: { action: 'write_off', by: 'op1-admin', at: '2026-08-21T02:00:00.000Z', note: 'small' },
    resolved_at: new Date('2026-08-21T02:00:00.000Z'),
  };
  const out = exportRow(row, 'Asia/Shanghai');
  assert.equal(out[EXPORT_HEADER.indexOf('resolvedAt')], '2026-08-21 10:00:00 +08:00');
  assert.equal(exportRow(row, 'America/New_York')[EXPORT_HEADER.indexOf('resolvedAt')], '2026-08-20 22:00:00 -04:00');
  assert.equal(localInstant('2026-12-31T16:30:00Z', 'Asia/Shanghai'), '2027-01-01 00:30:00 +08:00');
  assert.equal(localInstant(undefined, 'Asia/Shanghai'), '');
  assert.equal(exportRow({ ...row, resolution: null }, 'Asia/Shanghai')[EXPORT_HEADER.indexOf('resolvedAt')], '');
});
