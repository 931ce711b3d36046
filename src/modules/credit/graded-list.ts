// "Which 19 enterprises are D?": the graded enterprises of an official's scope by grade, score
// range, town, industry section and name or USCC, lowest score first (the ones to look at first),
// paged; and the same list as a CSV with the headers on screen. The overview's charts and counts
// link here. An enterprise not graded yet is not in the list (it has no grade to filter by).
//
// Like the credit overview (supervision.ts creditStats), this reads the register's enterprises,
// towns and industries beside credit's grades: the names and towns an official filters by.
import { type Kysely, type SqlBool, sql } from 'kysely';
import { CSV_BOM, csvLine } from '../../core/csv.js';
import { AppError } from '../../core/errors.js';
import { containsText, escapeLike } from '../../db/codecs.js';
import type { Dialect } from '../../db/connect.js';
import type { Database } from '../../db/schema.js';
import { GRADES, type Grade } from './rules.js';

export type GradedFilter = {
  grades?: Grade[];
  minScore?: number;
  maxScore?: number;
  townCode?: string;
  /** a GB/T 4754 section letter */
  industry?: string;
  /** part of the name, or the start of the USCC */
  q?: string;
};

export type GradedRow = {
  uscc: string;
  name: string;
  townCode: string;
  townName: string;
  industryCode: string | null;
  grade: Grade;
  score: number;
  gradedOn: string;
};

export const GRADED_PAGE_MAX = 200;
/** Rows a CSV export holds at most (the whole city has 200,000 enterprises). */
export const GRADED_EXPORT_MAX = 200_000;

function checkFilter(f: GradedFilter) {
  if (f.grades?.some((g) => !GRADES.includes(g)))
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        {
          field: 'grade',
          code: 'INVALID_GRADE',
          message: { zh: '信用等级为 A、B、C 或 D', en: 'A grade is A, B, C or D' },
        },
      ],
    });
  if (f.minScore !== undefined && f.maxScore !== undefined && f.minScore > f.maxScore)
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        {
          field: 'maxScore',
          code: 'SCORE_RANGE',
          message: { zh: '最高分不能低于最低分', en: 'The highest score is below the lowest' },
        },
      ],
    });
}

function query(db: Kysely<Database>, dialect: Dialect, f: GradedFilter) {
  checkFilter(f);
  let q = db
    .selectFrom('credit_grades as g')
    .innerJoin('enterprises as e', 'e.id', 'g.enterprise_id')
    .innerJoin('towns as t', 't.code', 'e.town_code')
    .select([
      'e.uscc',
      'e.name',
      'e.town_code',
      't.name as town_name',
      'e.industry_code',
      'g.grade',
      'g.score',
      'g.computed_at',
    ]);
  if (f.grades?.length) q = q.where('g.grade', 'in', f.grades);
  if (f.minScore !== undefined) q = q.where('g.score', '>=', f.minScore);
  if (f.maxScore !== undefined) q = q.where('g.score', '<=', f.maxScore);
  if (f.townCode) q = q.where('e.town_code', '=', f.townCode);
  if (f.industry)
    q = q.where('e.industry_code', 'in', (eb) =>
      eb.selectFrom('industries').select('code').where('section', '=', f.industry!),
    );
  const text = f.q?.trim();
  if (text) {
    const upper = text.toUpperCase();
    q = q.where((eb) =>
      eb.or([
        containsText(dialect, sql.ref('e.name'), text),
        sql<SqlBool>`e.uscc LIKE ${`${escapeLike(upper)}%`} ESCAPE '\\'`,
      ]),
    );
  }
  return q;
}

const rowOf = (r: {
  uscc: string;
  name: string;
  town_code: string;
  town_name: string;
  industry_code: string | null;
  grade: string;
  score: number;
  computed_at: string;
}): GradedRow => ({
  uscc: r.uscc,
  name: r.name,
  townCode: r.town_code,
  townName: r.town_name,
  industryCode: r.industry_code,
  grade: r.grade as Grade,
  score: Number(r.score),
  gradedOn: r.computed_at.slice(0, 10),
});

/** One page, lowest score first (then USCC), with the total of the filter. */
export async function listGraded(
  db: Kysely<Database>,
  dialect: Dialect,
  f: GradedFilter,
  page: { page: number; pageSize: number },
): Promise<{ items: GradedRow[]; total: number; page: number; pageSize: number }> {
  const pageSize = Math.min(Math.max(1, page.pageSize), GRADED_PAGE_MAX);
  const [rows, count] = await Promise.all([
    query(db, dialect, f)
      .orderBy('g.score')
      .orderBy('e.uscc')
      .limit(pageSize)
      .offset((Math.max(1, page.page) - 1) * pageSize)
      .execute(),
    query(db, dialect, f)
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(rowOf), total: Number(count.n), page: Math.max(1, page.page), pageSize };
}

/** The whole filtered list as CSV (BOM, the screen's headers), lowest score first. */
export async function gradedCsv(
  db: Kysely<Database>,
  dialect: Dialect,
  f: GradedFilter,
  labels: Record<Grade, string>,
) {
  const rows = await query(db, dialect, f)
    .orderBy('g.score')
    .orderBy('e.uscc')
    .limit(GRADED_EXPORT_MAX)
    .execute();
  const header = ['统一社会信用代码', '企业名称', '镇街', '行业代码', '信用等级', '信用分', '评定日期'];
  let out = CSV_BOM + csvLine(header);
  for (const r of rows.map(rowOf))
    out += csvLine([
      r.uscc,
      r.name,
      r.townName,
      r.industryCode,
      `${r.grade} ${labels[r.grade]}`,
      r.score,
      r.gradedOn,
    ]);
  return out;
}
