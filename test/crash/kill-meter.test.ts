/**
 * kill -9 during a MeterValues group commit (issue 15): a frame is acknowledged only after the
 * commit that holds its message-log row, its samples and its session's totals, so a crash anywhere
 * loses nothing that was acknowledged, and each frame is all there or not there at all.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { childPlatform, type ChildPlatform } from '../support/child-platform.ts';
import { RPCClient, CP, KEY, boot } from '../ocpp/support.ts';
import { minimalDoc } from '../fixtures/minimal.ts';

let cp: ChildPlatform;
before(async () => {
  cp = await childPlatform(minimalDoc());
});
after(async () => cp?.cleanup());

const SEQUENTIAL = 20;
const FLOOD = 300;

for (const [fault, connectorId] of [
  [`ocpp:MeterValues:before-commit@${SEQUENTIAL + 4}`, 1],
  [`ocpp:MeterValues:after-commit@${SEQUENTIAL + 4}`, 2],
] as const)
  test(`kill -9 at ${fault}: every acknowledged MeterValues is stored whole, no frame is half stored`, { timeout: 180_000 }, async () => {
    const s = await cp.start({ fault });
    const c = new RPCClient({ endpoint: s.url.replace(/^http/, 'ws') + '/ocpp', identity: CP, password: KEY, protocols: ['ocpp1.6'], strictMode: true, reconnect: false, callTimeoutMs: 20_000, callConcurrency: 100 });
    await c.connect();
    await boot(c);
    const t0 = Date.now() - 3_600_000;
    const { transactionId } = await c.call('StartTransaction', { connectorId, idTag: 'CARD0001', meterStart: 1_000, timestamp: new Date(t0).toISOString() });
    // each frame's energy register is unique: 100000 + i Wh
    const frame = (i: number) => ({
      connectorId,
      transactionId,
      meterValue: [{ timestamp: new Date(t0 + 1000 * (i + 1)).toISOString(), sampledValue: [{ value: String(100_000 + i), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
    });
    const acked: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      await c.call('MeterValues', frame(i));
      acked.push(i);
    }
    await Promise.all(
      Array.from({ length: FLOOD }, (_, k) => SEQUENTIAL + k).map((i) =>
        c.call('MeterValues', frame(i)).then(
          () => acked.push(i),
          () => {},
        ),
      ),
    );
    assert.equal(await s.exited, 'SIGKILL', `the server died at ${fault}:\n${s.out()}`);
    await c.close({ force: true }).catch(() => {});
    assert.ok(acked.length >= SEQUENTIAL && acked.length < SEQUENTIAL + FLOOD, `acknowledged ${acked.length}`);

    const db = await cp.db();
    try {
      const samples = new Set(
        (await db.query<{ v: string }>(`SELECT value::text AS v FROM meter_samples WHERE session_id = $1`, [transactionId])).rows.map((r) => Number(r.v) - 100_000),
      );
      const logged = new Set(
        (
          await db.query<{ v: string }>(
            `SELECT payload->'meterValue'->0->'sampledValue'->0->>'value' AS v FROM ocpp_messages WHERE charger_id = $1 AND direction = 'in' AND action = 'MeterValues' AND (payload->>'transactionId')::bigint = $2`,
            [CP, transactionId],
          )
        ).rows.map((r) => Number(r.v) - 100_000),
      );
      const lost = acked.filter((i) => !samples.has(i) || !logged.has(i));
      assert.deepEqual(lost, [], 'acknowledged frames missing their samples or their log row');
      assert.deepEqual([...samples].sort((a, b) => a - b), [...logged].sort((a, b) => a - b), 'a frame has its samples exactly when it has its log row');
      const session = (await db.query<{ last_energy_wh: number }>(`SELECT last_energy_wh FROM sessions WHERE id = $1`, [transactionId])).rows[0];
      assert.equal(session.last_energy_wh, 100_000 + Math.max(...samples), "the session's running total is the newest committed reading");
      if (fault.includes('before-commit')) assert.ok(samples.size < SEQUENTIAL + FLOOD, 'the batch being committed at the crash is gone whole');
    } finally {
      await db.close();
    }
  });
