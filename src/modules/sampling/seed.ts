// Generated sampling data. `seedSampling` runs after the registry and credit seeds (MODULES order)
// and is deterministic for a seed and a seed day (the clock's day, like the credit seed, so that the
// demo's queues and deadlines are live whenever it starts).
//
// Demo scale (2,000 enterprises): everything goes through the module's own services on its own
// date — the clock of each step's context is moved to that day — so every rule of the services
// holds and the numbers agree: annual routine plans for the four years up to the seed day (the
// product categories of data/sampling/check-items.json that the register's manufacturers make, each
// with a lab of the register), a special plan and a follow-up plan in the last year, a handful of
// inspector accounts on the register (some with declared conflicts), draws with recorded seeds,
// sampling on site (a few refusals), lab results (pass rates about 95 %, lower for the C and D
// enterprises the draw saw), and the post-processing of every failure played step by step, with a
// case at each step on the seed day and exactly one overdue. Results apply their credit events in
// their own transaction, so the grades follow the samples; the seed ends with the credit module's
// full regrade as of the seed day (the steps regraded enterprises as of their own, earlier days).
//
// City scale (200,000 enterprises): seed-city.ts, a bulk path that writes the same rows.
import type { Kysely } from 'kysely';
import { addCalendarDays, todayInShanghai, type WorkdayCalendar } from '../../core/workdays.js';
import { refreshStatistics } from '../../db/maintenance.js';
import type { Database } from '../../db/schema.js';
import type { AuthUser } from '../../platform/auth/policies.js';
import type { AppContext } from '../../platform/context.js';
import { applyCreditEvents } from '../credit/index.js';
import { DEMO_SEED, demoSampleUscc } from '../registry/index.js';
import type { SeedOptions } from '../types.js';
import { actOnCase, type CaseActor } from './cases.js';
import { confirmDraw } from './draw-store.js';
import { recordRefusal, recordSample, type SampleInput, sameProductWithin6Months } from './fieldwork.js';
import { addReferral, putInspector } from './inspectors.js';
import type { PlanBody, PlanKind } from './model.js';
import { createPlan, publishPlan } from './plans.js';
import type { CaseAction } from './postprocess.js';
import { enterResults, enterRetestResults } from './results.js';
import {
  type CaseScript,
  naturalScript,
  type ScriptStep,
  TARGETS,
  type Target,
  targetScript,
  targetTiming,
} from './seed-cases.js';
import { seedCityScale } from './seed-city.js';
import {
  atInstant,
  between,
  dayDiff,
  FAIL_SHARE,
  GRADE_FAIL_WEIGHT,
  LEGAL_BASIS,
  officialUser,
  personName,
  pickFailing,
  prepare,
  REFUSAL_CHANCE,
  regradeAsOf,
  retestLabFor,
  SEED_ACTOR,
  type Setup,
  seedInspectors,
  tradeName,
  workday,
} from './seed-common.js';
import { checkItemsOn, measure, type TemplateItem } from './seed-templates.js';

const OFFICIAL: CaseActor = { id: null, label: 'seed', kind: 'official' };
const ENTERPRISE: CaseActor = { id: null, label: 'seed', kind: 'enterprise' };

export type SamplingSeedResult = {
  skipped: boolean;
  asOf: string;
  plans: number;
  tasks: number;
  samples: number;
  refusals: number;
  results: number;
  failed: number;
  cases: number;
  inspectors: number;
  elapsedMs: number;
};

