import { SimulatedCharger } from './charger.ts';

/**
 * Scripted frame sequences that reproduce each billing-evasion pattern of issue 13 (support case 1),
 * with the charger's own timestamps spelled out, so the unbilled energy the platform should find is
 * known exactly. Each scenario runs on a connected, booted simulated charger and returns what it
 * expects: the incident kind, the connector and the unbilled energy in Wh.
 */
export interface Expected {
  kind: string;
  connectorId: number | null;
  unbilledWh: number;
}

export interface ScenarioOptions {
  /** charger time of the first frame (ms); frames follow at minute steps */
  t0: number;
  connectorId?: number;
  /** an id tag the operator knows (normal sessions) */
  idTag?: string;
  /** the charger's energy register before the scenario, Wh */
  registerWh?: number;
}

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const reading = (connectorId: number, at: number, wh: number, transactionId?: number) => ({
  connectorId,
  ...(transactionId !== undefined ? { transactionId } : {}),
  meterValue: [{ timestamp: iso(at), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' }] }],
});
const status = (connectorId: number, at: number, s: string) => ({ connectorId, errorCode: 'NoError', status: s, timestamp: iso(at) });

/**
 * A normal, honestly billed session: Preparing, start, Charging, `minutes` readings at `kw`, stop
 * 30 s after the last reading at the register the power gives, Finishing, Available. Returns the end
 * register and the charger time after it.
 */
export async function normalSession(sim: Pick<SimulatedCharger, 'call'>, o: { t0: number; connectorId: number; idTag: string; registerWh: number; minutes?: number; kw?: number }) {
  const { connectorId: c, idTag } = o;
  const minutes = o.minutes ?? 3;
  const perMin = Math.round(((o.kw ?? 30) * 1000) / 60);
  let t = o.t0;
  let wh = o.registerWh;
  await sim.call('StatusNotification', status(c, t, 'Preparing'));
  const r = await sim.call('StartTransaction', { connectorId: c, idTag, meterStart: wh, timestamp: iso((t += 1000)) });
  await sim.call('StatusNotification', status(c, (t += 1000), 'Charging'));
  for (let i = 0; i < minutes; i++) await sim.call('MeterValues', reading(c, (t += MIN), (wh += perMin), r.transactionId));
  wh += Math.round(perMin / 2);
  await sim.call('StopTransaction', { transactionId: r.transactionId, meterStop: wh, timestamp: iso((t += 30_000)), reason: 'Local', idTag });
  await sim.call('StatusNotification', status(c, (t += 1000), 'Finishing'));
  await sim.call('StatusNotification', status(c, (t += 1000), 'Available'));
  return { transactionId: r.transactionId as number, registerWh: wh, t: t + 1000, status: r.idTagInfo.status as string };
}

type Scenario = (sim: SimulatedCharger, o: ScenarioOptions) => Promise<Expected>;

export const EVASION_SCENARIOS: Record<string, Scenario> = {
  /** Energy between two sessions: the next meterStart is 3.2 kWh above the previous meterStop (case 1). */
  async meter_gap(sim, o) {
    const c = o.connectorId ?? 1;
    const a = await normalSession(sim, { t0: o.t0, connectorId: c, idTag: o.idTag!, registerWh: o.registerWh ?? 100_000 });
    await normalSession(sim, { t0: a.t + 10 * MIN, connectorId: c, idTag: o.idTag!, registerWh: a.registerWh + 3_200 });
    return { kind: 'meter_gap', connectorId: c, unbilledWh: 3_200 };
  },
  /** Charging with no transaction: the register climbs 1.3 kWh on a connector nobody started. */
  async energy_without_transaction(sim, o) {
    const c = o.connectorId ?? 1;
    let t = o.t0;
    const r0 = o.registerWh ?? 200_000;
    await sim.call('MeterValues', reading(c, t, r0));
    await sim.call('StatusNotification', status(c, (t += MIN), 'Charging'));
    for (const wh of [400, 900, 1_300]) await sim.call('MeterValues', reading(c, (t += MIN), r0 + wh));
    await sim.call('StatusNotification', status(c, (t += MIN), 'Available'));
    return { kind: 'energy_without_transaction', connectorId: c, unbilledWh: 1_300 };
  },
  /** The case-1 sequence: StartTransaction answered Invalid, and the charger keeps charging 20 minutes. */
  async invalid_tag_energy(sim, o) {
    const c = o.connectorId ?? 1;
    let t = o.t0;
    const r0 = o.registerWh ?? 300_000;
    const r = await sim.call('StartTransaction', { connectorId: c, idTag: 'STOLEN0001', meterStart: r0, timestamp: iso(t) });
    await sim.call('StatusNotification', status(c, (t += 1000), 'Charging'));
    for (let i = 1; i <= 20; i++) await sim.call('MeterValues', reading(c, (t += MIN), r0 + i * 750, r.transactionId));
    await sim.call('StopTransaction', { transactionId: r.transactionId, meterStop: r0 + 20 * 750 + 200, timestamp: iso((t += 20_000)), reason: 'Local' });
    await sim.call('StatusNotification', status(c, (t += 1000), 'Available'));
    return { kind: 'invalid_tag_energy', connectorId: c, unbilledWh: 20 * 750 + 200 };
  },
  /** StopTransaction reports 2.4 kWh less than the register read a minute before. */
  async stop_meter_mismatch(sim, o) {
    const c = o.connectorId ?? 1;
    let t = o.t0;
    const r0 = o.registerWh ?? 400_000;
    const r = await sim.call('StartTransaction', { connectorId: c, idTag: o.idTag!, meterStart: r0, timestamp: iso(t) });
    for (let i = 1; i <= 5; i++) await sim.call('MeterValues', reading(c, (t += MIN), r0 + i * 1_000, r.transactionId));
    await sim.call('StopTransaction', { transactionId: r.transactionId, meterStop: r0 + 2_600, timestamp: iso((t += 10_000)), reason: 'Local', idTag: o.idTag });
    await sim.call('StatusNotification', status(c, (t += 1000), 'Available'));
    return { kind: 'stop_meter_mismatch', connectorId: c, unbilledWh: 2_400 };
  },
  /**
   * The main meter (connector 0) grows 6 kWh more than the connectors billed over a day: a reading
   * late in the day, an honest session, and the first reading of the next day. `t0` must be late
   * enough in a local day that t0 + 2 h is the next day.
   */
  async main_meter_excess(sim, o) {
    const c = o.connectorId ?? 1;
    const m0 = 5_000_000;
    await sim.call('MeterValues', reading(0, o.t0, m0));
    const s = await normalSession(sim, { t0: o.t0 + MIN, connectorId: c, idTag: o.idTag!, registerWh: o.registerWh ?? 500_000, minutes: 10 });
    const billed = s.registerWh - (o.registerWh ?? 500_000);
    await sim.call('MeterValues', reading(0, o.t0 + 2 * 3600_000, m0 + billed + 6_000));
    return { kind: 'main_meter_excess', connectorId: 0, unbilledWh: 6_000 };
  },
  /** One card on two connectors at once. */
  async tag_multi_connector(sim, o) {
    let t = o.t0;
    const r0 = o.registerWh ?? 600_000;
    const a = await sim.call('StartTransaction', { connectorId: 1, idTag: o.idTag!, meterStart: r0, timestamp: iso(t) });
    const b = await sim.call('StartTransaction', { connectorId: 2, idTag: o.idTag!, meterStart: r0, timestamp: iso((t += MIN)) });
    await sim.call('StopTransaction', { transactionId: b.transactionId, meterStop: r0, timestamp: iso((t += 1000)), reason: 'DeAuthorized' });
    await sim.call('StopTransaction', { transactionId: a.transactionId, meterStop: r0 + 100, timestamp: iso((t += MIN)), reason: 'Local', idTag: o.idTag });
    return { kind: 'tag_multi_connector', connectorId: 2, unbilledWh: 0 };
  },
  /** A second connection with the same charge box id while the first is alive (a cloned identity). */
  async duplicate_connection(sim) {
    const twin = new SimulatedCharger({ ...sim.opts });
    await twin.connect();
    await twin.close();
    return { kind: 'duplicate_connection', connectorId: null, unbilledWh: 0 };
  },
  /** The charger reports its enclosure opened. */
  async security_event(sim, o) {
    await sim.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: iso(o.t0), techInfo: 'enclosure opened' });
    return { kind: 'security_event', connectorId: null, unbilledWh: 0 };
  },
};
