/** The partner's queries about our network: token, stations, status, stats, equipment auth. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { getOperator, listChargers, listStations, type ChargerView } from '../registry/index.ts';
import { stationsChangedSince } from '../registry/index.ts';
import { businessError, type InboundHandler } from './inbound.ts';
import type { Partner } from './partners.ts';
import { connectorCode, parseConnectorCode } from './connector-id.ts';
import { kw1, parseData, parseWireTime, seq27, tcecStatus } from './wire.ts';
import { stationEnergy } from './stats.ts';
import { tokenDigest } from './redact.ts';

export const TOKEN_SECONDS = 7200;

export const queryToken: InboundHandler = async (ctx, partner, data) => {
  const d = parseData(z.object({ OperatorID: z.string(), OperatorSecret: z.string() }), data);
  const fail = (FailReason: number) => ({ OperatorID: d.OperatorID, SuccStat: 1, AccessToken: '', TokenAvailableTime: 0, FailReason });
  if (d.OperatorID !== partner.id) return fail(1);
  if (d.OperatorSecret !== partner.inbound.operatorSecret) return fail(2);
  const token = randomBytes(24).toString('base64url');
  await ctx.db.query(`INSERT INTO roaming_tokens (token, operator_id, partner_id, expires_at) VALUES ($1, $2, $3, $5::timestamptz + make_interval(secs => $4))`, [
    tokenDigest(token),
    partner.operatorId,
    partner.id,
    TOKEN_SECONDS,
    ctx.clock.date(),
  ]);
  return { OperatorID: partner.id, SuccStat: 0, AccessToken: token, TokenAvailableTime: TOKEN_SECONDS, FailReason: 0 };
};

const STATION_STATUS: Record<string, number> = { operational: 50, construction: 1, closed: 5, maintenance: 6 };

/** The partner's view of its stations (only those listed in partner.stations). */
async function partnerStations(q: Queryable, partner: Partner) {
  const all = await listStations(q, partner.operatorId);
  const allowed = new Set(partner.stations);
  return all.filter((s) => allowed.has(s.id));
}

function equipmentInfo(c: ChargerView) {
  const dc = c.connectors.some((x) => x.type === 'DC');
  const ac = c.connectors.some((x) => x.type === 'AC');
  const maxW = Math.max(0, ...c.connectors.map((x) => Math.round(x.maxPowerKw * 1000)));
  return {
    EquipmentID: c.id,
    ManufacturerName: c.vendor ?? '',
    EquipmentModel: c.model ?? '',
    EquipmentType: dc && ac ? 3 : dc ? 1 : 2,
    Power: kw1(maxW),
    ConnectorInfos: c.connectors.map((x) => ({
      ConnectorID: connectorCode(c.id, x.connectorId),
      ConnectorName: `${x.connectorId}号枪`,
      ConnectorType: x.type === 'DC' ? 4 : 3,
      VoltageUpperLimits: x.type === 'DC' ? 750 : 220,
      VoltageLowerLimits: x.type === 'DC' ? 200 : 220,
      Current: x.type === 'DC' ? Math.round((x.maxPowerKw * 1000) / 750) : Math.round((x.maxPowerKw * 1000) / 220),
      Power: kw1(Math.round(x.maxPowerKw * 1000)),
      NationalStandard: 2,
    })),
  };
}

