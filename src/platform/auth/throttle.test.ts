// The sign-in back-off: the arithmetic, the account-wide ceiling across addresses, and concurrent
// guesses from one address — on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { AppError } from '../../core/errors.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import type { Runtime } from '../bootstrap.js';
import { login } from './sessions.js';
import { addUser, auditRows, PASSWORD } from './test-helpers.js';
import { backoffSeconds } from './throttle.js';

describe('backoffSeconds', () => {
  it('is free up to the threshold, then 2, 4, 8 … seconds up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((f) => backoffSeconds(f, 5, 900))).toEqual([0, 0, 0, 0, 2, 4, 8, 16]);
    expect(backoffSeconds(20, 5, 900)).toBe(900);
    expect(backoffSeconds(10_000, 5, 900)).toBe(900);
  });
});

for (const dialect of DIALECTS) {
  describe(`sign-in throttle [${dialect}]`, () => {
    let rt: Runtime;
    const clock = offsetClock('2026-04-01T01:00:00.000Z');
    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
      await addUser(rt, 'target', 'regulator');
      await addUser(rt, 'busy', 'regulator');
    });
    afterAll(async () => rt?.close());

    const attempt = async (username: string, password: string, ip: string) => {
      try {
        await login({ ctx: rt, username, password, ip });
        return 'ok';
      } catch (e) {
        return (e as AppError).code;
      }
    };

    it('after many failures from many addresses, each address gets one free failure, and the owner still gets in', async () => {
      const ceiling = rt.config.loginAccountFailures;
      // A guess spread thin: one wrong password from each of `ceiling` addresses.
      for (let i = 0; i < ceiling; i++)
        expect(await attempt('target', 'Wrong-Password-1', `192.0.2.${i + 1}`)).toBe('INVALID_CREDENTIALS');
      const accountRows = (await auditRows(rt, 'auth.login.throttled')).filter(
        (r) => JSON.parse(r.after!).scope === 'account',
      );
      expect(accountRows.map((r) => JSON.parse(r.after!))).toEqual([
        expect.objectContaining({ username: 'target', failures: ceiling, freeFailuresPerSource: 1 }),
      ]);
      // Now a new address waits after its first failure…
      expect(await attempt('target', 'Wrong-Password-1', '198.51.100.1')).toBe('INVALID_CREDENTIALS');
      expect(await attempt('target', 'Wrong-Password-1', '198.51.100.1')).toBe('LOGIN_THROTTLED');
      // …but the owner's first attempt from anywhere else is never refused.
      expect(await attempt('target', PASSWORD, '198.51.100.2')).toBe('ok');
      // An hour after the last failure the ceiling is forgotten.
      clock.advance(61 * 60_000);
      for (let i = 0; i < rt.config.loginMaxFailures - 1; i++)
        expect(await attempt('target', 'Wrong-Password-1', '198.51.100.3')).toBe('INVALID_CREDENTIALS');
      expect(await attempt('target', 'Wrong-Password-1', '198.51.100.3')).toBe('INVALID_CREDENTIALS');
      expect(await attempt('target', 'Wrong-Password-1', '198.51.100.3')).toBe('LOGIN_THROTTLED');
    });

    it('counts concurrent guesses from one address one by one (the state is in the database)', async () => {
      const max = rt.config.loginMaxFailures;
      const outcomes = await Promise.all(
        Array.from({ length: max + 5 }, (_, i) => attempt('busy', `Wrong-Password-${i}`, '203.0.113.50')),
      );
      // However the requests interleave, at most `max` wrong passwords were checked before the wait.
      expect(outcomes.filter((o) => o === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(max);
      expect(outcomes.filter((o) => o === 'LOGIN_THROTTLED').length).toBeGreaterThanOrEqual(5);
      const pair = await rt.db
        .selectFrom('login_throttle')
        .select(['failures', 'blocked_until'])
        .where('username', '=', 'busy')
        .where('source', '=', '203.0.113.50')
        .executeTakeFirstOrThrow();
      expect(pair.blocked_until).not.toBeNull();
    });
  });
}
