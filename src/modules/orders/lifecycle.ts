/**
 * An order's life: created when its session finishes (idempotent per session), `idle` while the car
 * still occupies the connector under an idle-fee rule, final when it unplugs, then the anomaly rules,
 * then `held` for review or `settled` (money moved in the same transaction).
 */
import type { Queryable } from '../../platform/db/index.ts';
import { orderNumber } from '../../platform/ids.ts';
import { getOperator, getConnector, listStations } from '../registry/index.ts';
import { idTagInfo, payerFor, driverForOrder } from '../wallet/index.ts';
import { sessionForOrder, energySamples, type SessionForOrder } from '../sessions/index.ts';
import { priceSession, loadTariffVersion, resolveTariffVersionId } from '../tariffs/index.ts';
import type { Priced, TariffVersion } from '../tariffs/index.ts';
import { detectAnomalies, NO_TARIFF, type AnomalyReason } from './anomalies.ts';
import { pricingInputFromSession, chargingEnd, type VersionInputs } from './pricing-input.ts';
import { orderRow, type OrderRow } from './view.ts';
import { settle, holdForReview, pushToPartner, type OrdersDeps, type After } from './settle.ts';

/** How long an unplug may take before the idle end is assumed (and the order held for review). */
export const IDLE_LIMIT_MS = 24 * 3_600_000;

/**
 * How long we have waited for the unplug: SERVER time since the StopTransaction arrived (never a
 * charger timestamp against our clock, so a session uploaded 11 days late waits like any other).
 */
export const waitedForUnplugMs = (s: SessionForOrder, now: number) => (s.stopReceivedAt ? Math.max(0, now - s.stopReceivedAt.getTime()) : IDLE_LIMIT_MS);

/**
 * "Now" on the charger's timeline while the car is still plugged in: the stop's own timestamp plus the
 * server time elapsed since it arrived. The accruing idle fee shown meanwhile is priced on it.
 */
export const chargerNow = (s: SessionForOrder, now: number) => (s.stoppedAt ? s.stoppedAt.getTime() + Math.min(waitedForUnplugMs(s, now), IDLE_LIMIT_MS) : now);

interface Context {
  session: SessionForOrder;
  tariff: TariffVersion;
  timeZone: string;
  ratedPowerW: number | null;
  samples: { at: number; wh: number }[];
}

async function loadContext(q: Queryable, operatorId: string, sessionId: number): Promise<Context | null> {
  const session = await sessionForOrder(q, operatorId, sessionId);
  if (!session) return null;
  const op = await getOperator(q, operatorId);
  const timeZone = op?.timezone ?? 'Asia/Shanghai';
  const versionId = session.tariffVersionId ?? (await resolveTariffVersionId(q, operatorId, session.chargerId, session.startedAt));
  const tariff = (versionId ? await loadTariffVersion(q, operatorId, versionId) : null) ?? NO_TARIFF;
  const conn = await getConnector(q, session.chargerId, session.connectorId);
  const samples = await energySamples(q, operatorId, sessionId);
  return { session, tariff, timeZone, ratedPowerW: conn?.max_power_w ?? null, samples };
}

function anomaliesFor(c: Context, inputs: VersionInputs, priced: Priced | null, now: number, extraFlags: string[] = [], idleEndAssumed = false): AnomalyReason[] {
  const s = c.session;
  const end = chargingEnd(s);
  return detectAnomalies({
    now,
    startAt: inputs.pricing.startAt,
    endAt: s.status === 'finished' ? inputs.pricing.endAt : end ? end.getTime() : null,
    meterStartWh: inputs.pricing.meterStartWh,
    meterStopWh: s.status === 'finished' || s.meterStopWh !== null ? inputs.pricing.meterStopWh : null,
    ratedPowerW: inputs.ratedPowerW,
    sessionStatus: s.status,
    sessionFlags: [...s.flags, ...extraFlags],
    idTagStatus: s.origin === 'partner' ? null : s.idTagStatus,
    priced,
    tariff: c.tariff,
    idleEndAssumed,
  });
}

/** Who pays: partners settle with us elsewhere; a card without a driver has no account to debit. */
async function paymentMethodFor(q: Queryable, operatorId: string, s: SessionForOrder, phone: string | null): Promise<OrderRow['payment_method']> {
  if (s.origin === 'partner') return 'partner';
  if (!phone) return 'card';
  return (await payerFor(q, operatorId, phone)).method;
}