export async function seedSampling(ctx: AppContext, opts: SeedOptions): Promise<SamplingSeedResult> {
  const started = performance.now();
  const asOf = todayInShanghai(ctx.clock.now());
  const empty = { skipped: true, asOf, plans: 0, tasks: 0, samples: 0, refusals: 0, results: 0 };
  const none = { ...empty, failed: 0, cases: 0, inspectors: 0, elapsedMs: 0 };
  if (await ctx.db.selectFrom('sampling_plans').select('id').limit(1).executeTakeFirst()) {
    ctx.log.warn('抽查计划已存在，跳过生成 / Sampling plans exist already; sampling seed skipped.');
    return none;
  }
  const setup = await prepare(ctx, opts, asOf);
  if (!setup) {
    ctx.log.warn(
      '企业库中没有可抽查的生产企业或检验机构，跳过生成 / No makers or labs; sampling seed skipped.',
    );
    return none;
  }
  const result =
    opts.scale === 'city' ? await seedCityScale(ctx, opts, setup) : await seedDemo(ctx, opts, setup);
  await regradeAsOf(ctx, asOf);
  await refreshStatistics(ctx.db, ctx.dialect);
  const out = { ...result, skipped: false, asOf, elapsedMs: Math.round(performance.now() - started) };
  ctx.log.info(out, 'sampling seeded');
  return out;
}

// ---- the inspector register --------------------------------------------------------------------

/**
 * Puts officials on the inspector register (a regulator city-wide, a town officer in their town),
 * leaving those already on it as they are. For the demo accounts, made after the seeds ran.
 */
export async function enrolInspectors(ctx: AppContext, userIds: string[]) {
  if (userIds.length === 0) return 0;
  const users = await ctx.db
    .selectFrom('users as u')
    .leftJoin('sampling_inspectors as i', 'i.user_id', 'u.id')
    .select(['u.id', 'u.role', 'u.town_code', 'i.user_id as on_register'])
    .where('u.id', 'in', userIds)
    .where('u.role', 'in', ['regulator', 'townOfficer'])
    .execute();
  let n = 0;
  for (const u of users) {
    if (u.on_register) continue;
    await putInspector(ctx, SEED_ACTOR, u.id, {
      townCode: u.role === 'townOfficer' ? u.town_code : null,
      active: true,
      conflicts: [],
    });
    n++;
  }
  return n;
}

// ---- the demo ---------------------------------------------------------------------------------

type PlanSpec = {
  code: string;
  year: number;
  title: string;
  kind: PlanKind;
  publishOn: string;
  drawOn: string;
  windowStart: string;
  windowEnd: string;
  categories: string[];
  followUp: boolean;
  planId?: string;
  publishedOn?: string;
  /** targets whose failure this plan's tasks carry: [target, failure day, end day] */
  targets: { target: Target; failedOn: string; end: string | null }[];
};

type Job = {
  plan: PlanSpec;
  taskId: string;
  taskNo: string;
  enterpriseId: string;
  uscc: string;
  name: string;
  categoryCode: string;
  grade: string;
  inspector: string;
  lab: string;
  refuse: boolean;
  sampleOn: string | null;
  resultOn: string | null;
  failing: TemplateItem[];
  script: CaseScript | null;
  target: Target | null;
  retestLab: string | null;
  sampleId?: string;
  caseId?: string;
};

/** Steps played in date order (then in the order they were added); none after the seed day. */
class Timeline {
  private steps: { on: string; seq: number; run: (at: AppContext) => Promise<void> }[] = [];
  private seq = 0;
  private perDay = new Map<string, number>();
  constructor(private readonly end: string) {}
  readonly spent = new Map<string, [number, number]>();
  add(on: string, run: (at: AppContext) => Promise<void>, label = 'other') {
    if (on > this.end) return;
    const inner = run;
    run = async (at) => {
      const t0 = performance.now();
      await inner(at);
      const v = this.spent.get(label) ?? [0, 0];
      v[0] += performance.now() - t0;
      v[1]++;
      this.spent.set(label, v);
    };
    let lo = 0;
    let hi = this.steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.steps[mid]!.on <= on) lo = mid + 1;
      else hi = mid;
    }
    this.steps.splice(lo, 0, { on, seq: this.seq++, run });
  }
  async play(ctx: AppContext, onProgress?: (done: number, total: number) => void) {
    let done = 0;
    for (let s = this.steps.shift(); s; s = this.steps.shift()) {
      if (done++ % 25 === 0) onProgress?.(done, done + this.steps.length);
      // Office hours in Shanghai, a few minutes apart, so the day's rows keep their order.
      const k = this.perDay.get(s.on) ?? 0;
      this.perDay.set(s.on, k + 1);
      const minutes = 9 * 60 + ((k * 2) % (8 * 60));
      const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
      const mm = String(minutes % 60).padStart(2, '0');
      await s.run(atInstant(ctx, `${s.on}T${hh}:${mm}:00+08:00`));
    }
  }
}

