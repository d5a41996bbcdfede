import type { RPCServerClient } from './rpc.ts';

/** One live WebSocket of one charger, as the handlers see it. */
export interface Connection {
  chargerId: string;
  operatorId: string;
  stationId: string | null;
  commissioned: boolean;
  remoteAddress: string | null;
  client: RPCServerClient;
  /** the ocpp_connections row; resolves once the connection is recorded */
  ready: Promise<number>;
  connectedAt: Date;
  replaced: boolean;
  /** action of each CALL awaiting its answer, by message id, both ways */
  inbound: Map<string, string>;
  outbound: Map<string, string>;
  /** set when the charger's answer to our command broke the 1.6 schema (one command in flight at a time) */
  invalidAnswer: Error | null;
  lastTouch: number;
  /** the charger's provisioned connector ids, read when a frame first names a connector */
  connectorIds: Set<number> | null;
  /** the close the server itself sent, when it closed the socket (the history records it, not the 1006 the torn socket reports) */
  serverClose: { code: number; reason: string } | null;
}
