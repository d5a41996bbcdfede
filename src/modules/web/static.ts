import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { mkdirSync } from 'node:fs';
import { APP_DIR, DIST, isBuilt } from './build.ts';

const BUILDING = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>ChargeOps</title></head>
<body style="font-family:sans-serif;padding:2rem;color:#333"><p>正在构建页面，请稍候… / The web app is being built, this page refreshes by itself.</p></body></html>`;

function sendApp(reply: FastifyReply, app: 'console' | 'h5') {
  if (!isBuilt()) return reply.status(503).header('retry-after', '3').type('text/html; charset=utf-8').send(BUILDING);
  // index.html must never be cached: it names the hashed assets of the current build
  return reply.header('cache-control', 'no-cache').sendFile(`${app}/index.html`, APP_DIR, { cacheControl: false } as any);
}

/**
 * Built assets under /web/ (hashed file names, cached for a year, served pre-gzipped), the console at
 * /console with its client routes, the driver page at /h5/{operatorId} (same index for every operator:
 * the page reads the operator's brand from the public API).
 */
export async function staticRoutes(app: FastifyInstance) {
  mkdirSync(DIST, { recursive: true });
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: APP_DIR,
      prefix: '/web/',
      preCompressed: true,
      immutable: true,
      maxAge: '365d',
      index: false,
      suppressWarning: true,
      schemaHide: true,
    } as any);
    const hide = { schema: { hide: true } };
    scope.get('/console', hide, (_req, reply) => sendApp(reply, 'console'));
    scope.get('/console/*', hide, (_req, reply) => sendApp(reply, 'console'));
    scope.get('/h5/:operatorId', hide, (_req, reply) => sendApp(reply, 'h5'));
    scope.get('/h5/:operatorId/*', hide, (_req, reply) => sendApp(reply, 'h5'));
    scope.get('/', hide, (_req, reply) => reply.redirect('/console'));
    // the icon (web/public/favicon.svg) also where a browser looks by itself
    scope.get('/favicon.ico', hide, (_req, reply) => reply.redirect('/web/favicon.svg'));
  });
}
