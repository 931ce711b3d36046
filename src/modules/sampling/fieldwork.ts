// On-site sampling (现场抽样): the inspectors of a task record the sample — product, trademark,
// model, batch, quantities, seals, place, the sampled party's confirmation — or a refusal, which is
// itself a violation (sampling.sample.refused). A sample gets a number unique city-wide and its
// documents reach the plan category's lab (task and sample "sent to lab"). The same product
// (producer, standard, trademark, model) is not sampled by this bureau twice within 6 months,
// except by follow-up and emergency plans.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError, type FieldError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { addMonths, isIsoDate } from '../../core/workdays.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import { type AuthUser, can, scopeOf } from '../../platform/auth/policies.js';
import type { Actor, AppContext } from '../../platform/context.js';
import { emitEvents } from '../../platform/events/outbox.js';
import { applyCreditEvents } from '../credit/index.js';
import { todayOf } from './draw-store.js';
import { type PlanKind, SIX_MONTH_EXEMPT } from './model.js';
import { publishedPlanBody } from './plans.js';

const fieldFail = (
  field: string,
  code: string,
  zh: string,
  en: string,
  status: 'VALIDATION_FAILED' | 'INVALID_STATE' = 'VALIDATION_FAILED',
) => new AppError(status, { fields: [{ field, code, message: { zh, en } }], message: { zh, en } });

export type TaskRow = Awaited<ReturnType<typeof loadTask>>;

export async function loadTask(db: Kysely<Database>, id: string) {
  const t = await db
    .selectFrom('sampling_tasks as t')
    .innerJoin('sampling_plans as p', 'p.id', 't.plan_id')
    .innerJoin('enterprises as e', 'e.id', 't.enterprise_id')
    .select([
      't.id',
      't.task_no',
      't.plan_id',
      't.draw_id',
      't.enterprise_id',
      't.category_code',
      't.town_code',
      't.reason',
      't.inspectors',
      't.state',
      't.refusal',
      't.year',
      't.updated_at',
      'p.code as plan_code',
      'p.title as plan_title',
      'p.kind as plan_kind',
      'p.level as plan_level',
      'e.uscc',
      'e.name as enterprise_name',
      'e.registered_address',
      'e.industry_code',
    ])
    .where('t.id', '=', id)
    .executeTakeFirst();
  if (!t) throw notFound({ zh: '抽样任务', en: 'Sampling task' });
  const body = await publishedPlanBody(db, t.plan_id);
  const category = body.categories.find((c) => c.code === t.category_code);
  return { ...t, inspectorIds: JSON.parse(t.inspectors) as string[], category };
}

/**
 * May `user` see the task? Officials by town, the enterprise its own once sampled or refused (the
 * drawn list is secret until the inspectors arrive), the lab the samples sent to it.
 */
export function canSeeTask(
  user: AuthUser,
  t: { town_code: string; enterprise_id: string; state?: string; labId?: string | null },
) {
  const secret = t.state === 'assigned' && scopeOf(user).kind === 'enterprise';
  if (!secret && can(user, 'sampling.read', { townCode: t.town_code, enterpriseId: t.enterprise_id }))
    return true;
  return !!t.labId && can(user, 'sampling.result', { enterpriseId: t.labId });
}

/** The task's inspectors (and only they) record on site; an official of the town or city must also hold the task. */
export function assertInspector(user: AuthUser, t: TaskRow) {
  if (!can(user, 'sampling.sample', { townCode: t.town_code }) || !t.inspectorIds.includes(user.id))
    throw new AppError('FORBIDDEN', {
      message: {
        zh: '只有该任务的检查人员可以现场抽样',
        en: 'Only the inspectors of this task record its sampling',
      },
    });
}

export type SampleInput = {
  productName: string;
  trademark: string;
  model: string;
  standardCode: string;
  batch: string;
  productionDate: string | null;
  testUnits: number;
  backupUnits: number;
  sealNumbers: string[];
  place: 'factory' | 'market';
  sampledOn: string;
  confirmation: { signer: string; title?: string; confirmed: boolean };
};

const samplePrefix = (year: number) => `DG${year}-CC-`;

/** The next sample number of the year (unique city-wide; the unique index settles a race). */
async function nextSampleNo(trx: Kysely<Database>, year: number) {
  const prefix = samplePrefix(year);
  const last = await trx
    .selectFrom('sampling_samples')
    .select((eb) => eb.fn.max('sample_no').as('n'))
    .where('sample_no', 'like', `${prefix}%`)
    .executeTakeFirst();
  const n = last?.n ? Number(String(last.n).slice(prefix.length)) + 1 : 1;
  return `${prefix}${String(n).padStart(6, '0')}`;
}

