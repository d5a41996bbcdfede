import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { CEC, CHARGER, XIAOJU, keys, partnerClient, roamingDoc, startPartners, inboundSecret } from './setup.ts';
import type { FakePartner } from './fake-partner.ts';
import { sealRequest } from '../../src/modules/roaming/envelope.ts';

let p: TestPlatform;
let fx: { xiaoju: FakePartner; cec: FakePartner };
let xj: ReturnType<typeof partnerClient>;
let cec: ReturnType<typeof partnerClient>;
const seq = (id: string, n: number) => `${id}${String(Date.now()).padStart(13, '0')}${String(n).padStart(5, '0')}`;

before(async () => {
  fx = await startPartners();
  p = await startTestPlatform({ provisioning: roamingDoc({ xiaoju: fx.xiaoju.url, cec: fx.cec.url }, { extraStations: 11 }), timeScale: 0.001 });
  xj = partnerClient(p.url, XIAOJU, 'x');
  cec = partnerClient(p.url, CEC, 'c');
});
after(async () => {
  await p?.close();
  await fx?.xiaoju.close();
  await fx?.cec.close();
});

test('query_token: a token for the right secret, FailReason 2 for a wrong one, 1 for a foreign inner OperatorID', async () => {
  const ok = await xj.call('query_token', { OperatorID: XIAOJU, OperatorSecret: inboundSecret(XIAOJU) }, { token: null });
  assert.equal(ok.ret, 0);
  assert.ok(ok.sigOk);
  assert.equal(ok.body.Sig, ok.body.Sig.toUpperCase());
  assert.equal(ok.data.SuccStat, 0);
  assert.equal(ok.data.TokenAvailableTime, 7200);
  assert.ok(ok.data.AccessToken.length >= 16);
  const wrong = await xj.call('query_token', { OperatorID: XIAOJU, OperatorSecret: 'nope' }, { token: null });
  assert.deepEqual([wrong.ret, wrong.data.SuccStat, wrong.data.FailReason, wrong.data.AccessToken], [0, 1, 2, '']);
  const foreign = await xj.call('query_token', { OperatorID: '999999999', OperatorSecret: inboundSecret(XIAOJU) }, { token: null });
  assert.deepEqual([foreign.data.SuccStat, foreign.data.FailReason], [1, 1]);
  await xj.login();
  await cec.login();
});