/** The plans' dates, fixed before anything is drawn (targets are placed on them). */
function demoPlans(s: Setup, cal: WorkdayCalendar): PlanSpec[] {
  const plans: PlanSpec[] = [];
  const { asOf } = s;
  /** The last sampling day: the whole season for past plans; for this year's, so that about a
   * sixth of the tasks are still to be sampled on the seed day. */
  const windowEnd = (start: string, current: boolean) =>
    addCalendarDays(start, current ? Math.max(30, Math.ceil(dayDiff(start, asOf) / 0.85)) : 200);
  let currentDraw = '';
  for (const year of s.years) {
    const publishOn = workday(cal, `${year}-02-24`);
    const drawOn = workday(cal, addCalendarDays(publishOn, 7));
    const windowStart = addCalendarDays(drawOn, 5);
    const current = year === s.lastYear;
    if (current) currentDraw = drawOn;
    plans.push({
      code: `DG-${year}-JDCC-01`,
      year,
      title: `${year}年东莞市制造业产品质量监督抽查计划`,
      kind: 'routine',
      publishOn,
      drawOn,
      windowStart,
      windowEnd: windowEnd(windowStart, current),
      categories: s.categories,
      followUp: false,
      targets: [],
    });
  }
  const special = workday(cal, addCalendarDays(currentDraw, 28));
  const specialDraw = workday(cal, addCalendarDays(special, 5));
  plans.push({
    code: `DG-${s.lastYear}-ZXCC-01`,
    year: s.lastYear,
    title: `${s.lastYear}年儿童用品和电子电器产品质量专项监督抽查计划`,
    kind: 'special',
    publishOn: special,
    drawOn: specialDraw,
    windowStart: addCalendarDays(specialDraw, 4),
    windowEnd: windowEnd(addCalendarDays(specialDraw, 4), true),
    categories: s.categories.filter((c) => c.startsWith('01') || c.startsWith('02')),
    followUp: false,
    targets: [],
  });
  const follow = workday(cal, addCalendarDays(currentDraw, 55));
  const followDraw = workday(cal, addCalendarDays(follow, 5));
  plans.push({
    code: `DG-${s.lastYear}-GZCC-01`,
    year: s.lastYear,
    title: `${s.lastYear - 1}年监督抽查不合格产品跟踪抽查计划`,
    kind: 'followUp',
    publishOn: follow,
    drawOn: followDraw,
    windowStart: addCalendarDays(followDraw, 4),
    windowEnd: windowEnd(addCalendarDays(followDraw, 4), true),
    categories: [],
    followUp: true,
    targets: [],
  });
  return plans;
}

/**
 * Places each target's failure on a plan: the failure day that lets the target's last step fall on
 * its day with no waiting, or, when no plan's results fall then, the latest day a plan's results
 * reach before it (the case then waits the difference). Closed targets are placed in last year's
 * season. Routine plans first, then the special one; never the follow-up plan.
 */
function placeTargets(plans: PlanSpec[], s: Setup) {
  const usable = plans.filter((p) => !p.followUp);
  const range = (p: PlanSpec) => {
    const lo = addCalendarDays(p.windowStart, 7);
    const hi = addCalendarDays(p.windowEnd, 28);
    return { lo, hi: hi.localeCompare(s.asOf) < 0 ? hi : s.asOf };
  };
  for (const target of TARGETS) {
    const t = targetTiming(target, s.asOf);
    let want: string;
    if (t.end) want = addCalendarDays(t.end, -t.lead);
    else {
      want = `${s.lastYear - 1}-07-15`;
      if (addCalendarDays(want, t.length + 10) > s.asOf) want = addCalendarDays(s.asOf, -(t.length + 10));
    }
    const covering = usable.find((p) => range(p).lo <= want && want <= range(p).hi);
    if (covering) {
      covering.targets.push({ target, failedOn: want, end: t.end });
      continue;
    }
    const before = usable
      .filter((p) => range(p).hi < want && range(p).lo <= range(p).hi)
      .sort((a, b) => (range(a).hi < range(b).hi ? 1 : -1))[0];
    if (before) before.targets.push({ target, failedOn: range(before).hi, end: t.end });
  }
}

