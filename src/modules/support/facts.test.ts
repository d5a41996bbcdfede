import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkState, faultsText } from './facts.ts';

const TZ = 'Asia/Shanghai';
const at = (s: string) => new Date(`${s}+08:00`);
const start = at('2019-09-20T14:40:44');
const end = at('2019-09-20T15:43:49');
const now = at('2019-09-23T10:00:00');

test('现场网络连接状态: 正常 when one connection covers the whole session', () => {
  assert.equal(networkState([{ connectedAt: at('2019-09-19T22:05:13'), disconnectedAt: at('2019-09-21T03:12:40') }], start, end, now, TZ), '正常');
  assert.equal(networkState([{ connectedAt: at('2019-09-19T22:05:13'), disconnectedAt: null }], start, end, now, TZ), '正常');
  // a reconnect without a gap is still normal
  assert.equal(
    networkState(
      [
        { connectedAt: at('2019-09-20T08:00:00'), disconnectedAt: at('2019-09-20T15:00:00') },
        { connectedAt: at('2019-09-20T15:00:00'), disconnectedAt: null },
      ],
      start,
      end,
      now,
      TZ,
    ),
    '正常',
  );
});

test('a gap during the session is named with its local times and length', () => {
  const s = networkState(
    [
      { connectedAt: at('2019-09-20T08:00:00'), disconnectedAt: at('2019-09-20T15:02:11') },
      { connectedAt: at('2019-09-20T15:10:40'), disconnectedAt: null },
    ],
    start,
    end,
    now,
    TZ,
  );
  assert.equal(s, '中断 2019-09-20 15:02:11 ~ 2019-09-20 15:10:40 (8分29秒)');
  // connected only after the start, and gone before the end: two gaps
  const two = networkState([{ connectedAt: at('2019-09-20T14:50:00'), disconnectedAt: at('2019-09-20T15:40:00') }], start, end, now, TZ);
  assert.equal(two, '中断 2019-09-20 14:40:44 ~ 2019-09-20 14:50:00 (9分16秒); 中断 2019-09-20 15:40:00 ~ 2019-09-20 15:43:49 (3分49秒)');
});

test('offline for the whole session, or no history at all', () => {
  const last = { connectedAt: at('2019-09-19T08:00:00'), disconnectedAt: at('2019-09-20T10:00:00'), reason: 'ping timeout' };
  assert.equal(networkState([], start, end, now, TZ, last), '离线 (最后断开 2019-09-20 10:00:00, ping timeout)');
  assert.equal(networkState([], start, end, now, TZ), '无连接记录');
  // still charging: measured up to now
  assert.equal(networkState([{ connectedAt: at('2019-09-20T08:00:00'), disconnectedAt: at('2019-09-20T16:00:00') }], start, null, at('2019-09-20T15:00:00'), TZ), '正常');
});

test('近期故障状态: faults oldest first in local time, the whole charger as 整桩; empty when none', () => {
  assert.equal(faultsText([], TZ), '');
  const f = faultsText(
    [
      { connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', vendorErrorCode: 'E12', at: '2019-09-18T02:12:03Z' },
      { connectorId: 0, status: 'Faulted', errorCode: 'OtherError', info: 'door open', at: '2019-09-15T01:00:00Z' },
    ],
    TZ,
  );
  assert.equal(f, '2019-09-15 09:00:00 整桩 Faulted/OtherError (door open); 2019-09-18 10:12:03 1号枪 Faulted/GroundFailure (E12)');
  const many = Array.from({ length: 12 }, (_, i) => ({ connectorId: 1, status: 'Faulted', errorCode: 'NoError', at: new Date(Date.UTC(2019, 8, 10, i)).toISOString() }));
  assert.match(faultsText(many, TZ), /; 等共12条$/);
  assert.equal(faultsText(many, TZ).split('; ').length, 11);
});
