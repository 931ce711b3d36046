// Differentiated supervision: the grade decides the draw ratio and the inspection frequency (rule-set
// data), and a reproducible draw gives sampling, equipment and metrology their targets. Also the
// grade distribution the overview page charts.
import type { Kysely } from 'kysely';
import { drawWithout, seededRandom } from '../../core/random.js';
import type { WorkdayCalendar } from '../../core/workdays.js';
import type { Database } from '../../db/schema.js';
import { LISTED_STATES } from './grading.js';
import { isReviewOverdue, type Objection } from './objections.js';
import { ruleSetOn } from './rule-store.js';
import { GRADES, type Grade } from './rules.js';

export async function supervisionPolicy(db: Kysely<Database>, today: string) {
  const rs = await ruleSetOn(db, today);
  return {
    ruleSet: { id: rs.id, version: rs.version },
    grades: Object.fromEntries(
      GRADES.map((g) => [g, { ...rs.supervision[g], label: rs.grades.find((x) => x.grade === g)!.label }]),
    ) as Record<Grade, (typeof rs.supervision)[Grade] & { label: { zh: string; en: string } }>,
  };
}

/**
 * Where an enterprise's current grade is, for a read of another module that wants the grade beside
 * its own columns in one pass (the sampling draw's pool, through the register's makerLinksOf): the
 * table, its enterprise key and the column. Enterprises not graded yet have no row.
 */
export const CURRENT_GRADES = {
  table: 'credit_grades',
  enterpriseId: 'enterprise_id',
  columns: { grade: 'grade' },
} as const;

/**
 * Every enterprise's current grade, in one scan of credit_grades (its primary key). Enterprises not
 * graded yet are absent: callers treat them as B, as drawTargets does.
 */
export async function gradeSnapshot(db: Kysely<Database>): Promise<Map<string, Grade>> {
  const rows = await db.selectFrom('credit_grades').select(['enterprise_id', 'grade']).execute();
  return new Map(rows.map((r) => [r.enterprise_id, r.grade as Grade]));
}

export type DrawOptions = {
  /** 'sampling': product sampling at the draw ratio; 'onSite': proactive checks (A only on complaint). */
  purpose: 'sampling' | 'onSite';
  townCode?: string;
  industrySection?: string;
  seed: number;
};

/**
 * Draws proactive-check targets among operating enterprises: per grade, ceil(ratio × population)
 * at random. For on-site checks, grades whose policy is "complaint only" are not drawn at all.
 */
export async function drawTargets(db: Kysely<Database>, today: string, opts: DrawOptions) {
  const policy = await supervisionPolicy(db, today);
  let q = db
    .selectFrom('enterprises as e')
    .leftJoin('credit_grades as g', 'g.enterprise_id', 'e.id')
    .select(['e.id', 'e.uscc', 'e.name', 'e.town_code', 'g.grade'])
    .where('e.status', '=', 'operating')
    .orderBy('e.id');
  if (opts.townCode) q = q.where('e.town_code', '=', opts.townCode);
  if (opts.industrySection)
    q = q.where('e.industry_code', 'in', (eb) =>
      eb.selectFrom('industries').select('code').where('section', '=', opts.industrySection!),
    );
  const rows = await q.execute();
  const random = seededRandom(opts.seed);
  const byGrade = Object.fromEntries(GRADES.map((g) => [g, [] as typeof rows])) as Record<Grade, typeof rows>;
  for (const r of rows) byGrade[(r.grade as Grade | null) ?? 'B'].push(r);
  const items: { uscc: string; name: string; grade: Grade }[] = [];
  const counts = {} as Record<Grade, { population: number; drawn: number; ratio: number }>;
  for (const g of GRADES) {
    const p = policy.grades[g];
    const pool = byGrade[g];
    const excluded = opts.purpose === 'onSite' && p.onSiteCheck === 'complaintOnly';
    // ceil(ratio × n) without binary floating point's excess (0.07 × 100 is 7.000000000000001).
    const n = excluded ? 0 : Math.min(pool.length, Math.max(0, Math.ceil(p.drawRatio * pool.length - 1e-9)));
    // the first n of a seeded shuffle (partial Fisher–Yates), as the sampling draw takes them
    for (const e of drawWithout(pool, n, random)) items.push({ uscc: e.uscc, name: e.name, grade: g });
    counts[g] = { population: pool.length, drawn: n, ratio: excluded ? 0 : p.drawRatio };
  }
  return { ruleSet: policy.ruleSet, purpose: opts.purpose, seed: opts.seed, counts, items };
}