function checkSampleInput(input: SampleInput, today: string, t: TaskRow) {
  const fields: FieldError[] = [];
  const f = (field: string, code: string, zh: string, en: string) =>
    fields.push({ field, code, message: { zh, en } });
  for (const k of ['productName', 'trademark', 'model', 'standardCode', 'batch'] as const)
    if (!input[k].trim()) f(k, 'REQUIRED', '此项为必填项', 'This field is required');
  if (!isIsoDate(input.sampledOn)) f('sampledOn', 'INVALID_DATE', '抽样日期无效', 'Invalid sampling date');
  else if (input.sampledOn > today)
    f('sampledOn', 'FUTURE_DATE', '抽样日期不能晚于今天', 'The sampling date cannot be in the future');
  else if (
    Number(input.sampledOn.slice(0, 4)) !== t.year &&
    Number(input.sampledOn.slice(0, 4)) !== t.year + 1
  )
    f(
      'sampledOn',
      'OUTSIDE_PLAN_YEAR',
      '抽样日期不在计划年度内',
      'The sampling date is outside the plan year',
    );
  if (input.productionDate !== null) {
    if (!isIsoDate(input.productionDate))
      f('productionDate', 'INVALID_DATE', '生产日期无效', 'Invalid production date');
    else if (isIsoDate(input.sampledOn) && input.productionDate > input.sampledOn)
      f('productionDate', 'AFTER_SAMPLING', '生产日期不能晚于抽样日期', 'Produced after it was sampled?');
  }
  const need = t.category;
  if (need && input.testUnits < need.testUnits)
    f(
      'testUnits',
      'TOO_FEW_UNITS',
      `检验样品至少 ${need.testUnits} 个`,
      `At least ${need.testUnits} test units`,
    );
  if (need && input.backupUnits < need.backupUnits)
    f(
      'backupUnits',
      'TOO_FEW_UNITS',
      `备用样品至少 ${need.backupUnits} 个`,
      `At least ${need.backupUnits} backup units`,
    );
  if (input.sealNumbers.length === 0 || input.sealNumbers.some((s) => !s.trim()))
    f('sealNumbers', 'REQUIRED', '请填写封条编号', 'Enter the seal numbers');
  if (new Set(input.sealNumbers.map((s) => s.trim())).size !== input.sealNumbers.length)
    f('sealNumbers', 'DUPLICATE', '封条编号重复', 'A seal number is listed twice');
  if (!input.confirmation.confirmed || !input.confirmation.signer.trim())
    f('confirmation', 'NOT_CONFIRMED', '须经被抽样单位确认签字', 'The sampled party must confirm and sign');
  if (fields.length)
    throw new AppError('VALIDATION_FAILED', {
      fields,
      message: fields.length === 1 ? fields[0]!.message : undefined,
    });
}

/** The same product sampled by this bureau within 6 months before `on` (a city-level plan). */
export async function sameProductWithin6Months(
  db: Kysely<Database>,
  p: { enterpriseId: string; standardCode: string; trademark: string; model: string; on: string },
) {
  return db
    .selectFrom('sampling_samples as s')
    .innerJoin('sampling_plans as p', 'p.id', 's.plan_id')
    .select(['s.sample_no', 's.sampled_on'])
    .where('s.enterprise_id', '=', p.enterpriseId)
    .where('s.standard_code', '=', p.standardCode)
    .where('s.trademark', '=', p.trademark)
    .where('s.model', '=', p.model)
    .where('s.sampled_on', '>', addMonths(p.on, -6))
    .where('s.sampled_on', '<=', p.on)
    .where('p.level', '=', 'city')
    .executeTakeFirst();
}

export async function recordSample(
  ctx: AppContext,
  user: AuthUser,
  actor: Actor,
  taskId: string,
  raw: SampleInput,
) {
  // Two samples recorded at the same moment may both take the next number: the unique index
  // refuses the later, which tries again with the number after (its task is then still open).
  for (let attempt = 1; ; attempt++) {
    try {
      return await recordSampleOnce(ctx, user, actor, taskId, raw);
    } catch (e) {
      if (attempt >= 5 || !isUniqueViolation(e)) throw e;
    }
  }
}

function isUniqueViolation(e: unknown) {
  const x = e as { code?: string; message?: string } | null;
  return (
    x?.code === '23505' ||
    x?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/i.test(x?.message ?? '')
  );
}

