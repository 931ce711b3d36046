// City scale (200,000 enterprises): about 200,000 samples and a million item results over the four
// plan years — far too many to enter one service call at a time. This bulk path writes the same
// rows the services write, batch by batch in date order:
//
//   - plans through createPlan/publishPlan (monthly batches, 第N批, March to December);
//   - each draw computed by the same pure beginDraw/computeDraw over the same input drawOfPlan reads —
//     makers from the register (makersOf), grades from the credit engine (gradeSnapshot), the draw
//     ratios of the rule set in force (supervisionPolicy), the samples of the six months before,
//     the inspector register, the inspectors who last went to each drawn enterprise — kept in
//     memory instead of read again per draw, and stored as confirmDraw stores it (input, outcome,
//     tasks, audit row, sampling.draw.published), so that `sampling redraw --verify` recomputes it;
//   - tasks, samples, item results and re-test results as multi-row inserts, in the state they
//     reach by the seed day, with the events the services emit (sampling.sample.passed / failed /
//     refused) through emitEvents in batches;
//   - the post-processing of every failure through the same pure machine (postprocess.ts newCase
//     and transition, over the same dated steps as the demo's), its rows and events as cases.ts
//     writes them (sampling.case.transitioned, sampling.sample.overturned, licensing.licence.revoked);
//   - the credit engine takes the facts the services hand it at once (passed, failed, refused,
//     overturned, revoked) through applyCreditEvents — its own handlers, delivery rows and
//     regrades — in date order before each draw, so each draw sees the grades its predecessors'
//     results made, as the demo's do.
//
// What differs from the services: one audit row per batch (action sampling.seed.batch, with its
// counts) instead of one per step, as the registry's bulk seed does; credit regrades an enterprise
// as of the day before the next draw rather than on each result's day. The numbers agree because
// every row and event is the one the service would write for the same decision, and the grades
// come from the credit engine's own handlers and its full regrade at the end.
import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.js';
import { addCalendarDays, type WorkdayCalendar } from '../../core/workdays.js';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';
import type { EventType } from '../../platform/events/catalogue.js';
import { emitEvents, type NewEvent } from '../../platform/events/outbox.js';
import { applyCreditEvents, gradeSnapshot, supervisionPolicy } from '../credit/index.js';
import { type Maker, makersOf, type Rng } from '../registry/index.js';
import type { SeedOptions } from '../types.js';
import { beginDraw, type DrawInput, type DrawOutput, GRADES, type Grade, type PoolRow } from './draw.js';
import { CREDIT_SEVERITY, type ItemClass, type PlanBody, worstClass } from './model.js';
import { createPlan, publishPlan } from './plans.js';
import {
  type CaseAction,
  type CaseEffect,
  type CaseStepActor,
  newCase,
  type SamplingCase,
  transition,
} from './postprocess.js';
import { naturalScript, type ScriptStep } from './seed-cases.js';
import {
  atInstant,
  between,
  FAIL_SHARE,
  GRADE_FAIL_WEIGHT,
  LEGAL_BASIS,
  personName,
  pickFailing,
  REFUSAL_CHANCE,
  retestLabFor,
  SEED_ACTOR,
  type Setup,
  seedInspectors,
  tradeName,
  workday,
} from './seed-common.js';
import { checkItemsOn, measure, type TemplateItem } from './seed-templates.js';

/** The months with a batch (none in January and February, around the Spring Festival). */
export const CITY_BATCH_MONTHS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
/** SQLite binds at most 32,766 parameters a statement: rows go in by chunks under that. */
const MAX_PARAMS = 30_000;
/** Events handed to the credit engine per transaction. */
const CREDIT_CHUNK = 5_000;

const instant = (day: string, hm = '10:00') => new Date(`${day}T${hm}:00+08:00`);
const CHINESE_NUMBERS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

type Batch = { year: number; no: number; publishOn: string; drawOn: string };

function cityBatches(s: Setup, cal: WorkdayCalendar): Batch[] {
  const out: Batch[] = [];
  for (const year of s.years)
    CITY_BATCH_MONTHS.forEach((m, i) => {
      const drawOn = workday(cal, `${year}-${String(m).padStart(2, '0')}-08`);
      const publishOn = workday(cal, addCalendarDays(drawOn, -7));
      if (drawOn <= s.asOf) out.push({ year, no: i + 1, publishOn, drawOn });
    });
  return out;
}

