// User accounts: create, update (profile, role and scope, active, password reset), list. Every
// mutation writes its audit row in the same transaction; nothing here ever returns password_hash:
// rows leave only through presentUser.
import type { Kysely, Selectable } from 'kysely';
import { AppError, type FieldError, fieldError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { bool, containsText } from '../../db/codecs.js';
import type { Database, UserTable } from '../../db/schema.js';
import { writeAudit } from '../audit.js';
import type { Actor, AppContext } from '../context.js';
import {
  generatePassword,
  hashPassword,
  knownPasswordKind,
  passwordProblems,
  verifyPassword,
} from './passwords.js';
import { isRole, type Role } from './policies.js';
import { normalizeUsername, USERNAME_PATTERN } from './principal.js';
import { revokeUserSessions } from './sessions.js';
import { clearThrottle } from './throttle.js';
import { revokeUserTokens } from './tokens.js';

export const ORG_ROLES: readonly Role[] = ['enterprise', 'lab', 'maintenanceUnit'];
const DISPLAY_NAME_MAX = 50;

export type PresentedUser = {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  townCode: string | null;
  enterpriseId: string | null;
  enterpriseUscc: string | null;
  enterpriseName: string | null;
  active: boolean;
  /** Published or common password: the user must change it at the next sign-in. */
  mustChangeOnSignIn: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
};

/** A user just created or reset with a server-made password: the only time it is ever shown. */
export type PresentedUserWithPassword = PresentedUser & { generatedPassword?: string };

type UserRow = Selectable<UserTable>;
type EnterpriseRef = { uscc: string; name: string } | null;

/** The only way a user row leaves this module: named fields, never password_hash. */
export function presentUser(row: UserRow, enterprise: EnterpriseRef = null): PresentedUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    townCode: row.town_code,
    enterpriseId: row.enterprise_id,
    enterpriseUscc: enterprise?.uscc ?? null,
    enterpriseName: enterprise?.name ?? null,
    active: bool.read(row.active),
    mustChangeOnSignIn: bool.read(row.must_change_password),
    lockedUntil: row.locked_until,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What the audit log keeps of a user (no hash, no login bookkeeping). */
const auditSnapshot = (
  r: Pick<UserRow, 'username' | 'display_name' | 'role' | 'town_code' | 'enterprise_id' | 'active'>,
) => ({
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  townCode: r.town_code,
  enterpriseId: r.enterprise_id,
  active: bool.read(r.active),
});

export type NewUserInput = {
  username: string;
  /** Typed by the administrator; leave it out and set generatePassword to have one made. */
  password?: string | null;
  /** The server makes the password (returned once); its owner must change it at first sign-in. */
  generatePassword?: boolean;
  displayName: string;
  role: Role | string;
  /** Required for townOfficer (a town code); must be empty for other roles. */
  townCode?: string | null;
  /**
   * Required for enterprise, lab and maintenanceUnit (the USCC, or the enterprise's id); must be
   * empty for other roles.
   */
  enterpriseUscc?: string | null;
  enterpriseId?: string | null;
};

export type UserPatch = {
  displayName?: string;
  active?: boolean;
  role?: Role | string;
  townCode?: string | null;
  enterpriseUscc?: string | null;
  enterpriseId?: string | null;
  /** A password reset: the user's sessions are revoked (all but keepSessionId). */
  password?: string;
  /** A reset to a server-made password (returned once), to be changed at the next sign-in. */
  generatePassword?: boolean;
};

/**
 * The password a create or reset asks for: typed, or generated (never both). Adds field errors
 * for a missing or doubled choice and for a typed password that breaks a rule.
 */
function choosePassword(
  input: { password?: string | null; generatePassword?: boolean },
  username: string,
  required: boolean,
  errors: FieldError[],
  options: { allowPublished?: boolean } = {},
): { password: string | null; generated: boolean } {
  const typed = input.password ?? null;
  if (input.generatePassword === true) {
    if (typed !== null && typed !== '') {
      errors.push({
        field: 'password',
        code: 'EXCLUSIVE',
        message: {
          zh: '请在“填写密码”和“由系统生成密码”中二选一',
          en: 'Either type a password or have one generated, not both',
        },
      });
      return { password: null, generated: false };
    }
    return { password: generatePassword(username), generated: true };
  }
  if (typed === null || (typed === '' && required)) {
    if (required) {
      errors.push({
        field: 'password',
        code: 'REQUIRED',
        message: {
          zh: '请填写初始密码，或选择由系统生成密码',
          en: 'Type an initial password or have one generated',
        },
      });
    }
    return { password: null, generated: false };
  }
  errors.push(...passwordProblems(typed, username, 'password', options));
  return { password: typed, generated: false };
}

const blank = (v: string | null | undefined) => v === undefined || v === null || v.trim() === '';

function failed(fields: FieldError[]): AppError {
  return new AppError('VALIDATION_FAILED', { fields, message: fields[0]?.message });
}

function checkDisplayName(raw: string | undefined, errors: FieldError[]): string {
  const v = (raw ?? '').trim();
  if (v.length < 1 || v.length > DISPLAY_NAME_MAX) {
    errors.push({
      field: 'displayName',
      code: 'LENGTH',
      message: {
        zh: `显示名称须为 1–${DISPLAY_NAME_MAX} 个字符`,
        en: `The display name must have 1–${DISPLAY_NAME_MAX} characters`,
      },
    });
  }
  return v;
}

function checkRole(raw: unknown, errors: FieldError[]): Role | null {
  if (isRole(raw)) return raw;
  errors.push({
    field: 'role',
    code: 'UNKNOWN_ROLE',
    message: { zh: `未知的角色“${String(raw)}”`, en: `Unknown role "${String(raw)}"` },
  });
  return null;
}

/**
 * The town and enterprise a role is bound to. `town`/`uscc` undefined means "keep `current`";
 * a townOfficer needs a known town, an enterprise role a registered enterprise, and the other
 * roles neither.
 */
async function resolveBinding(
  db: Kysely<Database>,
  role: Role,
  town: string | null | undefined,
  org: { uscc: string | null | undefined; id: string | null | undefined },
  current: { townCode: string | null; enterpriseId: string | null } | null,
): Promise<{ townCode: string | null; enterpriseId: string | null; enterprise: EnterpriseRef }> {
  const errors: FieldError[] = [];
  let townCode: string | null = null;
  let enterpriseId: string | null = null;
  let enterprise: EnterpriseRef = null;

  if (role === 'townOfficer') {
    const wanted = town === undefined ? (current?.townCode ?? null) : blank(town) ? null : town!.trim();
    if (!wanted) {
      errors.push({
        field: 'townCode',
        code: 'REQUIRED',
        message: { zh: '镇街专员须指定所属镇街', en: 'A town officer needs a town' },
      });
    } else {
      const found = await db.selectFrom('towns').select('code').where('code', '=', wanted).executeTakeFirst();
      if (!found) {
        throw fieldError(
          'townCode',
          'UNKNOWN_TOWN',
          { zh: `未知的镇街代码“${wanted}”`, en: `Unknown town code "${wanted}"` },
          'UNKNOWN_TOWN',
        );
      }
      townCode = found.code;
    }
  } else if (!blank(town)) {
    errors.push({
      field: 'townCode',
      code: 'NOT_APPLICABLE',
      message: { zh: '只有镇街专员可以指定镇街', en: 'Only a town officer has a town' },
    });
  }

  const { uscc, id } = org;
  if (ORG_ROLES.includes(role)) {
    if (uscc === undefined && id === undefined && current?.enterpriseId) {
      const e = await db
        .selectFrom('enterprises')
        .select(['id', 'uscc', 'name'])
        .where('id', '=', current.enterpriseId)
        .executeTakeFirst();
      enterpriseId = current.enterpriseId;
      enterprise = e ? { uscc: e.uscc, name: e.name } : null;
    } else if (!blank(id)) {
      const e = await db
        .selectFrom('enterprises')
        .select(['id', 'uscc', 'name'])
        .where('id', '=', id!.trim())
        .executeTakeFirst();
      if (!e) {
        errors.push({
          field: 'enterpriseId',
          code: 'UNKNOWN_ENTERPRISE',
          message: { zh: '所选企业未登记', en: 'The chosen enterprise is not registered' },
        });
      } else if (!blank(uscc) && uscc!.trim().toUpperCase() !== e.uscc) {
        errors.push({
          field: 'enterpriseUscc',
          code: 'MISMATCH',
          message: {
            zh: `统一社会信用代码与所选企业（${e.uscc}）不一致`,
            en: `The USCC does not match the chosen enterprise (${e.uscc})`,
          },
        });
      } else {
        enterpriseId = e.id;
        enterprise = { uscc: e.uscc, name: e.name };
      }
    } else if (blank(uscc)) {
      errors.push({
        field: 'enterpriseUscc',
        code: 'REQUIRED',
        message: {
          zh: '企业、检测机构和维保单位账号须指定所属单位的统一社会信用代码',
          en: 'This role needs the USCC of its enterprise',
        },
      });
    } else {
      const code = uscc!.trim().toUpperCase();
      const e = await db
        .selectFrom('enterprises')
        .select(['id', 'uscc', 'name'])
        .where('uscc', '=', code)
        .executeTakeFirst();
      if (!e) {
        errors.push({
          field: 'enterpriseUscc',
          code: 'UNKNOWN_ENTERPRISE',
          message: {
            zh: `统一社会信用代码为 ${code} 的企业未登记`,
            en: `No registered enterprise has the USCC ${code}`,
          },
        });
      } else {
        enterpriseId = e.id;
        enterprise = { uscc: e.uscc, name: e.name };
      }
    }
  } else if (!blank(uscc) || !blank(id)) {
    errors.push({
      field: blank(uscc) ? 'enterpriseId' : 'enterpriseUscc',
      code: 'NOT_APPLICABLE',
      message: {
        zh: '只有企业、检测机构和维保单位账号可以指定所属单位',
        en: 'Only enterprise, lab and maintenance-unit accounts belong to an enterprise',
      },
    });
  }
  if (errors.length) throw failed(errors);
  return { townCode, enterpriseId, enterprise };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/i.test(e?.message ?? '')
  );
}