async function recordSampleOnce(
  ctx: AppContext,
  user: AuthUser,
  actor: Actor,
  taskId: string,
  raw: SampleInput,
) {
  const input: SampleInput = {
    ...raw,
    productName: raw.productName.trim(),
    trademark: raw.trademark.trim(),
    model: raw.model.trim(),
    standardCode: raw.standardCode.trim(),
    batch: raw.batch.trim(),
    sealNumbers: raw.sealNumbers.map((s) => s.trim()),
  };
  const t = await loadTask(ctx.db, taskId);
  assertInspector(user, t);
  if (t.state !== 'assigned')
    throw fieldFail(
      'state',
      'TASK_NOT_OPEN',
      '该任务已完成抽样或已拒检',
      'This task was already sampled or refused',
      'INVALID_STATE',
    );
  checkSampleInput(input, todayOf(ctx), t);
  if (t.plan_level === 'city' && !SIX_MONTH_EXEMPT.includes(t.plan_kind as PlanKind)) {
    const dup = await sameProductWithin6Months(ctx.db, {
      enterpriseId: t.enterprise_id,
      standardCode: input.standardCode,
      trademark: input.trademark,
      model: input.model,
      on: input.sampledOn,
    });
    if (dup)
      throw fieldFail(
        'model',
        'SAMPLED_WITHIN_6_MONTHS',
        `同一产品（同一生产者、标准、商标、型号）已于 ${dup.sampled_on} 被本局抽查（样品 ${dup.sample_no}），6个月内不得重复抽查，请抽取其他产品`,
        `The same product (producer, standard, trademark, model) was sampled by this bureau on ${dup.sampled_on} (${dup.sample_no}); it may not be sampled again within 6 months — sample another product`,
      );
  }
  if (!t.category?.labEnterpriseId)
    throw fieldFail(
      'category',
      'NO_LAB',
      '计划未指定承检机构',
      'The plan names no lab for this category',
      'INVALID_STATE',
    );
  // The task's reason is `why:grade[:reference]`: the grade the draw saw.
  const grade = /^[ABCD]$/.test(t.reason.split(':')[1] ?? '') ? t.reason.split(':')[1]! : null;
  const now = ctx.clock.now();
  const id = newId();
  return ctx.db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('sampling_tasks')
      .set({ state: 'sentToLab', updated_at: now.toISOString() })
      .where('id', '=', taskId)
      .where('state', '=', 'assigned')
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new AppError('CONFLICT');
    const sampleNo = await nextSampleNo(trx, t.year);
    await trx
      .insertInto('sampling_samples')
      .values({
        id,
        sample_no: sampleNo,
        task_id: taskId,
        plan_id: t.plan_id,
        enterprise_id: t.enterprise_id,
        category_code: t.category_code,
        town_code: t.town_code,
        industry_code: t.industry_code,
        year: t.year,
        product_name: input.productName,
        trademark: input.trademark,
        model: input.model,
        standard_code: input.standardCode,
        batch: input.batch,
        production_date: input.productionDate,
        test_units: input.testUnits,
        backup_units: input.backupUnits,
        place: input.place,
        sampled_on: input.sampledOn,
        grade_when_drawn: grade,
        details: JSON.stringify({
          sealNumbers: input.sealNumbers,
          confirmation: input.confirmation,
          inspectors: t.inspectorIds,
        }),
        lab_enterprise_id: t.category!.labEnterpriseId,
        state: 'sentToLab',
        verdict: null,
        severity: null,
        reported_on: null,
        failed_event_id: null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .execute();
    await writeAudit(trx, {
      actor,
      action: 'sampling.sample.record',
      resourceType: 'samplingTask',
      resourceId: taskId,
      enterpriseId: t.enterprise_id,
      before: { state: 'assigned' },
      after: {
        state: 'sentToLab',
        sampleNo,
        product: input.productName,
        trademark: input.trademark,
        model: input.model,
        batch: input.batch,
        lab: t.category!.labEnterpriseId,
      },
      at: now,
    });
    return { id, sampleNo };
  });
}

export type RefusalInput = { refusedOn: string; note: string; witnesses: string[] };