type Pending = { id: string; on: string };

type State = {
  makers: Maker[];
  inspectors: { userId: string; townCode: string | null; conflicts: string[] }[];
  roles: Map<string, { role: string; townCode: string | null }>;
  /** samples of city plans: [enterpriseId, categoryCode, sampleNo, sampledOn], in date order */
  recent: [string, string, string, string][];
  /** the sorted inspector pair of each enterprise's latest task */
  lastPair: Map<string, string[]>;
  taskSeq: Map<number, number>;
  sampleSeq: Map<number, number>;
  tally: Map<number, { reported: number; failed: number }>;
  pending: Pending[];
  counts: {
    plans: number;
    tasks: number;
    samples: number;
    refusals: number;
    results: number;
    failed: number;
    cases: number;
  };
};

export async function seedCityScale(ctx: AppContext, opts: SeedOptions, s: Setup) {
  const cal = ctx.calendar;
  const first = workday(cal, `${s.years[0]}-01-09`);
  const staff = await seedInspectors(atInstant(ctx, `${first}T10:00:00+08:00`), s.r);
  const register = await ctx.db
    .selectFrom('sampling_inspectors as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select(['i.user_id', 'i.town_code', 'i.conflicts', 'u.role', 'u.town_code as user_town'])
    .where('i.active', '=', 1)
    .execute();
  const state: State = {
    makers: await makersOf(ctx.db, { categoryCodes: s.categories }),
    inspectors: register.map((i) => ({
      userId: i.user_id,
      townCode: i.town_code,
      conflicts: (JSON.parse(i.conflicts) as { enterpriseId: string }[]).map((c) => c.enterpriseId),
    })),
    roles: new Map(register.map((i) => [i.user_id, { role: i.role, townCode: i.user_town }])),
    recent: [],
    lastPair: new Map(),
    taskSeq: new Map(),
    sampleSeq: new Map(),
    tally: new Map(),
    pending: [],
    counts: { plans: 0, tasks: 0, samples: 0, refusals: 0, results: 0, failed: 0, cases: 0 },
  };
  const batches = cityBatches(s, cal);
  const spent = { credit: 0, batches: 0 };
  for (const [k, b] of batches.entries()) {
    const t0 = performance.now();
    await applyPending(ctx, state, b.drawOn);
    const t1 = performance.now();
    await cityBatch(ctx, s, state, b);
    spent.credit += t1 - t0;
    spent.batches += performance.now() - t1;
    opts.onProgress?.(k + 1, batches.length);
  }
  ctx.log.debug(spent, 'sampling city seed: ms in the credit engine and in the batches');
  await applyPending(ctx, state, addCalendarDays(s.asOf, 1));
  return { ...state.counts, inspectors: staff.size };
}

/** Hands the credit engine the facts dated before `before`, in date order, as of the day before. */
async function applyPending(ctx: AppContext, state: State, before: string) {
  const due = state.pending.filter((p) => p.on < before);
  if (due.length === 0) return;
  state.pending = state.pending.filter((p) => p.on >= before);
  // The engine's notes on single facts (an overturned minor failure no rule scored, say) are
  // hundreds of lines at city scale; the seed keeps its warnings and errors only.
  const day = atInstant(ctx, `${addCalendarDays(before, -1)}T20:00:00+08:00`);
  const at = { ...day, log: { ...day.log, info: () => {}, debug: () => {} } };
  // stable: same-day events keep the order they were emitted in
  const ordered = due.map((p, i) => ({ ...p, i })).sort((a, b) => a.on.localeCompare(b.on) || a.i - b.i);
  for (let i = 0; i < ordered.length; i += CREDIT_CHUNK) {
    const ids = ordered.slice(i, i + CREDIT_CHUNK).map((p) => p.id);
    await at.db.transaction().execute((trx) => applyCreditEvents(trx, at, ids));
  }
}

async function insertChunked<T extends keyof Database>(trx: Kysely<Database>, table: T, rows: Database[T][]) {
  if (rows.length === 0) return;
  const per = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length));
  for (let i = 0; i < rows.length; i += per)
    // the rows are built for the table named (columns checked by the database)
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + per) as never)
      .execute();
}

