/** Roaming partners of an operator: schema (provisioning and API), storage with encrypted secrets. */
import { z } from 'zod';
import type { Queryable } from '../../platform/db/index.ts';
import { DIALECT_NAMES, INTERFACES } from './dialects.ts';
import { openJson, sealJson } from '../../platform/secrets.ts';
import type { Keys } from './envelope.ts';
import { checkOutboundUrl, outboundUrl } from '../../platform/outbound-url.ts';

const secret16 = z.string().regex(/^[\x21-\x7e]{16}$/, 'exactly 16 printable ASCII characters (used as raw UTF-8 bytes)');
export const secretsSchema = z.object({
  operatorSecret: z.string().min(8).max(64),
  dataSecret: secret16,
  dataSecretIv: secret16,
  sigSecret: z.string().min(8).max(64),
});
export type PartnerSecrets = z.infer<typeof secretsSchema>;

export const partnerSchema = z.object({
  operatorId: z.string().regex(/^[A-Za-z0-9]{9}$/, "the partner's T/CEC operator id has 9 characters"),
  name: z.string().min(1).max(100),
  dialect: z.enum(DIALECT_NAMES),
  baseUrl: outboundUrl(),
  // a path may be a whole URL (some partners host interfaces elsewhere): then the outbound policy applies
  paths: z
    .partialRecord(
      z.enum(INTERFACES),
      z.string().min(1).superRefine((v, ctx) => {
        const why = /^[a-z][a-z0-9+.-]*:/i.test(v) ? checkOutboundUrl(v) : null;
        if (why) ctx.addIssue({ code: 'custom', message: `not an allowed outbound URL: ${why}` });
      }),
    )
    .optional(),
  stations: z.array(z.string().min(1)).default([]),
  startConfirmTimeoutSeconds: z.number().int().min(5).max(3600).default(60),
  inbound: secretsSchema,
  outbound: secretsSchema,
});
export type PartnerDoc = z.input<typeof partnerSchema>;
export type PartnerInput = z.output<typeof partnerSchema>;

export interface Partner {
  operatorId: string; // ours (tenant)
  id: string; // the partner's T/CEC OperatorID
  name: string;
  dialect: string;
  baseUrl: string;
  paths: Record<string, string>;
  stations: string[];
  startConfirmTimeoutSeconds: number;
  inbound: PartnerSecrets;
  outbound: PartnerSecrets;
}

export const keysOf = (s: PartnerSecrets): Keys => ({ dataSecret: s.dataSecret, dataSecretIv: s.dataSecretIv, sigSecret: s.sigSecret });

interface Row {
  operator_id: string;
  id: string;
  name: string;
  dialect: string;
  base_url: string;
  paths: Record<string, string>;
  stations: string[];
  start_confirm_timeout_s: number;
  inbound_secrets: string;
  outbound_secrets: string;
  updated_at: Date;
}

function fromRow(r: Row): Partner {
  return {
    operatorId: r.operator_id,
    id: r.id,
    name: r.name,
    dialect: r.dialect,
    baseUrl: r.base_url,
    paths: r.paths ?? {},
    stations: r.stations ?? [],
    startConfirmTimeoutSeconds: r.start_confirm_timeout_s,
    inbound: openJson<PartnerSecrets>(r.inbound_secrets),
    outbound: openJson<PartnerSecrets>(r.outbound_secrets),
  };
}

/** The console's view: secrets are write-only, shown only as set/not set. */
export function publicView(p: Partner) {
  const { inbound, outbound, operatorId, id, ...rest } = p;
  return { id, partnerOperatorId: id, ...rest, operatorId, secrets: { inbound: 'set', outbound: 'set' } };
}

export async function upsertPartner(q: Queryable, operatorId: string, p: PartnerInput): Promise<void> {
  const cur = await getPartner(q, operatorId, p.operatorId);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const inbound = cur && same(cur.inbound, p.inbound) ? null : sealJson(p.inbound);
  const outbound = cur && same(cur.outbound, p.outbound) ? null : sealJson(p.outbound);
  // Applying the same document twice changes nothing (secrets are re-sealed only when they change).
  await q.query(
    `INSERT INTO roaming_partners (operator_id, id, name, dialect, base_url, paths, stations, start_confirm_timeout_s, inbound_secrets, outbound_secrets)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9, ''), COALESCE($10, ''))
     ON CONFLICT (operator_id, id) DO UPDATE SET name = EXCLUDED.name, dialect = EXCLUDED.dialect, base_url = EXCLUDED.base_url,
       paths = EXCLUDED.paths, stations = EXCLUDED.stations, start_confirm_timeout_s = EXCLUDED.start_confirm_timeout_s,
       inbound_secrets = COALESCE($9, roaming_partners.inbound_secrets), outbound_secrets = COALESCE($10, roaming_partners.outbound_secrets),
       updated_at = CASE WHEN $9::text IS NOT NULL OR $10::text IS NOT NULL OR
         (roaming_partners.name, roaming_partners.dialect, roaming_partners.base_url, roaming_partners.paths, roaming_partners.stations, roaming_partners.start_confirm_timeout_s)
         IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.dialect, EXCLUDED.base_url, EXCLUDED.paths, EXCLUDED.stations, EXCLUDED.start_confirm_timeout_s)
         THEN now() ELSE roaming_partners.updated_at END`,
    [operatorId, p.operatorId, p.name, p.dialect, p.baseUrl, JSON.stringify(p.paths ?? {}), p.stations, p.startConfirmTimeoutSeconds, inbound, outbound],
  );
}

export async function getPartner(q: Queryable, operatorId: string, partnerId: string): Promise<Partner | null> {
  const r = await q.query<Row>(`SELECT * FROM roaming_partners WHERE operator_id = $1 AND id = $2`, [operatorId, partnerId]);
  return r.rows[0] ? fromRow(r.rows[0]) : null;
}

export async function listPartners(q: Queryable, operatorId: string | null): Promise<Partner[]> {
  const r = await q.query<Row>(`SELECT * FROM roaming_partners WHERE ($1::text IS NULL OR operator_id = $1) ORDER BY operator_id, id`, [operatorId]);
  if (!r.rows.length) return [];
  return r.rows.map((x) => fromRow(x));
}

/** Every operator's partner row with this T/CEC OperatorID: the inbound signature tells them apart. */
export async function partnersByTcecId(q: Queryable, partnerId: string): Promise<Partner[]> {
  const r = await q.query<Row>(`SELECT * FROM roaming_partners WHERE id = $1 ORDER BY operator_id`, [partnerId]);
  if (!r.rows.length) return [];
  return r.rows.map((x) => fromRow(x));
}