const usernameTaken = (username: string) =>
  fieldError(
    'username',
    'TAKEN',
    { zh: `用户名“${username}”已被使用`, en: `The username "${username}" is taken` },
    'ALREADY_EXISTS',
  );

export async function createUser(args: {
  ctx: AppContext;
  actor: Actor;
  input: NewUserInput;
}): Promise<PresentedUserWithPassword> {
  const { ctx, actor, input } = args;
  const errors: FieldError[] = [];
  const username = normalizeUsername(input.username ?? '');
  if (!USERNAME_PATTERN.test(username)) {
    errors.push({
      field: 'username',
      code: 'PATTERN',
      message: {
        zh: '用户名须为 3–32 个小写字母、数字或 . _ -',
        en: 'The username must be 3–32 of a-z, 0-9, . _ -',
      },
    });
  }
  const displayName = checkDisplayName(input.displayName, errors);
  const role = checkRole(input.role, errors);
  // Only the demo seed may set a published password (the demo password); outside a demo
  // deployment the account must then change it at sign-in.
  const seeding = actor.id === null && actor.label === 'seed';
  const chosen = choosePassword(input, username, true, errors, { allowPublished: seeding });
  if (errors.length || !role || chosen.password === null) throw failed(errors);
  const password = chosen.password;
  const published = knownPasswordKind(password) === 'published';

  const binding = await resolveBinding(
    ctx.db,
    role,
    input.townCode,
    { uscc: input.enterpriseUscc, id: input.enterpriseId },
    null,
  );
  const taken = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirst();
  if (taken) throw usernameTaken(username);

  const now = ctx.clock.now().toISOString();
  const row: UserRow = {
    id: newId(),
    username,
    display_name: displayName,
    password_hash: await hashPassword(password),
    role,
    town_code: binding.townCode,
    enterprise_id: binding.enterpriseId,
    active: 1,
    failed_logins: 0,
    locked_until: null,
    last_login_at: null,
    created_at: now,
    updated_at: now,
    // A generated password was seen by the administrator: its owner replaces it at first sign-in.
    must_change_password: chosen.generated || (published && !ctx.config.demo) ? 1 : 0,
  };
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values(row).execute();
      await writeAudit(trx, {
        actor,
        action: 'user.create',
        resourceType: 'user',
        resourceId: row.id,
        enterpriseId: row.enterprise_id,
        after: { ...auditSnapshot(row), ...(chosen.generated ? { passwordGenerated: true } : {}) },
        at: ctx.clock.now(),
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw usernameTaken(username);
    throw err;
  }
  const presented = presentUser(row, binding.enterprise);
  return chosen.generated ? { ...presented, generatedPassword: password } : presented;
}

async function loadUser(db: Kysely<Database>, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

async function enterpriseRef(db: Kysely<Database>, enterpriseId: string | null): Promise<EnterpriseRef> {
  if (!enterpriseId) return null;
  const e = await db
    .selectFrom('enterprises')
    .select(['uscc', 'name'])
    .where('id', '=', enterpriseId)
    .executeTakeFirst();
  return e ?? null;
}

export async function getUser(ctx: AppContext, id: string): Promise<PresentedUser | null> {
  const row = await loadUser(ctx.db, id);
  return row ? presentUser(row, await enterpriseRef(ctx.db, row.enterprise_id)) : null;
}

/**
 * Changes a user. Disabling revokes all the user's sessions and API tokens; a password reset
 * clears the sign-in back-off of the account and its must-change flag, and revokes the user's sessions except `keepSessionId` (the admin's own,
 * when resetting their own password). An admin cannot disable or demote themselves, and the last
 * active admin cannot be disabled or demoted.
 */
export async function updateUser(args: {
  ctx: AppContext;
  actor: Actor;
  id: string;
  patch: UserPatch;
  keepSessionId?: string | null;
}): Promise<PresentedUserWithPassword> {
  const { ctx, actor, id, patch } = args;
  const before = await loadUser(ctx.db, id);
  if (!before) throw notFound({ zh: '用户', en: 'User' });

  const errors: FieldError[] = [];
  const displayName =
    patch.displayName === undefined ? before.display_name : checkDisplayName(patch.displayName, errors);
  const role = patch.role === undefined ? (before.role as Role) : checkRole(patch.role, errors);
  const chosen = choosePassword(patch, before.username, false, errors);
  if (errors.length || !role) throw failed(errors);

  const active = patch.active === undefined ? bool.read(before.active) : patch.active;
  const self = actor.id === before.id;
  if (self && !active) {
    throw new AppError('INVALID_STATE', {
      message: { zh: '不能停用自己的账号', en: 'You cannot disable your own account' },
    });
  }
  if (self && role !== before.role) {
    throw new AppError('INVALID_STATE', {
      message: { zh: '不能修改自己的角色', en: 'You cannot change your own role' },
    });
  }

  const binding = await resolveBinding(
    ctx.db,
    role,
    patch.townCode,
    { uscc: patch.enterpriseUscc, id: patch.enterpriseId },
    {
      townCode: before.role === 'townOfficer' ? before.town_code : null,
      enterpriseId: ORG_ROLES.includes(before.role as Role) ? before.enterprise_id : null,
    },
  );
  const passwordHash = chosen.password === null ? null : await hashPassword(chosen.password);

  const now = ctx.clock.now();
  const after: UserRow = {
    ...before,
    display_name: displayName,
    role,
    town_code: binding.townCode,
    enterprise_id: binding.enterpriseId,
    active: bool.write(active),
    ...(passwordHash
      ? {
          password_hash: passwordHash,
          failed_logins: 0,
          locked_until: null,
          // A password someone else set or saw (a generated one) is known to two people: its owner
          // replaces it at sign-in.
          must_change_password: self && !chosen.generated ? 0 : 1,
        }
      : {}),
    updated_at: now.toISOString(),
  };
  const changed =
    passwordHash !== null || JSON.stringify(auditSnapshot(before)) !== JSON.stringify(auditSnapshot(after));
  if (!changed) return presentUser(before, binding.enterprise);

  await ctx.db.transaction().execute(async (trx) => {
    const wasAdmin = before.role === 'admin' && bool.read(before.active);
    if (wasAdmin && !(role === 'admin' && active)) {
      const others = await trx
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', 'admin')
        .where('active', '=', 1)
        .where('id', '!=', before.id)
        .executeTakeFirstOrThrow();
      if (Number(others.n) === 0) {
        throw new AppError('INVALID_STATE', {
          message: {
            zh: '这是最后一个启用的管理员账号，不能停用或降级',
            en: 'This is the last active administrator; it cannot be disabled or demoted',
          },
        });
      }
    }
    await trx
      .updateTable('users')
      .set({
        display_name: after.display_name,
        role: after.role,
        town_code: after.town_code,
        enterprise_id: after.enterprise_id,
        active: after.active,
        password_hash: after.password_hash,
        failed_logins: after.failed_logins,
        locked_until: after.locked_until,
        must_change_password: after.must_change_password,
        updated_at: after.updated_at,
      })
      .where('id', '=', before.id)
      .execute();
    if (passwordHash) await clearThrottle(trx, before.username);
    await writeAudit(trx, {
      actor,
      action: 'user.update',
      resourceType: 'user',
      resourceId: before.id,
      enterpriseId: after.enterprise_id ?? before.enterprise_id,
      before: auditSnapshot(before),
      after: {
        ...auditSnapshot(after),
        ...(passwordHash ? { passwordReset: true } : {}),
        ...(chosen.generated ? { passwordGenerated: true } : {}),
      },
      at: now,
    });

    let sessions = 0;
    let tokens = 0;
    let reason = '';
    if (!active && bool.read(before.active)) {
      sessions = await revokeUserSessions(trx, { userId: before.id, now });
      tokens = await revokeUserTokens(trx, { userId: before.id, now });
      reason = 'disabled';
    } else if (passwordHash) {
      sessions = await revokeUserSessions(trx, {
        userId: before.id,
        now,
        exceptSessionId: args.keepSessionId,
      });
      reason = 'passwordReset';
    }
    if (sessions + tokens > 0) {
      await writeAudit(trx, {
        actor,
        action: 'auth.credentials.revoked',
        resourceType: 'user',
        resourceId: before.id,
        after: { reason, sessions, tokens },
        at: now,
      });
    }
  });
  const presented = presentUser(after, binding.enterprise);
  return chosen.generated ? { ...presented, generatedPassword: chosen.password! } : presented;
}

/**
 * A signed-in user changes their own password: the current one must be right; every other
 * session of theirs is revoked, the one in use (keepSessionId) stays.
 */
export async function changeOwnPassword(args: {
  ctx: AppContext;
  actor: Actor;
  userId: string;
  currentPassword: string;
  newPassword: string;
  keepSessionId?: string | null;
}): Promise<void> {
  const { ctx, actor } = args;
  const row = await loadUser(ctx.db, args.userId);
  if (!row) throw notFound({ zh: '用户', en: 'User' });
  if (!(await verifyPassword(row.password_hash, args.currentPassword))) {
    throw fieldError('currentPassword', 'WRONG_PASSWORD', {
      zh: '当前密码不正确',
      en: 'The current password is wrong',
    });
  }
  const problems = passwordProblems(args.newPassword, row.username, 'newPassword');
  if (args.newPassword === args.currentPassword) {
    problems.push({
      field: 'newPassword',
      code: 'UNCHANGED',
      message: { zh: '新密码不能与当前密码相同', en: 'The new password must differ from the current one' },
    });
  }
  if (problems.length) throw failed(problems);
  const hash = await hashPassword(args.newPassword);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({
        password_hash: hash,
        failed_logins: 0,
        locked_until: null,
        must_change_password: 0,
        updated_at: now.toISOString(),
      })
      .where('id', '=', row.id)
      .execute();
    await clearThrottle(trx, row.username);
    const sessions = await revokeUserSessions(trx, {
      userId: row.id,
      now,
      exceptSessionId: args.keepSessionId,
    });
    await writeAudit(trx, {
      actor,
      action: 'user.passwordChange',
      resourceType: 'user',
      resourceId: row.id,
      after: { passwordChanged: true, otherSessionsRevoked: sessions },
      at: now,
    });
  });
}

