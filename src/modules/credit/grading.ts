// Grades in the database. One enterprise is regraded from its archive with the pure `gradeOf`
// whenever a record or a veto fact changes; the whole city is regraded in a few set-based queries
// that compute the same numbers (a test holds the two to each other). Every change of grade or
// score is kept in the history with the day it took effect, so a past day's grade is what was shown.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/schema.js';
import type { AppContext } from '../../platform/context.js';
import { archiveRows, toCreditRecord } from './archive.js';
import { bindingVeto, type GradeResult, gradeForScore, gradeOf, type VetoFlags } from './grade.js';
import { ruleSetOn } from './rule-store.js';
import type { Grade, RuleSet } from './rules.js';

export const ABNORMAL_TAG = 'abnormalOperations';
export const LISTED_STATES = ['listed', 'published'] as const;

export async function vetoFlags(db: Kysely<Database>, enterpriseId: string): Promise<Required<VetoFlags>> {
  // One round trip: the blacklist veto (listed or published) and the abnormal-operations tag.
  const states = sql.join(LISTED_STATES.map((s) => sql`${s}`));
  const { rows } = await sql<{ b: unknown; a: unknown }>`select
      exists (select 1 from credit_blacklist where enterprise_id = ${enterpriseId} and state in (${states})) as b,
      exists (select 1 from enterprise_tags where enterprise_id = ${enterpriseId} and tag = ${ABNORMAL_TAG}) as a`.execute(
    db,
  );
  const row = rows[0]!;
  return { blacklisted: Boolean(Number(row.b)), abnormalOperations: Boolean(Number(row.a)) };
}

/** The grade from the archive, as of a date, without writing anything. */
export async function computeGrade(
  db: Kysely<Database>,
  enterpriseId: string,
  asOf: string,
  cacheKey: object = db,
) {
  const [rows, flags, ruleSet] = await Promise.all([
    archiveRows(db, enterpriseId),
    vetoFlags(db, enterpriseId),
    ruleSetOn(db, asOf, cacheKey),
  ]);
  const result = gradeOf({ records: rows.map(toCreditRecord), asOf, ruleSet, flags });
  return { result, ruleSet, rows, flags };
}

type GradeRow = Database['credit_grades'];

type Computed = {
  enterpriseId: string;
  grade: Grade;
  score: number;
  rawScore: number;
  ruleSetId: string;
  ruleSetVersion: number;
  vetoId: string | null;
};

const sameGrade = (a: Pick<GradeRow, 'grade' | 'score' | 'rule_set_id' | 'rule_set_version'>, b: Computed) =>
  a.grade === b.grade &&
  a.score === b.score &&
  a.rule_set_id === b.ruleSetId &&
  a.rule_set_version === b.ruleSetVersion;

