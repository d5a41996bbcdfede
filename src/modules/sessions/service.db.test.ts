import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import { minimalDoc } from '../../../test/fixtures/minimal.ts';
import { provision } from '../registry/provisioning.ts';
import type { Db } from '../../platform/db/index.ts';
import { recordStart as recordStartAt, recordStop as recordStopAt, recordMeterValues, applyConnectorStatus, type StartInput, type StopInput } from './service.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { getSession, activeSessionOn, listSessionSamples } from './queries.ts';

let db: Db;
before(async () => {
  db = await testDb();
  await provision(db, minimalDoc());
});
after(async () => db.close());

const CP = '44030700030000200016';
const base = { operatorId: 'op1', stationId: 's1', chargerId: CP };
let minute = 0;
const t = () => new Date(Date.UTC(2026, 0, 1, 8, minute++));
// frames are received when the charger says they happened, unless a test says otherwise
const recordStart = (q: Queryable, i: Omit<StartInput, 'receivedAt'> & { receivedAt?: Date }) => recordStartAt(q, { ...i, receivedAt: i.receivedAt ?? i.startedAt });
const recordStop = (q: Queryable, i: Omit<StopInput, 'receivedAt'> & { receivedAt?: Date }) => recordStopAt(q, { ...i, receivedAt: i.receivedAt ?? i.stoppedAt });

test('identical StartTransactions racing in separate transactions get one session', async () => {
  const input = { ...base, connectorId: 1, idTag: 'CARD0001', meterStartWh: 10, startedAt: t() };
  const rs = await Promise.all([1, 2, 3, 4].map(() => db.tx((q) => recordStart(q, input))));
  assert.equal(new Set(rs.map((r) => r.sessionId)).size, 1);
  assert.equal(rs.filter((r) => r.created).length, 1);
  assert.ok(rs.every((r) => r.idTagInfo.status === 'Accepted'));
  const n = await db.query(`SELECT count(*)::int AS n FROM sessions WHERE start_dedupe_key LIKE $1`, [`${CP}|1|CARD0001|%`]);
  assert.equal(n.rows[0].n, 1);
});

test('racing identical stops: one finishes the session, the others are duplicates with the same answer', async () => {
  const s = await db.tx((q) => recordStart(q, { ...base, connectorId: 2, idTag: 'CARD0001', meterStartWh: 100, startedAt: t() }));
  const stop = { operatorId: 'op1', chargerId: CP, transactionId: s.sessionId, meterStopWh: 250, stoppedAt: t(), idTag: 'CARD0001' };
  const rs = await Promise.all([1, 2, 3].map(() => db.tx((q) => recordStop(q, stop))));
  assert.deepEqual(rs.map((r) => r.outcome).sort(), ['duplicate', 'duplicate', 'finished']);
  assert.ok(rs.every((r) => JSON.stringify(r.answer) === JSON.stringify(rs[0].answer)));
  assert.equal(await activeSessionOn(db, CP, 2), null);
});

test('meter readings: an older batch never overwrites newer readings; samples keep arriving', async () => {
  const s = await db.tx((q) => recordStart(q, { ...base, connectorId: 1, idTag: 'CARD0001', meterStartWh: 1000, startedAt: t() }));
  const mv = (at: Date, wh: string) => ({ ...base, connectorId: 1, transactionId: s.sessionId, meterValue: [{ timestamp: at.toISOString(), sampledValue: [{ value: wh }] }] });
  const later = t();
  const earlier = new Date(later.getTime() - 30_000);
  await db.tx((q) => recordMeterValues(q, mv(later, '1500')));
  await db.tx((q) => recordMeterValues(q, mv(earlier, '1200')));
  const row = (await getSession(db, 'op1', s.sessionId))!;
  assert.equal(Number(row.last_energy_wh), 1500);
  assert.deepEqual((await listSessionSamples(db, s.sessionId)).map((x) => x.value), ['1200', '1500']);
});

test('idle time: SuspendedEV without power ends charging, Charging resumes it, Available after the stop unplugs', async () => {
  const s = await db.tx((q) => recordStart(q, { ...base, connectorId: 2, idTag: 'CARD0001', meterStartWh: 0, startedAt: t() }));
  const st = (status: string, at: Date) => db.tx((q) => applyConnectorStatus(q, { chargerId: CP, connectorId: 2, status, at, lastBootAt: null }));
  const paused = t();
  await st('SuspendedEV', paused);
  assert.equal((await getSession(db, 'op1', s.sessionId))!.charging_ended_at?.getTime(), paused.getTime());
  await st('Charging', t());
  assert.equal((await getSession(db, 'op1', s.sessionId))!.charging_ended_at, null);
  const stoppedAt = t();
  await db.tx((q) => recordStop(q, { operatorId: 'op1', chargerId: CP, transactionId: s.sessionId, meterStopWh: 500, stoppedAt }));
  // an Available older than the stop (delivered out of order) does not end the idle time
  assert.equal((await st('Available', new Date(stoppedAt.getTime() - 1000))).unplugged, null);
  const out = t();
  const r = await st('Available', out);
  assert.equal(r.unplugged?.id, s.sessionId);
  assert.equal(r.unplugged?.unplugged_at?.getTime(), out.getTime());
  // only once
  assert.equal((await st('Available', t())).unplugged, null);
});