test('Ret codes: bad signature 4001, bad token 4002, missing envelope fields 4003, replay 4003, bad business data 4004, unknown operator', async () => {
  const sig = await xj.call('query_station_status', { StationIDs: ['s1'] }, { tamper: (e) => ({ ...e, Sig: 'A'.repeat(32) }) });
  assert.equal(sig.ret, 4001);
  const lower = await xj.call('query_station_status', { StationIDs: ['s1'] }, { tamper: (e) => ({ ...e, Sig: e.Sig.toLowerCase() }) });
  assert.equal(lower.ret, 0, 'a lower-case signature is accepted');
  const tok = await xj.call('query_station_status', { StationIDs: ['s1'] }, { token: 'not-a-token' });
  assert.equal(tok.ret, 4002);
  const noTok = await xj.call('query_station_status', { StationIDs: ['s1'] }, { token: null });
  assert.equal(noTok.ret, 4002);
  // a token of another partner is no token for this one
  const crossed = await xj.call('query_station_status', { StationIDs: ['s1'] }, { token: cec.token });
  assert.equal(crossed.ret, 4002);
  const missing = await xj.call('query_station_status', { StationIDs: ['s1'] }, { tamper: ({ Seq, ...e }) => e });
  assert.equal(missing.ret, 4003);
  assert.match(missing.msg, /Seq/);
  const old = await xj.call('query_station_status', { StationIDs: ['s1'] }, {
    tamper: () => sealRequest(XIAOJU, { StationIDs: ['s1'] }, keys('xi'), new Date(Date.now() - 10 * 60_000), '0001'),
  });
  assert.equal(old.ret, 4003);
  const fixed = sealRequest(XIAOJU, { StationIDs: ['s1'] }, keys('xi'), new Date(), '9001');
  assert.equal((await xj.call('query_station_status', {}, { tamper: () => fixed })).ret, 0);
  const replay = await xj.call('query_station_status', {}, { tamper: () => fixed });
  assert.equal(replay.ret, 4003);
  assert.match(replay.msg, /replay/);
  const biz = await xj.call('query_station_status', { StationIDs: 's1' });
  assert.equal(biz.ret, 4004);
  assert.match(biz.msg, /StationIDs/);
  const tooMany = await xj.call('query_station_status', { StationIDs: Array.from({ length: 51 }, (_, i) => `s${i}`) });
  assert.equal(tooMany.ret, 4004);
  const unknownOp = await xj.call('query_station_status', { StationIDs: ['s1'] }, { operatorId: '000000000' });
  assert.equal(unknownOp.ret, 4004);
  assert.equal(unknownOp.http, 200);
  const notJson = await fetch(`${p.url}/evcs/v1/query_station_status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"OperatorID":' });
  assert.equal(notJson.status, 200);
  assert.equal((await notJson.json()).Ret, 4003);
  const seqWrong = await xj.call('query_start_charge', { StartChargeSeq: seq(XIAOJU, 1).slice(1), ConnectorID: CHARGER + '01' });
  assert.equal(seqWrong.ret, 4004);
});

test('query_stations_info pages through the shared stations only, with equipment and connector ids', async () => {
  const p1 = await xj.call('query_stations_info', { PageNo: 1, PageSize: 5 });
  assert.equal(p1.ret, 0);
  assert.deepEqual([p1.data.PageNo, p1.data.PageCount, p1.data.ItemSize, p1.data.StationInfos.length], [1, 3, 12, 5]);
  const p3 = await xj.call('query_stations_info', { PageNo: 3, PageSize: 5 });
  assert.equal(p3.data.StationInfos.length, 2);
  const ids = [...p1.data.StationInfos, ...(await xj.call('query_stations_info', { PageNo: 2, PageSize: 5 })).data.StationInfos, ...p3.data.StationInfos].map((s: any) => s.StationID);
  assert.equal(new Set(ids).size, 12);
  assert.ok(!ids.includes('s9'), 'a station not shared with the partner stays hidden');
  const s1 = p1.data.StationInfos.find((s: any) => s.StationID === 's1');
  assert.equal(s1.OperatorID, 'MA5DAR123');
  assert.equal(s1.StationLat, 22.681234);
  assert.equal(s1.StationStatus, 50);
  const dc = s1.EquipmentInfos.find((e: any) => e.EquipmentID === CHARGER);
  assert.equal(dc.EquipmentType, 1);
  assert.equal(dc.Power, 60);
  assert.deepEqual(dc.ConnectorInfos.map((c: any) => c.ConnectorID), [CHARGER + '01', CHARGER + '02']);
  const ac = s1.EquipmentInfos.find((e: any) => e.EquipmentType === 2);
  assert.equal(ac.Power, 7);
  const later = await xj.call('query_stations_info', { LastQueryTime: '2099-01-01 00:00:00' });
  assert.equal(later.data.ItemSize, 0, 'nothing changed since a time in the future');
  const since = await xj.call('query_stations_info', { LastQueryTime: '2000-01-01 00:00:00', PageSize: 50 });
  assert.equal(since.data.ItemSize, 12);
});

test('query_station_status answers connector status codes; query_station_stats answers 0.1 kWh', async () => {
  const r = await cec.call('query_station_status', { StationIDs: ['s1', 's9'] });
  assert.equal(r.data.Total, 1);
  assert.deepEqual(r.data.StationStatusInfos[0].ConnectorStatusInfos.map((c: any) => c.Status), [0, 0, 0]);
  const st = await cec.call('query_station_stats', { StationID: 's1', StartTime: '2026-01-01', EndTime: '2026-01-31' });
  assert.equal(st.ret, 0);
  assert.equal(st.data.StationStats.StationElectricity, 0);
  assert.equal(st.data.StationStats.EquipmentStatsInfos.length, 2);
  assert.equal((await cec.call('query_station_stats', { StationID: 's9', StartTime: '2026-01-01', EndTime: '2026-01-31' })).ret, 4004);
});

test('query_equip_business_policy: today’s periods, StartTime HHmmss, 4-decimal prices, dialect spelling', async () => {
  const x = await xj.call('query_equip_business_policy', { EquipBizSeq: seq(XIAOJU, 2), ConnectorID: CHARGER + '01' });
  assert.equal(x.ret, 0);
  assert.equal(x.data.SuccStat, 0);
  assert.equal(x.data.SumPeriod, 4);
  assert.deepEqual(x.data.PolicyInfos.map((i: any) => i.StartTime), ['000000', '080000', '100000', '230000']);
  assert.equal(x.data.PolicyInfos[2].ElecPrice, 1.1853);
  assert.equal(x.data.PolicyInfos[2].ServicePrice, 0.8);
  assert.equal(x.data.PolicyInfos[2].SevicePrice, undefined);
  const c = await cec.call('query_equip_business_policy', { EquipBizSeq: seq(CEC, 2), ConnectorID: CHARGER + '01' });
  assert.equal(c.data.PolicyInfos[1].SevicePrice, 0.8);
  assert.equal(c.data.PolicyInfos[1].ServicePrice, undefined);
  const none = await cec.call('query_equip_business_policy', { EquipBizSeq: seq(CEC, 3), ConnectorID: '4403070003000020009901' });
  assert.deepEqual([none.data.SuccStat, none.data.FailReason], [1, 1]);
});

test('query_equip_auth fails with FailReason 2 for unknown or offline equipment', async () => {
  const off = await xj.call('query_equip_auth', { EquipAuthSeq: seq(XIAOJU, 4), ConnectorID: CHARGER + '01' });
  assert.deepEqual([off.data.SuccStat, off.data.FailReason], [1, 2]);
  const unknown = await xj.call('query_equip_auth', { EquipAuthSeq: seq(XIAOJU, 5), ConnectorID: 'nonsense' });
  assert.deepEqual([unknown.data.SuccStat, unknown.data.FailReason], [1, 2]);
});

test('console: partners with write-only secrets, envelope log with decrypted payloads, tenancy', async () => {
  const t = await p.login('op1-admin', 'op1-admin-pass');
  const list = await p.api('GET', '/api/v1/partners', undefined, t);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((x: any) => x.id).sort(), [CEC, XIAOJU].sort());
  assert.ok(!JSON.stringify(list.body).includes(inboundSecret(XIAOJU)), 'secrets never leave');
  const env = await p.api('GET', `/api/v1/partners/${XIAOJU}/envelopes?limit=5&direction=in`, undefined, t);
  assert.equal(env.status, 200);
  assert.equal(env.body.items.length, 5);
  assert.ok(env.body.items.some((e: any) => e.request.data && e.response.raw.Ret !== undefined));
  const t2 = await p.login('op2-admin', 'op2-admin-pass');
  assert.equal((await p.api('GET', `/api/v1/partners/${XIAOJU}/envelopes`, undefined, t2)).status, 404, 'another operator’s partner');
  assert.equal((await p.api('GET', `/api/v1/partners/${XIAOJU}`, undefined, t2)).status, 404);
  const staff = await p.login('op1-staff', 'op1-staff-pass');
  const body = {
    operatorId: '123456789', name: 'New', dialect: 'cec-2016', baseUrl: 'http://127.0.0.1:1', stations: ['s1'], startConfirmTimeoutSeconds: 30,
    inbound: { operatorSecret: 'in-secret-1', dataSecret: '1234567890abcdef', dataSecretIv: '1234567890abcdef', sigSecret: '1234567890abcdef' },
    outbound: { operatorSecret: 'out-secret-1', dataSecret: '1234567890abcdef', dataSecretIv: '1234567890abcdef', sigSecret: '1234567890abcdef' },
  };
  assert.equal((await p.api('POST', '/api/v1/partners', body, staff)).status, 403);
  const created = await p.api('POST', '/api/v1/partners', body, t);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.secrets.inbound, 'set');
  assert.equal((await p.api('POST', '/api/v1/partners', body, t)).status, 409);
  const { inbound, outbound, ...noSecrets } = body;
  const put = await p.api('PUT', '/api/v1/partners/123456789', { ...noSecrets, name: 'Renamed' }, t);
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(put.body.name, 'Renamed');
  const bad = await p.api('POST', '/api/v1/partners', { ...body, operatorId: '987654321', inbound: { ...inbound, dataSecret: 'short' } }, t);
  assert.equal(bad.status, 400);
  void outbound;
});

test('check_charge_orders for a day: our pushed orders sent, the partner’s disputes (1/2/3) recorded for reconciliation', async () => {
  const admin = await p.login('op1-admin', 'op1-admin-pass');
  const day = '2026-03-01';
  const rows = [
    ['20260301101010000001', `${XIAOJU}1772330000000000001`, 1234, 2537, '2026-03-01T02:00:00Z', 1],
    ['20260301101010000002', `${XIAOJU}1772330000000000002`, 500, 1000, '2026-03-01T15:59:59Z', 1],
    ['20260301101010000002', `${XIAOJU}1772330000000000002`, 450, 1000, '2026-03-01T15:59:59Z', 2], // corrected: the latest version counts
    ['20260302101010000003', `${XIAOJU}1772330000000000003`, 999, 999, '2026-03-01T16:00:00Z', 1], // next local day
  ] as const;
  for (const [no, s, fen, cwh, end, v] of rows)
    await p.ctx.db.query(
      `INSERT INTO roaming_order_pushes (operator_id, partner_id, order_no, version, start_charge_seq, payload, total_fen, total_wh, end_time)
       VALUES ('op1', $1, $2, $3, $4, $5, $6, $7, $8)`,
      [XIAOJU, no, v, s, JSON.stringify({ TotalPower: cwh / 100, TotalMoney: fen / 100 }), fen, cwh * 10, end],
    );
  fx.xiaoju.disputes = [
    { StartChargeSeq: `${XIAOJU}1772330000000000001`, TotalPower: 25.3, TotalMoney: 12.34, DisputeReason: 3 },
    { StartChargeSeq: `${XIAOJU}1772330000000000009`, TotalPower: 0, TotalMoney: 0, DisputeReason: 1 },
  ];
  const r = await p.api('POST', '/api/v1/partners/check', { day }, admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const got = await fx.xiaoju.waitFor('check', () => fx.xiaoju.of('check_charge_orders')[0]);
  assert.equal(got.data.CheckOrderSeq.length, 27);
  assert.equal(got.data.StartTime, '2026-03-01 00:00:00');
  assert.equal(got.data.EndTime, '2026-03-01 23:59:59');
  assert.equal(got.data.OrderCount, 2);
  assert.equal(got.data.TotalOrderMoney, 16.84);
  assert.equal(got.data.TotalOrderPower, 35.37);
  const disputes = await (async () => {
    for (let i = 0; i < 200; i++) {
      const d = await p.api('GET', `/api/v1/partners/${XIAOJU}/disputes?day=${day}`, undefined, admin);
      if (d.body.items.length === 2) return d.body.items;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('disputes not recorded');
  })();
  assert.deepEqual(disputes.map((d: any) => d.disputeReason).sort(), [1, 3]);
  fx.xiaoju.disputes = [];
});

test('a lost session.started event never leaves a charging partner session "starting": a repeated start links it', async () => {
  const s = seq(XIAOJU, 77);
  const conn = CHARGER + '02';
  await p.ctx.db.query(
    `INSERT INTO roaming_sessions (operator_id, partner_id, start_charge_seq, connector_code, charger_id, connector_id) VALUES ('op1', $1, $2, $3, $4, 2)`,
    [XIAOJU, s, conn, CHARGER],
  );
  // the charger started (StartTransaction recorded) but the in-process event was lost (e.g. a restart)
  await p.ctx.db.query(
    `INSERT INTO sessions (operator_id, station_id, charger_id, connector_id, origin, partner_id, start_charge_seq, meter_start_wh, started_at)
     VALUES ('op1', 's1', $1, 2, 'partner', $2, $3, 1000, now())`,
    [CHARGER, XIAOJU, s],
  );
  const r = await xj.call('query_start_charge', { StartChargeSeq: s, ConnectorID: conn });
  assert.deepEqual([r.data.SuccStat, r.data.StartChargeSeqStat], [0, 2]);
  await fx.xiaoju.waitFor('start result', () => fx.xiaoju.of('notification_start_charge_result').find((x) => x.data.StartChargeSeq === s));
  // and a lost session.finished: the next status tick sees the session ended and tells the partner
  await p.ctx.db.query(`UPDATE sessions SET status = 'finished', stopped_at = now(), meter_stop_wh = 1500 WHERE start_charge_seq = $1`, [s]);
  const stop = await fx.xiaoju.waitFor('stop result', () => fx.xiaoju.of('notification_stop_charge_result').find((x) => x.data.StartChargeSeq === s));
  assert.equal(stop.data.StartChargeSeqStat, 4);
});

test('a call that fails signature or token is refused before anything is stored (counted, not logged as an envelope)', async () => {
  const envelopes = async () => (await p.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM roaming_envelopes WHERE direction = 'in'`)).rows[0].n;
  const rejected = async (reason: string) => (await p.ctx.metrics.inboundRejected.get()).values.find((v) => v.labels.source === 'tcec' && v.labels.reason === reason)?.value ?? 0;
  const n0 = await envelopes();
  const before = { sig: await rejected('bad_signature'), token: await rejected('bad_token'), op: await rejected('unknown_operator'), env: await rejected('bad_envelope'), body: await rejected('unreadable_body') };
  assert.equal((await xj.call('query_station_status', { StationIDs: ['s1'] }, { tamper: (e) => ({ ...e, Sig: 'B'.repeat(32) }) })).ret, 4001);
  assert.equal((await xj.call('query_station_status', { StationIDs: ['s1'] }, { token: 'forged-token' })).ret, 4002);
  assert.equal((await xj.call('query_station_status', { StationIDs: ['s1'] }, { operatorId: '000000000' })).ret, 4004);
  assert.equal((await xj.call('query_station_status', { StationIDs: ['s1'] }, { tamper: ({ Data, ...e }) => e })).ret, 4003);
  const junk = await fetch(`${p.url}/evcs/v1/query_station_status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"OperatorID":' });
  assert.equal((await junk.json()).Ret, 4003);
  assert.equal(await envelopes(), n0, 'no unauthenticated body stored');
  assert.equal(await rejected('bad_signature'), before.sig + 1);
  assert.equal(await rejected('bad_token'), before.token + 1);
  assert.equal(await rejected('unknown_operator'), before.op + 1);
  assert.equal(await rejected('bad_envelope'), before.env + 1);
  assert.equal(await rejected('unreadable_body'), before.body + 1);
  // an authenticated call is stored before it is acted on, as before
  assert.equal((await xj.call('query_station_status', { StationIDs: ['s1'] })).ret, 0);
  assert.equal(await envelopes(), n0 + 1);
});

test('credentials never rest in the envelope log or the token table: OperatorSecret and AccessToken masked, tokens kept as digests', async () => {
  const issued = await xj.call('query_token', { OperatorID: XIAOJU, OperatorSecret: inboundSecret(XIAOJU) }, { token: null });
  const token: string = issued.data.AccessToken;
  assert.ok(token.length >= 16);
  assert.equal((await xj.call('query_station_status', { StationIDs: ['s1'] }, { token })).ret, 0, 'the token works');
  const t = await p.login('op1-admin', 'op1-admin-pass');
  const log = await p.api('GET', `/api/v1/partners/${XIAOJU}/envelopes?interface=query_token&limit=50`, undefined, t);
  assert.equal(log.status, 200);
  const shown = JSON.stringify(log.body);
  assert.ok(log.body.items.some((e: any) => e.request.data?.OperatorSecret === '***' && e.response.data?.AccessToken === '***'), shown.slice(0, 500));
  assert.ok(!shown.includes(inboundSecret(XIAOJU)), 'no partner secret in the log staff see');
  assert.ok(!shown.includes(token), 'no issued token in the log staff see');
  const stored = await p.ctx.db.query<{ dump: string }>(
    `SELECT coalesce(string_agg(coalesce(request_plain, '') || coalesce(response_plain, '') || coalesce(error, ''), ''), '') AS dump FROM roaming_envelopes`,
  );
  assert.ok(!stored.rows[0].dump.includes(inboundSecret(XIAOJU)) && !stored.rows[0].dump.includes(token), 'nor at rest');
  const tokens = await p.ctx.db.query<{ token: string }>(`SELECT token FROM roaming_tokens`);
  assert.ok(tokens.rows.length > 0 && tokens.rows.every((r) => r.token.startsWith('sha256:') && r.token !== token));
  // the partner's token for our calls is sealed
  const outbound = await p.ctx.db.query<{ token: string }>(`SELECT token FROM roaming_outbound_tokens`);
  for (const r of outbound.rows) assert.match(r.token, /^k1\./);
});

test('a partner base URL pointing at a metadata service or link-local address is refused when saved', async () => {
  const t = await p.login('op1-admin', 'op1-admin-pass');
  const secrets = { operatorSecret: 'in-secret-1', dataSecret: '1234567890abcdef', dataSecretIv: '1234567890abcdef', sigSecret: '1234567890abcdef' };
  for (const baseUrl of ['http://169.254.169.254/latest/', 'http://metadata.google.internal/', 'file:///etc/passwd', 'http://[fe80::1]/']) {
    const r = await p.api('POST', '/api/v1/partners', { operatorId: '223456789', name: 'X', dialect: 'cec-2016', baseUrl, stations: [], inbound: secrets, outbound: secrets }, t);
    assert.equal(r.status, 400, baseUrl);
    assert.match(r.body.error.message, /baseUrl.*(never allowed|only http and https)/, baseUrl);
  }
  const put = await p.api('PUT', `/api/v1/partners/${XIAOJU}`, { name: '小桔充电', dialect: 'xiaoju', baseUrl: 'http://100.100.100.200/', stations: ['s1'] }, t);
  assert.equal(put.status, 400);
  const path = await p.api('PUT', `/api/v1/partners/${XIAOJU}`, { name: '小桔充电', dialect: 'xiaoju', baseUrl: fx.xiaoju.url, stations: ['s1'], paths: { notification_start_charge_result: 'http://169.254.169.254/x' } }, t);
  assert.equal(path.status, 400);
  assert.match(path.body.error.message, /paths.*never allowed/);
});
