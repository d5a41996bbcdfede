import { NodeLink } from './cluster.ts';
import type { NodeLease } from './lease.ts';
import type { ClockTimer } from '../../platform/clock.ts';
import { hostname } from 'node:os';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { verifySecret } from '../../platform/auth/passwords.ts';
import { getChargerRow, registerPendingCharger, setConnected, operatorForUnknownChargers, listConnectedChargers, connectorIdsOf, releaseCharger } from '../registry/index.ts';
import { openConnectionRow, closeConnectionRow, closeRowsElsewhere } from './history.ts';
import { RPCServerCtor, TimeoutError, validate16, has16Schema, strictValidator16, createRPCError, isRpcError, OPEN, type RPCServer, type RPCServerClient, type Handshake } from './rpc.ts';
import type { Connection } from './connection.ts';
import { MessageLog } from './message-log.ts';
import { MeterFrameWriter } from './meter-frames.ts';
import { interceptFrames } from './frames.ts';
import { HandshakeGuard } from './auth-guard.ts';
import { checkValues, checkConnector } from './v16/constraints.ts';
import { storableJson } from '../../platform/safe-text.ts';
import { refuseUpgrade, decodedIdentity, basicPassword } from './handshake.ts';
import { clientAddress } from '../../platform/http/client-ip.ts';
import { errorCode16, ChargerOffline, ChargerPending, CommandTimeout, CommandRejected, CommandInvalid } from './errors.ts';
import { handlers16 } from './v16/index.ts';
import { meterWriter } from '../sessions/index.ts';
import { ocppObservers, type OcppObservers } from './observers.ts';

const isTimeout = (e: unknown) => e instanceof (TimeoutError as new () => object);

export interface CallOptions {
  timeoutMs?: number;
  /** Only this node's own socket (a command relayed from another node is never relayed again). */
  localOnly?: boolean;
}

/** What other modules use to talk to chargers (ctx.services.ocpp). */
export interface OcppGateway {
  /** Sends a 1.6 command and resolves with the charger's answer; throws ChargerOffline, ChargerPending, CommandTimeout, CommandRejected or CommandInvalid. */
  call<T = any>(chargerId: string, action: string, payload: unknown, opts?: CallOptions): Promise<T>;
  isConnected(chargerId: string): boolean;
}

interface AuthSession {
  operatorId: string;
  stationId: string | null;
  commissioned: boolean;
  admittedUnknown: boolean;
}


/** The charger whose socket a newcomer replaced: the policy is "the authenticated newcomer wins". */
const REPLACED = { code: 4000, reason: 'replaced by a newer connection with the same charge box id' };

export class OcppServer implements OcppGateway {
  readonly connections = new Map<string, Connection>();
  /** Relays commands for chargers held by other nodes; null on the embedded database (one node). */
  link: NodeLink | null = null;
  /** This node's lease (renewal, and reaping of dead nodes' connections) */
  lease: NodeLease | null = null;
  retention: ClockTimer | null = null;
  readonly log: MessageLog;
  /** MeterValues: log row, samples and session totals in one commit; back-pressure on a full queue */
  readonly meterFrames: MeterFrameWriter;
  private rpc: RPCServer;
  /** charger id → sha256 of a key that verified against the stored hash (scrypt is slow for reconnect storms) */
  private keyCache = new Map<string, { stored: string; sha: string }>();
  /** failed handshakes: throttled per address, reported per charger without a write per attempt */
  readonly guard: HandshakeGuard;
  /** disconnections still being recorded */
  private closing = new Set<Promise<void>>();
  /** taps of modules above (incidents): told of every handled CALL and every connection */
  readonly observers: OcppObservers;

  constructor(private ctx: Ctx) {
    this.log = new MessageLog(ctx.db, ctx.log.child({ part: 'ocpp-log' }));
    this.meterFrames = new MeterFrameWriter(ctx.db, ctx.log.child({ part: 'ocpp-meter' }), { highWater: ctx.config.OCPP_METER_QUEUE_MAX });
    this.guard = new HandshakeGuard(ctx);
    this.observers = ocppObservers(ctx);
    this.rpc = new RPCServerCtor({
      protocols: ['ocpp1.6'],
      strictMode: true,
      strictModeValidators: [strictValidator16],
      callTimeoutMs: ctx.config.OCPP_COMMAND_TIMEOUT_MS,
      pingIntervalMs: 30_000,
      deferPingsOnActivity: true,
      // ws closes the connection with 1009 on a bigger frame before any of it is read or stored
      wssOptions: { maxPayload: ctx.config.OCPP_MAX_FRAME_BYTES },
    });
    this.rpc.auth((accept, reject, hs) => this.authenticate(accept, reject, hs));
    this.rpc.on('client', (c: RPCServerClient) => this.onClient(c));
    this.rpc.on('error', (err: Error) => ctx.log.warn({ err }, 'ocpp server error'));
  }

