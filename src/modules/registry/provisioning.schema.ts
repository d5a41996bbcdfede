import { z } from 'zod';
import type { Queryable } from '../../platform/db/index.ts';
import { sectionProvisioners } from './provisioners.ts';

const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only');

// A password or key left out: a new user or charger gets a random one, reported once by provision();
// an existing one keeps its own. No document needs to carry a usable secret.
const password = z.string().min(8, 'at least 8 characters').max(1024).optional();

export const userSchema = z.object({
  username: z.string().min(3).max(64),
  password,
  role: z.enum(['operator_admin', 'operator_staff']),
});

export const connectorSchema = z.object({
  id: z.number().int().min(1).max(99),
  type: z.enum(['DC', 'AC']),
  maxPowerKw: z.number().positive().max(2000),
});

export const chargerSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,48}$/, 'a charge box id: 1-48 letters, digits, _ . -'),
  authKey: z.string().min(16, 'an authorization key has at least 16 bytes').max(40).optional(),
  tariffId: id.optional(),
  connectors: z.array(connectorSchema).min(1),
});

export const stationSchema = z.object({
  id,
  name: z.string().min(1),
  city: z.string().optional(),
  areaCode: z.string().max(20).optional(),
  address: z.string().max(200).optional(),
  lat: z.number().min(-90).max(90).optional(),
  lng: z.number().min(-180).max(180).optional(),
  status: z.enum(['operational', 'construction', 'closed', 'maintenance']).optional(),
  tariffId: id.optional(),
  chargers: z.array(chargerSchema).default([]),
});

const operatorBase = {
    id,
    name: z.string().min(1),
    tcecOperatorId: z.string().regex(/^[A-Za-z0-9]{9}$/, 'a T/CEC operator id has 9 characters').optional(),
    timezone: z.string().default('Asia/Shanghai'),
    settings: z.record(z.string(), z.unknown()).optional(),
    users: z.array(userSchema).default([]),
    stations: z.array(stationSchema).default([]),
};
const docBase = {
  $schema: z.string().optional(),
  admins: z.array(z.object({ username: z.string().min(3).max(64), password })).default([]),
};

/** The registry's part of the document; the other modules' sections are typed by their owners. */
const baseOperatorSchema = z.object(operatorBase);
const baseProvisioningSchema = z.object({ ...docBase, operators: z.array(baseOperatorSchema).default([]) });

let built: { from: readonly unknown[]; schema: z.ZodType<ProvisioningDoc> } | null = null;
/** The whole document's schema: registry's part plus every registered section (built once per registration). */
export function provisioningSchema(): z.ZodType<ProvisioningDoc> {
  const list = sectionProvisioners();
  if (built?.from !== list) {
    const operatorSchema = z.object({ ...operatorBase, ...Object.fromEntries(list.map((p) => [p.section, p.schema.optional()])) }).strict();
    built = { from: list, schema: z.object({ ...docBase, operators: z.array(operatorSchema).default([]) }).strict() as unknown as z.ZodType<ProvisioningDoc> };
  }
  return built.schema;
}

/**
 * Cross-field checks (unique ids, references between sections). They run on the raw document even
 * when its shape has errors, so one pass reports every problem.
 */
export function crossCheck(raw: unknown): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const doc = raw as any;
  const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
  const seen = (what: string, list: unknown[], path: (i: number) => (string | number)[]) => {
    const s = new Set<unknown>();
    list.forEach((v, i) => {
      if (v === undefined) return;
      if (s.has(v)) issues.push({ path: path(i), message: `duplicate ${what} ${String(v)}` });
      s.add(v);
    });
  };
  const ops = arr(doc?.operators);
  seen('operator id', ops.map((o) => o?.id), (i) => ['operators', i, 'id']);
  const stations: unknown[] = [];
  const stationPaths: (string | number)[][] = [];
  const chargers: unknown[] = [];
  const chargerPaths: (string | number)[][] = [];
  ops.forEach((o, oi) => {
    if (typeof o?.timezone === 'string' && !isTimeZone(o.timezone)) issues.push({ path: ['operators', oi, 'timezone'], message: `unknown time zone ${o.timezone}` });
    arr(o?.stations).forEach((s, si) => {
      stations.push(s?.id);
      stationPaths.push(['operators', oi, 'stations', si, 'id']);
      arr(s?.chargers).forEach((c, ci) => {
        chargers.push(c?.id);
        chargerPaths.push(['operators', oi, 'stations', si, 'chargers', ci, 'id']);
        seen('connector id', arr(c?.connectors).map((x) => x?.id), (xi) => ['operators', oi, 'stations', si, 'chargers', ci, 'connectors', xi, 'id']);
      });
    });
    for (const p of sectionProvisioners()) {
      const v = o?.[p.section];
      if (!Array.isArray(v) && (v === undefined || typeof v !== 'object')) continue;
      const opView = { ...o, id: o?.id, stations: arr(o?.stations).map((s) => ({ ...s, chargers: arr(s?.chargers) })) };
      try {
        p.refine?.(v as never, opView, (path, message) => issues.push({ path: ['operators', oi, p.section, ...path], message }));
      } catch {
        /* a malformed section is already reported by its schema */
      }
    }
  });
  seen('station id', stations, (i) => stationPaths[i]);
  seen('charger id', chargers, (i) => chargerPaths[i]);
  return issues;
}

export type OperatorDoc = z.infer<typeof baseOperatorSchema> & { [section: string]: unknown };
export type ProvisioningDoc = Omit<z.infer<typeof baseProvisioningSchema>, 'operators'> & { operators: OperatorDoc[] };

function isTimeZone(tz: string) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export type { Queryable };