export type UserFilter = {
  role?: Role;
  active?: boolean;
  /** Part of the username or the display name (case-insensitive). */
  q?: string;
  /** Town officers of this town. */
  townCode?: string;
  /** Accounts of this enterprise: its USCC or its id. */
  enterprise?: string;
};

function filteredUsers(ctx: AppContext, filter: UserFilter) {
  let q = ctx.db.selectFrom('users').leftJoin('enterprises', 'enterprises.id', 'users.enterprise_id');
  if (filter.role) q = q.where('users.role', '=', filter.role);
  if (filter.active !== undefined) q = q.where('users.active', '=', bool.write(filter.active));
  if (filter.townCode?.trim()) q = q.where('users.town_code', '=', filter.townCode.trim());
  if (filter.enterprise?.trim()) {
    const e = filter.enterprise.trim();
    q = q.where((eb) =>
      eb.or([eb('users.enterprise_id', '=', e), eb('enterprises.uscc', '=', e.toUpperCase())]),
    );
  }
  if (filter.q?.trim()) {
    const needle = filter.q.trim();
    q = q.where((eb) =>
      eb.or([
        containsText(ctx.dialect, eb.ref('users.username'), needle),
        containsText(ctx.dialect, eb.ref('users.display_name'), needle),
      ]),
    );
  }
  return q;
}

