/** query_equip_business_policy: the tariff periods in force today on the connector's charger. */
import { z } from 'zod';
import type { Ctx } from '../../platform/context.ts';
import { getOperator } from '../registry/index.ts';
import { loadTariffVersion, periodsOfDay, resolveTariffVersionId } from '../tariffs/index.ts';
import { dialectOf } from './dialects.ts';
import type { InboundHandler } from './inbound.ts';
import { partnerConnector } from './queries.ts';
import { parseData, price4, seq27, wireDate } from './wire.ts';

const PRICE_TYPE: Record<string, number> = { sharp: 0, peak: 1, flat: 2, valley: 3 };

export async function policyFor(ctx: Ctx, operatorId: string, chargerId: string, at: Date) {
  const id = await resolveTariffVersionId(ctx.db, operatorId, chargerId, at);
  if (id === null || id === undefined) return null;
  const version = await loadTariffVersion(ctx.db, operatorId, id);
  if (!version) return null;
  const tz = (await getOperator(ctx.db, operatorId))?.timezone ?? 'Asia/Shanghai';
  return periodsOfDay(version, wireDate(at, tz), tz);
}

export const queryBusinessPolicy: InboundHandler = async (ctx, partner, data) => {
  const d = parseData(z.object({ EquipBizSeq: seq27, ConnectorID: z.string() }), data);
  const base = { EquipBizSeq: d.EquipBizSeq, ConnectorID: d.ConnectorID };
  const hit = await partnerConnector(ctx.db, partner, d.ConnectorID);
  const periods = hit ? await policyFor(ctx, partner.operatorId, hit.chargerId, ctx.clock.date()) : null;
  if (!periods?.length) return { ...base, SuccStat: 1, FailReason: 1, SumPeriod: 0, PolicyInfos: [] };
  const dl = dialectOf(partner.dialect);
  const PolicyInfos = periods.map((p) => ({
    StartTime: p.startTime,
    ElecPrice: price4(p.electricityPrice),
    [dl.servicePrice]: price4(p.servicePrice),
    PriceType: PRICE_TYPE[p.type] ?? 2,
  }));
  return { ...base, SuccStat: 0, FailReason: 0, SumPeriod: PolicyInfos.length, PolicyInfos };
};
