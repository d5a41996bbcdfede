/**
 * Staff review of an order: a correction gives corrected INPUTS (never totals); the engine re-prices
 * everything, idle fee included, into a new version; the payer's balance moves by the difference; the
 * partner hears the new version; the driver is told only if asked (default: the operator's setting).
 * An approval settles a held order as it is. Both are in the audit trail.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { AppError, conflict, notFound, badRequest } from '../../platform/errors.ts';
import { formatYuan } from '../../platform/money.ts';
import { adjustForOrder } from '../wallet/index.ts';
import { notify, eventSetting } from '../notify/index.ts';
import { priceSession, loadTariffVersion } from '../tariffs/index.ts';
import type { TariffVersion } from '../tariffs/index.ts';
import { detectAnomalies, blocksCorrection } from './anomalies.ts';
import { applyCorrection, type Correction, type VersionInputs } from './pricing-input.ts';
import { figures, figureUpdate } from './lifecycle.ts';
import { settle, pushToPartner, chargesPayer, type After, type OrdersDeps } from './settle.ts';
import { correctionDeltaFen } from './billed.ts';
import { staffGate, recordStaffCorrection, limitMessage, type StaffGate } from './correction-limit.ts';
import { orderRow, orderView, type OrderRow } from './view.ts';
import { recordAudit } from '../../platform/audit.ts';

export interface Actor {
  username: string;
  role: string;
}

export interface CorrectionRequest extends Omit<Correction, 'tariff'> {
  tariffVersionId?: number;
  reason: string;
  notifyDriver?: boolean;
}

/** An order's audit line (corrections, their requests and decisions, approvals of held orders). */
export const auditOrder = (q: Queryable, operatorId: string, actor: string, action: string, orderNo: string, reason: string | null, before: unknown, after: unknown) =>
  recordAudit(q, { operatorId, actor, action, entity: 'order', entityId: orderNo, reason, before, after });
const audit = auditOrder;

function reviewable(row: OrderRow | null, orderNo: string): OrderRow {
  if (!row) throw notFound(`order ${orderNo}`);
  if (row.status === 'idle') throw conflict(`order ${orderNo} is not final yet: the car still occupies the connector`);
  if (row.end_time === null) throw conflict(`order ${orderNo} belongs to a session that is still running; stop it first`);
  return row;
}

/** Re-prices corrected inputs over the latest version; nothing is written (also the console's preview). */
export async function computeCorrection(q: Queryable, operatorId: string, orderNo: string, req: Omit<CorrectionRequest, 'reason'>, now: number, lock = false) {
  const row = reviewable(await orderRow(q, operatorId, orderNo, lock), orderNo);
  const prev = (await q.query<{ inputs: VersionInputs }>(`SELECT inputs FROM order_versions WHERE operator_id = $1 AND order_no = $2 AND version = $3`, [operatorId, orderNo, row.version])).rows[0];
  let tariff: TariffVersion | undefined;
  if (req.tariffVersionId !== undefined) {
    tariff = (await loadTariffVersion(q, operatorId, req.tariffVersionId)) ?? undefined;
    if (!tariff) throw badRequest(`tariff version ${req.tariffVersionId} does not exist for this operator`);
  }
  const next = applyCorrection(prev.inputs, { ...req, tariff });
  if (typeof next === 'string') throw badRequest(next);
  const priced = priceSession(next.pricing);
  const stillAbnormal = detectAnomalies({
    now,
    startAt: next.pricing.startAt,
    endAt: next.pricing.endAt,
    meterStartWh: next.pricing.meterStartWh,
    meterStopWh: next.pricing.meterStopWh,
    ratedPowerW: next.ratedPowerW,
    sessionStatus: 'finished',
    sessionFlags: [],
    idTagStatus: null,
    priced,
    tariff: next.pricing.tariff,
  }).filter(blocksCorrection);
  return { row, next, priced, stillAbnormal };
}

/** What a correction would give: the figures in the JSON view's units, and what would still block it. */
export async function previewCorrection(q: Queryable, operatorId: string, orderNo: string, req: Omit<CorrectionRequest, 'reason'>, now: number) {
  const { row, priced, next, stillAbnormal } = await computeCorrection(q, operatorId, orderNo, req, now);
  const view = orderView({ ...row, ...figures(priced, next), periods: priced.periods } as OrderRow);
  return {
    ...view,
    version: row.version + 1,
    deltaAmount: formatYuan(deltaOf(row, priced.totalFen)),
    stillAbnormal: stillAbnormal.map(({ code, kind, message }) => ({ code, kind, message })),
  };
}

/**
 * What a correction moves: nothing on an order not settled yet (it settles with the new figures); on
 * a settled order paid from an account, the new amount less what the order moved so far (charged +
 * receivable); on other orders (partner, bare card) the change of the bill, for the record only.
 */
function deltaOf(row: OrderRow, newTotalFen: number): number {
  if (row.status !== 'settled') return 0;
  return chargesPayer(row) ? correctionDeltaFen(newTotalFen, row) : newTotalFen - row.total_fen;
}

/** A staff correction over the day's limit: stored, nothing else changed, until an operator admin decides. */
export interface PendingCorrection {
  requestId: number;
  status: 'pending_approval';
  orderNo: string;
  countedAmount: string;
  message: string;
}

export type CorrectionOutcome = { order: ReturnType<typeof orderView>; deltaFen: number; notified: boolean; pending?: undefined } | { pending: PendingCorrection };

