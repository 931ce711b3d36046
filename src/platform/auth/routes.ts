// HTTP routes of sign-in, the signed-in user, user administration and API tokens.
import type {} from '@fastify/cookie';
import type {} from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { AppError, notFound } from '../../core/errors.js';
import type { AppContext } from '../context.js';
import { actorOf, requireUser, SESSION_COOKIE_OPTIONS } from './plugin.js';
import { ACTIONS, type AuthUser, abilities, can, ROLES } from './policies.js';
import { login, logout, SESSION_COOKIE } from './sessions.js';
import { createApiToken, listApiTokens, revokeApiToken } from './tokens.js';
import { changeOwnPassword, createUser, getUser, searchUsers, updateUser } from './users.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));

export const SessionUserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  townCode: Nullable(Type.String()),
  enterpriseId: Nullable(Type.String()),
});

export const SessionSchema = Type.Object({
  user: SessionUserSchema,
  abilities: Type.Array(Type.Union(ACTIONS.map((a) => Type.Literal(a))), {
    description: '界面可提供的操作 Actions the UI may offer',
  }),
  csrfToken: Nullable(
    Type.String({
      description: '写请求的 x-csrf-token 头 Send as x-csrf-token on writes (null for API tokens)',
    }),
  ),
  passwordChangeRequired: Type.Boolean({
    description:
      '须先修改密码（系统生成或管理员重置的密码，或已公开、过于常见的密码）：此前其他接口均返回 403 PASSWORD_CHANGE_REQUIRED。 True: POST /api/auth/password before anything else',
  }),
});

export const ManagedUserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  townCode: Nullable(Type.String()),
  enterpriseId: Nullable(Type.String()),
  enterpriseUscc: Nullable(Type.String()),
  enterpriseName: Nullable(Type.String()),
  active: Type.Boolean(),
  mustChangeOnSignIn: Type.Boolean({
    description: '密码已公开或过于常见，下次登录须修改 Must change the password at the next sign-in',
  }),
  lockedUntil: Nullable(
    Type.String({ description: '不再使用（账号不再锁定）Always null: accounts are no longer locked' }),
  ),
  lastLoginAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const ManagedUserWithPasswordSchema = Type.Object({
  ...ManagedUserSchema.properties,
  generatedPassword: Type.Optional(
    Type.String({
      description:
        '系统生成的密码，仅此一次返回；用户首次登录须修改 The generated password, shown this once; to be changed at first sign-in',
    }),
  ),
});

const ApiTokenSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Nullable(Type.String()),
  expiresAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
});

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
const PasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
    newPassword: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
const NewUserBody = Type.Object(
  {
    username: Type.String({
      minLength: 1,
      maxLength: 64,
      description: '3–32 of a-z 0-9 . _ - (lower-cased)',
    }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description:
          '≥ 10 characters, 3 of: upper, lower, digit, symbol; not the username, a common or a published password. Leave out with generatePassword',
      }),
    ),
    generatePassword: Type.Optional(
      Type.Boolean({
        description:
          '由系统生成密码（仅在响应中返回一次，首次登录须修改） The server makes the password (returned once; changed at first sign-in)',
      }),
    ),
    role: RoleSchema,
    townCode: Type.Optional(Nullable(Type.String({ maxLength: 20, description: 'townOfficer: town code' }))),
    enterpriseUscc: Type.Optional(
      Nullable(Type.String({ maxLength: 40, description: 'enterprise, lab, maintenanceUnit: USCC' })),
    ),
    enterpriseId: Type.Optional(
      Nullable(Type.String({ maxLength: 64, description: 'enterprise, lab, maintenanceUnit: or the id' })),
    ),
  },
  { additionalProperties: false },
);
const UserPatchBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    active: Type.Optional(Type.Boolean()),
    role: Type.Optional(RoleSchema),
    townCode: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
    enterpriseUscc: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
    enterpriseId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    password: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: '重置密码 Password reset' }),
    ),
    generatePassword: Type.Optional(
      Type.Boolean({
        description:
          '重置为系统生成的密码（仅返回一次，下次登录须修改） Reset to a generated password (returned once)',
      }),
    ),
  },
  { additionalProperties: false },
);
const UsersQuery = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    active: Type.Optional(Type.Boolean()),
    q: Type.Optional(
      Type.String({ maxLength: 64, description: '用户名或姓名的一部分 Part of the username or name' }),
    ),
    townCode: Type.Optional(Type.String({ maxLength: 20, description: '所属镇街 Town code' })),
    enterprise: Type.Optional(
      Type.String({ maxLength: 64, description: '所属单位的统一社会信用代码或 id Enterprise USCC or id' }),
    ),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