/** Emits events grouped by the day they are recorded on; returns their ids in the order given. */
async function emitByDay(trx: Kysely<Database>, list: { event: NewEvent<EventType>; day: string }[]) {
  const ids: string[] = new Array(list.length);
  const byDay = new Map<string, number[]>();
  list.forEach((e, i) => {
    const l = byDay.get(e.day) ?? [];
    l.push(i);
    byDay.set(e.day, l);
  });
  for (const day of [...byDay.keys()].sort()) {
    const idx = byDay.get(day)!;
    const got = await emitEvents(
      trx,
      idx.map((i) => list[i]!.event),
      instant(day, '17:00'),
    );
    idx.forEach((i, k) => {
      ids[i] = got[k]!;
    });
  }
  return ids;
}

type Job = {
  taskId: string;
  taskNo: string;
  item: DrawOutput['items'][number];
  maker: Maker;
  inspector: string | null;
  lab: string;
  refuse: boolean;
  sampleOn: string | null;
  resultOn: string | null;
  failing: TemplateItem[];
  script: ReturnType<typeof naturalScript> | null;
};

async function cityBatch(ctx: AppContext, s: Setup, state: State, b: Batch) {
  const { r, asOf } = s;
  const cal = ctx.calendar;
  const title = `${b.year}年东莞市产品质量监督抽查计划（第${CHINESE_NUMBERS[b.no - 1]}批）`;
  const publishAt = atInstant(ctx, `${b.publishOn}T10:00:00+08:00`);
  const body: PlanBody = {
    legalBasis: LEGAL_BASIS,
    towns: [],
    townQuotas: {},
    budgetYuan: 2_000_000,
    categories: s.categories.map((code) => {
      const t = s.templates.get(code)!;
      return {
        code,
        checkItems: checkItemsOn(t, b.publishOn),
        testUnits: t.testUnits,
        backupUnits: t.backupUnits,
        labEnterpriseId: s.labOf.get(code)!,
        quota: 0,
      };
    }),
  };
  const code = `DG-${b.year}-JDCC-${String(b.no).padStart(2, '0')}`;
  const plan = await createPlan(publishAt, SEED_ACTOR, {
    code,
    year: b.year,
    title,
    kind: 'routine',
    level: 'city',
    body,
  });
  const published = await publishPlan(publishAt, SEED_ACTOR, plan.id);
  state.counts.plans++;

  // The draw, from the input drawOfPlan would read on the draw day.
  const drawAt = instant(b.drawOn, '09:30');
  const seed = r.int(2 ** 31 - 1);
  const policy = await supervisionPolicy(ctx.db, b.drawOn);
  const grades = await gradeSnapshot(ctx.db);
  const pool: PoolRow[] = state.makers
    .filter((m) => m.registeredOn === null || m.registeredOn <= b.drawOn)
    .map((m) => [
      m.id,
      (grades.get(m.id) as Grade | undefined) ?? 'B',
      m.townCode,
      m.categoryCode,
      m.status === 'operating' ? 1 : 0,
    ]);
  // Samples older than six months never count again (draws only move forward).
  const since = ctx.calendar.addMonths(b.drawOn, -6);
  state.recent = state.recent.filter(([, , , on]) => on > since);
  const input: DrawInput = {
    plan: {
      id: published.id,
      code: published.code,
      version: published.version,
      year: published.year,
      kind: published.kind,
      level: published.level,
      body: published.body,
    },
    seed,
    asOf: b.drawOn,
    ruleSet: policy.ruleSet,
    ratios: Object.fromEntries(GRADES.map((g) => [g, policy.grades[g].drawRatio])) as Record<Grade, number>,
    pool,
    recent: state.recent.filter(([, , , on]) => on <= b.drawOn),
    higherLevel: [],
    referrals: [],
    inspectors: state.inspectors,
    lastPairs: {},
  };
  // The inspectors who last went to the enterprises the draw picks (the targets do not depend on them).
  const draft = beginDraw(input);
  const lastPairs: Record<string, string[]> = {};
  for (const id of draft.enterpriseIds) {
    const p = state.lastPair.get(id);
    if (p) lastPairs[id] = p;
  }
  input.lastPairs = lastPairs;
  const out = draft.finish(lastPairs);
  if (out.inspectorShortage.length > 0) throw new Error(`${code}: not enough inspectors for the draw`);

  const makerOf = new Map(state.makers.map((m) => [`${m.categoryCode}/${m.id}`, m]));
  const taskPrefix = `DG${b.year}-RW-`;
  const jobs: Job[] = out.items.map((item) => {
    const n = (state.taskSeq.get(b.year) ?? 0) + 1;
    state.taskSeq.set(b.year, n);
    const sampleOn = workday(cal, addCalendarDays(b.drawOn, between(r, 3, 25)));
    const resultOn = workday(cal, addCalendarDays(sampleOn, between(r, 7, 28)));
    const able = item.inspectors.find((id) => {
      const u = state.roles.get(id);
      return !!u && (u.role === 'regulator' || u.townCode === item.townCode);
    });
    return {
      taskId: newId(),
      taskNo: `${taskPrefix}${String(n).padStart(6, '0')}`,
      item,
      maker: makerOf.get(`${item.categoryCode}/${item.enterpriseId}`)!,
      inspector: able ?? null,
      lab: s.labOf.get(item.categoryCode)!,
      refuse: r.chance(REFUSAL_CHANCE),
      sampleOn: able && sampleOn <= asOf ? sampleOn : null,
      resultOn: able && sampleOn <= asOf && resultOn <= asOf ? resultOn : null,
      failing: [],
      script: null,
    };
  });
  for (const j of jobs) state.lastPair.set(j.item.enterpriseId, [...j.item.inspectors].sort());

  // Failures: FAIL_SHARE of the year's reported samples, weighted by the grade the draw saw.
  const reported = jobs.filter((j) => !j.refuse && j.resultOn);
  const year = state.tally.get(b.year) ?? { reported: 0, failed: 0 };
  state.tally.set(b.year, year);
  year.reported += reported.length;
  let wanted = Math.round(FAIL_SHARE * year.reported) - year.failed;
  const candidates = reported
    .map((j) => ({ j, key: r.next() ** (1 / (GRADE_FAIL_WEIGHT[j.item.grade] ?? 1)) }))
    .sort((x, y) => y.key - x.key);
  for (const { j } of candidates) {
    if (wanted <= 0) break;
    j.failing = pickFailing(s, j.item, r, null);
    j.script = naturalScript(j.resultOn!, cal, r);
    if (!(j.script.overturnedOn && j.script.overturnedOn <= asOf)) {
      wanted--;
      year.failed++;
    }
  }

  await ctx.db.transaction().execute(async (trx) => {
    const drawId = newId();
    const { pool: storedPool, ...rest } = input;
    await trx
      .insertInto('sampling_draws')
      .values({
        id: drawId,
        plan_id: published.id,
        seed,
        as_of: b.drawOn,
        rule_set_id: input.ruleSet.id,
        rule_set_version: input.ruleSet.version,
        pool: JSON.stringify(storedPool),
        record: JSON.stringify({ input: rest, output: out }),
        drawn_at: drawAt.toISOString(),
        drawn_by: 'seed',
      })
      .execute();
    await writeAudit(trx, {
      actor: SEED_ACTOR,
      action: 'sampling.draw.confirm',
      resourceType: 'samplingPlan',
      resourceId: published.id,
      after: {
        drawId,
        seed,
        asOf: b.drawOn,
        drawn: jobs.length,
        excluded: out.excluded.length,
        strata: out.strata,
      },
      at: drawAt,
    });
    await emitEvents(
      trx,
      [
        {
          type: 'sampling.draw.published',
          occurredAt: drawAt,
          aggregateId: drawId,
          payload: { planId: published.id, planCode: code, drawId, seed, drawn: jobs.length },
        },
      ],
      drawAt,
    );
    await writeBatch(trx, ctx, s, state, b, published.id, drawId, jobs, drawAt);
    await writeAudit(trx, {
      actor: SEED_ACTOR,
      action: 'sampling.seed.batch',
      resourceType: 'samplingPlan',
      resourceId: published.id,
      after: {
        tasks: jobs.length,
        samples: jobs.filter((j) => j.sampleOn && !j.refuse).length,
        refusals: jobs.filter((j) => j.sampleOn && j.refuse).length,
        results: jobs.filter((j) => j.resultOn && !j.refuse).length,
        failed: jobs.filter((j) => j.resultOn && !j.refuse && j.failing.length).length,
        asOf,
      },
      at: drawAt,
    });
  });
  state.counts.tasks += jobs.length;
}

