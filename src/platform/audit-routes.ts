// HTTP routes of the audit trail (audit-trail.ts): the list with its filters, one entry with its
// diff, the login history and the CSV export — all under the 'audit.read' policy. Reading the
// trail is itself audited: each request writes one audit row (audit.search, audit.view,
// audit.logins, audit.export) naming what was asked, before the answer leaves.
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { notFound } from '../core/errors.js';
import { todayInShanghai } from '../core/workdays.js';
import { writeAudit } from './audit.js';
import {
  AUDIT_EXPORT_MAX_ROWS,
  AUDIT_PAGE_MAX,
  auditEntry,
  exportAuditCsv,
  LOGIN_ACTIONS,
  loginHistory,
  searchAudit,
} from './audit-trail.js';
import { actorOf } from './auth/plugin.js';
import type { AppContext } from './context.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const tags = ['audit'];

const FilterFields = {
  actor: Type.Optional(
    Type.String({ maxLength: 64, description: '操作人：用户编号或用户名（system、seed 等为系统操作人）' }),
  ),
  action: Type.Optional(
    Type.String({
      maxLength: 101,
      description: '操作代码，精确匹配；以 . 或 * 结尾为前缀匹配 (credit. / credit*)',
    }),
  ),
  resourceType: Type.Optional(Type.String({ maxLength: 64, description: '对象类型 (user, enterprise…)' })),
  resourceId: Type.Optional(Type.String({ maxLength: 100, description: '对象编号' })),
  enterprise: Type.Optional(Type.String({ maxLength: 64, description: '企业：统一社会信用代码或编号' })),
  from: Type.Optional(Type.String({ maxLength: 10, description: '起始日期 YYYY-MM-DD（含，北京时间）' })),
  to: Type.Optional(Type.String({ maxLength: 10, description: '截止日期 YYYY-MM-DD（含，北京时间）' })),
  hideReads: Type.Optional(
    Type.Boolean({ description: '不列出审计日志自身的查阅记录 (audit.*)，除非按 audit. 操作筛选' }),
  ),
};
const Page = {
  cursor: Type.Optional(Type.String({ maxLength: 400, description: '上一页返回的 nextCursor' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: 50 })),
};
const ListQuery = Type.Object({ ...FilterFields, ...Page }, { additionalProperties: false });
const ExportQuery = Type.Object(FilterFields, { additionalProperties: false });
const LoginsQuery = Type.Object(
  {
    user: Type.Optional(Type.String({ maxLength: 64, description: '用户编号或用户名' })),
    from: FilterFields.from,
    to: FilterFields.to,
    ...Page,
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const ItemFields = {
  id: Type.String(),
  at: Type.String({ description: 'ISO-8601 UTC' }),
  actorId: Nullable(Type.String()),
  actorLabel: Type.String({ description: '用户名，或 system / seed / cli / anonymous' }),
  action: Type.String(),
  resourceType: Type.String(),
  resourceId: Nullable(Type.String()),
  enterpriseId: Nullable(Type.String()),
  enterpriseName: Nullable(Type.String()),
  enterpriseUscc: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
};
const AuditItemSchema = Type.Object(ItemFields);
const AuditPageSchema = Type.Object({
  items: Type.Array(AuditItemSchema),
  nextCursor: Nullable(Type.String()),
});
const DiffLineSchema = Type.Object({
  path: Type.String({ description: '字段路径，嵌套对象以 . 连接' }),
  before: Type.Unknown(),
  after: Type.Unknown(),
});
const AuditEntrySchema = Type.Object({
  ...ItemFields,
  before: Type.Unknown({ description: '变更前 (JSON)' }),
  after: Type.Unknown({ description: '变更后 (JSON)' }),
  diff: Type.Array(DiffLineSchema, { description: '变更的字段' }),
});
const LoginItemSchema = Type.Object({
  id: Type.String(),
  at: Type.String(),
  event: Type.Union(Object.values(LOGIN_ACTIONS).map((e) => Type.Literal(e))),
  userId: Nullable(Type.String()),
  username: Type.String(),
  reason: Nullable(Type.String({ description: 'wrongPassword, unknownUser, disabled' })),
  ip: Nullable(Type.String()),
  failures: Nullable(Type.Number()),
  waitSeconds: Nullable(Type.Number()),
  until: Nullable(Type.String()),
  scope: Nullable(Type.String({ description: 'source | account' })),
  requestId: Nullable(Type.String()),
});
const LoginPageSchema = Type.Object({
  items: Type.Array(LoginItemSchema),
  nextCursor: Nullable(Type.String()),
  user: Nullable(Type.Object({ id: Type.String(), username: Type.String() })),
});

/** The filters a request named, without empty ones: what its audit row records. */
function asked(query: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''));
}