function figures(priced: Priced, inputs: VersionInputs) {
  const p = inputs.pricing;
  const idleEnd = p.idle?.unpluggedAt ?? null;
  return {
    start_time: new Date(p.startAt),
    end_time: new Date(p.endAt),
    idle_end_time: idleEnd === null ? null : new Date(idleEnd),
    occupied_until: new Date(idleEnd ?? priced.idle?.endAt ?? p.endAt),
    duration_seconds: Math.max(0, Math.round((p.endAt - p.startAt) / 1000)),
    energy_wh: priced.billedWh,
    electricity_fen: priced.electricityFen,
    service_fen: priced.serviceFen,
    idle_fee_fen: priced.idleFeeFen,
    total_fen: priced.totalFen,
    periods: JSON.stringify(priced.periods),
    tariff_version_id: priced.tariffVersionId || null, // 0: no tariff applied (held as no_tariff)
  };
}

/** SET clause and values for the figure columns, from $n on. */
export function figureUpdate(f: ReturnType<typeof figures>, from: number): { sql: string; values: unknown[] } {
  const keys = Object.keys(f) as (keyof typeof f)[];
  return { sql: keys.map((k, i) => `${k} = $${from + i}`).join(', '), values: keys.map((k) => f[k]) };
}
export { figures };

/**
 * Makes the order of a finished session (or refreshes the placeholder of a session that ran past
 * 24 h). Idempotent: a second call returns the existing order untouched. `preferredNo` keeps the
 * number a previous platform gave the order (history import, the demo's case 6) when it is free.
 */
export async function createOrderForSession(d: OrdersDeps, q: Queryable, operatorId: string, sessionId: number, now: number, after: After, preferredNo?: string): Promise<string | null> {
  const existing = (await q.query<OrderRow>(`SELECT * FROM orders WHERE operator_id = $1 AND session_id = $2 FOR UPDATE`, [operatorId, sessionId])).rows[0];
  if (existing && existing.end_time !== null) return existing.order_no;
  const c = await loadContext(q, operatorId, sessionId);
  if (!c) return null;
  const s = c.session;
  if (s.status !== 'finished' && !existing) return null;
  if (s.status !== 'finished') return existing!.order_no; // placeholder stays until the session finishes

  const inputs: VersionInputs = { pricing: pricingInputFromSession(s, c.tariff, c.timeZone, c.samples, chargerNow(s, now)), stopReason: s.stopReason, ratedPowerW: c.ratedPowerW };
  const priced = priceSession(inputs.pricing);
  // wait for the unplug only when an idle fee is actually accruing
  const accrues = !!c.tariff.idleFee && !!inputs.pricing.idle;
  const waiting = accrues && inputs.pricing.idle!.unpluggedAt === null && !priced.idle?.exempt && waitedForUnplugMs(s, now) < IDLE_LIMIT_MS;
  const idleEndAssumed = accrues && inputs.pricing.idle!.unpluggedAt === null && !priced.idle?.exempt && !waiting;
  if (idleEndAssumed) inputs.pricing.idle!.unpluggedAt = inputs.pricing.idle!.chargingEndedAt + IDLE_LIMIT_MS;
  const finalPriced = idleEndAssumed ? priceSession(inputs.pricing) : priced;
  const reasons = anomaliesFor(c, inputs, finalPriced, now, existing ? ['still_running_24h'] : [], idleEndAssumed);
  const f = figures(finalPriced, inputs);

  let orderNo: string;
  if (existing) {
    orderNo = existing.order_no;
    const u = figureUpdate(f, 4);
    await q.query(`UPDATE orders SET abnormal = true, abnormal_reasons = $3, soc_end = $${4 + u.values.length}, ${u.sql}, updated_at = now() WHERE operator_id = $1 AND order_no = $2`, [
      operatorId,
      orderNo,
      JSON.stringify(reasons),
      ...u.values,
      s.socEnd,
    ]);
    await q.query(`UPDATE order_versions SET inputs = $3, priced = $4, total_fen = $5 WHERE order_no = $1 AND version = 1 AND operator_id = $2`, [
      orderNo,
      operatorId,
      JSON.stringify(inputs),
      JSON.stringify(finalPriced),
      finalPriced.totalFen,
    ]);
    return orderNo;
  }

  const ident = await identity(q, operatorId, s);
  const status: OrderRow['status'] = waiting ? 'idle' : 'held';
  const ins = await insertOrder(q, operatorId, s, ident, { ...f, status, abnormal: reasons.length > 0, abnormal_reasons: JSON.stringify(reasons), soc_start: s.socStart, soc_end: s.socEnd }, preferredNo);
  orderNo = ins.orderNo;
  if (!ins.created) return orderNo;
  await q.query(`INSERT INTO order_versions (operator_id, order_no, version, source, inputs, priced, total_fen) VALUES ($1, $2, 1, 'charger', $3, $4, $5)`, [
    operatorId,
    orderNo,
    JSON.stringify(inputs),
    JSON.stringify(finalPriced),
    finalPriced.totalFen,
  ]);
  if (!waiting) await finish(d, q, operatorId, orderNo, reasons, after);
  // a partner hears of the order when the session stops, idle fee or not; the final one follows
  else await pushToPartner(d, q, (await orderRow(q, operatorId, orderNo))!, 'at_stop');
  return orderNo;
}

