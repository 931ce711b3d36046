// The policy sandbox: a draft rule set run over every enterprise as of a date, writing nothing. Each
// archived record is re-scored by the draft rule of the same id (or, failing that, the draft rule
// its old rule's match would hit); the draft's validity decides whether it still counts. The result
// is the transition matrix against the rule set in force, by town and industry, and who moves and why.
import { type Kysely, sql } from 'kysely';
import { addCalendarDays } from '../../core/workdays.js';
import type { Database } from '../../db/schema.js';
import { cityScores, type DraftScoring, gradesFromScores } from './grading.js';
import { publishedRuleSets, ruleSetOn } from './rule-store.js';
import { expiryDate, GRADES, type Grade, type Rule, type RuleSet, ruleFor } from './rules.js';

type DraftRule = { points: number; cutoff: string };

/** The earliest effective date whose record, under `validity`, still counts on `asOf`. */
export function countingCutoff(asOf: string, validity: Rule['validity']): string {
  const span = (validity.years ?? 0) * 366 + (validity.months ?? 0) * 31 + (validity.days ?? 0) + 2;
  let lo = -span; // offsets from asOf in days; expiry is non-decreasing in the effective date
  let hi = 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (expiryDate(addCalendarDays(asOf, mid), validity) > asOf) hi = mid;
    else lo = mid + 1;
  }
  return addCalendarDays(asOf, lo);
}

