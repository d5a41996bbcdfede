import { EventEmitter } from 'node:events';
import { RPCClient } from 'ocpp-rpc';
import { fmt, randomVehicle, startPhysics, step, type VehicleProfile } from './curve.ts';
import { defaultConfiguration, registerCommandHandlers } from './commands.ts';
import type { ChargePoint, ConfigKey, ConnectorState, ConnectorStatus, StartResult, StopReason } from './types.ts';

export type { ConfigKey, ConnectorState, ConnectorStatus, StartResult, StopReason } from './types.ts';
import { systemClock, type Clock } from '../../../platform/clock.ts';

export interface SimConnectorSpec {
  id: number;
  type: 'AC' | 'DC';
  maxPowerKw: number;
}

export interface SimulatedChargerOptions {
  /** Base endpoint, e.g. ws://127.0.0.1:8080/ocpp; the charge box id is appended. */
  url: string;
  id: string;
  authKey: string;
  connectors: SimConnectorSpec[];
  vendor?: string;
  model?: string;
  serial?: string;
  firmware?: string;
  /** Simulated minutes per real second (1/60 = real time). Accelerates the physics and the meter interval. */
  speed?: number;
  /** Seconds of simulated time between MeterValues (the MeterValueSampleInterval key; default 60). */
  meterIntervalS?: number;
  /** Lifetime energy register per connector at start, Wh. */
  registerWh?: number;
  /** Timestamps in frames: the wall clock (default) or the accelerated simulated clock. */
  clock?: 'real' | 'simulated';
  /** The charge point's own wall clock (default: the system clock; a FakeClock in tests). */
  wallClock?: Clock;
  rng?: () => number;
  callTimeoutMs?: number;
  /** UpdateFirmware for real: download the location, install, reboot with the file's version, or fail as told (default: report the steps only) */
  firmwareUpdate?: 'succeed' | 'download_fail' | 'install_fail';
}

export interface SimEvent {
  type: string;
  chargerId: string;
  connectorId?: number;
  message: string;
  data?: Record<string, unknown>;
}


const TX_ACTIONS = new Set(['StopTransaction', 'MeterValues']);

/**
 * One simulated OCPP 1.6J charge point on ocpp-rpc's RPCClient (strict schema validation both ways).
 * Tests drive it step by step; the CLI, demo and benchmarks run many of them.
 */
export class SimulatedCharger extends EventEmitter implements ChargePoint {
  readonly id: string;
  readonly opts: Required<Pick<SimulatedChargerOptions, 'vendor' | 'model' | 'serial' | 'firmware' | 'speed' | 'clock'>> & SimulatedChargerOptions;
  readonly connectors = new Map<number, ConnectorState>();
  readonly config: Map<string, ConfigKey>;
  localList: { version: number; entries: Map<string, unknown> } = { version: 0, entries: new Map() };
  client?: RPCClient;
  booted = false;
  heartbeatIntervalS = 300;
  bootStatus?: string;
  private heartbeatTimer?: NodeJS.Timeout;
  private bootRetryTimer?: NodeJS.Timeout;
  private closed = false;
  /** Transaction messages that could not be delivered; sent in order on reconnect. */
  private offlineQueue: { action: string; payload: unknown }[] = [];
  /** The charge point's own wall clock (see the `wallClock` option). */
  readonly wall: Clock;
  private readonly t0: number;
  private readonly rng: () => number;

  constructor(options: SimulatedChargerOptions) {
    super();
    this.id = options.id;
    this.opts = {
      vendor: 'ChargeOpsSim',
      model: 'SIM-DC-120',
      serial: `SIM${options.id.slice(-10)}`,
      firmware: '1.0.0-sim',
      speed: 1 / 60,
      clock: 'real',
      ...options,
    };
    this.wall = options.wallClock ?? systemClock;
    this.t0 = this.wall.now();
    this.rng = options.rng ?? Math.random;
    for (const c of options.connectors) {
      this.connectors.set(c.id, {
        id: c.id,
        type: c.type,
        maxPowerW: Math.round(c.maxPowerKw * 1000),
        status: 'Available',
        availability: 'Operative',
        registerWh: options.registerWh ?? Math.round(100_000 + this.rng() * 2_000_000),
      });
    }
    this.config = defaultConfiguration(this, options.meterIntervalS ?? 60);
  }

