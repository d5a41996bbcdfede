/**
 * The simulated charge point's state and what the OCPP command handlers (commands.ts) need from it.
 * Below both charger.ts and commands.ts: the charger registers the handlers, the handlers see the
 * charger only as a ChargePoint, so the two files do not import each other.
 */
import type { Clock } from '../../../platform/clock.ts';
import type { CurveParams, SessionPhysics, VehicleProfile } from './curve.ts';

export type ConnectorStatus =
  | 'Available' | 'Preparing' | 'Charging' | 'SuspendedEV' | 'SuspendedEVSE' | 'Finishing' | 'Reserved' | 'Unavailable' | 'Faulted';
export type StopReason =
  | 'EmergencyStop' | 'EVDisconnected' | 'HardReset' | 'Local' | 'Other' | 'PowerLoss' | 'Reboot' | 'Remote' | 'SoftReset' | 'UnlockCommand' | 'DeAuthorized';

export interface ConnectorState {
  id: number;
  type: 'AC' | 'DC';
  maxPowerW: number;
  status: ConnectorStatus;
  availability: 'Operative' | 'Inoperative';
  /** Availability to apply when the current transaction ends (ChangeAvailability answered Scheduled). */
  scheduledAvailability?: 'Operative' | 'Inoperative';
  /** Lifetime energy register, Wh; persists across sessions. */
  registerWh: number;
  transactionId?: number;
  idTag?: string;
  meterStartWh?: number;
  startedAt?: Date;
  startSoc?: number;
  curve?: CurveParams;
  physics?: SessionPhysics;
  reservation?: { id: number; idTag: string; expiresAt: Date };
  timer?: NodeJS.Timeout;
  lastTickMs?: number;
}

export interface StartResult {
  status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'ConcurrentTx' | 'Rejected';
  transactionId?: number;
}

export interface ConfigKey {
  value: string;
  readonly: boolean;
}

/** What the command handlers use of a simulated charger (SimulatedCharger implements it). */
export interface ChargePoint {
  readonly id: string;
  readonly wall: Clock;
  readonly connectors: Map<number, ConnectorState>;
  readonly config: Map<string, ConfigKey>;
  /** what it reports in BootNotification, and how it takes UpdateFirmware (commands.ts realUpdate) */
  readonly opts: { firmware: string; firmwareUpdate?: 'succeed' | 'download_fail' | 'install_fail' };
  localList: { version: number; entries: Map<string, unknown> };
  heartbeatIntervalS: number;
  boot(): Promise<string>;
  call(action: string, payload: unknown): Promise<any>;
  emitEvent(type: string, message: string, connectorId?: number, data?: Record<string, unknown>): void;
  fail(e: unknown): void;
  reboot(reason?: 'SoftReset' | 'HardReset' | 'PowerLoss'): Promise<void>;
  restartHeartbeat(): void;
  sendMeterValues(connectorId: number, context?: string): Promise<void>;
  sendStatus(connectorId: number, status: ConnectorStatus, errorCode?: string): Promise<void>;
  startSession(connectorId: number, idTag: string, o?: { authorize?: boolean; startSoc?: number; vehicle?: VehicleProfile; reservationId?: number }): Promise<StartResult>;
  stopSession(connectorId: number, reason?: StopReason, at?: Date): Promise<{ meterStopWh: number } | undefined>;
  unplug(connectorId: number): Promise<void>;
}
