// Login, lockout, session expiry (idle and absolute), sliding, revocation — on a real database,
// with time moved by an offsetClock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { AppError } from '../../core/errors.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import type { Runtime } from '../bootstrap.js';
import { sha256Hex } from './secrets.js';
import {
  authenticateSession,
  login,
  logout,
  purgeSessions,
  purgeSessionsJob,
  revokeUserSessions,
  sessionExpiry,
} from './sessions.js';
import { addUser, auditRows, errorCode, PASSWORD } from './test-helpers.js';
import { updateUser } from './users.js';

const MIN = 60_000;

describe('sessionExpiry', () => {
  const config = { sessionIdleMinutes: 30, sessionAbsoluteHours: 12 };
  const created = new Date('2026-03-02T00:00:00.000Z');
  it('is the idle limit from now, capped by the absolute limit', () => {
    expect(sessionExpiry(config, created, created).toISOString()).toBe('2026-03-02T00:30:00.000Z');
    expect(sessionExpiry(config, created, new Date('2026-03-02T05:00:00.000Z')).toISOString()).toBe(
      '2026-03-02T05:30:00.000Z',
    );
    expect(sessionExpiry(config, created, new Date('2026-03-02T11:50:00.000Z')).toISOString()).toBe(
      '2026-03-02T12:00:00.000Z',
    );
  });
});

