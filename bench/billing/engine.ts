/**
 * Billing engine throughput: four-period sessions priced per second on one core (one thread).
 * Run: npm run bench -- billing, or node --import tsx bench/billing/engine.ts [--sessions N] [--no-write].
 * Writes the "Billing engine" section of docs/performance.md unless --no-write.
 * Sessions: random starts over 60 days in Asia/Shanghai, 20 min to 5 h, with 0-12 meter samples;
 * some cross a period boundary or midnight; and sessions 07:xx-19:xx that cover all four periods. The inputs are built before timing starts.
 */
import { machine, writeSection } from '../support/perf-doc.ts';
import { loadavg } from 'node:os';
import { priceSession } from '../../src/modules/tariffs/pricing.ts';
import { fourPeriodTariff } from '../../src/modules/tariffs/test-tariffs.ts';
import type { PricingInput } from '../../src/modules/tariffs/types.ts';

const a = process.argv.find((x) => x.startsWith('--sessions'));
const N = a ? Number(a.includes('=') ? a.split('=')[1] : process.argv[process.argv.indexOf(a) + 1]) : 1_000_000;
const WRITE = !process.argv.includes('--no-write');
const LOAD = loadavg()[0];
const rows: string[] = [];
const tariff = fourPeriodTariff();

let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const T0 = Date.parse('2026-03-01T00:00:00+08:00');

/** `fourLines`: every session starts 07:00-08:00 and ends 19:00-20:00, so it has exactly four lines. */
function makeInputs(n: number, samplesMax: number, fourLines = false): PricingInput[] {
  const out: PricingInput[] = [];
  for (let i = 0; i < n; i++) {
    const day = T0 + Math.floor(rnd() * 60) * 86_400_000;
    const startAt = fourLines ? day + 7 * 3_600_000 + Math.floor(rnd() * 3_600_000) : T0 + Math.floor(rnd() * 60 * 86_400_000);
    const dur = fourLines ? day + 19 * 3_600_000 + Math.floor(rnd() * 3_600_000) - startAt : 20 * 60_000 + Math.floor(rnd() * 5 * 3_600_000);
    const meterStartWh = Math.floor(rnd() * 5_000_000);
    const wh = Math.floor(rnd() * 80_000);
    const k = Math.floor(rnd() * (samplesMax + 1));
    const samples = [];
    for (let j = 1; j <= k; j++) samples.push({ at: startAt + Math.floor((dur * j) / (k + 1)), wh: meterStartWh + Math.floor((wh * j) / (k + 1) + rnd() * 50) });
    out.push({ tariff, timeZone: 'Asia/Shanghai', startAt, endAt: startAt + dur, meterStartWh, meterStopWh: meterStartWh + wh, samples });
  }
  return out;
}

/** Prices N sessions cycling over a pool of 100,000 prepared inputs; best of 3 rounds (the machine is shared). */
function run(label: string, inputs: PricingInput[]) {
  let sink = 0;
  for (let i = 0; i < Math.min(inputs.length, 50_000); i++) sink += priceSession(inputs[i]).totalFen; // warm-up
  let best = Infinity;
  let lines = 0;
  for (let round = 0; round < 3; round++) {
    lines = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const r = priceSession(inputs[i % inputs.length]);
      sink += r.totalFen;
      lines += r.periods.length;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const s = best;
  const rate = Math.round(N / s).toLocaleString('en-US');
  console.log(`${label.padEnd(34)} ${N} sessions in ${s.toFixed(2)} s = ${rate} sessions/s (${(lines / N).toFixed(2)} lines/session) [${sink % 7}]`);
  rows.push(`| ${label} | ${N.toLocaleString('en-US')} | ${s.toFixed(2)} s | **${rate}** | ${(lines / N).toFixed(2)} |`);
}

const POOL = Math.min(N, 100_000);
console.log(machine());
run('four periods, no samples', makeInputs(POOL, 0));
run('four periods, 0-12 samples', makeInputs(POOL, 12));
run('four lines each, no samples', makeInputs(POOL, 0, true));
run('four lines each, 0-12 samples', makeInputs(POOL, 12, true));

if (WRITE)
  writeSection(
    'Billing engine',
    `The pure pricing engine (src/modules/tariffs/pricing.ts) on one core, one thread: sessions priced per second
with a four-period tariff (valley 00-08, flat 08-10, peak 10-19, flat 19-24) in Asia/Shanghai. Sessions start
at random over 60 days and last 20 min to 5 h (so some cross a period boundary or midnight), or run
07:xx-19:xx so each has exactly four lines; with no samples (linear spread) or 0-12 meter samples.
Each priced session includes the split, the largest-remainder Wh allocation and the per-line money.
The timed loop cycles over a pool of 100,000 prepared inputs (built before timing); best of 3 rounds,
because the 2-core machine was shared with other work while measuring (1-minute load average at start: ${LOAD.toFixed(1)}).
Target: >= 200,000 sessions/s.

Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 10)}.

| sessions | count | time (best of 3) | sessions/s | lines/session |
|---|---|---|---|---|
${rows.join('\n')}

Reproduce: \`npm run bench -- billing\` (or \`node --import tsx bench/billing/engine.ts --sessions 1000000\`; add
\`--no-write\` to leave this file alone). Why it is fast: local days (start, end, calendar rule, merged
segments) are computed once per zone and day with Temporal and cached, so the hot loop is integer
arithmetic; money uses exact Number arithmetic with a BigInt fallback only above 2^52.`,
  );
