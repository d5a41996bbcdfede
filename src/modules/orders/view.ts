/**
 * The one JSON view of an order (API, partner push, notification data): the latest version's figures,
 * money as yuan strings with 2 decimals, energy as kWh strings with 2 decimals.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { formatKwh, formatPrice4, formatYuan } from '../../platform/money.ts';
import type { PricedPeriod } from '../tariffs/index.ts';
import type { AnomalyReason } from './anomalies.ts';

export interface OrderRow {
  id: number;
  operator_id: string;
  order_no: string;
  session_id: number;
  station_id: string | null;
  station_name: string | null;
  charger_id: string;
  connector_id: number;
  origin: string;
  auth_method: string;
  id_tag: string | null;
  driver_phone: string | null;
  driver_name: string | null;
  plate: string | null;
  partner_id: string | null;
  partner_order_no: string | null;
  payment_method: 'wallet' | 'enterprise' | 'partner' | 'card';
  status: 'idle' | 'held' | 'settled';
  abnormal: boolean;
  abnormal_reasons: AnomalyReason[];
  version: number;
  start_time: Date;
  end_time: Date | null;
  idle_end_time: Date | null;
  occupied_until: Date | null;
  duration_seconds: number | null;
  soc_start: number | null;
  soc_end: number | null;
  energy_wh: number;
  electricity_fen: number;
  service_fen: number;
  idle_fee_fen: number;
  total_fen: number;
  periods: PricedPeriod[];
  charged_fen: number;
  receivable_fen: number;
  tariff_version_id: number | null;
  settled_at: Date | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface PeriodView {
  type: PricedPeriod['type'];
  start: string;
  end: string;
  energyKwh: string;
  electricityPrice: string;
  servicePrice: string;
  electricityAmount: string;
  serviceAmount: string;
  amount: string;
}

export interface OrderView {
  orderNo: string;
  operatorId: string;
  sessionId: number;
  version: number;
  status: OrderRow['status'];
  abnormal: boolean;
  /**
   * Where an abnormal order's review stands: `pending` while held, `resolved` once a correction or an
   * approval settled it (`abnormal` and the reasons stay: they are what was found, the history).
   */
  review: 'none' | 'pending' | 'resolved';
  abnormalReasons: { code: string; kind: string; message: string }[];
  stationId: string | null;
  stationName: string | null;
  chargerId: string;
  connectorId: number;
  origin: string;
  authMethod: string;
  card: string | null;
  driver: { phone: string; name: string | null } | null;
  plate: string | null;
  socStart: number | null;
  socEnd: number | null;
  startTime: string;
  endTime: string | null;
  idleEndTime: string | null;
  durationSeconds: number | null;
  energyKwh: string;
  electricityAmount: string;
  serviceAmount: string;
  idleFee: string;
  totalAmount: string;
  paymentMethod: OrderRow['payment_method'];
  partnerId: string | null;
  partnerOrderNo: string | null;
  tariffVersionId: number | null;
  periods: PeriodView[];
  settledAt: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function periodView(p: PricedPeriod): PeriodView {
  return {
    type: p.type,
    start: new Date(p.start).toISOString(),
    end: new Date(p.end).toISOString(),
    energyKwh: formatKwh(p.wh),
    electricityPrice: formatPrice4(p.electricityPrice),
    servicePrice: formatPrice4(p.servicePrice),
    electricityAmount: formatYuan(p.electricityFen),
    serviceAmount: formatYuan(p.serviceFen),
    amount: formatYuan(p.electricityFen + p.serviceFen),
  };
}