async function seedDemo(ctx: AppContext, opts: SeedOptions, s: Setup) {
  const { r, asOf } = s;
  const cal = ctx.calendar;
  const plans = demoPlans(s, cal);
  placeTargets(plans, s);
  const timeline = new Timeline(asOf);
  const counts = { plans: 0, tasks: 0, samples: 0, refusals: 0, results: 0, failed: 0, cases: 0 };
  const labUser = (labId: string): AuthUser => ({
    id: `seed-lab-${labId}`,
    username: 'seed',
    displayName: 'seed',
    role: 'lab',
    townCode: null,
    enterpriseId: labId,
    via: 'session',
  });
  let inspectors = new Map<string, AuthUser>();
  const demoEnterprise =
    (
      await ctx.db
        .selectFrom('enterprises')
        .select('id')
        .where('uscc', '=', demoSampleUscc(opts.seed ?? DEMO_SEED).enterprise)
        .executeTakeFirst()
    )?.id ?? null;
  const demoEnterpriseMakes = demoEnterprise
    ? (
        await ctx.db
          .selectFrom('enterprise_products')
          .select('category_code')
          .where('enterprise_id', '=', demoEnterprise)
          .orderBy('category_code')
          .execute()
      ).map((p) => p.category_code)
    : [];
  const tally = new Map<number, { reported: number; failed: number }>();
  const serial = new Map<string, number>();
  const docNo = (prefix: string, on: string) => {
    const key = `${prefix}${on.slice(0, 4)}`;
    const n = (serial.get(key) ?? 0) + 1;
    serial.set(key, n);
    return `${prefix}〔${on.slice(0, 4)}〕${String(n).padStart(3, '0')}号`;
  };

  // The register's staff, a few weeks before the first plan.
  timeline.add(
    workday(cal, `${s.years[0]}-01-09`),
    async (at) => {
      inspectors = await seedInspectors(at, r);
    },
    'inspectors',
  );

  for (const plan of plans) {
    timeline.add(
      plan.publishOn,
      async (at) => {
        let categories = plan.categories;
        if (plan.followUp) {
          // Follow-up of last year's failures: the enterprises are referred to the draw (below).
          categories = [
            ...new Set((await lastYearFailures(at.db, plan.year - 1)).map((f) => f.category_code)),
          ]
            .filter((c) => s.categories.includes(c))
            .sort();
          plan.categories = categories;
          if (categories.length === 0) return;
        }
        const body = await planBody(at, s, plan, categories);
        const created = await createPlan(at, SEED_ACTOR, {
          code: plan.code,
          year: plan.year,
          title: plan.title,
          kind: plan.kind,
          level: 'city',
          body,
        });
        await publishPlan(at, SEED_ACTOR, created.id);
        plan.planId = created.id;
        plan.publishedOn = at.clock.now().toISOString().slice(0, 10);
        counts.plans++;
      },
      'plan',
    );
    timeline.add(
      plan.drawOn,
      async (at) => {
        if (!plan.planId) return;
        if (plan.followUp) await referLastYearFailures(at, plan);
        if (plan.year === s.lastYear && plan.kind === 'routine' && demoEnterprise) {
          const category = demoEnterpriseMakes.find((c) => plan.categories.includes(c));
          if (category)
            await addReferral(at, SEED_ACTOR, {
              uscc: demoSampleUscc(opts.seed ?? DEMO_SEED).enterprise,
              categoryCode: category,
              reason: 'complaint',
              reference: `12315-${plan.year}-${String(100_000 + r.int(900_000))}`,
              note: '消费者投诉产品质量问题，经核查属实',
            });
        }
        await confirmDraw(at, SEED_ACTOR, plan.planId, r.int(2 ** 31 - 1));
        const jobs = await planJobs(at, s, plan, inspectors, demoEnterprise, tally);
        counts.tasks += jobs.length;
        for (const job of jobs) schedule(job);
      },
      'draw',
    );
  }

  /** Puts a job's sampling, results and case steps on the timeline. */
  const schedule = (job: Job) => {
    if (!job.sampleOn) return;
    const t = s.templates.get(job.categoryCode)!;
    const user = async (at: AppContext) =>
      inspectors.get(job.inspector) ?? (await officialUser(at.db, job.inspector));
    if (job.refuse) {
      const note = r.pick([
        '企业负责人拒绝在抽样单上签字，拒绝提供样品',
        '企业以产品已全部售出为由拒绝抽样，经查仓库内有同批次待销产品',
        '企业拒绝检查人员进入成品仓库',
      ]);
      const witnesses = [`${personName(r)}（村（社区）工作人员）`];
      timeline.add(
        job.sampleOn,
        async (at) => {
          await recordRefusal(at, await user(at), SEED_ACTOR, job.taskId, {
            refusedOn: job.sampleOn!,
            note,
            witnesses,
          });
          counts.refusals++;
        },
        'refusal',
      );
      return;
    }
    const product = r.pick(t.products);
    const productionDate = addCalendarDays(job.sampleOn, -between(r, 5, 120));
    const input: SampleInput = {
      productName: product.name,
      trademark: tradeName(job.name),
      model: r.pick(product.models),
      standardCode: t.standard,
      batch: `${productionDate.replaceAll('-', '')}${String.fromCharCode(65 + r.int(6))}`,
      productionDate,
      testUnits: t.testUnits,
      backupUnits: t.backupUnits,
      sealNumbers: [0, 1].map((k) => `FT${job.sampleOn!.slice(0, 4)}${job.taskNo.slice(-6)}${k + 1}`),
      place: r.chance(0.85) ? ('factory' as const) : ('market' as const),
      sampledOn: job.sampleOn,
      confirmation: {
        signer: personName(r),
        title: r.pick(['质量负责人', '生产主管', '仓库主管', '总经理']),
        confirmed: true,
      },
    };
    timeline.add(
      job.sampleOn,
      async (at) => {
        // The same product is not sampled twice within 6 months: the inspectors take another model
        // of the enterprise's, or, when it makes no other, leave the task for later.
        const models = [
          { productName: input.productName, model: input.model },
          ...t.products.flatMap((p) => p.models.map((model) => ({ productName: p.name, model }))),
        ];
        for (const m of models) {
          const dup =
            job.plan.kind === 'followUp'
              ? undefined
              : await sameProductWithin6Months(at.db, {
                  enterpriseId: job.enterpriseId,
                  standardCode: input.standardCode,
                  trademark: input.trademark,
                  model: m.model,
                  on: input.sampledOn,
                });
          if (dup) continue;
          job.sampleId = (
            await recordSample(at, await user(at), SEED_ACTOR, job.taskId, { ...input, ...m })
          ).id;
          counts.samples++;
          return;
        }
      },
      'sample',
    );
    if (!job.resultOn) return;
    const failing = new Set(job.failing.map((i) => i.key));
    const items = t.items.map((i) => ({
      key: i.key,
      measured: measure(i, !failing.has(i.key), r),
      verdict: failing.has(i.key) ? ('fail' as const) : ('pass' as const),
    }));
    timeline.add(
      job.resultOn,
      async (at) => {
        if (!job.sampleId) return;
        await enterResults(at, labUser(job.lab), SEED_ACTOR, job.sampleId!, {
          reportedOn: job.resultOn!,
          items,
        });
        counts.results++;
        if (failing.size === 0) return;
        counts.failed++;
        counts.cases++;
        job.caseId = (
          await at.db
            .selectFrom('sampling_cases')
            .select('id')
            .where('sample_id', '=', job.sampleId!)
            .executeTakeFirstOrThrow()
        ).id;
      },
      'result',
    );
    for (const step of job.script?.steps ?? []) scheduleStep(job, step);
  };

  const scheduleStep = (job: Job, step: ScriptStep) => {
    const on = step.on;
    const disputed = job.failing.map((i) => i.key);
    let action: CaseAction | null = null;
    let by = OFFICIAL;
    switch (step.kind) {
      case 'notify':
        action = {
          type: 'notify',
          on,
          documents: [{ title: '检验结果通知书', number: docNo('东市监抽通', on) }],
        };
        break;
      case 'receive':
        action = { type: 'receive', on, notes: r.pick(['直接送达，企业签收', '邮寄送达，签收回执已归档']) };
        break;
      case 'accept':
        action = { type: 'accept', on };
        by = ENTERPRISE;
        break;
      case 'lapse':
        action = { type: 'lapse', on };
        break;
      case 'object':
        action = {
          type: 'object',
          on,
          items: disputed,
          grounds: r.pick([
            '企业认为检验时样品状态调节不符合标准要求，申请对备用样品复检',
            '企业对检测数据有异议，自检结果符合标准，申请复检',
            '企业认为封样后运输过程中样品受损，申请复检',
          ]),
        };
        by = ENTERPRISE;
        break;
      case 'assignRetest':
        action = { type: 'assignRetest', on, labEnterpriseId: job.retestLab! };
        break;
      case 'orderCorrection':
        action = { type: 'orderCorrection', on, documentNo: docNo('东市监责改', on) };
        break;
      case 'reinspect':
        action = {
          type: 'reinspect',
          on,
          passed: step.passed,
          notes: step.passed ? '复查合格，企业已完成整改' : '复查仍不合格',
        };
        break;
      case 'notifyProvince':
        action = { type: 'notifyProvince', on, reference: docNo('东市监质通', on) };
        break;
      case 'suspend':
        action = { type: 'suspend', on, days: step.days, decisionNo: docNo('东市监停', on) };
        break;
      case 'revoke':
        action = {
          type: 'revoke',
          on,
          licenceNo: `XK${job.categoryCode.slice(0, 2)}-${String(100 + r.int(900))}-${String(10_000 + r.int(90_000))}`,
          decisionNo: docNo('东市监吊', on),
        };
        break;
      case 'retest':
        break;
    }
    const retestItems =
      step.kind === 'retest'
        ? // An upheld re-test finds what the first test found; an overturning one finds every item passing.
          job.failing.map((i) => {
            const fails = step.upheld;
            return { key: i.key, measured: measure(i, !fails, r), verdict: fails ? 'fail' : 'pass' } as const;
          })
        : [];
    timeline.add(
      on,
      async (at) => {
        if (!job.caseId) return;
        if (step.kind === 'retest') {
          await enterRetestResults(at, labUser(job.retestLab!), SEED_ACTOR, job.sampleId!, {
            reportedOn: on,
            items: retestItems.map((i) => ({ ...i })),
          });
          return;
        }
        await actOnCase(at, job.caseId!, action!, by);
        // The revocation is a credit fact: the credit engine takes it now, as its dispatcher would.
        if (step.kind === 'revoke') {
          const events = await at.db
            .selectFrom('outbox_events')
            .select('id')
            .where('aggregate_id', '=', job.caseId!)
            .where('type', '=', 'licensing.licence.revoked')
            .execute();
          await at.db.transaction().execute((trx) =>
            applyCreditEvents(
              trx,
              at,
              events.map((e) => e.id),
            ),
          );
        }
      },
      step.kind,
    );
  };

  await timeline.play(ctx, opts.onProgress);
  ctx.log.debug(
    { steps: Object.fromEntries(timeline.spent) },
    'sampling seed: time per kind of step (ms, n)',
  );
  return { ...counts, inspectors: inspectors.size };
}