const OFFICIAL: CaseStepActor = { id: null, label: 'seed', kind: 'official' };
const ENTERPRISE: CaseStepActor = { id: null, label: 'seed', kind: 'enterprise' };
const LAB: CaseStepActor = { id: null, label: 'seed', kind: 'lab' };

async function writeBatch(
  trx: Kysely<Database>,
  ctx: AppContext,
  s: Setup,
  state: State,
  b: Batch,
  planId: string,
  drawId: string,
  jobs: Job[],
  drawAt: Date,
) {
  const { r, asOf } = s;
  const tasks: Database['sampling_tasks'][] = [];
  const samples: Database['sampling_samples'][] = [];
  const results: Database['sampling_results'][] = [];
  const resultEvents: { event: NewEvent<EventType>; day: string }[] = [];
  const failures: { job: Job; sample: Database['sampling_samples']; eventIndex: number }[] = [];
  const samplePrefix = `DG${b.year}-CC-`;

  for (const j of jobs) {
    const t = s.templates.get(j.item.categoryCode)!;
    const ref = { enterpriseId: j.item.enterpriseId, uscc: j.maker.uscc };
    let taskState = 'assigned';
    let refusal: string | null = null;
    let updatedAt = drawAt.toISOString();
    if (j.sampleOn && j.refuse) {
      taskState = 'refused';
      refusal = JSON.stringify({
        on: j.sampleOn,
        note: '企业负责人拒绝在抽样单上签字，拒绝提供样品',
        witnesses: [`${personName(r)}（村（社区）工作人员）`],
      });
      updatedAt = instant(j.sampleOn, '11:00').toISOString();
      resultEvents.push({
        event: {
          type: 'sampling.sample.refused',
          occurredAt: j.sampleOn,
          enterpriseId: j.item.enterpriseId,
          aggregateId: j.taskId,
          payload: { ...ref, taskNo: j.taskNo },
        },
        day: j.sampleOn,
      });
      state.counts.refusals++;
    } else if (j.sampleOn) {
      const n = (state.sampleSeq.get(b.year) ?? 0) + 1;
      state.sampleSeq.set(b.year, n);
      const sampleNo = `${samplePrefix}${String(n).padStart(6, '0')}`;
      const sampleId = newId();
      const product = r.pick(t.products);
      const productionDate = addCalendarDays(j.sampleOn, -between(r, 5, 120));
      const failing = new Set(j.failing.map((i) => i.key));
      const severity = worstClass(j.failing.map((i) => i.class as ItemClass));
      const sampledAt = instant(j.sampleOn, '11:00').toISOString();
      const reportedAt = j.resultOn ? instant(j.resultOn, '15:00').toISOString() : null;
      const sample: Database['sampling_samples'] = {
        id: sampleId,
        sample_no: sampleNo,
        task_id: j.taskId,
        plan_id: planId,
        enterprise_id: j.item.enterpriseId,
        category_code: j.item.categoryCode,
        town_code: j.item.townCode,
        industry_code: j.maker.industryCode,
        year: b.year,
        product_name: product.name,
        trademark: tradeName(j.maker.name),
        model: r.pick(product.models),
        standard_code: t.standard,
        batch: `${productionDate.replaceAll('-', '')}${String.fromCharCode(65 + r.int(6))}`,
        production_date: productionDate,
        test_units: t.testUnits,
        backup_units: t.backupUnits,
        place: r.chance(0.85) ? 'factory' : 'market',
        sampled_on: j.sampleOn,
        grade_when_drawn: j.item.grade,
        details: JSON.stringify({
          sealNumbers: [1, 2].map((k) => `FT${j.sampleOn!.slice(0, 4)}${j.taskNo.slice(-6)}${k}`),
          confirmation: { signer: personName(r), title: '质量负责人', confirmed: true },
          inspectors: j.item.inspectors,
        }),
        lab_enterprise_id: j.lab,
        state: j.resultOn ? (failing.size ? 'reported' : 'final') : 'sentToLab',
        verdict: j.resultOn ? (failing.size ? 'fail' : 'pass') : null,
        severity: j.resultOn && failing.size ? severity : null,
        reported_on: j.resultOn,
        failed_event_id: null,
        created_at: sampledAt,
        updated_at: reportedAt ?? sampledAt,
      };
      samples.push(sample);
      state.recent.push([j.item.enterpriseId, j.item.categoryCode, sampleNo, j.sampleOn]);
      state.counts.samples++;
      taskState = 'sentToLab';
      updatedAt = sampledAt;
      if (j.resultOn) {
        taskState = 'tested';
        updatedAt = reportedAt!;
        state.counts.results++;
        for (const i of t.items)
          results.push({
            sample_id: sampleId,
            item_key: i.key,
            round: 'original',
            measured: measure(i, !failing.has(i.key), r),
            verdict: failing.has(i.key) ? 'fail' : 'pass',
            item_class: i.class,
            lab_enterprise_id: j.lab,
            entered_at: reportedAt!,
            entered_by: 'seed',
          });
        const payload = { ...ref, sampleNo, productCategory: j.item.categoryCode };
        if (failing.size) {
          failures.push({ job: j, sample, eventIndex: resultEvents.length });
          resultEvents.push({
            event: {
              type: 'sampling.sample.failed',
              occurredAt: j.resultOn,
              enterpriseId: j.item.enterpriseId,
              aggregateId: sampleId,
              payload: { ...payload, severity: CREDIT_SEVERITY[severity!] },
            },
            day: j.resultOn,
          });
        } else
          resultEvents.push({
            event: {
              type: 'sampling.sample.passed',
              occurredAt: j.resultOn,
              enterpriseId: j.item.enterpriseId,
              aggregateId: sampleId,
              payload,
            },
            day: j.resultOn,
          });
      }
    }
    tasks.push({
      id: j.taskId,
      task_no: j.taskNo,
      plan_id: planId,
      draw_id: drawId,
      enterprise_id: j.item.enterpriseId,
      category_code: j.item.categoryCode,
      town_code: j.item.townCode,
      reason: `${j.item.reason}:${j.item.grade}${j.item.reference ? `:${j.item.reference}` : ''}`,
      inspectors: JSON.stringify(j.item.inspectors),
      state: taskState,
      refusal,
      year: b.year,
      created_at: drawAt.toISOString(),
      updated_at: updatedAt,
    });
  }
  state.recent.sort((a, c) => a[3].localeCompare(c[3]) || a[2].localeCompare(c[2]));
  await insertChunked(trx, 'sampling_tasks', tasks);

  const resultIds = await emitByDay(trx, resultEvents);
  resultEvents.forEach((e, i) => {
    state.pending.push({ id: resultIds[i]!, on: e.day });
  });
  for (const f of failures) f.sample.failed_event_id = resultIds[f.eventIndex]!;

  // Post-processing: the failure's dated steps up to the seed day, through the pure machine.
  const cases: Database['sampling_cases'][] = [];
  const caseEvents: { event: NewEvent<EventType>; day: string; credit: boolean }[] = [];
  for (const { job, sample } of failures) {
    state.counts.failed++;
    state.counts.cases++;
    const failedOn = job.resultOn!;
    const failedItems = job.failing.map((i) => i.key);
    const retestLab = retestLabFor(s, job);
    const opened = newCase(
      {
        id: newId(),
        sampleId: sample.id,
        sampleNo: sample.sample_no,
        enterpriseId: sample.enterprise_id,
        uscc: job.maker.uscc,
        townCode: sample.town_code,
        originalLabEnterpriseId: job.lab,
        failedOn,
        failedItems,
      },
      failedOn,
      LAB,
    );
    let c: SamplingCase = opened.case;
    const pushEffects = (effects: CaseEffect[]) => {
      for (const e of effects) caseEvents.push(caseEvent(c, e, sample.failed_event_id!));
    };
    pushEffects(opened.effects);
    let lastAt = instant(failedOn, '15:00').toISOString();
    for (const step of job.script?.steps ?? []) {
      if (step.on > asOf) break;
      if (step.kind === 'retest' || step.kind === 'assignRetest' || step.kind === 'object')
        if (!retestLab) break;
      const action = caseAction(step, failedItems, retestLab ?? '', r);
      const actor =
        step.kind === 'object' || step.kind === 'accept'
          ? ENTERPRISE
          : step.kind === 'retest'
            ? LAB
            : OFFICIAL;
      const next = transition(c, action, step.on, ctx.calendar, actor);
      c = next.case;
      pushEffects(next.effects);
      lastAt = instant(step.on, '16:00').toISOString();
      if (step.kind === 'retest') {
        // The re-test lab's results for the disputed items; the result is final.
        for (const i of job.failing)
          results.push({
            sample_id: sample.id,
            item_key: i.key,
            round: 'retest',
            measured: measure(i, !step.upheld, r),
            verdict: step.upheld ? 'fail' : 'pass',
            item_class: i.class,
            lab_enterprise_id: retestLab!,
            entered_at: lastAt,
            entered_by: 'seed',
          });
        sample.state = 'final';
        sample.verdict = step.upheld ? 'fail' : 'pass';
        sample.severity = step.upheld ? sample.severity : null;
        sample.updated_at = lastAt;
      }
    }
    cases.push({
      id: c.id,
      sample_id: c.sampleId,
      enterprise_id: c.enterpriseId,
      town_code: c.townCode,
      state: c.state,
      due_on: c.dueOn,
      body: json.write(c),
      created_at: instant(failedOn, '15:00').toISOString(),
      updated_at: lastAt,
    });
  }
  await insertChunked(trx, 'sampling_samples', samples);
  await insertChunked(trx, 'sampling_results', results);
  await insertChunked(trx, 'sampling_cases', cases);
  const caseIds = await emitByDay(trx, caseEvents);
  caseEvents.forEach((e, i) => {
    if (e.credit) state.pending.push({ id: caseIds[i]!, on: e.day });
  });
}

