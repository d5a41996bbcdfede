/**
 * Property-based fuzzing of the OCPP frame handler (issue 11, point 19a): arbitrary JSON and text,
 * and CALLs of every 1.6 action with fields of random types, sizes and strings (NUL, lone
 * surrogates), sent over a real WebSocket to a test platform. Properties: every CALL gets exactly
 * one CALLRESULT or CALLERROR (oversized frames: the connection closes with 1009), the server never
 * crashes, no CALLERROR carries database text, no half-written state (no session without its
 * stored StartTransaction, no order without its session, every CALL in the message log).
 * Seeded and bounded (a few hundred frames).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import WebSocket from 'ws';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { CP, KEY } from '../ocpp/support.ts';
import { schema16 } from '../../src/modules/ocpp/rpc.ts';
import { originalText } from '../../src/platform/safe-text.ts';
import { DB_TEXT, fromSchema, nastyString, rarely } from './arbitraries.ts';

const CODES_16 = new Set(['NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation', 'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError']);
/** What a charger sends (and a few it must not: those are NotImplemented). */
const ACTIONS = ['Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'SecurityEventNotification', 'StartTransaction', 'StatusNotification', 'StopTransaction'];
const schemas = new Map(schema16.map((s) => [s.$id, s as any]));

let p: TestPlatform;
before(async () => {
  p = await startTestPlatform({ provisioning: minimalDoc() });
});
after(async () => p.close());

/** A raw charger connection that collects every answer. */
async function connect() {
  const ws = new WebSocket(`${p.url.replace(/^http/, 'ws')}/ocpp/${CP}`, ['ocpp1.6'], { headers: { authorization: `Basic ${Buffer.from(`${CP}:${KEY}`).toString('base64')}` } });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const answers: any[] = [];
  let closeCode: number | null = null;
  ws.on('message', (d) => answers.push(JSON.parse(String(d))));
  ws.on('close', (code) => (closeCode = code));
  return { ws, answers, closed: () => closeCode };
}
let conn: Awaited<ReturnType<typeof connect>>;
let seq = 0;
const sentCalls: string[] = [];

// Fields that reach real data now and then: the charger's connectors, known and unknown tags, live transaction ids.
const hints = {
  connectorId: fc.constantFrom(0, 1, 1, 2, 2, 3),
  timestamp: fc.integer({ min: -3 * 86_400_000, max: 60_000 }).map((d) => new Date(Date.now() + d).toISOString()),
  idTag: fc.oneof(fc.constantFrom('CARD0001', 'CARDBLOCK', 'CARDOLD', 'UNKNOWN1'), nastyString.map((s) => s.slice(0, 20))),
  transactionId: fc.integer({ min: -1, max: 40 }),
  meterStart: fc.integer({ min: 0, max: 1_000_000 }),
  meterStop: fc.integer({ min: 0, max: 2_000_000 }),
  vendorId: fc.constantFrom('acme', 'huawei'),
};
/** Transaction messages most often (they carry the money); every other action too, and some a charger never sends. */
const WEIGHTS: Record<string, number> = { StartTransaction: 5, StopTransaction: 4, MeterValues: 3, StatusNotification: 3 };
const call = fc
  .oneof(...[...ACTIONS, 'Reset', 'RemoteStartTransaction', 'MakeCoffee', ''].map((a) => ({ weight: WEIGHTS[a] ?? 1, arbitrary: fc.constant(a) })))
  .chain((action) => {
    const s = schemas.get(`urn:${action}.req`);
    return fc.tuple(fc.constant(action), s ? fromSchema(s, hints) : fc.jsonValue({ maxDepth: 2 }));
  });

/** One frame: its text, and the id of the answer it must get ('-1' for unreadable CALLs, null for none). */
type Frame = { text: string; answerId: string | null };
const frame: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(call, rarely(nastyString, 4)).map(([[action, payload], idSuffix]) => ({ action, payload, idSuffix })).map(({ action, payload, idSuffix }) => {
    const id = `f${++seq}${idSuffix ?? ''}`;
    return { text: JSON.stringify([2, id, action, payload]), answerId: id };
  }) },
  // shapes ocpp-rpc must turn into 1.6 errors, or ignore (answers to calls never made)
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ text: JSON.stringify(v), answerId: expectedFor(v) })) },
  { weight: 1, arbitrary: nastyString.map((t) => ({ text: t, answerId: t.length ? expectedForText(t) : null })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(2, 3, 4, 5, 2.5, -1), fc.jsonValue({ maxDepth: 1 }), fc.jsonValue({ maxDepth: 2 })).map((f) => ({ text: JSON.stringify(f), answerId: expectedFor(f) })) },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 3000 }).map((n) => {
    const id = `deep${++seq}`;
    return { text: `[2,"${id}","DataTransfer",${'['.repeat(n)}${']'.repeat(n)}]`, answerId: id };
  }) },
);

/** The id a frame's answer carries, as OCPP-J (and ocpp-rpc) define it. */
function expectedFor(v: unknown): string | null {
  if (!Array.isArray(v) || typeof v[0] !== 'number') return '-1';
  if (v[0] === 3 || v[0] === 4) return null; // answers to calls we never made: nothing to answer
  if (v[0] !== 2) return '-1';
  return typeof v[1] === 'string' ? (sentCalls.includes(v[1]) ? null : v[1]) : '-1';
}
function expectedForText(t: string): string | null {
  try {
    return expectedFor(JSON.parse(t));
  } catch {
    return '-1';
  }
}

