/**
 * Support case 2 (igo_case#2: sessions in our records the partner's system never had): a partner
 * start whose result the partner never confirms is stopped by the platform when the start-confirmation
 * deadline passes. On a FakeClock: the deadline is a durable outbox timer on ctx.clock, moved past by
 * hand, with no real waiting.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { expectRemoteStart, recordStart, type SessionRow } from '../../src/modules/sessions/index.ts';
import { linkSession } from '../../src/modules/roaming/lifecycle.ts';
import { AC_CHARGER, CEC, roamingDoc, startPartners } from './setup.ts';
import type { FakePartner } from './fake-partner.ts';

const clock = new FakeClock(Date.now()); // partners check envelope times: start from the real now
let p: TestPlatform;
let fx: { xiaoju: FakePartner; cec: FakePartner };

before(async () => {
  fx = await startPartners();
  p = await startTestPlatform({ provisioning: roamingDoc({ xiaoju: fx.xiaoju.url, cec: fx.cec.url }, { startConfirmTimeoutSeconds: 300 }), clock });
});
after(async () => {
  await p?.close();
  await fx?.xiaoju.close();
  await fx?.cec.close();
});

const rsOf = async (s: string) => (await p.ctx.db.query(`SELECT * FROM roaming_sessions WHERE partner_id = $1 AND start_charge_seq = $2`, [CEC, s])).rows[0];

test('case 2: a remote start nobody confirms is stopped at the start-confirmation deadline, not before', async () => {
  fx.cec.ignoreStartResults = true; // the partner never acknowledges notification_start_charge_result
  const seq = `${CEC}${clock.now()}00002`;
  const row = await p.ctx.db.tx(async (q) => {
    await q.query(
      `INSERT INTO roaming_sessions (operator_id, partner_id, start_charge_seq, connector_code, charger_id, connector_id) VALUES ('op1', $1, $2, $3, $4, 1)`,
      [CEC, seq, AC_CHARGER + '01', AC_CHARGER],
    );
    await expectRemoteStart(q, { operatorId: 'op1', chargerId: AC_CHARGER, connectorId: 1, idTag: 'PARTNERTAG', origin: 'partner', partnerId: CEC, startChargeSeq: seq });
    const r = await recordStart(q, { operatorId: 'op1', stationId: 's1', chargerId: AC_CHARGER, connectorId: 1, idTag: 'PARTNERTAG', meterStartWh: 0, startedAt: clock.date(), receivedAt: clock.date() });
    return (await q.query<SessionRow>(`SELECT * FROM sessions WHERE id = $1`, [r.sessionId])).rows[0];
  });
  await linkSession(p.ctx, row); // the charger started: start result pushed, confirmation deadline armed
  await p.ctx.outbox.drain();
  assert.equal((await rsOf(seq)).state, 'charging');

  await clock.advance(299_000);
  await p.ctx.outbox.drain();
  let rs = await rsOf(seq);
  assert.equal(rs.confirmed_at, null);
  assert.equal(rs.auto_stop_reason, null, 'one second before the deadline nothing is stopped');

  await clock.advance(2_000);
  await p.ctx.outbox.drain();
  rs = await rsOf(seq);
  assert.match(rs.auto_stop_reason ?? '', /did not confirm notification_start_charge_result within 300 s/);
  assert.equal(rs.stop_requested_by, 'platform');
  assert.equal(rs.state, 'stopping');
  const audit = await p.ctx.db.query(`SELECT reason FROM audit_log WHERE action = 'roaming.auto_stop' AND entity_id = $1`, [`${CEC}:${seq}`]);
  assert.equal(audit.rows.length, 1);
  const stop = await p.ctx.db.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'roaming.remote_stop' AND payload->>'startChargeSeq' = $1`, [seq]);
  assert.equal(stop.rows[0].n, 1, 'the RemoteStopTransaction is a durable outbox row');
});
