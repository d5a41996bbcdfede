import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testDb } from '../../../test/support/db.ts';
import type { Db } from '../../platform/db/index.ts';
import { createLogger } from '../../platform/log.ts';
import { originalJson, originalText } from '../../platform/safe-text.ts';
import { MessageLog, parseFrame, type FrameEntry } from './message-log.ts';

let db: Db;
before(async () => {
  db = await testDb();
});
after(async () => db.close());

const entry = (text: string): FrameEntry => ({ ...parseFrame(text), operatorId: 'op1', chargerId: 'LOGTEST', direction: 'in', at: new Date('2026-01-01T00:00:00Z'), text });

test('one frame that fails the batch is retried alone and kept as its text; its neighbours are stored as parsed', async () => {
  // A database that refuses any statement carrying the parsed "poison" payload (the 7th column: payload).
  const picky = { ...db, query: (sql: string, params?: unknown[]) => (JSON.stringify(params?.[6] ?? null).includes('poison') ? Promise.reject(new Error('refused')) : db.query(sql, params)) } as Db;
  const log = new MessageLog(picky, createLogger('silent'), 500, 1);
  const frames = ['[2,"a","Heartbeat",{}]', '[2,"b","DataTransfer",{"vendorId":"poison"}]', '[2,"c","Authorize",{"idTag":"N\\u0000UL"}]'];
  const out = await Promise.allSettled(frames.map((f) => log.write(entry(f))));
  assert.deepEqual(out.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled']);
  const rows = (await db.query(`SELECT message_id, message_type, payload, raw FROM ocpp_messages WHERE charger_id = 'LOGTEST' ORDER BY message_id`)).rows;
  assert.deepEqual(rows.map((r: any) => [r.message_id, r.message_type]), [['a', 2], ['b', null], ['c', 2]]);
  assert.equal(rows[1].raw, frames[1], 'the bad frame is kept as its text');
  assert.deepEqual(originalJson(rows[2].payload), { idTag: 'N\u0000UL' });
});

test('when nothing can be stored, write rejects (the gateway then answers InternalError)', async () => {
  const down = { ...db, query: () => Promise.reject(new Error('connection refused')) } as unknown as Db;
  const log = new MessageLog(down, createLogger('silent'), 500, 1);
  await assert.rejects(log.write(entry('[2,"z","Heartbeat",{}]')));
});

test('parseFrame: message types that are no small integers, deep nesting and NUL-laden text are kept as text', async () => {
  assert.equal(parseFrame('[2.5,"x","Heartbeat",{}]').messageType, null);
  assert.equal(parseFrame('[1e12,"x"]').messageType, null);
  const deep = parseFrame(`[2,"d\\u0000",${'['.repeat(70)}${']'.repeat(70)}]`);
  assert.deepEqual([deep.tooDeep, deep.messageId, deep.messageType], [true, 'd\u0000', null]);
  const log = new MessageLog(db, createLogger('silent'));
  await log.write(entry('\u0000\ud800 not json'));
  const r = (await db.query(`SELECT raw FROM ocpp_messages WHERE charger_id = 'LOGTEST' AND message_type IS NULL AND payload IS NULL ORDER BY id DESC LIMIT 1`)).rows[0];
  assert.equal(originalText(r.raw), '\u0000\ud800 not json');
});

test('the outbound lane stalled behind MeterValues answers does not hold an inbound frame (a command’s answer)', async () => {
  // INSERTs of outbound rows wait until released; inbound ones go through
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const stalled = { ...db, query: (sql: string, params?: unknown[]) => ((params?.[2] as string[] | undefined)?.every((d) => d === 'out') ? gate.then(() => db.query(sql, params)) : db.query(sql, params)) } as Db;
  const log = new MessageLog(stalled, createLogger('silent'), 500, 2);
  const out = (i: number): FrameEntry => ({ ...entry(`[3,"lane-mv${i}",{}]`), chargerId: 'LANETEST', direction: 'out', action: 'MeterValues' });
  // one write per turn, as the gateway answers frame after frame: both INSERT slots of the lane hold, the rest queue
  const outs: Promise<void>[] = [];
  for (let i = 0; i < 2000; i++) {
    outs.push(log.write(out(i)));
    if (i < 4) await new Promise((r) => setImmediate(r));
  }
  const answer = { ...entry('[3,"lane-stop",{"status":"Accepted"}]'), chargerId: 'LANETEST', action: 'RemoteStopTransaction' };
  const stored = await Promise.race([log.write(answer).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 2_000))]);
  if (!stored) release(); // let the lane finish before failing
  assert.equal(stored, true, 'the command’s answer was written while the outbound lane was stalled');
  const rows = async () => (await db.query(`SELECT direction, count(*)::int AS n FROM ocpp_messages WHERE charger_id = 'LANETEST' GROUP BY direction ORDER BY direction`)).rows.map((r: any) => [r.direction, r.n]);
  assert.deepEqual(await rows(), [['in', 1]]);
  release();
  await Promise.all(outs);
  assert.deepEqual(await rows(), [['in', 1], ['out', 2000]]);
});