for (const dialect of DIALECTS) {
  describe(`sessions and login [${dialect}]`, () => {
    let rt: Runtime;
    const clock = offsetClock('2026-03-02T01:00:00.000Z');
    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
      for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'])
        await addUser(rt, name, 'regulator');
    });
    afterAll(async () => rt?.close());

    const signIn = (username: string, password = PASSWORD) =>
      login({ ctx: rt, username, password, ip: '10.0.0.1', userAgent: 'vitest', requestId: 'req-1' });

    it('opens a session whose token the database only knows by its SHA-256', async () => {
      const { user, session } = await signIn('alice');
      expect(user).toMatchObject({
        username: 'alice',
        role: 'regulator',
        via: 'session',
        townCode: null,
        enterpriseId: null,
      });
      expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const row = await rt.db
        .selectFrom('sessions')
        .selectAll()
        .where('id', '=', session.id)
        .executeTakeFirstOrThrow();
      expect(row.token_hash).toBe(sha256Hex(session.token));
      expect(JSON.stringify(row)).not.toContain(session.token);
      expect(row).toMatchObject({
        ip: '10.0.0.1',
        user_agent: 'vitest',
        revoked_at: null,
        expires_at: '2026-03-02T01:30:00.000Z',
      });
      const u = await rt.db
        .selectFrom('users')
        .select(['last_login_at', 'failed_logins'])
        .where('username', '=', 'alice')
        .executeTakeFirstOrThrow();
      expect(u).toEqual({ last_login_at: '2026-03-02T01:00:00.000Z', failed_logins: 0 });
      const audit = (await auditRows(rt, 'auth.login.succeeded')).at(-1)!;
      expect(audit).toMatchObject({
        actor_id: user.id,
        actor_label: 'alice',
        resource_type: 'user',
        resource_id: user.id,
        request_id: 'req-1',
      });
      expect(JSON.parse(audit.after!)).toMatchObject({ sessionId: session.id, ip: '10.0.0.1' });
      expect(await authenticateSession(rt, session.token)).toMatchObject({
        user: { id: user.id },
        session: { id: session.id, csrfToken: session.csrfToken },
      });
    });

    it('accepts the username in any case and with spaces around it', async () => {
      expect((await signIn('  ALICE ')).user.username).toBe('alice');
    });

    it('refuses a wrong password and an unknown user alike, and audits both', async () => {
      expect(await errorCode(() => signIn('bob', 'Wrong-Password-1'))).toBe('INVALID_CREDENTIALS');
      expect(await errorCode(() => signIn('nobody', PASSWORD))).toBe('INVALID_CREDENTIALS');
      const failed = await auditRows(rt, 'auth.login.failed');
      const reasons = failed.map((r) => JSON.parse(r.after!).reason);
      expect(reasons).toEqual(expect.arrayContaining(['wrongPassword', 'unknownUser']));
      const unknown = failed.find((r) => JSON.parse(r.after!).reason === 'unknownUser')!;
      expect(unknown).toMatchObject({ actor_id: null, actor_label: 'anonymous', resource_id: null });
      expect(JSON.parse(unknown.after!).username).toBe('nobody');
      // Both counted the same way, by the name as typed and the address.
      const counts = await rt.db
        .selectFrom('login_throttle')
        .select(['username', 'source', 'failures'])
        .where('username', 'in', ['bob', 'nobody'])
        .orderBy('username')
        .orderBy('source')
        .execute();
      expect(counts).toEqual([
        { username: 'bob', source: '*', failures: 1 },
        { username: 'bob', source: '10.0.0.1', failures: 1 },
        { username: 'nobody', source: '*', failures: 1 },
        { username: 'nobody', source: '10.0.0.1', failures: 1 },
      ]);
      // No audit row ever carries the password.
      const all = await rt.db.selectFrom('audit_log').selectAll().execute();
      expect(JSON.stringify(all)).not.toContain('Wrong-Password-1');
      expect(JSON.stringify(all)).not.toContain(PASSWORD);
    });

    it('backs off one (account, address) pair exponentially, never locks the account, and treats unknown names alike', async () => {
      const max = rt.config.loginMaxFailures;
      const from =
        (ip: string) =>
        (username: string, password = PASSWORD) =>
          login({ ctx: rt, username, password, ip, userAgent: 'vitest', requestId: 'req-1' });
      const stranger = from('198.51.100.7');
      const outcome = async (fn: () => Promise<unknown>) => {
        try {
          await fn();
          return 'ok';
        } catch (e) {
          const err = e as AppError;
          return `${err.code}${err.retryAfterSeconds ? ` ${err.retryAfterSeconds}s` : ''}`;
        }
      };
      // The same sequence for a real account and for a name nobody has.
      const seen: Record<string, string[]> = {};
      for (const name of ['nobody.here', 'carol']) {
        const steps: string[] = [];
        for (let i = 1; i <= max + 1; i++)
          steps.push(await outcome(() => stranger(name, `Wrong-Password-${i}`)));
        steps.push(await outcome(() => stranger(name, 'Wrong-Password-x'))); // while waiting
        clock.advance(4000);
        steps.push(await outcome(() => stranger(name, 'Wrong-Password-y')));
        seen[name] = steps;
      }
      const free = Array.from({ length: max - 1 }, () => 'INVALID_CREDENTIALS');
      expect(seen.carol).toEqual([
        ...free,
        'INVALID_CREDENTIALS 2s', // the max-th failure: the next attempt waits 2 s
        'LOGIN_THROTTLED 2s', // came too early: refused, not checked, not counted
        'LOGIN_THROTTLED 2s',
        'INVALID_CREDENTIALS 4s', // 2^k grows with each further failure
      ]);
      expect(seen['nobody.here']).toEqual(seen.carol);

      // While the stranger's pair waits, the right password from there waits too (429, not 423)…
      expect(await outcome(() => stranger('carol'))).toMatch(/^LOGIN_THROTTLED \d+s$/);
      // …but carol from her own address signs in at once: nobody can hold her out.
      expect((await signIn('carol')).user.username).toBe('carol');

      // One audit row each time the back-off engages or grows, for real and unknown names.
      const throttled = (await auditRows(rt, 'auth.login.throttled')).map((r) => JSON.parse(r.after!));
      expect(throttled.filter((a) => a.username === 'carol')).toEqual([
        expect.objectContaining({ scope: 'source', ip: '198.51.100.7', failures: max, waitSeconds: 2 }),
        expect.objectContaining({ scope: 'source', ip: '198.51.100.7', failures: max + 1, waitSeconds: 4 }),
      ]);
      expect(throttled.filter((a) => a.username === 'nobody.here')).toHaveLength(2);
      // The account row is never locked.
      const row = await rt.db
        .selectFrom('users')
        .select(['locked_until'])
        .where('username', '=', 'carol')
        .executeTakeFirstOrThrow();
      expect(row.locked_until).toBeNull();

      // The wait is capped at LOGIN_LOCK_MINUTES, and the stranger's pair gets in after it.
      for (let i = 0; i < 12; i++) {
        const o = await outcome(() => stranger('carol', 'Wrong-Password-z'));
        const wait = Number(/ (\d+)s$/.exec(o)?.[1] ?? 0);
        expect(wait).toBeLessThanOrEqual(rt.config.loginLockMinutes * 60);
        clock.advance(wait * 1000);
      }
      expect(await outcome(() => stranger('carol', 'Wrong-Password-z'))).toBe(
        `INVALID_CREDENTIALS ${rt.config.loginLockMinutes * 60}s`,
      );
      clock.advance(rt.config.loginLockMinutes * 60 * 1000);
      expect(await outcome(() => stranger('carol'))).toBe('ok');
    });

    it('counts only consecutive failures: a success starts the count again', async () => {
      const max = rt.config.loginMaxFailures;
      for (let i = 1; i < max; i++) await signIn('dave', 'Wrong-Password-1').catch(() => {});
      await signIn('dave');
      for (let i = 1; i < max; i++)
        expect(await errorCode(() => signIn('dave', 'Wrong-Password-1'))).toBe('INVALID_CREDENTIALS');
      expect((await signIn('dave')).user.username).toBe('dave');
    });

    it('tells a disabled user so only when the password is right', async () => {
      const erin = await rt.db
        .selectFrom('users')
        .select('id')
        .where('username', '=', 'erin')
        .executeTakeFirstOrThrow();
      await rt.db.updateTable('users').set({ active: 0 }).where('id', '=', erin.id).execute();
      expect(await errorCode(() => signIn('erin', 'Wrong-Password-1'))).toBe('INVALID_CREDENTIALS');
      expect(await errorCode(() => signIn('erin'))).toBe('ACCOUNT_DISABLED');
      const rows = (await auditRows(rt, 'auth.login.failed'))
        .filter((r) => r.resource_id === erin.id)
        .map((r) => JSON.parse(r.after!).reason);
      expect(rows).toEqual(['wrongPassword', 'disabled']);
      await rt.db.updateTable('users').set({ active: 1 }).where('id', '=', erin.id).execute();
    });

    it('expires a session left idle, and slides the expiry while it is used', async () => {
      const idle = rt.config.sessionIdleMinutes * MIN;
      const { session } = await signIn('frank');
      clock.advance(idle - MIN);
      expect(await authenticateSession(rt, session.token)).not.toBeNull(); // slid to now + idle
      clock.advance(idle - MIN);
      expect(await authenticateSession(rt, session.token)).not.toBeNull();
      clock.advance(idle);
      expect(await authenticateSession(rt, session.token)).toBeNull();
    });

    it('expires a session at the absolute limit however busy it is', async () => {
      const started = clock.now().getTime();
      const absolute = started + rt.config.sessionAbsoluteHours * 60 * MIN;
      const { session } = await signIn('frank');
      while (clock.now().getTime() + 20 * MIN < absolute) {
        clock.advance(20 * MIN);
        expect(await authenticateSession(rt, session.token)).not.toBeNull();
      }
      const row = await rt.db
        .selectFrom('sessions')
        .select('expires_at')
        .where('id', '=', session.id)
        .executeTakeFirstOrThrow();
      expect(Date.parse(row.expires_at)).toBeLessThanOrEqual(absolute);
      clock.set(new Date(absolute).toISOString());
      expect(await authenticateSession(rt, session.token)).toBeNull();
    });

    it('writes last_seen_at at most once a minute', async () => {
      const { session } = await signIn('grace');
      const seen = async () =>
        await rt.db
          .selectFrom('sessions')
          .select(['last_seen_at', 'expires_at'])
          .where('id', '=', session.id)
          .executeTakeFirstOrThrow();
      const first = await seen();
      clock.advance(30_000);
      await authenticateSession(rt, session.token);
      expect(await seen()).toEqual(first);
      clock.advance(31_000);
      await authenticateSession(rt, session.token);
      const second = await seen();
      expect(second.last_seen_at).toBe(clock.now().toISOString());
      expect(Date.parse(second.expires_at)).toBe(clock.now().getTime() + rt.config.sessionIdleMinutes * MIN);
    });

    it('revokes a session at logout (audited, idempotent)', async () => {
      const { user, session } = await signIn('grace');
      const actor = { id: user.id, label: user.username, requestId: 'req-out' };
      await logout({ ctx: rt, actor, sessionId: session.id });
      await logout({ ctx: rt, actor, sessionId: session.id });
      expect(await authenticateSession(rt, session.token)).toBeNull();
      const rows = (await auditRows(rt, 'auth.logout')).filter((r) => r.resource_id === session.id);
      expect(rows).toHaveLength(1);
    });

    it('revokes the session the browser held when a new login replaces it', async () => {
      const first = await signIn('grace');
      const second = await login({
        ctx: rt,
        username: 'grace',
        password: PASSWORD,
        replaceToken: first.session.token,
      });
      expect(await authenticateSession(rt, first.session.token)).toBeNull();
      expect(await authenticateSession(rt, second.session.token)).not.toBeNull();
    });

    it('revokes all sessions of a user but one, and all of a disabled user', async () => {
      const a = await signIn('bob');
      const b = await signIn('bob');
      const c = await signIn('bob');
      const n = await rt.db
        .transaction()
        .execute((trx) =>
          revokeUserSessions(trx, { userId: a.user.id, now: clock.now(), exceptSessionId: c.session.id }),
        );
      expect(n).toBe(2);
      expect(await authenticateSession(rt, a.session.token)).toBeNull();
      expect(await authenticateSession(rt, b.session.token)).toBeNull();
      expect(await authenticateSession(rt, c.session.token)).not.toBeNull();
      const d = await signIn('bob');
      await updateUser({
        ctx: rt,
        actor: { id: null, label: 'test' },
        id: a.user.id,
        patch: { active: false },
      });
      expect(await authenticateSession(rt, c.session.token)).toBeNull();
      expect(await authenticateSession(rt, d.session.token)).toBeNull();
      // Re-enabling the account does not bring old sessions back.
      await updateUser({
        ctx: rt,
        actor: { id: null, label: 'test' },
        id: a.user.id,
        patch: { active: true },
      });
      expect(await authenticateSession(rt, d.session.token)).toBeNull();
    });

    it('refuses sessions of a user disabled behind its back (checked on every request)', async () => {
      const { user, session } = await signIn('alice');
      await rt.db.updateTable('users').set({ active: 0 }).where('id', '=', user.id).execute();
      expect(await authenticateSession(rt, session.token)).toBeNull();
      await rt.db.updateTable('users').set({ active: 1 }).where('id', '=', user.id).execute();
    });

    it('ignores garbage tokens', async () => {
      for (const t of ['', 'x', 'a'.repeat(43), 'a'.repeat(500)])
        expect(await authenticateSession(rt, t)).toBeNull();
    });

    it('purges long-ended sessions', async () => {
      const before = await rt.db
        .selectFrom('sessions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const throttleRows = await rt.db.selectFrom('login_throttle').select('username').execute();
      clock.advance(40 * 24 * 60 * MIN);
      const fresh = await signIn('alice');
      expect(await purgeSessionsJob.run(rt, 'today')).toBe(
        `${Number(before.n)} sessions purged, ${throttleRows.length} sign-in throttle rows purged`,
      );
      expect(await rt.db.selectFrom('login_throttle').select('username').execute()).toEqual([]);
      expect(await purgeSessions(rt, 30)).toBe(0);
      expect(await authenticateSession(rt, fresh.session.token)).not.toBeNull();
    });
  });
}
