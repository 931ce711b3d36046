// Post-processing cases in the database: the pure machine (postprocess.ts) decides; this file loads
// a case, applies the step and carries out its effects in one transaction — the row (state, due
// date, the whole case as JSON with its history), the audit row, 'sampling.case.transitioned', and
// the effects' events ('sampling.sample.overturned' with the sample's failure event, which the
// credit engine reverses; 'licensing.licence.revoked' until a licensing module owns it).
//
// Concurrency: every write is a compare-and-set on the case's previous JSON (it changes with every
// step, reminder and mark), so of two actions on the same case only one applies; the other gets
// 409 CONFLICT. A client may also name the revision it saw (`expectedRev`).
import { type Kysely, sql } from 'kysely';
import { AppError, notFound } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { type IsoDate, todayInShanghai } from '../../core/workdays.js';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import type { Scope } from '../../platform/auth/policies.js';
import type { Actor, AppContext } from '../../platform/context.js';
import type { EventType } from '../../platform/events/catalogue.js';
import { emitEvents, type NewEvent } from '../../platform/events/outbox.js';
import { findEnterpriseById } from '../registry/index.js';
import {
  type CaseAction,
  type CaseActorKind,
  type CaseDue,
  type CaseEffect,
  type CaseState,
  type CaseStepActor,
  isOverdue,
  markDues,
  newCase,
  OPEN_CASE_STATES,
  type SamplingCase,
  TERMINAL_CASE_STATES,
  transition,
} from './postprocess.js';
import { labs } from './refs.js';

/** Who acts, for the audit log (platform Actor) and for the machine (the kind of actor). */
export type CaseActor = Actor & { kind: CaseActorKind };

export const systemCaseActor = (label = 'system'): CaseActor => ({ id: null, label, kind: 'system' });

/** The failed sample a case is opened for (the results service passes it when a sample fails). */
export type FailedSample = {
  id: string;
  sampleNo: string;
  enterpriseId: string;
  uscc: string;
  townCode: string;
  failedOn: IsoDate;
  failedItems: string[];
};

type Row = Database['sampling_cases'];

export const caseOf = (row: Pick<Row, 'body'>) => json.read(row.body, {}) as SamplingCase;
const todayOf = (ctx: AppContext) => todayInShanghai(ctx.clock.now());
const stepActor = (a: CaseActor): CaseStepActor => ({ id: a.id, label: a.label, kind: a.kind });

/** What the audit log keeps of a case: its state and dates, not the whole history again. */
function auditView(c: SamplingCase) {
  return {
    state: c.state,
    rev: c.rev,
    dueOn: c.dueOn,
    earliestOn: c.earliestOn,
    lastStepOn: c.lastStepOn,
    policyVersion: c.policyVersion,
    outcome: c.outcome,
  };
}

const conflict = () =>
  new AppError('CONFLICT', {
    message: {
      zh: '该后处理案件已被他人更新，请刷新后重试',
      en: 'The case was changed by someone else; reload and retry',
    },
  });

/**
 * Opens the case of a sample whose failure is final, in the caller's transaction (the results
 * service, in the same transaction as the failure). The original lab is read from the sample.
 */
