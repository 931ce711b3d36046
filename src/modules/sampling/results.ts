// Lab results (检验结果): the plan category's lab enters a measured value and a verdict for every
// check item; the sample fails when any item fails, with the class of its worst failed item as the
// severity. A pass emits sampling.sample.passed; a failure emits sampling.sample.failed (the credit
// engine records it) and opens the post-processing case. The re-test lab enters the disputed items
// on the backup sample: the result is final — when no item fails any more the failure is overturned
// (sampling.sample.overturned: the credit record is reversed); when the worst class changes the
// failure is restated with its new severity.
import type { Kysely } from 'kysely';
import { AppError, type FieldError, notFound } from '../../core/errors.js';
import { isIsoDate } from '../../core/workdays.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import { type AuthUser, can } from '../../platform/auth/policies.js';
import type { Actor, AppContext } from '../../platform/context.js';
import { emitEvents } from '../../platform/events/outbox.js';
import { applyCreditEvents } from '../credit/index.js';
import { actOnCase, caseOf, openCase } from './cases.js';
import { todayOf } from './draw-store.js';
import { type CheckItem, CREDIT_SEVERITY, type ItemClass, worstClass } from './model.js';
import { publishedPlanBody } from './plans.js';

export type ItemResultInput = { key: string; measured: string; verdict: 'pass' | 'fail' };
export type ResultsInput = { reportedOn: string; items: ItemResultInput[] };

const fail = (fields: FieldError[]) =>
  new AppError('VALIDATION_FAILED', {
    fields,
    message: fields.length === 1 ? fields[0]!.message : undefined,
  });

