// 405 Method Not Allowed: a path that exists under other methods answers 405 with an Allow header
// naming them (RFC 9110 §15.5.6), not 404. The web app's catch-all `GET /*` does not count: it
// answers every path.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { AppError } from '../core/errors.js';
import { sendProblem } from './errors.js';

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The methods a concrete path is routed for, but the web app's catch-all. */
export function allowedMethods(app: FastifyInstance, path: string): string[] {
  const allowed: string[] = [];
  for (const method of METHODS) {
    const found = app.findRoute({ method, url: path });
    if (!found) continue;
    // Only the catch-all `/*` takes the whole path as its wildcard.
    const params = found.params as Record<string, string | undefined>;
    if (params['*'] !== undefined && `/${params['*']}` === path) continue;
    allowed.push(method);
  }
  return allowed;
}

/** Answers a request no route took: 405 with Allow when the path has other methods, else 404. */
export function methodNotAllowed(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
  const path = req.url.split('?')[0] ?? '/';
  const allow = allowedMethods(app, path).filter((m) => m !== req.method);
  if (allow.length === 0) return sendProblem(reply, req, new AppError('ROUTE_NOT_FOUND'));
  reply.header('allow', allow.join(', '));
  return sendProblem(
    reply,
    req,
    new AppError('METHOD_NOT_ALLOWED', {
      detail: `${req.method} is not allowed here; use ${allow.join(', ')}`,
    }),
  );
}
