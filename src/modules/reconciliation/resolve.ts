/**
 * Resolving one item: re-push the order (outbox), correct it (the billing engine's correction: new
 * inputs, never totals), accept the partner's figure (a correction version whose reason says so),
 * or write it off with a note. Every resolution keeps who, when and why; the run closes when the
 * last difference is resolved.
 */
import type { Ctx } from '../../platform/context.ts';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.ts';
import { correctOrderFor, emitOrderEvents, repushOrder, type CorrectionRequest, type OrderEvents } from '../orders/index.ts';
import { getSession } from '../sessions/index.ts';
import { orderFacts } from '../orders/index.ts';
import { runRow, stakeNow, itemView, type ItemRow } from './view.ts';
import { recordAudit } from '../../platform/audit.ts';

export type Action = 'repush' | 'correct' | 'accept_partner' | 'write_off';

export interface ResolveInput {
  action: Action;
  note: string;
  /** for `correct`: corrected inputs (as the orders API takes them) */
  correction?: Omit<CorrectionRequest, 'reason'>;
}

export interface Actor {
  username: string;
  role: string;
}

const unprocessable = (message: string) => new AppError(422, 'unprocessable', message);

export async function resolveItem(ctx: Ctx, operatorId: string, runId: number, itemId: number, input: ResolveInput, actor: Actor) {
  if (!input.note?.trim()) throw badRequest('a resolution needs a note saying why');
  const after: OrderEvents = [];
  const out = await ctx.db.tx(async (q) => {
    const run = await runRow(q, operatorId, runId, true);
    if (!run) throw notFound(`reconciliation ${runId}`);
    if (run.status === 'running') throw conflict(`reconciliation ${runId} is still running`);
    const it = (await q.query<ItemRow>(`SELECT * FROM recon_items WHERE run_id = $1 AND id = $2 FOR UPDATE`, [runId, itemId])).rows[0];
    if (!it) {
      // an item matched in the database (recon_matched) has nothing to resolve either
      const m = await q.query(`SELECT 1 FROM recon_matched WHERE run_id = $1 AND id = $2`, [runId, itemId]);
      if (m.rows.length) throw conflict('a matched item needs no resolution');
      throw notFound(`item ${itemId} of reconciliation ${runId}`);
    }
    if (it.class === 'matched') throw conflict('a matched item needs no resolution');
    if (it.resolved_at) throw conflict(`item ${itemId} was resolved already (${String(it.resolution?.action)} by ${String(it.resolution?.by)})`);
    const orderNo = it.order_no;
    const needOrder = () => {
      if (!orderNo) throw unprocessable(`item ${itemId} has no order here (${it.class}): only write_off applies`);
      return orderNo;
    };
    const outcome: Record<string, unknown> = {};
    const reason = (what: string) => `reconciliation ${runId} item ${itemId}: ${what}: ${input.note.trim()}`;
    if (input.action === 'repush') {
      outcome.push = await repushOrder(ctx, q, operatorId, needOrder(), `recon:${runId}:${itemId}`);
    } else if (input.action === 'correct') {
      if (!input.correction || !Object.values(input.correction).some((v) => v !== undefined)) throw badRequest('correct needs corrected inputs (correction: meterStartWh, meterStopWh, startTime, endTime, periods, tariffVersionId, …)');
      const r = await correctOrderFor(ctx, q, operatorId, needOrder(), { ...input.correction, reason: reason('corrected') }, actor, after);
      outcome.version = r.order.version;
      outcome.deltaFen = r.deltaFen;
    } else if (input.action === 'accept_partner') {
      const theirs = it.detail?.theirs as { wh: number; totalFen: number }[] | undefined;
      if (!theirs || theirs.length !== 1 || !orderNo) throw unprocessable(`item ${itemId} (${it.class}) has no single partner figure to accept against an order here: use write_off`);
      if (Number(it.ours_wh) === theirs[0].wh)
        throw unprocessable(`the energy already agrees; the partner's amount cannot be reached by re-pricing the same inputs: use correct (e.g. another tariff version) or write_off`);
      const facts = (await orderFacts(q, operatorId, [orderNo])).get(orderNo);
      const session = facts ? await getSession(q, operatorId, facts.sessionId) : null;
      if (!session) throw unprocessable(`the session of order ${orderNo} is gone`);
      // the partner's energy becomes the metered energy: same start reading, stop = start + partner's Wh
      const start = Number(session.meter_start_wh);
      const r = await correctOrderFor(ctx, q, operatorId, orderNo, { meterStartWh: start, meterStopWh: start + theirs[0].wh, reason: reason("accepted the partner's figure") }, actor, after);
      outcome.version = r.order.version;
      outcome.deltaFen = r.deltaFen;
      outcome.acceptedWh = theirs[0].wh;
    } else if (input.action !== 'write_off') throw badRequest(`unknown action ${String(input.action)}`);
    const resolution = { action: input.action, note: input.note.trim(), by: actor.username, role: actor.role, at: ctx.clock.date().toISOString(), ...outcome };
    const updated = (await q.query<ItemRow>(`UPDATE recon_items SET resolution = $3, resolved_at = $4 WHERE run_id = $1 AND id = $2 RETURNING *`, [runId, itemId, JSON.stringify(resolution), ctx.clock.date()])).rows[0];
    await recordAudit(q, {
      operatorId,
      actor: actor.username,
      action: `reconciliation.${input.action}`,
      entity: 'reconciliation_item',
      entityId: `${runId}/${itemId}`,
      reason: input.note.trim(),
      before: { class: it.class, orderNo, startChargeSeq: it.start_charge_seq },
      after: resolution,
    });
    const stake = await stakeNow(q, runId);
    if (stake.openItems === 0) await q.query(`UPDATE recon_runs SET status = 'closed', closed_at = $2 WHERE id = $1`, [runId, ctx.clock.date()]);
    return { item: itemView(updated), runStatus: stake.openItems === 0 ? 'closed' : run.status, openItems: stake.openItems };
  });
  emitOrderEvents(ctx.events, after);
  return out;
}
