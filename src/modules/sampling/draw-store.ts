// The draw against the database: gathers the draw's input (pool from the register, grades from the
// credit engine, recent samples, higher-level plans, referrals, the inspector register), computes
// it (draw.ts), and on confirmation stores the input and the outcome, creates one task per drawn
// enterprise and category, and emits sampling.draw.published. verifyDraw recomputes a stored draw
// from its stored input and names every difference.
import type { Kysely } from 'kysely';
import { AppError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { addMonths } from '../../core/workdays.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import type { Actor, AppContext } from '../../platform/context.js';
import { emitEvents } from '../../platform/events/outbox.js';
import { CURRENT_GRADES, supervisionPolicy } from '../credit/index.js';
import { makerLinksOf } from '../registry/index.js';
import {
  beginDraw,
  computeDraw,
  type DrawInput,
  type DrawOutput,
  GRADES,
  type Grade,
  type PoolRow,
} from './draw.js';
import { EXCLUSION_LABELS } from './model.js';
import { getPlan, type Plan } from './plans.js';
import { BULK_IDS, categoryNames, enterpriseNames, townNames, userNames } from './refs.js';

export const todayOf = (ctx: AppContext) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(ctx.clock.now());

const MAX_SEED = 2 ** 31 - 1;

export function checkSeed(seed: number) {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED)
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        {
          field: 'seed',
          code: 'INVALID_SEED',
          message: {
            zh: `随机种子须为0–${MAX_SEED}之间的整数`,
            en: `The seed is a whole number from 0 to ${MAX_SEED}`,
          },
        },
      ],
    });
}

/**
 * The draw of `plan` with `seed` as of `asOf`: everything it looks at, read from the register, the
 * credit engine and this module's tables, and its outcome, computed once — the drawn enterprises'
 * last inspector pairs are read between choosing them and assigning inspectors (beginDraw).
 */
export async function drawOfPlan(
  db: Kysely<Database>,
  plan: Plan,
  seed: number,
  asOf: string,
): Promise<{ input: DrawInput; out: DrawOutput; names: EnterpriseNames }> {
  const { names, ...read } = await readDrawInput(db, plan, seed, asOf);
  const draft = beginDraw(read);
  const input: DrawInput = { ...read, lastPairs: await lastPairsOf(db, draft.enterpriseIds) };
  return { input, out: draft.finish(input.lastPairs), names };
}

/** USCC and name by enterprise id. */
type EnterpriseNames = Map<string, { uscc: string; name: string }>;

/**
 * Everything the draw of `plan` looks at, read as of `asOf`, but for the last inspector pairs; and
 * the pool's names, read with it for the draw screen (not part of the draw's input).
 */
async function readDrawInput(
  db: Kysely<Database>,
  plan: Plan,
  seed: number,
  asOf: string,
): Promise<Omit<DrawInput, 'lastPairs'> & { names: EnterpriseNames }> {
  const codes = plan.body.categories.map((c) => c.code);
  // The pool in one read: the register's makers (registered by the draw's day — only a back-dated
  // draw, the seed's, can meet a later one) with the credit engine's grade of each beside them.
  const [policy, makers] = await Promise.all([
    supervisionPolicy(db, asOf),
    makerLinksOf(db, {
      categoryCodes: codes,
      townCodes: plan.body.towns.length ? plan.body.towns : undefined,
      registeredBy: asOf,
      named: true,
      join: CURRENT_GRADES,
    }),
  ]);
  const names: EnterpriseNames = new Map();
  for (const m of makers) names.set(m.id, { uscc: m.uscc!, name: m.name! });
  const pool: PoolRow[] = makers.map((m) => [
    m.id,
    (m.grade as Grade | null) ?? 'B',
    m.townCode,
    m.categoryCode,
    m.status === 'operating' ? 1 : 0,
  ]);
  const since = addMonths(asOf, -6);
  const recent =
    codes.length === 0
      ? []
      : await db
          .selectFrom('sampling_samples as s')
          .innerJoin('sampling_plans as p', 'p.id', 's.plan_id')
          .select(['s.enterprise_id', 's.category_code', 's.sample_no', 's.sampled_on'])
          .where('p.level', '=', 'city')
          .where('s.category_code', 'in', codes)
          .where('s.sampled_on', '>', since)
          .where('s.sampled_on', '<=', asOf)
          .orderBy('s.sampled_on')
          .execute();
  const higher =
    codes.length === 0
      ? []
      : await db
          .selectFrom('sampling_tasks as t')
          .innerJoin('sampling_plans as p', 'p.id', 't.plan_id')
          .select(['t.enterprise_id', 't.category_code', 'p.code'])
          .where('p.level', 'in', ['provincial', 'national'])
          .where('t.year', '=', plan.year)
          .where('t.category_code', 'in', codes)
          .where('t.state', '!=', 'cancelled')
          .execute();
  const referrals = await db
    .selectFrom('sampling_referrals')
    .select(['id', 'enterprise_id', 'category_code', 'reason', 'reference'])
    .where('draw_id', 'is', null)
    .execute();
  const inspectors = await db
    .selectFrom('sampling_inspectors')
    .select(['user_id', 'town_code', 'conflicts'])
    .where('active', '=', 1)
    .execute();
  return {
    names,
    plan: {
      id: plan.id,
      code: plan.code,
      version: plan.version,
      year: plan.year,
      kind: plan.kind,
      level: plan.level,
      body: plan.body,
    },
    seed,
    asOf,
    ruleSet: policy.ruleSet,
    ratios: Object.fromEntries(GRADES.map((g) => [g, policy.grades[g].drawRatio])) as Record<Grade, number>,
    pool,
    recent: recent.map((r) => [r.enterprise_id, r.category_code, r.sample_no, r.sampled_on]),
    higherLevel: higher.map((h) => [h.enterprise_id, h.category_code, h.code]),
    referrals: referrals.map((r) => ({
      id: r.id,
      enterpriseId: r.enterprise_id,
      categoryCode: r.category_code,
      reason: r.reason as 'complaint' | 'referral',
      reference: r.reference,
    })),
    inspectors: inspectors.map((i) => ({
      userId: i.user_id,
      townCode: i.town_code,
      conflicts: (JSON.parse(i.conflicts) as { enterpriseId: string }[]).map((c) => c.enterpriseId),
    })),
  };
}