export async function creditStats(
  db: Kysely<Database>,
  today: string,
  townCode: string | null,
  calendar?: WorkdayCalendar,
) {
  let g = db
    .selectFrom('credit_grades as g')
    .innerJoin('enterprises as e', 'e.id', 'g.enterprise_id')
    .leftJoin('industries as i', 'i.code', 'e.industry_code')
    .select((eb) => ['g.grade', 'e.town_code', 'i.section', eb.fn.countAll<number>().as('n')])
    .groupBy(['g.grade', 'e.town_code', 'i.section']);
  if (townCode) g = g.where('e.town_code', '=', townCode);
  const [rows, towns, sections, blacklist, objections] = await Promise.all([
    g.execute(),
    db.selectFrom('towns').select(['code', 'name']).orderBy('sort').execute(),
    db
      .selectFrom('industries')
      .select(['code', 'name'])
      .where('level', '=', 'section')
      .orderBy('code')
      .execute(),
    (() => {
      let b = db
        .selectFrom('credit_blacklist as b')
        .innerJoin('enterprises as e', 'e.id', 'b.enterprise_id')
        .select((eb) => ['b.state', eb.fn.countAll<number>().as('n')])
        .groupBy('b.state');
      if (townCode) b = b.where('e.town_code', '=', townCode);
      return b.execute();
    })(),
    (() => {
      let o = db
        .selectFrom('credit_objections as o')
        .innerJoin('enterprises as e', 'e.id', 'o.enterprise_id')
        .select(['o.state', 'o.body'])
        .where('o.state', 'in', ['submitted', 'underReview']);
      if (townCode) o = o.where('e.town_code', '=', townCode);
      return o.execute();
    })(),
  ]);
  const empty = () => ({ A: 0, B: 0, C: 0, D: 0 });
  const byGrade = empty();
  const byTown = new Map(towns.map((t) => [t.code, { code: t.code, name: t.name, ...empty() }]));
  const byIndustry = new Map(sections.map((s) => [s.code, { code: s.code, name: s.name, ...empty() }]));
  for (const r of rows) {
    const grade = r.grade as Grade;
    const n = Number(r.n);
    byGrade[grade] += n;
    const t = byTown.get(r.town_code);
    if (t) t[grade] += n;
    const s = r.section ? byIndustry.get(r.section) : undefined;
    if (s) s[grade] += n;
  }
  // Overdue from submission on: an objection nobody has opened yet counts too.
  const overdue = objections.filter((o) =>
    isReviewOverdue(JSON.parse(o.body) as Objection, today, calendar),
  ).length;
  const total = byGrade.A + byGrade.B + byGrade.C + byGrade.D;
  return {
    asOf: today,
    total,
    byGrade,
    byTown: [...byTown.values()].filter((t) => !townCode || t.code === townCode),
    byIndustry: [...byIndustry.values()].filter((s) => s.A + s.B + s.C + s.D > 0),
    blacklist: Object.fromEntries(blacklist.map((b) => [b.state, Number(b.n)])),
    listed: blacklist
      .filter((b) => (LISTED_STATES as readonly string[]).includes(b.state))
      .reduce((a, b) => a + Number(b.n), 0),
    objections: { pending: objections.length, overdue },
  };
}
