import type { RunningPlatform as Platform } from '../../../platform/context.ts';
import type { SimulatedCharger } from './charger.ts';
import { fleetFromDoc, makeCharger, sessionLoop } from './fleet.ts';

/**
 * The demo's chargers, simulated in-process against the running server, in real time: every demo
 * charger but the last comes online (the last stays offline so the console shows one), and a few
 * connectors keep cycling through sessions so a couple are charging at any moment. A no-op when
 * DEMO_SIMULATE is off or the server has no OCPP endpoint yet.
 */
export async function startDemoSimulation(p: Platform, doc: unknown): Promise<void> {
  const cfg = p.ctx.config;
  if (!(cfg.DEMO_SIMULATE ?? cfg.DEMO_DATA) || !p.url) return;
  const log = p.ctx.log.child({ part: 'demo-simulator' });
  const url = `${p.url.replace(/^http/, 'ws')}/ocpp`;
  const now = p.ctx.clock.date();
  const { chargers: all } = fleetFromDoc(doc, now);
  const idTags = simulationIdTags(doc, now);
  const online = all.slice(0, Math.max(1, all.length - 1));
  const sims: SimulatedCharger[] = [];
  const abort = new AbortController();

  // The first charger tells whether an OCPP endpoint answers at all.
  const first = makeCharger(url, online[0], { speed: 1 / 60, meterIntervalS: 30 });
  try {
    await first.connect();
  } catch (e) {
    await first.close();
    log.info({ err: (e as Error).message }, 'demo simulation off: no OCPP endpoint answers');
    return;
  }
  sims.push(first);
  await Promise.all(
    online.slice(1).map(async (c) => {
      const ch = makeCharger(url, c, { speed: 1 / 60, meterIntervalS: 30 });
      sims.push(ch);
      await ch.connect().catch((e) => log.warn({ charger: c.id, err: (e as Error).message }, 'demo charger cannot connect'));
    }),
  );
  for (const ch of sims) {
    ch.on('event', (ev) => {
      if (ev.type === 'error') log.warn({ charger: ev.chargerId }, ev.message);
      else log.debug({ charger: ev.chargerId, connector: ev.connectorId }, ev.message);
    });
  }
  // One connector on each of the first few chargers runs sessions; two start right away.
  const looping = sims.slice(0, 5);
  const inUse = new Set<string>();
  looping.forEach((ch, i) => {
    const connectorId = [...ch.connectors.keys()][i % ch.connectors.size];
    void sessionLoop(
      ch,
      connectorId,
      { idTags, inUse, idleMin: [10, 40], chargeMin: [25, 60], dwellMin: [1, 5], firstIdleMin: i < 2 ? 0 : 5 + i * 6 },
      abort.signal,
    );
  });
  log.info({ chargers: sims.length, looping: looping.length }, 'demo chargers simulated in-process');

  const stop = p.stop.bind(p);
  p.stop = async () => {
    abort.abort();
    await Promise.allSettled(sims.map((s) => s.close()));
    await stop();
  };
}

/**
 * The cards the simulated sessions use: every active card but those of the first driver of each
 * operator, the one the README's tour logs in as (18475511853), so that driver can always start a
 * charge from the H5 instead of meeting "you already have a charging session in progress".
 */
export function simulationIdTags(doc: unknown, now: Date): string[] {
  const tourCards = new Set(tourDrivers(doc).flatMap((d) => (d.idTags ?? []).map((t) => t.id)));
  return fleetFromDoc(doc, now).idTags.filter((t) => !tourCards.has(t));
}

type DocDriver = { phone: string; idTags?: { id: string }[] };
/** The drivers the tour names: the first of each operator in the document. */
export function tourDrivers(doc: unknown): DocDriver[] {
  const ops = (doc as { operators?: { drivers?: DocDriver[] }[] }).operators ?? [];
  return ops.flatMap((o) => (o.drivers?.length ? [o.drivers[0]] : []));
}