/** The inspectors of the latest task of each of these enterprises ("never the same pair twice in a row"). */
async function lastPairsOf(db: Kysely<Database>, ids: string[]): Promise<Record<string, string[]>> {
  const lastPairs: Record<string, string[]> = {};
  for (let i = 0; i < ids.length; i += BULK_IDS) {
    const rows = await db
      .selectFrom('sampling_tasks')
      .select(['enterprise_id', 'inspectors', 'created_at', 'task_no'])
      .where('enterprise_id', 'in', ids.slice(i, i + BULK_IDS))
      .where('draw_id', 'is not', null)
      .orderBy('created_at')
      .orderBy('task_no')
      .execute();
    for (const r of rows) lastPairs[r.enterprise_id] = (JSON.parse(r.inspectors) as string[]).slice().sort();
  }
  return lastPairs;
}

/** The draw as the API and the CLI show it: names, towns and reasons in words. */
export async function presentDraw(
  db: Kysely<Database>,
  input: DrawInput,
  out: DrawOutput,
  opts: { stored?: { drawnAt: string; drawnBy: string }; names?: EnterpriseNames } = {},
) {
  const { stored } = opts;
  const ids = [...out.items.map((i) => i.enterpriseId), ...out.excluded.map((e) => e.enterpriseId)];
  const [names, towns, cats, inspectors] = await Promise.all([
    opts.names ?? enterpriseNames(db, ids),
    townNames(db),
    categoryNames(
      db,
      input.plan.body.categories.map((c) => c.code),
    ),
    userNames(
      db,
      out.items.flatMap((i) => i.inspectors),
    ),
  ]);
  const ent = (id: string) => names.get(id) ?? { uscc: '', name: '' };
  return {
    plan: { id: input.plan.id, code: input.plan.code, version: input.plan.version, kind: input.plan.kind },
    seed: input.seed,
    asOf: input.asOf,
    ruleSet: input.ruleSet,
    poolSize: out.poolSize,
    strata: out.strata,
    byCategory: out.byCategory.map((c) => ({
      ...c,
      categoryName: cats.get(c.categoryCode)?.name ?? c.categoryCode,
    })),
    excluded: out.excluded.map((e) => ({
      enterpriseId: e.enterpriseId,
      uscc: ent(e.enterpriseId).uscc,
      name: ent(e.enterpriseId).name,
      categoryCode: e.categoryCode,
      reason: e.reason,
      reasonLabel: EXCLUSION_LABELS[e.reason],
      detail: e.detail,
    })),
    items: out.items.map((i) => ({
      enterpriseId: i.enterpriseId,
      uscc: ent(i.enterpriseId).uscc,
      name: ent(i.enterpriseId).name,
      grade: i.grade,
      townCode: i.townCode,
      townName: towns.get(i.townCode) ?? i.townCode,
      categoryCode: i.categoryCode,
      categoryName: cats.get(i.categoryCode)?.name ?? i.categoryCode,
      reason: i.reason,
      reference: i.reference ?? null,
      inspectors: i.inspectors.map((id) => ({ id, displayName: inspectors.get(id) ?? id })),
    })),
    capped: out.capped,
    inspectorShortage: out.inspectorShortage,
    drawnAt: stored?.drawnAt ?? null,
    drawnBy: stored?.drawnBy ?? null,
  };
}

