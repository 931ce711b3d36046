// The city-scale sampling fixture of bench/sampling.bench.ts, in its own file so it can be built
// alone: a register of 200,000 enterprises with a product link each, a grade for each, inspectors,
// plans 2023–2026 (and next year's, undrawn), ~200,000 tasks and samples and ~1,000,000 item
// results — multi-row inserts in chunks, straight into the tables.
import { newId } from '../src/core/ids.js';
import { todayInShanghai } from '../src/core/workdays.js';
import { refreshStatistics } from '../src/db/maintenance.js';
import { makeUscc } from '../src/modules/registry/uscc.js';
import type { Runtime } from '../src/platform/bootstrap.js';

export const YEARS = [2023, 2024, 2025, 2026];
const DRAW_PLAN_CODE = 'DG-BENCH-NEXT';

/** What the measurements need of a fixture. */
export type Fixture = { labId: string; drawPlanId: string; planCategories: string[] };

/** The fixture of a database built earlier (kept for another run of the measurements). */
export async function fixtureOf(rt: Runtime): Promise<Fixture> {
  const plan = await rt.db
    .selectFrom('sampling_plans')
    .select('id')
    .where('code', '=', DRAW_PLAN_CODE)
    .executeTakeFirstOrThrow();
  const lab = await rt.db
    .selectFrom('sampling_samples')
    .select('lab_enterprise_id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const cats = await rt.db
    .selectFrom('enterprise_products')
    .select('category_code')
    .distinct()
    .orderBy('category_code')
    .execute();
  return {
    labId: lab.lab_enterprise_id,
    drawPlanId: plan.id,
    planCategories: cats.map((c) => c.category_code),
  };
}

/** mulberry32: the fixture is the same on every run and both databases. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Table =
  | 'enterprises'
  | 'enterprise_products'
  | 'credit_grades'
  | 'sampling_tasks'
  | 'sampling_samples'
  | 'sampling_results';

/** Multi-row inserts of `chunk` rows, `perTx` chunks to a transaction (under both parameter caps). */
async function bulkInsert<T extends Record<string, unknown>>(
  rt: Runtime,
  table: Table,
  items: T[],
  chunk: number,
) {
  const perTx = 40;
  for (let i = 0; i < items.length; i += chunk * perTx) {
    await rt.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(items.length, i + chunk * perTx); j += chunk)
        // rows are built for the table named (columns checked by the database)
        await trx
          .insertInto(table)
          .values(items.slice(j, j + chunk) as never)
          .execute();
    });
  }
}

const GRADE_SHARE: [string, number, number][] = [
  // grade, share of the register, score (rule set dg-2024: A ≥ 105, B ≥ 90, C ≥ 70)
  ['A', 0.25, 108],
  ['B', 0.65, 100],
  ['C', 0.08, 80],
  ['D', 0.02, 60],
];
const FAIL_RATE: Record<string, number> = { A: 0.02, B: 0.04, C: 0.09, D: 0.18 };
const DRAW_RATIO: Record<string, number> = { A: 0.02, B: 0.05, C: 0.3, D: 1 };
const ITEM_CLASSES = ['minor', 'major', 'critical'] as const;

