import { Temporal } from 'temporal-polyfill';
import type { Queryable } from '../../platform/db/index.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import { formatYuan } from '../../platform/money.ts';
import { getOperator } from '../registry/index.ts';
import { getAccount, setAccountFloor } from '../wallet/index.ts';

// what the statement needs from the wallet's ledger and the registry (src/modules/enterprise/statement.ts)
export { enterpriseCharges } from '../wallet/index.ts';
export { getOperator };

const view = async (q: Queryable, operatorId: string, e: any) => {
  const a = await getAccount(q, operatorId, { kind: 'enterprise', ref: e.id });
  const bal = a?.balanceFen ?? 0;
  const limit = Number(e.credit_limit_fen);
  return {
    id: e.id,
    name: e.name,
    status: e.status,
    contact: e.contact,
    creditLimit: formatYuan(limit),
    balance: formatYuan(bal),
    available: formatYuan(Math.max(0, bal + limit)),
    createdAt: e.created_at.toISOString(),
  };
};

export async function listEnterprises(q: Queryable, operatorId: string) {
  const r = await q.query(`SELECT * FROM enterprises WHERE operator_id = $1 ORDER BY name, id`, [operatorId]);
  const out = [];
  for (const e of r.rows) out.push(await view(q, operatorId, e));
  return out;
}

export async function getEnterprise(q: Queryable, operatorId: string, id: string) {
  const r = await q.query(`SELECT * FROM enterprises WHERE operator_id = $1 AND id = $2`, [operatorId, id]);
  if (!r.rows[0]) throw notFound(`enterprise ${id}`);
  return view(q, operatorId, r.rows[0]);
}

export async function createEnterprise(q: Queryable, operatorId: string, e: { id: string; name: string; creditLimitFen: number; contact?: string }) {
  const r = await q.query(
    `INSERT INTO enterprises (operator_id, id, name, credit_limit_fen, contact) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (operator_id, id) DO NOTHING RETURNING id`,
    [operatorId, e.id, e.name, e.creditLimitFen, e.contact ?? null],
  );
  if (!r.rows[0]) throw conflict(`enterprise ${e.id} already exists`);
  // The credit limit is the account's floor: the ledger refuses any debit below -limit.
  await setAccountFloor(q, operatorId, { kind: 'enterprise', ref: e.id }, -e.creditLimitFen);
}

export async function updateEnterprise(q: Queryable, operatorId: string, id: string, p: { name?: string; creditLimitFen?: number; status?: 'active' | 'suspended'; contact?: string | null }) {
  const r = await q.query(
    `UPDATE enterprises SET name = COALESCE($3, name), credit_limit_fen = COALESCE($4, credit_limit_fen), status = COALESCE($5, status),
       contact = CASE WHEN $6::boolean THEN $7 ELSE contact END, updated_at = now()
     WHERE operator_id = $1 AND id = $2 RETURNING credit_limit_fen`,
    [operatorId, id, p.name ?? null, p.creditLimitFen ?? null, p.status ?? null, p.contact !== undefined, p.contact ?? null],
  );
  if (!r.rows[0]) throw notFound(`enterprise ${id}`);
  if (p.creditLimitFen !== undefined) await setAccountFloor(q, operatorId, { kind: 'enterprise', ref: id }, -p.creditLimitFen);
}

/** Month boundaries in the operator's time zone. */
export async function monthRange(q: Queryable, operatorId: string, month: string) {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw badRequest('month is YYYY-MM');
  const tz = (await getOperator(q, operatorId))?.timezone ?? 'Asia/Shanghai';
  const start = Temporal.PlainDate.from(`${month}-01`);
  const ms = (d: Temporal.PlainDate) => d.toZonedDateTime({ timeZone: tz }).epochMilliseconds;
  return { from: new Date(ms(start)), to: new Date(ms(start.add({ months: 1 }))), timeZone: tz };
}
