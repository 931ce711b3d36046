// Pass-rate statistics of supervisory sampling (抽查合格率): by year, town, product category and
// industry, the town × category × year table, trends for sparklines, the headline indicator
// "制造业产品监督抽查合格率连续三年≥95%", and the share of samples by the credit grade the draw saw.
//
// What counts: every sample with a verdict — state 'reported' (the lab's results are in) or 'final'
// (the objection window has passed or the re-test decided). A 'sentToLab' sample has no verdict
// yet and is not counted. Reported verdicts are counted at once so this year's figures move as
// results arrive; a re-test that overturns a result changes the sample's verdict in place, and the
// figures follow. `verdict IS NOT NULL` is the test, because it is exactly the two states and the
// covering index sampling_samples_stats (year, town_code, category_code, verdict) answers it
// without reading the table.
//
// A sample is counted in the year of its plan (sampling_samples.year), its town and category as
// sampled, and its industry as copied from the register at sampling (industry_code: a GB/T 4754
// division, sometimes only a section); section and names are read through a join on the
// registry's industries table.
//
// Queries: two GROUP BYs, each over a covering index, neither reading the table. (year, town,
// category, verdict) over sampling_samples_stats gives the table, and every total by year, town and
// category is added up from its rows here; (year, industry, grade drawn, verdict) over
// sampling_samples_profile gives the industries, the indicator and the grade share. The aggregates
// run through heavyRead (off the event loop on SQLite, time-limited on both databases).
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { AppError, fieldError } from '../../core/errors.js';
import { todayInShanghai } from '../../core/workdays.js';
import { heavyRead } from '../../db/read-pool.js';
import type { AppContext } from '../../platform/context.js';

export const STATS_MIN_YEAR = 2000;
export const STATS_MAX_YEAR = 2100;
/** The headline indicator: manufacturing (GB/T 4754 section C), ≥ 95 %, three complete years. */
export const INDICATOR = { section: 'C', threshold: 0.95, years: 3 } as const;
/** Years shown when the query names none: this year and the three before. */
export const DEFAULT_YEARS = 4;

export const DRAW_GRADES = ['A', 'B', 'C', 'D'] as const;

export type NamedRef = { code: string; name: string; nameEn: string };

/** What the caller asked for, checked: the range, the town (forced for a town officer), the category. */
export type StatsFilter = {
  from: number;
  to: number;
  town: NamedRef | null;
  category: NamedRef | null;
  /** The category and every category under it in the catalogue; null: all categories. */
  categoryCodes: string[] | null;
  /** Business date of the figures: the indicator counts the complete years before it. */
  asOf: string;
};

export type StatsQuery = { from?: number; to?: number; town?: string; category?: string };

export type Rate = { samples: number; passed: number; failed: number; rate: number | null };
export type TrendPoint = { year: number; samples: number; rate: number | null };

const rateOf = (samples: number, passed: number): Rate => ({
  samples,
  passed,
  failed: samples - passed,
  rate: samples > 0 ? passed / samples : null,
});

/**
 * Checks a query against the caller's scope and the reference tables. `scopeTown` is the town a
 * town officer is confined to (null: the whole city). Throws problem answers naming the field.
 */