async function auditRead(
  ctx: AppContext,
  req: FastifyRequest,
  action: string,
  resourceId: string | null,
  after: Record<string, unknown>,
) {
  await writeAudit(ctx.db, {
    actor: actorOf(req),
    action,
    resourceType: 'auditLog',
    resourceId,
    after,
    at: ctx.clock.now(),
  });
}

export async function auditRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    '/api/v1/audit',
    {
      config: { policy: 'audit.read' },
      schema: {
        tags,
        summary: '审计日志 The audit trail, newest first (filters, keyset pages)',
        querystring: ListQuery,
        response: { 200: AuditPageSchema },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof ListQuery>;
      const page = await searchAudit(ctx, q);
      await auditRead(ctx, req, 'audit.search', null, { ...asked(q), returned: page.items.length });
      return page;
    },
  );

  app.get(
    '/api/v1/audit/logins',
    {
      config: { policy: 'audit.read' },
      schema: {
        tags,
        summary: '登录记录 Sign-ins, failures, back-offs and sign-outs, with the address',
        querystring: LoginsQuery,
        response: { 200: LoginPageSchema },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof LoginsQuery>;
      const page = await loginHistory(ctx, q);
      await auditRead(ctx, req, 'audit.logins', page.user?.id ?? null, {
        ...asked(q),
        returned: page.items.length,
      });
      return page;
    },
  );

  app.get(
    '/api/v1/audit/export',
    {
      config: { policy: 'audit.read' },
      schema: {
        tags,
        summary: '导出审计日志（CSV）Export the filtered audit trail (CSV)',
        description: `筛选条件同 GET /api/v1/audit；UTF-8 带 BOM，中文表头，与页面列相同；最多 ${AUDIT_EXPORT_MAX_ROWS} 行，超出时末行注明已截断。`,
        querystring: ExportQuery,
        response: {
          200: {
            description: 'CSV, UTF-8 with BOM',
            content: { 'text/csv': { schema: Type.String({ format: 'binary' }) } },
          },
        },
      },
    },
    async (req, reply) => {
      const q = req.query as Static<typeof ExportQuery>;
      // A bad filter is refused here, as a problem, before any byte of the file is sent.
      await searchAudit(ctx, { ...q, limit: 1 });
      await auditRead(ctx, req, 'audit.export', null, { ...asked(q), maxRows: AUDIT_EXPORT_MAX_ROWS });
      const day = todayInShanghai(ctx.clock.now());
      reply.header(
        'content-disposition',
        `attachment; filename="audit-log-${day}.csv"; filename*=UTF-8''${encodeURIComponent(`审计日志-${day}.csv`)}`,
      );
      reply.header('cache-control', 'no-store');
      const out = new PassThrough();
      exportAuditCsv(ctx, q, out)
        .then(() => out.end())
        .catch((err: unknown) => {
          req.log.error({ err }, 'audit export failed');
          out.destroy(err as Error);
        });
      return reply.type('text/csv; charset=utf-8').send(out);
    },
  );

  app.get(
    '/api/v1/audit/:id',
    {
      config: { policy: 'audit.read' },
      schema: {
        tags,
        summary: '审计记录详情 One entry: before, after and what changed',
        params: IdParams,
        response: { 200: AuditEntrySchema },
      },
    },
    async (req) => {
      const { id } = req.params as Static<typeof IdParams>;
      const entry = await auditEntry(ctx, id);
      if (!entry) throw notFound({ zh: '审计记录', en: 'Audit entry' });
      await auditRead(ctx, req, 'audit.view', id, { action: entry.action });
      return entry;
    },
  );
}
