// Rule sets in the database: the shipped default is loaded as published version 1; administrators
// add drafts, validate them, run them in the sandbox and publish. Published sets never change.
import type { Kysely } from 'kysely';
import { AppError, notFound } from '../../core/errors.js';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import type { Actor, AppContext } from '../../platform/context.js';
import { loadRuleSet, type RuleSet, ruleSetInForce, validateRuleSet } from './rules.js';

export type RuleSetMeta = {
  id: string;
  version: number;
  status: 'draft' | 'published';
  effectiveFrom: string;
  name: { zh: string; en: string };
  createdAt: string;
  createdBy: string;
  publishedAt: string | null;
};

type Row = Database['credit_rule_sets'];

const toMeta = (r: Row, body: RuleSet): RuleSetMeta => ({
  id: r.id,
  version: r.version,
  status: r.status as RuleSetMeta['status'],
  effectiveFrom: r.effective_from,
  name: body.name,
  createdAt: r.created_at,
  createdBy: r.created_by,
  publishedAt: r.published_at,
});

/** Inserts the shipped default rule set as published, once. */
export async function ensureDefaultRuleSet(ctx: AppContext) {
  const body = loadRuleSet();
  const now = ctx.clock.now().toISOString();
  await ctx.db
    .insertInto('credit_rule_sets')
    .values({
      id: body.id,
      version: body.version,
      status: 'published',
      effective_from: body.effectiveFrom,
      body: json.write(body),
      created_at: now,
      created_by: 'system',
      updated_at: now,
      published_at: now,
      published_by: 'system',
    })
    .onConflict((oc) => oc.columns(['id', 'version']).doNothing())
    .execute();
}

// Published sets change only by publication, which clears this process's cache; another process's
// publication is seen within SIGNATURE_TTL_MS (a set can only take force from today on, so the
// lag can only delay a set's first second). The cache is keyed by the database handle: callers
// inside a transaction pass the pool's handle as `cacheKey`.
const SIGNATURE_TTL_MS = 1000;
const cache = new WeakMap<object, { signature: string; checkedAt: number; sets: RuleSet[] }>();

export async function publishedRuleSets(db: Kysely<Database>, cacheKey: object = db): Promise<RuleSet[]> {
  const hit = cache.get(cacheKey);
  if (hit && performance.now() - hit.checkedAt < SIGNATURE_TTL_MS) return hit.sets;
  const sig = await db
    .selectFrom('credit_rule_sets')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('published_at').as('last')])
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  const signature = `${sig.n}:${sig.last ?? ''}`;
  if (hit && hit.signature === signature) {
    hit.checkedAt = performance.now();
    return hit.sets;
  }
  const rows = await db
    .selectFrom('credit_rule_sets')
    .select('body')
    .where('status', '=', 'published')
    .execute();
  const sets = rows.map((r) => json.read(r.body, {}) as RuleSet);
  cache.set(cacheKey, { signature, checkedAt: performance.now(), sets });
  return sets;
}

/** The published set in force on a date; the bureau always has one from the default's date on. */
export async function ruleSetOn(db: Kysely<Database>, date: string, cacheKey: object = db): Promise<RuleSet> {
  const sets = await publishedRuleSets(db, cacheKey);
  const found =
    ruleSetInForce(sets, date) ?? [...sets].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))[0];
  if (!found) throw new Error('No published credit rule set: run `npx zhihui migrate`');
  return found;
}

/**
 * Where a version stands on `today`: a draft; the published set in force; a published set that will
 * take force on its (future) effective date; or a published set another has superseded.
 */
export type RuleSetStanding = 'draft' | 'inForce' | 'scheduled' | 'superseded';

function standingOf(
  meta: Pick<RuleSetMeta, 'status' | 'effectiveFrom'>,
  inForce: boolean,
  today: string,
): RuleSetStanding {
  if (meta.status === 'draft') return 'draft';
  if (inForce) return 'inForce';
  return meta.effectiveFrom > today ? 'scheduled' : 'superseded';
}

/** The standing of one version on `today` (the editor's label), from the cached published sets. */
export async function ruleSetStanding(ctx: AppContext, meta: RuleSetMeta, today: string) {
  const inForceSet = ruleSetInForce(await publishedRuleSets(ctx.db), today);
  const inForce =
    meta.status === 'published' &&
    inForceSet !== null &&
    inForceSet.id === meta.id &&
    inForceSet.version === meta.version;
  return { inForce, standing: standingOf(meta, inForce, today) };
}

export async function listRuleSets(ctx: AppContext, today: string) {
  const rows = await ctx.db
    .selectFrom('credit_rule_sets')
    .selectAll()
    .orderBy('id')
    .orderBy('version', 'desc')
    .execute();
  const bodies = rows.map((r) => json.read(r.body, {}) as RuleSet);
  const inForce = ruleSetInForce(
    bodies.filter((_, i) => rows[i]!.status === 'published'),
    today,
  );
  return rows.map((r, i) => {
    const meta = toMeta(r, bodies[i]!);
    const isInForce = inForce !== null && inForce.id === r.id && inForce.version === r.version;
    return { ...meta, inForce: isInForce, standing: standingOf(meta, isInForce, today) };
  });
}

