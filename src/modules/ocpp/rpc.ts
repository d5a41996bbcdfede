import { createRequire } from 'node:module';

/** ocpp-rpc is CommonJS without per-action types; this file is the one place that reaches into it. */
const require = createRequire(import.meta.url);
const rpc = require('ocpp-rpc') as {
  RPCServer: new (opts: Record<string, unknown>) => RPCServer;
  RPCClient: new (opts: Record<string, unknown>) => any;
  createValidator: (subprotocol: string, schema: unknown) => { validate(id: string, params: unknown): boolean };
  TimeoutError: new (...a: any[]) => Error;
  RPCError: new (...a: any[]) => Error;
};
export const { RPCServer: RPCServerCtor, createValidator, TimeoutError } = rpc;
export const schema16 = require('ocpp-rpc/lib/schemas/ocpp1_6.json') as { $id: string }[];

export interface Handshake {
  protocols: Set<string>;
  identity: string;
  password?: Buffer;
  endpoint: string;
  remoteAddress: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface RPCServerClient {
  identity: string;
  protocol: string;
  state: number;
  handshake: Handshake;
  session: any;
  handle(method: string, fn: (a: { params: any; messageId: string; method: string }) => unknown): void;
  call(method: string, params: unknown, opts?: { callTimeoutMs?: number }): Promise<any>;
  close(opts?: { code?: number; reason?: string; force?: boolean; awaitPending?: boolean }): Promise<{ code: number; reason: string }>;
  sendRaw(message: string): void;
  on(ev: string, fn: (...a: any[]) => void): void;
  once(ev: string, fn: (...a: any[]) => void): void;
}

export interface RPCServer {
  auth(cb: (accept: (session?: unknown, protocol?: string) => void, reject: (code?: number, message?: string) => void, handshake: Handshake, signal: AbortSignal) => unknown): void;
  handleUpgrade: (req: any, socket: any, head: Buffer) => void;
  on(ev: 'client', fn: (c: RPCServerClient) => void): void;
  on(ev: string, fn: (...a: any[]) => void): void;
  close(opts?: { code?: number; reason?: string; force?: boolean }): Promise<void>;
}

const validator16 = rpc.createValidator('ocpp1.6', schema16);

/** Validates a payload against the OCPP 1.6 schema (`urn:Action.req`/`.conf`); throws ocpp-rpc's RPCError with a message. */
export function validate16(id: string, payload: unknown) {
  validator16.validate(id, payload);
}
export const has16Schema = (id: string) => schema16.some((s) => s.$id === id);

export const OPEN = 1;