export async function correctOrder(d: OrdersDeps, q: Queryable, operatorId: string, orderNo: string, req: CorrectionRequest, actor: Actor, now: number, after: After): Promise<CorrectionOutcome> {
  if (!req.reason?.trim()) throw badRequest('a correction needs a reason');
  const { row, next, priced, stillAbnormal: reasons } = await computeCorrection(q, operatorId, orderNo, req, now, true);
  if (reasons.length) throw new AppError(422, 'still_abnormal', `the corrected order is still abnormal: ${reasons.map((r) => r.message).join('; ')}`, reasons);

  const charges = chargesPayer(row);
  const deltaFen = deltaOf(row, priced.totalFen);
  // the staff limit counts how much the bill changes, cumulative over the staff member's operator day
  const countedFen = charges ? Math.abs(priced.totalFen - row.total_fen) : 0;
  let gate: StaffGate | null = null;
  if (actor.role === 'operator_staff' && countedFen > 0) {
    gate = await staffGate(q, operatorId, actor.username, now, countedFen);
    if (gate.over) {
      const base = { operatorId, orderNo, baseVersion: row.version, username: actor.username, day: gate.day, countedFen, request: req, now };
      const requestId = await recordStaffCorrection(q, { ...base, status: 'pending_approval' });
      await audit(q, operatorId, actor.username, 'correct.request', orderNo, req.reason, { version: row.version, totalFen: row.total_fen }, { requestId, totalFen: priced.totalFen, countedFen });
      return { pending: { requestId, status: 'pending_approval', orderNo, countedAmount: formatYuan(countedFen), message: limitMessage(gate, countedFen) } };
    }
  }

  const version = row.version + 1;
  await q.query(`INSERT INTO order_versions (operator_id, order_no, version, source, inputs, priced, total_fen, reason, created_by) VALUES ($1, $2, $3, 'correction', $4, $5, $6, $7, $8)`, [
    operatorId,
    orderNo,
    version,
    JSON.stringify(next),
    JSON.stringify(priced),
    priced.totalFen,
    req.reason,
    actor.username,
  ]);
  const u = figureUpdate(figures(priced, next), 4);
  const updated = (
    await q.query<OrderRow>(
      `UPDATE orders SET version = $3, ${u.sql}, reviewed_by = $${4 + u.values.length}, reviewed_at = now(), updated_at = now()
       WHERE operator_id = $1 AND order_no = $2 RETURNING *`,
      [operatorId, orderNo, version, ...u.values, actor.username],
    )
  ).rows[0];
  await audit(q, operatorId, actor.username, 'correct', orderNo, req.reason, { version: row.version, ...summary(row) }, { version, ...summary(updated), deltaFen });

  let final: OrderRow;
  if (row.status === 'settled') {
    const moved =
      charges && deltaFen !== 0
        ? await adjustForOrder(q, { operatorId, phone: row.driver_phone!, orderNo, version, deltaFen, remark: `order ${orderNo} corrected: ${req.reason}`, orderReceivableFen: row.receivable_fen })
        : { chargedFen: 0, receivableFen: 0 };
    final = (
      await q.query<OrderRow>(`UPDATE orders SET charged_fen = charged_fen + $3, receivable_fen = receivable_fen + $4 WHERE operator_id = $1 AND order_no = $2 RETURNING *`, [
        operatorId,
        orderNo,
        moved.chargedFen,
        moved.receivableFen,
      ])
    ).rows[0];
    await pushToPartner(d, q, final);
  } else {
    // a held order: the correction is the review; it settles now with the corrected figures. The
    // driver hears of it only through "bill adjusted" (notifyDriver), never twice.
    final = await settle(d, q, updated, after, actor.username, { silent: true });
  }
  const notifyDriver = req.notifyDriver ?? (await eventSetting(q, operatorId, 'bill_adjusted')).enabled;
  let notified = false;
  if (notifyDriver && final.driver_phone) {
    const view = orderView(final);
    const sent = await notify(q, {
      operatorId,
      event: 'bill_adjusted',
      to: { phone: final.driver_phone },
      data: { ...view, previousTotalAmount: formatYuan(row.total_fen), deltaAmount: formatYuan(final.total_fen - row.total_fen) },
      dedupeKey: `bill_adjusted:${operatorId}:${orderNo}:${version}`,
      force: true,
    });
    notified = sent.length > 0;
  }
  if (gate) await recordStaffCorrection(q, { operatorId, orderNo, baseVersion: row.version, username: actor.username, day: gate.day, countedFen, request: req, status: 'applied', resultVersion: version, now });
  after.push(['order.corrected', { operatorId, orderNo, version }]);
  return { order: orderView(final), deltaFen, notified };
}

export async function approveOrder(d: OrdersDeps, q: Queryable, operatorId: string, orderNo: string, reason: string | undefined, actor: Actor, after: After) {
  const row = reviewable(await orderRow(q, operatorId, orderNo, true), orderNo);
  if (row.status !== 'held') throw conflict(`order ${orderNo} is ${row.status}, not held for review`);
  await audit(q, operatorId, actor.username, 'approve', orderNo, reason ?? null, { status: row.status, abnormalReasons: row.abnormal_reasons }, { status: 'settled' });
  return orderView(await settle(d, q, row, after, actor.username));
}

function summary(r: OrderRow) {
  return {
    energyWh: r.energy_wh,
    electricityFen: r.electricity_fen,
    serviceFen: r.service_fen,
    idleFeeFen: r.idle_fee_fen,
    totalFen: r.total_fen,
    startTime: r.start_time,
    endTime: r.end_time,
    idleEndTime: r.idle_end_time,
    periods: r.periods.map((p) => ({ type: p.type, start: p.start, end: p.end, wh: p.wh, electricityFen: p.electricityFen, serviceFen: p.serviceFen })),
  };
}