async function ruleSetRow(db: Kysely<Database>, id: string, version: number) {
  const row = await db
    .selectFrom('credit_rule_sets')
    .selectAll()
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw notFound({ zh: '规则集', en: 'Rule set' });
  return row;
}

export async function getRuleSet(ctx: AppContext, id: string, version: number) {
  const row = await ruleSetRow(ctx.db, id, version);
  const body = json.read(row.body, {}) as RuleSet;
  return { meta: toMeta(row, body), body };
}

function invalid(errors: { path: string; message: { zh: string; en: string } }[]) {
  return new AppError('VALIDATION_FAILED', {
    message: { zh: '规则集未通过校验', en: 'The rule set failed validation' },
    fields: errors.map((e) => ({ field: e.path || '/', code: 'RULE_SET_INVALID', message: e.message })),
  });
}

/** A new draft of `body.id`, numbered after every existing version of it. */
export async function createDraft(ctx: AppContext, actor: Actor, raw: unknown) {
  return ctx.db.transaction().execute(async (trx) => {
    const probe = raw as { id?: unknown };
    const id = typeof probe?.id === 'string' ? probe.id : '';
    const max = await trx
      .selectFrom('credit_rule_sets')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('id', '=', id)
      .executeTakeFirst();
    const version = Number(max?.v ?? 0) + 1;
    const result = validateRuleSet({ ...(raw as object), version });
    if (!result.ok) throw invalid(result.errors);
    const now = ctx.clock.now().toISOString();
    const row = {
      id: result.value.id,
      version,
      status: 'draft',
      effective_from: result.value.effectiveFrom,
      body: json.write(result.value),
      created_at: now,
      created_by: actor.label,
      updated_at: now,
      published_at: null,
      published_by: null,
    };
    await trx.insertInto('credit_rule_sets').values(row).execute();
    await writeAudit(trx, {
      actor,
      action: 'creditRuleSet.createDraft',
      resourceType: 'creditRuleSet',
      resourceId: `${row.id}@${version}`,
      after: { id: row.id, version, effectiveFrom: row.effective_from },
      at: ctx.clock.now(),
    });
    return toMeta(row, result.value);
  });
}

export async function updateDraft(ctx: AppContext, actor: Actor, id: string, version: number, raw: unknown) {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await ruleSetRow(trx, id, version);
    if (row.status !== 'draft')
      throw new AppError('INVALID_STATE', {
        message: {
          zh: '已发布的规则集不能修改, 请新建草稿',
          en: 'A published rule set cannot change; start a new draft',
        },
      });
    const result = validateRuleSet({ ...(raw as object), id, version });
    if (!result.ok) throw invalid(result.errors);
    const now = ctx.clock.now().toISOString();
    await trx
      .updateTable('credit_rule_sets')
      .set({ body: json.write(result.value), effective_from: result.value.effectiveFrom, updated_at: now })
      .where('id', '=', id)
      .where('version', '=', version)
      .execute();
    await writeAudit(trx, {
      actor,
      action: 'creditRuleSet.updateDraft',
      resourceType: 'creditRuleSet',
      resourceId: `${id}@${version}`,
      before: json.read(row.body, {}),
      after: result.value,
      at: ctx.clock.now(),
    });
    return toMeta({ ...row, effective_from: result.value.effectiveFrom, updated_at: now }, result.value);
  });
}

/** Publishing fixes the draft; a set effective today or earlier changes grades from today on. */
export async function publishRuleSet(
  ctx: AppContext,
  actor: Actor,
  id: string,
  version: number,
  today: string,
) {
  const meta = await ctx.db.transaction().execute(async (trx) => {
    const row = await ruleSetRow(trx, id, version);
    if (row.status !== 'draft')
      throw new AppError('INVALID_STATE', { message: { zh: '该规则集已发布', en: 'Already published' } });
    // A draft saved before a rule tightened (bounded validity, effective years) is checked again.
    const check = validateRuleSet(json.read(row.body, {}));
    if (!check.ok) throw invalid(check.errors);
    // Records keep the rule set that scored them, so a set may not take force in the past.
    if (row.effective_from < today)
      throw new AppError('VALIDATION_FAILED', {
        fields: [
          {
            field: 'effectiveFrom',
            code: 'IN_THE_PAST',
            message: {
              zh: `生效日期 ${row.effective_from} 早于今天, 发布的规则集只能今天或以后生效`,
              en: `effectiveFrom ${row.effective_from} is in the past; a rule set can only take force today or later`,
            },
          },
        ],
      });
    const now = ctx.clock.now().toISOString();
    await trx
      .updateTable('credit_rule_sets')
      .set({ status: 'published', published_at: now, published_by: actor.label, updated_at: now })
      .where('id', '=', id)
      .where('version', '=', version)
      .execute();
    await writeAudit(trx, {
      actor,
      action: 'creditRuleSet.publish',
      resourceType: 'creditRuleSet',
      resourceId: `${id}@${version}`,
      after: { effectiveFrom: row.effective_from },
      at: ctx.clock.now(),
    });
    const body = json.read(row.body, {}) as RuleSet;
    return toMeta({ ...row, status: 'published', published_at: now }, body);
  });
  cache.delete(ctx.db);
  return meta;
}
