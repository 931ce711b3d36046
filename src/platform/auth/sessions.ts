// Server-side sessions and the login that opens one. The cookie carries a 32-byte random token;
// the sessions table keeps its SHA-256, so a copy of the database opens no session. Each session
// has its own CSRF token (synchroniser-token pattern, enforced in plugin.ts). All time comes from
// ctx.clock.
import type { Kysely } from 'kysely';
import type { Config } from '../../core/config.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { bool } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../audit.js';
import type { Actor, AppContext } from '../context.js';
import type { Job } from '../jobs.js';
import { knownPasswordKind, verifyDummy, verifyPassword } from './passwords.js';
import type { AuthUser } from './policies.js';
import { authUserOf, normalizeUsername, PRINCIPAL_COLUMNS } from './principal.js';
import { randomSecret, sha256Hex } from './secrets.js';
import {
  attemptFailed,
  attemptSucceeded,
  purgeThrottle,
  reserveAttempt,
  throttledError,
} from './throttle.js';

export const SESSION_COOKIE = 'zh_session';
/** last_seen_at (and the sliding expiry) is written at most this often per session. */
export const TOUCH_INTERVAL_MS = 60_000;

export type SessionInfo = { id: string; csrfToken: string; expiresAt: string };
export type NewSession = SessionInfo & { token: string };
export type Authenticated = { user: AuthUser; session: SessionInfo };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A session expires after the idle time since it was last seen, and never later than the absolute time. */
export function sessionExpiry(
  config: Pick<Config, 'sessionIdleMinutes' | 'sessionAbsoluteHours'>,
  createdAt: Date,
  now: Date,
): Date {
  const absolute = createdAt.getTime() + config.sessionAbsoluteHours * HOUR;
  const idle = now.getTime() + config.sessionIdleMinutes * MINUTE;
  return new Date(Math.min(absolute, idle));
}

export async function createSession(
  trx: Kysely<Database>,
  config: Config,
  args: { userId: string; now: Date; ip?: string | null; userAgent?: string | null },
): Promise<NewSession> {
  const token = randomSecret();
  const session = {
    id: newId(),
    user_id: args.userId,
    token_hash: sha256Hex(token),
    csrf_token: randomSecret(),
    created_at: args.now.toISOString(),
    last_seen_at: args.now.toISOString(),
    expires_at: sessionExpiry(config, args.now, args.now).toISOString(),
    revoked_at: null,
    ip: args.ip?.slice(0, 64) ?? null,
    user_agent: args.userAgent?.slice(0, 400) ?? null,
  };
  await trx.insertInto('sessions').values(session).execute();
  return { id: session.id, token, csrfToken: session.csrf_token, expiresAt: session.expires_at };
}

/**
 * The user and session behind a cookie token, or null when the token is unknown, revoked, expired
 * or its user disabled. Slides the expiry (at most once a minute).
 */
export async function authenticateSession(ctx: AppContext, token: string): Promise<Authenticated | null> {
  if (!token || token.length > 100) return null;
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id as session_id',
      'sessions.csrf_token',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.revoked_at',
      ...PRINCIPAL_COLUMNS,
    ])
    .where('sessions.token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || !bool.read(row.active)) return null;
  const now = ctx.clock.now();
  const createdAt = new Date(row.created_at);
  // The stored expiry, but never past the absolute limit of the current config.
  const absolute = createdAt.getTime() + ctx.config.sessionAbsoluteHours * HOUR;
  if (now.getTime() >= Math.min(Date.parse(row.expires_at), absolute)) return null;

  let expiresAt = row.expires_at;
  if (now.getTime() - Date.parse(row.last_seen_at) >= TOUCH_INTERVAL_MS) {
    expiresAt = sessionExpiry(ctx.config, createdAt, now).toISOString();
    await ctx.db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString(), expires_at: expiresAt })
      .where('id', '=', row.session_id)
      .where('revoked_at', 'is', null)
      .execute();
  }
  return {
    user: authUserOf(row, 'session'),
    session: { id: row.session_id, csrfToken: row.csrf_token, expiresAt },
  };
}

/** Revokes the user's live sessions (all, or all but one); returns how many. Runs in the caller's transaction. */
export async function revokeUserSessions(
  trx: Kysely<Database>,
  args: { userId: string; now: Date; exceptSessionId?: string | null },
): Promise<number> {
  let q = trx
    .updateTable('sessions')
    .set({ revoked_at: args.now.toISOString() })
    .where('user_id', '=', args.userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', args.now.toISOString());
  if (args.exceptSessionId) q = q.where('id', '!=', args.exceptSessionId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0);
}

/** Logout: revokes one session (audited). Idempotent. */
export async function logout(args: { ctx: AppContext; actor: Actor; sessionId: string }): Promise<void> {
  const { ctx, actor, sessionId } = args;
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('sessions')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows ?? 0) === 0) return;
    await writeAudit(trx, {
      actor,
      action: 'auth.logout',
      resourceType: 'session',
      resourceId: sessionId,
      after: { revokedAt: now.toISOString() },
      at: now,
    });
  });
}

