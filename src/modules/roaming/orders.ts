/**
 * notification_charge_order_info for every settled or corrected order of a partner session (the
 * orders module enqueues `roaming.order` in its own transaction, ordered per partner), pushed until
 * the partner answers ConfirmResult 0; and the daily check_charge_orders reconciliation.
 */
import type { Ctx } from '../../platform/context.ts';
import { parseYuan } from '../../platform/money.ts';
import { PermanentFailure } from '../../platform/outbox.ts';
import { callPartner, PartnerCallError } from './client.ts';
import { dialectOf } from './dialects.ts';
import type { Partner } from './partners.ts';
import type { RoamingSession } from './state.ts';
import { loadPartner } from './topics.ts';
import { kwh2, wireTime, yuan } from './wire.ts';

export interface OrderPeriodView {
  type: string;
  start: string;
  end: string;
  energyKwh: string;
  electricityAmount: string;
  serviceAmount: string;
  electricityPrice?: string;
  servicePrice?: string;
  [k: string]: unknown;
}
export interface OrderView {
  orderNo: string;
  startTime: string;
  endTime: string | null;
  energyKwh: string;
  electricityAmount: string;
  serviceAmount: string;
  idleFee: string;
  totalAmount: string;
  periods: OrderPeriodView[];
  abnormal: boolean;
  partnerOrderNo: string | null;
  version: number;
  [k: string]: unknown;
}

type GetOrder = (q: unknown, operatorId: string, orderNo: string) => Promise<OrderView | null>;
let getOrderFn: GetOrder | null | undefined;
/** The orders module's getOrder, looked up at run time so roaming runs while orders is absent. */
async function getOrder(ctx: Ctx, operatorId: string, orderNo: string): Promise<OrderView | null> {
  if (getOrderFn === undefined) {
    const spec = '../orders/index.ts';
    try {
      const m = (await import(spec)) as { getOrder?: GetOrder };
      getOrderFn = typeof m.getOrder === 'function' ? m.getOrder : null;
    } catch {
      getOrderFn = null;
    }
  }
  if (!getOrderFn) throw new Error('the orders module is not available');
  return getOrderFn(ctx.db, operatorId, orderNo);
}

const kwhToWh = (s: string) => {
  const m = /^(\d+)(?:\.(\d{1,3}))?$/.exec(String(s).trim());
  if (!m) throw new RangeError(`not kWh: ${s}`);
  return Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
};
const price4Of = (s: unknown) => (typeof s === 'string' && /^\d+(\.\d{1,4})?$/.test(s) ? Number(s) : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : 0);

/** StopReason: 0 user, 1 stopped by the partner's platform, 5 stopped by us (custom). */
function stopReason(rs: RoamingSession) {
  if (rs.stop_requested_by === 'partner') return 1;
  if (rs.stop_requested_by === 'platform') return 5;
  return 0;
}

/**
 * The order message, details straight from the billing breakdown: TotalPower = Σ DetailPower,
 * TotalElecMoney = Σ DetailElecMoney, TotalSeviceMoney = Σ DetailSeviceMoney, TotalMoney = their sum.
 * The occupancy fee is not part of TotalMoney (CEC 2016 has no field for it); it goes as IdleFee.
 */
export function orderInfo(order: OrderView, rs: RoamingSession, partner: Pick<Partner, 'dialect'>) {
  const d = dialectOf(partner.dialect);
  let centiKwh = 0;
  let elec = 0;
  let serv = 0;
  const ChargeDetails = order.periods.map((p) => {
    const pwh = kwhToWh(p.energyKwh);
    const e = parseYuan(p.electricityAmount);
    const s = parseYuan(p.serviceAmount);
    centiKwh += Math.round(kwh2(pwh) * 100);
    elec += e;
    serv += s;
    return {
      DetailStartTime: wireTime(new Date(p.start)),
      DetailEndTime: wireTime(new Date(p.end)),
      ElecPrice: price4Of(p.electricityPrice) ?? 0,
      [d.servicePrice]: price4Of(p.servicePrice) ?? 0,
      DetailPower: kwh2(pwh),
      DetailElecMoney: yuan(e),
      [d.detailServiceMoney]: yuan(s),
    };
  });
  return {
    StartChargeSeq: rs.start_charge_seq,
    ConnectorID: rs.connector_code,
    StartTime: wireTime(new Date(order.startTime)),
    EndTime: wireTime(new Date(order.endTime ?? order.startTime)),
    TotalPower: yuan(centiKwh), // hundredths of kWh print like fen: 2 decimals, exact
    TotalElecMoney: yuan(elec),
    [d.totalServiceMoney]: yuan(serv),
    TotalMoney: yuan(elec + serv),
    StopReason: stopReason(rs),
    SumPeriod: ChargeDetails.length,
    ChargeDetails,
    IdleFee: num(order.idleFee),
  };
}