export async function recordRefusal(
  ctx: AppContext,
  user: AuthUser,
  actor: Actor,
  taskId: string,
  input: RefusalInput,
) {
  const t = await loadTask(ctx.db, taskId);
  assertInspector(user, t);
  if (t.state !== 'assigned')
    throw fieldFail(
      'state',
      'TASK_NOT_OPEN',
      '该任务已完成抽样或已拒检',
      'This task was already sampled or refused',
      'INVALID_STATE',
    );
  if (!isIsoDate(input.refusedOn) || input.refusedOn > todayOf(ctx))
    throw fieldFail(
      'refusedOn',
      'INVALID_DATE',
      '拒检日期无效或晚于今天',
      'The refusal date is invalid or in the future',
    );
  const refusedIn = Number(input.refusedOn.slice(0, 4));
  if (refusedIn !== t.year && refusedIn !== t.year + 1)
    throw fieldFail(
      'refusedOn',
      'OUTSIDE_PLAN_YEAR',
      '拒检日期不在计划年度内',
      'The refusal date is outside the plan year',
    );
  if (!input.note.trim()) throw fieldFail('note', 'REQUIRED', '请记录拒检经过', 'Describe the refusal');
  if (input.witnesses.filter((w) => w.trim()).length < 1)
    throw fieldFail('witnesses', 'REQUIRED', '请至少记录一名见证人', 'Name at least one witness');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('sampling_tasks')
      .set({
        state: 'refused',
        refusal: JSON.stringify({
          on: input.refusedOn,
          note: input.note.trim(),
          witnesses: input.witnesses.map((w) => w.trim()),
        }),
        updated_at: now.toISOString(),
      })
      .where('id', '=', taskId)
      .where('state', '=', 'assigned')
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new AppError('CONFLICT');
    await writeAudit(trx, {
      actor,
      action: 'sampling.task.refused',
      resourceType: 'samplingTask',
      resourceId: taskId,
      enterpriseId: t.enterprise_id,
      before: { state: 'assigned' },
      after: { state: 'refused', on: input.refusedOn },
      at: now,
    });
    const ids = await emitEvents(
      trx,
      [
        {
          type: 'sampling.sample.refused',
          occurredAt: input.refusedOn,
          enterpriseId: t.enterprise_id,
          aggregateId: taskId,
          payload: { enterpriseId: t.enterprise_id, uscc: t.uscc, taskNo: t.task_no },
        },
      ],
      now,
    );
    await applyCreditEvents(trx, ctx, ids);
  });
}

// ---- files: photos on site, reports from the lab -------------------------------------------------

export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
export const PHOTOS_PER_TASK = 12;
export const REPORT_MAX_BYTES = 10 * 1024 * 1024;

const isJpeg = (b: Uint8Array) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isPng = (b: Uint8Array) =>
  b.length > 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v);
const isPdf = (b: Uint8Array) => b.length > 5 && Buffer.from(b.subarray(0, 5)).toString('latin1') === '%PDF-';

/** The image type by its first bytes (never by the name or the declared type). */
export function photoType(bytes: Uint8Array): 'image/jpeg' | 'image/png' | null {
  return isJpeg(bytes) ? 'image/jpeg' : isPng(bytes) ? 'image/png' : null;
}

export async function storeFile(
  ctx: AppContext,
  actor: Actor,
  taskId: string,
  kind: 'photo' | 'report' | 'retestReport',
  filename: string,
  bytes: Uint8Array,
) {
  const mime = kind === 'photo' ? photoType(bytes) : isPdf(bytes) ? 'application/pdf' : null;
  if (!mime)
    throw new AppError('UNSUPPORTED_FILE', {
      fields: [
        {
          field: 'file',
          code: kind === 'photo' ? 'NOT_AN_IMAGE' : 'NOT_A_PDF',
          message:
            kind === 'photo'
              ? { zh: '照片须为 JPEG 或 PNG 图片', en: 'A photo must be a JPEG or PNG image' }
              : { zh: '检验报告须为 PDF 文件', en: 'The report must be a PDF file' },
        },
      ],
    });
  const now = ctx.clock.now();
  const id = newId();
  await ctx.db.transaction().execute(async (trx) => {
    if (kind === 'photo') {
      const n = await trx
        .selectFrom('sampling_files')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('task_id', '=', taskId)
        .where('kind', '=', 'photo')
        .executeTakeFirstOrThrow();
      if (Number(n.n) >= PHOTOS_PER_TASK)
        throw fieldFail(
          'file',
          'TOO_MANY_PHOTOS',
          `每个任务最多 ${PHOTOS_PER_TASK} 张照片`,
          `At most ${PHOTOS_PER_TASK} photos per task`,
          'INVALID_STATE',
        );
    }
    await trx
      .insertInto('sampling_files')
      .values({
        id,
        task_id: taskId,
        kind,
        filename,
        mime,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        content: bytes,
        uploaded_at: now.toISOString(),
        uploaded_by: actor.id ?? actor.label,
      })
      .execute();
    await writeAudit(trx, {
      actor,
      action: `sampling.file.${kind}`,
      resourceType: 'samplingTask',
      resourceId: taskId,
      after: { fileId: id, filename, size: bytes.length },
      at: now,
    });
  });
  return { id, filename, size: bytes.length, kind };
}

export async function filesOf(db: Kysely<Database>, taskId: string) {
  return db
    .selectFrom('sampling_files')
    .select(['id', 'kind', 'filename', 'size', 'mime', 'uploaded_at'])
    .where('task_id', '=', taskId)
    .orderBy('uploaded_at')
    .execute();
}

export { scopeOf };