test('meter writer: frames of many chargers in one batch; a transactionId counts only on its own charger', async () => {
  const { meterWriter } = await import('./meter-writer.ts');
  const a = await db.tx((q) => recordStart(q, { ...base, connectorId: 1, idTag: 'CARD0001', meterStartWh: 0, startedAt: t() }));
  const b = await db.tx((q) => recordStart(q, { ...base, chargerId: '44030700030000200017', connectorId: 1, idTag: 'CARD0001', meterStartWh: 0, startedAt: t() }));
  const at = t().toISOString();
  const w = meterWriter(db);
  const [ra, rb, foreign, none, huge] = await Promise.all([
    w.write({ operatorId: 'op1', chargerId: CP, connectorId: 1, transactionId: a.sessionId, meterValue: [{ timestamp: at, sampledValue: [{ value: '1.5', unit: 'kWh' }] }] }),
    w.write({ operatorId: 'op1', chargerId: '44030700030000200017', connectorId: 1, transactionId: b.sessionId, meterValue: [{ timestamp: at, sampledValue: [{ value: '700' }] }] }),
    w.write({ operatorId: 'op1', chargerId: CP, connectorId: 2, transactionId: b.sessionId, meterValue: [{ timestamp: at, sampledValue: [{ value: '999' }] }] }),
    w.write({ operatorId: 'op1', chargerId: CP, connectorId: 0, meterValue: [{ timestamp: at, sampledValue: [{ value: '123' }] }] }),
    w.write({ operatorId: 'op1', chargerId: CP, connectorId: 1, transactionId: a.sessionId, meterValue: [{ timestamp: at, sampledValue: [{ value: '1'.repeat(40), measurand: 'Power.Active.Import' }] }] }),
  ]);
  assert.equal(Number(ra?.last_energy_wh), 1500);
  assert.equal(Number(rb?.last_energy_wh), 700);
  assert.equal(foreign, null, 'another charger’s transactionId does not attach samples to that session');
  assert.equal(none, null);
  assert.equal(Number(huge?.last_energy_wh), 1500, 'an absurd power reading is kept as a sample, not as the session’s power');
  assert.equal((await getSession(db, 'op1', a.sessionId))!.last_power_w, null);
  assert.equal((await listSessionSamples(db, b.sessionId)).length, 1);
  const orphan = await db.query(`SELECT value::text AS v FROM meter_samples WHERE session_id IS NULL AND charger_id = $1 ORDER BY id`, [CP]);
  assert.deepEqual(orphan.rows.map((r: any) => r.v).slice(-2).sort(), ['123', '999']);
});

test('a charger clock in the future, unset (1970) or a stop before its start is flagged clock_suspect', async () => {
  const now = Date.UTC(2026, 0, 2, 12); // when the platform received the frames
  const receivedAt = new Date(now);
  const future = await db.tx((q) => recordStart(q, { ...base, connectorId: 1, idTag: 'CARD0001', meterStartWh: 0, startedAt: new Date(now + 3600_000), receivedAt }));
  assert.deepEqual((await getSession(db, 'op1', future.sessionId))!.flags, ['clock_suspect']);
  // the card is free again before its next start (else the next start is ConcurrentTx)
  await db.tx((q) => recordStop(q, { operatorId: 'op1', chargerId: CP, transactionId: future.sessionId, meterStopWh: 0, stoppedAt: new Date(now + 3_700_000), receivedAt }));
  const unset = await db.tx((q) => recordStart(q, { ...base, connectorId: 2, idTag: 'CARD0001', meterStartWh: 0, startedAt: new Date(0), receivedAt }));
  assert.deepEqual((await getSession(db, 'op1', unset.sessionId))!.flags, ['clock_suspect']);
  const s = await db.tx((q) => recordStart(q, { ...base, connectorId: 1, idTag: 'CARD0001', meterStartWh: 0, startedAt: new Date(now - 60_000), receivedAt }));
  await db.tx((q) => recordStop(q, { operatorId: 'op1', chargerId: CP, transactionId: s.sessionId, meterStopWh: 10, stoppedAt: new Date(now - 120_000), receivedAt }));
  assert.deepEqual((await getSession(db, 'op1', s.sessionId))!.flags, ['clock_suspect']);
});
