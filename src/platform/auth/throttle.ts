// The sign-in back-off. Accounts are never locked: a stranger who types wrong passwords for
// somebody else's account slows down only their own address, never the real user's.
//
// - Per (username as typed, source address): the first LOGIN_MAX_FAILURES failures are free;
//   after that, each failure makes the pair wait 2, 4, 8 … seconds (at most LOGIN_LOCK_MINUTES)
//   before its next attempt. An attempt while waiting gets 429 LOGIN_THROTTLED with Retry-After,
//   the right password included, and is not checked (so it costs no hashing and counts nothing).
// - Per account across all addresses (source '*'): once LOGIN_ACCOUNT_FAILURES failures came
//   within an hour (a guess spread over many addresses), every address gets a single free failure
//   before its back-off. It slows a distributed attack; it never refuses a first attempt, so the
//   real user from their own address always gets in with the right password.
// - Usernames that belong to nobody are throttled exactly the same way (rows keyed by the name as
//   typed), so the answers say nothing about which names exist.
// - The state lives in the database, so several app nodes share it. An attempt is reserved before
//   the password is checked, by a compare-and-set on the pair's row (no lock): two concurrent
//   guesses from one pair are counted as two.
import type { Kysely } from 'kysely';
import type { Config } from '../../core/config.js';
import { AppError } from '../../core/errors.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../audit.js';
import type { Actor } from '../context.js';

export const ACCOUNT_SOURCE = '*';
/** Account-wide failures count within this window (since the last failure). */
export const ACCOUNT_WINDOW_MS = 60 * 60_000;
/** A pair quiet this long starts again from zero; the daily purge deletes such rows. */
export const PAIR_FORGET_MS = 24 * 60 * 60_000;

type ThrottleConfig = Pick<Config, 'loginMaxFailures' | 'loginLockMinutes' | 'loginAccountFailures'>;

/** The wait (seconds) after the `failures`-th failure when `free` are free: 0, then 2^k up to the cap. */
export function backoffSeconds(failures: number, free: number, capSeconds: number): number {
  if (failures < free) return 0;
  return Math.min(capSeconds, 2 ** Math.min(failures - free + 1, 30));
}

export type Attempt =
  | { allowed: true; failures: number; free: number; waitSeconds: number; source: string }
  | { allowed: false; retryAfterSeconds: number };

const sourceOf = (ip: string | null | undefined) => (ip || 'unknown').slice(0, 64);

/**
 * Reserves one attempt for (username, ip): refused while the pair waits; otherwise counts it as a
 * failure in advance (undone by `attemptSucceeded`) and sets the wait the next attempt will face.
 */
export async function reserveAttempt(
  db: Kysely<Database>,
  config: ThrottleConfig,
  args: { username: string; ip: string | null | undefined; now: Date },
): Promise<Attempt> {
  const { username, now } = args;
  const source = sourceOf(args.ip);
  const nowIso = now.toISOString();
  const cap = config.loginLockMinutes * 60;
  for (let round = 0; round < 5; round++) {
    const rows = await db
      .selectFrom('login_throttle')
      .selectAll()
      .where('username', '=', username)
      .where('source', 'in', [source, ACCOUNT_SOURCE])
      .execute();
    const pair = rows.find((r) => r.source === source);
    const account = rows.find((r) => r.source === ACCOUNT_SOURCE);
    const accountFailures =
      account && now.getTime() - Date.parse(account.last_failure_at) < ACCOUNT_WINDOW_MS
        ? account.failures
        : 0;
    const free = accountFailures >= config.loginAccountFailures ? 1 : config.loginMaxFailures;
    if (pair?.blocked_until && Date.parse(pair.blocked_until) > now.getTime()) {
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((Date.parse(pair.blocked_until) - now.getTime()) / 1000)),
      };
    }
    const stale = !pair || now.getTime() - Date.parse(pair.last_failure_at) >= PAIR_FORGET_MS;
    const failures = (stale ? 0 : pair.failures) + 1;
    const waitSeconds = backoffSeconds(failures, free, cap);
    const blockedUntil = waitSeconds ? new Date(now.getTime() + waitSeconds * 1000).toISOString() : null;
    const won = pair
      ? await db
          .updateTable('login_throttle')
          .set({ failures, blocked_until: blockedUntil, last_failure_at: nowIso })
          .where('username', '=', username)
          .where('source', '=', source)
          .where('failures', '=', pair.failures)
          .where('last_failure_at', '=', pair.last_failure_at)
          .returning('username')
          .executeTakeFirst()
      : await db
          .insertInto('login_throttle')
          .values({ username, source, failures, blocked_until: blockedUntil, last_failure_at: nowIso })
          .onConflict((oc) => oc.columns(['username', 'source']).doNothing())
          .returning('username')
          .executeTakeFirst();
    if (won) return { allowed: true, failures, free, waitSeconds, source };
  }
  // Lost the race five times in a row: this pair is hammering in parallel.
  return { allowed: false, retryAfterSeconds: 1 };
}

