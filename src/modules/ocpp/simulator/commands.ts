import type { RPCClient } from 'ocpp-rpc';
import type { ChargePoint, ConfigKey, ConnectorState } from './types.ts';

export type { ConfigKey } from './types.ts';


/** The small configuration key store GetConfiguration/ChangeConfiguration work on. */
export function defaultConfiguration(ch: ChargePoint, meterIntervalS: number): Map<string, ConfigKey> {
  const rw = (value: string): ConfigKey => ({ value, readonly: false });
  const ro = (value: string): ConfigKey => ({ value, readonly: true });
  return new Map<string, ConfigKey>([
    ['HeartbeatInterval', rw('300')],
    ['MeterValueSampleInterval', rw(String(meterIntervalS))],
    ['MeterValuesSampledData', rw('Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC')],
    ['StopTxnSampledData', rw('Energy.Active.Import.Register,SoC')],
    ['ClockAlignedDataInterval', rw('0')],
    ['ConnectionTimeOut', rw('60')],
    ['AuthorizeRemoteTxRequests', rw('true')],
    ['StopTransactionOnInvalidId', rw('true')],
    ['LocalAuthorizeOffline', rw('true')],
    ['LocalPreAuthorize', rw('false')],
    ['LocalAuthListEnabled', rw('true')],
    ['LocalAuthListMaxLength', ro('1000')],
    ['SendLocalListMaxLength', ro('100')],
    ['TransactionMessageAttempts', rw('3')],
    ['TransactionMessageRetryInterval', rw('30')],
    ['UnlockConnectorOnEVSideDisconnect', rw('true')],
    ['WebSocketPingInterval', rw('30')],
    ['ResetRetries', rw('1')],
    ['NumberOfConnectors', ro(String(ch.connectors.size))],
    ['GetConfigurationMaxKeys', ro('50')],
    ['SupportedFeatureProfiles', ro('Core,FirmwareManagement,LocalAuthListManagement,Reservation,RemoteTrigger')],
  ]);
}

const later = (fn: () => Promise<unknown>, ch: ChargePoint, ms = 10) =>
  setTimeout(() => void fn().catch((e) => ch.fail(e)), ms);

function freeConnector(ch: ChargePoint, id?: number): ConnectorState | undefined {
  if (id !== undefined) return ch.connectors.get(id);
  return [...ch.connectors.values()].find((c) => c.transactionId === undefined && (c.status === 'Preparing' || c.status === 'Available'));
}