/** Writes grades that changed (current row and a history row for `asOf`); returns how many changed. */
async function storeGrades(
  trx: Kysely<Database>,
  computed: Computed[],
  current: Map<string, Pick<GradeRow, 'grade' | 'score' | 'rule_set_id' | 'rule_set_version'>>,
  asOf: string,
  now: string,
): Promise<number> {
  const changed = computed.filter((c) => {
    const known = current.get(c.enterpriseId);
    return !known || !sameGrade(known, c);
  });
  for (let i = 0; i < changed.length; i += 500) {
    const chunk = changed.slice(i, i + 500);
    await trx
      .insertInto('credit_grades')
      .values(
        chunk.map((c) => ({
          enterprise_id: c.enterpriseId,
          grade: c.grade,
          score: c.score,
          raw_score: c.rawScore,
          rule_set_id: c.ruleSetId,
          rule_set_version: c.ruleSetVersion,
          veto_id: c.vetoId,
          as_of: asOf,
          computed_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.column('enterprise_id').doUpdateSet((eb) => ({
          grade: eb.ref('excluded.grade'),
          score: eb.ref('excluded.score'),
          raw_score: eb.ref('excluded.raw_score'),
          rule_set_id: eb.ref('excluded.rule_set_id'),
          rule_set_version: eb.ref('excluded.rule_set_version'),
          veto_id: eb.ref('excluded.veto_id'),
          as_of: eb.ref('excluded.as_of'),
          computed_at: eb.ref('excluded.computed_at'),
        })),
      )
      .execute();
    await trx
      .insertInto('credit_grade_history')
      .values(
        chunk.map((c) => ({
          id: newId(),
          enterprise_id: c.enterpriseId,
          valid_from: asOf,
          grade: c.grade,
          score: c.score,
          rule_set_id: c.ruleSetId,
          rule_set_version: c.ruleSetVersion,
          recorded_at: now,
        })),
      )
      .execute();
  }
  return changed.length;
}

const toComputed = (enterpriseId: string, r: GradeResult): Computed => ({
  enterpriseId,
  grade: r.grade,
  score: r.score,
  rawScore: r.rawScore,
  ruleSetId: r.ruleSet.id,
  ruleSetVersion: r.ruleSet.version,
  vetoId: r.vetoApplied?.id ?? null,
});

/** Regrades one enterprise inside the caller's transaction (after a record or a veto fact changed). */
export async function regradeEnterprise(
  trx: Kysely<Database>,
  ctx: Pick<AppContext, 'clock' | 'db'>,
  enterpriseId: string,
  asOf: string,
): Promise<GradeResult> {
  const [{ result }, current] = await Promise.all([
    computeGrade(trx, enterpriseId, asOf, ctx.db),
    trx.selectFrom('credit_grades').selectAll().where('enterprise_id', '=', enterpriseId).executeTakeFirst(),
  ]);
  const known = new Map(current ? [[enterpriseId, current]] : []);
  await storeGrades(trx, [toComputed(enterpriseId, result)], known, asOf, ctx.clock.now().toISOString());
  return result;
}

/** One enterprise in a city-wide pass: where it is, and its raw scores. */
export type CityEnterprise = {
  id: string;
  townCode: string;
  industryCode: string | null;
  /** base + Σ counting points under the stored records (the rule sets that scored them) */
  raw: number;
  /** the same under a draft (sandbox only) */
  rawDraft: number;
};

export type CityScores = {
  ruleSet: RuleSet;
  enterprises: CityEnterprise[];
  flags: { blacklisted: Set<string>; abnormal: Set<string> };
};

/** How a draft re-scores archived records (sandbox.ts builds it from the draft's rules). */
export type DraftScoring = {
  draft: RuleSet;
  /** SUM() argument: a record's points under the draft, 0 if it no longer counts on asOf */
  pointsExpr: RawBuilder<number>;
  /** the earliest effective date any draft rule still counts on asOf */
  minCutoff: string;
  /** draft points of a reversed record (they are taken off again) */
  pointsOf: (ruleId: string, effectiveOn: string) => number;
};

/**
 * Every enterprise's raw score as of a date in one pass over the archive: the sum of counting
 * records minus those a reversal effective by then cancels, joined to the register and the stored
 * grades. With a draft, the same scan also sums the draft's points (the sandbox).
 */
export async function cityScores(
  db: Kysely<Database>,
  asOf: string,
  ruleSet: RuleSet,
  draft: DraftScoring | null = null,
): Promise<CityScores> {
  let sums = db
    .selectFrom('credit_records')
    .where('reverses_id', 'is', null)
    .where('effective_on', '<=', asOf)
    .groupBy('enterprise_id');
  sums = draft
    ? sums.where((eb) => eb.or([eb('expires_on', '>', asOf), eb('effective_on', '>=', draft.minCutoff)]))
    : sums.where('expires_on', '>', asOf);
  const summed = draft
    ? sums.select((eb) => [
        'enterprise_id',
        eb.fn.sum<number>(sql<number>`case when expires_on > ${asOf} then points else 0 end`).as('s'),
        eb.fn.sum<number>(draft.pointsExpr).as('d'),
      ])
    : sums.select((eb) => ['enterprise_id', eb.fn.sum<number>('points').as('s'), sql<number>`0`.as('d')]);
  // The archive's sums and the register are read apart and joined here: on SQLite a join to the
  // grouped subquery costs more than the sums themselves.
  const [sumRows, rows, cancelled, listed, abnormal] = await Promise.all([
    summed.execute(),
    db.selectFrom('enterprises').select(['id', 'town_code', 'industry_code']).execute(),
    db
      .selectFrom('credit_records as r')
      .innerJoin('credit_records as o', 'o.id', 'r.reverses_id')
      .select(['o.id', 'o.enterprise_id', 'o.points', 'o.rule_id', 'o.effective_on', 'o.expires_on'])
      .where('r.reverses_id', 'is not', null)
      .where('r.effective_on', '<=', asOf)
      .where('o.effective_on', '<=', asOf)
      .execute(),
    db.selectFrom('credit_blacklist').select('enterprise_id').where('state', 'in', LISTED_STATES).execute(),
    db.selectFrom('enterprise_tags').select('enterprise_id').where('tag', '=', ABNORMAL_TAG).execute(),
  ]);
  const sumsOf = new Map(sumRows.map((r) => [r.enterprise_id, r]));
  const draftBase = draft?.draft.base ?? ruleSet.base;
  const byId = new Map<string, CityEnterprise>();
  const enterprises = rows.map((r) => {
    const e: CityEnterprise = {
      id: r.id,
      townCode: r.town_code,
      industryCode: r.industry_code,
      raw: ruleSet.base + Number(sumsOf.get(r.id)?.s ?? 0),
      rawDraft: draftBase + Number(sumsOf.get(r.id)?.d ?? 0),
    };
    byId.set(r.id, e);
    return e;
  });
  const seen = new Set<string>();
  for (const c of cancelled) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    const e = byId.get(c.enterprise_id);
    if (!e) continue;
    if (c.expires_on > asOf) e.raw -= Number(c.points);
    if (draft) e.rawDraft -= draft.pointsOf(c.rule_id, c.effective_on);
  }
  return {
    ruleSet,
    enterprises,
    flags: {
      blacklisted: new Set(listed.map((r) => r.enterprise_id)),
      abnormal: new Set(abnormal.map((r) => r.enterprise_id)),
    },
  };
}

/** Grade of one enterprise from its raw score and veto facts, exactly as gradeOf decides it. */
export function gradeFromRaw(ruleSet: RuleSet, rawScore: number, flags: VetoFlags) {
  const score = Math.min(ruleSet.bounds.max, Math.max(ruleSet.bounds.min, rawScore));
  const scoreGrade = gradeForScore(ruleSet, score);
  const veto = bindingVeto(ruleSet, flags, scoreGrade);
  return { score, grade: (veto ? veto.cap : scoreGrade) as Grade, vetoId: veto?.id ?? null };
}

/** The grades a pass gives, under its rule set (or, with `useDraft`, the draft's raw scores and rules). */
export function gradesFromScores(s: CityScores, ruleSet: RuleSet = s.ruleSet, useDraft = false): Computed[] {
  return s.enterprises.map((e) => {
    const rawScore = useDraft ? e.rawDraft : e.raw;
    const g = gradeFromRaw(ruleSet, rawScore, {
      blacklisted: s.flags.blacklisted.has(e.id),
      abnormalOperations: s.flags.abnormal.has(e.id),
    });
    return {
      enterpriseId: e.id,
      grade: g.grade,
      score: g.score,
      rawScore,
      ruleSetId: ruleSet.id,
      ruleSetVersion: ruleSet.version,
      vetoId: g.vetoId,
    };
  });
}

export type RegradeReport = {
  asOf: string;
  ruleSet: { id: string; version: number };
  total: number;
  changed: number;
  byGrade: Record<Grade, number>;
  elapsedMs: number;
};

/** Regrades every enterprise as of a date; only changed grades are written. */
export async function regradeAll(ctx: AppContext, asOf: string): Promise<RegradeReport> {
  const started = performance.now();
  const later = await ctx.db
    .selectFrom('credit_grade_history')
    .select('valid_from')
    .where('valid_from', '>', asOf)
    .limit(1)
    .executeTakeFirst();
  if (later)
    throw new AppError('INVALID_STATE', {
      message: {
        zh: `${later.valid_from} 已有记录的等级, 不能改写更早日期 ${asOf} 之后的历史; 查询过去的等级请用 credit grade --as-of`,
        en: `Grades are already recorded for ${later.valid_from}; history after ${asOf} cannot be rewritten (use credit grade --as-of to compute a past grade)`,
      },
    });
  const ruleSet = await ruleSetOn(ctx.db, asOf);
  const now = ctx.clock.now().toISOString();
  const changed = await ctx.db.transaction().execute(async (trx) => {
    // The changed grades go from the statement straight into the table, marked by this run's
    // instant; the history rows are then copied from the rows so marked (one id orders the batch).
    const upsert = await sql`${gradeStatement(asOf, ruleSet)}
      insert into credit_grades
        (enterprise_id, grade, score, raw_score, rule_set_id, rule_set_version, veto_id, as_of, computed_at)
      select y.id, y.grade, y.score, y.raw, ${ruleSet.id}, ${ruleSet.version}, y.veto_id, ${asOf}, ${now}
      ${changedOnly(ruleSet)}
      on conflict (enterprise_id) do update set
        grade = excluded.grade, score = excluded.score, raw_score = excluded.raw_score,
        rule_set_id = excluded.rule_set_id, rule_set_version = excluded.rule_set_version,
        veto_id = excluded.veto_id, as_of = excluded.as_of, computed_at = excluded.computed_at`.execute(trx);
    await sql`insert into credit_grade_history
        (enterprise_id, valid_from, grade, score, rule_set_id, rule_set_version, recorded_at, id)
      select enterprise_id, as_of, grade, score, rule_set_id, rule_set_version, computed_at, ${newId()}
      from credit_grades where computed_at = ${now}`.execute(trx);
    return Number(upsert.numAffectedRows ?? 0);
  });
  const counts = await ctx.db
    .selectFrom('credit_grades')
    .select((eb) => ['grade', eb.fn.countAll<number>().as('n')])
    .groupBy('grade')
    .execute();
  const byGrade: Record<Grade, number> = { A: 0, B: 0, C: 0, D: 0 };
  for (const c of counts) byGrade[c.grade as Grade] += Number(c.n);
  return {
    asOf,
    ruleSet: { id: ruleSet.id, version: ruleSet.version },
    total: byGrade.A + byGrade.B + byGrade.C + byGrade.D,
    changed,
    byGrade,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/**
 * Every enterprise's grade as CTEs ending in `y (id, raw, score, grade, veto_id)`, computed by the
 * database: the same arithmetic as `gradeOf` — base + Σ counting points − points a reversal
 * cancels, clamped to the bounds, graded by the thresholds, lowered by the most restrictive veto —
 * written as SQL from the rule set, so that only changes are written and nothing travels to the
 * application. A property test holds it to `gradeOf` for every enterprise.
 */
function gradeStatement(asOf: string, rs: RuleSet) {
  const grades = rs.grades; // validated: A, B, C, D in order, thresholds descending
  const score = sql`(case when raw < ${rs.bounds.min} then ${rs.bounds.min} when raw > ${rs.bounds.max} then ${rs.bounds.max} else raw end)`;
  const scoreGrade = sql`(case ${sql.join(
    grades.slice(0, -1).map((g) => sql`when ${score} >= ${g.minScore} then ${g.grade}`),
    sql` `,
  )} else ${grades[grades.length - 1]!.grade} end)`;
  // A veto binds when its flag holds and the score's grade is better than its cap, i.e. the score
  // reaches the threshold of the grade just above the cap; the most restrictive binding veto wins.
  const rank = (g: string) => grades.findIndex((x) => x.grade === g);
  const vetoes = [...rs.vetoes].filter((v) => rank(v.cap) > 0).sort((a, b) => rank(b.cap) - rank(a.cap));
  const flagColumn = { blacklisted: sql.ref('bl'), abnormalOperations: sql.ref('ab') } as const;
  const binds = (v: RuleSet['vetoes'][number]) =>
    sql`${flagColumn[v.when.flag]} = 1 and ${score} >= ${grades[rank(v.cap) - 1]!.minScore}`;
  const grade =
    vetoes.length === 0
      ? scoreGrade
      : sql`(case ${sql.join(
          vetoes.map((v) => sql`when ${binds(v)} then ${v.cap}`),
          sql` `,
        )} else ${scoreGrade} end)`;
  const vetoId =
    vetoes.length === 0
      ? sql`null`
      : sql`(case ${sql.join(
          vetoes.map((v) => sql`when ${binds(v)} then ${v.id}`),
          sql` `,
        )} else null end)`;
  const states = sql.join(LISTED_STATES.map((st) => sql`${st}`));
  return sql`with s as (
      select enterprise_id, sum(points) as s from credit_records
      where reverses_id is null and effective_on <= ${asOf} and expires_on > ${asOf}
      group by enterprise_id
    ), c as (
      select o.enterprise_id, sum(o.points) as c
      from (select distinct reverses_id from credit_records
            where reverses_id is not null and effective_on <= ${asOf}) r
      join credit_records o on o.id = r.reverses_id
      where o.effective_on <= ${asOf} and o.expires_on > ${asOf}
      group by o.enterprise_id
    ), x as (
      select e.id,
        ${rs.base} + coalesce(s.s, 0) - coalesce(c.c, 0) as raw,
        case when b.enterprise_id is null then 0 else 1 end as bl,
        case when t.enterprise_id is null then 0 else 1 end as ab
      from enterprises e
      left join s on s.enterprise_id = e.id
      left join c on c.enterprise_id = e.id
      left join (select distinct enterprise_id from credit_blacklist where state in (${states})) b
        on b.enterprise_id = e.id
      left join (select distinct enterprise_id from enterprise_tags where tag = ${ABNORMAL_TAG}) t
        on t.enterprise_id = e.id
    ), y as (
      select id, raw, ${score} as score, ${grade} as grade, ${vetoId} as veto_id from x
    )`;
}

/** FROM/WHERE that keeps the computed grades differing from the stored ones (or missing). */
const changedOnly = (rs: RuleSet) => sql`from y left join credit_grades g on g.enterprise_id = y.id
    where g.enterprise_id is null or g.grade <> y.grade or g.score <> y.score
      or g.rule_set_id <> ${rs.id} or g.rule_set_version <> ${rs.version}`;

/** What the history says was shown on a date (the last change on or before it); null before any. */
export async function recordedGradeOn(db: Kysely<Database>, enterpriseId: string, date: string) {
  const row = await db
    .selectFrom('credit_grade_history')
    .select(['grade', 'score', 'valid_from', 'rule_set_id', 'rule_set_version'])
    .where('enterprise_id', '=', enterpriseId)
    .where('valid_from', '<=', date)
    .orderBy('valid_from', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

export async function gradeHistory(db: Kysely<Database>, enterpriseId: string) {
  return db
    .selectFrom('credit_grade_history')
    .select(['valid_from', 'grade', 'score', 'rule_set_id', 'rule_set_version'])
    .where('enterprise_id', '=', enterpriseId)
    .orderBy('valid_from')
    .orderBy('id')
    .execute();
}
