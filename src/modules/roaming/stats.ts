import type { Ctx } from '../../platform/context.ts';
import { listChargers } from '../registry/index.ts';
import { energyByConnector } from '../sessions/index.ts';
import { connectorCode } from './connector-id.ts';
import type { Partner } from './partners.ts';
import { kwh1, parseWireTime } from './wire.ts';

/** StationStats for [StartTime, EndTime] (dates, inclusive), energy in kWh with 0.1 precision. */
export async function stationEnergy(ctx: Ctx, partner: Partner, stationId: string, startDate: string, endDate: string) {
  const chargers = await listChargers(ctx.db, { operatorId: partner.operatorId, stationId });
  const from = new Date(parseWireTime(startDate)!);
  const to = new Date(parseWireTime(endDate)! + 86_400_000);
  const rows = chargers.length ? await energyByConnector(ctx.db, partner.operatorId, chargers.map((c) => c.id), from, to) : [];
  const whOf = (id: string, gun: number) => rows.find((r) => r.chargerId === id && r.connectorId === gun)?.wh ?? 0;
  let stationWh = 0;
  const EquipmentStatsInfos = chargers.map((c) => {
    const wh = c.connectors.reduce((a, x) => a + whOf(c.id, x.connectorId), 0);
    stationWh += wh;
    return {
      EquipmentID: c.id,
      EquipmentElectricity: kwh1(wh),
      ConnectorStatsInfos: c.connectors.map((x) => ({ ConnectorID: connectorCode(c.id, x.connectorId), ConnectorElectricity: kwh1(whOf(c.id, x.connectorId)) })),
    };
  });
  return { StationID: stationId, StartTime: startDate, EndTime: endDate, StationElectricity: kwh1(stationWh), EquipmentStatsInfos };
}