/** The right password: the pair starts again from zero (the account-wide count stays). */
export async function attemptSucceeded(
  db: Kysely<Database>,
  args: { username: string; source: string },
): Promise<void> {
  await db
    .deleteFrom('login_throttle')
    .where('username', '=', args.username)
    .where('source', '=', args.source)
    .execute();
}

/**
 * A wrong password (the pair's count was already taken by reserveAttempt): counts it for the
 * account across all addresses, and writes an `auth.login.throttled` audit row when the pair's
 * back-off engages or grows, or when the account-wide ceiling is reached.
 */
export async function attemptFailed(
  trx: Kysely<Database>,
  config: ThrottleConfig,
  args: {
    username: string;
    attempt: Extract<Attempt, { allowed: true }>;
    actor: Actor;
    userId: string | null;
    now: Date;
  },
): Promise<void> {
  const { username, attempt, now } = args;
  const nowIso = now.toISOString();
  const windowStart = new Date(now.getTime() - ACCOUNT_WINDOW_MS).toISOString();
  const account = await trx
    .insertInto('login_throttle')
    .values({ username, source: ACCOUNT_SOURCE, failures: 1, blocked_until: null, last_failure_at: nowIso })
    .onConflict((oc) =>
      oc.columns(['username', 'source']).doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('login_throttle.last_failure_at', '<', windowStart)
          .then(1)
          .else(eb('login_throttle.failures', '+', 1))
          .end(),
        last_failure_at: nowIso,
      })),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  const audit = (after: Record<string, unknown>) =>
    writeAudit(trx, {
      actor: args.actor,
      action: 'auth.login.throttled',
      resourceType: 'user',
      resourceId: args.userId,
      after: { username: username.slice(0, 64), ...after },
      at: now,
    });
  if (attempt.waitSeconds > 0) {
    await audit({
      scope: 'source',
      ip: attempt.source,
      failures: attempt.failures,
      waitSeconds: attempt.waitSeconds,
      until: new Date(now.getTime() + attempt.waitSeconds * 1000).toISOString(),
    });
  }
  if (Number(account.failures) === config.loginAccountFailures) {
    await audit({ scope: 'account', failures: Number(account.failures), freeFailuresPerSource: 1 });
  }
}

/** Forgets every throttle row of an account (its password was set anew). */
export async function clearThrottle(trx: Kysely<Database>, username: string): Promise<void> {
  await trx.deleteFrom('login_throttle').where('username', '=', username).execute();
}

/** Deletes rows quiet for a day whose wait is over (daily, with the session purge). */
export async function purgeThrottle(db: Kysely<Database>, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - PAIR_FORGET_MS).toISOString();
  const r = await db
    .deleteFrom('login_throttle')
    .where('last_failure_at', '<', cutoff)
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', now.toISOString())]))
    .executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

export function throttledError(retryAfterSeconds: number): AppError {
  return new AppError('LOGIN_THROTTLED', {
    message: {
      zh: `登录失败次数过多，请 ${retryAfterSeconds} 秒后再试`,
      en: `Too many failed sign-ins: try again in ${retryAfterSeconds} seconds`,
    },
    retryAfterSeconds,
  });
}
