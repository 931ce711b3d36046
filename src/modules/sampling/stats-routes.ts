// Sampling statistics over HTTP (policy stats.read): GET /api/v1/sampling/stats (JSON) and
// GET /api/v1/sampling/stats.xlsx (the same figures as a workbook). A town officer sees their own
// town only: the town filter is theirs whatever the query says, and another town is refused.
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { AppError } from '../../core/errors.js';
import { requireUser } from '../../platform/auth/plugin.js';
import { scopeOf } from '../../platform/auth/policies.js';
import type { AppContext } from '../../platform/context.js';
import {
  resolveStatsFilter,
  type SamplingStats,
  STATS_MAX_YEAR,
  STATS_MIN_YEAR,
  samplingStatistics,
  writeStatsXlsx,
} from './statistics.js';

const tags = ['sampling'];
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const Year = (description: string) =>
  Type.Integer({ minimum: STATS_MIN_YEAR, maximum: STATS_MAX_YEAR, description });
export const StatsQuerySchema = Type.Object(
  {
    from: Type.Optional(Year('起始年度（默认：本年度前三年）First year')),
    to: Type.Optional(Year('截止年度（默认：本年度）Last year')),
    town: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: '镇街代码 Town code' })),
    category: Type.Optional(
      Type.String({ minLength: 1, maxLength: 20, description: '产品类别代码（含下级）Product category' }),
    ),
  },
  { additionalProperties: false },
);

// ---- response schemas (whitelists: checked against the presenter's type at the end) ----------
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Named = Type.Object({ code: Type.String(), name: Type.String(), nameEn: Type.String() });
const RateFields = {
  samples: Type.Integer(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  rate: Nullable(Type.Number({ description: '合格率 0..1; null without samples' })),
};
const Trend = Type.Array(
  Type.Object({ year: Type.Integer(), samples: Type.Integer(), rate: Nullable(Type.Number()) }),
  { description: 'One point per year of the range, for sparklines' },
);

export const SamplingStatsSchema = Type.Object({
  asOf: Type.String({ description: 'YYYY-MM-DD' }),
  from: Type.Integer(),
  to: Type.Integer(),
  years: Type.Array(Type.Integer()),
  town: Nullable(Named),
  category: Nullable(Named),
  total: Type.Object(RateFields),
  byYear: Type.Array(Type.Object({ year: Type.Integer(), ...RateFields })),
  byTown: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      nameEn: Type.String(),
      ...RateFields,
      trend: Trend,
    }),
  ),
  byCategory: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      nameEn: Type.String(),
      ...RateFields,
      trend: Trend,
    }),
  ),
  byIndustry: Type.Array(
    Type.Object({
      section: Nullable(Type.String({ description: 'GB/T 4754 门类; null: no industry recorded' })),
      name: Type.String(),
      nameEn: Type.String(),
      ...RateFields,
      divisions: Type.Array(
        Type.Object({ code: Type.String(), name: Type.String(), nameEn: Type.String(), ...RateFields }),
      ),
    }),
  ),
  cross: Type.Array(
    Type.Object({
      year: Type.Integer(),
      townCode: Type.String(),
      categoryCode: Type.String(),
      ...RateFields,
    }),
    { description: '镇街×类别×年度 (only cells with samples)' },
  ),
  indicator: Type.Object(
    {
      section: Type.String(),
      name: Type.String(),
      nameEn: Type.String(),
      threshold: Type.Number(),
      years: Type.Array(
        Type.Object({
          year: Type.Integer(),
          samples: Type.Integer(),
          passed: Type.Integer(),
          rate: Nullable(Type.Number()),
          met: Type.Boolean(),
        }),
      ),
      met: Type.Boolean(),
    },
    {
      description:
        '制造业产品监督抽查合格率连续三年≥95%: the three complete years up to `to` (at most last year)',
    },
  ),
  gradeShare: Type.Array(
    Type.Object({
      year: Type.Integer(),
      samples: Type.Integer(),
      grades: Type.Array(
        Type.Object({
          grade: Nullable(Type.String({ description: 'A–D as the draw saw it; null: not recorded' })),
          samples: Type.Integer(),
          share: Nullable(Type.Number()),
          passed: Type.Integer(),
          rate: Nullable(Type.Number()),
        }),
      ),
    }),
  ),
});

// Compiles only when the schema and the presenter's output have the same shape (as credit/schemas.ts).
type Widen<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends null
        ? null
        : T extends readonly (infer U)[]
          ? Widen<U>[]
          : T extends object
            ? { [K in keyof T]: Widen<T[K]> }
            : T;
type Same<A, B> = [Widen<A>] extends [Widen<B>] ? ([Widen<B>] extends [Widen<A>] ? true : false) : false;
const sameShape = <S extends TSchema, P>(_check: Same<Static<S>, P>) => undefined;
sameShape<typeof SamplingStatsSchema, SamplingStats>(true);

/** `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987). */
function attachment(reply: FastifyReply, name: string, ascii: string) {
  reply.header(
    'content-disposition',
    `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  );
  reply.header('cache-control', 'no-store');
}

async function statsFor(ctx: AppContext, req: FastifyRequest) {
  const scope = scopeOf(requireUser(req));
  if (scope.kind !== 'city' && scope.kind !== 'town') throw new AppError('FORBIDDEN');
  const filter = await resolveStatsFilter(
    ctx,
    scope.kind === 'town' ? scope.townCode : null,
    req.query as Static<typeof StatsQuerySchema>,
  );
  return samplingStatistics(ctx, filter);
}

export async function samplingStatsRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get(
    '/api/v1/sampling/stats',
    {
      config: { policy: 'stats.read' },
      schema: {
        tags,
        summary: '抽查合格率统计 Sampling pass rates',
        description:
          '按年度、镇街、产品类别、行业统计监督抽查合格率，镇街×类别×年度交叉表与趋势，制造业连续三年≥95%指标，按抽取时信用等级的样品占比。统计已出检验结论的样品（已报送或已终局）。镇街用户只能看到本镇街。',
        querystring: StatsQuerySchema,
        response: { 200: SamplingStatsSchema },
      },
    },
    async (req) => statsFor(ctx, req),
  );

  app.get(
    '/api/v1/sampling/stats.xlsx',
    {
      config: { policy: 'stats.read' },
      schema: {
        tags,
        summary: '导出抽查合格率统计（Excel）Export sampling pass rates (XLSX)',
        description:
          '参数同 GET /api/v1/sampling/stats；每个统计视图一个工作表，中文表头，合格率为百分比格式。',
        querystring: StatsQuerySchema,
        response: {
          200: {
            description: 'XLSX workbook',
            content: { [XLSX_TYPE]: { schema: Type.String({ format: 'binary' }) } },
          },
        },
      },
    },
    async (req, reply) => {
      // Every check and query runs before the first byte, so a bad query is a problem answer.
      const stats = await statsFor(ctx, req);
      const span = stats.from === stats.to ? `${stats.from}` : `${stats.from}-${stats.to}`;
      const where = stats.town ? `-${stats.town.name}` : '';
      attachment(reply, `抽查合格率统计${where}-${span}.xlsx`, `sampling-stats-${span}.xlsx`);
      const out = new PassThrough();
      writeStatsXlsx(stats, out).catch((err: unknown) => {
        req.log.error({ err }, 'sampling stats export failed');
        out.destroy(err as Error);
      });
      return reply.type(XLSX_TYPE).send(out);
    },
  );
}
