import { createHmac, randomBytes } from 'node:crypto';
import { SimulatedCharger, type SimConnectorSpec, type SimulatedChargerOptions } from './charger.ts';
import { systemClock } from '../../../platform/clock.ts';

/** A charger as the simulator needs it, taken from a provisioning document. */
export interface FleetCharger {
  operatorId: string;
  id: string;
  /** undefined when the document carries none (examples/demo.json: its keys are made at start) */
  authKey: string | undefined;
  connectors: SimConnectorSpec[];
}

/** Chargers and usable driver id tags (active, not expired at `now`: the simulator's own wall clock by default) of a provisioning document. */
export function fleetFromDoc(doc: any, now: Date = systemClock.date()): { chargers: FleetCharger[]; idTags: string[] } {
  const chargers: FleetCharger[] = [];
  const idTags: string[] = [];
  for (const o of doc?.operators ?? []) {
    for (const s of o.stations ?? []) for (const c of s.chargers ?? []) chargers.push({ operatorId: o.id, id: c.id, authKey: c.authKey, connectors: c.connectors });
    for (const d of o.drivers ?? [])
      for (const t of d.idTags ?? []) if ((t.status ?? 'active') === 'active' && !(t.expiresAt && new Date(t.expiresAt) <= now)) idTags.push(t.id);
  }
  return { chargers, idTags };
}

/** Charge box id of the i-th synthetic charger: 20 digits like the field's, in a range real ones do not use. */
export function syntheticChargerId(i: number): string {
  return `9900${String(i).padStart(16, '0')}`;
}

/**
 * A provisioning document with n synthetic DC chargers (two 60 kW guns each) for load tests and
 * benchmarks, spread over stations of 50, with a few drivers. Keys and passwords come from `secret`
 * (random unless given), so no two generated documents share a usable credential.
 */
export function syntheticProvisioning(n: number, o: { operatorId?: string; perStation?: number; drivers?: number; offset?: number; admin?: boolean; secret?: string } = {}) {
  const operatorId = o.operatorId ?? 'sim';
  const secret = o.secret ?? randomBytes(16).toString('hex');
  const derive = (what: string) => createHmac('sha256', secret).update(what).digest('base64url').slice(0, 24);
  const offset = o.offset ?? 0;
  const perStation = o.perStation ?? 50;
  const stations: any[] = [];
  for (let i = 0; i < n; i++) {
    if (i % perStation === 0) stations.push({ id: `${operatorId}-st${stations.length + 1}`, name: `模拟站 ${stations.length + 1}`, city: '深圳', areaCode: '440300', chargers: [] });
    stations.at(-1).chargers.push({
      id: syntheticChargerId(offset + i + 1),
      authKey: derive(`charger:${syntheticChargerId(offset + i + 1)}`),
      connectors: [
        { id: 1, type: 'DC', maxPowerKw: 60 },
        { id: 2, type: 'DC', maxPowerKw: 60 },
      ],
    });
  }
  const drivers = Array.from({ length: o.drivers ?? 20 }, (_, i) => ({
    phone: `139${String(i + 1).padStart(8, '0')}`,
    name: `模拟司机${i + 1}`,
    idTags: [{ id: `SIM${String(i + 1).padStart(8, '0')}`, status: 'active' }],
    walletBalance: '500.00',
  }));
  return {
    admins: o.admin === false ? [] : [{ username: 'sim-admin', password: derive('user:sim-admin') }],
    operators: [
      {
        id: operatorId,
        name: 'Simulated operator',
        timezone: 'Asia/Shanghai',
        users: [{ username: `${operatorId}-admin`, password: derive(`user:${operatorId}-admin`), role: 'operator_admin' }],
        stations,
        drivers,
      },
    ],
  };
}

export function makeCharger(url: string, c: FleetCharger, o: Partial<SimulatedChargerOptions> = {}): SimulatedCharger {
  return new SimulatedCharger({ url, id: c.id, authKey: c.authKey ?? '', connectors: c.connectors, ...o });
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export interface SessionLoopOptions {
  idTags: string[];
  /** Simulated minutes idle between sessions (uniform in [min, max]). */
  idleMin?: [number, number];
  /** Simulated minutes a driver charges at most (uniform); a full battery ends the session earlier. */
  chargeMin?: [number, number];
  /** Simulated minutes the car stays plugged in after the stop (occupancy). */
  dwellMin?: [number, number];
  rng?: () => number;
  /** Sleep before the first session, simulated minutes: spreads a fleet's sessions out. */
  firstIdleMin?: number;
  /** Tags charging right now, shared by a fleet's loops: a driver charges one car at a time. */
  inUse?: Set<string>;
}

/**
 * Repeats plug-in → authorize → start → meter → stop → unplug on one connector with random drivers
 * until the signal aborts. Errors (e.g. the server rejecting a tag) are reported as events, not thrown.
 */
export async function sessionLoop(ch: SimulatedCharger, connectorId: number, o: SessionLoopOptions, signal: AbortSignal): Promise<void> {
  const rng = o.rng ?? Math.random;
  const between = ([a, b]: [number, number]) => a + rng() * (b - a);
  const simMin = (m: number) => (m * 1000) / ch.opts.speed; // simulated minutes → real ms
  await sleep(simMin(o.firstIdleMin ?? between(o.idleMin ?? [1, 15])), signal);
  while (!signal.aborted) {
    try {
      if (!ch.connected || !ch.booted || ch.connector(connectorId).status !== 'Available' || !o.idTags.length) {
        await sleep(simMin(between(o.idleMin ?? [1, 15])), signal);
        continue;
      }
      await ch.plugIn(connectorId);
      await sleep(simMin(0.5), signal);
      const free = o.inUse ? o.idTags.filter((t) => !o.inUse!.has(t)) : o.idTags;
      const idTag = (free.length ? free : o.idTags)[Math.floor(rng() * (free.length || o.idTags.length))];
      o.inUse?.add(idTag);
      const r = await ch.startSession(connectorId, idTag).finally(() => {
        if (ch.connector(connectorId).transactionId === undefined) o.inUse?.delete(idTag);
      });
      if (r.status === 'Accepted') {
        const full = new Promise<void>((resolve) => {
          const on = (ev: { connectorId?: number }) => ev.connectorId === connectorId && (ch.off('full', on), resolve());
          ch.on('full', on);
          signal.addEventListener('abort', () => (ch.off('full', on), resolve()), { once: true });
        });
        await Promise.race([full, sleep(simMin(between(o.chargeMin ?? [20, 75])), signal)]);
        if (signal.aborted) return;
        await ch.stopSession(connectorId, 'Local');
        o.inUse?.delete(idTag);
      }
      await sleep(simMin(between(o.dwellMin ?? [1, 8])), signal);
      if (signal.aborted) return;
      await ch.unplug(connectorId);
    } catch (e) {
      ch.fail(e);
      // Leave the connector usable for the next round: a half-started session means a car still plugged in.
      if (ch.connector(connectorId).transactionId === undefined) await ch.unplug(connectorId).catch(() => {});
      await sleep(simMin(5), signal);
    }
    await sleep(simMin(between(o.idleMin ?? [1, 15])), signal);
  }
}