/** Every account that matches (a city has hundreds, not millions), by username. */
export async function listUsers(ctx: AppContext, filter: UserFilter = {}): Promise<PresentedUser[]> {
  return (await searchUsers(ctx, filter, { page: 1, pageSize: null })).items;
}

export type UserPage = { items: PresentedUser[]; total: number; page: number; pageSize: number };

/** One page of the accounts that match, by username, with the count of all that match. */
export async function searchUsers(
  ctx: AppContext,
  filter: UserFilter,
  paging: { page: number; pageSize: number | null },
): Promise<UserPage> {
  let q = filteredUsers(ctx, filter)
    .selectAll('users')
    .select(['enterprises.uscc as e_uscc', 'enterprises.name as e_name'])
    .orderBy('users.username');
  if (paging.pageSize !== null) {
    q = q.limit(paging.pageSize).offset((paging.page - 1) * paging.pageSize);
  }
  const rows = await q.execute();
  const items = rows.map(({ e_uscc, e_name, ...row }) =>
    presentUser(row, e_uscc && e_name ? { uscc: e_uscc, name: e_name } : null),
  );
  let total = items.length;
  if (paging.pageSize !== null && (paging.page > 1 || items.length === paging.pageSize)) {
    const counted = await filteredUsers(ctx, filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    total = Number(counted.n);
  }
  return { items, total, page: paging.page, pageSize: paging.pageSize ?? items.length };
}