  get connected(): boolean {
    return this.client?.state === RPCClient.OPEN;
  }

  /** Timestamp for frames (see the `clock` option). */
  now(): Date {
    if (this.opts.clock === 'real') return this.wall.date();
    return new Date(this.t0 + (this.wall.now() - this.t0) * this.opts.speed * 60);
  }

  emitEvent(type: string, message: string, connectorId?: number, data?: Record<string, unknown>) {
    const ev: SimEvent = { type, chargerId: this.id, connectorId, message, data };
    this.emit('event', ev);
    this.emit(type, ev);
  }

  connector(id: number): ConnectorState {
    const c = this.connectors.get(id);
    if (!c) throw new Error(`charger ${this.id} has no connector ${id}`);
    return c;
  }

  /** Snapshot of a connector for tests and displays. */
  state(connectorId: number) {
    const c = this.connector(connectorId);
    return {
      status: c.status,
      transactionId: c.transactionId,
      registerWh: Math.floor(c.registerWh),
      sessionEnergyWh: c.physics ? Math.floor(c.physics.energyWh) : 0,
      soc: c.physics ? Math.floor(c.physics.soc) : undefined,
      powerW: c.physics ? Math.round(c.physics.powerW) : 0,
    };
  }

  /** Opens the WebSocket and boots (BootNotification until Accepted, then every connector's status). */
  async connect(): Promise<void> {
    this.closed = false;
    const client = new RPCClient({
      endpoint: this.opts.url.replace(/\/+$/, ''),
      identity: this.id,
      password: this.opts.authKey,
      protocols: ['ocpp1.6'],
      strictMode: true,
      reconnect: true,
      callTimeoutMs: this.opts.callTimeoutMs ?? 30_000,
      backoff: { initialDelay: 500, maxDelay: 10_000, factor: 2, randomisationFactor: 0.25 },
    } as any);
    this.client = client;
    registerCommandHandlers(client, this);
    let first = true;
    client.on('open', () => {
      if (first) return void (first = false);
      this.emitEvent('reconnected', 'reconnected');
      void this.afterReconnect();
    });
    client.on('disconnect', ({ code, reason }: { code?: number; reason?: string }) => {
      if (this.closed) return;
      this.emitEvent('disconnected', `disconnected (${code ?? '-'}${reason ? ` ${reason}` : ''})`);
      // 4000: the server took a newer connection with our id. Reconnecting would only push the other
      // one out again (two simulators with the same ids), so this one stays off.
      if (code === 4000) void this.close();
    });
    await client.connect();
    this.emitEvent('connected', `connected to ${this.opts.url}`);
    await this.boot();
  }

  /** BootNotification; Pending/Rejected are retried after the interval the server gives. */
  async boot(): Promise<string> {
    const res = (await this.call('BootNotification', {
      chargePointVendor: this.opts.vendor,
      chargePointModel: this.opts.model,
      chargePointSerialNumber: this.opts.serial,
      chargeBoxSerialNumber: this.opts.serial,
      firmwareVersion: this.opts.firmware,
    })) as { status: string; interval: number };
    this.bootStatus = res.status;
    this.heartbeatIntervalS = res.interval > 0 ? res.interval : this.heartbeatIntervalS;
    this.setConfigValue('HeartbeatInterval', String(this.heartbeatIntervalS));
    this.emitEvent('boot', `BootNotification ${res.status} (interval ${res.interval}s)`, undefined, { status: res.status });
    if (res.status !== 'Accepted') {
      clearTimeout(this.bootRetryTimer);
      this.bootRetryTimer = setTimeout(() => void this.boot().catch((e) => this.fail(e)), Math.max(1, res.interval || 30) * 1000);
      return res.status;
    }
    this.booted = true;
    this.restartHeartbeat();
    await this.sendStatus(0, 'Available');
    for (const c of this.connectors.values()) await this.sendStatus(c.id, c.status);
    return res.status;
  }