/** For every rule id of the published sets, what the draft makes of its records. */
export function draftMapping(
  published: readonly RuleSet[],
  draft: RuleSet,
  asOf: string,
): Map<string, DraftRule> {
  const map = new Map<string, DraftRule>();
  const ordered = [...published].sort(
    (a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || a.version - b.version,
  );
  for (const rs of ordered) {
    for (const old of rs.rules) {
      const next =
        draft.rules.find((r) => r.id === old.id && r.eventType === old.eventType) ??
        ruleFor(draft, { type: old.eventType, payload: old.match ?? {} });
      map.set(
        old.id,
        next
          ? { points: next.points, cutoff: countingCutoff(asOf, next.validity) }
          : { points: 0, cutoff: '9999-12-31' },
      );
    }
  }
  return map;
}

function draftScoring(draft: RuleSet, mapping: Map<string, DraftRule>): DraftScoring {
  const entries = [...mapping.entries()].filter(([, d]) => d.points !== 0);
  const minCutoff = entries.reduce((m, [, d]) => (d.cutoff < m ? d.cutoff : m), '9999-12-31');
  const pointsExpr =
    entries.length === 0
      ? sql<number>`0`
      : sql<number>`case rule_id ${sql.join(
          entries.map(
            ([id, d]) =>
              sql`when ${id} then case when effective_on >= ${d.cutoff} then ${d.points} else 0 end`,
          ),
          sql` `,
        )} else 0 end`;
  return {
    draft,
    pointsExpr,
    minCutoff,
    pointsOf: (ruleId, effectiveOn) => {
      const d = mapping.get(ruleId);
      return d && effectiveOn >= d.cutoff ? d.points : 0;
    },
  };
}

export type SandboxResult = Awaited<ReturnType<typeof runSandbox>>;

export async function runSandbox(db: Kysely<Database>, draft: RuleSet, asOf: string, moversLimit = 200) {
  const started = performance.now();
  const baseline = await ruleSetOn(db, asOf);
  const published = await publishedRuleSets(db);
  const mapping = draftMapping(published, draft, asOf);
  // One pass over the archive sums both the points in force and the draft's.
  const [scores, towns, industries] = await Promise.all([
    cityScores(db, asOf, baseline, draftScoring(draft, mapping)),
    db.selectFrom('towns').select(['code', 'name']).execute(),
    db.selectFrom('industries').select(['code', 'name', 'section', 'level']).execute(),
  ]);
  const from = gradesFromScores(scores);
  const to = new Map(gradesFromScores(scores, draft, true).map((g) => [g.enterpriseId, g]));
  const info = new Map(scores.enterprises.map((e) => [e.id, e]));
  const townName = new Map(towns.map((t) => [t.code, t.name]));
  const sectionOf = new Map(industries.map((i) => [i.code, i.section]));
  const sectionName = new Map(industries.filter((i) => i.level === 'section').map((i) => [i.code, i.name]));

  const matrix = Object.fromEntries(
    GRADES.map((g) => [g, Object.fromEntries(GRADES.map((h) => [h, 0]))]),
  ) as Record<Grade, Record<Grade, number>>;
  const byTown = new Map<string, { code: string; name: string; total: number; up: number; down: number }>();
  const byIndustry = new Map<
    string,
    { code: string; name: string; total: number; up: number; down: number }
  >();
  const movers: { id: string; from: Grade; to: Grade; scoreFrom: number; scoreTo: number }[] = [];
  const bump = (
    m: Map<string, { code: string; name: string; total: number; up: number; down: number }>,
    code: string,
    name: string,
    dir: number,
  ) => {
    const row = m.get(code) ?? { code, name, total: 0, up: 0, down: 0 };
    row.total += 1;
    if (dir < 0) row.up += 1;
    if (dir > 0) row.down += 1;
    m.set(code, row);
  };
  for (const f of from) {
    const t = to.get(f.enterpriseId)!;
    matrix[f.grade][t.grade] += 1;
    const dir = GRADES.indexOf(t.grade) - GRADES.indexOf(f.grade);
    const e = info.get(f.enterpriseId);
    if (e) {
      bump(byTown, e.townCode, townName.get(e.townCode) ?? e.townCode, dir);
      const section = e.industryCode ? (sectionOf.get(e.industryCode) ?? '?') : '?';
      bump(byIndustry, section, sectionName.get(section) ?? '未分类', dir);
    }
    if (dir !== 0)
      movers.push({ id: f.enterpriseId, from: f.grade, to: t.grade, scoreFrom: f.score, scoreTo: t.score });
  }
  movers.sort(
    (a, b) =>
      Math.abs(b.scoreTo - b.scoreFrom) - Math.abs(a.scoreTo - a.scoreFrom) || a.id.localeCompare(b.id),
  );
  const shown = movers.slice(0, moversLimit);
  const names = new Map(
    shown.length === 0
      ? []
      : (
          await db
            .selectFrom('enterprises')
            .select(['id', 'uscc', 'name'])
            .where(
              'id',
              'in',
              shown.map((m) => m.id),
            )
            .execute()
        ).map((e) => [e.id, e]),
  );
  const reasons = await moverReasons(
    db,
    shown.map((m) => m.id),
    asOf,
    mapping,
    baseline,
    draft,
  );
  return {
    asOf,
    baseline: { id: baseline.id, version: baseline.version },
    draft: { id: draft.id, version: draft.version },
    total: from.length,
    moved: movers.length,
    matrix,
    byTown: [...byTown.values()].sort(
      (a, b) => b.up + b.down - (a.up + a.down) || a.code.localeCompare(b.code),
    ),
    byIndustry: [...byIndustry.values()].sort(
      (a, b) => b.up + b.down - (a.up + a.down) || a.code.localeCompare(b.code),
    ),
    movers: shown.map((m) => {
      const e = info.get(m.id)!;
      const n = names.get(m.id)!;
      return {
        uscc: n.uscc,
        name: n.name,
        townName: townName.get(e.townCode) ?? e.townCode,
        from: m.from,
        to: m.to,
        scoreFrom: m.scoreFrom,
        scoreTo: m.scoreTo,
        reasons: reasons.get(m.id) ?? [],
      };
    }),
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** Per rule, the points an enterprise gets under the set in force and under the draft. */
async function moverReasons(
  db: Kysely<Database>,
  ids: string[],
  asOf: string,
  mapping: Map<string, DraftRule>,
  baseline: RuleSet,
  draft: RuleSet,
) {
  const out = new Map<
    string,
    { rule: string; label: { zh: string; en: string }; pointsFrom: number; pointsTo: number }[]
  >();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('credit_records')
    .select(['id', 'enterprise_id', 'rule_id', 'points', 'effective_on', 'expires_on', 'reverses_id'])
    .where('enterprise_id', 'in', ids)
    .execute();
  const reversed = new Set(
    rows.filter((r) => r.reverses_id && r.effective_on <= asOf).map((r) => r.reverses_id),
  );
  const labels = new Map([...baseline.rules, ...draft.rules].map((r) => [r.id, r.label]));
  const acc = new Map<string, Map<string, { from: number; to: number }>>();
  for (const r of rows) {
    if (r.reverses_id || reversed.has(r.id) || r.effective_on > asOf) continue;
    const d = mapping.get(r.rule_id);
    const fromPts = r.expires_on > asOf ? r.points : 0;
    const toPts = d && r.effective_on >= d.cutoff ? d.points : 0;
    const m = acc.get(r.enterprise_id) ?? new Map();
    const cur = m.get(r.rule_id) ?? { from: 0, to: 0 };
    cur.from += fromPts;
    cur.to += toPts;
    m.set(r.rule_id, cur);
    acc.set(r.enterprise_id, m);
  }
  for (const id of ids) {
    const list: { rule: string; label: { zh: string; en: string }; pointsFrom: number; pointsTo: number }[] =
      [];
    if (baseline.base !== draft.base)
      list.push({
        rule: 'base',
        label: { zh: '基础分', en: 'Base score' },
        pointsFrom: baseline.base,
        pointsTo: draft.base,
      });
    for (const [rule, v] of acc.get(id) ?? []) {
      if (v.from !== v.to)
        list.push({
          rule,
          label: labels.get(rule) ?? { zh: rule, en: rule },
          pointsFrom: v.from,
          pointsTo: v.to,
        });
    }
    if (list.length === 0)
      list.push({
        rule: 'grades',
        label: { zh: '等级分数线或否决项变化', en: 'Grade thresholds or vetoes changed' },
        pointsFrom: 0,
        pointsTo: 0,
      });
    out.set(id, list);
  }
  return out;
}