export type DrawView = Awaited<ReturnType<typeof presentDraw>>;

function drawablePlan(plan: Plan) {
  if (plan.state !== 'published')
    throw new AppError('INVALID_STATE', {
      message: { zh: '只能对已发布且现行的计划抽取', en: 'Only a published plan in force can be drawn' },
    });
  if (plan.level !== 'city')
    throw new AppError('INVALID_STATE', {
      message: {
        zh: '上级计划由上级部门抽取，本局只登记其任务',
        en: 'A higher-level plan is drawn by its own authority; this bureau only registers its tasks',
      },
    });
}

/** The draw `seed` would give now, writing nothing. */
export async function previewDraw(ctx: AppContext, planId: string, seed: number) {
  checkSeed(seed);
  const plan = await getPlan(ctx.db, planId);
  drawablePlan(plan);
  const { input, out, names } = await drawOfPlan(ctx.db, plan, seed, todayOf(ctx));
  return presentDraw(ctx.db, input, out, { names });
}

const taskNoPrefix = (year: number) => `DG${year}-RW-`;

/** Confirms a draw: stores input and outcome, creates the tasks, publishes the draw's record. */
export async function confirmDraw(ctx: AppContext, actor: Actor, planId: string, seed: number) {
  checkSeed(seed);
  const plan = await getPlan(ctx.db, planId);
  drawablePlan(plan);
  const asOf = todayOf(ctx);
  const { input, out, names } = await drawOfPlan(ctx.db, plan, seed, asOf);
  if (out.inspectorShortage.length > 0)
    throw new AppError('INVALID_STATE', {
      message: {
        zh: `检查人员不足：${out.inspectorShortage.length} 项任务无法配备两名无利害关系的检查人员，请先补充检查人员名录`,
        en: `Not enough inspectors: ${out.inspectorShortage.length} tasks cannot get two inspectors without a conflict; add inspectors first`,
      },
    });
  const now = ctx.clock.now();
  const drawId = newId();
  const drawnBy = actor.id ?? actor.label;
  await ctx.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('sampling_draws')
      .select('id')
      .where('plan_id', '=', planId)
      .executeTakeFirst();
    if (existing)
      throw new AppError('ALREADY_EXISTS', {
        message: { zh: '该计划已完成抽取，不能重复抽取', en: 'This plan has been drawn already' },
      });
    const { pool, ...rest } = input;
    await trx
      .insertInto('sampling_draws')
      .values({
        id: drawId,
        plan_id: planId,
        seed,
        as_of: asOf,
        rule_set_id: input.ruleSet.id,
        rule_set_version: input.ruleSet.version,
        pool: JSON.stringify(pool),
        record: JSON.stringify({ input: rest, output: out }),
        drawn_at: now.toISOString(),
        drawn_by: drawnBy,
      })
      .execute();
    const prefix = taskNoPrefix(plan.year);
    const last = await trx
      .selectFrom('sampling_tasks')
      .select((eb) => eb.fn.max('task_no').as('n'))
      .where('task_no', 'like', `${prefix}%`)
      .executeTakeFirst();
    let next = last?.n ? Number(String(last.n).slice(prefix.length)) + 1 : 1;
    const rows = out.items.map((item) => ({
      id: newId(),
      task_no: `${prefix}${String(next++).padStart(6, '0')}`,
      plan_id: planId,
      draw_id: drawId,
      enterprise_id: item.enterpriseId,
      category_code: item.categoryCode,
      town_code: item.townCode,
      reason: `${item.reason}:${item.grade}${item.reference ? `:${item.reference}` : ''}`,
      inspectors: JSON.stringify(item.inspectors),
      state: 'assigned',
      refusal: null,
      year: plan.year,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    }));
    for (let i = 0; i < rows.length; i += 200)
      await trx
        .insertInto('sampling_tasks')
        .values(rows.slice(i, i + 200))
        .execute();
    const usedReferrals = [
      ...new Set(out.items.filter((i) => i.reason !== 'stratum').map((i) => i.enterpriseId)),
    ];
    if (usedReferrals.length)
      for (let i = 0; i < usedReferrals.length; i += 500)
        await trx
          .updateTable('sampling_referrals')
          .set({ draw_id: drawId })
          .where('draw_id', 'is', null)
          .where('enterprise_id', 'in', usedReferrals.slice(i, i + 500))
          .execute();
    await writeAudit(trx, {
      actor,
      action: 'sampling.draw.confirm',
      resourceType: 'samplingPlan',
      resourceId: planId,
      after: { drawId, seed, asOf, drawn: rows.length, excluded: out.excluded.length, strata: out.strata },
      at: now,
    });
    await emitEvents(
      trx,
      [
        {
          type: 'sampling.draw.published',
          occurredAt: now,
          aggregateId: drawId,
          payload: { planId, planCode: plan.code, drawId, seed, drawn: rows.length },
        },
      ],
      now,
    );
  });
  return presentDraw(ctx.db, input, out, { stored: { drawnAt: now.toISOString(), drawnBy }, names });
}

