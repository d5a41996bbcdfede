/** Errors of the gateway's `call`, for the modules that command chargers. */
export class ChargerOffline extends Error {
  readonly code = 'ChargerOffline';
  constructor(public readonly chargerId: string) {
    super(`charger ${chargerId} is not connected`);
  }
}
/** The charger is connected but not commissioned (BootNotification Pending): no remote start or stop (OCPP 1.6 §4.2). */
export class ChargerPending extends Error {
  readonly code = 'ChargerPending';
  constructor(public readonly chargerId: string, public readonly action: string) {
    super(`charger ${chargerId} is Pending (not commissioned): ${action} is not allowed until it is accepted`);
  }
}
export class CommandTimeout extends Error {
  readonly code = 'CommandTimeout';
  constructor(public readonly chargerId: string, public readonly action: string, public readonly timeoutMs: number) {
    super(`charger ${chargerId} did not answer ${action} within ${timeoutMs} ms`);
  }
}
/** The charger answered with a CALLERROR (ocppCode), or with a response that breaks the 1.6 schema. */
export class CommandRejected extends Error {
  readonly code = 'CommandRejected';
  constructor(public readonly chargerId: string, public readonly action: string, public readonly ocppCode: string, description: string, public readonly details?: unknown) {
    super(`charger ${chargerId} answered ${action} with ${ocppCode}${description ? `: ${description}` : ''}`);
  }
}
/** The payload we were asked to send breaks the OCPP 1.6 schema: nothing was sent. */
export class CommandInvalid extends Error {
  readonly code = 'CommandInvalid';
  constructor(public readonly action: string, message: string, public readonly details?: unknown) {
    super(message);
  }
}

/**
 * CALLERROR codes as OCPP-J 1.6 spells them. ocpp-rpc speaks the 2.0.1 vocabulary (and flips one 1.6
 * spelling the wrong way); a 1.6 peer matches these strings, so every outgoing CALLERROR on a 1.6
 * connection is mapped. 1.6 has no RpcFrameworkError/MessageTypeNotSupported: a frame that is not a
 * well-formed RPC message is a FormationViolation in 1.6 terms.
 */
const CODES_16: Record<string, string> = {
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
  FormatViolation: 'FormationViolation',
  RpcFrameworkError: 'FormationViolation',
  MessageTypeNotSupported: 'FormationViolation',
};
const VALID_16 = new Set([
  'NotImplemented',
  'NotSupported',
  'InternalError',
  'ProtocolError',
  'SecurityError',
  'FormationViolation',
  'PropertyConstraintViolation',
  'OccurenceConstraintViolation',
  'TypeConstraintViolation',
  'GenericError',
]);

export function errorCode16(code: string): string {
  const mapped = CODES_16[code] ?? code;
  return VALID_16.has(mapped) ? mapped : 'GenericError';
}
