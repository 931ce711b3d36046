// Sampling plans (抽查计划): annual and special plans with their categories, check items, sample
// sizes and labs. A plan is a draft until published; a published plan is never edited — an
// amendment is a new draft version that supersedes it when published. Every write is one
// transaction with its audit row.
import type { Kysely, Selectable } from 'kysely';
import { AppError, type FieldError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database, SamplingPlanTable } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import type { Actor, AppContext } from '../../platform/context.js';
import {
  ITEM_CLASSES,
  PLAN_KINDS,
  PLAN_LEVELS,
  type PlanBody,
  type PlanKind,
  type PlanLevel,
  type PlanState,
} from './model.js';
import { categoryNames, labs, townNames } from './refs.js';

export type PlanInput = {
  code: string;
  year: number;
  title: string;
  kind: PlanKind;
  level: PlanLevel;
  body: PlanBody;
};
export type PlanEdit = Omit<PlanInput, 'code' | 'year'> & { year?: number };

export type Plan = {
  id: string;
  code: string;
  version: number;
  supersedesId: string | null;
  year: number;
  title: string;
  kind: PlanKind;
  level: PlanLevel;
  state: PlanState;
  body: PlanBody;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
};

export const planOf = (r: Selectable<SamplingPlanTable>): Plan => ({
  id: r.id,
  code: r.code,
  version: r.version,
  supersedesId: r.supersedes_id,
  year: r.year,
  title: r.title,
  kind: r.kind as PlanKind,
  level: r.level as PlanLevel,
  state: r.state as PlanState,
  body: JSON.parse(r.body) as PlanBody,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  publishedAt: r.published_at,
});

const err = (field: string, code: string, zh: string, en: string): FieldError => ({
  field,
  code,
  message: { zh, en },
});
const failed = (fields: FieldError[]) =>
  new AppError('VALIDATION_FAILED', {
    fields,
    message: fields.length === 1 ? fields[0]!.message : undefined,
  });

/**
 * Checks a plan against the catalogue, the towns and the labs. A draft may be incomplete (no
 * categories yet); `forPublication` also asks for what a draw and a lab need.
 */