export async function loadSample(db: Kysely<Database>, id: string) {
  const s = await db
    .selectFrom('sampling_samples as s')
    .innerJoin('sampling_tasks as t', 't.id', 's.task_id')
    .innerJoin('sampling_plans as p', 'p.id', 's.plan_id')
    .innerJoin('enterprises as e', 'e.id', 's.enterprise_id')
    .selectAll('s')
    .select([
      't.task_no',
      'p.code as plan_code',
      'p.title as plan_title',
      'e.uscc',
      'e.name as enterprise_name',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
  if (!s) throw notFound({ zh: '样品', en: 'Sample' });
  const body = await publishedPlanBody(db, s.plan_id);
  const checkItems: CheckItem[] = body.categories.find((c) => c.code === s.category_code)?.checkItems ?? [];
  return { ...s, checkItems };
}

function checkItems(items: ItemResultInput[], expected: CheckItem[], field = 'items') {
  const fields: FieldError[] = [];
  const byKey = new Map(expected.map((i) => [i.key, i]));
  const seen = new Set<string>();
  items.forEach((it, i) => {
    if (!byKey.has(it.key))
      fields.push({
        field: `${field}.${i}.key`,
        code: 'UNKNOWN_ITEM',
        message: { zh: `不是本样品应检的项目：${it.key}`, en: `Not a check item of this sample: ${it.key}` },
      });
    if (seen.has(it.key))
      fields.push({
        field: `${field}.${i}.key`,
        code: 'DUPLICATE',
        message: { zh: '检验项目重复', en: 'The item is listed twice' },
      });
    seen.add(it.key);
    if (!it.measured.trim())
      fields.push({
        field: `${field}.${i}.measured`,
        code: 'REQUIRED',
        message: { zh: '请填写实测值或检验结果', en: 'Enter the measured value' },
      });
  });
  for (const e of expected)
    if (!seen.has(e.key))
      fields.push({
        field,
        code: 'MISSING_ITEM',
        message: { zh: `缺少检验项目：${e.item}`, en: `Missing check item: ${e.item}` },
      });
  if (fields.length) throw fail(fields);
  return byKey;
}

function checkReportDate(on: string, sampledOn: string, today: string, field = 'reportedOn') {
  if (!isIsoDate(on))
    throw fail([{ field, code: 'INVALID_DATE', message: { zh: '报告日期无效', en: 'Invalid report date' } }]);
  if (on < sampledOn)
    throw fail([
      {
        field,
        code: 'BEFORE_SAMPLING',
        message: { zh: '报告日期不能早于抽样日期', en: 'The report cannot predate the sampling' },
      },
    ]);
  if (on > today)
    throw fail([
      {
        field,
        code: 'FUTURE_DATE',
        message: { zh: '报告日期不能晚于今天', en: 'The report date cannot be in the future' },
      },
    ]);
}

const labOnly = () =>
  new AppError('FORBIDDEN', {
    message: { zh: '只有承检机构可以录入该样品的检验结果', en: 'Only the sample’s lab enters its results' },
  });

/** The verdict and severity of a set of item results. */
export function sampleVerdict(results: { verdict: 'pass' | 'fail'; itemClass: ItemClass }[]) {
  const failed = results.filter((r) => r.verdict === 'fail').map((r) => r.itemClass);
  return failed.length === 0
    ? { verdict: 'pass' as const, severity: null }
    : { verdict: 'fail' as const, severity: worstClass(failed)! };
}

export async function enterResults(
  ctx: AppContext,
  user: AuthUser,
  actor: Actor,
  sampleId: string,
  input: ResultsInput,
) {
  const s = await loadSample(ctx.db, sampleId);
  if (!can(user, 'sampling.result', { enterpriseId: s.lab_enterprise_id })) throw labOnly();
  if (s.state !== 'sentToLab')
    throw new AppError('INVALID_STATE', {
      message: { zh: '该样品的检验结果已录入', en: 'The results of this sample are in already' },
    });
  const byKey = checkItems(input.items, s.checkItems);
  checkReportDate(input.reportedOn, s.sampled_on, todayOf(ctx));
  const results = input.items.map((i) => ({ ...i, itemClass: byKey.get(i.key)!.class }));
  const { verdict, severity } = sampleVerdict(results);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    // The fact first, so the sample row can name it (failed_event_id) in the one update that also
    // guards against a concurrent entry; a conflict rolls the event back with everything else.
    const [eventId] = await emitEvents(
      trx,
      [
        verdict === 'pass'
          ? {
              type: 'sampling.sample.passed',
              occurredAt: input.reportedOn,
              enterpriseId: s.enterprise_id,
              aggregateId: sampleId,
              payload: {
                enterpriseId: s.enterprise_id,
                uscc: s.uscc,
                sampleNo: s.sample_no,
                productCategory: s.category_code,
              },
            }
          : {
              type: 'sampling.sample.failed',
              occurredAt: input.reportedOn,
              enterpriseId: s.enterprise_id,
              aggregateId: sampleId,
              payload: {
                enterpriseId: s.enterprise_id,
                uscc: s.uscc,
                severity: CREDIT_SEVERITY[severity!],
                sampleNo: s.sample_no,
                productCategory: s.category_code,
              },
            },
      ],
      now,
    );
    const moved = await trx
      .updateTable('sampling_samples')
      .set({
        state: verdict === 'pass' ? 'final' : 'reported',
        verdict,
        severity,
        reported_on: input.reportedOn,
        failed_event_id: verdict === 'fail' ? eventId! : null,
        updated_at: now.toISOString(),
      })
      .where('id', '=', sampleId)
      .where('state', '=', 'sentToLab')
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new AppError('CONFLICT');
    await trx
      .insertInto('sampling_results')
      .values(
        results.map((r) => ({
          sample_id: sampleId,
          item_key: r.key,
          round: 'original',
          measured: r.measured.trim(),
          verdict: r.verdict,
          item_class: r.itemClass,
          lab_enterprise_id: s.lab_enterprise_id,
          entered_at: now.toISOString(),
          entered_by: actor.id ?? actor.label,
        })),
      )
      .execute();
    await trx
      .updateTable('sampling_tasks')
      .set({ state: 'tested', updated_at: now.toISOString() })
      .where('id', '=', s.task_id)
      .execute();
    await writeAudit(trx, {
      actor,
      action: 'sampling.results.enter',
      resourceType: 'samplingSample',
      resourceId: sampleId,
      enterpriseId: s.enterprise_id,
      before: { state: 'sentToLab' },
      after: {
        verdict,
        severity,
        reportedOn: input.reportedOn,
        failed: results.filter((r) => r.verdict === 'fail').map((r) => r.key),
      },
      at: now,
    });
    // The credit record and the new grade commit with the result (visible at once, not at the next tick).
    await applyCreditEvents(trx, ctx, [eventId!]);
    if (verdict === 'fail') {
      await openCase(
        trx,
        ctx,
        {
          id: sampleId,
          sampleNo: s.sample_no,
          enterpriseId: s.enterprise_id,
          uscc: s.uscc,
          townCode: s.town_code,
          failedOn: input.reportedOn,
          failedItems: results.filter((r) => r.verdict === 'fail').map((r) => r.key),
        },
        { ...actor, kind: 'lab' },
      );
    }
  });
  return { verdict, severity };
}

