import WebSocket from 'ws';

/**
 * A deliberately cheap OCPP-J 1.6 charge point for load generation: raw `ws` frames, no schema
 * validation, one CALL in flight at a time (as OCPP-J requires), answers the few commands the
 * benchmark sends. The full-featured client is src/modules/ocpp/simulator/charger.ts.
 */
export class RawCharger {
  ws?: WebSocket;
  private seq = 0;
  private pending = new Map<string, { resolve: (v: any) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  commandsAnswered = 0;
  closed = false;

  constructor(
    readonly base: string,
    readonly id: string,
    readonly authKey: string,
  ) {}

  /** `base` other than the constructor's: a charger failing over to another node (bench/cluster). */
  connect(timeoutMs = 60_000, base = this.base): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base}/${this.id}`, ['ocpp1.6'], {
        headers: { authorization: 'Basic ' + Buffer.from(`${this.id}:${this.authKey}`).toString('base64') },
        handshakeTimeout: timeoutMs,
        perMessageDeflate: false,
      });
      this.ws = ws;
      ws.once('open', () => {
        if (ws.protocol !== 'ocpp1.6') return reject(new Error(`server chose subprotocol '${ws.protocol}'`));
        this.closed = false;
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
      ws.on('close', () => {
        if (this.ws !== ws) return; // an earlier socket, already replaced by a reconnect
        this.closed = true;
        for (const p of this.pending.values()) (clearTimeout(p.timer), p.reject(new Error('closed')));
        this.pending.clear();
      });
      ws.on('message', (data) => this.onMessage(String(data)));
    });
  }

  call(action: string, payload: unknown, timeoutMs = 60_000): Promise<any> {
    const id = `${++this.seq}`;
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return reject(new Error('not connected'));
      const timer = setTimeout(() => (this.pending.delete(id), reject(new Error(`${action} timed out`))), timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify([2, id, action, payload]));
    });
  }

  private onMessage(text: string) {
    let msg: any;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    const [type, id] = msg;
    if (type === 3 || type === 4) {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      clearTimeout(p.timer);
      if (type === 3) p.resolve(msg[2]);
      else p.reject(new Error(`${msg[2]}: ${msg[3]}`));
      return;
    }
    if (type === 2) this.answer(id, msg[2], msg[3]);
  }

  private answer(id: string, action: string, payload: any) {
    let result: unknown;
    if (action === 'GetConfiguration') {
      const keys: string[] = payload?.key?.length ? payload.key : ['HeartbeatInterval', 'MeterValueSampleInterval'];
      result = { configurationKey: keys.map((key) => ({ key, readonly: false, value: key === 'HeartbeatInterval' ? '3600' : '1' })) };
    } else if (action === 'TriggerMessage') result = { status: payload?.requestedMessage === 'Heartbeat' ? 'Accepted' : 'NotImplemented' };
    else if (action === 'ChangeConfiguration' || action === 'ClearCache') result = { status: 'Accepted' };
    if (result === undefined) {
      this.ws?.send(JSON.stringify([4, id, 'NotImplemented', `bench charger does not implement ${action}`, {}]));
      return;
    }
    this.commandsAnswered++;
    this.ws?.send(JSON.stringify([3, id, result]));
  }

  close() {
    this.ws?.terminate();
  }
}

/** One MeterValues frame with the five measurands a DC charger reports. */
export function meterValuesPayload(transactionId: number, registerWh: number, soc: number) {
  const ctx = 'Sample.Periodic';
  return {
    connectorId: 1,
    transactionId,
    meterValue: [
      {
        timestamp: new Date().toISOString(),
        sampledValue: [
          { value: String(registerWh), context: ctx, measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
          { value: '57600', context: ctx, measurand: 'Power.Active.Import', location: 'Outlet', unit: 'W' },
          { value: '160.0', context: ctx, measurand: 'Current.Import', location: 'Outlet', unit: 'A' },
          { value: '360.0', context: ctx, measurand: 'Voltage', location: 'Outlet', unit: 'V' },
          { value: String(soc), context: ctx, measurand: 'SoC', location: 'EV', unit: 'Percent' },
        ],
      },
    ],
  };
}
