// Load shedding for the routes that run heavy reads (the register search, public and internal).
// Requests to such a route are counted from their first onRequest hook to their response; when
// as many are in flight as the heavy-read gate holds (db/read-pool.ts: running + waiting), the
// next is refused right there — before cookies, sessions, the handler or any query — with 503
// SERVICE_UNAVAILABLE and Retry-After. Refusing then costs the server as little as possible, and
// the requests let in are few enough that their session look-ups never crowd the connections
// that health checks and everyone else need. The gate itself refuses the same way a read that
// would wait past its limit.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import { heavyReadCapacity, warmHeavyReads } from '../db/read-pool.js';
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
  const capacity = heavyReadCapacity(ctx.db);
  const admitted = new WeakSet<FastifyRequest>();
  let inFlight = 0;
  const leave = async (req: FastifyRequest) => {
    if (admitted.delete(req)) inFlight--;
  };
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' || !HEAVY_READ_ROUTES.has(req.routeOptions.url ?? '')) return;
    if (inFlight < capacity) {
      inFlight++;
      admitted.add(req);
      return;
    }
    reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
    return sendProblem(reply, req, SHED);
  });
  app.addHook('onResponse', leave);
  app.addHook('onRequestAbort', leave);
}
