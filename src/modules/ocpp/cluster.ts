import { createHash, randomUUID } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { getChargerRow } from '../registry/index.ts';
import { ChargerOffline, ChargerPending, CommandInvalid, CommandRejected, CommandTimeout } from './errors.ts';
import { postgresRelay, type RelayTransport } from './relay.ts';

/** The NOTIFY channel of a node: an identifier derived from its id. */
export const nodeChannel = (nodeId: string) => `ocpp_node_${createHash('sha1').update(nodeId).digest('hex').slice(0, 20)}`;

interface CallMsg {
  t: 'call';
  id: string;
  from: string;
  chargerId: string;
  action: string;
  payload: unknown;
  timeoutMs: number;
}
interface ReplyMsg {
  t: 'reply';
  id: string;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string; chargerId?: string; action?: string; ocppCode?: string; timeoutMs?: number; details?: unknown };
}

/** A charger reconnected through another node: the old socket here is to go. */
interface DropMsg {
  t: 'drop';
  chargerId: string;
  by: string;
}

type LocalCall = (chargerId: string, action: string, payload: unknown, timeoutMs: number) => Promise<unknown>;

/**
 * Commands to a charger held by another node. With several nodes on one PostgreSQL server, a charger's
 * socket lives on one of them (chargers.connected_node); a command that arrives elsewhere is sent to
 * that node over the relay (relay.ts: LISTEN/NOTIFY, or NATS with NATS_URL), run there, and its answer
 * (or typed error) comes back the same way. On the embedded database there is one node and this never forwards.
 */
export class NodeLink {
  private pending = new Map<string, { done: (v: unknown) => void; fail: (e: Error) => void; timer: NodeJS.Timeout }>();
  private off: (() => Promise<void>) | null = null;
  readonly channel: string;

  readonly relay: RelayTransport;

  constructor(
    private ctx: Ctx,
    private local: LocalCall,
    private onDrop: (chargerId: string, byNode: string) => void = () => {},
    relay?: RelayTransport,
  ) {
    this.channel = nodeChannel(ctx.nodeId);
    this.relay = relay ?? postgresRelay(ctx.db);
  }

  /** Tells a node that a charger it may still hold reconnected here (its socket there is stale). */
  async drop(node: string, chargerId: string) {
    const msg: DropMsg = { t: 'drop', chargerId, by: this.ctx.nodeId };
    await this.relay.publish(nodeChannel(node), JSON.stringify(msg)).catch((err) => this.ctx.log.warn({ err, node }, 'could not tell a node to drop a charger'));
  }

  async start() {
    this.off = await this.relay.subscribe(this.channel, (p) => void this.onMessage(p));
  }

  async stop() {
    await this.off?.();
    for (const [, p] of this.pending) clearTimeout(p.timer);
    this.pending.clear();
    await this.relay.close();
  }

  /** The node holding the charger's socket, when it is another live node. */
  async holderOf(chargerId: string): Promise<string | null> {
    const c = await getChargerRow(this.ctx.db, chargerId);
    const node = c?.connected ? c.connected_node : null;
    return node && node !== this.ctx.nodeId ? node : null;
  }

  forward(node: string, chargerId: string, action: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const id = randomUUID();
    const msg: CallMsg = { t: 'call', id, from: this.ctx.nodeId, chargerId, action, payload, timeoutMs };
    return new Promise((done, fail) => {
      // The holder answers CommandTimeout itself after timeoutMs; the extra second covers the hop. No
      // answer at all means the holder is gone: the charger is as good as offline.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        fail(new ChargerOffline(chargerId));
      }, timeoutMs + 1000);
      this.pending.set(id, { done, fail, timer });
      this.relay.publish(nodeChannel(node), JSON.stringify(msg)).catch((e) => {
        clearTimeout(timer);
        this.pending.delete(id);
        fail(e);
      });
    });
  }

  private async onMessage(raw: string) {
    let m: CallMsg | ReplyMsg | DropMsg;
    try {
      m = JSON.parse(raw);
    } catch {
      return;
    }
    if (m.t === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return;
      clearTimeout(p.timer);
      this.pending.delete(m.id);
      if (m.ok) p.done(m.result);
      else p.fail(rebuild(m.error!));
      return;
    }
    if (m.t === 'drop') return this.onDrop(m.chargerId, m.by);
    if (m.t !== 'call') return;
    let reply: ReplyMsg;
    try {
      reply = { t: 'reply', id: m.id, ok: true, result: await this.local(m.chargerId, m.action, m.payload, m.timeoutMs) };
    } catch (e) {
      const err = e as Error & Record<string, unknown>;
      reply = {
        t: 'reply',
        id: m.id,
        ok: false,
        error: { code: String(err.code ?? 'Error'), message: err.message, chargerId: err.chargerId as string, action: err.action as string, ocppCode: err.ocppCode as string, timeoutMs: err.timeoutMs as number, details: err.details },
      };
    }
    let text = JSON.stringify(reply);
    // NOTIFY carries under 8000 bytes: a larger answer (a long GetConfiguration) says so rather than vanish.
    if (Buffer.byteLength(text) > this.relay.maxBytes)
      text = JSON.stringify({ t: 'reply', id: m.id, ok: false, error: { code: 'CommandRejected', message: 'answer too large to relay between nodes', chargerId: m.chargerId, action: m.action, ocppCode: 'GenericError' } });
    await this.relay.publish(nodeChannel(m.from), text).catch((err) => this.ctx.log.warn({ err }, 'could not relay a command answer'));
  }
}

function rebuild(e: NonNullable<ReplyMsg['error']>): Error {
  switch (e.code) {
    case 'ChargerOffline':
      return new ChargerOffline(e.chargerId ?? '?');
    case 'ChargerPending':
      return new ChargerPending(e.chargerId ?? '?', e.action ?? '?');
    case 'CommandTimeout':
      return new CommandTimeout(e.chargerId ?? '?', e.action ?? '?', e.timeoutMs ?? 0);
    case 'CommandRejected':
      return new CommandRejected(e.chargerId ?? '?', e.action ?? '?', e.ocppCode ?? 'GenericError', e.message.replace(/^charger \S+ answered \S+ with \S+: ?/, ''), e.details);
    case 'CommandInvalid':
      return new CommandInvalid(e.action ?? '?', e.message, e.details);
    default:
      return new Error(e.message);
  }
}