export const queryStationsInfo: InboundHandler = async (ctx, partner, data) => {
  const d = parseData(
    z.object({
      LastQueryTime: z.string().optional().nullable(),
      PageNo: z.number().int().min(1).default(1),
      PageSize: z.number().int().min(1).max(100).default(10),
    }),
    data,
  );
  let stations = await partnerStations(ctx.db, partner);
  if (d.LastQueryTime) {
    const since = parseWireTime(d.LastQueryTime);
    if (since === null) throw businessError('LastQueryTime must be yyyy-MM-dd HH:mm:ss');
    const changed = new Set(await stationsChangedSince(ctx.db, partner.operatorId, stations.map((s) => s.id), new Date(since)));
    stations = stations.filter((s) => changed.has(s.id));
  }
  const op = await getOperator(ctx.db, partner.operatorId);
  const pageCount = Math.max(1, Math.ceil(stations.length / d.PageSize));
  const page = stations.slice((d.PageNo - 1) * d.PageSize, d.PageNo * d.PageSize);
  const StationInfos = [];
  for (const s of page) {
    const chargers = await listChargers(ctx.db, { operatorId: partner.operatorId, stationId: s.id });
    StationInfos.push({
      StationID: s.id,
      OperatorID: op?.tcec_operator_id ?? '',
      EquipmentOwnerID: op?.tcec_operator_id ?? '',
      StationName: s.name,
      CountryCode: 'CN',
      AreaCode: s.areaCode ?? '',
      Address: (s.address ?? '').slice(0, 50),
      ServiceTel: '',
      StationType: 1,
      StationStatus: STATION_STATUS[s.status] ?? 0,
      ParkNums: 0,
      // stored coordinates are GCJ-02 (what Chinese map apps show), 6 decimals
      StationLng: s.lng === null ? 0 : Number(s.lng.toFixed(6)),
      StationLat: s.lat === null ? 0 : Number(s.lat.toFixed(6)),
      Construction: 255,
      EquipmentInfos: chargers.map(equipmentInfo),
    });
  }
  return { PageNo: d.PageNo, PageCount: pageCount, ItemSize: stations.length, StationInfos };
};

export async function connectorStatusInfos(q: Queryable, operatorId: string, stationId: string) {
  const chargers = await listChargers(q, { operatorId, stationId });
  return chargers.flatMap((c) =>
    c.connectors.map((x) => ({ ConnectorID: connectorCode(c.id, x.connectorId), Status: tcecStatus(x.ocppStatus, c.connected), ParkStatus: 0, LockStatus: 0 })),
  );
}

export const queryStationStatus: InboundHandler = async (ctx, partner, data) => {
  const d = parseData(z.object({ StationIDs: z.array(z.string()).min(1).max(50, 'at most 50 StationIDs') }), data);
  const allowed = new Set((await partnerStations(ctx.db, partner)).map((s) => s.id));
  const StationStatusInfos = [];
  for (const id of d.StationIDs) {
    if (!allowed.has(id)) continue;
    StationStatusInfos.push({ StationID: id, ConnectorStatusInfos: await connectorStatusInfos(ctx.db, partner.operatorId, id) });
  }
  return { Total: StationStatusInfos.length, StationStatusInfos };
};

export const queryStationStats: InboundHandler = async (ctx, partner, data) => {
  const ymd = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'yyyy-MM-dd');
  const d = parseData(z.object({ StationID: z.string(), StartTime: ymd, EndTime: ymd }), data);
  if (!partner.stations.includes(d.StationID)) throw businessError(`StationID ${d.StationID} is not shared with you`);
  if (d.EndTime < d.StartTime) throw businessError('EndTime is before StartTime');
  return { StationStats: await stationEnergy(ctx, partner, d.StationID, d.StartTime, d.EndTime) };
};

/** Looks up a ConnectorID the partner may use; null when unknown or not shared with it. */
export async function partnerConnector(q: Queryable, partner: Partner, code: unknown) {
  const parsed = parseConnectorCode(code);
  if (!parsed) return null;
  const [c] = await listChargers(q, { operatorId: partner.operatorId, id: parsed.chargerId });
  if (!c || !c.stationId || !partner.stations.includes(c.stationId)) return null;
  const x = c.connectors.find((k) => k.connectorId === parsed.connectorId);
  if (!x) return null;
  return { charger: c, connector: x, code: code as string, ...parsed };
}

const PLUGGED = new Set(['Preparing', 'SuspendedEV', 'SuspendedEVSE']);

export const queryEquipAuth: InboundHandler = async (ctx, partner, data) => {
  const d = parseData(z.object({ EquipAuthSeq: seq27, ConnectorID: z.string() }), data);
  const hit = await partnerConnector(ctx.db, partner, d.ConnectorID);
  const base = { EquipAuthSeq: d.EquipAuthSeq, ConnectorID: d.ConnectorID };
  if (!hit || !hit.charger.connected) return { ...base, SuccStat: 1, FailReason: 2, FailReasonMsg: hit ? '设备离线' : '设备不存在' };
  if (!PLUGGED.has(hit.connector.ocppStatus)) return { ...base, SuccStat: 1, FailReason: 1, FailReasonMsg: '此设备尚未插枪' };
  return { ...base, SuccStat: 0, FailReason: 0 };
};
