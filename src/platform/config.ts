import { z } from 'zod';
import { isIP } from 'node:net';
import { KEY_FORMAT_HINT, parseKey } from './secrets-key.ts';

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), 'must be true or false')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
  PUBLIC_BASE_URL: z.string().url('must be an absolute URL such as https://cloud.example.com').optional(),
  /** default: true on the embedded database, false with DATABASE_URL (see loadConfig) */
  DEMO_DATA: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  MESSAGE_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  /** Whole months of meter samples kept (monthly partitions dropped beyond it); 0 keeps every month. */
  METER_SAMPLES_RETENTION_MONTHS: z.coerce.number().int().min(0).default(24),
  /** NATS server for the relay of commands between nodes (nats://host:4222); unset: PostgreSQL LISTEN/NOTIFY. */
  NATS_URL: z.string().regex(/^(nats|tls|wss?):\/\//, 'must be a nats:// URL').optional(),
  /** MeterValues waiting for their commit above which the busiest chargers' sockets stop being read (back-pressure). */
  OCPP_METER_QUEUE_MAX: z.coerce.number().int().min(1).default(4000),
  /** Live billing-evasion detection on the gateway's traffic (issue 13); off only to measure its cost (the history scan still works). */
  SECURITY_LIVE_DETECTION: bool.default(true),
  OCPP_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(30000),
  /** Largest HTTP request body (JSON) accepted; a bigger one is answered 413. */
  HTTP_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(5 * 1024 * 1024),
  /** Largest OCPP frame accepted; a bigger one closes the connection with 1009 and is not stored. */
  OCPP_MAX_FRAME_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(65536),
  HEARTBEAT_INTERVAL_S: z.coerce.number().int().min(10).default(300),
  ADMIT_UNKNOWN_CHARGERS: bool.default(false),
  DEMO_SIMULATE: bool.optional(),
  /** 32 bytes (hex or base64) sealing every secret at rest; required with DATABASE_URL */
  SECRETS_KEY: z.string().refine((v) => parseKey(v) !== null, KEY_FORMAT_HINT).optional(),
  /** older keys, comma-separated, still opened until `chargeops rotate-secrets` re-sealed everything */
  SECRETS_KEY_PREVIOUS: z
    .string()
    .refine((v) => v.split(',').every((k) => !k.trim() || parseKey(k) !== null), `every comma-separated key ${KEY_FORMAT_HINT}`)
    .optional(),
  /** addresses/CIDRs of the reverse proxies whose X-Forwarded-For is believed (default: none) */
  TRUST_PROXY: z
    .string()
    .refine((v) => v.split(',').every((a) => isAddressOrCidr(a.trim())), 'must be comma-separated IP addresses or CIDRs, e.g. 10.0.0.1,192.168.0.0/16')
    .optional(),
  /** lets admin-set outbound URLs reach loopback and private networks (the embedded demo sets it) */
  OUTBOUND_ALLOW_PRIVATE: bool.optional(),
  /** writes driver one-time codes to the log (the embedded demo sets it; never in production) */
  OTP_LOG_CODES: bool.optional(),
  /** bearer token /metrics asks for */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** serve /metrics only on this port (not on PORT) */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
});

function isAddressOrCidr(a: string): boolean {
  const [ip, bits, extra] = a.split('/');
  if (extra !== undefined || !isIP(ip)) return false;
  if (bits === undefined) return true;
  const max = isIP(ip) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

export type RawConfig = z.infer<typeof configSchema>;
export interface Config extends Omit<RawConfig, 'DEMO_DATA'> {
  DEMO_DATA: boolean;
  publicBaseUrl: string;
  /** TRUST_PROXY as a list (empty: X-Forwarded-For is never believed) */
  trustedProxies: string[];
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads the environment once, with one clear message per bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(picked[String(i.path[0])])}: ${i.message}`),
    );
  }
  const c = parsed.data;
  if (c.SECRETS_KEY_PREVIOUS && !c.SECRETS_KEY) throw new ConfigError(['SECRETS_KEY_PREVIOUS is set without SECRETS_KEY: give the new key in SECRETS_KEY (docs/security.md)']);
  const publicBaseUrl = (c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, '');
  const trustedProxies = (c.TRUST_PROXY ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  // The demo data is for trying the platform on the embedded database; a server database is a deployment.
  const DEMO_DATA = c.DEMO_DATA ?? !c.DATABASE_URL;
  return { ...c, DEMO_DATA, publicBaseUrl, trustedProxies };
}
