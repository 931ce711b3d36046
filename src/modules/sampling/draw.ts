// The double-random draw (双随机), as a pure function of everything it looks at: the plan, the seed,
// the credit rule set's draw ratios, the pool snapshot (who makes each category, where, operating or
// not, at which grade), the samples of the last six months, higher-level plans, open referrals and
// the inspector register. The same input always gives the same draw, so a stored draw can be
// recomputed and checked (draw-store.ts verifyDraw; `npx zhihui sampling redraw --verify`).
//
// Per plan category, in plan order:
//   1. exclusions, each with its reason: not operating; sampled by a higher-level plan in the same
//      category this year; the same category sampled by this bureau within 6 months before the draw
//      (not for follow-up and emergency plans — the product-level check runs again at sampling);
//   2. enterprises flagged by a verified complaint or a referral are added with that reason;
//   3. the rest stratified by credit grade: ceil(ratio × population) of each grade at random
//      (partial Fisher–Yates over the stratum in enterprise-id order, one generator for the draw);
//   4. a category quota scales the strata down (largest remainder), a town quota caps the town.
// Then two inspectors per task from the register: the task's town first (city-wide inspectors
// too), never one with a declared conflict with the enterprise, never the pair that went there last.
import { drawWithout, type Random, seededRandom } from '../../core/random.js';
import type { DrawReason, ExclusionReason, PlanBody, PlanKind, PlanLevel } from './model.js';
import { SIX_MONTH_EXEMPT } from './model.js';

export const GRADES = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof GRADES)[number];

/** One maker of one category: [enterpriseId, grade, townCode, categoryCode, operating 1|0]. */
export type PoolRow = [string, Grade, string, string, 0 | 1];

export type DrawInput = {
  plan: {
    id: string;
    code: string;
    version: number;
    year: number;
    kind: PlanKind;
    level: PlanLevel;
    body: PlanBody;
  };
  seed: number;
  asOf: string;
  ruleSet: { id: string; version: number };
  ratios: Record<Grade, number>;
  pool: PoolRow[];
  /** city samples within 6 months before asOf: [enterpriseId, categoryCode, sampleNo, sampledOn] */
  recent: [string, string, string, string][];
  /** this year's higher-level plan tasks: [enterpriseId, categoryCode, planCode] */
  higherLevel: [string, string, string][];
  referrals: {
    id: string;
    enterpriseId: string;
    categoryCode: string | null;
    reason: 'complaint' | 'referral';
    reference: string;
  }[];
  inspectors: { userId: string; townCode: string | null; conflicts: string[] }[];
  /** the inspectors of each enterprise's latest task before this draw */
  lastPairs: Record<string, string[]>;
};

export type Stratum = { grade: Grade; population: number; drawn: number; ratio: number };
export type Exclusion = {
  enterpriseId: string;
  categoryCode: string;
  reason: ExclusionReason;
  detail: string;
};
export type DrawnItem = {
  enterpriseId: string;
  grade: Grade;
  townCode: string;
  categoryCode: string;
  reason: DrawReason;
  reference?: string;
  inspectors: string[];
};
export type DrawOutput = {
  strata: Stratum[];
  byCategory: { categoryCode: string; strata: Stratum[]; quotaApplied: boolean }[];
  excluded: Exclusion[];
  items: DrawnItem[];
  /** drawn, then dropped by a town quota */
  capped: { enterpriseId: string; categoryCode: string; townCode: string }[];
  /** items for which fewer than two inspectors could be found (the draw cannot be confirmed) */
  inspectorShortage: { enterpriseId: string; categoryCode: string; townCode: string }[];
  poolSize: number;
};

/**
 * The 6-month rule: a sample on D blocks the same product on day X while D is later than
 * addMonths(X, −6), i.e. it lies within the six months before X (a sample of 2025-08-31 blocks
 * through 2026-02-28, one of 2024-02-29 through 2024-08-28, one of 03-15 through 09-14).
 */
export const SIX_MONTHS = 6;

/** ceil(ratio × n) without binary floating point's excess (0.07 × 100 is 7.000000000000001). */
const ceilShare = (ratio: number, n: number) => Math.max(0, Math.ceil(ratio * n - 1e-9));

export function computeDraw(input: DrawInput): DrawOutput {
  return beginDraw(input).finish(input.lastPairs);
}