  /** For the HTTP server's 'upgrade' event: takes paths under /ocpp/ and returns whether it did. */
  onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const path = (req.url ?? '').split('?')[0];
    if (!path.startsWith('/ocpp/')) return false;
    const rest = path.slice('/ocpp/'.length);
    if (!rest || rest.includes('/')) return refuseUpgrade(socket, 404, 'Not Found'), true;
    // ocpp-rpc decodes the id outside its error handling (a bad %-sequence would be an unhandled rejection)
    const identity = decodedIdentity(rest);
    if (identity === null) return refuseUpgrade(socket, 400, 'Bad Request', 'the charge box id is not a valid %-encoded string of at most 255 characters'), true;
    // A throttled address is refused before any lookup or hashing, unless it presents a key this node already verified.
    const address = this.addressOf(req);
    const wait = this.guard.retryAfter(address);
    if (wait && !this.knownKey(identity, basicPassword(req.headers.authorization, identity))) {
      this.guard.refused(address);
      return refuseUpgrade(socket, 429, 'Too Many Requests', 'too many failed authentications from this address', { 'Retry-After': String(wait) }), true;
    }
    this.rpc.handleUpgrade(req, socket, head).catch((err: unknown) => {
      this.ctx.log.warn({ err }, 'OCPP upgrade failed');
      socket.destroy();
    });
    return true;
  };

  /** The charger's address, as the HTTP server's req.ip: X-Forwarded-For only from TRUST_PROXY addresses (a client cannot pick its own to dodge the throttle). */
  private addressOf(req: IncomingMessage): string | null {
    return clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.ctx.config.trustedProxies);
  }

  /** Whether this key was verified for this charger before (no hashing beyond one SHA-256, no database). */
  private knownKey(id: string, password: Buffer | null): boolean {
    const c = this.keyCache.get(id);
    return !!c && !!password && c.sha === createHash('sha256').update(password).digest('hex');
  }

  private async authenticate(accept: (s?: unknown, p?: string) => void, reject: (c?: number, m?: string) => void, hs: Handshake) {
    try {
      // OCPP-J 1.6 §3.2: no agreeable subprotocol means no connection (ocpp-rpc would accept with none).
      if (!hs.protocols.has('ocpp1.6')) return reject(400, 'this endpoint speaks OCPP-J 1.6 only: offer the subprotocol ocpp1.6');
      if (hs.endpoint !== '/ocpp') return reject(404, 'no such endpoint');
      const id = hs.identity;
      const address = this.addressOf(hs.request);
      // Failures cost no database write: counted in memory (throttle, periodic security event).
      const refuse = (charger: { id: string; operatorId: string } | null, reason: string) => {
        this.guard.failed(address, charger, reason);
        return reject(401, 'wrong charge box id or authorization key');
      };
      const row = await getChargerRow(this.ctx.db, id);
      if (row && row.auth_key_hash) {
        if (!hs.password || !(await this.keyMatches(id, hs.password, row.auth_key_hash))) return refuse({ id, operatorId: row.operator_id }, hs.password ? 'wrong key' : 'no Basic auth');
        return accept({ operatorId: row.operator_id, stationId: row.station_id, commissioned: row.commissioned, admittedUnknown: false } satisfies AuthSession, 'ocpp1.6');
      }
      // Unknown, or admitted earlier and still not commissioned: only while an operator takes such chargers.
      if (row && row.commissioned) return refuse({ id, operatorId: row.operator_id }, 'no key provisioned');
      const admitting = await operatorForUnknownChargers(this.ctx.db, this.ctx.config.ADMIT_UNKNOWN_CHARGERS);
      if (!admitting) return refuse(null, 'unknown charge box id');
      const operatorId = row?.operator_id ?? admitting;
      if (!row) await registerPendingCharger(this.ctx.db, id, operatorId);
      await this.securityEvent(operatorId, id, 'unknown_charger_admitted', this.addressOf(hs.request), { status: 'Pending' });
      return accept({ operatorId, stationId: row?.station_id ?? null, commissioned: false, admittedUnknown: true } satisfies AuthSession, 'ocpp1.6');
    } catch (err) {
      // not the charger's fault (the database is away): 503, so it retries
      this.ctx.log.error({ err, identity: hs.identity }, 'ocpp handshake failed');
      return reject(503, 'service unavailable; try again later');
    }
  }

  private async keyMatches(id: string, password: Buffer, stored: string) {
    const sha = createHash('sha256').update(password).digest('hex');
    const c = this.keyCache.get(id);
    if (c && c.stored === stored && c.sha === sha) return true;
    const ok = await verifySecret(password, stored);
    if (ok) this.keyCache.set(id, { stored, sha });
    return ok;
  }

  private async securityEvent(operatorId: string, chargerId: string, kind: string, remoteAddress: string | null, details: unknown) {
    await this.ctx.db.query(`INSERT INTO ocpp_security_events (operator_id, charger_id, kind, remote_address, details) VALUES ($1, $2, $3, $4, $5)`, [
      operatorId,
      chargerId,
      kind,
      remoteAddress,
      JSON.stringify(details),
    ]);
  }

  /** Runs synchronously on 'client': handlers must be in place before the first frame is read. */
  private onClient(client: RPCServerClient) {
    const ctx = this.ctx;
    const s = client.session as AuthSession;
    const id = client.identity;
    const conn: Connection = {
      chargerId: id,
      operatorId: s.operatorId,
      stationId: s.stationId,
      commissioned: s.commissioned,
      remoteAddress: this.addressOf(client.handshake.request),
      client,
      ready: Promise.resolve(0),
      connectedAt: ctx.clock.date(),
      replaced: false,
      inbound: new Map(),
      outbound: new Map(),
      invalidAnswer: null,
      lastTouch: ctx.clock.now(),
      connectorIds: null,
      serverClose: null,
    };
    interceptFrames(ctx, this.log, conn, this.meterFrames);
    for (const [action, handler] of Object.entries(handlers16)) {
      client.handle(action, async ({ params, messageId }) => {
        const bad = checkValues(action, params) ?? (await checkConnector(action, params, conn, () => connectorIdsOf(ctx.db, id)));
        if (bad) throw createRPCError(bad.code, bad.message);
        try {
          // Strings the database cannot hold (NUL, lone surrogates) reach the handlers escaped, so every write succeeds.
          const input = { ctx, conn, params: storableJson(params), messageId, receivedAt: ctx.clock.date() };
          const result = await handler(input);
          if (this.observers.size) this.observers.notify({ kind: 'call', operatorId: conn.operatorId, chargerId: id, action, params: input.params, result, messageId, receivedAt: input.receivedAt });
          return result;
        } catch (err) {
          if (isRpcError(err)) throw err;
          // Never the error's own text (it may be the database's): a reference the log line carries too.
          const ref = randomBytes(4).toString('hex');
          ctx.log.error({ err, ref, chargerId: id, action, messageId }, 'ocpp handler failed');
          throw createRPCError('InternalError', `internal error (reference ${ref}); send the message again later`);
        }
      });
    }
    client.on('socketError', (err: Error & { code?: string }) => {
      if (err.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return;
      conn.serverClose = { code: 1009, reason: `frame larger than OCPP_MAX_FRAME_BYTES (${ctx.config.OCPP_MAX_FRAME_BYTES} bytes)` };
      ctx.log.warn({ chargerId: id, remoteAddress: conn.remoteAddress, limit: ctx.config.OCPP_MAX_FRAME_BYTES }, 'OCPP frame over the size limit; connection closed with 1009');
    });
    client.on('strictValidationFailure', (e: { error: Error; outbound: boolean; isCall: boolean; method: string }) => {
      if (!e.outbound && !e.isCall) conn.invalidAnswer = e.error;
      ctx.log.debug({ chargerId: id, method: e.method, outbound: e.outbound, err: e.error.message }, 'ocpp strict validation failure');
    });

    const previous = this.connections.get(id);
    this.connections.set(id, conn);
    ctx.metrics.chargersConnected.set(this.connections.size);
    if (previous) {
      previous.replaced = true;
      previous.client.close(REPLACED).catch(() => {});
    }
    conn.ready = (async () => {
      const rowId = await openConnectionRow(ctx.db, { operatorId: conn.operatorId, chargerId: id, nodeId: ctx.nodeId, remoteAddress: conn.remoteAddress, protocol: client.protocol, at: conn.connectedAt });
      if (this.connections.get(id) === conn) await setConnected(ctx.db, id, true, ctx.nodeId);
      // A charger that reconnected here while another node still has it open (dead node, stale socket):
      // that row ends now, and the other node drops its socket (the authenticated newcomer wins).
      for (const node of await closeRowsElsewhere(ctx.db, id, ctx.nodeId, ctx.clock.date())) await this.link?.drop(node, id);
      if (previous)
        await this.securityEvent(conn.operatorId, id, 'duplicate_connection', conn.remoteAddress, {
          policy: 'newcomer replaces the open connection',
          previousRemoteAddress: previous.remoteAddress,
          previousConnectedAt: previous.connectedAt.toISOString(),
        });
      ctx.events.emit('charger.connection', { operatorId: conn.operatorId, chargerId: id, connected: true, at: conn.connectedAt });
      if (this.observers.size) this.observers.notify({ kind: 'connected', operatorId: conn.operatorId, chargerId: id, at: conn.connectedAt, previousAlive: !!previous, remoteAddress: conn.remoteAddress });
      return rowId;
    })();
    conn.ready.catch((err) => {
      // Frames wait for this; without it nothing would ever be answered. Let the charger reconnect.
      ctx.log.error({ err, chargerId: id }, 'could not record the connection; closing it');
      client.close({ code: 1011, reason: 'server error' }).catch(() => {});
    });

    client.once('close', ({ code, reason }: { code: number; reason: string }) => {
      const done = this.onClose(conn, code, reason);
      this.closing.add(done);
      void done.finally(() => this.closing.delete(done));
    });
  }

  private async onClose(conn: Connection, code: number, reason: string) {
    const ctx = this.ctx;
    const current = this.connections.get(conn.chargerId) === conn;
    if (current) this.connections.delete(conn.chargerId);
    this.meterFrames.forget(conn);
    ctx.metrics.chargersConnected.set(this.connections.size);
    try {
      const rowId = await conn.ready;
      await closeConnectionRow(
        ctx.db,
        rowId,
        ctx.clock.date(),
        conn.serverClose?.code ?? code ?? null,
        conn.replaced ? 'replaced by a newer connection' : (conn.serverClose?.reason ?? (reason || (code === 1006 ? 'connection lost' : 'closed'))),
      );
      // Only the connection that still owns the charger may say it is gone (on this node, and in the database).
      if (current && !this.connections.has(conn.chargerId) && (await releaseCharger(ctx.db, conn.chargerId, ctx.nodeId, ctx.clock.date())))
        ctx.events.emit('charger.connection', { operatorId: conn.operatorId, chargerId: conn.chargerId, connected: false, at: ctx.clock.date() });
    } catch (err) {
      ctx.log.error({ err, chargerId: conn.chargerId }, 'could not record the disconnection');
    }
  }

  /** Another node took this charger over: its socket here is stale and goes, as with a newcomer on this node. */
  dropCharger(chargerId: string, byNode: string) {
    const c = this.connections.get(chargerId);
    if (!c) return;
    c.replaced = true;
    this.ctx.log.info({ chargerId, byNode }, 'charger reconnected through another node; closing its old socket here');
    c.client.close(REPLACED).catch(() => {});
  }

  /** Closes every socket (the node lost its lease: the chargers reconnect and are recorded again). */
  dropAll(reason: string) {
    for (const c of this.connections.values()) {
      c.serverClose = { code: 1012, reason };
      c.client.close({ code: 1012, reason }).catch(() => {});
    }
  }

  isConnected(chargerId: string) {
    const c = this.connections.get(chargerId);
    return !!c && c.client.state === OPEN;
  }

  async call<T = any>(chargerId: string, action: string, payload: unknown, opts: CallOptions = {}): Promise<T> {
    if (!has16Schema(`urn:${action}.req`)) throw new CommandInvalid(action, `${action} is not an OCPP 1.6 action`);
    try {
      validate16(`urn:${action}.req`, payload);
    } catch (e) {
      const err = e as Error & { details?: { errors?: unknown } };
      throw new CommandInvalid(action, `invalid ${action} payload: ${err.message}`, err.details?.errors);
    }
    const conn = this.connections.get(chargerId);
    if (!conn || conn.client.state !== OPEN) {
      // Another node may hold this charger's socket (several nodes on one PostgreSQL server).
      const node = !opts.localOnly && this.link && (await this.link.holderOf(chargerId));
      if (node) return (await this.link!.forward(node, chargerId, action, payload, opts.timeoutMs ?? this.ctx.config.OCPP_COMMAND_TIMEOUT_MS)) as T;
      throw new ChargerOffline(chargerId);
    }
    if (!conn.commissioned && (action === 'RemoteStartTransaction' || action === 'RemoteStopTransaction')) throw new ChargerPending(chargerId, action);
    // Commands never wait for the MeterValues queue: a socket paused by back-pressure is read again for the answer.
    this.meterFrames.resume(conn);
    const timeoutMs = opts.timeoutMs ?? this.ctx.config.OCPP_COMMAND_TIMEOUT_MS;
    const end = this.ctx.metrics.commandSeconds.startTimer({ action });
    try {
      conn.invalidAnswer = null;
      const res = await conn.client.call(action, payload, { callTimeoutMs: timeoutMs });
      end({ outcome: 'answered' });
      return res as T;
    } catch (e) {
      const err = e as Error & { rpcErrorCode?: string; rpcErrorMessage?: string; details?: unknown };
      if (isTimeout(err)) {
        end({ outcome: 'timeout' });
        throw new CommandTimeout(chargerId, action, timeoutMs);
      }
      if (conn.invalidAnswer) {
        end({ outcome: 'invalid_answer' });
        conn.invalidAnswer = null;
        throw new CommandRejected(chargerId, action, 'InvalidResponse', `the charger's answer breaks the OCPP 1.6 schema: ${err.message}`);
      }
      if (err.rpcErrorCode) {
        end({ outcome: 'callerror' });
        throw new CommandRejected(chargerId, action, err.rpcErrorCode, err.message || err.rpcErrorMessage || '', err.details);
      }
      end({ outcome: 'offline' });
      throw new ChargerOffline(chargerId);
    }
  }

  /**
   * At start: chargers still marked connected through a node that is gone (a crashed or restarted
   * process) are marked disconnected, with their open connection rows closed.
   */
  async markStaleConnections() {
    const ctx = this.ctx;
    const host = hostname();
    const stale = (node: string | null) => {
      if (!node) return true;
      if (node === ctx.nodeId) return false;
      if (ctx.db.kind === 'pglite') return true; // embedded: one process owns the database
      const [h, pid] = node.split(':');
      if (h !== host) return false; // another machine's node: it answers for its own chargers
      if (Number(pid) === process.pid) return true;
      try {
        process.kill(Number(pid), 0);
        return false;
      } catch {
        return true;
      }
    };
    const rows = (await listConnectedChargers(ctx.db)).filter((r) => stale(r.connected_node) && !this.connections.has(r.id));
    for (const r of rows) await setConnected(ctx.db, r.id, false, null);
    const nodes = [...new Set(rows.map((r) => r.connected_node).filter((n): n is string => !!n))];
    if (nodes.length)
      await ctx.db.query(`UPDATE ocpp_connections SET disconnected_at = $2, reason = 'node stopped' WHERE disconnected_at IS NULL AND node_id = ANY($1::text[])`, [nodes, ctx.clock.date()]);
    return rows.length;
  }

  async close() {
    await this.rpc.close({ code: 1001, reason: 'server shutting down', force: false }).catch(() => {});
    // The close handlers record each disconnection before the database goes away.
    for (let i = 0; i < 200 && this.connections.size; i++) await new Promise((r) => setTimeout(r, 10));
    await Promise.allSettled([...this.closing]);
    await Promise.all([this.log.drain(), this.meterFrames.drain(), meterWriter(this.ctx.db).drain(), this.guard.stop()]);
  }
}
