import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SimEvent, SimulatedCharger } from './charger.ts';
import { fleetFromDoc, makeCharger, sessionLoop, syntheticProvisioning } from './fleet.ts';
import { systemClock } from '../../../platform/clock.ts';

const USAGE = `chargeops simulate --url ws://HOST:PORT/ocpp --chargers N [options]
  --file FILE.json     provisioning document with the chargers (ids, authKeys) and drivers' id tags
  --synthetic          the --file is one --generate wrote (kept for scripts; --file alone does the same)
  --generate FILE      write a provisioning document with N synthetic chargers (random keys) to FILE and exit
  --speed X            simulated minutes per real second (default 1; 0.0167 = real time)
  --interval S         MeterValueSampleInterval in simulated seconds (default 60)
  --sessions           keep plugging in, authorizing, charging, stopping and unplugging with random drivers
  --verbose            also print every MeterValues
  --clock real|simulated   timestamps in frames (default real)`;


export async function simulateCli(args: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      chargers: { type: 'string' },
      file: { type: 'string' },
      synthetic: { type: 'boolean', default: false },
      generate: { type: 'string' },
      speed: { type: 'string', default: '1' },
      interval: { type: 'string', default: '60' },
      sessions: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      clock: { type: 'string', default: 'real' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const bad = (msg: string): never => {
    process.stderr.write(`${msg}\n\n${USAGE}\n`);
    process.exit(2);
  };
  if (v.help) return void console.log(USAGE);
  const n = Number(v.chargers ?? (v.generate ? NaN : 0));
  if (v.generate) {
    if (!Number.isInteger(n) || n < 1) bad('--generate needs --chargers N');
    writeFileSync(v.generate, JSON.stringify(syntheticProvisioning(n), null, 2));
    console.log(`wrote ${n} synthetic chargers to ${v.generate}; provision it with: chargeops provision ${v.generate}`);
    return;
  }
  if (!v.url || !/^wss?:\/\//.test(v.url)) bad('--url ws://HOST:PORT/ocpp is required');
  const speed = Number(v.speed);
  const interval = Number(v.interval);
  if (!(speed > 0)) bad('--speed must be a positive number');
  if (!(interval >= 1)) bad('--interval must be at least 1 (seconds)');
  if (v.clock !== 'real' && v.clock !== 'simulated') bad('--clock is real or simulated');

  // No built-in fleet: keys are secrets, so they come from the document the chargers were provisioned with.
  if (!v.file) bad(`--file is required: the provisioning document with the chargers' keys (${v.synthetic ? 'the one --generate wrote' : 'e.g. one --generate wrote'})`);
  let fleet;
  const file = resolve(v.file!);
  try {
    fleet = fleetFromDoc(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    return bad(`cannot read ${file}: ${(e as Error).message}`);
  }
  const keyless = fleet.chargers.filter((c) => !c.authKey).map((c) => c.id);
  if (keyless.length) bad(`${file} gives no authKey for ${keyless.slice(0, 3).join(', ')}${keyless.length > 3 ? ` and ${keyless.length - 3} more` : ''}: the simulator connects with the charger's key`);
  const count = n > 0 ? Math.min(n, fleet.chargers.length) : fleet.chargers.length;
  if (!count) bad('the provisioning document has no chargers');
  if (n > fleet.chargers.length) console.log(`the document has ${fleet.chargers.length} chargers; simulating all of them`);

  const stats = { booted: 0, started: 0, stopped: 0, energyWh: 0, meterValues: 0, commands: 0, errors: 0, disconnects: 0 };
  const print = (ev: SimEvent) => {
    if (ev.type === 'meter') {
      stats.meterValues++;
      if (!v.verbose) return;
    }
    if (ev.type === 'boot' && ev.data?.status === 'Accepted') stats.booted++;
    if (ev.type === 'sessionStarted') stats.started++;
    if (ev.type === 'sessionStopped') (stats.stopped++, (stats.energyWh += Number(ev.data?.energyWh ?? 0)));
    if (ev.type === 'command') stats.commands++;
    if (ev.type === 'error') stats.errors++;
    if (ev.type === 'disconnected') stats.disconnects++;
    if (ev.type === 'status' && !v.verbose) return;
    const t = systemClock.date().toISOString().slice(11, 19);
    console.log(`${t} ${ev.chargerId}${ev.connectorId ? `#${ev.connectorId}` : ''} ${ev.message}`);
  };

  const chargers: SimulatedCharger[] = [];
  const abort = new AbortController();
  const loops: Promise<void>[] = [];
  const inUse = new Set<string>();
  const started = systemClock.now();
  const summary = () => {
    const secs = Math.round((systemClock.now() - started) / 1000);
    console.log(
      `\nsummary after ${secs}s: ${chargers.filter((c) => c.connected).length}/${chargers.length} connected, ${stats.booted} boots accepted, ` +
        `${stats.started} sessions started, ${stats.stopped} stopped, ${(stats.energyWh / 1000).toFixed(2)} kWh, ` +
        `${stats.meterValues} MeterValues, ${stats.commands} commands answered, ${stats.disconnects} disconnects, ${stats.errors} errors`,
    );
  };
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    abort.abort();
    summary();
    await Promise.allSettled(chargers.map((c) => c.close()));
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  console.log(`simulating ${count} charger(s) against ${v.url} at ${speed} simulated min/s${v.sessions ? ' with sessions' : ''}; Ctrl-C for a summary`);
  // Connect in waves so a big fleet does not open thousands of handshakes at once.
  const wave = 50;
  for (let i = 0; i < count && !stopping; i += wave) {
    await Promise.all(
      fleet.chargers.slice(i, Math.min(count, i + wave)).map(async (fc) => {
        const ch = makeCharger(v.url!, fc, { speed, meterIntervalS: interval, clock: v.clock as 'real' | 'simulated' });
        ch.on('event', print);
        chargers.push(ch);
        try {
          await ch.connect();
        } catch (e) {
          stats.errors++;
          console.log(`${fc.id} cannot connect: ${(e as Error).message}`);
          return;
        }
        if (v.sessions) for (const c of fc.connectors) loops.push(sessionLoop(ch, c.id, { idTags: fleet.idTags, inUse }, abort.signal));
      }),
    );
  }
  setInterval(() => {}, 1 << 30); // keeps running (even with every charger refused) until Ctrl-C
  await new Promise(() => {});
}