/** Answers the Central System's commands the way a well-behaved 1.6J charge point does. */
export function registerCommandHandlers(client: RPCClient, ch: ChargePoint) {
  const handle = (action: string, fn: (params: any) => Promise<Record<string, unknown>> | Record<string, unknown>) =>
    client.handle(action, async ({ params }) => {
      const res = await fn(params);
      ch.emitEvent('command', `${action} ${JSON.stringify(params)} → ${JSON.stringify(res)}`, (params as any)?.connectorId, { action, params, res });
      return res;
    });

  handle('RemoteStartTransaction', (p: { connectorId?: number; idTag: string }) => {
    const c = freeConnector(ch, p.connectorId);
    if (!c || c.transactionId !== undefined || c.availability === 'Inoperative' || c.status === 'Faulted') return { status: 'Rejected' };
    if (c.reservation && c.reservation.idTag !== p.idTag) return { status: 'Rejected' };
    const authorize = ch.config.get('AuthorizeRemoteTxRequests')?.value === 'true';
    later(() => ch.startSession(c.id, p.idTag, { authorize }), ch);
    return { status: 'Accepted' };
  });

  handle('RemoteStopTransaction', (p: { transactionId: number }) => {
    const c = [...ch.connectors.values()].find((x) => x.transactionId === p.transactionId);
    if (!c) return { status: 'Rejected' };
    later(() => ch.stopSession(c.id, 'Remote'), ch);
    return { status: 'Accepted' };
  });

  handle('Reset', (p: { type: 'Soft' | 'Hard' }) => {
    later(() => ch.reboot(p.type === 'Hard' ? 'HardReset' : 'SoftReset'), ch, 50);
    return { status: 'Accepted' };
  });

  handle('UnlockConnector', (p: { connectorId: number }) => {
    const c = ch.connectors.get(p.connectorId);
    if (!c) return { status: 'NotSupported' };
    later(async () => {
      if (c.transactionId !== undefined) await ch.stopSession(c.id, 'UnlockCommand');
      if (c.status === 'Finishing' || c.status === 'Preparing') await ch.unplug(c.id);
    }, ch);
    return { status: 'Unlocked' };
  });

  handle('ChangeAvailability', (p: { connectorId: number; type: 'Inoperative' | 'Operative' }) => {
    const targets = p.connectorId === 0 ? [...ch.connectors.values()] : [ch.connectors.get(p.connectorId)].filter((c) => !!c);
    if (!targets.length) return { status: 'Rejected' };
    let scheduled = false;
    for (const c of targets) {
      if (c.transactionId !== undefined) {
        c.scheduledAvailability = p.type;
        scheduled = true;
        continue;
      }
      c.availability = p.type;
      const idle = c.status === 'Available' || c.status === 'Unavailable';
      if (idle) later(() => ch.sendStatus(c.id, p.type === 'Inoperative' ? 'Unavailable' : 'Available'), ch);
    }
    return { status: scheduled ? 'Scheduled' : 'Accepted' };
  });

  handle('GetConfiguration', (p: { key?: string[] }) => {
    const keys = p.key?.length ? p.key : [...ch.config.keys()];
    const configurationKey = keys.filter((k) => ch.config.has(k)).map((k) => ({ key: k, readonly: ch.config.get(k)!.readonly, value: ch.config.get(k)!.value }));
    const unknownKey = keys.filter((k) => !ch.config.has(k));
    return { configurationKey, ...(unknownKey.length ? { unknownKey } : {}) };
  });

  handle('ChangeConfiguration', (p: { key: string; value: string }) => {
    const k = ch.config.get(p.key);
    if (!k) return { status: 'NotSupported' };
    if (k.readonly) return { status: 'Rejected' };
    if (/Interval$/.test(p.key) && !/^\d+$/.test(p.value)) return { status: 'Rejected' };
    k.value = p.value;
    if (p.key === 'HeartbeatInterval') {
      ch.heartbeatIntervalS = Math.max(1, Number(p.value));
      ch.restartHeartbeat();
    }
    return { status: 'Accepted' };
  });

  handle('TriggerMessage', (p: { requestedMessage: string; connectorId?: number }) => {
    const cid = p.connectorId;
    if (cid !== undefined && cid !== 0 && !ch.connectors.has(cid)) return { status: 'Rejected' };
    const send: Record<string, () => Promise<unknown>> = {
      BootNotification: () => ch.boot(),
      Heartbeat: () => ch.call('Heartbeat', {}),
      StatusNotification: async () => {
        for (const c of ch.connectors.values()) if (cid === undefined || cid === c.id) await ch.sendStatus(c.id, c.status);
      },
      MeterValues: async () => {
        for (const c of ch.connectors.values()) if (!cid || cid === c.id) await ch.sendMeterValues(c.id, 'Trigger');
      },
      FirmwareStatusNotification: () => ch.call('FirmwareStatusNotification', { status: 'Idle' }),
      DiagnosticsStatusNotification: () => ch.call('DiagnosticsStatusNotification', { status: 'Idle' }),
    };
    const fn = send[p.requestedMessage];
    if (!fn) return { status: 'NotImplemented' };
    later(fn, ch);
    return { status: 'Accepted' };
  });

  handle('ClearCache', () => ({ status: 'Accepted' }));

  handle('GetLocalListVersion', () => ({ listVersion: ch.localList.version }));

  handle('SendLocalList', (p: { listVersion: number; updateType: 'Full' | 'Differential'; localAuthorizationList?: { idTag: string; idTagInfo?: unknown }[] }) => {
    if (p.updateType === 'Differential' && p.listVersion <= ch.localList.version) return { status: 'VersionMismatch' };
    if (p.updateType === 'Full') ch.localList.entries.clear();
    for (const e of p.localAuthorizationList ?? []) {
      if (e.idTagInfo) ch.localList.entries.set(e.idTag, e.idTagInfo);
      else ch.localList.entries.delete(e.idTag);
    }
    ch.localList.version = p.listVersion;
    return { status: 'Accepted' };
  });

  handle('ReserveNow', (p: { connectorId: number; expiryDate: string; idTag: string; reservationId: number }) => {
    const c = p.connectorId === 0 ? freeConnector(ch) : ch.connectors.get(p.connectorId);
    if (!c) return { status: 'Rejected' };
    if (c.status === 'Faulted') return { status: 'Faulted' };
    if (c.availability === 'Inoperative') return { status: 'Unavailable' };
    if (c.status !== 'Available' && !(c.status === 'Reserved' && c.reservation?.id === p.reservationId)) return { status: 'Occupied' };
    c.reservation = { id: p.reservationId, idTag: p.idTag, expiresAt: new Date(p.expiryDate) };
    later(() => ch.sendStatus(c.id, 'Reserved'), ch);
    return { status: 'Accepted' };
  });

  handle('CancelReservation', (p: { reservationId: number }) => {
    const c = [...ch.connectors.values()].find((x) => x.reservation?.id === p.reservationId);
    if (!c) return { status: 'Rejected' };
    c.reservation = undefined;
    if (c.status === 'Reserved') later(() => ch.sendStatus(c.id, 'Available'), ch);
    return { status: 'Accepted' };
  });

  handle('UpdateFirmware', (p: { location: string }) => {
    if (ch.opts.firmwareUpdate) {
      later(() => realUpdate(ch, p.location, ch.opts.firmwareUpdate!), ch);
      return {};
    }
    const steps = ['Downloading', 'Downloaded', 'Installing', 'Installed'];
    later(async () => {
      for (const status of steps) {
        await ch.call('FirmwareStatusNotification', { status });
        ch.emitEvent('firmware', `firmware ${status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }, ch);
    return {};
  });

  handle('GetDiagnostics', () => {
    const fileName = `diagnostics-${ch.id}-${ch.wall.now()}.zip`;
    later(async () => {
      for (const status of ['Uploading', 'Uploaded']) {
        await ch.call('DiagnosticsStatusNotification', { status });
        ch.emitEvent('diagnostics', `diagnostics ${status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }, ch);
    return { fileName };
  });

  handle('DataTransfer', () => ({ status: 'UnknownVendorId' }));
}

/**
 * A firmware-capable charger (option firmwareUpdate): downloads the file from the location (a file
 * whose text holds "version=X" installs X), reports each step, and on success reboots and boots
 * with the new version; 'download_fail' and 'install_fail' fail as told at that step.
 */
async function realUpdate(ch: ChargePoint, location: string, mode: 'succeed' | 'download_fail' | 'install_fail') {
  const status = async (s: string) => {
    await ch.call('FirmwareStatusNotification', { status: s });
    ch.emitEvent('firmware', `firmware ${s}`);
  };
  await status('Downloading');
  let version: string | null = null;
  if (mode !== 'download_fail') {
    try {
      const res = await fetch(location);
      if (res.ok) version = /version=(\S+)/.exec(await res.text())?.[1] ?? null;
    } catch {
      version = null;
    }
  }
  if (version === null) return status('DownloadFailed');
  await status('Downloaded');
  await status('Installing');
  if (mode === 'install_fail') return status('InstallationFailed');
  await status('Installed');
  ch.opts.firmware = version;
  await ch.reboot('SoftReset');
}
