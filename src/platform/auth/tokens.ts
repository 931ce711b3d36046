// API tokens for machine clients: `Authorization: Bearer zh_…`. The plaintext is returned once at
// creation; the table keeps its SHA-256. A token acts as its user (same role and scope) and stops
// working when revoked, expired, or when its user is disabled.
import type { Kysely, Selectable } from 'kysely';
import { AppError, fieldError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { bool } from '../../db/codecs.js';
import type { ApiTokenTable, Database } from '../../db/schema.js';
import { writeAudit } from '../audit.js';
import type { Actor, AppContext } from '../context.js';
import type { AuthUser } from './policies.js';
import { authUserOf, PRINCIPAL_COLUMNS } from './principal.js';
import { randomSecret, sha256Hex } from './secrets.js';
import { TOUCH_INTERVAL_MS } from './sessions.js';

export const TOKEN_PREFIX = 'zh_';
const TOKEN_PATTERN = /^zh_[A-Za-z0-9_-]{43}$/;

export type ApiTokenView = {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
};

export function presentApiToken(row: Selectable<ApiTokenTable>): ApiTokenView {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** Creates a token for `userId`; the returned `token` is the only time the plaintext exists. */
export async function createApiToken(args: {
  ctx: AppContext;
  actor: Actor;
  userId: string;
  name: string;
  expiresAt?: Date | string | null;
}): Promise<ApiTokenView & { token: string }> {
  const { ctx, actor, userId } = args;
  const now = ctx.clock.now();
  const name = args.name.trim();
  if (name.length < 1 || name.length > 100) {
    throw fieldError('name', 'LENGTH', {
      zh: '令牌名称须为 1–100 个字符',
      en: 'The token name must have 1–100 characters',
    });
  }
  let expiresAt: string | null = null;
  if (args.expiresAt !== undefined && args.expiresAt !== null) {
    const d = typeof args.expiresAt === 'string' ? new Date(args.expiresAt) : args.expiresAt;
    if (Number.isNaN(d.getTime())) {
      throw fieldError('expiresAt', 'INVALID_DATE', {
        zh: '过期时间不是有效的时间',
        en: 'expiresAt is not a valid time',
      });
    }
    if (d.getTime() <= now.getTime()) {
      throw fieldError('expiresAt', 'IN_PAST', {
        zh: '过期时间必须晚于当前时间',
        en: 'expiresAt must be in the future',
      });
    }
    expiresAt = d.toISOString();
  }
  const user = await ctx.db
    .selectFrom('users')
    .select(['id', 'active'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw notFound({ zh: '用户', en: 'User' });
  if (!bool.read(user.active)) throw new AppError('ACCOUNT_DISABLED');

  const token = `${TOKEN_PREFIX}${randomSecret()}`;
  const row: Selectable<ApiTokenTable> = {
    id: newId(),
    user_id: userId,
    name,
    token_hash: sha256Hex(token),
    created_at: now.toISOString(),
    last_used_at: null,
    expires_at: expiresAt,
    revoked_at: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('api_tokens').values(row).execute();
    await writeAudit(trx, {
      actor,
      action: 'apiToken.create',
      resourceType: 'apiToken',
      resourceId: row.id,
      after: { userId, name, expiresAt },
      at: now,
    });
  });
  return { ...presentApiToken(row), token };
}

/** The user a bearer token stands for, or null. Records last_used_at (at most once a minute). */
export async function verifyApiToken(
  ctx: AppContext,
  token: string,
): Promise<{ user: AuthUser; tokenId: string } | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const row = await ctx.db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as token_id',
      'api_tokens.expires_at',
      'api_tokens.revoked_at',
      'api_tokens.last_used_at',
      ...PRINCIPAL_COLUMNS,
    ])
    .where('api_tokens.token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || !bool.read(row.active)) return null;
  const now = ctx.clock.now();
  if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) return null;
  if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= TOUCH_INTERVAL_MS) {
    await ctx.db
      .updateTable('api_tokens')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', row.token_id)
      .execute();
  }
  return { user: authUserOf(row, 'token'), tokenId: row.token_id };
}

/** The user's tokens, newest first (never the secret). */
export async function listApiTokens(ctx: AppContext, userId: string): Promise<ApiTokenView[]> {
  const rows = await ctx.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(presentApiToken);
}

/**
 * Revokes one token. With `ownerId`, only a token of that user is found (others answer NOT_FOUND,
 * so a user cannot probe for other users' token ids). Revoking twice is a no-op.
 */
export async function revokeApiToken(args: {
  ctx: AppContext;
  actor: Actor;
  tokenId: string;
  ownerId?: string | null;
}): Promise<ApiTokenView> {
  const { ctx, actor, tokenId } = args;
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    let q = trx.selectFrom('api_tokens').selectAll().where('id', '=', tokenId);
    if (args.ownerId) q = q.where('user_id', '=', args.ownerId);
    const row = await q.executeTakeFirst();
    if (!row) throw notFound({ zh: '令牌', en: 'API token' });
    if (row.revoked_at !== null) return presentApiToken(row);
    await trx
      .updateTable('api_tokens')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
    await writeAudit(trx, {
      actor,
      action: 'apiToken.revoke',
      resourceType: 'apiToken',
      resourceId: row.id,
      before: { revokedAt: null },
      after: { userId: row.user_id, name: row.name, revokedAt: now.toISOString() },
      at: now,
    });
    return presentApiToken({ ...row, revoked_at: now.toISOString() });
  });
}

/** Revokes every live token of a user (when the user is disabled); returns how many. */
export async function revokeUserTokens(
  trx: Kysely<Database>,
  args: { userId: string; now: Date },
): Promise<number> {
  const r = await trx
    .updateTable('api_tokens')
    .set({ revoked_at: args.now.toISOString() })
    .where('user_id', '=', args.userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0);
}