/** A draw whose targets are known and whose inspectors are not yet assigned (see beginDraw). */
export type DrawDraft = {
  /** the enterprises drawn, for reading who last went to each */
  enterpriseIds: string[];
  /** assigns the inspectors, given who last went to each drawn enterprise; call once */
  finish: (lastPairs: Record<string, string[]>) => DrawOutput;
};

/**
 * The draw in its two steps, on one generator: who is drawn (which does not look at lastPairs),
 * then the inspectors. computeDraw(input) is beginDraw(input).finish(input.lastPairs); the store
 * reads the last pairs between the steps, for the drawn enterprises only, and computes once.
 */
export function beginDraw(input: Omit<DrawInput, 'lastPairs'>): DrawDraft {
  const random = seededRandom(input.seed);
  const { plan } = input;
  const towns = new Set(plan.body.towns);
  const inTowns = (t: string) => towns.size === 0 || towns.has(t);
  const exempt = SIX_MONTH_EXEMPT.includes(plan.kind);
  const key = (e: string, c: string) => `${e}\u0000${c}`;
  const higher = new Map(input.higherLevel.map(([e, c, p]) => [key(e, c), p]));
  const recent = new Map<string, string>();
  for (const [e, c, no, on] of input.recent) recent.set(key(e, c), `${no} (${on})`);

  const byCategory = new Map<string, PoolRow[]>();
  for (const row of input.pool) {
    if (!inTowns(row[2])) continue;
    const list = byCategory.get(row[3]);
    if (list) list.push(row);
    else byCategory.set(row[3], [row]);
  }
  const excluded: Exclusion[] = [];
  const items: DrawnItem[] = [];
  const totals = Object.fromEntries(GRADES.map((g) => [g, { population: 0, drawn: 0 }])) as Record<
    Grade,
    { population: number; drawn: number }
  >;
  const categories: DrawOutput['byCategory'] = [];
  let poolSize = 0;

  const referrals = [...input.referrals].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const category of plan.body.categories) {
    // In enterprise-id order (the register reads them so; a stored pool may come in any order).
    const listed = byCategory.get(category.code) ?? [];
    const rows = inIdOrder(listed) ? listed : [...listed].sort(byId);
    poolSize += rows.length;
    const eligible: PoolRow[] = [];
    for (const row of rows) {
      const [id] = row;
      if (row[4] !== 1) {
        excluded.push({ enterpriseId: id, categoryCode: category.code, reason: 'notOperating', detail: '' });
        continue;
      }
      const k = key(id, category.code);
      const higherPlan = higher.get(k);
      const sample = exempt ? undefined : recent.get(k);
      if (higherPlan !== undefined)
        excluded.push({
          enterpriseId: id,
          categoryCode: category.code,
          reason: 'higherLevelPlan',
          detail: higherPlan,
        });
      else if (sample !== undefined)
        excluded.push({
          enterpriseId: id,
          categoryCode: category.code,
          reason: 'sampledWithin6Months',
          detail: sample,
        });
      else eligible.push(row);
    }
    // Referrals and verified complaints first: they are sampled whatever their grade.
    const taken = new Set<string>();
    const refs = referrals.filter((r) => r.categoryCode === null || r.categoryCode === category.code);
    const eligibleById = refs.length ? new Map(eligible.map((r) => [r[0], r])) : new Map<string, PoolRow>();
    for (const ref of refs) {
      const row = eligibleById.get(ref.enterpriseId);
      if (!row || taken.has(row[0])) continue;
      taken.add(row[0]);
      items.push({
        enterpriseId: row[0],
        grade: row[1],
        townCode: row[2],
        categoryCode: category.code,
        reason: ref.reason,
        reference: ref.reference,
        inspectors: [],
      });
    }
    // Strata by grade, in enterprise-id order.
    const strata = GRADES.map((grade) => {
      const members = eligible.filter((r) => r[1] === grade);
      const ratio = input.ratios[grade];
      const want = Math.min(members.length, ceilShare(ratio, members.length));
      return { grade, members, ratio, want };
    });
    let quotaApplied = false;
    const room = category.quota > 0 ? Math.max(0, category.quota - taken.size) : Number.POSITIVE_INFINITY;
    const wanted = strata.reduce((s, x) => s + x.want, 0);
    if (wanted > room) {
      quotaApplied = true;
      const exact = strata.map((s) => (s.want * room) / wanted);
      const floors = exact.map(Math.floor);
      let left = room - floors.reduce((a, b) => a + b, 0);
      const order = exact
        .map((x, i) => [x - floors[i]!, i] as const)
        .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      for (const [, i] of order) {
        if (left <= 0) break;
        floors[i]!++;
        left--;
      }
      strata.forEach((s, i) => {
        s.want = floors[i]!;
      });
    }
    const stratumOut: Stratum[] = [];
    for (const s of strata) {
      const pool = taken.size ? s.members.filter((r) => !taken.has(r[0])) : s.members;
      const chosen = drawWithout(pool, s.want, random);
      for (const row of chosen)
        items.push({
          enterpriseId: row[0],
          grade: s.grade,
          townCode: row[2],
          categoryCode: category.code,
          reason: 'stratum',
          inspectors: [],
        });
      stratumOut.push({ grade: s.grade, population: s.members.length, drawn: chosen.length, ratio: s.ratio });
      totals[s.grade].population += s.members.length;
      totals[s.grade].drawn += chosen.length;
    }
    categories.push({ categoryCode: category.code, strata: stratumOut, quotaApplied });
  }

  // Town quotas cap the town over the whole plan; referrals are kept before stratum draws.
  const capped: DrawOutput['capped'] = [];
  const perTown = new Map<string, number>();
  const kept: DrawnItem[] = [];
  const ordered = [
    ...items.filter((i) => i.reason !== 'stratum'),
    ...items.filter((i) => i.reason === 'stratum'),
  ];
  for (const item of ordered) {
    const cap = plan.body.townQuotas[item.townCode];
    const n = perTown.get(item.townCode) ?? 0;
    if (cap !== undefined && n >= cap && item.reason === 'stratum') {
      capped.push({
        enterpriseId: item.enterpriseId,
        categoryCode: item.categoryCode,
        townCode: item.townCode,
      });
      totals[item.grade].drawn--;
      const cat = categories.find((c) => c.categoryCode === item.categoryCode)!;
      cat.strata.find((s) => s.grade === item.grade)!.drawn--;
      continue;
    }
    perTown.set(item.townCode, n + 1);
    kept.push(item);
  }
  let finished = false;
  return {
    enterpriseIds: [...new Set(kept.map((i) => i.enterpriseId))],
    finish: (lastPairs) => {
      if (finished) throw new Error('a draw draft is finished once');
      finished = true;
      const inspectorShortage = assignInspectors(kept, input.inspectors, lastPairs, random);
      return {
        strata: GRADES.map((g) => ({
          grade: g,
          population: totals[g].population,
          drawn: totals[g].drawn,
          ratio: input.ratios[g],
        })),
        byCategory: categories,
        excluded,
        items: kept,
        capped,
        inspectorShortage,
        poolSize,
      };
    },
  };
}