export async function validatePlan(
  db: Kysely<Database>,
  input: PlanEdit & { code?: string },
  forPublication: boolean,
) {
  const fields: FieldError[] = [];
  if (input.code !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]{2,39}$/.test(input.code))
    fields.push(
      err(
        'code',
        'INVALID_CODE',
        '计划编号须为3–40位字母、数字或连字符',
        'The code is 3–40 letters, digits or hyphens',
      ),
    );
  if (input.year !== undefined && (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2100))
    fields.push(
      err('year', 'INVALID_YEAR', '年度须在2000–2100之间', 'The year must be between 2000 and 2100'),
    );
  if (!input.title.trim()) fields.push(err('title', 'REQUIRED', '请填写计划名称', 'The title is required'));
  if (!PLAN_KINDS.includes(input.kind))
    fields.push(err('kind', 'INVALID_KIND', '抽查类型无效', 'Unknown plan kind'));
  if (!PLAN_LEVELS.includes(input.level))
    fields.push(err('level', 'INVALID_LEVEL', '计划层级无效', 'Unknown plan level'));
  const b = input.body;
  if (forPublication && !b.legalBasis.trim())
    fields.push(err('body.legalBasis', 'REQUIRED', '请填写抽查依据', 'The legal basis is required'));
  const towns = await townNames(db);
  b.towns.forEach((t, i) => {
    if (!towns.has(t))
      fields.push(err(`body.towns.${i}`, 'UNKNOWN_TOWN', `未知的镇街：${t}`, `Unknown town: ${t}`));
  });
  if (new Set(b.towns).size !== b.towns.length)
    fields.push(err('body.towns', 'DUPLICATE', '镇街重复', 'A town is listed twice'));
  for (const [t, n] of Object.entries(b.townQuotas)) {
    if (!towns.has(t))
      fields.push(err(`body.townQuotas.${t}`, 'UNKNOWN_TOWN', `未知的镇街：${t}`, `Unknown town: ${t}`));
    else if (b.towns.length > 0 && !b.towns.includes(t))
      fields.push(
        err(
          `body.townQuotas.${t}`,
          'TOWN_NOT_IN_PLAN',
          '配额所在镇街不在计划范围内',
          'The quota names a town outside the plan',
        ),
      );
    if (!Number.isInteger(n) || n < 0)
      fields.push(
        err(`body.townQuotas.${t}`, 'INVALID_QUOTA', '配额须为非负整数', 'A quota is a whole number ≥ 0'),
      );
  }
  const cats = await categoryNames(
    db,
    b.categories.map((c) => c.code),
  );
  const labIds = new Set(
    (await labs(db, b.categories.map((c) => c.labEnterpriseId).filter(Boolean))).map((l) => l.id),
  );
  if (forPublication && b.categories.length === 0)
    fields.push(
      err('body.categories', 'REQUIRED', '请至少添加一个产品类别', 'Add at least one product category'),
    );
  const seen = new Set<string>();
  b.categories.forEach((c, i) => {
    const at = `body.categories.${i}`;
    const cat = cats.get(c.code);
    if (!cat)
      fields.push(
        err(
          `${at}.code`,
          'UNKNOWN_CATEGORY',
          `产品类别不存在：${c.code}`,
          `Unknown product category ${c.code}`,
        ),
      );
    else if (!cat.active)
      fields.push(
        err(
          `${at}.code`,
          'INACTIVE_CATEGORY',
          `产品类别已停用：${cat.name}`,
          `Product category ${c.code} is retired`,
        ),
      );
    if (seen.has(c.code))
      fields.push(err(`${at}.code`, 'DUPLICATE', '产品类别重复', 'The category is listed twice'));
    seen.add(c.code);
    if (c.labEnterpriseId && !labIds.has(c.labEnterpriseId))
      fields.push(
        err(
          `${at}.labEnterpriseId`,
          'NOT_A_LAB',
          '承检机构须为具有检验检测资质的机构',
          'The lab must be an enterprise with a lab profile',
        ),
      );
    if (forPublication && !c.labEnterpriseId)
      fields.push(err(`${at}.labEnterpriseId`, 'REQUIRED', '请选择承检机构', 'Choose the testing lab'));
    if (forPublication && c.checkItems.length === 0)
      fields.push(
        err(`${at}.checkItems`, 'REQUIRED', '请至少添加一个检验项目', 'Add at least one check item'),
      );
    if (c.testUnits < 1)
      fields.push(err(`${at}.testUnits`, 'INVALID_UNITS', '检验样品数至少为1', 'At least one test unit'));
    const keys = new Set<string>();
    c.checkItems.forEach((item, j) => {
      const it = `${at}.checkItems.${j}`;
      if (keys.has(item.key))
        fields.push(err(`${it}.key`, 'DUPLICATE', '检验项目编号重复', 'The item key is used twice'));
      keys.add(item.key);
      if (!item.item.trim())
        fields.push(err(`${it}.item`, 'REQUIRED', '请填写检验项目', 'The item is required'));
      if (!item.standardCode.trim())
        fields.push(err(`${it}.standardCode`, 'REQUIRED', '请填写依据标准', 'The standard is required'));
      if (!ITEM_CLASSES.includes(item.class))
        fields.push(err(`${it}.class`, 'INVALID_CLASS', '项目分类无效', 'Unknown item class'));
    });
  });
  if (fields.length) throw failed(fields);
}

/** Two requests racing for one code (or one amendment) meet at the unique (code, version) index. */
const isUniqueViolation = (e: unknown) => {
  const x = e as { code?: string; message?: string } | null;
  return (
    x?.code === '23505' ||
    x?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/i.test(x?.message ?? '')
  );
};

async function load(db: Kysely<Database>, id: string) {
  const row = await db.selectFrom('sampling_plans').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound({ zh: '抽查计划', en: 'Sampling plan' });
  return row;
}

export const getPlan = async (db: Kysely<Database>, id: string) => planOf(await load(db, id));

/**
 * The body of a plan that has samples — published, and so never edited again (an amendment is a
 * new plan) — read once per database handle and kept: every result entered needs the sample's
 * check items, and at city scale reading and parsing the plan each time was a tenth of the work.
 */
const bodies = new WeakMap<Kysely<Database>, Map<string, PlanBody>>();
const BODIES_KEPT = 64;