/** Deletes sessions that ended (expired or revoked) more than `keepDays` ago. */
export async function purgeSessions(ctx: AppContext, keepDays = 30): Promise<number> {
  const cutoff = new Date(ctx.clock.now().getTime() - keepDays * 24 * HOUR).toISOString();
  const r = await ctx.db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('revoked_at', '<', cutoff)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows ?? 0);
}

export type LoginInput = {
  ctx: AppContext;
  username: string;
  password: string;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  /** The session cookie the browser already holds: revoked when the new session replaces it. */
  replaceToken?: string | null;
};

/**
 * Checks the credentials and opens a session. Every outcome is audited.
 * - While the (username, address) pair waits out its back-off (throttle.ts): LOGIN_THROTTLED (429,
 *   Retry-After), the same for every username, known or not, right password or not.
 * - A wrong password or an unknown user: INVALID_CREDENTIALS, same timing (a dummy hash is checked).
 * - A disabled account: ACCOUNT_DISABLED, only once the password is right.
 * - Outside a demo deployment, a published or common password opens a session that may only
 *   change the password (`mustChangePassword`; plugin.ts refuses everything else).
 */
export async function login(input: LoginInput): Promise<{ user: AuthUser; session: NewSession }> {
  const { ctx, password } = input;
  const username = normalizeUsername(input.username).slice(0, 64);
  const now = ctx.clock.now();
  const requestId = input.requestId ?? null;
  const ip = input.ip ?? null;

  const attempt = await reserveAttempt(ctx.db, ctx.config, { username, ip, now });
  if (!attempt.allowed) throw throttledError(attempt.retryAfterSeconds);

  const row = await ctx.db
    .selectFrom('users')
    .select([
      'id',
      'username',
      'display_name',
      'password_hash',
      'role',
      'town_code',
      'enterprise_id',
      'active',
      'must_change_password',
    ])
    .where('username', '=', username)
    .executeTakeFirst();

  const ok = row ? await verifyPassword(row.password_hash, password) : await verifyDummy(password);
  if (!row || !ok) {
    const actor: Actor = row
      ? { id: row.id, label: row.username, requestId }
      : { id: null, label: 'anonymous', requestId };
    await ctx.db.transaction().execute(async (trx) => {
      await writeAudit(trx, {
        actor,
        action: 'auth.login.failed',
        resourceType: 'user',
        resourceId: row?.id ?? null,
        after: row
          ? { reason: 'wrongPassword', failures: attempt.failures, ip }
          : { username, reason: 'unknownUser', failures: attempt.failures, ip },
        at: now,
      });
      await attemptFailed(trx, ctx.config, { username, attempt, actor, userId: row?.id ?? null, now });
    });
    throw new AppError('INVALID_CREDENTIALS', {
      ...(attempt.waitSeconds
        ? {
            message: {
              zh: `用户名或密码错误；失败次数过多，请 ${attempt.waitSeconds} 秒后再试`,
              en: `Wrong username or password; too many failures: try again in ${attempt.waitSeconds} seconds`,
            },
            retryAfterSeconds: attempt.waitSeconds,
          }
        : {}),
    });
  }

  const actor: Actor = { id: row.id, label: row.username, requestId };
  await attemptSucceeded(ctx.db, { username, source: attempt.source });

  if (!bool.read(row.active)) {
    await writeAudit(ctx.db, {
      actor,
      action: 'auth.login.failed',
      resourceType: 'user',
      resourceId: row.id,
      after: { reason: 'disabled', ip },
      at: now,
    });
    throw new AppError('ACCOUNT_DISABLED');
  }

  const wasFlagged = bool.read(row.must_change_password);
  const known = ctx.config.demo ? null : knownPasswordKind(password);
  const mustChangePassword = wasFlagged || known !== null;

  const session = await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({
        last_login_at: now.toISOString(),
        ...(mustChangePassword && !wasFlagged ? { must_change_password: 1 } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    let replacedSessionId: string | null = null;
    if (input.replaceToken && input.replaceToken.length <= 100) {
      const old = await trx
        .updateTable('sessions')
        .set({ revoked_at: now.toISOString() })
        .where('token_hash', '=', sha256Hex(input.replaceToken))
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      replacedSessionId = old?.id ?? null;
    }
    const s = await createSession(trx, ctx.config, { userId: row.id, now, ip, userAgent: input.userAgent });
    await writeAudit(trx, {
      actor,
      action: 'auth.login.succeeded',
      resourceType: 'user',
      resourceId: row.id,
      after: {
        lastLoginAt: now.toISOString(),
        sessionId: s.id,
        replacedSessionId,
        ip,
        ...(mustChangePassword ? { passwordChangeRequired: true, passwordKind: known ?? 'flagged' } : {}),
      },
      at: now,
    });
    return s;
  });
  return { user: { ...authUserOf(row, 'session'), mustChangePassword }, session };
}

/** Daily clean-up of long-ended sessions, for the scheduler (platform jobs). */
export const purgeSessionsJob: Job = {
  name: 'auth.purgeSessions',
  every: 'day',
  run: async (ctx) =>
    `${await purgeSessions(ctx)} sessions purged, ${await purgeThrottle(ctx.db, ctx.clock.now())} sign-in throttle rows purged`,
};
