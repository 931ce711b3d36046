// The graded enterprises of an official's scope (graded-list.ts): GET /api/v1/credit/graded, a
// page, and /graded/export, the whole list as CSV. Policy stats.read: city officials see the city, a
// town officer the own town (a town filter naming another town is refused).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { AppError } from '../../core/errors.js';
import { requireUser } from '../../platform/auth/plugin.js';
import { scopeOf } from '../../platform/auth/policies.js';
import type { AppContext } from '../../platform/context.js';
import { GRADED_PAGE_MAX, type GradedFilter, gradedCsv, listGraded } from './graded-list.js';
import { GRADES, type Grade } from './rules.js';

const FilterFields = {
  grade: Type.Optional(
    Type.String({ maxLength: 7, pattern: '^[ABCD](,[ABCD]){0,3}$', description: '信用等级，可多个：C,D' }),
  ),
  minScore: Type.Optional(Type.Integer({ minimum: -10000, maximum: 10000, description: '最低信用分（含）' })),
  maxScore: Type.Optional(Type.Integer({ minimum: -10000, maximum: 10000, description: '最高信用分（含）' })),
  townCode: Type.Optional(Type.String({ maxLength: 20 })),
  industry: Type.Optional(Type.String({ pattern: '^[A-T]$', description: 'GB/T 4754 门类字母' })),
  q: Type.Optional(Type.String({ maxLength: 100, description: '企业名称的一部分或统一社会信用代码开头' })),
};
const ListQuery = Type.Object(
  {
    ...FilterFields,
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: GRADED_PAGE_MAX, default: 20 })),
  },
  { additionalProperties: false },
);
const ExportQuery = Type.Object(FilterFields, { additionalProperties: false });

const GradedRowSchema = Type.Object({
  uscc: Type.String(),
  name: Type.String(),
  townCode: Type.String(),
  townName: Type.String(),
  industryCode: Type.Union([Type.String(), Type.Null()]),
  grade: Type.Union(GRADES.map((g) => Type.Literal(g))),
  score: Type.Number(),
  gradedOn: Type.String({ description: 'YYYY-MM-DD' }),
});
const GradedPageSchema = Type.Object({
  items: Type.Array(GradedRowSchema),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
});

const GRADE_LABELS: Record<Grade, string> = { A: '守信', B: '基本守信', C: '失信', D: '严重失信' };

/** The filter of a request, narrowed to the user's scope. */
function filterOf(req: FastifyRequest): GradedFilter {
  const q = req.query as Static<typeof ExportQuery>;
  const scope = scopeOf(requireUser(req));
  if (scope.kind !== 'city' && scope.kind !== 'town') throw new AppError('FORBIDDEN');
  if (scope.kind === 'town' && q.townCode && q.townCode !== scope.townCode)
    throw new AppError('FORBIDDEN', {
      message: { zh: '只能查看本镇街的企业', en: 'Only the enterprises of your own town' },
    });
  return {
    grades: q.grade ? ([...new Set(q.grade.split(','))] as Grade[]) : undefined,
    minScore: q.minScore,
    maxScore: q.maxScore,
    townCode: scope.kind === 'town' ? scope.townCode : q.townCode,
    industry: q.industry,
    q: q.q,
  };
}

function attachment(reply: FastifyReply, name: string, ascii: string) {
  reply.header(
    'content-disposition',
    `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  );
  reply.header('cache-control', 'no-store');
}

export async function gradedRoutes(app: FastifyInstance, ctx: AppContext) {
  const tags = ['credit'];
  app.get(
    '/api/v1/credit/graded',
    {
      config: { policy: 'stats.read' },
      schema: {
        tags,
        summary: '按信用等级查找企业 Enterprises by grade',
        querystring: ListQuery,
        response: { 200: GradedPageSchema },
      },
    },
    async (req) => {
      const q = req.query as Static<typeof ListQuery>;
      return listGraded(ctx.db, ctx.dialect, filterOf(req), {
        page: q.page ?? 1,
        pageSize: q.pageSize ?? 20,
      });
    },
  );
  app.get(
    '/api/v1/credit/graded/export',
    {
      config: { policy: 'stats.read' },
      schema: {
        tags,
        summary: '按信用等级查找企业（导出 CSV）Enterprises by grade as CSV',
        querystring: ExportQuery,
        produces: ['text/csv'],
        response: { 200: Type.String({ description: 'CSV, UTF-8 with BOM' }) },
      },
    },
    async (req, reply) => {
      const f = filterOf(req);
      const csv = await gradedCsv(ctx.db, ctx.dialect, f, GRADE_LABELS);
      const tag = f.grades?.join('') ?? 'all';
      attachment(reply, `信用等级企业名单-${tag}.csv`, `credit-graded-${tag}.csv`);
      reply.type('text/csv; charset=utf-8');
      return csv;
    },
  );
}
