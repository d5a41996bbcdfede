/**
 * T/CEC roaming: the pure envelope (seal + open), the partner-facing receive pipeline over HTTP
 * (query_station_status on the embedded database), and ordered outbox pushes to a fake partner.
 * Bounded in count; figures written to docs/performance.md ("Roaming (T/CEC)").
 */
import { loadavg } from 'node:os';
import { machine, writeSection } from '../support/perf-doc.ts';
import { openRequest, sealRequest } from '../../src/modules/roaming/envelope.ts';
import { startTestPlatform } from '../../test/support/platform.ts';
import { XIAOJU, partnerClient, roamingDoc, startPartners } from '../../test/roaming/setup.ts';
import { enqueuePush } from '../../src/modules/roaming/topics.ts';

const write = !process.argv.includes('--no-write');
const loadAtStart = loadavg()[0];
const keys = { dataSecret: '1234567890abcdef', dataSecretIv: '1234567890abcdef', sigSecret: '1234567890abcdef' };
const payload = { ConnectorStatusInfo: { ConnectorID: '4403070003000020001601', Status: 3, ParkStatus: 0, LockStatus: 0 } };

// 1. pure envelope
let best = 0;
for (let round = 0; round < 3; round++) {
  const n = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const at = new Date();
    const e = sealRequest('MA5DAR123', payload, keys, at, '0001');
    if (!openRequest(e, keys, at.getTime()).ok) throw new Error('open failed');
  }
  best = Math.max(best, n / ((performance.now() - t0) / 1000));
}
console.log(`envelope seal+open: ${Math.round(best)}/s`);

// 2. receive pipeline over HTTP, 8 concurrent partner calls
const fx = await startPartners();
const p = await startTestPlatform({ provisioning: roamingDoc({ xiaoju: fx.xiaoju.url, cec: fx.cec.url }), timeScale: 0.001 });
const xj = partnerClient(p.url, XIAOJU, 'x');
await xj.login();
const calls = 2000;
const lat: number[] = [];
const t1 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < calls) {
      next++;
      const s = performance.now();
      const r = await xj.call('query_station_status', { StationIDs: ['s1'] });
      if (r.ret !== 0) throw new Error(`Ret ${r.ret} ${r.msg}`);
      lat.push(performance.now() - s);
    }
  }),
);
const inboundRate = calls / ((performance.now() - t1) / 1000);
lat.sort((a, b) => a - b);
const p50 = lat[Math.floor(lat.length / 2)];
const p99 = lat[Math.floor(lat.length * 0.99)];
console.log(`inbound query_station_status: ${Math.round(inboundRate)}/s, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);

// 3. ordered pushes through the outbox to the fake partner (one ordering key: strictly one at a time)
const pushes = 500;
const before = fx.xiaoju.of('notification_stationStatus').length;
await p.ctx.db.tx(async (q) => {
  for (let i = 0; i < pushes; i++) await enqueuePush(p.ctx, q, { operatorId: 'op1', partnerId: XIAOJU, iface: 'notification_stationStatus', data: payload });
});
const t2 = performance.now();
await fx.xiaoju.waitFor('pushes', () => fx.xiaoju.of('notification_stationStatus').length >= before + pushes, 300_000);
const pushRate = pushes / ((performance.now() - t2) / 1000);
console.log(`ordered pushes to one partner: ${Math.round(pushRate)}/s`);
await p.close();
await fx.xiaoju.close();
await fx.cec.close();

if (write)
  writeSection(
    'Roaming (T/CEC)',
    `\`npm run bench -- roaming\` (bench/roaming/index.ts). Measured ${new Date().toISOString().slice(0, 10)} on: ${machine()}; 1-minute load average at start ${loadAtStart.toFixed(1)} (the machine was shared: compare runs on the same machine only).

| what | figure |
|---|---|
| envelope seal + open (AES-128-CBC, HMAC-MD5, JSON; one core, best of 3 × 50,000) | ${Math.round(best).toLocaleString('en')} /s |
| partner calls \`query_station_status\` over HTTP, full receive pipeline (log, signature, token, replay, decrypt, answer), embedded PGlite, 8 concurrent | ${Math.round(inboundRate)} /s, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms |
| \`notification_stationStatus\` pushes through the outbox to one fake partner (one ordering key: one at a time, token cached, every envelope logged), embedded PGlite | ${Math.round(pushRate)} /s |

Every inbound call writes two rows (envelope log, replay guard) and every push three (envelope log
in/out, outbox); the ordered push rate is the ceiling for one partner's backlog after an outage.`,
  );