/** After the order is final: hold it with its reasons, or settle it. */
async function finish(d: OrdersDeps, q: Queryable, operatorId: string, orderNo: string, reasons: AnomalyReason[], after: After) {
  const row = (await orderRow(q, operatorId, orderNo, true))!;
  if (reasons.length) await holdForReview(d, q, row, reasons, after);
  else await settle(d, q, row, after);
}

/** The car unplugged (or the idle limit passed): the idle fee is final; re-price version 1 and go on. */
export async function finalizeIdle(d: OrdersDeps, q: Queryable, operatorId: string, orderNo: string, now: number, after: After): Promise<void> {
  const row = await orderRow(q, operatorId, orderNo, true);
  if (!row || row.status !== 'idle') return;
  const c = await loadContext(q, operatorId, row.session_id);
  if (!c) return;
  const v = (await q.query<{ inputs: VersionInputs }>(`SELECT inputs FROM order_versions WHERE operator_id = $2 AND order_no = $1 AND version = 1`, [orderNo, operatorId])).rows[0];
  const inputs = v.inputs;
  const idle = inputs.pricing.idle!;
  let assumed = false;
  if (c.session.unpluggedAt) idle.unpluggedAt = Math.max(c.session.unpluggedAt.getTime(), idle.chargingEndedAt);
  else if (waitedForUnplugMs(c.session, now) >= IDLE_LIMIT_MS) {
    idle.unpluggedAt = idle.chargingEndedAt + IDLE_LIMIT_MS;
    assumed = true;
  } else {
    // still plugged in: keep the accrued idle fee current for the console (on the charger's timeline)
    idle.now = chargerNow(c.session, now);
    const accrued = priceSession(inputs.pricing);
    const u = figureUpdate(figures(accrued, inputs), 3);
    await q.query(`UPDATE orders SET ${u.sql}, updated_at = now() WHERE operator_id = $1 AND order_no = $2`, [operatorId, orderNo, ...u.values]);
    await q.query(`UPDATE order_versions SET inputs = $2, priced = $3, total_fen = $4 WHERE order_no = $1 AND version = 1 AND operator_id = $5`, [orderNo, JSON.stringify(inputs), JSON.stringify(accrued), accrued.totalFen, operatorId]);
    return;
  }
  const priced = priceSession(inputs.pricing);
  const reasons = anomaliesFor(c, inputs, priced, now, [], assumed);
  const u = figureUpdate(figures(priced, inputs), 4);
  await q.query(`UPDATE orders SET abnormal = $3, abnormal_reasons = $${4 + u.values.length}, ${u.sql}, updated_at = now() WHERE operator_id = $1 AND order_no = $2`, [
    operatorId,
    orderNo,
    reasons.length > 0,
    ...u.values,
    JSON.stringify(reasons),
  ]);
  await q.query(`UPDATE order_versions SET inputs = $2, priced = $3, total_fen = $4 WHERE order_no = $1 AND version = 1 AND operator_id = $5`, [orderNo, JSON.stringify(inputs), JSON.stringify(priced), priced.totalFen, operatorId]);
  await finish(d, q, operatorId, orderNo, reasons, after);
}