async function waitForAnswers(n: number, ms = 20_000) {
  const end = Date.now() + ms;
  while (conn.answers.length < n && !conn.closed() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}

test('every frame of any shape: one answer per CALL, 1.6 codes only, no database text, the connection stays', async () => {
  conn = await connect();
  const expected = new Map<string, number>();
  let expectedCount = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 3 }), async (frames) => {
      const before = conn.answers.length;
      let want = 0;
      for (const f of frames) {
        if (f.answerId !== null && f.answerId !== '-1' && expected.has(f.answerId)) f.answerId = null; // a repeated id in flight is not ours to count
        if (f.answerId !== null) {
          want++;
          expected.set(f.answerId, (expected.get(f.answerId) ?? 0) + 1);
          if (f.answerId !== '-1') sentCalls.push(f.answerId);
        }
        conn.ws.send(f.text);
      }
      expectedCount += want;
      await waitForAnswers(before + want);
      assert.equal(conn.closed(), null, 'the connection stays open');
      assert.equal(conn.answers.length, before + want, `answers for ${JSON.stringify(frames.map((f) => f.text.slice(0, 120)))}`);
      for (const a of conn.answers.slice(before)) {
        assert.ok(a[0] === 3 || a[0] === 4, JSON.stringify(a));
        if (a[0] === 4) {
          assert.ok(CODES_16.has(a[2]), `a 1.6 code: ${a[2]}`);
          assert.doesNotMatch(JSON.stringify(a), DB_TEXT);
        }
      }
    }),
    { seed: 19_001, numRuns: 150, endOnFailure: true, includeErrorInReport: true },
  );
  // exactly one answer per CALL id
  const got = new Map<string, number>();
  for (const a of conn.answers) got.set(a[1], (got.get(a[1]) ?? 0) + 1);
  for (const [id, n] of expected) assert.equal(got.get(id), n, `answers for ${JSON.stringify(id)}`);
  assert.equal(conn.answers.length, expectedCount);
  assert.equal((await p.api('GET', '/healthz')).status, 200);
  // the charger picks action names; the metrics' label values stay the 1.6 actions (bounded cardinality)
  const labels = new Set((await p.ctx.metrics.framesTotal.get()).values.map((v) => String(v.labels.action)));
  for (const l of labels) assert.ok(l === 'unknown' || schemas.has(`urn:${l}.req`), `label ${JSON.stringify(l)}`);
});

test('no half-written state after the fuzzing: every CALL stored, sessions have their StartTransaction, orders their session', async () => {
  await p.ctx.services.ocpp && (p.ctx.services.ocpp as any).log.drain();
  const q = async (sql: string) => (await p.ctx.db.query(sql)).rows;
  const logged = new Set((await q(`SELECT message_id FROM ocpp_messages WHERE direction = 'in'`)).map((r: any) => (r.message_id === null ? null : originalText(r.message_id))));
  for (const id of sentCalls) assert.ok(logged.has(id), `CALL ${JSON.stringify(id)} is in the message log`);
  const orphanSessions = await q(`SELECT s.id FROM sessions s WHERE NOT EXISTS (
    SELECT 1 FROM ocpp_messages m WHERE m.direction = 'in' AND m.action = 'StartTransaction' AND m.charger_id = s.charger_id
      AND m.payload->>'idTag' = s.id_tag AND m.payload->'meterStart' = to_jsonb(s.meter_start_wh))`);
  assert.deepEqual(orphanSessions, []);
  const orphanOrders = await q(`SELECT o.id FROM orders o LEFT JOIN sessions s ON s.id = o.session_id WHERE s.id IS NULL`);
  assert.deepEqual(orphanOrders, []);
  const n = await q(`SELECT count(*)::int AS n FROM sessions`);
  assert.ok(n[0].n > 0, 'the fuzzing reached the session code');
});

test('frames around OCPP_MAX_FRAME_BYTES: answered below it, connection closed with 1009 above it, nothing stored above it', async () => {
  const limit = p.ctx.config.OCPP_MAX_FRAME_BYTES;
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: -200, max: 200 }), fc.constantFrom('x', '中', '\u0000'), async (delta, ch) => {
      const c = await connect();
      const id = `size${++seq}`;
      const empty = JSON.stringify([2, id, 'DataTransfer', { vendorId: 'acme', data: '' }]);
      const unit = Buffer.byteLength(JSON.stringify(ch)) - 2;
      const n = Math.max(0, Math.floor((limit + delta - Buffer.byteLength(empty)) / unit));
      const text = JSON.stringify([2, id, 'DataTransfer', { vendorId: 'acme', data: ch.repeat(n) }]);
      c.ws.send(text);
      const end = Date.now() + 10_000;
      while (!c.answers.length && c.closed() === null && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      const stored = (await p.ctx.db.query(`SELECT count(*)::int AS n FROM ocpp_messages WHERE message_id = $1`, [id])).rows[0].n;
      if (Buffer.byteLength(text) > limit) {
        assert.equal(c.closed(), 1009);
        assert.equal(stored, 0);
      } else {
        assert.equal(c.answers[0]?.[1], id);
        c.ws.close();
      }
    }),
    { seed: 19_002, numRuns: 12 },
  );
});
