/** The charging snapshot (query_equip_charge_status / notification_equip_charge_status) from the live session. */
import type { Ctx } from '../../platform/context.ts';
import { getSession, sessionEnergyWh } from '../sessions/index.ts';
import { listChargers } from '../registry/index.ts';
import { dialectOf } from './dialects.ts';
import type { Partner } from './partners.ts';
import { SEQ_STAT, type RoamingSession } from './state.ts';
import { kwh2, price4, tcecStatus, wireTime, yuan } from './wire.ts';

interface LivePeriod {
  start: number;
  end: number;
  electricityPrice: number;
  servicePrice: number;
  wh: number;
  electricityFen: number;
  serviceFen: number;
}

/** Details straight from the pricing engine's running breakdown, so Σ details = totals. */
export function chargeDetails(periods: LivePeriod[], partner: Pick<Partner, 'dialect'>, tz: string) {
  const d = dialectOf(partner.dialect);
  return periods.map((p) => ({
    DetailStartTime: wireTime(p.start, tz),
    DetailEndTime: wireTime(p.end, tz),
    ElecPrice: price4(p.electricityPrice),
    [d.servicePrice]: price4(p.servicePrice),
    DetailPower: kwh2(p.wh),
    DetailElecMoney: yuan(p.electricityFen),
    [d.detailServiceMoney]: yuan(p.serviceFen),
  }));
}

export async function chargeSnapshot(ctx: Ctx, partner: Partner, rs: RoamingSession, spelling: 'query' | 'notify') {
  const d = dialectOf(partner.dialect);
  const base = { StartChargeSeq: rs.start_charge_seq, StartChargeSeqStat: SEQ_STAT[rs.state], ConnectorID: rs.connector_code };
  const s = rs.session_id ? await getSession(ctx.db, rs.operator_id, rs.session_id) : null;
  const [c] = await listChargers(ctx.db, { operatorId: rs.operator_id, id: rs.charger_id });
  const conn = c?.connectors.find((x) => x.connectorId === rs.connector_id);
  const live = ((s as any)?.live_cost ?? null) as { periods?: LivePeriod[]; electricityFen?: number; serviceFen?: number } | null;
  const periods = Array.isArray(live?.periods) ? live!.periods! : [];
  const elecFen = periods.reduce((a, p) => a + p.electricityFen, 0);
  const servFen = periods.reduce((a, p) => a + p.serviceFen, 0);
  const wh = s ? sessionEnergyWh(s as any) : 0;
  const power = Number((s as any)?.last_power_w ?? 0);
  return {
    ...base,
    ConnectorStatus: conn ? tcecStatus(conn.ocppStatus, c.connected) : 0,
    CurrentA: 0,
    CurrentB: 0,
    CurrentC: 0,
    VoltageA: 0,
    VoltageB: 0,
    VoltageC: 0,
    Power: Math.floor((power + 50) / 100) / 10,
    Soc: Number((s as any)?.soc_end ?? (s as any)?.soc_start ?? 0),
    StartTime: wireTime(s?.started_at ?? rs.created_at),
    EndTime: wireTime(ctx.clock.date()),
    TotalPower: kwh2(wh),
    [spelling === 'query' ? d.elecMoneyQuery : d.elecMoneyNotify]: yuan(elecFen),
    [d.serviceMoney]: yuan(servFen),
    TotalMoney: yuan(elecFen + servFen),
    SumPeriod: periods.length,
    ChargeDetails: chargeDetails(periods, partner, 'Asia/Shanghai'),
  };
}