export async function resolveStatsFilter(
  ctx: AppContext,
  scopeTown: string | null,
  q: StatsQuery,
): Promise<StatsFilter> {
  const asOf = todayInShanghai(ctx.clock.now());
  const thisYear = Number(asOf.slice(0, 4));
  for (const field of ['from', 'to'] as const) {
    const v = q[field];
    if (v !== undefined && (!Number.isInteger(v) || v < STATS_MIN_YEAR || v > STATS_MAX_YEAR))
      throw fieldError(field, 'YEAR_OUT_OF_RANGE', {
        zh: `年度须在${STATS_MIN_YEAR}至${STATS_MAX_YEAR}之间`,
        en: `The year must be between ${STATS_MIN_YEAR} and ${STATS_MAX_YEAR}`,
      });
  }
  const to = q.to ?? Math.min(STATS_MAX_YEAR, Math.max(thisYear, q.from ?? thisYear));
  const from = q.from ?? Math.max(STATS_MIN_YEAR, Math.min(to, thisYear) - (DEFAULT_YEARS - 1));
  if (from > to)
    throw fieldError('from', 'FROM_AFTER_TO', {
      zh: `起始年度（${from}）晚于截止年度（${to}）`,
      en: `The first year (${from}) is after the last (${to})`,
    });

  let townCode = q.town ?? null;
  if (scopeTown !== null) {
    if (townCode !== null && townCode !== scopeTown)
      throw new AppError('FORBIDDEN', {
        message: { zh: '只能查看本镇街的统计', en: 'You may only see the statistics of your own town' },
        fields: [
          {
            field: 'town',
            code: 'OUT_OF_SCOPE',
            message: { zh: '该镇街不在您的管辖范围内', en: 'This town is outside your jurisdiction' },
          },
        ],
      });
    townCode = scopeTown;
  }
  let town: NamedRef | null = null;
  if (townCode !== null) {
    const t = await ctx.db
      .selectFrom('towns')
      .select(['code', 'name', 'name_en'])
      .where('code', '=', townCode)
      .executeTakeFirst();
    if (!t)
      throw fieldError(
        'town',
        'UNKNOWN_TOWN',
        { zh: `未知的镇街：${townCode}`, en: `Unknown town: ${townCode}` },
        'UNKNOWN_TOWN',
      );
    town = { code: t.code, name: t.name, nameEn: t.name_en };
  }

  let category: NamedRef | null = null;
  let categoryCodes: string[] | null = null;
  if (q.category !== undefined) {
    const all = await ctx.db
      .selectFrom('product_categories')
      .select(['code', 'name', 'name_en', 'parent_code'])
      .execute();
    const c = all.find((x) => x.code === q.category);
    if (!c)
      throw fieldError('category', 'UNKNOWN_CATEGORY', {
        zh: `未知的产品类别：${q.category}`,
        en: `Unknown product category: ${q.category}`,
      });
    category = { code: c.code, name: c.name, nameEn: c.name_en };
    // A group counts the categories under it, however deep.
    const codes = new Set([c.code]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const x of all)
        if (x.parent_code !== null && codes.has(x.parent_code) && !codes.has(x.code)) {
          codes.add(x.code);
          grew = true;
        }
    }
    categoryCodes = [...codes].sort();
  }
  return { from, to, town, category, categoryCodes, asOf };
}

/** Samples with a verdict in the years and filters asked for. */
function counted(ctx: AppContext, f: StatsFilter, years: { from: number; to: number }) {
  let q = ctx.db
    .selectFrom('sampling_samples as s')
    .where('s.verdict', 'is not', null)
    .where('s.year', '>=', years.from)
    .where('s.year', '<=', years.to);
  if (f.town) q = q.where('s.town_code', '=', f.town.code);
  if (f.categoryCodes) q = q.where('s.category_code', 'in', f.categoryCodes);
  return q;
}

const num = (v: unknown) => Number(v ?? 0);

/** The town × category × year table: the one GROUP BY over the covering index. */
export function crossQuery(ctx: AppContext, f: StatsFilter) {
  return counted(ctx, f, f)
    .select((eb) => ['s.year', 's.town_code', 's.category_code', 's.verdict', eb.fn.countAll().as('n')])
    .groupBy(['s.year', 's.town_code', 's.category_code', 's.verdict']);
}

/**
 * Industry and grade drawn by year: one GROUP BY over the covering index sampling_samples_profile,
 * then the GB/T 4754 section of each industry code by a join of the (few) aggregated rows on the
 * registry's industries table — not of every sample.
 */
export function profileQuery(ctx: AppContext, f: StatsFilter, years: { from: number; to: number }) {
  const grouped = counted(ctx, f, years)
    .select((eb) => [
      's.year',
      's.industry_code',
      's.grade_when_drawn',
      's.verdict',
      eb.fn.countAll().as('n'),
    ])
    .groupBy(['s.year', 's.industry_code', 's.grade_when_drawn', 's.verdict']);
  return ctx.db
    .selectFrom(grouped.as('a'))
    .leftJoin('industries as i', 'i.code', 'a.industry_code')
    .select(['a.year', 'a.industry_code', 'i.section', 'a.grade_when_drawn', 'a.verdict', 'a.n']);
}

