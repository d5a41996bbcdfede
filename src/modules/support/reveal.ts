/**
 * Phone numbers are masked wherever support sees them; showing one in full is an explicit action
 * with a reason, allowed to operator_admin and platform_admin, and to operator_staff only when the
 * operator grants it. Every full number shown (a reveal or a case export) is recorded.
 */
import type { Queryable } from '../../platform/db/index.ts';
import type { Principal } from '../../platform/auth/tokens.ts';
import { forbidden, notFound, conflict, badRequest } from '../../platform/errors.ts';
import { getOrder } from '../orders/index.ts';
import { driverPhonesMatching } from '../wallet/index.ts';
import { parseMaskedPhone, isFullPhone } from './mask.ts';

export interface SupportSettings {
  staffMayReveal: boolean;
}

export async function supportSettings(q: Queryable, operatorId: string): Promise<SupportSettings & { updatedBy: string | null; updatedAt: string | null }> {
  const r = await q.query<{ staff_may_reveal: boolean; updated_by: string | null; updated_at: Date }>(`SELECT * FROM support_settings WHERE operator_id = $1`, [operatorId]);
  const row = r.rows[0];
  return { staffMayReveal: row?.staff_may_reveal ?? false, updatedBy: row?.updated_by ?? null, updatedAt: row?.updated_at.toISOString() ?? null };
}

export async function saveSupportSettings(q: Queryable, operatorId: string, s: SupportSettings, by: string, now: Date) {
  await q.query(
    `INSERT INTO support_settings (operator_id, staff_may_reveal, updated_by, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (operator_id) DO UPDATE SET staff_may_reveal = $2, updated_by = $3, updated_at = $4`,
    [operatorId, s.staffMayReveal, by, now],
  );
}

/** Whether this user may see full phone numbers of this operator. */
export async function mayReveal(q: Queryable, p: Principal, operatorId: string): Promise<boolean> {
  if (p.role === 'platform_admin') return true;
  if (p.operatorId !== operatorId) return false;
  if (p.role === 'operator_admin') return true;
  if (p.role === 'operator_staff') return (await supportSettings(q, operatorId)).staffMayReveal;
  return false;
}

export interface RevealRecord {
  operatorId: string;
  actor: string;
  actorRole: string;
  phone: string;
  orderNo?: string | null;
  caseId?: number | null;
  via: 'reveal' | 'case_export';
  reason: string;
  at: Date;
}

export async function recordReveal(q: Queryable, r: RevealRecord) {
  await q.query(
    `INSERT INTO support_reveals (operator_id, actor, actor_role, phone, order_no, case_id, via, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [r.operatorId, r.actor, r.actorRole, r.phone, r.orderNo ?? null, r.caseId ?? null, r.via, r.reason, r.at],
  );
}

export interface RevealInput {
  orderNo?: string;
  caseId?: number;
  phone?: string;
  reason: string;
}

/**
 * The full number behind an order, a case or a masked phone (`135****8000`, which must name exactly
 * one driver of this operator), recorded in the same transaction. 403 when the user may not reveal.
 */
export async function revealPhone(
  q: Queryable,
  p: Principal,
  operatorId: string,
  input: RevealInput,
  caseLookup: (q: Queryable, operatorId: string, id: number) => Promise<{ phone: string | null; orderNo: string | null } | null>,
  now: Date,
): Promise<{ phone: string }> {
  if (!(await mayReveal(q, p, operatorId))) throw forbidden('revealing phone numbers needs operator_admin, or operator_staff where the operator allows it');
  let phone: string | null = null;
  let orderNo: string | null = input.orderNo ?? null;
  if (input.orderNo) {
    const o = await getOrder(q, operatorId, input.orderNo);
    if (!o) throw notFound(`order ${input.orderNo}`);
    phone = o.driver?.phone ?? null;
    if (!phone) throw notFound(`a phone number for order ${input.orderNo}`);
  } else if (input.caseId !== undefined) {
    const c = await caseLookup(q, operatorId, input.caseId);
    if (!c) throw notFound(`case ${input.caseId}`);
    if (!c.phone) throw notFound(`a phone number in case ${input.caseId}`);
    phone = c.phone;
    orderNo = c.orderNo;
  } else if (input.phone) {
    const mask = parseMaskedPhone(input.phone);
    if (mask) {
      const hits = await driverPhonesMatching(q, operatorId, mask[0], mask[1], 11, 2);
      if (!hits.length) throw notFound(`a driver with phone ${input.phone}`);
      if (hits.length > 1) throw conflict(`${input.phone} matches several drivers; reveal it from the order or the case instead`);
      phone = hits[0];
    } else if (isFullPhone(input.phone)) {
      const hits = await driverPhonesMatching(q, operatorId, input.phone, '', input.phone.length, 1);
      if (hits[0] !== input.phone) throw notFound(`a driver with phone ${input.phone}`);
      phone = hits[0];
    } else throw badRequest('phone must be a masked number like 135****8000');
  } else throw badRequest('name the orderNo, the caseId or the (masked) phone to reveal');
  await recordReveal(q, { operatorId, actor: p.sub, actorRole: p.role, phone, orderNo, caseId: input.caseId ?? null, via: 'reveal', reason: input.reason, at: now });
  return { phone };
}

export async function listReveals(q: Queryable, operatorId: string, f: { from?: Date; to?: Date; actor?: string; limit: number; offset: number }) {
  const r = await q.query(
    `SELECT *, count(*) OVER ()::int AS total FROM support_reveals WHERE operator_id = $1 AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
       AND ($4::text IS NULL OR actor = $4) ORDER BY at DESC, id DESC LIMIT $5 OFFSET $6`,
    [operatorId, f.from ?? null, f.to ?? null, f.actor ?? null, f.limit, f.offset],
  );
  return {
    total: (r.rows[0] as any)?.total ?? 0,
    items: r.rows.map((x: any) => ({
      id: Number(x.id),
      actor: x.actor as string,
      actorRole: x.actor_role as string,
      phone: x.phone as string,
      orderNo: x.order_no as string | null,
      caseId: x.case_id === null ? null : Number(x.case_id),
      via: x.via as string,
      reason: x.reason as string,
      at: (x.at as Date).toISOString(),
    })),
  };
}