/** The catalogued event of a case effect, as cases.ts emits it (credit: whether credit takes it at once). */
function caseEvent(
  c: SamplingCase,
  e: CaseEffect,
  failedEventId: string,
): { event: NewEvent<EventType>; day: string; credit: boolean } {
  const ref = { enterpriseId: c.enterpriseId, uscc: c.uscc };
  if (e.kind === 'transitioned')
    return {
      event: {
        type: 'sampling.case.transitioned',
        occurredAt: e.on,
        enterpriseId: c.enterpriseId,
        aggregateId: c.id,
        payload: {
          ...ref,
          caseId: c.id,
          sampleNo: c.sampleNo,
          from: e.from ?? 'none',
          to: e.to,
          action: e.action,
          ...(e.dueOn ? { dueOn: e.dueOn } : {}),
        },
      },
      day: e.on,
      credit: false,
    };
  if (e.kind === 'sampleOverturned')
    return {
      event: {
        type: 'sampling.sample.overturned',
        occurredAt: e.on,
        enterpriseId: c.enterpriseId,
        aggregateId: c.sampleId,
        payload: { ...ref, sampleNo: c.sampleNo, failedEventId },
      },
      day: e.on,
      credit: true,
    };
  return {
    event: {
      type: 'licensing.licence.revoked',
      occurredAt: e.on,
      enterpriseId: c.enterpriseId,
      aggregateId: c.id,
      payload: { ...ref, licenceNo: e.licenceNo, ...(e.decisionNo ? { decisionNo: e.decisionNo } : {}) },
    },
    day: e.on,
    credit: true,
  };
}