export function registerOrders(ctx: Ctx) {
  ctx.outbox.register(
    'roaming.order',
    async (row) => {
      const { operatorId, orderNo, version, atStop } = row.payload as { operatorId: string; orderNo: string; version: number; atStop?: boolean };
      const order = await getOrder(ctx, operatorId, orderNo);
      if (!order) throw new PermanentFailure(`order ${orderNo} not found`);
      if (order.version > version) return { skipped: `version ${order.version} supersedes ${version}` };
      // Abnormal orders wait for review: the reviewed (corrected) version is enqueued again by orders.
      // An order still accruing its idle fee is pushed as it stands when the session stopped (atStop);
      // the final one follows under the same StartChargeSeq when it settles.
      const pushable = order.status === undefined || order.status === 'settled' || (atStop === true && order.status === 'idle');
      if (!pushable) return { skipped: `status ${String(order.status)}: abnormal orders wait for review` };
      if (!order.partnerOrderNo) return { skipped: 'not a partner order' };
      const r = await ctx.db.query<RoamingSession>(`SELECT * FROM roaming_sessions WHERE operator_id = $1 AND start_charge_seq = $2`, [operatorId, order.partnerOrderNo]);
      const rs = r.rows[0];
      if (!rs) throw new PermanentFailure(`no partner session with StartChargeSeq ${order.partnerOrderNo}`);
      const partner = await loadPartner(ctx, operatorId, rs.partner_id);
      const data = orderInfo(order, rs, partner);
      await ctx.db.query(
        `INSERT INTO roaming_order_pushes (operator_id, partner_id, order_no, version, start_charge_seq, payload, total_fen, total_wh, end_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (operator_id, order_no, version) DO UPDATE SET payload = EXCLUDED.payload, total_fen = EXCLUDED.total_fen, total_wh = EXCLUDED.total_wh, end_time = EXCLUDED.end_time, confirm_result = NULL, confirmed_at = NULL`,
        [operatorId, rs.partner_id, orderNo, order.version, rs.start_charge_seq, JSON.stringify(data), parseYuan(String(data.TotalMoney.toFixed(2))), Math.round(Number(data.TotalPower) * 1000), new Date(order.endTime ?? order.startTime)],
      );
      await ctx.db.query(`UPDATE roaming_sessions SET order_no = $4, updated_at = now() WHERE operator_id = $1 AND partner_id = $2 AND start_charge_seq = $3`, [
        operatorId,
        rs.partner_id,
        rs.start_charge_seq,
        orderNo,
      ]);
      const answer = await callPartner(ctx, partner, 'notification_charge_order_info', data);
      const confirm = Number(answer.ConfirmResult);
      await ctx.db.query(`UPDATE roaming_order_pushes SET confirm_result = $4, confirmed_at = CASE WHEN $4 = 0 THEN now() END WHERE operator_id = $1 AND order_no = $2 AND version = $3`, [
        operatorId,
        orderNo,
        order.version,
        Number.isFinite(confirm) ? confirm : null,
      ]);
      // Delivered only on ConfirmResult 0; anything else is resent with the outbox's backoff.
      if (confirm !== 0) throw new PartnerCallError(`partner answered ConfirmResult ${answer.ConfirmResult}`);
      return answer;
    },
    { backoff: [60, 60, 60, 120, 240, 480, 960, 1920, 3600, 7200, 14400], maxAttempts: 40 },
  );
}
