// Load shedding for the routes that run heavy reads (the register search, public and internal).
// When every place of the heavy-read gate is taken (db/read-pool.ts), a request to such a route is
// refused in the first onRequest hook — before cookies, sessions, the handler or any query — with
// 503 SERVICE_UNAVAILABLE and Retry-After, so that refusing costs the server as little as possible
// and the event loop stays free for health checks and the light requests of everyone else. The
// gate refuses the same way a request that slipped past this check (it counts what really runs).
import type { FastifyInstance } from 'fastify';
import { AppError } from '../core/errors.js';
import { heavyReadsFull, warmHeavyReads } from '../db/read-pool.js';
import type { AppContext } from '../platform/context.js';
import { sendProblem } from './errors.js';

/** GET routes whose handler runs a heavy read (searchEnterprises). */
export const HEAVY_READ_ROUTES = new Set(['/api/v1/enterprises', '/api/v1/public/enterprises']);

const SHED = new AppError('SERVICE_UNAVAILABLE', {
  detail: 'Too many searches are running; retry in a moment. 查询繁忙，请稍后重试。',
  retryAfterSeconds: 1,
});

export function loadShedding(app: FastifyInstance, ctx: AppContext) {
  warmHeavyReads(ctx.db);
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' || !HEAVY_READ_ROUTES.has(req.routeOptions.url ?? '')) return;
    if (!heavyReadsFull(ctx.db)) return;
    reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
    return sendProblem(reply, req, SHED);
  });
}