export async function publishedPlanBody(db: Kysely<Database>, planId: string): Promise<PlanBody> {
  const kept = bodies.get(db) ?? new Map<string, PlanBody>();
  bodies.set(db, kept);
  const hit = kept.get(planId);
  if (hit) return hit;
  const row = await db
    .selectFrom('sampling_plans')
    .select(['body', 'state'])
    .where('id', '=', planId)
    .executeTakeFirst();
  if (!row) throw notFound({ zh: '抽查计划', en: 'Sampling plan' });
  const body = JSON.parse(row.body) as PlanBody;
  if (row.state !== 'draft') {
    if (kept.size >= BODIES_KEPT) kept.delete(kept.keys().next().value!);
    kept.set(planId, body);
  }
  return body;
}

const notDraft = () =>
  new AppError('INVALID_STATE', {
    message: {
      zh: '已发布的计划不能修改，请通过“修订”生成新版本',
      en: 'A published plan is never edited; amend it to make a new version',
    },
  });

export async function createPlan(ctx: AppContext, actor: Actor, input: PlanInput) {
  await validatePlan(ctx.db, input, false);
  const now = ctx.clock.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom('sampling_plans')
      .select('id')
      .where('code', '=', input.code)
      .executeTakeFirst();
    const codeTaken = () =>
      new AppError('ALREADY_EXISTS', {
        fields: [
          {
            field: 'code',
            code: 'CODE_TAKEN',
            message: { zh: `计划编号已存在：${input.code}`, en: `The plan code ${input.code} is taken` },
          },
        ],
      });
    if (taken) throw codeTaken();
    const row = {
      id: newId(),
      code: input.code,
      version: 1,
      supersedes_id: null,
      year: input.year,
      title: input.title.trim(),
      kind: input.kind,
      level: input.level,
      state: 'draft',
      body: JSON.stringify(input.body),
      created_at: now,
      created_by: actor.id ?? actor.label,
      updated_at: now,
      published_at: null,
      published_by: null,
    };
    await trx
      .insertInto('sampling_plans')
      .values(row)
      .execute()
      .catch((e: unknown) => {
        throw isUniqueViolation(e) ? codeTaken() : e;
      });
    await writeAudit(trx, {
      actor,
      action: 'sampling.plan.create',
      resourceType: 'samplingPlan',
      resourceId: row.id,
      after: { code: row.code, year: row.year, title: row.title, kind: row.kind, level: row.level },
      at: ctx.clock.now(),
    });
    return planOf(row);
  });
}

export async function updatePlan(ctx: AppContext, actor: Actor, id: string, input: PlanEdit) {
  const before = await load(ctx.db, id);
  if (before.state !== 'draft') throw notDraft();
  await validatePlan(ctx.db, input, false);
  const now = ctx.clock.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable('sampling_plans')
      .set({
        title: input.title.trim(),
        kind: input.kind,
        level: input.level,
        year: input.year ?? before.year,
        body: JSON.stringify(input.body),
        updated_at: now,
      })
      .where('id', '=', id)
      .where('state', '=', 'draft')
      .where('updated_at', '=', before.updated_at)
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) !== 1) throw new AppError('CONFLICT');
    await writeAudit(trx, {
      actor,
      action: 'sampling.plan.update',
      resourceType: 'samplingPlan',
      resourceId: id,
      before: { title: before.title, kind: before.kind, level: before.level, body: JSON.parse(before.body) },
      after: { title: input.title, kind: input.kind, level: input.level, body: input.body },
      at: ctx.clock.now(),
    });
    return planOf(await load(trx, id));
  });
}

export async function publishPlan(ctx: AppContext, actor: Actor, id: string) {
  const plan = await load(ctx.db, id);
  if (plan.state !== 'draft')
    throw new AppError('INVALID_STATE', {
      message: { zh: '该计划已发布', en: 'The plan is already published' },
    });
  const p = planOf(plan);
  await validatePlan(ctx.db, p, true);
  const now = ctx.clock.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable('sampling_plans')
      .set({ state: 'published', published_at: now, published_by: actor.id ?? actor.label, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'draft')
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) !== 1) throw new AppError('CONFLICT');
    if (plan.supersedes_id)
      await trx
        .updateTable('sampling_plans')
        .set({ state: 'superseded', updated_at: now })
        .where('id', '=', plan.supersedes_id)
        .execute();
    await writeAudit(trx, {
      actor,
      action: 'sampling.plan.publish',
      resourceType: 'samplingPlan',
      resourceId: id,
      before: { state: 'draft' },
      after: { state: 'published', supersedes: plan.supersedes_id },
      at: ctx.clock.now(),
    });
    return planOf(await load(trx, id));
  });
}

