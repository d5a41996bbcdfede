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
  request: import('node:http').IncomingMessage;
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
  handleUpgrade: (req: any, socket: any, head: Buffer) => Promise<void>;
  on(ev: 'client', fn: (c: RPCServerClient) => void): void;
  on(ev: string, fn: (...a: any[]) => void): void;
  close(opts?: { code?: number; reason?: string; force?: boolean }): Promise<void>;
}

const validator16 = rpc.createValidator('ocpp1.6', schema16);
const rpcErrorCtor = (rpc as unknown as { createRPCError: (code: string, message?: string, details?: unknown) => Error }).createRPCError;
/** An error ocpp-rpc sends as a CALLERROR with this code and description. */
export const createRPCError = (code: string, message: string, details: unknown = {}) => rpcErrorCtor(code, message, details);
/** Whether an error already carries an OCPP error code (ocpp-rpc sends it as is). */
export const isRpcError = (e: unknown): boolean => typeof (e as { rpcErrorCode?: unknown } | null)?.rpcErrorCode === 'string';

/**
 * ocpp-rpc's own schema check, with error codes chosen the way OCPP-J 1.6 §4.2.3 defines them: a value
 * out of its allowed set or range (enum, format, length, bounds, pattern) is a PropertyConstraintViolation,
 * a missing payload a FormationViolation; the rest keeps ocpp-rpc's choice (spelled for 1.6 on the way out).
 */
const PROPERTY = new Set(['enum', 'format', 'maxLength', 'minLength', 'maximum', 'minimum', 'pattern', 'const']);
export const strictValidator16 = {
  subprotocol: 'ocpp1.6',
  validate(id: string, params: unknown) {
    if (params === undefined) throw rpcErrorCtor('FormationViolation', 'the frame has no payload', {});
    try {
      return validator16.validate(id, params);
    } catch (e) {
      const err = e as Error & { details?: { errors?: { keyword: string }[] } };
      const keyword = err.details?.errors?.[0]?.keyword;
      if (keyword && PROPERTY.has(keyword)) throw rpcErrorCtor('PropertyConstraintViolation', err.message, err.details);
      throw e;
    }
  },
};

/** Validates a payload against the OCPP 1.6 schema (`urn:Action.req`/`.conf`); throws ocpp-rpc's RPCError with a message. */
export function validate16(id: string, payload: unknown) {
  validator16.validate(id, payload);
}
export const has16Schema = (id: string) => schema16.some((s) => s.$id === id);

export const OPEN = 1;
