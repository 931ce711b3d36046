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
import { verifyDummy, verifyPassword } from './passwords.js';
import type { AuthUser } from './policies.js';
import { authUserOf, normalizeUsername, PRINCIPAL_COLUMNS, shanghaiMinute } from './principal.js';
import { randomSecret, sha256Hex } from './secrets.js';

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

function lockedError(until: Date, now: Date) {
  const at = shanghaiMinute(until);
  return new AppError('ACCOUNT_LOCKED', {
    message: {
      zh: `连续登录失败次数过多，账号已临时锁定，请于 ${at}（北京时间）后再试`,
      en: `Too many failed sign-ins: the account is locked until ${at} (Beijing time)`,
    },
    detail: `locked until ${until.toISOString()}`,
    retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
  });
}

/**
 * Checks the credentials and opens a session. Refuses a locked account (ACCOUNT_LOCKED, with the
 * unlock time), a wrong password or unknown user (INVALID_CREDENTIALS, same timing) and a disabled
 * account (ACCOUNT_DISABLED, only once the password is right). Every outcome is audited; the
 * loginMaxFailures-th consecutive failure locks the account for loginLockMinutes.
 */
export async function login(input: LoginInput): Promise<{ user: AuthUser; session: NewSession }> {
  const { ctx, password } = input;
  const username = normalizeUsername(input.username);
  const now = ctx.clock.now();
  const requestId = input.requestId ?? null;
  const ip = input.ip ?? null;

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
      'failed_logins',
      'locked_until',
    ])
    .where('username', '=', username)
    .executeTakeFirst();

  if (!row) {
    await verifyDummy(password);
    await writeAudit(ctx.db, {
      actor: { id: null, label: 'anonymous', requestId },
      action: 'auth.login.failed',
      resourceType: 'user',
      resourceId: null,
      after: { username: username.slice(0, 64), reason: 'unknownUser', ip },
      at: now,
    });
    throw new AppError('INVALID_CREDENTIALS');
  }

  const actor: Actor = { id: row.id, label: row.username, requestId };
  if (row.locked_until && Date.parse(row.locked_until) > now.getTime()) {
    await writeAudit(ctx.db, {
      actor,
      action: 'auth.login.failed',
      resourceType: 'user',
      resourceId: row.id,
      after: { reason: 'locked', lockedUntil: row.locked_until, ip },
      at: now,
    });
    throw lockedError(new Date(row.locked_until), now);
  }

  const ok = await verifyPassword(row.password_hash, password);
  if (!ok) {
    const lockedUntil = await ctx.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('users')
        .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
        .where('id', '=', row.id)
        .returning(['failed_logins'])
        .executeTakeFirstOrThrow();
      const failures = Number(updated.failed_logins);
      await writeAudit(trx, {
        actor,
        action: 'auth.login.failed',
        resourceType: 'user',
        resourceId: row.id,
        before: { failedLogins: failures - 1 },
        after: { reason: 'wrongPassword', failedLogins: failures, ip },
        at: now,
      });
      if (failures < ctx.config.loginMaxFailures) return null;
      // Locked: the counter starts again from zero for the attempts after the lock ends.
      const until = new Date(now.getTime() + ctx.config.loginLockMinutes * MINUTE);
      await trx
        .updateTable('users')
        .set({ failed_logins: 0, locked_until: until.toISOString() })
        .where('id', '=', row.id)
        .execute();
      await writeAudit(trx, {
        actor,
        action: 'auth.account.locked',
        resourceType: 'user',
        resourceId: row.id,
        before: { failedLogins: failures, lockedUntil: row.locked_until },
        after: { failedLogins: 0, lockedUntil: until.toISOString(), ip },
        at: now,
      });
      return until;
    });
    throw lockedUntil ? lockedError(lockedUntil, now) : new AppError('INVALID_CREDENTIALS');
  }

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

  const session = await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ failed_logins: 0, locked_until: null, last_login_at: now.toISOString() })
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
      before: { failedLogins: row.failed_logins, lockedUntil: row.locked_until },
      after: {
        failedLogins: 0,
        lockedUntil: null,
        lastLoginAt: now.toISOString(),
        sessionId: s.id,
        replacedSessionId,
        ip,
      },
      at: now,
    });
    return s;
  });
  return { user: authUserOf(row, 'session'), session };
}

/** Daily clean-up of long-ended sessions, for the scheduler (platform jobs). */
export const purgeSessionsJob: Job = {
  name: 'auth.purgeSessions',
  every: 'day',
  run: async (ctx) => `${await purgeSessions(ctx)} sessions purged`,
};