async function lastYearFailures(db: Kysely<Database>, year: number) {
  return db
    .selectFrom('sampling_samples as s')
    .innerJoin('sampling_plans as p', 'p.id', 's.plan_id')
    .select(['s.enterprise_id', 's.category_code', 's.sample_no'])
    .where('s.year', '=', year)
    .where('s.verdict', '=', 'fail')
    .where('p.kind', '!=', 'followUp')
    .orderBy('s.sample_no')
    .execute();
}

/** Each of last year's failures (in the plan's categories) referred to the follow-up draw. */
async function referLastYearFailures(at: AppContext, plan: PlanSpec) {
  const failures = await lastYearFailures(at.db, plan.year - 1);
  const seen = new Set<string>();
  for (const f of failures) {
    if (!plan.categories.includes(f.category_code) || seen.has(f.enterprise_id)) continue;
    seen.add(f.enterprise_id);
    const e = await at.db
      .selectFrom('enterprises')
      .select(['uscc', 'status'])
      .where('id', '=', f.enterprise_id)
      .executeTakeFirstOrThrow();
    if (e.status !== 'operating') continue;
    await addReferral(at, SEED_ACTOR, {
      uscc: e.uscc,
      categoryCode: f.category_code,
      reason: 'referral',
      reference: `${f.sample_no} 不合格后跟踪`,
      note: '上年度监督抽查不合格，整改后跟踪抽查',
    });
  }
}