async function storedDraw(db: Kysely<Database>, planId: string) {
  const row = await db
    .selectFrom('sampling_draws')
    .selectAll()
    .where('plan_id', '=', planId)
    .executeTakeFirst();
  if (!row) throw notFound({ zh: '抽取记录', en: 'Draw' });
  const record = JSON.parse(row.record) as { input: Omit<DrawInput, 'pool'>; output: DrawOutput };
  const input: DrawInput = { ...record.input, pool: JSON.parse(row.pool) as PoolRow[] };
  return { row, input, output: record.output };
}

export async function getDraw(db: Kysely<Database>, planId: string) {
  const { row, input, output } = await storedDraw(db, planId);
  return presentDraw(db, input, output, { stored: { drawnAt: row.drawn_at, drawnBy: row.drawn_by } });
}

/** Recomputes a stored draw from its stored input: `identical`, or every difference named. */
export async function verifyDraw(db: Kysely<Database>, planId: string) {
  const { row, input, output } = await storedDraw(db, planId);
  const again = computeDraw(input);
  const differences: string[] = [];
  if (input.seed !== row.seed) differences.push(`seed: record ${row.seed}, input ${input.seed}`);
  const key = (i: { enterpriseId: string; categoryCode: string }) => `${i.categoryCode}/${i.enterpriseId}`;
  const was = new Map(output.items.map((i) => [key(i), i]));
  const now = new Map(again.items.map((i) => [key(i), i]));
  for (const [k, i] of was) {
    const j = now.get(k);
    if (!j) differences.push(`drawn in the record, not on recomputing: ${k}`);
    else if (i.inspectors.join(',') !== j.inspectors.join(','))
      differences.push(
        `inspectors of ${k}: record ${i.inspectors.join(',')}, recomputed ${j.inspectors.join(',')}`,
      );
  }
  for (const k of now.keys())
    if (!was.has(k)) differences.push(`drawn on recomputing, not in the record: ${k}`);
  const ex = (e: { enterpriseId: string; categoryCode: string; reason: string }) => `${key(e)}:${e.reason}`;
  const exWas = new Set(output.excluded.map(ex));
  const exNow = new Set(again.excluded.map(ex));
  for (const e of exWas) if (!exNow.has(e)) differences.push(`excluded in the record only: ${e}`);
  for (const e of exNow) if (!exWas.has(e)) differences.push(`excluded on recomputing only: ${e}`);
  if (JSON.stringify(output.strata) !== JSON.stringify(again.strata))
    differences.push(
      `strata: record ${JSON.stringify(output.strata)}, recomputed ${JSON.stringify(again.strata)}`,
    );
  // The tasks written must be the draw's items.
  const tasks = await db
    .selectFrom('sampling_tasks')
    .select(['enterprise_id', 'category_code', 'inspectors'])
    .where('draw_id', '=', row.id)
    .execute();
  const taskKeys = new Set(tasks.map((t) => `${t.category_code}/${t.enterprise_id}`));
  for (const k of was.keys()) if (!taskKeys.has(k)) differences.push(`no task for drawn ${k}`);
  for (const k of taskKeys) if (!was.has(k)) differences.push(`task not in the draw: ${k}`);
  for (const t of tasks) {
    const drawn = was.get(`${t.category_code}/${t.enterprise_id}`);
    const assigned = JSON.parse(t.inspectors) as string[];
    if (drawn && assigned.join(',') !== drawn.inspectors.join(','))
      differences.push(
        `inspectors of the task ${t.category_code}/${t.enterprise_id}: drawn ${drawn.inspectors.join(',')}, assigned ${assigned.join(',')}`,
      );
  }
  return { identical: differences.length === 0, differences };
}
