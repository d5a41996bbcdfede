/**
 * T/CEC inbound robustness (issue 11, points 13 and 15): a multibyte or malformed Sig, a body that is
 * not JSON, too large or too deep, NUL in the business data → always HTTP 200 with a Ret code, never
 * a 500; a call whose signature does not verify is never stored.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { XIAOJU, partnerClient, roamingDoc, startPartners } from './setup.ts';
import type { FakePartner } from './fake-partner.ts';

let p: TestPlatform;
let fx: { xiaoju: FakePartner; cec: FakePartner };
let xj: ReturnType<typeof partnerClient>;
before(async () => {
  fx = await startPartners();
  p = await startTestPlatform({ provisioning: roamingDoc({ xiaoju: fx.xiaoju.url, cec: fx.cec.url }), timeScale: 0.001 });
  xj = partnerClient(p.url, XIAOJU, 'x');
  await xj.login();
});
after(async () => {
  await p?.close();
  await fx?.xiaoju.close();
  await fx?.cec.close();
});

const stored = async () => (await p.ctx.db.query(`SELECT count(*)::int AS n FROM roaming_envelopes WHERE direction = 'in'`)).rows[0].n as number;
const post = async (body: string, contentType = 'application/json') => {
  const r = await fetch(`${p.url}/evcs/v1/query_station_status`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${xj.token}` }, body });
  return { http: r.status, body: (await r.json()) as any };
};

test('a multibyte, short, long or non-hex Sig is Ret 4003 (never a crash), and nothing is stored', async () => {
  const before = await stored();
  for (const Sig of ['中'.repeat(32), '中'.repeat(11), 'é'.repeat(32), 'ß'.repeat(32), 'A'.repeat(31), 'A'.repeat(33), 'G'.repeat(32), '', '\u0000'.repeat(32), '\ud800'.repeat(32)]) {
    const r = await xj.call('query_station_status', { StationIDs: ['s1'] }, { tamper: (e) => ({ ...e, Sig }) });
    assert.equal(r.http, 200, JSON.stringify(Sig));
    assert.equal(r.ret, 4003, `${JSON.stringify(Sig)} → ${JSON.stringify(r.body)}`);
  }
  const wrong = await xj.call('query_station_status', { StationIDs: ['s1'] }, { tamper: (e) => ({ ...e, Sig: 'ab'.repeat(16) }) });
  assert.equal(wrong.ret, 4001);
  assert.equal(await stored(), before, 'calls whose signature did not verify are not stored');
});

test('bodies that never make an envelope: Ret 4003 with HTTP 200, nothing stored', async () => {
  const before = await stored();
  const cases = [
    await post('{"OperatorID":'),
    await post('x'.repeat(2 * 1024 * 1024)),
    await post('['.repeat(5000) + ']'.repeat(5000)),
    await post(JSON.stringify({ OperatorID: XIAOJU, Data: 'a\u0000', TimeStamp: '20260101000000', Seq: '0001', Sig: 'A'.repeat(32) })),
    await post('OperatorID=1', 'application/x-www-form-urlencoded'),
    await post('[]'),
    await post('null'),
  ];
  for (const r of cases) {
    assert.equal(r.http, 200);
    assert.equal(r.body.Ret, 4003, JSON.stringify(r.body));
  }
  assert.equal(await stored(), before);
});

test('a verified call whose business data holds NUL is Ret 4004 naming the field, and stored (escaped)', async () => {
  const before = await stored();
  const r = await xj.call('query_station_status', { StationIDs: ['s1\u0000'] });
  assert.equal(r.ret, 4004);
  assert.match(r.msg, /StationIDs\[0\] contains a NUL character/);
  assert.ok(r.sigOk, 'the answer is signed');
  assert.equal(await stored(), before + 1);
});
