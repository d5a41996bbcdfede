import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole } from '../../platform/auth/guard.ts';
import { AppError, notFound, unauthorized } from '../../platform/errors.ts';
import { formatKwh, formatPrice4, formatYuan } from '../../platform/money.ts';
import { getConnector, getChargerRow, listStations } from '../registry/index.ts';
import { optionalModule } from './optional.ts';

type Sessions = typeof import('../sessions/index.ts');
type Tariffs = typeof import('../tariffs/index.ts');
type WalletH5 = typeof import('../wallet/index.ts');

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
const notAvailable = (what: string) => new AppError(501, 'not_available', `${what} is not available in this installation`);

async function need<T>(name: string, what: string): Promise<T> {
  const m = await optionalModule<T>(name);
  if (!m) throw notAvailable(what);
  return m;
}

/** The driver behind the request: operator and phone come from the token, never from the request. */
function driver(req: FastifyRequest) {
  const p = req.principal!;
  return { operatorId: p.operatorId!, phone: p.sub };
}

const periodView = z.object({ start: z.string(), end: z.string(), type: z.string(), electricityPrice: z.string(), servicePrice: z.string() });
const connectorInfo = z.object({
  chargerId: z.string(),
  connectorId: z.number(),
  status: z.string(),
  type: z.string(),
  maxPowerKw: z.number(),
  station: z.object({ id: z.string(), name: z.string(), address: z.string().nullable() }).nullable(),
  priceNow: periodView.extend({ price: z.string() }).nullable(),
  periods: z.array(periodView),
  idleFee: z.object({ graceMinutes: z.number(), pricePerMinute: z.string(), capPerSession: z.string().nullable() }).nullable(),
});
const currentView = z.object({
  id: z.number(),
  chargerId: z.string(),
  connectorId: z.number(),
  stationName: z.string().nullable(),
  status: z.string(),
  startedAt: z.string(),
  durationSeconds: z.number(),
  energyKwh: z.string(),
  costSoFar: z.string(),
  soc: z.number().nullable(),
  powerKw: z.string().nullable(),
});