const byId = (a: PoolRow, b: PoolRow) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function inIdOrder(rows: readonly PoolRow[]) {
  for (let i = 1; i < rows.length; i++) if (rows[i - 1]![0] > rows[i]![0]) return false;
  return true;
}

function assignInspectors(
  items: DrawnItem[],
  inspectors: DrawInput['inspectors'],
  lastPairs: DrawInput['lastPairs'],
  random: Random,
) {
  const shortage: DrawOutput['inspectorShortage'] = [];
  const last = new Map(Object.entries(lastPairs).map(([e, p]) => [e, [...p].sort().join('|')]));
  const register = [...inspectors].sort((a, b) => (a.userId < b.userId ? -1 : 1));
  for (const item of items) {
    const free = register.filter((i) => !i.conflicts.includes(item.enterpriseId));
    const local = free.filter((i) => i.townCode === item.townCode || i.townCode === null);
    const previous = last.get(item.enterpriseId);
    // The town's inspectors first, unless they are only the pair that went there last.
    const localPair = local.length === 2 && local.map((i) => i.userId).join('|') === previous;
    const candidates = (local.length >= 2 && !localPair ? local : free).map((i) => i.userId);
    if (candidates.length < 2) {
      shortage.push({
        enterpriseId: item.enterpriseId,
        categoryCode: item.categoryCode,
        townCode: item.townCode,
      });
      continue;
    }
    let pair = drawWithout(candidates, 2, random);
    // Never the same pair on the same enterprise twice in a row, when another pair exists.
    if (previous && [...pair].sort().join('|') === previous && candidates.length > 2) {
      const others = candidates.filter((c) => c !== pair[1]);
      pair = [
        pair[0]!,
        drawWithout(
          others.filter((c) => c !== pair[0]),
          1,
          random,
        )[0]!,
      ];
    }
    item.inspectors = pair;
    last.set(item.enterpriseId, [...pair].sort().join('|'));
  }
  return shortage;
}
