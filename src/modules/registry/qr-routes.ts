import { z } from 'zod';
import QRCode from 'qrcode';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, operatorScope, STAFF } from '../../platform/auth/guard.ts';
import { notFound } from '../../platform/errors.ts';
import { publicUrl } from '../../platform/public-url.ts';
import { listChargers } from './service.ts';

/** What a gun's QR code opens: the operator's H5 page on that gun, always on the public URL (case 4). */
export const gunUrl = (ctx: Pick<Ctx, 'config'>, operatorId: string, chargerId: string, connectorId: number) =>
  publicUrl(ctx, `/h5/${encodeURIComponent(operatorId)}?c=${encodeURIComponent(chargerId)}&g=${connectorId}`);

/** The QR codes staff print and stick on each gun. */
export function qrRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const charger = async (req: any, id: string) => {
    const [c] = await listChargers(ctx.db, { operatorId: operatorScope(req, { optional: true }), id });
    if (!c) throw notFound(`charger ${id}`);
    return c;
  };

  r.get(
    '/api/v1/chargers/:id/qr-codes',
    {
      preHandler: requireRole(...STAFF),
      schema: {
        tags: ['registry'],
        description: 'Per gun: the URL its QR code carries (built from PUBLIC_BASE_URL) and where to get the printable SVG.',
        params: z.object({ id: z.string() }),
        response: { 200: z.object({ items: z.array(z.object({ connectorId: z.number(), url: z.string(), svg: z.string() })) }) },
      },
    },
    async (req) => {
      const c = await charger(req, req.params.id);
      return {
        items: c.connectors.map((x) => ({
          connectorId: x.connectorId,
          url: gunUrl(ctx, c.operatorId, c.id, x.connectorId),
          svg: `/api/v1/chargers/${encodeURIComponent(c.id)}/connectors/${x.connectorId}/qr.svg`,
        })),
      };
    },
  );

  r.get(
    '/api/v1/chargers/:id/connectors/:connectorId/qr.svg',
    {
      preHandler: requireRole(...STAFF),
      schema: { tags: ['registry'], description: 'The printable QR code of one gun (SVG).', params: z.object({ id: z.string(), connectorId: z.coerce.number().int().min(1) }) },
    },
    async (req, reply) => {
      const c = await charger(req, req.params.id);
      if (!c.connectors.some((x) => x.connectorId === req.params.connectorId)) throw notFound(`gun ${req.params.connectorId} of charger ${c.id}`);
      const svg = await QRCode.toString(gunUrl(ctx, c.operatorId, c.id, req.params.connectorId), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return reply.header('content-type', 'image/svg+xml; charset=utf-8').send(svg);
    },
  );
}