export async function h5Routes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const driverOnly = { preHandler: requireRole('driver') };

  async function stationOf(operatorId: string, stationId: string | null) {
    if (!stationId) return null;
    const s = (await listStations(ctx.db, operatorId)).find((x) => x.id === stationId);
    return s ? { id: s.id, name: s.name, address: s.address ?? null } : null;
  }

  r.get(
    '/api/v1/h5/connectors/:chargerId/:connectorId',
    {
      schema: {
        tags: ['h5'],
        description:
          'A gun as the driver sees it after scanning the QR code: live status, station, the price now and today’s periods. With a driver token, or without one naming ?operatorId= (prices are public).',
        params: z.object({ chargerId: z.string(), connectorId: z.coerce.number().int().min(1) }),
        querystring: z.object({ operatorId: z.string().optional() }),
        response: { 200: connectorInfo, 404: errorSchema },
      },
    },
    async (req) => {
      const p = req.principal;
      const operatorId = !p || p.role === 'platform_admin' ? req.query.operatorId : p.operatorId;
      if (!operatorId) throw unauthorized('log in, or name the operator with ?operatorId=');
      const { chargerId, connectorId } = req.params;
      const ch = await getChargerRow(ctx.db, chargerId);
      const k = ch && ch.operator_id === operatorId ? await getConnector(ctx.db, chargerId, connectorId) : null;
      if (!ch || !k) throw notFound(`gun ${connectorId} of charger ${chargerId}`);
      const online = ctx.services.ocpp ? ctx.services.ocpp.isConnected(chargerId) : ch.connected;
      const tariffs = await optionalModule<Tariffs>('tariffs');
      let priceNow = null;
      let periods: z.infer<typeof periodView>[] = [];
      let idleFee = null;
      const now = ctx.clock.date();
      const version = tariffs ? await tariffs.tariffVersionForCharger(ctx.db, operatorId, chargerId, now) : null;
      if (tariffs && version) {
        const tz = await tariffs.operatorTimeZone(ctx.db, operatorId);
        const day = tariffs.periodsOfDay(version, now, tz);
        periods = day.map((d, i) => ({
          start: d.start,
          end: i + 1 < day.length ? day[i + 1].start : '24:00',
          type: d.type,
          electricityPrice: d.electricityPriceYuan,
          servicePrice: d.servicePriceYuan,
        }));
        const c = tariffs.currentPrice(version, now, tz);
        const cur = periods.find((x, i) => day[i].type === c.type && day[i].electricityPrice === c.electricityPrice && day[i].servicePrice === c.servicePrice && x.start <= hhmmIn(now, tz) && hhmmIn(now, tz) < x.end);
        priceNow = {
          start: cur?.start ?? '',
          end: cur?.end ?? '',
          type: c.type,
          electricityPrice: formatPrice4(c.electricityPrice),
          servicePrice: formatPrice4(c.servicePrice),
          price: formatPrice4(c.totalPrice),
        };
        if (version.idleFee)
          idleFee = {
            graceMinutes: version.idleFee.graceMinutes,
            pricePerMinute: formatPrice4(version.idleFee.pricePerMinute),
            capPerSession: version.idleFee.capPerSession === undefined ? null : formatYuan(version.idleFee.capPerSession),
          };
      }
      return {
        chargerId,
        connectorId,
        status: online ? k.status : 'Offline',
        type: k.type,
        maxPowerKw: Number(k.max_power_w) / 1000,
        station: await stationOf(operatorId, ch.station_id),
        priceNow,
        periods,
        idleFee,
      };
    },
  );

  r.post(
    '/api/v1/h5/sessions',
    {
      ...driverOnly,
      schema: {
        tags: ['h5'],
        description: 'Starts charging from the driver’s wallet: RemoteStartTransaction with the driver’s app tag.',
        body: z.object({ chargerId: z.string().min(1), connectorId: z.number().int().min(1) }),
        response: { 200: z.object({ status: z.literal('starting'), chargerId: z.string(), connectorId: z.number() }), 402: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const { operatorId, phone } = driver(req);
      const { chargerId, connectorId } = req.body;
      const sessions = await need<Sessions>('sessions', 'charging sessions');
      const wallet = await need<WalletH5>('wallet', 'the wallet');
      const ocpp = ctx.services.ocpp;
      if (!ocpp) throw notAvailable('the OCPP gateway');
      const ch = await getChargerRow(ctx.db, chargerId);
      const k = ch && ch.operator_id === operatorId ? await getConnector(ctx.db, chargerId, connectorId) : null;
      if (!ch || !k) throw notFound(`gun ${connectorId} of charger ${chargerId}`);
      if (!ocpp.isConnected(chargerId)) throw new AppError(409, 'charger_offline', 'the charger is offline; try another one');
      if (await sessions.activeSessionOn(ctx.db, chargerId, connectorId)) throw new AppError(409, 'gun_busy', 'this gun is already charging');
      const refused = await sessions.startRefusal(ctx.db, operatorId, chargerId);
      if (refused) throw new AppError(409, 'charger_refuses_sessions', `this charger takes no new sessions: ${refused}`);
      const mine = (await sessions.listActiveSessions(ctx.db, operatorId)).filter((s) => s.driver_phone === phone);
      if (mine.length) throw new AppError(409, 'session_in_progress', 'you already have a charging session in progress', { sessionId: mine[0].id });
      const ok = await wallet.canStart(ctx.db, operatorId, { phone }, ctx.clock.date());
      if (!ok.ok) throw new AppError(402, ok.code, ok.reason, { availableFen: ok.availableFen, minStartFen: ok.minStartFen });
      const idTag = await ctx.db.tx(async (q) => {
        const tag = await wallet.appTagFor(q, operatorId, phone);
        // recorded before the command: the charger may send StartTransaction before it answers
        await sessions.expectRemoteStart(q, { operatorId, chargerId, connectorId, idTag: tag, origin: 'app', driverPhone: phone });
        return tag;
      });
      const res = await ocpp.call<{ status: string }>(chargerId, 'RemoteStartTransaction', { connectorId, idTag });
      if (res.status !== 'Accepted') throw new AppError(409, 'start_refused', 'the charger refused to start; check the gun is plugged in', { chargerAnswer: res });
      return { status: 'starting' as const, chargerId, connectorId };
    },
  );

  r.get(
    '/api/v1/h5/sessions/current',
    { ...driverOnly, schema: { tags: ['h5'], description: 'The driver’s session in progress (live figures), or null.', response: { 200: z.object({ session: currentView.nullable() }) } } },
    async (req) => {
      const { operatorId, phone } = driver(req);
      const sessions = await need<Sessions>('sessions', 'charging sessions');
      const s = (await sessions.listActiveSessions(ctx.db, operatorId)).filter((x) => x.driver_phone === phone).at(-1);
      if (!s) return { session: null };
      const wallet = await optionalModule<WalletH5>('wallet');
      // the versions in force come from the cache the balance watcher shares (tariffs/version-cache.ts)
      const versions = (await optionalModule<Tariffs>('tariffs'))?.tariffVersionCache(ctx);
      const w = wallet ? await wallet.watchedSession(ctx.db, operatorId, s.id, versions) : null;
      const soc = await ctx.db.query<{ value: string }>(
        `SELECT value::text AS value FROM meter_samples WHERE session_id = $1 AND measurand = 'SoC' ORDER BY at DESC, id DESC LIMIT 1`,
        [s.id],
      );
      const energyWh = w?.energyWh ?? sessions.sessionEnergyWh(s);
      return {
        session: {
          id: s.id,
          chargerId: s.charger_id,
          connectorId: s.connector_id,
          stationName: (await stationOf(operatorId, s.station_id))?.name ?? null,
          status: 'Charging',
          startedAt: s.started_at.toISOString(),
          durationSeconds: Math.max(0, Math.round((ctx.clock.now() - s.started_at.getTime()) / 1000)),
          energyKwh: formatKwh(energyWh),
          costSoFar: formatYuan(w?.costFen ?? 0),
          soc: soc.rows[0] ? Math.round(Number(soc.rows[0].value)) : s.soc_start ?? null,
          powerKw: s.last_power_w === null ? null : (Number(s.last_power_w) / 1000).toFixed(1),
        },
      };
    },
  );

  r.post(
    '/api/v1/h5/sessions/:id/stop',
    {
      ...driverOnly,
      schema: { tags: ['h5'], description: 'Stops the driver’s own session (RemoteStopTransaction).', params: z.object({ id: z.coerce.number().int() }), response: { 200: z.object({ status: z.string() }), 404: errorSchema, 409: errorSchema } },
    },
    async (req) => {
      const { operatorId, phone } = driver(req);
      const sessions = await need<Sessions>('sessions', 'charging sessions');
      const s = await sessions.getSession(ctx.db, operatorId, req.params.id);
      if (!s || s.driver_phone !== phone) throw notFound(`session ${req.params.id}`);
      if (s.status !== 'active') return { status: 'finished' };
      if (!ctx.services.ocpp) throw notAvailable('the OCPP gateway');
      const res = await ctx.services.ocpp.call<{ status: string }>(s.charger_id, 'RemoteStopTransaction', { transactionId: s.id });
      if (res.status !== 'Accepted') throw new AppError(409, 'stop_refused', 'the charger refused to stop', { chargerAnswer: res });
      return { status: 'stopping' };
    },
  );

  r.get(
    '/api/v1/h5/orders',
    { ...driverOnly, schema: { tags: ['h5'], description: 'The driver’s own orders, newest first, with the per-period breakdown.', querystring: z.object({ page: z.coerce.number().int().min(1).default(1) }) } },
    async (req) => {
      const { operatorId, phone } = driver(req);
      const orders = await need<any>('orders', 'orders');
      const found = await orders.searchOrders(ctx.db, operatorId, { phone }, req.query.page, 20);
      return { items: found.items.map((o: any) => orders.orderView(o)), total: found.total };
    },
  );

  r.get(
    '/api/v1/h5/wallet',
    { ...driverOnly, schema: { tags: ['h5'], description: 'The driver’s balance.', response: { 200: z.object({ phone: z.string(), name: z.string().nullable(), balance: z.string(), owed: z.string(), availableBalance: z.string(), holds: z.array(z.object({ cause: z.string(), ref: z.string(), amount: z.string(), since: z.string() })) }) } } },
    async (req) => {
      const { operatorId, phone } = driver(req);
      const wallet = await need<WalletH5>('wallet', 'the wallet');
      try {
        const d = await wallet.getDriver(ctx.db, operatorId, phone, ctx.clock.date());
        return { phone, name: d.name ?? null, balance: d.walletBalance, owed: d.owed, availableBalance: d.availableBalance, holds: d.holds };
      } catch (e) {
        if ((e as AppError).status === 404) return { phone, name: null, balance: '0.00', owed: '0.00', availableBalance: '0.00', holds: [] };
        throw e;
      }
    },
  );
}

/** Local "HH:mm" of an instant in a time zone. */
function hhmmIn(d: Date, tz: string): string {
  const s = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
  return s === '24:00' ? '00:00' : s;
}
