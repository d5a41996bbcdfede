/**
 * A fake partner platform for tests and the demo (Xiaoju-like customer-home operator) that speaks the real T/CEC envelope:
 * it issues tokens from its query_token, receives our notifications, and can be "down", forget
 * sessions, refuse orders or expire our token, by knobs the tests turn.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { openRequest, requestSig, sealResponse, sigEquals, type Keys } from './envelope.ts';
import { systemClock, type Clock } from '../../platform/clock.ts';

export interface Received {
  iface: string;
  data: any;
  token: string | null;
  at: number;
}

export interface FakePartnerOptions {
  /** the partner's OperatorID */
  operatorId: string;
  /** the OperatorID we (the CPO) use with this partner */
  cpoOperatorId: string;
  /** what we must present at its query_token (our outbound.operatorSecret) */
  operatorSecret: string;
  keys: Keys;
  /** path prefix of its notifications ('' for Xiaoju root paths, '/evcs/v1' for CEC) */
  prefix: string;
  tokenPath: string;
  /** the partner's own wall clock (default: the system clock) */
  clock?: Clock;
}

export class FakePartner {
  server: Server;
  url = '';
  received: Received[] = [];
  tokens = new Set<string>();
  tokenCalls = 0;
  /** answer HTTP 503 to everything */
  down = false;
  /** answer notification_start_charge_result with SuccStat 1 (the partner has no record of the session) */
  unknownSessions = false;
  /** do not acknowledge start results (HTTP 503 for that interface only) */
  ignoreStartResults = false;
  /** ConfirmResult for orders */
  confirmResult = 0;
  /** DisputeOrders for check_charge_orders */
  disputes: any[] = [];
  /** the next call with a valid token gets Ret 4002 (our token "expired") */
  expireNextToken = false;
  private readonly clock: Clock;

  constructor(readonly o: FakePartnerOptions) {
    this.clock = o.clock ?? systemClock;
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const send = (status: number, obj: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(obj));
        };
        if (this.down) return send(503, { error: 'down' });
        const path = (req.url ?? '').split('?')[0];
        let env: any;
        try {
          env = JSON.parse(body);
        } catch {
          return send(400, {});
        }
        if (env.OperatorID !== o.cpoOperatorId) return send(200, sealResponse(4004, 'unknown operator', null, o.keys));
        if (!sigEquals(requestSig(o.keys.sigSecret, env), env.Sig)) return send(200, sealResponse(4001, '签名错误', null, o.keys));
        const opened = openRequest(env, o.keys, this.clock.now());
        if (!opened.ok) return send(200, sealResponse(opened.ret, opened.msg, null, o.keys));
        const data = opened.value.json as any;
        if (path === o.tokenPath) {
          this.tokenCalls++;
          if (data.OperatorSecret !== o.operatorSecret)
            return send(200, sealResponse(0, '', { OperatorID: o.cpoOperatorId, SuccStat: 1, AccessToken: '', TokenAvailableTime: 0, FailReason: 2 }, o.keys));
          const t = randomBytes(16).toString('hex');
          this.tokens.add(t);
          return send(200, sealResponse(0, '', { OperatorID: o.cpoOperatorId, SuccStat: 0, AccessToken: t, TokenAvailableTime: 7200, FailReason: 0 }, o.keys));
        }
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        if (!this.tokens.has(token)) return send(200, sealResponse(4002, 'Token错误', null, o.keys));
        if (this.expireNextToken) {
          this.expireNextToken = false;
          this.tokens.delete(token);
          return send(200, sealResponse(4002, 'Token错误', null, o.keys));
        }
        const iface = path.slice(o.prefix.length + 1);
        if (iface === 'notification_start_charge_result' && this.ignoreStartResults) return send(503, {});
        this.received.push({ iface, data, token, at: this.clock.now() });
        if (this.received.length > 5000) this.received.shift(); // bounded in a long-running demo
        let answer: any;
        switch (iface) {
          case 'notification_stationStatus':
            answer = { Status: 0 };
            break;
          case 'notification_start_charge_result':
            answer = this.unknownSessions ? { StartChargeSeq: data.StartChargeSeq, SuccStat: 1, FailReason: 1 } : { StartChargeSeq: data.StartChargeSeq, SuccStat: 0, FailReason: 0 };
            break;
          case 'notification_equip_charge_status':
          case 'notification_stop_charge_result':
            answer = { StartChargeSeq: data.StartChargeSeq, SuccStat: 0, FailReason: 0 };
            break;
          case 'notification_charge_order_info':
            answer = { StartChargeSeq: data.StartChargeSeq, ConnectorID: data.ConnectorID, ConfirmResult: this.confirmResult };
            break;
          case 'check_charge_orders':
            answer = {
              CheckOrderSeq: data.CheckOrderSeq,
              StartTime: data.StartTime,
              EndTime: data.EndTime,
              TotalDisputeOrder: this.disputes.length,
              TotalDisputePower: 0,
              TotalDisputeMoney: 0,
              DisputeOrders: this.disputes,
            };
            break;
          default:
            return send(404, {});
        }
        send(200, sealResponse(0, '', answer, o.keys));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const a = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${a.port}`;
    return this;
  }

  of(iface: string) {
    return this.received.filter((r) => r.iface === iface);
  }

  async waitFor<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 15000): Promise<T> {
    const t0 = this.clock.now();
    for (;;) {
      const v = fn();
      if (v) return v;
      if (this.clock.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; received: ${this.received.map((r) => r.iface).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close() {
    this.server.closeAllConnections?.();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}
