import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ctx } from '../../platform/context.ts';
import { requireRole, requireOperator, STAFF, ADMINS } from '../../platform/auth/guard.ts';
import { AppError, badRequest, notFound } from '../../platform/errors.ts';
import { ChargerOffline, CommandRejected, CommandTimeout } from '../ocpp/index.ts';
import { inventory, listAdvisories, saveAdvisories } from './inventory.ts';
import { advisorySchema as advisory, advisoryProblems } from './provisioning.ts';
import { addFile, listFiles, download, createCampaign, getCampaign, listCampaigns, pause, resume, retry, diagnostics } from './campaigns.ts';

const MAX_FILE_BYTES = 64 * 1024 * 1024;
const op = z.object({ operatorId: z.string().optional() });
const cid = z.object({ id: z.coerce.number().int().positive() });
/** An OCPP command's failure in HTTP terms. */
const commandError = (e: unknown): never => {
  if (e instanceof ChargerOffline) throw new AppError(409, 'charger_offline', e.message);
  if (e instanceof CommandTimeout) throw new AppError(504, 'command_timeout', e.message);
  if (e instanceof CommandRejected) throw new AppError(502, 'command_rejected', e.message);
  throw e;
};

export function firmwareRoutes(app: FastifyInstance, ctx: Ctx) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const S = { preHandler: requireRole(...STAFF) };
  const A = { preHandler: requireRole(...ADMINS) };

  r.get('/api/v1/firmware/inventory', { ...S, schema: { tags: ['firmware'], description: 'Vendor, model and firmware version per charger (BootNotification) and the advisories that name it.', querystring: op } }, async (req) => ({
    items: await inventory(ctx.db, requireOperator(req)),
  }));

  r.get('/api/v1/firmware/advisories', { ...S, schema: { tags: ['firmware'], description: 'The operator’s firmware advisories (model and version patterns are regular expressions).', querystring: op } }, async (req) => ({
    items: await listAdvisories(ctx.db, requireOperator(req)),
  }));

  r.put(
    '/api/v1/firmware/advisories',
    { ...A, schema: { tags: ['firmware'], description: 'Replaces the operator’s advisories.', querystring: op, body: z.object({ items: z.array(advisory).max(500) }).strict() } },
    async (req) => {
      const operatorId = requireOperator(req);
      const bad = advisoryProblems(req.body.items)[0];
      if (bad) throw badRequest(`items[${bad.path[0]}].${bad.path[1]}: ${bad.message}`);
      await ctx.db.tx((q) => saveAdvisories(q, operatorId, req.body.items, req.principal!.sub, ctx.clock.date()));
      return { items: await listAdvisories(ctx.db, operatorId) };
    },
  );

  r.get('/api/v1/firmware/files', { ...S, schema: { tags: ['firmware'], description: 'Uploaded firmware files with their SHA-256.', querystring: op } }, async (req) => ({ items: await listFiles(ctx.db, requireOperator(req)) }));

  // The file is the raw request body, in its own scope so no other route takes binary bodies.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_req, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/firmware/files',
      {
        ...A,
        bodyLimit: MAX_FILE_BYTES,
        schema: {
          tags: ['firmware'],
          description: `Uploads a firmware file as the raw body (at most ${MAX_FILE_BYTES} bytes); ?name= names it, ?version= is the version it installs (success is confirmed by it in the next BootNotification).`,
          querystring: op.extend({ name: z.string().trim().min(1).max(200).regex(/^[\w.\-]+$/, 'letters, digits, dot, dash, underscore'), version: z.string().trim().min(1).max(50) }),
        },
      },
      async (req, reply) => {
        const operatorId = requireOperator(req);
        if (!Buffer.isBuffer(req.body) || !req.body.length) throw badRequest('send the firmware file as the request body');
        return reply.status(201).send(await addFile(ctx.db, operatorId, { name: req.query.name, version: req.query.version, content: req.body }, req.principal!.sub, ctx.clock.date()));
      },
    );
  });

  r.get(
    '/api/v1/firmware/download/:campaignId/:token/:name',
    {
      schema: {
        tags: ['firmware'],
        description: 'The campaign’s firmware file, for chargers (the URL UpdateFirmware gives them, built from PUBLIC_BASE_URL); only with the campaign’s token, otherwise 404.',
        params: z.object({ campaignId: z.coerce.number().int().positive(), token: z.string().max(100), name: z.string().max(200) }),
      },
    },
    async (req, reply) => {
      const f = await download(ctx.db, req.params.campaignId, req.params.token);
      if (!f) throw notFound('firmware file');
      return reply.header('content-type', 'application/octet-stream').header('x-checksum-sha256', f.sha256).header('content-disposition', `attachment; filename="${f.name}"`).send(f.content);
    },
  );

  r.post(
    '/api/v1/firmware/campaigns',
    {
      ...A,
      schema: {
        tags: ['firmware'],
        description: 'Starts a campaign: targets by advisory, model, version or a list; waves are cumulative percentages (default 5, 25, 100); halts when a wave’s failures pass failureThreshold % (default 20).',
        querystring: op,
        body: z
          .object({
            fileId: z.number().int().positive(),
            target: z.object({ advisoryId: z.string().optional(), model: z.string().optional(), version: z.string().optional(), chargerIds: z.array(z.string()).min(1).max(10_000).optional() }).strict(),
            waves: z.array(z.number().int()).optional(),
            failureThreshold: z.number().int().min(0).max(100).optional(),
          })
          .strict(),
      },
    },
    async (req, reply) => reply.status(201).send(await createCampaign(ctx, requireOperator(req), req.body, req.principal!.sub)),
  );

  r.get('/api/v1/firmware/campaigns', { ...S, schema: { tags: ['firmware'], description: 'Campaigns, newest first, with progress per wave.', querystring: op } }, async (req) => ({ items: await listCampaigns(ctx.db, requireOperator(req)) }));

  r.get('/api/v1/firmware/campaigns/:id', { ...S, schema: { tags: ['firmware'], description: 'A campaign with progress per wave and the state of every charger.', params: cid, querystring: op } }, async (req) =>
    getCampaign(ctx.db, requireOperator(req), req.params.id),
  );

  r.post('/api/v1/firmware/campaigns/:id/pause', { ...A, schema: { tags: ['firmware'], description: 'Pauses a running campaign: no wave advances and no waiting charger is sent UpdateFirmware until resumed (chargers underway keep being tracked). 409 unless running.', params: cid, querystring: op } }, async (req) =>
    pause(ctx, requireOperator(req), req.params.id, req.principal!.sub),
  );

  r.post('/api/v1/firmware/campaigns/:id/resume', { ...A, schema: { tags: ['firmware'], description: 'Resumes a paused campaign where it stopped, or a halted one with its next wave. 409 otherwise.', params: cid, querystring: op } }, async (req) =>
    resume(ctx, requireOperator(req), req.params.id),
  );

  const chargerParams = z.object({ id: z.coerce.number().int().positive(), chargerId: z.string().max(64) });
  r.post('/api/v1/firmware/campaigns/:id/chargers/:chargerId/retry', { ...A, schema: { tags: ['firmware'], description: 'Sends UpdateFirmware again to one charger of the campaign.', params: chargerParams, querystring: op } }, async (req) =>
    retry(ctx, requireOperator(req), req.params.id, req.params.chargerId),
  );

  r.post(
    '/api/v1/firmware/campaigns/:id/chargers/:chargerId/diagnostics',
    { ...A, schema: { tags: ['firmware'], description: 'GetDiagnostics from a charger of the campaign, uploaded to the given location.', params: chargerParams, querystring: op, body: z.object({ location: z.string().url().max(500) }).strict() } },
    async (req) => diagnostics(ctx, requireOperator(req), req.params.id, req.params.chargerId, req.body.location).catch(commandError),
  );
}