const UserPageSchema = Type.Object({
  items: Type.Array(ManagedUserSchema),
  total: Type.Integer({ description: '符合条件的用户数 Users matching' }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const NewTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expiresAt: Type.Optional(
      Nullable(Type.String({ maxLength: 40, description: 'ISO-8601 instant; omitted = no expiry' })),
    ),
  },
  { additionalProperties: false },
);
const NoContent = Type.Null({ description: 'No content' });

function sessionBody(user: AuthUser, csrfToken: string | null) {
  return {
    user: {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      townCode: user.townCode,
      enterpriseId: user.enterpriseId,
    },
    abilities: abilities(user),
    csrfToken,
    passwordChangeRequired: user.mustChangePassword === true,
  };
}

const viaSessionOnly = (req: FastifyRequest, what: { zh: string; en: string }) => {
  if (req.user?.via !== 'session') {
    throw new AppError('FORBIDDEN', {
      message: {
        zh: `${what.zh}须在登录会话中进行，不能使用 API 令牌`,
        en: `${what.en} needs a signed-in session, not an API token`,
      },
    });
  }
};

export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const auth = ['auth'];
  const users = ['users'];

  app.post(
    '/api/auth/login',
    {
      config: { policy: 'public', rateLimit: { max: 10, timeWindow: '1 minute' }, problems: [401, 403] },
      schema: {
        tags: auth,
        summary: '登录 Sign in (sets the zh_session cookie)',
        security: [],
        body: LoginBody,
        response: { 200: SessionSchema },
      },
    },
    async (req, reply) => {
      const body = req.body as Static<typeof LoginBody>;
      const { user, session } = await login({
        ctx,
        username: body.username,
        password: body.password,
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
        requestId: req.id,
        replaceToken: req.cookies?.[SESSION_COOKIE] ?? null,
      });
      reply.setCookie(SESSION_COOKIE, session.token, {
        ...SESSION_COOKIE_OPTIONS,
        secure: ctx.config.cookieSecure,
      });
      return sessionBody(user, session.csrfToken);
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { policy: 'authenticated' },
      schema: { tags: auth, summary: '退出登录 Sign out', response: { 204: NoContent } },
    },
    async (req, reply) => {
      if (req.session) await logout({ ctx, actor: actorOf(req), sessionId: req.session.id });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { policy: 'authenticated' },
      schema: { tags: auth, summary: '当前用户 The signed-in user', response: { 200: SessionSchema } },
    },
    async (req) => sessionBody(requireUser(req), req.session?.csrfToken ?? null),
  );

  app.post(
    '/api/auth/password',
    {
      config: { policy: 'authenticated', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: auth,
        summary: '修改本人密码 Change my password (other sessions are signed out)',
        body: PasswordBody,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      viaSessionOnly(req, { zh: '修改密码', en: 'Changing the password' });
      const body = req.body as Static<typeof PasswordBody>;
      await changeOwnPassword({
        ctx,
        actor: actorOf(req),
        userId: user.id,
        currentPassword: body.currentPassword,
        newPassword: body.newPassword,
        keepSessionId: req.session?.id ?? null,
      });
      return reply.code(204).send();
    },
  );

  // --- user administration --------------------------------------------------------------------
  app.get(
    '/api/v1/users',
    {
      config: { policy: 'user.manage' },
      schema: {
        tags: users,
        summary: '用户列表与搜索 Users (search, filters, pages)',
        querystring: UsersQuery,
        response: { 200: UserPageSchema },
      },
    },
    async (req) => {
      const { page, pageSize, ...filter } = req.query as Static<typeof UsersQuery>;
      return searchUsers(ctx, filter, { page: page ?? 1, pageSize: pageSize ?? 100 });
    },
  );

  app.get(
    '/api/v1/users/:id',
    {
      config: { policy: 'user.manage' },
      schema: {
        tags: users,
        summary: '用户详情 One user',
        params: IdParams,
        response: { 200: ManagedUserSchema },
      },
    },
    async (req) => {
      const u = await getUser(ctx, (req.params as Static<typeof IdParams>).id);
      if (!u) throw notFound({ zh: '用户', en: 'User' });
      return u;
    },
  );

  app.post(
    '/api/v1/users',
    {
      config: { policy: 'user.manage' },
      schema: {
        tags: users,
        summary: '新建用户 Create a user',
        body: NewUserBody,
        response: { 201: ManagedUserWithPasswordSchema },
      },
    },
    async (req, reply) => {
      const created = await createUser({
        ctx,
        actor: actorOf(req),
        input: req.body as Static<typeof NewUserBody>,
      });
      // A generated password is in this answer only: no cache may keep it.
      if (created.generatedPassword) reply.header('cache-control', 'no-store');
      reply.code(201);
      return created;
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { policy: 'user.manage' },
      schema: {
        tags: users,
        summary: '修改用户（含停用、重置密码）Update a user (disable, reset password)',
        params: IdParams,
        body: UserPatchBody,
        response: { 200: ManagedUserWithPasswordSchema },
      },
    },
    async (req, reply) => {
      const { id } = req.params as Static<typeof IdParams>;
      const updated = await updateUser({
        ctx,
        actor: actorOf(req),
        id,
        patch: req.body as Static<typeof UserPatchBody>,
        keepSessionId: req.user?.id === id ? (req.session?.id ?? null) : null,
      });
      if (updated.generatedPassword) reply.header('cache-control', 'no-store');
      return updated;
    },
  );

  // --- API tokens -----------------------------------------------------------------------------
  app.get(
    '/api/v1/tokens',
    {
      config: { policy: 'authenticated' },
      schema: {
        tags: auth,
        summary: '我的 API 令牌 My API tokens',
        response: { 200: Type.Object({ items: Type.Array(ApiTokenSchema) }) },
      },
    },
    async (req) => ({ items: await listApiTokens(ctx, requireUser(req).id) }),
  );

  app.post(
    '/api/v1/tokens',
    {
      config: { policy: 'authenticated' },
      schema: {
        tags: auth,
        summary: '创建 API 令牌（明文只返回这一次）Create an API token (the plaintext is shown once)',
        body: NewTokenBody,
        response: {
          201: Type.Object({
            ...ApiTokenSchema.properties,
            token: Type.String({ description: 'zh_…; store it now' }),
          }),
        },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      viaSessionOnly(req, { zh: '创建 API 令牌', en: 'Creating an API token' });
      const body = req.body as Static<typeof NewTokenBody>;
      const created = await createApiToken({
        ctx,
        actor: actorOf(req),
        userId: user.id,
        name: body.name,
        expiresAt: body.expiresAt ?? null,
      });
      reply.code(201);
      return created;
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      config: { policy: 'authenticated' },
      schema: {
        tags: auth,
        summary: '撤销 API 令牌 Revoke an API token (own; administrators: any)',
        params: IdParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      await revokeApiToken({
        ctx,
        actor: actorOf(req),
        tokenId: (req.params as Static<typeof IdParams>).id,
        ownerId: can(user, 'user.manage') ? null : user.id,
      });
      return reply.code(204).send();
    },
  );
}
