import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, jsonSchemaTransform, type ZodTypeProvider } from 'fastify-type-provider-zod';
import swagger from '@fastify/swagger';
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../json-limits.ts';
import { findUnsafeText } from '../safe-text.ts';
import { verifyToken } from '../auth/tokens.ts';
import { isRoleGuard } from '../auth/guard.ts';
import type { Logger } from '../log.ts';
import { systemClock, type Clock } from '../clock.ts';

export type App = FastifyInstance;

/** HTTP_MAX_BODY_BYTES: a larger body is refused with 413 before it is read further. */
export const DEFAULT_BODY_LIMIT = 5 * 1024 * 1024;

/**
 * A JSON body, query or path value PostgreSQL cannot store (NUL, a lone surrogate) is a 400 naming
 * the field, before any handler runs: such a value would otherwise fail a write half-way.
 */
export function unstorableInput(where: string, v: unknown): AppError | null {
  const bad = findUnsafeText(v, where);
  return bad ? new AppError(400, 'invalid_text', `${bad.path} contains ${bad.reason}`, { path: bad.path }) : null;
}

type ProtocolAnswer = (message: string, reply: FastifyReply) => unknown;
const protocolErrors = new WeakMap<object, [string, ProtocolAnswer][]>();
/** Lets a module answer requests under its prefix that never reach a route (an undecodable URL) in its protocol's terms. */
export function answerUnroutable(app: FastifyInstance, prefix: string, answer: ProtocolAnswer) {
  protocolErrors.get(app)?.push([prefix, answer]);
}

/** A database error (pg and PGlite both carry SQLSTATE and severity). */
const isDbError = (e: any) => typeof e?.severity === 'string' && typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);

export interface RouteEntry {
  method: string;
  url: string;
  hidden: boolean;
}
const routeLists = new WeakMap<object, RouteEntry[]>();
/** Every route the app registered (the route matrix test checks each is in its allow table). */
export const registeredRoutes = (app: FastifyInstance): RouteEntry[] => routeLists.get(app) ?? [];

export async function createHttpApp(opts: { log: Logger; authSecret: string; bodyLimit?: number; trustProxy?: string[]; clock?: Clock }): Promise<FastifyInstance> {
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const unroutable: [string, ProtocolAnswer][] = [];
  const app = Fastify({
    loggerInstance: opts.log.child({ part: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // X-Forwarded-For is believed only from TRUST_PROXY (req.ip is the client address everywhere)
    trustProxy: opts.trustProxy?.length ? opts.trustProxy : false,
    // A URL the router cannot decode (bad %-escapes, an overlong parameter): a 400 in our error shape,
    // or in the protocol's own terms under a prefix a module claimed.
    frameworkErrors: (err: Error, req: FastifyRequest, reply: FastifyReply): unknown => {
      const path = (req.url ?? '').split('?')[0];
      for (const [prefix, answer] of unroutable) if (path.startsWith(prefix)) return answer(err.message, reply);
      return (reply as FastifyReply).code(400).send({ error: { code: 'bad_url', message: 'the URL does not decode (a malformed %-escape, or a parameter too long)' } });
    },
  }).withTypeProvider<ZodTypeProvider>();
  protocolErrors.set(app, unroutable);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'ChargeOps API', version: '0.1.0', description: 'Operations platform for EV charging operators.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  // Keep the raw body of every JSON request: payment callbacks are signed over the exact bytes.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    (req as unknown as { rawBody: string }).rawBody = body as string;
    if (!body || (body as string).trim() === '') return done(null, undefined);
    if (jsonTooDeep(body as string)) return done(new AppError(400, 'json_too_deep', `the request body is nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body as string);
    } catch {
      return done(new AppError(400, 'invalid_json', 'the request body is not valid JSON'), undefined);
    }
    done(unstorableInput('body', parsed), parsed);
  });

  app.addHook('preValidation', async (req) => {
    const bad = unstorableInput('query', req.query) ?? unstorableInput('params', req.params);
    if (bad) throw bad;
  });

  const routes: RouteEntry[] = [];
  routeLists.set(app, routes);
  // Role guards declared as preHandler run at onRequest, right after the token is read (below).
  app.addHook('onRoute', (route) => {
    for (const m of [route.method].flat()) if (m !== 'HEAD') routes.push({ method: m, url: route.url, hidden: !!(route.schema as { hide?: boolean } | undefined)?.hide });
    const list = (Array.isArray(route.preHandler) ? route.preHandler : route.preHandler ? [route.preHandler] : []) as unknown[];
    const guards = list.filter(isRoleGuard);
    if (!guards.length) return;
    route.preHandler = list.filter((h) => !isRoleGuard(h)) as never;
    const onRequest = (Array.isArray(route.onRequest) ? route.onRequest : route.onRequest ? [route.onRequest] : []) as unknown[];
    route.onRequest = [...onRequest, ...guards] as never;
  });

  app.addHook('onRequest', async (req) => {
    const h = req.headers.authorization;
    if (h?.startsWith('Bearer ')) {
      const p = verifyToken(h.slice(7), opts.authSecret, (opts.clock ?? systemClock).now());
      if (p) req.principal = p;
    }
  });

  app.setErrorHandler((err: any, req, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    if (err.validation || err.code === 'FST_ERR_VALIDATION') {
      const details = (err.validation ?? []).map((v: any) => ({
        path: `${err.validationContext ?? 'body'}${v.instancePath ?? ''}`.replace(/\//g, '.'),
        message: v.message,
      }));
      return reply.status(400).send({
        error: { code: 'validation_failed', message: `invalid ${err.validationContext ?? 'request'}: ${details.map((d: any) => `${d.path} ${d.message}`).join('; ')}`, details },
      });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.status(413).send({ error: { code: 'body_too_large', message: `the request body is larger than ${bodyLimit} bytes` } });
    // Never the database's own words in an answer: a generic message and a reference the log line carries.
    const ref = randomBytes(4).toString('hex');
    if (isDbError(err)) {
      const cls = String(err.code).slice(0, 2);
      req.log[cls === '22' || cls === '23' ? 'warn' : 'error']({ err, ref }, 'database error');
      // 22: a value the database cannot take (out of range, malformed) came with the request; 23: it clashes with stored data
      if (cls === '22') return reply.status(400).send({ error: { code: 'invalid_value', message: `a value in the request is out of range or malformed (reference ${ref})` } });
      if (cls === '23') return reply.status(409).send({ error: { code: 'conflict', message: `the request conflicts with stored data (reference ${ref})` } });
    } else if (typeof err.statusCode === 'number' && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: { code: err.code ?? 'bad_request', message: err.message } });
    } else req.log.error({ err, ref }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: `internal error (reference ${ref}); it was logged` } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
  );
  return app as unknown as FastifyInstance;
}