/** A session still running after 24 h gets an abnormal placeholder order (held, no end yet). */
export async function placeholderForStaleSession(d: OrdersDeps, q: Queryable, operatorId: string, sessionId: number, now: number, after: After): Promise<string | null> {
  const has = await q.query(`SELECT 1 FROM orders WHERE operator_id = $1 AND session_id = $2`, [operatorId, sessionId]);
  if (has.rows.length) return null;
  const s = await sessionForOrder(q, operatorId, sessionId);
  if (!s || s.status !== 'active') return null;
  const ident = await identity(q, operatorId, s);
  const reasons: AnomalyReason[] = [{ code: 'still_running_24h', kind: 'session', message: 'still running after 24 h' }];
  const empty: Priced = { tariffVersionId: s.tariffVersionId ?? 0, billedWh: 0, periods: [], electricityFen: 0, serviceFen: 0, idle: null, idleFeeFen: 0, totalFen: 0 };
  const ins = await insertOrder(q, operatorId, s, ident, {
    status: 'held',
    abnormal: true,
    abnormal_reasons: JSON.stringify(reasons),
    start_time: s.startedAt,
    end_time: null,
    occupied_until: null,
    soc_start: s.socStart,
    energy_wh: Math.max(0, (s.lastEnergyWh ?? s.meterStartWh) - s.meterStartWh),
    tariff_version_id: s.tariffVersionId,
  });
  if (!ins.created) return null;
  const orderNo = ins.orderNo;
  await q.query(`INSERT INTO order_versions (operator_id, order_no, version, source, inputs, priced, total_fen) VALUES ($1, $2, 1, 'charger', $3, $4, 0)`, [
    operatorId,
    orderNo,
    JSON.stringify({ pricing: null, stopReason: null, ratedPowerW: null, placeholder: true }),
    JSON.stringify(empty),
  ]);
  const row = (await orderRow(q, operatorId, orderNo, true))!;
  await holdForReview(d, q, row, reasons, after);
  return orderNo;
}

interface Identity {
  stationId: string | null;
  stationName: string | null;
  phone: string | null;
  name: string | null;
  plate: string | null;
  authMethod: string;
  paymentMethod: OrderRow['payment_method'];
}

async function identity(q: Queryable, operatorId: string, s: SessionForOrder): Promise<Identity> {
  let phone = s.driverPhone;
  let authMethod: string = s.origin === 'partner' ? 'partner' : s.origin === 'app' ? 'app' : s.origin === 'staff' ? 'staff' : 'card';
  if (!phone && s.idTag && s.origin !== 'partner') {
    const t = await idTagInfo(q, operatorId, s.idTag, s.startedAt);
    phone = t.driverPhone ?? null;
    if (t.kind === 'app') authMethod = 'app';
  }
  const driver = phone ? await driverForOrder(q, operatorId, phone) : null;
  const station = s.stationId ? (await listStations(q, operatorId)).find((x) => x.id === s.stationId) : undefined;
  const paymentMethod = await paymentMethodFor(q, operatorId, s, phone);
  return { stationId: s.stationId, stationName: station?.name ?? null, phone, name: driver?.name ?? null, plate: driver?.plate ?? null, authMethod, paymentMethod };
}

/** Inserts with a fresh order number; a number collision retries with another, a session that already has an order returns it. */
async function insertOrder(q: Queryable, operatorId: string, s: SessionForOrder, ident: Identity, cols: Record<string, unknown>, preferredNo?: string): Promise<{ orderNo: string; created: boolean }> {
  const op = await getOperator(q, operatorId);
  const base: Record<string, unknown> = {
    operator_id: operatorId,
    session_id: s.id,
    station_id: ident.stationId,
    station_name: ident.stationName,
    charger_id: s.chargerId,
    connector_id: s.connectorId,
    origin: s.origin,
    auth_method: ident.authMethod,
    id_tag: s.origin === 'partner' ? null : s.idTag,
    driver_phone: ident.phone,
    driver_name: ident.name,
    plate: ident.plate,
    partner_id: s.partnerId,
    partner_order_no: s.startChargeSeq,
    payment_method: ident.paymentMethod,
    ...cols,
  };
  const keys = Object.keys(base);
  for (let attempt = 0; attempt < 8; attempt++) {
    const no = attempt === 0 && preferredNo && /^\d{20}$/.test(preferredNo) ? preferredNo : orderNumber(s.startedAt, op?.timezone ?? 'Asia/Shanghai');
    const r = await q.query<{ order_no: string }>(
      `INSERT INTO orders (order_no, ${keys.join(', ')}) VALUES ($1, ${keys.map((_, i) => `$${i + 2}`).join(', ')}) ON CONFLICT DO NOTHING RETURNING order_no`,
      [no, ...keys.map((k) => base[k])],
    );
    if (r.rows[0]) return { orderNo: r.rows[0].order_no, created: true };
    // a concurrent creator (two settle jobs of one session on two nodes) won: its order stands
    const same = await q.query<{ order_no: string }>(`SELECT order_no FROM orders WHERE session_id = $1`, [s.id]);
    if (same.rows[0]) return { orderNo: same.rows[0].order_no, created: false };
  }
  throw new Error(`could not find a free order number for session ${s.id}`);
}