async function planBody(at: AppContext, s: Setup, plan: PlanSpec, categories: string[]): Promise<PlanBody> {
  const publishedOn = todayInShanghai(at.clock.now());
  // The follow-up plan samples only the enterprises referred to it: its quota per category is
  // their number, so the strata draw no one else.
  const referred = new Map<string, number>();
  if (plan.followUp) {
    const seen = new Set<string>();
    for (const f of await lastYearFailures(at.db, plan.year - 1)) {
      if (seen.has(f.enterprise_id)) continue;
      seen.add(f.enterprise_id);
      referred.set(f.category_code, (referred.get(f.category_code) ?? 0) + 1);
    }
  }
  const cats = categories.map((code) => {
    const t = s.templates.get(code)!;
    return {
      code,
      checkItems: checkItemsOn(t, publishedOn),
      testUnits: t.testUnits,
      backupUnits: t.backupUnits,
      labEnterpriseId: s.labOf.get(code)!,
      quota: plan.followUp ? Math.max(1, referred.get(code) ?? 1) : 0,
    };
  });
  return {
    legalBasis: LEGAL_BASIS,
    towns: [],
    townQuotas: {},
    budgetYuan: 3000 * 6 * cats.length * (plan.followUp ? 1 : 8),
    categories: cats,
  };
}

