import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, requireOperator, STAFF } from '../../platform/auth/guard.ts';
import { formatKwh, formatYuan } from '../../platform/money.ts';
import { listChargers, getOperator } from '../registry/index.ts';
import { optionalModule } from './optional.ts';

type Orders = typeof import('../orders/index.ts');

/** What the console needs beyond the capabilities' own APIs: the dashboard's figures in one call. */
export function consoleRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/dashboard',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['console'],
        description: 'The console dashboard: connectors by live state, chargers online/offline, orders held for review, and per-day orders, energy and revenue (operator time zone; held orders not counted in the money).',
        querystring: z.object({ operatorId: z.string().optional(), days: z.coerce.number().int().min(1).max(90).default(30) }),
      },
    },
    async (req) => {
      const op = requireOperator(req);
      const tz = (await getOperator(ctx.db, op))?.timezone ?? 'Asia/Shanghai';
      const chargers = await listChargers(ctx.db, { operatorId: op });
      const connectors: Record<string, number> = {};
      for (const c of chargers) for (const k of c.connectors) connectors[k.status] = (connectors[k.status] ?? 0) + 1;
      const online = chargers.filter((c) => c.connected).length;
      const orders = await optionalModule<Orders>('orders');
      const localDay = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
      const days: string[] = [];
      const now = ctx.clock.now();
      for (let i = req.query.days - 1; i >= 0; i--) days.push(localDay(new Date(now - i * 86_400_000)));
      // a day either side of the window: the local-day grouping trims it
      const totals = orders?.dailyTotals ? await orders.dailyTotals(ctx.db, op, new Date(now - (req.query.days + 1) * 86_400_000), new Date(now + 86_400_000), tz) : [];
      const byDay = new Map(totals.map((x) => [x.day, x]));
      const series = days.map((day) => {
        const x = byDay.get(day);
        return { day, orders: x?.orders ?? 0, energyKwh: formatKwh(x?.energyWh ?? 0), revenue: formatYuan(x?.totalFen ?? 0), held: x?.held ?? 0 };
      });
      return {
        timeZone: tz,
        connectors,
        chargers: { total: chargers.length, online, offline: chargers.length - online },
        heldOrders: orders?.heldCount ? await orders.heldCount(ctx.db, op) : 0,
        today: series[series.length - 1],
        days: series,
      };
    },
  );
}
