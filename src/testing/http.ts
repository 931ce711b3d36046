// An app under test with signed-in users: each named user gets a session, and `call` sends a
// request as that user (cookie plus CSRF token), the way the web app does.
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Role } from '../platform/auth/policies.js';
import { createUser } from '../platform/auth/users.js';
import type { Runtime } from '../platform/bootstrap.js';
import { systemActor } from '../platform/context.js';
import { buildApp } from '../server/app.js';

export const TEST_PASSWORD = 'Zhihui@2026-test';

export type TestUser = {
  username: string;
  role: Role;
  townCode?: string | null;
  enterpriseUscc?: string | null;
};

export async function testApp(
  rt: Runtime,
  users: TestUser[],
  /** Hooks to add before the app is ready (the first request makes it ready). */
  opts: { configure?: (app: FastifyInstance) => void } = {},
) {
  for (const u of users)
    await createUser({
      ctx: rt,
      actor: systemActor('test'),
      input: {
        username: u.username,
        password: TEST_PASSWORD,
        displayName: u.username,
        role: u.role,
        townCode: u.townCode ?? null,
        enterpriseUscc: u.enterpriseUscc ?? null,
      },
    });
  const app: FastifyInstance = await buildApp(rt);
  opts.configure?.(app);
  const sessions: Record<string, { cookie: string; csrf: string }> = {};
  for (const u of users) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: u.username, password: TEST_PASSWORD },
    });
    if (res.statusCode !== 200) throw new Error(`sign-in of ${u.username} failed: ${res.body}`);
    sessions[u.username] = {
      cookie: String(res.headers['set-cookie']).split(';')[0]!,
      csrf: res.json().csrfToken,
    };
  }
  const call = (who: string, method: InjectOptions['method'], url: string, payload?: object) =>
    app.inject({
      method,
      url,
      payload,
      headers: { cookie: sessions[who]!.cookie, 'x-csrf-token': sessions[who]!.csrf },
    });
  return { app, sessions, call, close: () => app.close() };
}
