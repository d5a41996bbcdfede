/**
 * Property-based fuzzing of the T/CEC envelope and the /evcs/v1 endpoints (issue 11, point 19b):
 * random and near-miss OperatorID, Data, TimeStamp, Seq and Sig, random bodies and business data.
 * Properties: always HTTP 200 with a T/CEC answer (a Ret code, never a server error), Ret 0 only
 * for a verified call, and a call whose signature does not verify stores nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { CEC, CHARGER, XIAOJU, keys, partnerClient, roamingDoc, startPartners } from '../roaming/setup.ts';
import type { FakePartner } from '../roaming/fake-partner.ts';
import { encrypt, requestSig, sealRequest, sigEquals, envelopeTimestamp, seqCounter, Ret } from '../../src/modules/roaming/envelope.ts';
import { DB_TEXT, nastyString, nastyNumber } from './arbitraries.ts';

const IFACES = ['query_token', 'query_stations_info', 'query_station_status', 'query_station_stats', 'query_equip_auth', 'query_equip_business_policy', 'query_start_charge', 'query_equip_charge_status', 'query_stop_charge'];
const RETS = new Set<number>([Ret.OK, Ret.SIGNATURE, Ret.TOKEN, Ret.ENVELOPE, Ret.BUSINESS]);

let p: TestPlatform;
let fx: { xiaoju: FakePartner; cec: FakePartner };
let token = '';
before(async () => {
  fx = await startPartners();
  p = await startTestPlatform({ provisioning: roamingDoc({ xiaoju: fx.xiaoju.url, cec: fx.cec.url }), timeScale: 0.001 });
  token = await partnerClient(p.url, XIAOJU, 'x').login();
});
after(async () => {
  await p?.close();
  await fx?.xiaoju.close();
  await fx?.cec.close();
});

const k = keys('xi'); // what Xiaoju signs and encrypts its calls to us with
const next = seqCounter();

// Business data: the fields our interfaces read, with hostile values now and then.
const seq27 = fc.oneof(fc.constant(XIAOJU).chain((id) => fc.stringMatching(/^[0-9]{18}$/).map((s) => id + s)), nastyString);
const business = fc.oneof(
  fc.record(
    {
      StationIDs: fc.oneof(fc.array(fc.oneof(fc.constant('s1'), nastyString), { maxLength: 3 }), nastyString),
      StationID: fc.oneof(fc.constant('s1'), nastyString),
      StartTime: fc.oneof(fc.constant('2026-01-01'), nastyString),
      EndTime: fc.oneof(fc.constant('2026-01-31'), nastyString),
      ConnectorID: fc.oneof(fc.constant(CHARGER + '01'), nastyString, nastyNumber),
      StartChargeSeq: seq27,
      EquipAuthSeq: seq27,
      EquipBizSeq: seq27,
      QRCode: nastyString,
      PageNo: fc.oneof(fc.integer({ min: -1, max: 3 }), nastyNumber, nastyString),
      PageSize: fc.oneof(fc.integer({ min: 0, max: 101 }), nastyNumber),
      LastQueryTime: fc.oneof(fc.constant('2026-01-01 00:00:00'), nastyString),
      OperatorID: fc.oneof(fc.constant(XIAOJU), nastyString),
      OperatorSecret: nastyString,
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

type Mutation = { field: 'OperatorID' | 'Data' | 'TimeStamp' | 'Seq' | 'Sig'; value: unknown } | { drop: string } | { extra: [string, unknown] } | null;
const nearMissSig = fc.oneof(
  fc.tuple(fc.nat(31), fc.constantFrom(...'0123456789ABCDEFabcdefG中é\u0000')).map(([i, c]) => ({ at: i, c })),
  fc.constant({ at: -1, c: '' }), // lower case: still the right signature
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('OperatorID', 'Data', 'TimeStamp', 'Seq', 'Sig' as const), fc.oneof(nastyString, nastyNumber, fc.jsonValue({ maxDepth: 2 }))).map(([field, value]) => ({ field, value }) as Mutation) },
  { weight: 1, arbitrary: fc.constantFrom('OperatorID', 'Data', 'TimeStamp', 'Seq', 'Sig').map((drop) => ({ drop })) },
  { weight: 1, arbitrary: fc.tuple(nastyString, fc.jsonValue({ maxDepth: 1 })).map((extra) => ({ extra }) as Mutation) },
);
const call = fc.record({
  iface: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...IFACES) }, { weight: 1, arbitrary: fc.oneof(nastyString.map((s) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('').slice(0, 90) || 'x'), fc.constantFrom('%ZZ', '%E0%A4%A', 'a%00b')) }),
  operatorId: fc.oneof({ weight: 6, arbitrary: fc.constant(XIAOJU) }, { weight: 1, arbitrary: fc.constant(CEC) }, { weight: 1, arbitrary: nastyString }),
  data: business,
  signedData: fc.oneof({ weight: 5, arbitrary: fc.constant('json') }, { weight: 1, arbitrary: fc.constantFrom('wrong-key', 'not-base64', 'text') }),
  skewS: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -900, max: 900 }) }),
  mutation,
  sig: fc.option(nearMissSig, { nil: null }),
  auth: fc.oneof({ weight: 4, arbitrary: fc.constant('token') }, { weight: 1, arbitrary: fc.constantFrom('none', 'junk') }),
  rawBody: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.oneof(nastyString, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))) }),
});

const counts = async () =>
  (
    await p.ctx.db.query(`SELECT (SELECT count(*) FROM roaming_envelopes WHERE direction = 'in')::int AS env, (SELECT count(*) FROM roaming_seen_seqs)::int AS seqs,
       (SELECT count(*) FROM roaming_sessions)::int AS sessions, (SELECT count(*) FROM roaming_tokens)::int AS tokens`)
  ).rows[0];

test('any envelope, any body: HTTP 200 with a Ret code; Ret 0 only when verified; unverified calls store nothing', async () => {
  let verifiedCalls = 0;
  await fc.assert(
    fc.asyncProperty(call, async (c) => {
      const at = new Date(Date.now() + c.skewS * 1000);
      const plaintext = JSON.stringify(c.data);
      const env: Record<string, unknown> = { ...sealRequest(c.operatorId, plaintext, k, at, next(at)) };
      if (c.signedData !== 'json') {
        env.Data = c.signedData === 'wrong-key' ? encrypt(plaintext, { dataSecret: 'w'.repeat(16), dataSecretIv: 'v'.repeat(16) }) : c.signedData === 'text' ? Buffer.from('plain').toString('base64') : '%%%';
        env.Sig = requestSig(k.sigSecret, env as any);
      }
      if (c.sig) env.Sig = c.sig.at < 0 ? String(env.Sig).toLowerCase() : String(env.Sig).slice(0, c.sig.at) + c.sig.c + String(env.Sig).slice(c.sig.at + 1);
      const m = c.mutation;
      if (m && 'field' in m) env[m.field] = m.value;
      if (m && 'drop' in m) delete env[m.drop];
      if (m && 'extra' in m) env[m.extra[0]] = m.extra[1];
      const verified =
        c.rawBody === null &&
        env.OperatorID === XIAOJU &&
        ['Data', 'TimeStamp', 'Seq'].every((f) => typeof env[f] === 'string') &&
        /^\d{14}$/.test(env.TimeStamp as string) &&
        /^\d{4}$/.test(env.Seq as string) &&
        sigEquals(requestSig(k.sigSecret, env as any), env.Sig);
      const before = await counts();
      const res = await fetch(`${p.url}/evcs/v1/${c.iface}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=utf-8', ...(c.auth === 'token' ? { authorization: `Bearer ${token}` } : c.auth === 'junk' ? { authorization: 'Bearer junk' } : {}) },
        body: c.rawBody ?? JSON.stringify(env),
      });
      const text = await res.text();
      assert.equal(res.status, 200, text.slice(0, 300));
      const body = JSON.parse(text);
      assert.ok(RETS.has(body.Ret), `a T/CEC Ret code, not a server error: ${text.slice(0, 300)}`);
      assert.equal(typeof body.Msg, 'string');
      assert.doesNotMatch(text, DB_TEXT);
      if (!verified) {
        assert.notEqual(body.Ret, Ret.OK, 'Ret 0 only for a verified call');
        assert.deepEqual(await counts(), before, 'an unverified call stores nothing');
      } else verifiedCalls++;
    }),
    { seed: 19_101, numRuns: 150, endOnFailure: true, includeErrorInReport: true },
  );
  assert.ok(verifiedCalls > 20, `the fuzzing reached the business handlers (${verifiedCalls} verified calls)`);
  assert.equal((await p.api('GET', '/healthz')).status, 200);
});
