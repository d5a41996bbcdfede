/**
 * Partner orders as the platform leaves them after real charging (session, roaming session, order,
 * order push), written straight into the tables so a test can have a month of them in a moment.
 */
import type { Queryable } from '../../src/platform/db/index.ts';

export interface SeedOrder {
  seq: string;
  orderNo: string;
  chargerId: string;
  gun: number;
  start: Date;
  end: Date;
  wh: number;
  elecFen: number;
  serviceFen: number;
  /** the start was confirmed to the partner (false: start timeout, case 2) */
  confirmed?: boolean;
  /** the order push was acknowledged (false: never pushed) */
  pushed?: boolean;
  autoStopReason?: string;
}

let n = 0;
export const orderNoAt = (d: Date) => `${d.toISOString().replace(/\D/g, '').slice(0, 14)}${String(++n).padStart(6, '0')}`;

export async function seedPartnerOrders(q: Queryable, operatorId: string, partnerId: string, orders: SeedOrder[]) {
  for (const o of orders) {
    const s = await q.query<{ id: number }>(
      `INSERT INTO sessions (operator_id, station_id, charger_id, connector_id, origin, partner_id, start_charge_seq, status, meter_start_wh, meter_stop_wh, started_at, stopped_at, charging_ended_at, unplugged_at, stop_reason)
       VALUES ($1, 's1', $2, $3, 'partner', $4, $5, 'finished', 1000000, $6, $7, $8, $8, $8, 'Remote') RETURNING id`,
      [operatorId, o.chargerId, o.gun, partnerId, o.seq, 1000000 + Math.max(0, o.wh), o.start, o.end],
    );
    const sessionId = s.rows[0].id;
    const periods = [{ start: o.start.getTime(), end: o.end.getTime(), type: 'flat', electricityPrice: 7000, servicePrice: 8000, wh: o.wh, electricityFen: o.elecFen, serviceFen: o.serviceFen }];
    await q.query(
      `INSERT INTO orders (operator_id, order_no, session_id, station_id, charger_id, connector_id, origin, auth_method, partner_id, partner_order_no, payment_method, status,
         start_time, end_time, idle_end_time, occupied_until, energy_wh, electricity_fen, service_fen, total_fen, periods, settled_at)
       VALUES ($1, $2, $3, 's1', $4, $5, 'partner', 'partner', $6, $7, 'partner', 'settled', $8, $9, $9, $9, $10, $11, $12, $13, $14, $9)`,
      [operatorId, o.orderNo, sessionId, o.chargerId, o.gun, partnerId, o.seq, o.start, o.end, o.wh, o.elecFen, o.serviceFen, o.elecFen + o.serviceFen, JSON.stringify(periods)],
    );
    await q.query(
      `INSERT INTO roaming_sessions (operator_id, partner_id, start_charge_seq, connector_code, charger_id, connector_id, state, session_id, order_no, started_at, ended_at, energy_wh, confirmed_at, auto_stop_reason, stop_requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'ended', $7, $8, $9, $10, $11, $12, $13, $14)`,
      [operatorId, partnerId, o.seq, o.chargerId + String(o.gun).padStart(2, '0'), o.chargerId, o.gun, sessionId, o.orderNo, o.start, o.end, o.wh, o.confirmed === false ? null : o.start, o.autoStopReason ?? null, o.autoStopReason ? 'platform' : null],
    );
    if (o.pushed !== false) {
      const payload = { StartChargeSeq: o.seq, TotalPower: Number((o.wh / 1000).toFixed(2)), TotalMoney: Number(((o.elecFen + o.serviceFen) / 100).toFixed(2)) };
      await q.query(
        `INSERT INTO roaming_order_pushes (operator_id, partner_id, order_no, version, start_charge_seq, payload, total_fen, total_wh, end_time, confirm_result, confirmed_at)
         VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, 0, $8)`,
        [operatorId, partnerId, o.orderNo, o.seq, JSON.stringify(payload), o.elecFen + o.serviceFen, o.wh, o.end],
      );
    }
  }
}

const pad = (x: number) => String(x).padStart(2, '0');
/** Asia/Shanghai wall time of an instant, as a T/CEC statement writes it. */
export function wall(d: Date) {
  const t = new Date(d.getTime() + 8 * 3_600_000);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
}
const yuan = (fen: number) => `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${pad(Math.abs(fen) % 100)}`;
const kwh = (wh: number) => `${Math.floor(wh / 1000)}.${String(wh % 1000).padStart(3, '0')}`;

export const STATEMENT_HEADER = ['StartChargeSeq', 'ConnectorID', 'StartTime', 'EndTime', 'TotalPower', 'TotalElecMoney', 'TotalSeviceMoney', 'TotalMoney'];
export function statementLine(o: Pick<SeedOrder, 'seq' | 'chargerId' | 'gun' | 'start' | 'end' | 'wh' | 'elecFen' | 'serviceFen'>, opts: { noSeq?: boolean } = {}) {
  return [opts.noSeq ? '' : o.seq, o.chargerId + pad(o.gun), wall(o.start), wall(o.end), kwh(o.wh), yuan(o.elecFen), yuan(o.serviceFen), yuan(o.elecFen + o.serviceFen)];
}
export const csv = (rows: string[][]) => [STATEMENT_HEADER, ...rows].map((r) => r.join(',')).join('\n') + '\n';