/** The re-test lab's results for the disputed items; final. */
export async function enterRetestResults(
  ctx: AppContext,
  user: AuthUser,
  actor: Actor,
  sampleId: string,
  input: ResultsInput,
) {
  const s = await loadSample(ctx.db, sampleId);
  const caseRow = await ctx.db
    .selectFrom('sampling_cases')
    .selectAll()
    .where('sample_id', '=', sampleId)
    .executeTakeFirst();
  const kase = caseRow ? caseOf(caseRow) : null;
  if (!kase || kase.state !== 'retesting' || !kase.retest || !kase.objection)
    throw new AppError('INVALID_STATE', {
      message: { zh: '该样品没有待录入的复检', en: 'No re-test of this sample is awaiting results' },
    });
  if (!can(user, 'sampling.result', { enterpriseId: kase.retest.labEnterpriseId }))
    throw new AppError('FORBIDDEN', {
      message: {
        zh: '只有指定的复检机构可以录入复检结果',
        en: 'Only the assigned re-test lab enters the re-test',
      },
    });
  const disputed = s.checkItems.filter((i) => kase.objection!.items.includes(i.key));
  const byKey = checkItems(input.items, disputed);
  checkReportDate(input.reportedOn, kase.retest.assignedOn, todayOf(ctx));
  const original = await ctx.db
    .selectFrom('sampling_results')
    .select(['item_key', 'verdict', 'item_class'])
    .where('sample_id', '=', sampleId)
    .where('round', '=', 'original')
    .execute();
  const retest = new Map(input.items.map((i) => [i.key, i.verdict]));
  const finalResults = original.map((r) => ({
    verdict: (retest.get(r.item_key) ?? r.verdict) as 'pass' | 'fail',
    itemClass: r.item_class as ItemClass,
  }));
  const { verdict, severity } = sampleVerdict(finalResults);
  const upheld = verdict === 'fail';
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sampling_results')
      .values(
        input.items.map((r) => ({
          sample_id: sampleId,
          item_key: r.key,
          round: 'retest',
          measured: r.measured.trim(),
          verdict: r.verdict,
          item_class: byKey.get(r.key)!.class,
          lab_enterprise_id: kase.retest!.labEnterpriseId,
          entered_at: now.toISOString(),
          entered_by: actor.id ?? actor.label,
        })),
      )
      .execute();
    const events: Parameters<typeof emitEvents>[1] = [];
    let failedEventId = s.failed_event_id;
    if (upheld && severity !== s.severity && s.failed_event_id) {
      // The failure stands with another worst class: restate it (reverse, then record anew).
      events.push({
        type: 'sampling.sample.overturned',
        occurredAt: input.reportedOn,
        enterpriseId: s.enterprise_id,
        aggregateId: sampleId,
        payload: {
          enterpriseId: s.enterprise_id,
          uscc: s.uscc,
          sampleNo: s.sample_no,
          failedEventId: s.failed_event_id,
        },
      });
      events.push({
        type: 'sampling.sample.failed',
        occurredAt: s.reported_on ?? input.reportedOn,
        enterpriseId: s.enterprise_id,
        aggregateId: sampleId,
        payload: {
          enterpriseId: s.enterprise_id,
          uscc: s.uscc,
          severity: CREDIT_SEVERITY[severity!],
          sampleNo: s.sample_no,
          productCategory: s.category_code,
        },
      });
    }
    if (events.length) {
      const ids = await emitEvents(trx, events, now);
      failedEventId = ids[1] ?? failedEventId;
    }
    await trx
      .updateTable('sampling_samples')
      .set({
        verdict,
        severity,
        state: 'final',
        failed_event_id: upheld ? failedEventId : s.failed_event_id,
        updated_at: now.toISOString(),
      })
      .where('id', '=', sampleId)
      .execute();
    await writeAudit(trx, {
      actor,
      action: 'sampling.results.retest',
      resourceType: 'samplingSample',
      resourceId: sampleId,
      enterpriseId: s.enterprise_id,
      before: { verdict: s.verdict, severity: s.severity },
      after: { verdict, severity, upheld, items: input.items.map((i) => `${i.key}:${i.verdict}`) },
      at: now,
    });
    // The case emits sampling.sample.overturned itself when the re-test overturns the failure.
    await actOnCase(
      ctx,
      kase.id,
      { type: 'retestResult', upheld, on: input.reportedOn },
      { ...actor, kind: 'lab' },
      { trx },
    );
    await applySampleEvents(trx, ctx, sampleId);
  });
  return { verdict, severity, upheld };
}

/** Hands the sample's events emitted in `trx` (restated failure, overturn) to the credit engine at once. */
async function applySampleEvents(trx: Kysely<Database>, ctx: AppContext, sampleId: string) {
  const s = await trx
    .selectFrom('sampling_samples')
    .select(['enterprise_id', 'sample_no'])
    .where('id', '=', sampleId)
    .executeTakeFirstOrThrow();
  const pending = await trx
    .selectFrom('outbox_events as e')
    .select(['e.id', 'e.payload'])
    .where('e.enterprise_id', '=', s.enterprise_id)
    .where('e.type', 'in', ['sampling.sample.failed', 'sampling.sample.overturned'])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(selectFrom('event_deliveries as d').select('d.event_id').whereRef('d.event_id', '=', 'e.id')),
      ),
    )
    .execute();
  const mine = pending
    .filter((e) => (JSON.parse(e.payload) as { sampleNo?: string }).sampleNo === s.sample_no)
    .map((e) => e.id);
  if (mine.length) await applyCreditEvents(trx, ctx, mine);
}

export async function attachReport(ctx: AppContext, user: AuthUser, sampleId: string) {
  const s = await loadSample(ctx.db, sampleId);
  const caseRow = await ctx.db
    .selectFrom('sampling_cases')
    .select('body')
    .where('sample_id', '=', sampleId)
    .executeTakeFirst();
  const retestLab = caseRow ? caseOf(caseRow).retest?.labEnterpriseId : undefined;
  if (can(user, 'sampling.result', { enterpriseId: s.lab_enterprise_id }))
    return { sample: s, kind: 'report' as const };
  if (retestLab && can(user, 'sampling.result', { enterpriseId: retestLab }))
    return { sample: s, kind: 'retestReport' as const };
  throw labOnly();
}
