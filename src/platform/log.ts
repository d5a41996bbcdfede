import pino from 'pino';
import { LOG_REDACT_KEYS, scrubSecrets } from './redact.ts';

export type Logger = pino.Logger;

const paths = [...LOG_REDACT_KEYS.map((k) => `["${k}"]`), ...LOG_REDACT_KEYS.map((k) => `*["${k}"]`), ...LOG_REDACT_KEYS.map((k) => `*.*["${k}"]`)];

/** Credentials are redacted by field name, and error messages and stacks are scrubbed (docs/security.md). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const opts: pino.LoggerOptions = {
    level,
    base: { svc: 'chargeops' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths, censor: '***' },
    serializers: {
      err: (e: Error) => {
        const s = pino.stdSerializers.err(e);
        return { ...s, message: scrubSecrets(s.message ?? ''), stack: s.stack ? scrubSecrets(s.stack) : s.stack };
      },
    },
  };
  return destination ? pino(opts, destination) : pino(opts);
}