export async function buildFixture(rt: Runtime, opts: { enterprises: number; samples: number }) {
  const random = rng(2016);
  const now = rt.clock.now().toISOString();
  const today = todayInShanghai(rt.clock.now());
  const categories = await rt.db
    .selectFrom('product_categories')
    .select(['code', 'parent_code', 'industry_code'])
    .orderBy('code')
    .execute();

  // The register: 200,000 enterprises written in bulk. (The registry's city seed writes contacts,
  // tags, profiles and one event per enterprise, and took 3–5 minutes on SQLite and far longer on
  // PostgreSQL on the shared 2-core machine: more than this benchmark's budget.)
  const t0 = performance.now();
  const towns = await rt.db.selectFrom('towns').select('code').orderBy('sort').execute();
  const divisions = await rt.db
    .selectFrom('industries')
    .select(['code', 'section'])
    .where('level', '=', 'division')
    .execute();
  const madeDivisions = [...new Set(categories.map((c) => c.industry_code).filter((c): c is string => !!c))];
  const otherDivisions = divisions.filter((d) => d.section !== 'C').map((d) => d.code);
  const townWeights = towns.map((_, i) => 1 + ((i * 7) % 5)); // some towns bigger than others
  const townTotal = townWeights.reduce((a, b) => a + b, 0);
  const pickTown = () => {
    let x = random() * townTotal;
    for (let i = 0; i < towns.length; i++) {
      x -= townWeights[i]!;
      if (x < 0) return towns[i]!.code;
    }
    return towns[towns.length - 1]!.code;
  };
  const register = Array.from({ length: opts.enterprises }, (_, i) => {
    const makes = random() < 0.75;
    const s = random();
    return {
      id: newId(),
      uscc: makeUscc({
        authority: '9',
        entityType: '1',
        division: '441900',
        orgCodeBody8: `B${String(i).padStart(7, '0')}`,
      }),
      name: `东莞市基准${i}号制品有限公司`,
      legal_representative: null,
      registered_address: null,
      town_code: pickTown(),
      industry_code: makes
        ? madeDivisions[Math.floor(random() * madeDivisions.length)]!
        : otherDivisions[Math.floor(random() * otherDivisions.length)]!,
      registered_on: '2015-06-30',
      status: s < 0.92 ? 'operating' : s < 0.96 ? 'suspended' : s < 0.99 ? 'cancelled' : 'revoked',
      scale: s < 0.3 ? 'micro' : s < 0.85 ? 'small' : s < 0.98 ? 'medium' : 'large',
      tags: '[]',
      created_at: now,
      updated_at: now,
      version: 1,
    };
  });
  await bulkInsert(rt, 'enterprises', register, 500);
  // Fresh statistics before the rows that reference the register (PostgreSQL plans its key checks).
  await refreshStatistics(rt.db, rt.dialect);
  const tRegister = performance.now() - t0;
  const enterprises = register.map((e) => ({
    id: e.id,
    town_code: e.town_code,
    industry_code: e.industry_code,
  }));
  const leaves = categories.filter((c) => c.parent_code !== null);
  const byDivision = new Map<string, string[]>();
  for (const c of leaves)
    if (c.industry_code)
      byDivision.set(c.industry_code, [...(byDivision.get(c.industry_code) ?? []), c.code]);

  // What each enterprise makes: the seed's links, and one for every enterprise without any (the
  // draw's pool is the makers of the plan's categories: here, the whole register).
  const links = new Map<string, string>();
  for (const l of await rt.db
    .selectFrom('enterprise_products')
    .select(['enterprise_id', 'category_code'])
    .execute())
    if (!links.has(l.enterprise_id)) links.set(l.enterprise_id, l.category_code);
  const newLinks: { enterprise_id: string; category_code: string; created_at: string }[] = [];
  for (const e of enterprises) {
    if (links.has(e.id)) continue;
    const own = (e.industry_code && byDivision.get(e.industry_code)) || leaves.map((c) => c.code);
    const code = own[Math.floor(random() * own.length)]!;
    links.set(e.id, code);
    newLinks.push({ enterprise_id: e.id, category_code: code, created_at: now });
  }
  await bulkInsert(rt, 'enterprise_products', newLinks, 1000);

  // A grade for every enterprise, at the shares above.
  const ruleSet = await rt.db
    .selectFrom('credit_rule_sets')
    .select(['id', 'version'])
    .where('status', '=', 'published')
    .orderBy('effective_from', 'desc')
    .executeTakeFirstOrThrow();
  await rt.db.deleteFrom('credit_grades').execute();
  const gradeOf = new Map<string, string>();
  const grades = enterprises.map((e) => {
    let x = random();
    let pick = GRADE_SHARE[GRADE_SHARE.length - 1]!;
    for (const g of GRADE_SHARE) {
      if (x < g[1]) {
        pick = g;
        break;
      }
      x -= g[1];
    }
    gradeOf.set(e.id, pick[0]);
    return {
      enterprise_id: e.id,
      grade: pick[0],
      score: pick[2],
      raw_score: pick[2],
      rule_set_id: ruleSet.id,
      rule_set_version: ruleSet.version,
      veto_id: null,
      as_of: today,
      computed_at: now,
    };
  });
  await bulkInsert(rt, 'credit_grades', grades, 1000);

  // Inspectors: two per town (the draw assigns a pair to every task).
  const inspectorUsers = towns.flatMap((t, i) =>
    [0, 1].map((k) => ({
      id: newId(),
      username: `bench_insp_${i}_${k}`,
      display_name: `检查员${i}-${k}`,
      password_hash: 'x',
      role: 'townOfficer',
      town_code: t.code,
      enterprise_id: null,
      active: 1,
      failed_logins: 0,
      locked_until: null,
      last_login_at: null,
      created_at: now,
      updated_at: now,
      must_change_password: 0,
    })),
  );
  await rt.db.insertInto('users').values(inspectorUsers).execute();
  await rt.db
    .insertInto('sampling_inspectors')
    .values(
      inspectorUsers.map((u) => ({
        user_id: u.id,
        town_code: u.town_code,
        active: 1,
        conflicts: '[]',
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();

  // Plans: one per year (published), and next year's, not yet drawn, for the draw.
  const lab = enterprises[0]!;
  const planCategories = [...new Set(links.values())].sort();
  const body = JSON.stringify({
    legalBasis: '《产品质量监督抽查管理暂行办法》',
    towns: [],
    townQuotas: {},
    budgetYuan: 1_000_000,
    categories: planCategories.map((code) => ({
      code,
      checkItems: [1, 2, 3, 4, 5].map((k) => ({
        key: `i${k}`,
        standardCode: 'GB 4706.1-2005',
        clause: `${k}.1`,
        item: `检验项目${k}`,
        requirement: '应符合标准要求',
        unit: '',
        class: ITEM_CLASSES[k % 3],
      })),
      testUnits: 2,
      backupUnits: 2,
      labEnterpriseId: lab.id,
      quota: 0,
    })),
  });
  const planIds = new Map<number, string>();
  const nextYear = Number(today.slice(0, 4)) + 1;
  for (const year of [...YEARS, nextYear]) {
    const id = newId();
    planIds.set(year, id);
    await rt.db
      .insertInto('sampling_plans')
      .values({
        id,
        code: year === nextYear ? DRAW_PLAN_CODE : `DG-BENCH-${year}`,
        version: 1,
        supersedes_id: null,
        year,
        title: `${year}年东莞市产品质量监督抽查计划`,
        kind: 'routine',
        level: 'city',
        state: 'published',
        body,
        created_at: now,
        created_by: 'bench',
        updated_at: now,
        published_at: now,
        published_by: 'bench',
      })
      .execute();
  }

  // Samples: drawn by grade at the draw ratios, a quarter of them each year.
  const byGrade = new Map<string, string[]>();
  for (const e of enterprises) {
    const g = gradeOf.get(e.id)!;
    const list = byGrade.get(g);
    if (list) list.push(e.id);
    else byGrade.set(g, [e.id]);
  }
  const weights = GRADE_SHARE.map(([g]) => (byGrade.get(g)?.length ?? 0) * DRAW_RATIO[g]!);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const byId = new Map(enterprises.map((e) => [e.id, e]));
  const perYear = Math.ceil(opts.samples / YEARS.length);
  let results = 0;
  for (const year of YEARS) {
    const tasks: Record<string, unknown>[] = [];
    const samples: Record<string, unknown>[] = [];
    const items: Record<string, unknown>[] = [];
    const lastDay = year === Number(today.slice(0, 4)) ? today : `${year}-12-31`;
    const span = (Date.parse(lastDay) - Date.parse(`${year}-01-01`)) / 86_400_000;
    for (let i = 0; i < perYear; i++) {
      let x = random() * totalWeight;
      let g = 0;
      while (g < weights.length - 1 && x >= weights[g]!) x -= weights[g++]!;
      const grade = GRADE_SHARE[g]![0];
      const members = byGrade.get(grade)!;
      const e = byId.get(members[Math.floor(random() * members.length)]!)!;
      const taskId = newId();
      const sampleId = newId();
      const sampledOn = new Date(Date.parse(`${year}-01-01`) + Math.floor(random() * span) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      // This year's last samples are still at the lab.
      const pending = year === YEARS[YEARS.length - 1] && random() < 0.05;
      const failed = !pending && random() < FAIL_RATE[grade]!;
      const worst = failed ? ITEM_CLASSES[Math.floor(random() * 3)]! : null;
      tasks.push({
        id: taskId,
        task_no: `DG${year}-RW-${String(i).padStart(6, '0')}`,
        plan_id: planIds.get(year),
        draw_id: null,
        enterprise_id: e.id,
        category_code: links.get(e.id),
        town_code: e.town_code,
        reason: 'stratum',
        inspectors: JSON.stringify([inspectorUsers[0]!.id, inspectorUsers[1]!.id]),
        state: pending ? 'sentToLab' : 'tested',
        refusal: null,
        year,
        created_at: now,
        updated_at: now,
      });
      samples.push({
        id: sampleId,
        sample_no: `DG${year}-CY-${String(i).padStart(6, '0')}`,
        task_id: taskId,
        plan_id: planIds.get(year),
        enterprise_id: e.id,
        category_code: links.get(e.id),
        town_code: e.town_code,
        industry_code: e.industry_code,
        year,
        product_name: '样品',
        trademark: `TM${i % 97}`,
        model: `M-${i % 13}`,
        standard_code: 'GB 4706.1-2005',
        batch: `${year}${String(i % 365).padStart(3, '0')}`,
        production_date: null,
        test_units: 2,
        backup_units: 2,
        place: 'factory',
        sampled_on: sampledOn,
        grade_when_drawn: grade,
        details: '{}',
        lab_enterprise_id: lab.id,
        state: pending ? 'sentToLab' : year === YEARS[YEARS.length - 1] ? 'reported' : 'final',
        verdict: pending ? null : failed ? 'fail' : 'pass',
        severity: worst,
        reported_on: pending ? null : sampledOn,
        failed_event_id: null,
        created_at: now,
        updated_at: now,
      });
      if (pending) continue;
      const n = i % 4 === 0 ? 6 : 5;
      for (let k = 1; k <= n; k++) {
        const cls = ITEM_CLASSES[k % 3]!;
        items.push({
          sample_id: sampleId,
          item_key: `i${k}`,
          round: 'original',
          measured: (random() * 100).toFixed(2),
          verdict: failed && k === 1 ? 'fail' : 'pass',
          item_class: failed && k === 1 ? worst : cls,
          lab_enterprise_id: lab.id,
          entered_at: now,
          entered_by: 'bench',
        });
      }
    }
    await bulkInsert(rt, 'sampling_tasks', tasks, 250);
    await bulkInsert(rt, 'sampling_samples', samples, 250);
    await bulkInsert(rt, 'sampling_results', items, 1000);
    results += items.length;
    console.log(`  ${year}: ${samples.length} samples, ${items.length} results`);
  }
  return {
    registerMs: tRegister,
    enterprises: enterprises.length,
    samples: perYear * YEARS.length,
    results,
    labId: lab.id,
    drawPlanId: planIds.get(nextYear)!,
    planCategories,
  };
}
