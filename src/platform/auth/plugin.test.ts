// The endpoint policy without a database: every route must declare one; anonymous requests reach
// public routes only, and are stopped before their body is read.
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../core/errors.js';
import type { AppContext } from '../context.js';
import { assertCan, authPlugin, isRoutePolicy, requireUser } from './plugin.js';
import type { AuthUser } from './policies.js';

// Anonymous and malformed credentials never reach the database; any access would throw here.
const noDb = new Proxy(
  {},
  {
    get: () => {
      throw new Error('database used');
    },
  },
);
const ctx = {
  db: noDb,
  dialect: 'sqlite',
  clock: { now: () => new Date('2026-01-01T00:00:00Z') },
  config: {},
  log: console,
} as unknown as AppContext;

let app: FastifyInstance;
async function makeApp() {
  app = Fastify();
  app.setErrorHandler((err, _req, reply) => {
    if (isAppError(err)) return reply.code(err.status).send({ code: err.code });
    return reply.code(500).send({ code: 'INTERNAL', message: String(err) });
  });
  await app.register(cookie);
  await authPlugin(app, ctx);
  return app;
}
afterEach(async () => app?.close());

describe('route policy declaration', () => {
  it('refuses at start-up a route without a policy', async () => {
    await makeApp();
    expect(() => app.get('/api/v1/secret', async () => 'x')).toThrow(/declares no policy/);
  });

  it('refuses an unknown policy', async () => {
    await makeApp();
    expect(() =>
      app.get('/api/v1/typo', { config: { policy: 'enterprise.raed' as never } }, async () => 'x'),
    ).toThrow(/unknown policy/);
  });

  it('exempts the OpenAPI UI and accepts every declared kind', async () => {
    await makeApp();
    expect(() => app.get('/api/docs/extra', async () => 'x')).not.toThrow();
    expect(() => app.get('/a', { config: { policy: 'public' } }, async () => 'x')).not.toThrow();
    expect(() => app.get('/b', { config: { policy: 'authenticated' } }, async () => 'x')).not.toThrow();
    expect(() => app.get('/c', { config: { policy: 'enterprise.read' } }, async () => 'x')).not.toThrow();
  });

  it('checks routes registered inside plugins as well', async () => {
    await makeApp();
    await expect(
      app.register(async (child) => {
        child.get('/inner', async () => 'x');
      }),
    ).rejects.toThrow(/declares no policy/);
  });

  it('knows the policy values', () => {
    expect(isRoutePolicy('public')).toBe(true);
    expect(isRoutePolicy('authenticated')).toBe(true);
    expect(isRoutePolicy('user.manage')).toBe(true);
    expect(isRoutePolicy('user.delete')).toBe(false);
    expect(isRoutePolicy(undefined)).toBe(false);
  });
});

describe('anonymous requests', () => {
  it('reach public routes with request.user null, and nothing else', async () => {
    await makeApp();
    let bodyRead = false;
    app.get('/pub', { config: { policy: 'public' } }, async (req) => ({
      user: req.user,
      session: req.session,
    }));
    app.get('/any', { config: { policy: 'authenticated' } }, async () => 'x');
    app.post(
      '/write',
      {
        config: { policy: 'enterprise.create' },
        preValidation: async () => {
          bodyRead = true;
        },
      },
      async () => 'x',
    );
    const pub = await app.inject({ url: '/pub', headers: { cookie: 'zh_session=whatever' } });
    expect(pub.json()).toEqual({ user: null, session: null });
    expect((await app.inject('/any')).json()).toEqual({ code: 'UNAUTHENTICATED' });
    const write = await app.inject({ method: 'POST', url: '/write', payload: { a: 1 } });
    expect(write.statusCode).toBe(401);
    expect(bodyRead).toBe(false);
  });

  it('answers 401 for a malformed bearer token without a database read', async () => {
    await makeApp();
    app.get('/any', { config: { policy: 'authenticated' } }, async () => 'x');
    for (const authorization of ['Bearer nope', 'Basic dXNlcjpwYXNz', 'Bearer zh_short', 'Bearer']) {
      const res = await app.inject({ url: '/any', headers: { authorization } });
      expect(res.statusCode).toBe(401);
    }
  });
});

describe('helpers', () => {
  const officer: AuthUser = {
    id: 'u1',
    username: 'changan',
    displayName: '长安',
    role: 'townOfficer',
    townCode: '441900119',
    enterpriseId: null,
    via: 'session',
  };

  it('requireUser throws UNAUTHENTICATED without a user', () => {
    expect(() => requireUser({ user: null } as never)).toThrow(AppError);
    expect(requireUser({ user: officer } as never)).toBe(officer);
  });

  it('assertCan throws FORBIDDEN for a user, UNAUTHENTICATED for nobody', () => {
    expect(() => assertCan(officer, 'enterprise.update', { townCode: '441900119' })).not.toThrow();
    const code = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        return (e as AppError).code;
      }
      return 'none';
    };
    expect(code(() => assertCan(officer, 'enterprise.update', { townCode: '441900003' }))).toBe('FORBIDDEN');
    expect(code(() => assertCan(null, 'enterprise.read'))).toBe('UNAUTHENTICATED');
  });
});
