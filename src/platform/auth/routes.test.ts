// The auth HTTP surface end to end: cookie attributes, CSRF, lockout, expiry, logout, user
// administration, API tokens, rate limiting — and no password or hash in any response.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import { loadConfig } from '../../core/config.js';
import { buildApp } from '../../server/app.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import type { Runtime } from '../bootstrap.js';
import { systemActor } from '../context.js';
import { addUser, auditRows, insertEnterprise, PASSWORD } from './test-helpers.js';
import { createUser } from './users.js';

const MIN = 60_000;

for (const dialect of DIALECTS) {
  describe(`auth HTTP routes [${dialect}]`, () => {
    let rt: Runtime;
    let app: FastifyInstance;
    const clock = offsetClock('2026-06-01T02:00:00.000Z');
    const responses: string[] = [];
    let ipSerial = 0;
    const nextIp = () => `203.0.113.${++ipSerial}`;

    const send = async (opts: InjectOptions): Promise<LightMyRequestResponse> => {
      const res = await app.inject(opts);
      responses.push(`${JSON.stringify(res.headers)}\n${res.body}`);
      return res;
    };
    type Login = { cookie: string; csrf: string; body: Record<string, unknown>; res: LightMyRequestResponse };
    const signIn = async (username: string, password = PASSWORD, ip = nextIp()): Promise<Login> => {
      const res = await send({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password },
        headers: { 'x-forwarded-for': ip },
      });
      const setCookie = res.headers['set-cookie'];
      const cookie = String(Array.isArray(setCookie) ? setCookie[0] : (setCookie ?? '')).split(';')[0]!;
      const body = res.json();
      return { cookie, csrf: body.csrfToken, body, res };
    };
    const as = (s: Login, opts: InjectOptions & { csrf?: boolean }) =>
      send({
        ...opts,
        headers: {
          cookie: s.cookie,
          ...(opts.csrf === false ? {} : { 'x-csrf-token': s.csrf }),
          ...(opts.headers ?? {}),
        },
      });
    const code = (res: LightMyRequestResponse) =>
      `${res.statusCode} ${res.statusCode >= 400 ? res.json().code : ''}`.trim();

    let enterpriseUscc = '';
    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
      enterpriseUscc = (await insertEnterprise(rt)).uscc;
      await addUser(rt, 'admin', 'admin');
      await addUser(rt, 'regulator', 'regulator');
      await addUser(rt, 'officer', 'townOfficer');
      await addUser(rt, 'company', 'enterprise', { enterpriseUscc });
      for (const n of ['locked.one', 'idle.one', 'victim', 'changer', 'robot'])
        await addUser(rt, n, 'regulator');
      app = await buildApp(rt);
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await rt?.close();
    });

    it('signs in: session cookie (HttpOnly, SameSite=Lax, Path=/), user, abilities and CSRF token', async () => {
      const s = await signIn('officer');
      expect(s.res.statusCode).toBe(200);
      const setCookie = String(s.res.headers['set-cookie']);
      expect(setCookie).toMatch(/^zh_session=[A-Za-z0-9_-]{43};/);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Lax');
      expect(setCookie).toContain('Path=/');
      expect(setCookie).not.toContain('Secure'); // COOKIE_SECURE defaults to false
      expect(s.body).toEqual({
        user: {
          id: expect.any(String),
          username: 'officer',
          displayName: 'officer',
          role: 'townOfficer',
          townCode: '441900119',
          enterpriseId: null,
        },
        abilities: [
          'enterprise.read',
          'enterprise.readPersonal',
          'enterprise.create',
          'enterprise.update',
          'enterprise.import',
          'enterprise.export',
          'reference.read',
          'stats.read',
          'public.read',
          'credit.read',
          'credit.record',
          'sampling.read',
          'sampling.sample',
          'sampling.process',
        ],
        csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        passwordChangeRequired: false,
      });
      const me = await as(s, { url: '/api/auth/me' });
      expect(me.json()).toEqual(s.body);
    });

    it('refuses bad credentials with problem+json', async () => {
      const wrong = await signIn('officer', 'Wrong-Password-1');
      expect(code(wrong.res)).toBe('401 INVALID_CREDENTIALS');
      expect(wrong.res.headers['content-type']).toContain('application/problem+json');
      expect(wrong.res.headers['set-cookie']).toBeUndefined();
      expect(code((await signIn('ghost')).res)).toBe('401 INVALID_CREDENTIALS');
      const invalid = await send({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'x' },
        headers: { 'x-forwarded-for': nextIp() },
      });
      expect(code(invalid)).toBe('400 VALIDATION_FAILED');
    });

    it('backs off a stranger’s address with 429 and Retry-After, never locking the owner out (no 423)', async () => {
      const stranger = nextIp();
      for (let i = 1; i < rt.config.loginMaxFailures; i++)
        expect(code((await signIn('locked.one', 'Wrong-Password-1', stranger)).res)).toBe(
          '401 INVALID_CREDENTIALS',
        );
      const last = (await signIn('locked.one', 'Wrong-Password-1', stranger)).res;
      expect(code(last)).toBe('401 INVALID_CREDENTIALS');
      expect(last.headers['retry-after']).toBe('2');
      const waiting = (await signIn('locked.one', PASSWORD, stranger)).res;
      expect(code(waiting)).toBe('429 LOGIN_THROTTLED');
      expect(waiting.headers['retry-after']).toBe('2');
      expect(waiting.json().message.zh).toContain('2 秒后再试');
      // An unknown name from the same kind of sequence gets the very same answers.
      const other = nextIp();
      for (let i = 1; i < rt.config.loginMaxFailures; i++)
        expect(code((await signIn('no.such.user', 'Wrong-Password-1', other)).res)).toBe(
          '401 INVALID_CREDENTIALS',
        );
      expect((await signIn('no.such.user', 'Wrong-Password-1', other)).res.headers['retry-after']).toBe('2');
      expect(code((await signIn('no.such.user', PASSWORD, other)).res)).toBe('429 LOGIN_THROTTLED');
      // The owner, from their own address, is not affected.
      expect(code((await signIn('locked.one')).res)).toBe('200');
      clock.advance(2000);
      expect(code((await signIn('locked.one', PASSWORD, stranger)).res)).toBe('200');
    });

    it('rate-limits sign-in per IP', async () => {
      const ip = nextIp();
      const codes: number[] = [];
      // Different names, so the per-(account, address) back-off does not answer first.
      for (let i = 0; i < 11; i++) codes.push((await signIn(`ghost${i}`, PASSWORD, ip)).res.statusCode);
      expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
      expect(codes[10]).toBe(429);
      expect((await signIn('officer', PASSWORD, nextIp())).res.statusCode).toBe(200);
    });

    it('answers 401 without a session, and SESSION_EXPIRED (clearing the cookie) for an idle one', async () => {
      expect(code(await send({ url: '/api/auth/me' }))).toBe('401 UNAUTHENTICATED');
      expect(code(await send({ url: '/api/auth/me', headers: { cookie: 'zh_session=forged' } }))).toBe(
        '401 SESSION_EXPIRED',
      );
      const s = await signIn('idle.one');
      clock.advance(rt.config.sessionIdleMinutes * MIN - MIN);
      expect(code(await as(s, { url: '/api/auth/me' }))).toBe('200');
      clock.advance(rt.config.sessionIdleMinutes * MIN + 1);
      const expired = await as(s, { url: '/api/auth/me' });
      expect(code(expired)).toBe('401 SESSION_EXPIRED');
      expect(String(expired.headers['set-cookie'])).toMatch(/^zh_session=;.*Expires=Thu, 01 Jan 1970/);
    });

    it('expires a busy session at the absolute limit', async () => {
      const s = await signIn('idle.one');
      const hours = rt.config.sessionAbsoluteHours;
      for (let m = 20; m < hours * 60; m += 20) {
        clock.advance(20 * MIN);
        expect(code(await as(s, { url: '/api/auth/me' }))).toBe('200');
      }
      clock.advance(20 * MIN);
      expect(code(await as(s, { url: '/api/auth/me' }))).toBe('401 SESSION_EXPIRED');
    });

    it('requires the CSRF token on cookie writes', async () => {
      const s = await signIn('regulator');
      const body = { name: 'csrf-check' };
      expect(code(await as(s, { method: 'POST', url: '/api/v1/tokens', payload: body, csrf: false }))).toBe(
        '403 CSRF_INVALID',
      );
      expect(
        code(
          await as(s, {
            method: 'POST',
            url: '/api/v1/tokens',
            payload: body,
            headers: { 'x-csrf-token': 'nope' },
          }),
        ),
      ).toBe('403 CSRF_INVALID');
      const other = await signIn('regulator');
      expect(
        code(
          await as(s, {
            method: 'POST',
            url: '/api/v1/tokens',
            payload: body,
            headers: { 'x-csrf-token': other.csrf },
          }),
        ),
      ).toBe('403 CSRF_INVALID');
      expect(code(await as(s, { method: 'POST', url: '/api/v1/tokens', payload: body }))).toBe('201');
      // Reads need none.
      expect(code(await as(s, { url: '/api/v1/tokens', csrf: false }))).toBe('200');
    });

    it('signs out: 204, cookie cleared, session revoked server-side (audited)', async () => {
      const s = await signIn('regulator');
      expect(code(await as(s, { method: 'POST', url: '/api/auth/logout', csrf: false }))).toBe(
        '403 CSRF_INVALID',
      );
      const out = await as(s, { method: 'POST', url: '/api/auth/logout' });
      expect(out.statusCode).toBe(204);
      expect(String(out.headers['set-cookie'])).toMatch(/^zh_session=;/);
      expect(code(await as(s, { url: '/api/auth/me' }))).toBe('401 SESSION_EXPIRED');
      const row = (await auditRows(rt, 'auth.logout')).at(-1)!;
      expect(row.actor_label).toBe('regulator');
      expect(row.request_id).toEqual(expect.any(String));
    });

    it('revokes the previous session of the browser on a new sign-in', async () => {
      const first = await signIn('regulator');
      const res = await send({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'regulator', password: PASSWORD },
        headers: { cookie: first.cookie, 'x-forwarded-for': nextIp() },
      });
      expect(res.statusCode).toBe(200);
      expect(code(await as(first, { url: '/api/auth/me' }))).toBe('401 SESSION_EXPIRED');
    });

    it('keeps user administration to admins', async () => {
      const reg = await signIn('regulator');
      const officer = await signIn('officer');
      const company = await signIn('company');
      for (const s of [reg, officer, company]) {
        expect(code(await as(s, { url: '/api/v1/users' }))).toBe('403 FORBIDDEN');
        expect(
          code(
            await as(s, {
              method: 'POST',
              url: '/api/v1/users',
              payload: { username: 'sneaky', displayName: 'x', password: PASSWORD, role: 'admin' },
            }),
          ),
        ).toBe('403 FORBIDDEN');
        expect(
          code(
            await as(s, {
              method: 'PATCH',
              url: `/api/v1/users/${s.body.user && (s.body.user as { id: string }).id}`,
              payload: { role: 'admin' },
            }),
          ),
        ).toBe('403 FORBIDDEN');
      }
      expect(code(await send({ url: '/api/v1/users' }))).toBe('401 UNAUTHENTICATED');
      expect(
        await rt.db.selectFrom('users').select('id').where('username', '=', 'sneaky').executeTakeFirst(),
      ).toBeUndefined();
    });

    it('lets an admin create, list, read and update users', async () => {
      const admin = await signIn('admin');
      const created = await as(admin, {
        method: 'POST',
        url: '/api/v1/users',
        payload: {
          username: 'New.Lab',
          displayName: '检测机构',
          password: 'Lab-Secret-2026',
          role: 'lab',
          townCode: null,
          enterpriseUscc,
        },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        username: 'new.lab',
        role: 'lab',
        enterpriseUscc,
        active: true,
      });
      const id = created.json().id as string;
      const bad = await as(admin, {
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'weak.one', displayName: 'x', password: 'weakweakweak', role: 'regulator' },
      });
      expect(code(bad)).toBe('400 VALIDATION_FAILED');
      expect(bad.json().fields[0]).toMatchObject({ field: 'password', code: 'PASSWORD_TOO_WEAK' });
      expect(bad.json().fields[0].message.zh).toMatch(/密码/);
      const unknownField = await as(admin, {
        method: 'POST',
        url: '/api/v1/users',
        payload: {
          username: 'x.y',
          displayName: 'x',
          password: PASSWORD,
          role: 'regulator',
          passwordHash: 'x',
        },
      });
      expect(code(unknownField)).toBe('400 VALIDATION_FAILED');
      const list = await as(admin, { url: '/api/v1/users?role=lab' });
      expect(list.json().items.map((u: { username: string }) => u.username)).toEqual(['new.lab']);
      expect(code(await as(admin, { url: `/api/v1/users/${id}` }))).toBe('200');
      expect(code(await as(admin, { url: '/api/v1/users/nope' }))).toBe('404 NOT_FOUND');
      const patched = await as(admin, {
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        payload: { displayName: '检测中心' },
      });
      expect(patched.json()).toMatchObject({ displayName: '检测中心' });
      const rows = (await auditRows(rt, 'user.update')).filter((r) => r.resource_id === id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor_label: 'admin', request_id: expect.any(String) });
    });

    it('disabling a user ends their sessions at once', async () => {
      const admin = await signIn('admin');
      const victim = await signIn('victim');
      expect(code(await as(victim, { url: '/api/auth/me' }))).toBe('200');
      const id = (victim.body.user as { id: string }).id;
      expect(
        code(await as(admin, { method: 'PATCH', url: `/api/v1/users/${id}`, payload: { active: false } })),
      ).toBe('200');
      expect(code(await as(victim, { url: '/api/auth/me' }))).toBe('401 SESSION_EXPIRED');
      expect(code((await signIn('victim')).res)).toBe('403 ACCOUNT_DISABLED');
      const adminId = (admin.body.user as { id: string }).id;
      expect(
        code(
          await as(admin, { method: 'PATCH', url: `/api/v1/users/${adminId}`, payload: { active: false } }),
        ),
      ).toBe('409 INVALID_STATE');
    });

    it('issues API tokens once; a token needs no CSRF token and cannot mint more tokens', async () => {
      const s = await signIn('robot');
      const created = await as(s, { method: 'POST', url: '/api/v1/tokens', payload: { name: 'ci' } });
      expect(created.statusCode).toBe(201);
      const { token, id } = created.json() as { token: string; id: string };
      expect(token).toMatch(/^zh_/);
      const listed = await as(s, { url: '/api/v1/tokens' });
      expect(listed.body).not.toContain(token.slice(3));
      const bearer = { authorization: `Bearer ${token}` };
      const me = await send({ url: '/api/auth/me', headers: bearer });
      expect(me.json()).toMatchObject({ user: { username: 'robot' }, csrfToken: null });
      // A write with the token and no CSRF header passes the CSRF rule (and is then refused by the
      // route itself: tokens cannot create tokens).
      expect(
        code(
          await send({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'more' }, headers: bearer }),
        ),
      ).toBe('403 FORBIDDEN');
      expect(
        code(
          await send({
            method: 'POST',
            url: '/api/auth/password',
            payload: { currentPassword: PASSWORD, newPassword: 'Other-Secret-2026' },
            headers: bearer,
          }),
        ),
      ).toBe('403 FORBIDDEN');
      // Bearer writes pass CSRF: PATCH needs user.manage, so a regulator's token gets FORBIDDEN, not CSRF_INVALID.
      expect(
        code(await send({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: {}, headers: bearer })),
      ).toBe('403 FORBIDDEN');
      // Another user cannot revoke it.
      const reg = await signIn('regulator');
      expect(code(await as(reg, { method: 'DELETE', url: `/api/v1/tokens/${id}` }))).toBe('404 NOT_FOUND');
      // The token can revoke itself (a DELETE without CSRF header), after which it is refused.
      expect(
        (await send({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: bearer })).statusCode,
      ).toBe(204);
      expect(code(await send({ url: '/api/auth/me', headers: bearer }))).toBe('401 UNAUTHENTICATED');
      expect(
        code(await send({ url: '/api/auth/me', headers: { authorization: 'Bearer zh_not-a-token' } })),
      ).toBe('401 UNAUTHENTICATED');
      // The admin can revoke anybody's token.
      const t2 = (
        await as(s, {
          method: 'POST',
          url: '/api/v1/tokens',
          payload: { name: 'ci2', expiresAt: '2099-01-01T00:00:00Z' },
        })
      ).json() as { id: string };
      const admin = await signIn('admin');
      expect((await as(admin, { method: 'DELETE', url: `/api/v1/tokens/${t2.id}` })).statusCode).toBe(204);
    });

    it('a token works on scoped routes with its user’s rights', async () => {
      const s = await signIn('officer');
      const { token } = (
        await as(s, { method: 'POST', url: '/api/v1/tokens', payload: { name: 'officer-sync' } })
      ).json() as { token: string };
      const bearer = { authorization: `Bearer ${token}` };
      expect(code(await send({ url: '/api/v1/users', headers: bearer }))).toBe('403 FORBIDDEN');
      expect(code(await send({ url: '/api/v1/enterprises', headers: bearer }))).toBe('200');
    });

    it('changes the own password and signs out the other sessions', async () => {
      const here = await signIn('changer');
      const there = await signIn('changer');
      const wrong = await as(here, {
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword: 'Wrong-Password-1', newPassword: 'Changed-Secret-2026' },
      });
      expect(code(wrong)).toBe('400 VALIDATION_FAILED');
      const ok = await as(here, {
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword: PASSWORD, newPassword: 'Changed-Secret-2026' },
      });
      expect(ok.statusCode).toBe(204);
      expect(code(await as(here, { url: '/api/auth/me' }))).toBe('200');
      expect(code(await as(there, { url: '/api/auth/me' }))).toBe('401 SESSION_EXPIRED');
      expect(code((await signIn('changer', 'Changed-Secret-2026')).res)).toBe('200');
    });

    it('makes a published or common password be changed before anything else (outside the demo)', async () => {
      await createUser({
        ctx: rt,
        actor: systemActor('seed'),
        input: { username: 'demo.like', displayName: 'demo', password: 'Zhihui@2026', role: 'regulator' },
      });
      const s = await signIn('demo.like', 'Zhihui@2026');
      expect(code(s.res)).toBe('200');
      expect(s.body.passwordChangeRequired).toBe(true);
      expect((await as(s, { url: '/api/auth/me' })).json().passwordChangeRequired).toBe(true);
      const blocked = await as(s, { url: '/api/v1/enterprises' });
      expect(code(blocked)).toBe('403 PASSWORD_CHANGE_REQUIRED');
      expect(blocked.json().message.zh).toContain('修改密码');
      // A common password will not do as the new one either.
      const common = await as(s, {
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword: 'Zhihui@2026', newPassword: 'Password@2026' },
      });
      expect(code(common)).toBe('400 VALIDATION_FAILED');
      expect(common.json().fields[0]).toMatchObject({ field: 'newPassword', code: 'PASSWORD_COMMON' });
      expect(common.json().fields[0].message.zh).toContain('过于常见');
      const changed = await as(s, {
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword: 'Zhihui@2026', newPassword: 'Quiet-Harbour-2026' },
      });
      expect(changed.statusCode).toBe(204);
      expect((await as(s, { url: '/api/auth/me' })).json().passwordChangeRequired).toBe(false);
      expect(code(await as(s, { url: '/api/v1/enterprises' }))).toBe('200');
      // Nobody but the demo seed may set the published password.
      const admin = await signIn('admin');
      const refused = await as(admin, {
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: 'copycat', displayName: 'x', password: 'Zhihui@2026', role: 'regulator' },
      });
      expect(refused.json().fields[0]).toMatchObject({ field: 'password', code: 'PASSWORD_COMMON' });
    });

    it('lets demo accounts keep the demo password in a demo deployment (DEMO=true)', async () => {
      await createUser({
        ctx: rt,
        actor: systemActor('seed'),
        input: { username: 'demo.two', displayName: 'demo', password: 'Zhihui@2026', role: 'regulator' },
      });
      await rt.db
        .updateTable('users')
        .set({ must_change_password: 0 })
        .where('username', '=', 'demo.two')
        .execute();
      rt.config.demo = true;
      try {
        const s = await signIn('demo.two', 'Zhihui@2026');
        expect(s.body.passwordChangeRequired).toBe(false);
        expect(code(await as(s, { url: '/api/v1/enterprises' }))).toBe('200');
      } finally {
        rt.config.demo = false;
      }
      // The same database served outside the demo: the account must change its password.
      expect((await signIn('demo.two', 'Zhihui@2026')).body.passwordChangeRequired).toBe(true);
    });

    it('keeps a short x-request-id token and replaces anything else', async () => {
      const ok = await send({ url: '/api/health', headers: { 'x-request-id': 'trace-42.a_b' } });
      expect(ok.headers['x-request-id']).toBe('trace-42.a_b');
      for (const bad of ['a'.repeat(65), 'evil id', '<script>', 'x\u00e9']) {
        const res = await send({ url: '/api/health', headers: { 'x-request-id': bad } });
        expect(res.headers['x-request-id']).not.toBe(bad);
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
      const failed = await send({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'ghost', password: 'Wrong-Password-1' },
        headers: { 'x-forwarded-for': nextIp(), 'x-request-id': 'bad id with spaces' },
      });
      expect(failed.json().requestId).toMatch(/^[0-9a-f-]{36}$/);
      const audit = await rt.db.selectFrom('audit_log').select('request_id').execute();
      expect(audit.map((r) => r.request_id)).not.toContain('bad id with spaces');
    });

    it('writes audit rows for sign-in, failures, locks and administration', async () => {
      for (const action of [
        'auth.login.succeeded',
        'auth.login.failed',
        'auth.login.throttled',
        'auth.logout',
        'user.create',
        'user.update',
        'auth.credentials.revoked',
        'apiToken.create',
        'apiToken.revoke',
        'user.passwordChange',
      ]) {
        expect({ action, n: (await auditRows(rt, action)).length > 0 }).toEqual({ action, n: true });
      }
      const audit = JSON.stringify(await rt.db.selectFrom('audit_log').selectAll().execute());
      for (const secret of [PASSWORD, 'Lab-Secret-2026', 'Changed-Secret-2026', '$argon2'])
        expect(audit).not.toContain(secret);
    });

    it('lists the auth and user routes in the OpenAPI document', async () => {
      const doc = (await send({ url: '/api/docs/json' })).json();
      for (const p of [
        '/api/auth/login',
        '/api/auth/logout',
        '/api/auth/me',
        '/api/auth/password',
        '/api/v1/users',
        '/api/v1/users/{id}',
        '/api/v1/tokens',
        '/api/v1/tokens/{id}',
      ]) {
        expect(Object.keys(doc.paths)).toContain(p);
      }
      expect(doc.paths['/api/auth/login'].post.tags).toEqual(['auth']);
      expect(doc.paths['/api/v1/users'].post.tags).toEqual(['users']);
      expect(doc.paths['/api/auth/login'].post.requestBody).toBeDefined();
    });

    it('never sent a password or a password hash in any response', () => {
      expect(responses.length).toBeGreaterThan(50);
      const all = responses.join('\n');
      for (const secret of [
        PASSWORD,
        'Lab-Secret-2026',
        'Changed-Secret-2026',
        'Wrong-Password-1',
        '$argon2',
        'password_hash',
        'Quiet-Harbour-2026',
      ]) {
        expect(all).not.toContain(secret);
      }
    });
  });
}

describe('session cookie Secure flag', () => {
  it('defaults on when PUBLIC_BASE_URL is https, and COOKIE_SECURE still decides when set', () => {
    expect(loadConfig({}).cookieSecure).toBe(false);
    expect(loadConfig({ PUBLIC_BASE_URL: 'http://zhihui.local' }).cookieSecure).toBe(false);
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://zhihui.dg.gov.cn' }).cookieSecure).toBe(true);
    expect(
      loadConfig({ PUBLIC_BASE_URL: 'https://zhihui.dg.gov.cn', COOKIE_SECURE: 'false' }).cookieSecure,
    ).toBe(false);
    expect(loadConfig({ COOKIE_SECURE: 'true' }).cookieSecure).toBe(true);
  });
});