  restartHeartbeat() {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      if (this.connected) void this.call('Heartbeat', {}).catch(() => {});
    }, this.heartbeatIntervalS * 1000);
    this.heartbeatTimer.unref?.();
  }

  private async afterReconnect() {
    try {
      for (const c of this.connectors.values()) await this.sendStatus(c.id, c.status);
      const queued = this.offlineQueue;
      this.offlineQueue = [];
      for (const m of queued) await this.txCall(m.action, m.payload);
    } catch (e) {
      this.fail(e);
    }
  }

  fail(e: unknown) {
    if (!this.closed) this.emitEvent('error', `error: ${(e as Error)?.message ?? e}`);
  }

  async call(action: string, payload: unknown): Promise<any> {
    if (!this.client) throw new Error(`charger ${this.id} is not connected`);
    return this.client.call(action, payload);
  }

  /** A transaction message is never lost: while offline it waits in order for the next connection. */
  async txCall(action: string, payload: unknown): Promise<any> {
    if (!TX_ACTIONS.has(action) || this.connected) {
      try {
        return await this.call(action, payload);
      } catch (e) {
        if (!TX_ACTIONS.has(action) || this.connected || (e as any)?.rpcErrorCode) throw e;
      }
    }
    this.offlineQueue.push({ action, payload });
    return undefined;
  }

  async sendStatus(connectorId: number, status: ConnectorStatus, errorCode = 'NoError') {
    if (connectorId > 0) this.connector(connectorId).status = status;
    this.emitEvent('status', `connector ${connectorId} ${status}`, connectorId, { status });
    if (!this.connected) return;
    await this.call('StatusNotification', { connectorId, errorCode, status, timestamp: this.now().toISOString() });
  }

  setConfigValue(key: string, value: string) {
    const k = this.config.get(key);
    if (k) k.value = value;
  }

  meterIntervalS(): number {
    return Math.max(1, Number(this.config.get('MeterValueSampleInterval')?.value ?? 60));
  }

  /** The driver plugs the car in. */
  async plugIn(connectorId: number): Promise<void> {
    const c = this.connector(connectorId);
    if (c.status !== 'Available' && c.status !== 'Reserved') throw new Error(`connector ${connectorId} is ${c.status}`);
    await this.sendStatus(connectorId, 'Preparing');
  }

  /**
   * Preparing → Authorize (optional) → StartTransaction → Charging with periodic MeterValues.
   * An id tag the server does not accept ends the transaction at once (StopTransactionOnInvalidId).
   */
  async startSession(
    connectorId: number,
    idTag: string,
    o: { authorize?: boolean; startSoc?: number; vehicle?: VehicleProfile; reservationId?: number } = {},
  ): Promise<StartResult> {
    const c = this.connector(connectorId);
    if (c.transactionId !== undefined) return { status: 'ConcurrentTx', transactionId: c.transactionId };
    if (c.availability === 'Inoperative') return { status: 'Rejected' };
    if (c.reservation && c.reservation.idTag !== idTag && c.reservation.expiresAt > this.wall.date()) return { status: 'Rejected' };
    if (c.status === 'Available' || c.status === 'Reserved') await this.plugIn(connectorId);
    if (o.authorize !== false) {
      const a = (await this.call('Authorize', { idTag })) as { idTagInfo: { status: StartResult['status'] } };
      this.emitEvent('authorize', `Authorize ${idTag} → ${a.idTagInfo.status}`, connectorId, { idTag, status: a.idTagInfo.status });
      if (a.idTagInfo.status !== 'Accepted') return { status: a.idTagInfo.status };
    }
    const reservationId = o.reservationId ?? (c.reservation?.idTag === idTag ? c.reservation.id : undefined);
    c.reservation = undefined;
    const meterStartWh = Math.floor(c.registerWh);
    const startedAt = this.now();
    const r = (await this.call('StartTransaction', {
      connectorId,
      idTag,
      meterStart: meterStartWh,
      timestamp: startedAt.toISOString(),
      ...(reservationId !== undefined ? { reservationId } : {}),
    })) as { transactionId: number; idTagInfo: { status: StartResult['status'] } };
    const vehicle = o.vehicle ?? randomVehicle(c.type, this.rng);
    const startSoc = o.startSoc ?? Math.round(10 + this.rng() * 40);
    c.curve = { type: c.type, maxPowerW: c.maxPowerW, vehicle };
    c.physics = startPhysics(c.curve, startSoc);
    Object.assign(c, { transactionId: r.transactionId, idTag, meterStartWh, startedAt, startSoc, lastTickMs: this.wall.now() });
    this.emitEvent('sessionStarted', `StartTransaction ${idTag} → tx ${r.transactionId} ${r.idTagInfo.status} (SoC ${startSoc}%)`, connectorId, {
      transactionId: r.transactionId,
      idTag,
      status: r.idTagInfo.status,
    });
    if (r.idTagInfo.status !== 'Accepted') {
      await this.stopSession(connectorId, 'DeAuthorized');
      return { status: r.idTagInfo.status, transactionId: r.transactionId };
    }
    await this.sendStatus(connectorId, 'Charging');
    this.scheduleMeter(c);
    return { status: 'Accepted', transactionId: r.transactionId };
  }

  private scheduleMeter(c: ConnectorState) {
    clearTimeout(c.timer);
    const realMs = Math.max(20, (this.meterIntervalS() / (this.opts.speed * 60)) * 1000);
    c.timer = setTimeout(() => void this.meterTick(c).catch((e) => this.fail(e)), realMs);
  }

  /** Advances the physics to now and returns the sampled values of this instant. */
  private advance(c: ConnectorState) {
    if (!c.physics || !c.curve) return;
    const nowMs = this.wall.now();
    const before = c.physics.energyWh;
    c.physics = step(c.curve, c.physics, ((nowMs - (c.lastTickMs ?? nowMs)) / 1000) * this.opts.speed * 60);
    c.lastTickMs = nowMs;
    c.registerWh += c.physics.energyWh - before;
  }

  private samples(c: ConnectorState, context: string) {
    const p = c.physics!;
    const v = (measurand: string, value: string, unit: string, location = 'Outlet') => ({ value, context, measurand, location, unit });
    return [
      v('Energy.Active.Import.Register', String(Math.floor(c.registerWh)), 'Wh'),
      v('Power.Active.Import', fmt(p.powerW, 0), 'W'),
      v('Current.Import', fmt(p.currentA, 1), 'A'),
      v('Voltage', fmt(p.voltageV, 1), 'V'),
      v('SoC', String(Math.floor(p.soc)), 'Percent', 'EV'),
    ];
  }

  async sendMeterValues(connectorId: number, context = 'Sample.Periodic') {
    const c = this.connector(connectorId);
    if (c.transactionId === undefined || !c.physics) {
      await this.txCall('MeterValues', {
        connectorId,
        meterValue: [{ timestamp: this.now().toISOString(), sampledValue: [{ value: String(Math.floor(c.registerWh)), context, measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
      });
      return;
    }
    this.advance(c);
    await this.txCall('MeterValues', { connectorId, transactionId: c.transactionId, meterValue: [{ timestamp: this.now().toISOString(), sampledValue: this.samples(c, context) }] });
    // the session may have stopped while the frame waited for its answer (the answer follows the commit)
    if (!c.physics) return;
    this.emitEvent('meter', `tx ${c.transactionId} ${(c.physics.energyWh / 1000).toFixed(2)} kWh ${(c.physics.powerW / 1000).toFixed(1)} kW SoC ${Math.floor(c.physics.soc)}%`, connectorId, this.state(connectorId));
  }

  private async meterTick(c: ConnectorState) {
    if (c.transactionId === undefined) return;
    await this.sendMeterValues(c.id);
    if (c.transactionId === undefined || !c.physics) return;
    if (c.physics.powerW === 0 && c.status === 'Charging') {
      const soc = Math.floor(c.physics.soc);
      await this.sendStatus(c.id, 'SuspendedEV');
      this.emitEvent('full', `battery at target SoC ${soc}%`, c.id);
    }
    this.scheduleMeter(c);
  }

  /** StopTransaction with the session's begin/end readings as transactionData; the connector goes to Finishing. */
  async stopSession(connectorId: number, reason: StopReason = 'Local', at: Date = this.now()): Promise<{ meterStopWh: number } | undefined> {
    const c = this.connector(connectorId);
    if (c.transactionId === undefined) return undefined;
    clearTimeout(c.timer);
    this.advance(c);
    const transactionId = c.transactionId;
    const meterStopWh = Math.floor(c.registerWh);
    const soc = Math.floor(c.physics?.soc ?? 0);
    const transactionData = [
      { timestamp: c.startedAt!.toISOString(), sampledValue: [{ value: String(c.meterStartWh), context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: String(c.startSoc), context: 'Transaction.Begin', measurand: 'SoC', location: 'EV', unit: 'Percent' }] },
      { timestamp: at.toISOString(), sampledValue: [{ value: String(meterStopWh), context: 'Transaction.End', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: String(soc), context: 'Transaction.End', measurand: 'SoC', location: 'EV', unit: 'Percent' }] },
    ];
    const idTag = c.idTag;
    c.transactionId = undefined;
    await this.txCall('StopTransaction', { transactionId, idTag, meterStop: meterStopWh, timestamp: at.toISOString(), reason, transactionData });
    this.emitEvent('sessionStopped', `StopTransaction tx ${transactionId} (${reason}) ${((meterStopWh - c.meterStartWh!) / 1000).toFixed(2)} kWh`, connectorId, {
      transactionId,
      reason,
      energyWh: meterStopWh - c.meterStartWh!,
    });
    if (reason !== 'PowerLoss' && reason !== 'HardReset' && reason !== 'SoftReset') await this.sendStatus(connectorId, 'Finishing');
    if (c.scheduledAvailability) {
      c.availability = c.scheduledAvailability;
      c.scheduledAvailability = undefined;
    }
    return { meterStopWh };
  }

  /** The driver unplugs: an active session ends with EVDisconnected; the connector becomes Available. */
  async unplug(connectorId: number): Promise<void> {
    const c = this.connector(connectorId);
    if (c.transactionId !== undefined) await this.stopSession(connectorId, 'EVDisconnected');
    c.physics = undefined;
    await this.sendStatus(connectorId, c.availability === 'Inoperative' ? 'Unavailable' : 'Available');
  }

  /** Reset: sessions end, the connection drops and the charger boots again. */
  async reboot(reason: 'SoftReset' | 'HardReset' | 'PowerLoss' = 'SoftReset'): Promise<void> {
    for (const c of this.connectors.values()) {
      if (c.transactionId !== undefined) await this.stopSession(c.id, reason).catch((e) => this.fail(e));
      if (c.status !== 'Unavailable') c.status = 'Available';
      c.physics = undefined;
    }
    await this.disconnect();
    this.emitEvent('reboot', `rebooting (${reason})`);
    await new Promise((r) => setTimeout(r, 200));
    if (!this.closed) await this.connect();
  }

  /**
   * Power cut mid-session: the socket dies without a goodbye, the charger boots again after `offMs`
   * and only then reports the interrupted transactions (StopTransaction, reason PowerLoss, with the
   * timestamp of the cut).
   */
  async powerLoss(offMs = 200): Promise<void> {
    const cut = this.now();
    const interrupted: ConnectorState[] = [];
    for (const c of this.connectors.values()) {
      clearTimeout(c.timer);
      if (c.transactionId !== undefined) {
        this.advance(c);
        interrupted.push(c);
      }
    }
    clearInterval(this.heartbeatTimer);
    const client = this.client;
    this.client = undefined;
    this.booted = false;
    await client?.close({ force: true }).catch(() => {});
    this.emitEvent('powerLoss', `power lost (${interrupted.length} session(s) interrupted)`);
    await new Promise((r) => setTimeout(r, offMs));
    if (this.closed) return;
    for (const c of interrupted) c.status = 'Finishing';
    await this.connect();
    for (const c of interrupted) {
      c.lastTickMs = this.wall.now(); // no energy flowed while the power was off
      await this.stopSession(c.id, 'PowerLoss', cut);
      await this.unplug(c.id);
    }
  }

  private async disconnect() {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.bootRetryTimer);
    const client = this.client;
    this.client = undefined;
    this.booted = false;
    await client?.close({ code: 1000, force: false }).catch(() => {});
  }

  /** Stops every timer and closes the connection (sessions are left as they are, like a power cut). */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.connectors.values()) clearTimeout(c.timer);
    await this.disconnect();
  }
}
