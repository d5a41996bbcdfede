import type { Queryable } from '../../platform/db/index.ts';
import { AppError, conflict, notFound } from '../../platform/errors.ts';
import { formatYuan } from '../../platform/money.ts';
import { membershipOf } from './membership.ts';
import { idTagInfo } from './id-tags.ts';
import { availableFen, listHolds } from './holds.ts';
import { recordAudit } from '../../platform/audit.ts';

export interface IdTagInput {
  id: string;
  kind?: 'card' | 'app';
  status?: 'active' | 'blocked' | 'expired';
  expiresAt?: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function searchDrivers(q: Queryable, operatorId: string, f: { q?: string; page: number; pageSize: number }) {
  const like = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%` : null;
  const where = `d.operator_id = $1 AND ($2::text IS NULL OR d.phone ILIKE $2 OR d.name ILIKE $2 OR d.nickname ILIKE $2
    OR array_to_string(d.plates, ' ') ILIKE $2
    OR EXISTS (SELECT 1 FROM id_tags t WHERE t.operator_id = d.operator_id AND t.driver_phone = d.phone AND t.id ILIKE $2))`;
  const total = (await q.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM drivers d WHERE ${where}`, [operatorId, like])).rows[0].n;
  const rows = await q.query(
    `SELECT d.phone, d.name, d.nickname, d.plates, d.status, d.created_at, COALESCE(a.balance_fen, 0)::bigint AS balance_fen,
       (SELECT array_agg(t.id ORDER BY t.id) FROM id_tags t WHERE t.operator_id = d.operator_id AND t.driver_phone = d.phone) AS tags
     FROM drivers d LEFT JOIN ledger_accounts a ON a.operator_id = d.operator_id AND a.kind = 'wallet' AND a.ref = d.phone
     WHERE ${where} ORDER BY d.created_at DESC, d.phone LIMIT $3 OFFSET $4`,
    [operatorId, like, f.pageSize, (f.page - 1) * f.pageSize],
  );
  return {
    items: rows.rows.map((d: any) => ({
      phone: d.phone,
      name: d.name,
      nickname: d.nickname,
      plates: d.plates,
      status: d.status,
      walletBalance: formatYuan(Number(d.balance_fen)),
      idTags: d.tags ?? [],
      createdAt: d.created_at.toISOString(),
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** `at`: the instant the id tags' authorization is judged at (now, from the caller's clock). */
export async function getDriver(q: Queryable, operatorId: string, phone: string, at: Date) {
  const r = await q.query(`SELECT phone, name, nickname, plates, status, created_at, updated_at FROM drivers WHERE operator_id = $1 AND phone = $2`, [operatorId, phone]);
  const d = r.rows[0];
  if (!d) throw notFound(`driver ${phone}`);
  const accts = await q.query(`SELECT kind, balance_fen FROM ledger_accounts WHERE operator_id = $1 AND ((kind = 'wallet' AND ref = $2) OR (kind = 'receivable' AND ref = $2))`, [operatorId, phone]);
  const bal = (k: string) => Number(accts.rows.find((a: any) => a.kind === k)?.balance_fen ?? 0);
  const tags = await q.query(`SELECT id, kind, status, expires_at, created_at FROM id_tags WHERE operator_id = $1 AND driver_phone = $2 ORDER BY created_at, id`, [operatorId, phone]);
  const idTags = [];
  for (const t of tags.rows as any[]) {
    const info = await idTagInfo(q, operatorId, t.id, at);
    idTags.push({ id: t.id, kind: t.kind, status: t.status, expiresAt: iso(t.expires_at), authorization: info.status });
  }
  const m = await membershipOf(q, operatorId, phone);
  return {
    phone: d.phone,
    name: d.name,
    nickname: d.nickname,
    plates: d.plates,
    status: d.status,
    walletBalance: formatYuan(bal('wallet')),
    // What the driver still owes (late meter values after a remote stop); "0.00" when nothing.
    owed: formatYuan(-bal('receivable')),
    // What the wallet can spend now: balance − owed − holds (issue 11.5), and the holds themselves
    // (a running session's start hold, a refund under way). Enterprise-paid sessions hold on the enterprise.
    availableBalance: formatYuan(await availableFen(q, operatorId, { method: 'wallet', phone })),
    holds: (await listHolds(q, operatorId, { kind: 'wallet', ref: phone })).map((h) => ({ cause: h.cause, ref: h.causeRef, amount: formatYuan(h.amountFen), since: h.createdAt.toISOString() })),
    paymentMethod: m && m.enterpriseStatus === 'active' ? 'enterprise' : 'wallet',
    idTags,
    enterprise: m
      ? { id: m.enterpriseId, name: m.enterpriseName, status: m.enterpriseStatus, departmentId: m.departmentId, departmentName: m.departmentName }
      : null,
    createdAt: d.created_at.toISOString(),
    updatedAt: d.updated_at.toISOString(),
  };
}

async function tagOwner(q: Queryable, operatorId: string, id: string): Promise<string | null | undefined> {
  const r = await q.query<{ driver_phone: string | null }>(`SELECT driver_phone FROM id_tags WHERE operator_id = $1 AND id = $2`, [operatorId, id]);
  return r.rows[0] ? r.rows[0].driver_phone : undefined;
}

export async function addIdTag(q: Queryable, operatorId: string, phone: string, t: IdTagInput) {
  const owner = await tagOwner(q, operatorId, t.id);
  if (owner !== undefined && owner !== null && owner !== phone) throw conflict(`id tag ${t.id} belongs to another driver`, { idTag: t.id });
  if (owner === phone) throw conflict(`id tag ${t.id} is already this driver's`, { idTag: t.id });
  await q.query(
    `INSERT INTO id_tags (operator_id, id, driver_phone, kind, status, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (operator_id, id) DO UPDATE SET driver_phone = EXCLUDED.driver_phone, kind = EXCLUDED.kind, status = EXCLUDED.status, expires_at = EXCLUDED.expires_at, updated_at = now()`,
    [operatorId, t.id, phone, t.kind ?? 'card', t.status ?? 'active', t.expiresAt ?? null],
  );
}

export async function createDriver(
  q: Queryable,
  operatorId: string,
  d: { phone: string; name?: string; nickname?: string; plates?: string[]; idTags?: IdTagInput[] },
) {
  const r = await q.query(
    `INSERT INTO drivers (operator_id, phone, name, nickname, plates) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (operator_id, phone) DO NOTHING RETURNING phone`,
    [operatorId, d.phone, d.name ?? null, d.nickname ?? null, d.plates ?? []],
  );
  if (!r.rows[0]) throw conflict(`a driver with phone ${d.phone} already exists`, { phone: d.phone });
  for (const t of d.idTags ?? []) await addIdTag(q, operatorId, d.phone, t);
}

export async function updateDriver(
  q: Queryable,
  operatorId: string,
  phone: string,
  patch: { status?: 'active' | 'blocked'; name?: string | null; nickname?: string | null; plates?: string[] },
  actor: string,
) {
  const before = await q.query(`SELECT name, nickname, plates, status FROM drivers WHERE operator_id = $1 AND phone = $2 FOR UPDATE`, [operatorId, phone]);
  if (!before.rows[0]) throw notFound(`driver ${phone}`);
  const b = before.rows[0];
  const next = {
    name: patch.name !== undefined ? patch.name : b.name,
    nickname: patch.nickname !== undefined ? patch.nickname : b.nickname,
    plates: patch.plates ?? b.plates,
    status: patch.status ?? b.status,
  };
  await q.query(`UPDATE drivers SET name = $3, nickname = $4, plates = $5, status = $6, updated_at = now() WHERE operator_id = $1 AND phone = $2`, [
    operatorId,
    phone,
    next.name,
    next.nickname,
    next.plates,
    next.status,
  ]);
  await recordAudit(q, { operatorId, actor, action: 'driver.update', entity: 'driver', entityId: phone, before: b, after: next });
}

export async function changeIdTag(
  q: Queryable,
  operatorId: string,
  phone: string,
  id: string,
  change: { action: 'block' | 'unblock' | 'expire'; expiresAt?: string | null },
  actor: string,
  now: Date,
) {
  const r = await q.query(`SELECT status, expires_at FROM id_tags WHERE operator_id = $1 AND id = $2 AND driver_phone = $3 FOR UPDATE`, [operatorId, id, phone]);
  const t = r.rows[0];
  if (!t) throw notFound(`id tag ${id} of driver ${phone}`);
  let status: string = t.status;
  let expiresAt: Date | string | null = t.expires_at;
  if (change.action === 'block') status = 'blocked';
  if (change.action === 'unblock') {
    if (t.status === 'expired' && change.expiresAt === undefined) throw new AppError(409, 'tag_expired', `id tag ${id} has expired; unblock it with a new expiresAt`);
    status = 'active';
  }
  if (change.action === 'expire') {
    status = 'expired';
    expiresAt = change.expiresAt ?? now.toISOString();
  } else if (change.expiresAt !== undefined) expiresAt = change.expiresAt;
  await q.query(`UPDATE id_tags SET status = $3, expires_at = $4, updated_at = now() WHERE operator_id = $1 AND id = $2`, [operatorId, id, status, expiresAt]);
  await recordAudit(q, { operatorId, actor, action: `id_tag.${change.action}`, entity: 'id_tag', entityId: id, before: { status: t.status, expiresAt: iso(t.expires_at) }, after: { status, expiresAt } });
}

export async function driverLedger(q: Queryable, operatorId: string, phone: string, f: { page: number; pageSize: number }) {
  await getDriverRow(q, operatorId, phone);
  return accountLedger(q, operatorId, 'wallet', phone, f);
}

/** An account's entries, newest first, with the transaction's cause, remark and the balance after each. */
export async function accountLedger(q: Queryable, operatorId: string, kind: string, ref: string, f: { page: number; pageSize: number }) {
  const acct = await q.query<{ id: number }>(`SELECT id FROM ledger_accounts WHERE operator_id = $1 AND kind = $2 AND ref = $3`, [operatorId, kind, ref]);
  if (!acct.rows[0]) return { items: [], total: 0, page: f.page, pageSize: f.pageSize };
  const id = acct.rows[0].id;
  const total = (await q.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ledger_entries WHERE account_id = $1`, [id])).rows[0].n;
  const rows = await q.query(
    `SELECT e.id, e.amount_fen, e.balance_after_fen, e.created_at, t.id AS tx_id, t.cause, t.cause_ref, t.remark, t.actor, t.meta->>'phone' AS phone
     FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id WHERE e.account_id = $1 ORDER BY e.id DESC LIMIT $2 OFFSET $3`,
    [id, f.pageSize, (f.page - 1) * f.pageSize],
  );
  return {
    items: rows.rows.map((e: any) => ({
      entryId: e.id,
      transactionId: e.tx_id,
      at: e.created_at.toISOString(),
      cause: e.cause,
      causeRef: e.cause_ref,
      remark: e.remark,
      actor: e.actor,
      phone: e.phone,
      amount: formatYuan(Number(e.amount_fen)),
      balanceAfter: formatYuan(Number(e.balance_after_fen)),
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}

export async function getDriverRow(q: Queryable, operatorId: string, phone: string) {
  const r = await q.query<{ phone: string; status: string }>(`SELECT phone, status FROM drivers WHERE operator_id = $1 AND phone = $2`, [operatorId, phone]);
  if (!r.rows[0]) throw notFound(`driver ${phone}`);
  return r.rows[0];
}