export function orderView(r: OrderRow): OrderView {
  return {
    orderNo: r.order_no,
    operatorId: r.operator_id,
    sessionId: r.session_id,
    version: r.version,
    status: r.status,
    abnormal: r.abnormal,
    review: !r.abnormal ? 'none' : r.status === 'held' ? 'pending' : 'resolved',
    abnormalReasons: r.abnormal_reasons.map(({ code, kind, message }) => ({ code, kind, message })),
    stationId: r.station_id,
    stationName: r.station_name,
    chargerId: r.charger_id,
    connectorId: r.connector_id,
    origin: r.origin,
    authMethod: r.auth_method,
    card: r.id_tag,
    driver: r.driver_phone ? { phone: r.driver_phone, name: r.driver_name } : null,
    plate: r.plate,
    socStart: r.soc_start,
    socEnd: r.soc_end,
    startTime: r.start_time.toISOString(),
    endTime: iso(r.end_time),
    idleEndTime: iso(r.idle_end_time),
    durationSeconds: r.duration_seconds,
    energyKwh: formatKwh(r.energy_wh),
    electricityAmount: formatYuan(r.electricity_fen),
    serviceAmount: formatYuan(r.service_fen),
    idleFee: formatYuan(r.idle_fee_fen),
    totalAmount: formatYuan(r.total_fen),
    paymentMethod: r.payment_method,
    partnerId: r.partner_id,
    partnerOrderNo: r.partner_order_no,
    tariffVersionId: r.tariff_version_id,
    periods: r.periods.map(periodView),
    settledAt: iso(r.settled_at),
    reviewedBy: r.reviewed_by,
    reviewedAt: iso(r.reviewed_at),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function orderRow(q: Queryable, operatorId: string, orderNo: string, forUpdate = false): Promise<OrderRow | null> {
  const r = await q.query<OrderRow>(`SELECT * FROM orders WHERE operator_id = $1 AND order_no = $2${forUpdate ? ' FOR UPDATE' : ''}`, [operatorId, orderNo]);
  return r.rows[0] ?? null;
}

/** The order as JSON (latest version's figures); null when this operator has no such order. */
export async function getOrder(q: Queryable, operatorId: string, orderNo: string): Promise<OrderView | null> {
  const r = await orderRow(q, operatorId, orderNo);
  return r ? orderView(r) : null;
}

/** The order with its idle detail, every version and the audit trail (GET /api/v1/orders/{orderNo}). */
export async function getOrderDetail(q: Queryable, operatorId: string, orderNo: string) {
  const r = await orderRow(q, operatorId, orderNo);
  if (!r) return null;
  const vs = await q.query<{ version: number; source: string; inputs: any; priced: any; total_fen: number; reason: string | null; created_by: string | null; created_at: Date }>(
    `SELECT version, source, inputs, priced, total_fen, reason, created_by, created_at FROM order_versions WHERE operator_id = $1 AND order_no = $2 ORDER BY version`,
    [operatorId, orderNo],
  );
  const audit = await q.query<{ actor: string; action: string; reason: string | null; before: unknown; after: unknown; at: Date }>(
    `SELECT actor, action, reason, before, after, at FROM audit_log WHERE operator_id = $1 AND entity = 'order' AND entity_id = $2 ORDER BY at, id`,
    [operatorId, orderNo],
  );
  const latest = vs.rows.at(-1);
  return {
    ...orderView(r),
    idle: latest?.priced.idle ? idleView(latest.priced.idle) : null,
    versions: vs.rows.map((v) => ({
      version: v.version,
      source: v.source,
      reason: v.reason,
      createdBy: v.created_by,
      createdAt: v.created_at.toISOString(),
      energyKwh: formatKwh(v.priced.billedWh),
      electricityAmount: formatYuan(v.priced.electricityFen),
      serviceAmount: formatYuan(v.priced.serviceFen),
      idleFee: formatYuan(v.priced.idleFeeFen),
      totalAmount: formatYuan(v.total_fen),
      periods: (v.priced.periods as PricedPeriod[]).map(periodView),
      inputs: versionInputsView(v.inputs),
    })),
    audit: audit.rows.map((a) => ({ actor: a.actor, action: a.action, reason: a.reason, before: a.before, after: a.after, at: a.at.toISOString() })),
  };
}

function idleView(i: any) {
  return {
    startAt: new Date(i.startAt).toISOString(),
    endAt: new Date(i.endAt).toISOString(),
    totalMinutes: i.totalMinutes,
    graceMinutes: i.graceMinutes,
    freeMinutes: i.freeMinutes,
    billableMinutes: i.billableMinutes,
    exempt: i.exempt,
    exemptReason: i.exemptReason ?? null,
    capped: i.capped,
    fee: formatYuan(i.fen),
  };
}

/** The inputs a version was priced from, without the (long) sample list. */
function versionInputsView(i: any) {
  const t = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  return {
    tariffVersionId: i.pricing.tariff.id,
    startTime: t(i.pricing.startAt),
    endTime: t(i.pricing.endAt),
    meterStartWh: i.pricing.meterStartWh,
    meterStopWh: i.pricing.meterStopWh,
    samples: i.pricing.samples.length,
    periodEnergyOverride: i.pricing.periodEnergyOverride?.map((p: any) => ({ start: t(p.start), end: t(p.end), energyKwh: formatKwh(p.wh) })) ?? null,
    idleEndTime: t(i.pricing.idle?.unpluggedAt),
    stopReason: i.stopReason ?? null,
  };
}
