import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalSession, EVASION_SCENARIOS } from '../ocpp/simulator/evasion.ts';
import type { SimulatedCharger } from '../ocpp/simulator/charger.ts';
import { toObservations } from './live.ts';
import { createState, observe, finish, DEFAULT_THRESHOLDS, type Finding } from './rules.ts';

/**
 * The simulator's scripts through the live path's translation (toObservations) and the rules, with
 * a stand-in gateway answering like the platform: Accepted for known cards, Invalid otherwise,
 * ConcurrentTx for a card already charging.
 */
function fakeGateway(chargerId: string, known: (tag: string) => boolean) {
  const state = createState();
  const found = new Map<string, Finding>();
  let tx = 0;
  const open = new Map<number, string>();
  const sim = {
    async call(action: string, params: any) {
      let result: any = {};
      if (action === 'StartTransaction') {
        const busy = [...open.values()].includes(params.idTag);
        result = { transactionId: ++tx, idTagInfo: { status: !known(params.idTag) ? 'Invalid' : busy ? 'ConcurrentTx' : 'Accepted' } };
        open.set(tx, params.idTag);
      }
      if (action === 'StopTransaction') open.delete(params.transactionId);
      for (const o of toObservations({ kind: 'call', operatorId: 'op', chargerId, action, params, result, messageId: String(Math.random()), receivedAt: new Date(0) }))
        for (const f of observe(state, o, DEFAULT_THRESHOLDS)) found.set(f.key, f);
      return result;
    },
  };
  return { sim, found: () => (finish(state, DEFAULT_THRESHOLDS).forEach((f) => found.set(f.key, f)), [...found.values()]) };
}

test('1,000 normal simulated sessions raise no incident', async () => {
  const g = fakeGateway('CP', () => true);
  let t = Date.parse('2026-03-01T00:00:00Z');
  const wh = [0, 1_000_000, 2_000_000];
  for (let n = 0; n < 1000; n++) {
    const c = 1 + (n % 2);
    const r = await normalSession(g.sim, { t0: t, connectorId: c, idTag: `CARD${c}`, registerWh: wh[c], minutes: 1 + (n % 7), kw: 3 + ((n * 37) % 150) });
    assert.equal(r.status, 'Accepted');
    wh[c] = r.registerWh;
    t = r.t + (n % 11) * 60_000;
  }
  assert.deepEqual(g.found(), []);
});

test('each evasion scenario through the live translation: exactly its incident and energy', async () => {
  for (const [kind, run] of Object.entries(EVASION_SCENARIOS)) {
    if (kind === 'duplicate_connection') continue; // needs a second socket: test/security/incidents.test.ts
    const g = fakeGateway('CP', (tag) => tag !== 'STOLEN0001');
    const exp = await run(g.sim as unknown as SimulatedCharger, { t0: Date.parse('2026-03-01T15:00:00Z'), idTag: 'CARD1' });
    const fs = g.found();
    assert.deepEqual(fs.map((f) => f.kind), [exp.kind], kind);
    assert.equal(fs[0].unbilledWh, exp.unbilledWh, kind);
    assert.equal(fs[0].connectorId, exp.connectorId, kind);
  }
});