/** The machine's action for a scripted step, with the documents a bureau would name. */
function caseAction(step: ScriptStep, items: string[], retestLab: string, r: Rng): CaseAction {
  const on = step.on;
  const no = (prefix: string) => `${prefix}〔${on.slice(0, 4)}〕${String(1000 + r.int(9000))}号`;
  switch (step.kind) {
    case 'notify':
      return { type: 'notify', on, documents: [{ title: '检验结果通知书', number: no('东市监抽通') }] };
    case 'receive':
      return { type: 'receive', on };
    case 'accept':
      return { type: 'accept', on };
    case 'lapse':
      return { type: 'lapse', on };
    case 'object':
      return { type: 'object', on, items, grounds: '企业对检测数据有异议，自检结果符合标准，申请复检' };
    case 'assignRetest':
      return { type: 'assignRetest', on, labEnterpriseId: retestLab };
    case 'retest':
      return { type: 'retestResult', on, upheld: step.upheld };
    case 'orderCorrection':
      return { type: 'orderCorrection', on, documentNo: no('东市监责改') };
    case 'reinspect':
      return { type: 'reinspect', on, passed: step.passed };
    case 'notifyProvince':
      return { type: 'notifyProvince', on, reference: no('东市监质通') };
    case 'suspend':
      return { type: 'suspend', on, days: step.days, decisionNo: no('东市监停') };
    case 'revoke':
      return {
        type: 'revoke',
        on,
        licenceNo: `XK${String(10 + r.int(90))}-${String(100 + r.int(900))}-${String(10_000 + r.int(90_000))}`,
        decisionNo: no('东市监吊'),
      };
  }
}
