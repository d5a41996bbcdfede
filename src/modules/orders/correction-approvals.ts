/**
 * Corrections waiting for an operator admin (issue 11, point 10): listed for staff and admins,
 * approved (the stored correction is applied now, by the approving admin, on the version it was
 * made on) or rejected with a reason. Each decision is in the order's audit trail.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import { formatYuan } from '../../platform/money.ts';
import { auditOrder, correctOrder, type Actor, type CorrectionRequest } from './corrections.ts';
import type { After, OrdersDeps } from './settle.ts';

interface RequestRow {
  id: number;
  operator_id: string;
  order_no: string;
  base_version: number;
  requested_by: string;
  op_day: string;
  counted_fen: number;
  request: CorrectionRequest;
  status: string;
  result_version: number | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  created_at: Date;
}

const view = (r: RequestRow) => ({
  id: Number(r.id),
  orderNo: r.order_no,
  baseVersion: r.base_version,
  requestedBy: r.requested_by,
  operatorDay: typeof r.op_day === 'string' ? r.op_day : new Date(r.op_day).toISOString().slice(0, 10),
  countedAmount: formatYuan(Number(r.counted_fen)),
  reason: r.request.reason,
  correction: r.request,
  status: r.status,
  resultVersion: r.result_version,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
  decisionReason: r.decision_reason,
  requestedAt: new Date(r.created_at).toISOString(),
});

export async function listCorrectionRequests(q: Queryable, operatorId: string, status: string | undefined) {
  const r = await q.query<RequestRow>(
    `SELECT * FROM order_correction_requests WHERE operator_id = $1 AND status <> 'applied' AND ($2::text IS NULL OR status = $2) ORDER BY id DESC LIMIT 200`,
    [operatorId, status ?? null],
  );
  return { items: r.rows.map(view) };
}

async function pendingRequest(q: Queryable, operatorId: string, id: number): Promise<RequestRow> {
  const r = (await q.query<RequestRow>(`SELECT * FROM order_correction_requests WHERE operator_id = $1 AND id = $2 AND status <> 'applied' FOR UPDATE`, [operatorId, id])).rows[0];
  if (!r) throw notFound(`correction request ${id}`);
  if (r.status !== 'pending_approval') throw conflict(`correction request ${id} was ${r.status} already (by ${r.decided_by})`);
  return r;
}

const audit = (q: Queryable, operatorId: string, actor: string, action: string, orderNo: string, reason: string | null, after: unknown) =>
  auditOrder(q, operatorId, actor, action, orderNo, reason, { status: 'pending_approval' }, after);

export async function approveCorrectionRequest(d: OrdersDeps, q: Queryable, operatorId: string, id: number, actor: Actor, now: number, after: After) {
  const r = await pendingRequest(q, operatorId, id);
  const current = (await q.query<{ version: number }>(`SELECT version FROM orders WHERE operator_id = $1 AND order_no = $2`, [operatorId, r.order_no])).rows[0];
  if (current.version !== r.base_version)
    throw conflict(`order ${r.order_no} was changed since this correction was requested (version ${r.base_version}, now ${current.version}): reject it and correct the order again`);
  const req: CorrectionRequest = { ...r.request, reason: `${r.request.reason} (requested by ${r.requested_by}, approved by ${actor.username})` };
  const out = await correctOrder(d, q, operatorId, r.order_no, req, actor, now, after);
  if (out.pending) throw conflict('an approval needs an operator admin');
  await q.query(`UPDATE order_correction_requests SET status = 'approved', result_version = $3, decided_by = $4, decided_at = $5 WHERE operator_id = $1 AND id = $2`, [
    operatorId,
    id,
    out.order.version,
    actor.username,
    new Date(now),
  ]);
  await audit(q, operatorId, actor.username, 'correct.approve', r.order_no, null, { status: 'approved', requestId: id, version: out.order.version });
  return { request: view((await q.query<RequestRow>(`SELECT * FROM order_correction_requests WHERE id = $1`, [id])).rows[0]), order: out.order, deltaFen: out.deltaFen };
}

export async function rejectCorrectionRequest(q: Queryable, operatorId: string, id: number, reason: string, actor: Actor, now: number) {
  if (!reason?.trim()) throw badRequest('a rejection needs a reason');
  const r = await pendingRequest(q, operatorId, id);
  await q.query(`UPDATE order_correction_requests SET status = 'rejected', decided_by = $3, decided_at = $4, decision_reason = $5 WHERE operator_id = $1 AND id = $2`, [
    operatorId,
    id,
    actor.username,
    new Date(now),
    reason.trim(),
  ]);
  await audit(q, operatorId, actor.username, 'correct.reject', r.order_no, reason.trim(), { status: 'rejected', requestId: id });
  return view((await q.query<RequestRow>(`SELECT * FROM order_correction_requests WHERE id = $1`, [id])).rows[0]);
}