/**
 * The drawn tasks of a plan with everything decided about them: who samples when (or meets a
 * refusal), when the lab reports, which items fail, and how each failure's case goes.
 */
async function planJobs(
  at: AppContext,
  s: Setup,
  plan: PlanSpec,
  inspectors: Map<string, AuthUser>,
  demoEnterprise: string | null,
  tally: Map<number, { reported: number; failed: number }>,
): Promise<Job[]> {
  const { r, asOf } = s;
  const cal = at.calendar;
  const draw = await at.db
    .selectFrom('sampling_draws')
    .select('id')
    .where('plan_id', '=', plan.planId!)
    .executeTakeFirstOrThrow();
  const tasks = await at.db
    .selectFrom('sampling_tasks as t')
    .innerJoin('enterprises as e', 'e.id', 't.enterprise_id')
    .select([
      't.id',
      't.task_no',
      't.enterprise_id',
      't.category_code',
      't.town_code',
      't.reason',
      't.inspectors',
      'e.uscc',
      'e.name',
    ])
    .where('t.draw_id', '=', draw.id)
    .orderBy('t.task_no')
    .execute();
  const span = Math.max(1, dayDiff(plan.windowStart, plan.windowEnd));
  const townOf = new Map(tasks.map((t) => [t.id, t.town_code]));
  const jobs: Job[] = tasks.map((t) => {
    const sampleOn = workday(cal, addCalendarDays(plan.windowStart, r.int(span + 1)));
    const resultOn = workday(cal, addCalendarDays(sampleOn, between(r, 7, 28)));
    // The inspector who records: one whose scope covers the town (a regulator, or an officer of
    // the town); when the draw gave neither, the task waits.
    const ids = JSON.parse(t.inspectors) as string[];
    const able = ids.find((id) => {
      const u = inspectors.get(id);
      return !!u && (u.role === 'regulator' || u.townCode === t.town_code);
    });
    return {
      plan,
      taskId: t.id,
      taskNo: t.task_no,
      enterpriseId: t.enterprise_id,
      uscc: t.uscc,
      name: t.name,
      categoryCode: t.category_code,
      grade: t.reason.split(':')[1] ?? 'B',
      inspector: able ?? ids[0]!,
      lab: s.labOf.get(t.category_code)!,
      refuse: r.chance(REFUSAL_CHANCE),
      sampleOn: able && sampleOn <= asOf ? sampleOn : null,
      resultOn: able && sampleOn <= asOf && resultOn <= asOf ? resultOn : null,
      failing: [],
      script: null,
      target: null,
      retestLab: null,
    };
  });
  // The targets this plan carries: a task each (the demo enterprise's for the open objection
  // window, so that its account can object), sampled and reported to fail on the target's day.
  const taken = new Set<Job>();
  const byWeight = jobs
    .filter((j) => {
      const u = inspectors.get(j.inspector);
      return !!u && (u.role === 'regulator' || u.townCode === townOf.get(j.taskId));
    })
    .map((j) => ({ j, key: r.next() ** (1 / (GRADE_FAIL_WEIGHT[j.grade] ?? 1)) }))
    .sort((a, b) => b.key - a.key)
    .map((x) => x.j);
  for (const t of plan.targets) {
    const free = byWeight.filter((j) => !taken.has(j));
    const job =
      (t.target === 'objectionWindow' && free.find((j) => j.enterpriseId === demoEnterprise)) || free[0];
    if (!job) break;
    taken.add(job);
    const lag = Math.max(1, Math.min(12, dayDiff(plan.windowStart, t.failedOn)));
    job.refuse = false;
    job.sampleOn = addCalendarDays(t.failedOn, -lag);
    job.resultOn = t.failedOn;
    job.target = t.target;
    job.failing = pickFailing(s, job, r, t.target === 'objectionWindow' ? 'major' : null);
    job.script = targetScript(t.target, t.failedOn, t.end, cal);
    job.retestLab = retestLabFor(s, job);
  }
  // Natural failures: FAIL_SHARE of the plan's reported samples fail in the end, the targets
  // included; the rest are drawn by a seeded generator weighted by the grade the draw saw.
  // Counted over the plan year (a year's later plans make up for its earlier ones).
  const reported = jobs.filter((j) => !j.refuse && j.resultOn);
  const finalFail = (j: Job) =>
    j.failing.length > 0 && !(j.script?.overturnedOn && j.script.overturnedOn <= asOf);
  const year = tally.get(plan.year) ?? { reported: 0, failed: 0 };
  year.reported += reported.length;
  year.failed += reported.filter(finalFail).length;
  tally.set(plan.year, year);
  let wanted = Math.round(FAIL_SHARE * year.reported) - year.failed;
  const candidates = reported
    .filter((j) => !j.target)
    .map((j) => ({ j, key: r.next() ** (1 / (GRADE_FAIL_WEIGHT[j.grade] ?? 1)) }))
    .sort((a, b) => b.key - a.key);
  for (const { j } of candidates) {
    if (wanted <= 0) break;
    j.failing = pickFailing(s, j, r, null);
    j.script = naturalScript(j.resultOn!, cal, r);
    j.retestLab = retestLabFor(s, j);
    if (finalFail(j)) {
      wanted--;
      year.failed++;
    }
  }
  return jobs;
}
