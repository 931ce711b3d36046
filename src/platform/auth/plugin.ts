// Authentication and the endpoint policy for every route.
//
// - Every route declares `config: { policy }`: an Action, 'authenticated' (any signed-in user) or
//   'public'. A route without one fails at start-up (onRoute), except the OpenAPI UI under /api/docs.
// - Credentials: `Authorization: Bearer zh_…` (API token; wins when present) or the `zh_session`
//   cookie. Cookie-authenticated writes (anything but GET/HEAD/OPTIONS) must carry `x-csrf-token`
//   equal to the session's token; token-authenticated requests are exempt (a browser never adds
//   an Authorization header cross-site on its own).
// - The check runs in onRequest, before the body is read: an anonymous client cannot make the
//   server parse a body (or an upload) on a route it may not use, and gets 401 rather than a 400
//   that would describe the schema. 401 UNAUTHENTICATED / SESSION_EXPIRED without a valid
//   credential, 403 CSRF_INVALID, 403 FORBIDDEN when `can(user, policy)` is false for every scope.
// - A user flagged mustChangePassword (a generated or reset password, see users.ts; a published
//   or common one, see sessions.ts) gets 403 PASSWORD_CHANGE_REQUIRED everywhere but /api/auth/me,
//   /api/auth/password and /api/auth/logout, with a session or an API token alike.
// - Public routes do not look at credentials at all: request.user is null there (public
//   presenters never depend on who asks, and static files cost no database read).
// Handlers then check resource-scoped rights with assertCan(user, action, resource).
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import type { Actor, AppContext } from '../context.js';
import { type Action, type AuthUser, can, isAction, type Resource } from './policies.js';
import { safeEqual } from './secrets.js';
import { authenticateSession, SESSION_COOKIE } from './sessions.js';
import { verifyApiToken } from './tokens.js';

export type RoutePolicy = Action | 'public' | 'authenticated';
export type RequestSession = { id: string; csrfToken: string };

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, or null (always null on public routes). */
    user: AuthUser | null;
    /** The cookie session of this request; null for API tokens and anonymous requests. */
    session: RequestSession | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route: checked before the body is read (see platform/auth/plugin.ts). */
    policy?: RoutePolicy;
  }
}

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** All a user whose password is published or common may do until they change it. */
const PASSWORD_CHANGE_ROUTES = new Set(['/api/auth/me', '/api/auth/password', '/api/auth/logout']);
/** Routes that may go without a policy: the OpenAPI UI and document. */
const POLICY_EXEMPT_PREFIXES = ['/api/docs'];

export const isRoutePolicy = (v: unknown): v is RoutePolicy =>
  v === 'public' || v === 'authenticated' || isAction(v);

export const SESSION_COOKIE_OPTIONS = { httpOnly: true, sameSite: 'lax', path: '/' } as const;

export async function authPlugin(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);

  app.addHook('onRoute', (route) => {
    if (POLICY_EXEMPT_PREFIXES.some((p) => route.url.startsWith(p))) return;
    const policy = route.config?.policy;
    const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
    if (policy === undefined) {
      throw new Error(
        `Route ${methods} ${route.url} declares no policy: add config: { policy: <Action> | 'authenticated' | 'public' }`,
      );
    }
    if (!isRoutePolicy(policy)) {
      throw new Error(`Route ${methods} ${route.url} declares an unknown policy "${String(policy)}"`);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    const policy = req.routeOptions.config?.policy;
    // No policy: the 404 handler and /api/docs. Public: credentials are not read.
    if (policy === undefined || policy === 'public') return;
    await identify(ctx, req, reply);
    if (req.user?.mustChangePassword && !PASSWORD_CHANGE_ROUTES.has(req.routeOptions.url ?? '')) {
      throw new AppError('PASSWORD_CHANGE_REQUIRED');
    }
    if (policy === 'authenticated') return;
    if (!can(req.user, policy)) throw new AppError('FORBIDDEN');
  });
}

async function identify(ctx: AppContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const found = m ? await verifyApiToken(ctx, m[1]!) : null;
    if (!found) {
      throw new AppError('UNAUTHENTICATED', {
        message: { zh: 'API 令牌无效、已过期或已撤销', en: 'The API token is invalid, expired or revoked' },
      });
    }
    req.user = found.user;
    req.session = null;
    return;
  }

  const token = req.cookies?.[SESSION_COOKIE];
  if (!token) throw new AppError('UNAUTHENTICATED');
  const found = await authenticateSession(ctx, token);
  if (!found) {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    throw new AppError('SESSION_EXPIRED');
  }
  if (!SAFE_METHODS.has(req.method)) {
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !safeEqual(sent, found.session.csrfToken))
      throw new AppError('CSRF_INVALID');
  }
  req.user = found.user;
  req.session = { id: found.session.id, csrfToken: found.session.csrfToken };
}

/** The signed-in user of a request on a non-public route (throws UNAUTHENTICATED otherwise). */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new AppError('UNAUTHENTICATED');
  return request.user;
}

/** Throws FORBIDDEN (UNAUTHENTICATED for no user) unless `can(user, action, resource)`. */
export function assertCan(user: AuthUser | null, action: Action, resource?: Resource): void {
  if (can(user, action, resource)) return;
  throw new AppError(user ? 'FORBIDDEN' : 'UNAUTHENTICATED');
}

/** The audit actor of a request: its user (or 'anonymous') and the request id. */
export function actorOf(request: FastifyRequest): Actor {
  const user = request.user;
  return { id: user?.id ?? null, label: user ? user.username : 'anonymous', requestId: request.id };
}