export async function openCase(
  trx: Kysely<Database>,
  ctx: AppContext,
  sample: FailedSample,
  actor: CaseActor,
): Promise<SamplingCase> {
  const row = await trx
    .selectFrom('sampling_samples as s')
    .leftJoin('sampling_cases as c', 'c.sample_id', 's.id')
    .select(['s.lab_enterprise_id', 'c.id as case_id'])
    .where('s.id', '=', sample.id)
    .executeTakeFirst();
  if (!row) throw notFound({ zh: '样品', en: 'Sample' });
  if (row.case_id) {
    throw new AppError('ALREADY_EXISTS', {
      message: { zh: '该样品已有后处理案件', en: 'This sample already has a post-processing case' },
    });
  }
  const today = todayOf(ctx);
  const { case: c, effects } = newCase(
    { ...sample, sampleId: sample.id, id: newId(), originalLabEnterpriseId: row.lab_enterprise_id },
    today,
    stepActor(actor),
  );
  const now = ctx.clock.now();
  await trx
    .insertInto('sampling_cases')
    .values({
      id: c.id,
      sample_id: c.sampleId,
      enterprise_id: c.enterpriseId,
      town_code: c.townCode,
      state: c.state,
      due_on: c.dueOn,
      body: json.write(c),
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .execute();
  await writeAudit(trx, {
    actor,
    action: 'samplingCase.open',
    resourceType: 'samplingCase',
    resourceId: c.id,
    enterpriseId: c.enterpriseId,
    after: { ...auditView(c), sampleNo: c.sampleNo, failedItems: c.failedItems },
    at: now,
  });
  await emitEvents(trx, await effectEvents(trx, c, effects), now);
  return c;
}

/** The case of a sample, if it has one (for the results service: the re-test result). */
export async function caseIdOfSample(db: Kysely<Database>, sampleId: string): Promise<string | null> {
  const row = await db
    .selectFrom('sampling_cases')
    .select('id')
    .where('sample_id', '=', sampleId)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * One step on a case, in one transaction (its own, or the caller's `trx`: the results service
 * records the re-test result in the transaction that stores the re-test's items).
 */
export async function actOnCase(
  ctx: AppContext,
  caseId: string,
  action: CaseAction,
  actor: CaseActor,
  opts: { trx?: Kysely<Database>; expectedRev?: number } = {},
): Promise<SamplingCase> {
  const run = async (trx: Kysely<Database>) => {
    const row = await trx
      .selectFrom('sampling_cases')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (!row) throw notFound({ zh: '后处理案件', en: 'Post-processing case' });
    const before = caseOf(row);
    if (opts.expectedRev !== undefined && opts.expectedRev !== before.rev) throw conflict();
    if (action.type === 'assignRetest' && typeof action.labEnterpriseId === 'string') {
      const id = action.labEnterpriseId.trim();
      const [known, lab] = await Promise.all([findEnterpriseById(trx, id), labs(trx, [id])]);
      if (!known || lab.length === 0) {
        const message = known
          ? { zh: '复检机构须为检验检测机构', en: 'The re-test lab must be a testing laboratory' }
          : { zh: '复检机构不在企业库中', en: 'The re-test lab is not in the register' };
        throw new AppError('VALIDATION_FAILED', {
          message,
          fields: [{ field: 'labEnterpriseId', code: known ? 'NOT_A_LAB' : 'UNKNOWN_ENTERPRISE', message }],
        });
      }
    }
    const today = todayOf(ctx);
    const { case: after, effects } = transition(before, action, today, ctx.calendar, stepActor(actor));
    const events = await effectEvents(trx, after, effects);
    const now = ctx.clock.now();
    await persist(trx, row, after, now);
    await writeAudit(trx, {
      actor,
      action: `samplingCase.${action.type}`,
      resourceType: 'samplingCase',
      resourceId: after.id,
      enterpriseId: after.enterpriseId,
      before: auditView(before),
      after: { ...auditView(after), step: after.history.at(-1) },
      at: now,
    });
    await emitEvents(trx, events, now);
    return after;
  };
  return opts.trx ? run(opts.trx) : ctx.db.transaction().execute(run);
}

/** Compare-and-set on the previous JSON: 409 CONFLICT when someone else wrote in between. */
async function persist(trx: Kysely<Database>, row: Row, c: SamplingCase, now: Date) {
  const res = await trx
    .updateTable('sampling_cases')
    .set({ state: c.state, due_on: c.dueOn, body: json.write(c), updated_at: now.toISOString() })
    .where('id', '=', row.id)
    .where('body', '=', row.body)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict();
}

/** The catalogued events of a step: the transition itself, then what it causes elsewhere. */
async function effectEvents(
  trx: Kysely<Database>,
  c: SamplingCase,
  effects: CaseEffect[],
): Promise<NewEvent<EventType>[]> {
  const ref = { enterpriseId: c.enterpriseId, uscc: c.uscc };
  const events: NewEvent<EventType>[] = [];
  for (const e of effects) {
    if (e.kind === 'transitioned') {
      events.push({
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
      });
    } else if (e.kind === 'sampleOverturned') {
      const sample = await trx
        .selectFrom('sampling_samples')
        .select('failed_event_id')
        .where('id', '=', c.sampleId)
        .executeTakeFirst();
      // The failure was emitted before its case was opened; without it nothing could be reversed.
      if (!sample?.failed_event_id) {
        throw new AppError('INVALID_STATE', {
          message: {
            zh: '找不到该样品的不合格事件，无法撤销其信用记录',
            en: "The sample's failure event is missing: its credit record cannot be reversed",
          },
        });
      }
      events.push({
        type: 'sampling.sample.overturned',
        occurredAt: e.on,
        enterpriseId: c.enterpriseId,
        aggregateId: c.sampleId,
        payload: { ...ref, sampleNo: c.sampleNo, failedEventId: sample.failed_event_id },
      });
    } else {
      events.push({
        type: 'licensing.licence.revoked',
        occurredAt: e.on,
        enterpriseId: c.enterpriseId,
        aggregateId: c.id,
        payload: { ...ref, licenceNo: e.licenceNo, ...(e.decisionNo ? { decisionNo: e.decisionNo } : {}) },
      });
    }
  }
  return events;
}

/**
 * Marks due dates as reminded of or passed (daily jobs): the case's JSON and an audit row naming
 * each due date and whom it binds. No state changes. Returns false when the case changed meanwhile.
 */
export async function markCaseDues(
  ctx: AppContext,
  caseId: string,
  mark: 'reminders' | 'overdueNoted',
  pick: (c: SamplingCase) => CaseDue[] | Promise<CaseDue[]>,
  actor: CaseActor = systemCaseActor(),
): Promise<CaseDue[]> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('sampling_cases')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (!row) return [];
    const before = caseOf(row);
    const dues = await pick(before);
    if (dues.length === 0) return [];
    const after = markDues(before, mark, dues);
    const now = ctx.clock.now();
    await persist(trx, row, after, now);
    await writeAudit(trx, {
      actor,
      action: mark === 'reminders' ? 'samplingCase.remind' : 'samplingCase.overdue',
      resourceType: 'samplingCase',
      resourceId: after.id,
      enterpriseId: after.enterpriseId,
      before: auditView(before),
      after: { ...auditView(after), dues },
      at: now,
    });
    return dues;
  });
}

// ---- reads ------------------------------------------------------------------------------------

export type CaseQueueFilter = {
  /** One state, or every open / closed state. */
  state?: CaseState | 'open' | 'closed';
  overdue?: boolean;
  limit?: number;
};

export type CaseQueueItem = {
  case: SamplingCase;
  overdue: boolean;
  enterpriseName: string;
  productName: string;
  categoryCode: string;
};

/** The cases a viewer's scope covers, by due date (earliest first, none last), overdue marked. */
export async function caseQueue(
  ctx: AppContext,
  scope: Scope,
  filter: CaseQueueFilter = {},
): Promise<CaseQueueItem[]> {
  if (scope.kind === 'none') return [];
  const today = todayOf(ctx);
  let q = ctx.db
    .selectFrom('sampling_cases as c')
    .innerJoin('enterprises as e', 'e.id', 'c.enterprise_id')
    .innerJoin('sampling_samples as s', 's.id', 'c.sample_id')
    .select(['c.body', 'e.name as enterprise_name', 's.product_name', 's.category_code'])
    .orderBy(sql`case when c.due_on is null then 1 else 0 end`)
    .orderBy('c.due_on')
    .orderBy('c.id')
    .limit(Math.min(Math.max(filter.limit ?? 500, 1), 500));
  if (scope.kind === 'town') q = q.where('c.town_code', '=', scope.townCode);
  if (scope.kind === 'enterprise') q = q.where('c.enterprise_id', '=', scope.enterpriseId);
  if (filter.state === 'open') q = q.where('c.state', 'in', [...OPEN_CASE_STATES]);
  else if (filter.state === 'closed') q = q.where('c.state', 'in', [...TERMINAL_CASE_STATES]);
  else if (filter.state) q = q.where('c.state', '=', filter.state);
  if (filter.overdue === true) q = q.where('c.due_on', '<', today);
  if (filter.overdue === false)
    q = q.where((eb) => eb.or([eb('c.due_on', 'is', null), eb('c.due_on', '>=', today)]));
  const rows = await q.execute();
  return rows.map((r) => {
    const c = caseOf(r);
    return {
      case: c,
      overdue: isOverdue(c, today),
      enterpriseName: r.enterprise_name,
      productName: r.product_name,
      categoryCode: r.category_code,
    };
  });
}

/** One case, if the viewer's scope covers it: 404 when there is none, 403 outside the scope. */
export async function caseDetail(ctx: AppContext, scope: Scope, caseId: string): Promise<CaseQueueItem> {
  const r = await ctx.db
    .selectFrom('sampling_cases as c')
    .innerJoin('enterprises as e', 'e.id', 'c.enterprise_id')
    .innerJoin('sampling_samples as s', 's.id', 'c.sample_id')
    .select([
      'c.body',
      'c.town_code',
      'c.enterprise_id',
      'e.name as enterprise_name',
      's.product_name',
      's.category_code',
    ])
    .where('c.id', '=', caseId)
    .executeTakeFirst();
  if (!r) throw notFound({ zh: '后处理案件', en: 'Post-processing case' });
  if (!inScope(scope, { townCode: r.town_code, enterpriseId: r.enterprise_id })) {
    throw new AppError('FORBIDDEN', {
      message: { zh: '该案件不在您的管辖范围内', en: 'This case is outside your jurisdiction' },
    });
  }
  const c = caseOf(r);
  return {
    case: c,
    overdue: isOverdue(c, todayOf(ctx)),
    enterpriseName: r.enterprise_name,
    productName: r.product_name,
    categoryCode: r.category_code,
  };
}

export function inScope(scope: Scope, resource: { townCode: string; enterpriseId: string }): boolean {
  switch (scope.kind) {
    case 'city':
      return true;
    case 'town':
      return resource.townCode === scope.townCode;
    case 'enterprise':
      return resource.enterpriseId === scope.enterpriseId;
    case 'none':
      return false;
  }
}

/** Ids of the open cases (the daily jobs walk them one transaction each). */
export async function openCaseIds(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('sampling_cases')
    .select('id')
    .where('state', 'in', [...OPEN_CASE_STATES])
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
