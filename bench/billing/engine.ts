/**
 * Billing engine throughput: four-period sessions priced per second on one core (one thread).
 * Run: node --import tsx bench/billing/engine.ts [--sessions N]
 * Sessions: random starts over 60 days in Asia/Shanghai, 20 min to 5 h, with 0-12 meter samples;
 * some cross a period boundary or midnight; and sessions 07:xx-19:xx that cover all four periods. The inputs are built before timing starts.
 */
import os from 'node:os';
import { priceSession } from '../../src/modules/tariffs/pricing.ts';
import { fourPeriodTariff } from '../../src/modules/tariffs/test-tariffs.ts';
import type { PricingInput } from '../../src/modules/tariffs/types.ts';

const arg = process.argv.indexOf('--sessions');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 1_000_000;
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

function run(label: string, inputs: PricingInput[]) {
  let sink = 0;
  for (let i = 0; i < Math.min(inputs.length, 50_000); i++) sink += priceSession(inputs[i]).totalFen; // warm-up
  const t0 = process.hrtime.bigint();
  let lines = 0;
  for (const input of inputs) {
    const r = priceSession(input);
    sink += r.totalFen;
    lines += r.periods.length;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label.padEnd(34)} ${inputs.length} sessions in ${s.toFixed(2)} s = ${Math.round(inputs.length / s).toLocaleString('en-US')} sessions/s (${(lines / inputs.length).toFixed(2)} lines/session) [${sink % 7}]`);
}

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} (${os.cpus().length} cores, 1 used), ${os.platform()} ${os.arch()}`);
run('four periods, no samples', makeInputs(N, 0));
run('four periods, 0-12 samples', makeInputs(N, 12));
run('four lines each, no samples', makeInputs(N, 0, true));
run('four lines each, 0-12 samples', makeInputs(N, 12, true));