/** A new draft version of a published plan; the published one stays in force until it is published. */
export async function amendPlan(ctx: AppContext, actor: Actor, id: string, amendmentNote: string) {
  const plan = await load(ctx.db, id);
  if (plan.state !== 'published')
    throw new AppError('INVALID_STATE', {
      message: { zh: '只能修订已发布且现行的计划', en: 'Only the published version in force can be amended' },
    });
  if (!amendmentNote.trim())
    throw failed([err('amendmentNote', 'REQUIRED', '请说明修订原因', 'Say why the plan is amended')]);
  const now = ctx.clock.now().toISOString();
  return ctx.db.transaction().execute(async (trx) => {
    const pending = await trx
      .selectFrom('sampling_plans')
      .select('id')
      .where('supersedes_id', '=', id)
      .where('state', '=', 'draft')
      .executeTakeFirst();
    const pendingAmendment = () =>
      new AppError('ALREADY_EXISTS', {
        message: { zh: '该计划已有待发布的修订稿', en: 'An amendment of this plan is already in draft' },
      });
    if (pending) throw pendingAmendment();
    const body = { ...(JSON.parse(plan.body) as PlanBody), amendmentNote: amendmentNote.trim() };
    const row = {
      ...plan,
      id: newId(),
      version: plan.version + 1,
      supersedes_id: plan.id,
      state: 'draft',
      body: JSON.stringify(body),
      created_at: now,
      created_by: actor.id ?? actor.label,
      updated_at: now,
      published_at: null,
      published_by: null,
    };
    await trx
      .insertInto('sampling_plans')
      .values(row)
      .execute()
      .catch((e: unknown) => {
        throw isUniqueViolation(e) ? pendingAmendment() : e;
      });
    await writeAudit(trx, {
      actor,
      action: 'sampling.plan.amend',
      resourceType: 'samplingPlan',
      resourceId: row.id,
      before: { id: plan.id, version: plan.version },
      after: { id: row.id, version: row.version, amendmentNote: body.amendmentNote },
      at: ctx.clock.now(),
    });
    return planOf(row);
  });
}

export async function deleteDraft(ctx: AppContext, actor: Actor, id: string) {
  const plan = await load(ctx.db, id);
  if (plan.state !== 'draft') throw notDraft();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sampling_plans').where('id', '=', id).where('state', '=', 'draft').execute();
    await writeAudit(trx, {
      actor,
      action: 'sampling.plan.delete',
      resourceType: 'samplingPlan',
      resourceId: id,
      before: { code: plan.code, version: plan.version, title: plan.title },
      at: ctx.clock.now(),
    });
  });
}

export async function listPlans(db: Kysely<Database>, filter: { year?: number; state?: PlanState }) {
  let q = db
    .selectFrom('sampling_plans as p')
    .leftJoin('sampling_draws as d', 'd.plan_id', 'p.id')
    .select([
      'p.id',
      'p.code',
      'p.version',
      'p.year',
      'p.title',
      'p.kind',
      'p.level',
      'p.state',
      'p.body',
      'p.published_at',
      'd.id as draw_id',
    ])
    .orderBy('p.year', 'desc')
    .orderBy('p.code')
    .orderBy('p.version', 'desc');
  if (filter.year !== undefined) q = q.where('p.year', '=', filter.year);
  if (filter.state) q = q.where('p.state', '=', filter.state);
  const rows = await q.execute();
  return rows.map((r) => {
    const body = JSON.parse(r.body) as PlanBody;
    return {
      id: r.id,
      code: r.code,
      version: r.version,
      year: r.year,
      title: r.title,
      kind: r.kind as PlanKind,
      level: r.level as PlanLevel,
      state: r.state as PlanState,
      categories: body.categories.length,
      towns: body.towns.length,
      drawn: r.draw_id !== null,
      publishedAt: r.published_at,
    };
  });
}

export async function planVersions(db: Kysely<Database>, code: string) {
  const rows = await db
    .selectFrom('sampling_plans')
    .select(['id', 'version', 'state'])
    .where('code', '=', code)
    .orderBy('version')
    .execute();
  return rows.map((r) => ({ id: r.id, version: r.version, state: r.state as PlanState }));
}
