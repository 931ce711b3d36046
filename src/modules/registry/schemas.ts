// TypeBox schemas shared by the registry's routes (search, export) and presenters.
import { Type } from 'typebox';
import { ENTERPRISE_SCALES, ENTERPRISE_STATUSES } from './migrations.js';

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

/** The search filters of GET /api/v1/enterprises, also taken by the export. */
export const EnterpriseFilterQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100, description: '名称关键字或统一社会信用代码（前缀）' })),
    town: Type.Optional(Type.String({ pattern: '^\\d{9}$', description: '镇街代码 (NBS 9 digits)' })),
    industry: Type.Optional(
      Type.String({ pattern: '^([A-T]|\\d{2})$', description: 'GB/T 4754 门类字母或大类代码' }),
    ),
    status: Type.Optional(Type.Union(ENTERPRISE_STATUSES.map((s) => Type.Literal(s)))),
    scale: Type.Optional(Type.Union(ENTERPRISE_SCALES.map((s) => Type.Literal(s)))),
    tag: Type.Optional(Type.String({ maxLength: 40 })),
    productCategory: Type.Optional(
      Type.String({
        pattern: '^\\d{2,6}$',
        description: '产品类别代码：生产该类别（含其下级类别）产品的企业',
      }),
    ),
  },
  { additionalProperties: false },
);
