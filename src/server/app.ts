// Assembles the HTTP application: platform plugins, auth, every module's routes, the OpenAPI
// document at /api/docs, health, and the web app (SPA) from web/dist.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { AppError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { MODULES } from '../modules/index.js';
import { auditRoutes } from '../platform/audit-routes.js';
import { authPlugin } from '../platform/auth/plugin.js';
import { authRoutes } from '../platform/auth/routes.js';
import type { AppContext } from '../platform/context.js';
import { errorHandler } from './errors.js';
import { inputSchemaController, refuseDirtyText } from './input.js';
import { loadShedding } from './load-shed.js';
import { methodNotAllowed } from './methods.js';
import { describeOperation, shareProblemSchema } from './openapi.js';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');
const VERSION = '0.1.0';
/** The x-request-id a client may choose: 1–64 of A-Z a-z 0-9 . _ - */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const safeDecode = (text: string): string | null => {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
};

export type BuildOptions = { logger?: boolean; webDist?: string };

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? { level: ctx.config.logLevel } : false,
    // A client's x-request-id is kept (echoed, logged, audited) only when it is a short token;
    // anything else gets a fresh id, so no header text reaches the logs or the audit log.
    requestIdHeader: false,
    genReqId: (req) => {
      const sent = req.headers['x-request-id'];
      return typeof sent === 'string' && REQUEST_ID_PATTERN.test(sent) ? sent : newId();
    },
    bodyLimit: ctx.config.bodyMaxKb * 1024,
    trustProxy: ctx.config.trustProxy.length ? ctx.config.trustProxy : false,
    // Unknown fields are an error; JSON bodies are typed exactly, query strings coerce (input.ts).
    schemaController: inputSchemaController(),
  });

  app.setErrorHandler(errorHandler);
  loadShedding(app, ctx); // first onRequest hook: refuse heavy reads at once when they are full
  // JSON and multipart only: anything else is 415, not a string handed to a handler.
  app.removeContentTypeParser('text/plain');
  // No control character (NUL…) or lone surrogate in a body, query string or path parameter.
  app.addHook('preValidation', refuseDirtyText);
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-request-id', req.id);
    return payload;
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // antd and swagger-ui inject styles at run time
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(multipart, {
    limits: { fileSize: ctx.config.uploadMaxMb * 1024 * 1024, files: 1, fields: 10, parts: 12 },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '质汇 Zhihui API',
        version: VERSION,
        description:
          '东莞质量强市综合监管平台接口。Authenticated routes take the session cookie (with x-csrf-token on writes) or `Authorization: Bearer zh_…`. Public routes live under /api/v1/public/.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'zh_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    // Problem answers, public routes' security, upload bodies: from each route's policy and shape.
    transform: describeOperation,
    transformObject: shareProblemSchema,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: false });

  await authPlugin(app, ctx);
  await authRoutes(app, ctx);
  await auditRoutes(app, ctx);

  app.get(
    '/api/health',
    {
      config: { policy: 'public' },
      schema: {
        tags: ['platform'],
        summary: '健康检查 Liveness and database reachability',
        response: {
          200: Type.Object({
            status: Type.String(),
            database: Type.String(),
            dialect: Type.String(),
            version: Type.String(),
          }),
          503: Type.Object({
            status: Type.String(),
            database: Type.String(),
            dialect: Type.String(),
            version: Type.String(),
          }),
        },
      },
    },
    async (_req, reply) => {
      let database = 'up';
      try {
        await sql`select 1`.execute(ctx.db);
      } catch {
        database = 'down';
      }
      reply.code(database === 'up' ? 200 : 503);
      return {
        status: database === 'up' ? 'ok' : 'degraded',
        database,
        dialect: ctx.dialect,
        version: VERSION,
      };
    },
  );

  for (const m of MODULES) await m.routes?.(app, ctx);

  // The web app: built files from web/dist, and index.html for every client-side route.
  const webDist = opts.webDist ?? WEB_DIST;
  const hasWeb = fs.existsSync(path.join(webDist, 'index.html'));
  if (hasWeb) await app.register(fastifyStatic, { root: webDist, serve: false });
  app.get('/*', { config: { policy: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const urlPath = safeDecode(req.url.split('?')[0] ?? '/');
    if (urlPath === null) throw new AppError('BAD_REQUEST');
    if (urlPath.startsWith('/api/')) return methodNotAllowed(app, req, reply);
    if (!hasWeb) {
      return reply
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><meta charset="utf-8"><title>质汇 Zhihui</title><p>Web app not built: run <code>npm run build:web</code>. API docs: <a href="/api/docs">/api/docs</a></p>',
        );
    }
    const rel = path
      .normalize(urlPath)
      .replace(/^(\.\.[/\\])+/, '')
      .replace(/^[/\\]+/, '');
    const file = path.join(webDist, rel);
    if (rel && file.startsWith(webDist) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      if (rel.startsWith('assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.sendFile(rel);
    }
    reply.header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  });

  // A path that exists under another method is 405 with Allow; anything else is 404.
  app.setNotFoundHandler((req, reply) => methodNotAllowed(app, req, reply));
  return app;
}