type Acc = { samples: number; passed: number };
const acc = (): Acc => ({ samples: 0, passed: 0 });
/** The entry of `key`, made by `make` the first time. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  const found = map.get(key);
  if (found !== undefined) return found;
  const made = make();
  map.set(key, made);
  return made;
}
function add(map: Map<string, Acc>, key: string, n: number, pass: boolean) {
  const a = entry(map, key, acc);
  a.samples += n;
  if (pass) a.passed += n;
}
const keyOf = (...parts: (string | number)[]) => parts.join('\u0000');

export async function samplingStatistics(ctx: AppContext, f: StatsFilter) {
  const thisYear = Number(f.asOf.slice(0, 4));
  const indicatorEnd = Math.min(f.to, thisYear - 1);
  const indicatorYears = Array.from(
    { length: INDICATOR.years },
    (_, i) => indicatorEnd - INDICATOR.years + 1 + i,
  );

  const [cross, profile, towns, categories, industries] = await Promise.all([
    heavyRead(ctx.db, crossQuery(ctx, f)),
    heavyRead(ctx.db, profileQuery(ctx, f, { from: Math.min(f.from, indicatorYears[0]!), to: f.to })),
    ctx.db.selectFrom('towns').select(['code', 'name', 'name_en', 'sort']).execute(),
    ctx.db.selectFrom('product_categories').select(['code', 'name', 'name_en']).execute(),
    ctx.db.selectFrom('industries').select(['code', 'level', 'section', 'name', 'name_en']).execute(),
  ]);

  const years = Array.from({ length: f.to - f.from + 1 }, (_, i) => f.from + i);
  const townName = new Map(towns.map((t) => [t.code, t]));
  const categoryName = new Map(categories.map((c) => [c.code, c]));
  const industryName = new Map(industries.map((i) => [i.code, i]));

  // The table, and every total added up from it.
  const cells = new Map<string, Acc & { year: number; townCode: string; categoryCode: string }>();
  const byYear = new Map<string, Acc>();
  const byTown = new Map<string, Acc>();
  const byCategory = new Map<string, Acc>();
  const townYear = new Map<string, Acc>();
  const categoryYear = new Map<string, Acc>();
  const total = acc();
  for (const r of cross) {
    const n = num(r.n);
    const pass = r.verdict === 'pass';
    const year = num(r.year);
    const k = keyOf(year, r.town_code, r.category_code);
    const cell = entry(cells, k, () => ({
      year,
      townCode: r.town_code,
      categoryCode: r.category_code,
      ...acc(),
    }));
    cell.samples += n;
    if (pass) cell.passed += n;
    add(byYear, String(year), n, pass);
    add(byTown, r.town_code, n, pass);
    add(byCategory, r.category_code, n, pass);
    add(townYear, keyOf(r.town_code, year), n, pass);
    add(categoryYear, keyOf(r.category_code, year), n, pass);
    total.samples += n;
    if (pass) total.passed += n;
  }
  const trend = (perYear: Map<string, Acc>, code: string): TrendPoint[] =>
    years.map((year) => {
      const a = perYear.get(keyOf(code, year)) ?? acc();
      return { year, samples: a.samples, rate: a.samples > 0 ? a.passed / a.samples : null };
    });

  const townRows = [...byTown]
    .map(([code, a]) => {
      const t = townName.get(code);
      return {
        code,
        name: t?.name ?? code,
        nameEn: t?.name_en ?? code,
        sort: t?.sort ?? Number.MAX_SAFE_INTEGER,
        ...rateOf(a.samples, a.passed),
        trend: trend(townYear, code),
      };
    })
    .sort((a, b) => a.sort - b.sort || (a.code < b.code ? -1 : 1))
    .map(({ sort: _sort, ...row }) => row);
  const categoryRows = [...byCategory]
    .map(([code, a]) => {
      const c = categoryName.get(code);
      return {
        code,
        name: c?.name ?? code,
        nameEn: c?.name_en ?? code,
        ...rateOf(a.samples, a.passed),
        trend: trend(categoryYear, code),
      };
    })
    .sort((a, b) => (a.code < b.code ? -1 : 1));

  // Industries: divisions as sampled, added up to their sections.
  const sections = new Map<string, { a: Acc; divisions: Map<string, Acc> }>();
  const NO_SECTION = '';
  const inRange = (year: number) => year >= f.from && year <= f.to;
  for (const r of profile) {
    if (!inRange(num(r.year))) continue;
    const n = num(r.n);
    const pass = r.verdict === 'pass';
    const section = r.section ?? NO_SECTION;
    const s = entry(sections, section, () => ({ a: acc(), divisions: new Map<string, Acc>() }));
    s.a.samples += n;
    if (pass) s.a.passed += n;
    // A sample whose register entry named only the section has no division row.
    if (r.industry_code && r.section && r.industry_code !== r.section)
      add(s.divisions, r.industry_code, n, pass);
  }
  const industryRows = [...sections]
    .sort(([a], [b]) => (a === NO_SECTION ? 1 : b === NO_SECTION ? -1 : a < b ? -1 : 1))
    .map(([section, s]) => {
      const sec = section === NO_SECTION ? undefined : industryName.get(section);
      return {
        section: section === NO_SECTION ? null : section,
        name: section === NO_SECTION ? '未登记行业' : (sec?.name ?? section),
        nameEn: section === NO_SECTION ? 'No industry recorded' : (sec?.name_en ?? section),
        ...rateOf(s.a.samples, s.a.passed),
        divisions: [...s.divisions]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([code, a]) => {
            const d = industryName.get(code);
            return {
              code,
              name: d?.name ?? code,
              nameEn: d?.name_en ?? code,
              ...rateOf(a.samples, a.passed),
            };
          }),
      };
    });

  // The headline indicator: each of the three complete years at or above the threshold.
  const perYear = new Map<number, Acc>();
  for (const r of profile) {
    if (r.section !== INDICATOR.section) continue;
    const a = entry(perYear, num(r.year), acc);
    a.samples += num(r.n);
    if (r.verdict === 'pass') a.passed += num(r.n);
  }
  const indicatorRows = indicatorYears.map((year) => {
    const a = perYear.get(year) ?? acc();
    return {
      year,
      samples: a.samples,
      passed: a.passed,
      rate: a.samples > 0 ? a.passed / a.samples : null,
      // exact in integers: passed / samples ≥ 95 / 100
      met: a.samples > 0 && a.passed * 100 >= Math.round(INDICATOR.threshold * 100) * a.samples,
    };
  });
  const sectionC = industryName.get(INDICATOR.section);

  // Share of samples by the grade the draw saw, per year (with each grade's pass rate).
  const gradeCells = new Map<string, Acc>();
  for (const r of profile)
    if (inRange(num(r.year)))
      add(gradeCells, keyOf(num(r.year), r.grade_when_drawn ?? ''), num(r.n), r.verdict === 'pass');
  const gradeShare = years.map((year) => {
    const a = byYear.get(String(year)) ?? acc();
    const row = (grade: string | null) => {
      const g = gradeCells.get(keyOf(year, grade ?? '')) ?? acc();
      return {
        grade,
        samples: g.samples,
        share: a.samples > 0 ? g.samples / a.samples : null,
        passed: g.passed,
        rate: g.samples > 0 ? g.passed / g.samples : null,
      };
    };
    const known = DRAW_GRADES.map((g) => row(g));
    const unknown = row(null);
    return { year, samples: a.samples, grades: unknown.samples > 0 ? [...known, unknown] : known };
  });

  return {
    asOf: f.asOf,
    from: f.from,
    to: f.to,
    years,
    town: f.town,
    category: f.category,
    total: rateOf(total.samples, total.passed),
    byYear: years.map((year) => {
      const a = byYear.get(String(year)) ?? acc();
      return { year, ...rateOf(a.samples, a.passed) };
    }),
    byTown: townRows,
    byCategory: categoryRows,
    byIndustry: industryRows,
    cross: [...cells.values()]
      .sort(
        (a, b) =>
          a.year - b.year ||
          (a.townCode < b.townCode ? -1 : a.townCode > b.townCode ? 1 : 0) ||
          (a.categoryCode < b.categoryCode ? -1 : a.categoryCode > b.categoryCode ? 1 : 0),
      )
      .map((c) => ({
        year: c.year,
        townCode: c.townCode,
        categoryCode: c.categoryCode,
        ...rateOf(c.samples, c.passed),
      })),
    indicator: {
      section: INDICATOR.section,
      name: sectionC?.name ?? '制造业',
      nameEn: sectionC?.name_en ?? 'Manufacturing',
      threshold: INDICATOR.threshold,
      years: indicatorRows,
      met: indicatorRows.every((y) => y.met),
    },
    gradeShare,
  };
}

export type SamplingStats = Awaited<ReturnType<typeof samplingStatistics>>;

// --- Excel -----------------------------------------------------------------------------------

/** A text cell Excel would run as a formula gets a leading apostrophe (as registry/import/export.ts). */
export function guardFormula(value: string): string {
  return /^'*[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const PERCENT = '0.00%';
const TEXT = '@';

export const STATS_SHEETS = [
  '按年度',
  '按镇街',
  '按产品类别',
  '按行业',
  '镇街×类别×年度',
  '制造业合格率指标',
  '按抽取时信用等级',
  '说明',
] as const;

type Col = { header: string; key: string; width: number; numFmt?: string };
const counts: Col[] = [
  { header: '样品数', key: 'samples', width: 10 },
  { header: '合格数', key: 'passed', width: 10 },
  { header: '不合格数', key: 'failed', width: 10 },
  { header: '合格率', key: 'rate', width: 10, numFmt: PERCENT },
];

function styleHeader(row: ExcelJS.Row) {
  row.font = { bold: true };
  row.alignment = { vertical: 'middle' };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
}

type Cell = string | number | null;

/**
 * The statistics as one workbook, streamed to `out` (exceljs streaming writer): a sheet per view,
 * Chinese headers, codes as text, rates as percentages. Ends `out`.
 */
export async function writeStatsXlsx(stats: SamplingStats, out: Writable): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  wb.creator = '质汇 Zhihui';
  const sheet = async (name: string, cols: Col[], rows: Iterable<Record<string, Cell>>) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = cols.map((c) => ({
      header: c.header,
      key: c.key,
      width: c.width,
      style: c.numFmt ? { numFmt: c.numFmt } : {},
    }));
    styleHeader(ws.getRow(1));
    ws.getRow(1).commit();
    for (const r of rows) {
      const v: Record<string, Cell> = {};
      for (const [k, x] of Object.entries(r)) v[k] = typeof x === 'string' ? guardFormula(x) : x;
      ws.addRow(v).commit();
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    ws.commit();
  };
  const rateCells = (r: Rate) => ({ samples: r.samples, passed: r.passed, failed: r.failed, rate: r.rate });
  const trendCols: Col[] = stats.years.map((y) => ({
    header: `${y}年合格率`,
    key: `y${y}`,
    width: 12,
    numFmt: PERCENT,
  }));
  const trendCells = (t: TrendPoint[]) => Object.fromEntries(t.map((p) => [`y${p.year}`, p.rate]));
  const townName = new Map(stats.byTown.map((t) => [t.code, t.name]));
  const categoryName = new Map(stats.byCategory.map((c) => [c.code, c.name]));

  await sheet(
    '按年度',
    [{ header: '年度', key: 'year', width: 8 }, ...counts],
    stats.byYear.map((r) => ({ year: r.year, ...rateCells(r) })),
  );
  await sheet(
    '按镇街',
    [
      { header: '镇街代码', key: 'code', width: 12, numFmt: TEXT },
      { header: '镇街', key: 'name', width: 14 },
      ...counts,
      ...trendCols,
    ],
    stats.byTown.map((r) => ({ code: r.code, name: r.name, ...rateCells(r), ...trendCells(r.trend) })),
  );
  await sheet(
    '按产品类别',
    [
      { header: '类别代码', key: 'code', width: 10, numFmt: TEXT },
      { header: '产品类别', key: 'name', width: 24 },
      ...counts,
      ...trendCols,
    ],
    stats.byCategory.map((r) => ({ code: r.code, name: r.name, ...rateCells(r), ...trendCells(r.trend) })),
  );
  await sheet(
    '按行业',
    [
      { header: '门类', key: 'section', width: 6, numFmt: TEXT },
      { header: '门类名称', key: 'sectionName', width: 30 },
      { header: '大类代码', key: 'division', width: 10, numFmt: TEXT },
      { header: '大类名称', key: 'divisionName', width: 30 },
      ...counts,
    ],
    stats.byIndustry.flatMap((s) => [
      {
        section: s.section ?? '',
        sectionName: s.name,
        division: '',
        divisionName: '（门类合计）',
        ...rateCells(s),
      },
      ...s.divisions.map((d) => ({
        section: s.section ?? '',
        sectionName: s.name,
        division: d.code,
        divisionName: d.name,
        ...rateCells(d),
      })),
    ]),
  );
  await sheet(
    '镇街×类别×年度',
    [
      { header: '年度', key: 'year', width: 8 },
      { header: '镇街代码', key: 'townCode', width: 12, numFmt: TEXT },
      { header: '镇街', key: 'town', width: 14 },
      { header: '类别代码', key: 'categoryCode', width: 10, numFmt: TEXT },
      { header: '产品类别', key: 'category', width: 24 },
      ...counts,
    ],
    stats.cross.map((c) => ({
      year: c.year,
      townCode: c.townCode,
      town: townName.get(c.townCode) ?? c.townCode,
      categoryCode: c.categoryCode,
      category: categoryName.get(c.categoryCode) ?? c.categoryCode,
      ...rateCells(c),
    })),
  );
  const ind = stats.indicator;
  await sheet(
    '制造业合格率指标',
    [
      { header: '年度', key: 'year', width: 8 },
      { header: '样品数', key: 'samples', width: 10 },
      { header: '合格数', key: 'passed', width: 10 },
      { header: '合格率', key: 'rate', width: 10, numFmt: PERCENT },
      { header: `达到${Math.round(ind.threshold * 100)}%`, key: 'met', width: 10 },
    ],
    [
      ...ind.years.map((y) => ({
        year: y.year,
        samples: y.samples,
        passed: y.passed,
        rate: y.rate,
        met: y.met ? '是' : '否',
      })),
      {
        year: `${ind.name}（${ind.section}）连续三年合格率≥${Math.round(ind.threshold * 100)}%`,
        met: ind.met ? '是' : '否',
      },
    ],
  );
  await sheet(
    '按抽取时信用等级',
    [
      { header: '年度', key: 'year', width: 8 },
      { header: '抽取时信用等级', key: 'grade', width: 14 },
      { header: '样品数', key: 'samples', width: 10 },
      { header: '占比', key: 'share', width: 10, numFmt: PERCENT },
      { header: '合格数', key: 'passed', width: 10 },
      { header: '合格率', key: 'rate', width: 10, numFmt: PERCENT },
    ],
    stats.gradeShare.flatMap((y) =>
      y.grades.map((g) => ({
        year: y.year,
        grade: g.grade ?? '未记录',
        samples: g.samples,
        share: g.share,
        passed: g.passed,
        rate: g.rate,
      })),
    ),
  );
  await sheet(
    '说明',
    [
      { header: '项目', key: 'k', width: 16 },
      { header: '内容', key: 'v', width: 90 },
    ],
    [
      { k: '年度范围', v: `${stats.from}—${stats.to}` },
      { k: '镇街', v: stats.town ? `${stats.town.name}（${stats.town.code}）` : '全市' },
      {
        k: '产品类别',
        v: stats.category ? `${stats.category.name}（${stats.category.code}）及其下级类别` : '全部',
      },
      {
        k: '统计口径',
        v: '已出检验结论的样品（检验结果已报送或已终局）；复检改变结论的，按复检结论计。合格率 = 合格样品数 ÷ 样品数。',
      },
      {
        k: '制造业指标',
        v: `${ind.years.map((y) => y.year).join('、')}年（最近三个完整年度），行业门类${ind.section}（${ind.name}）样品合格率均≥${Math.round(ind.threshold * 100)}%`,
      },
      { k: '统计日期', v: stats.asOf },
    ],
  );
  await wb.commit(); // ends `out`
}
