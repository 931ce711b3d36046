// Turning facts into credit records: events from other modules (through the outbox handler), facts
// a regulator enters by hand, and reversals. Each writes the record, regrades the enterprise and
// audits in one transaction; a source event scores at most once (unique source_event_id).
import type { Kysely } from 'kysely';
import { AppError, notFound } from '../../core/errors.js';
import { addYears, isIsoDate, todayInShanghai } from '../../core/workdays.js';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import { type Actor, type AppContext, systemActor } from '../../platform/context.js';
import { EVENT_CATALOGUE, type EventType } from '../../platform/events/catalogue.js';
import { emitEvents, type StoredEvent } from '../../platform/events/outbox.js';
import { appendRecord } from './archive.js';
import { type GradeResult, scoreEvent } from './grade.js';
import { regradeEnterprise } from './grading.js';
import { parseDetails, recordSource, recordTypeSpec, summarize } from './record-types.js';
import { publishedRuleSets } from './rule-store.js';
import {
  FAILED_SAMPLE,
  failureCancelled,
  markFailureReversed,
  OVERTURNED_SAMPLE,
  PASSED_SAMPLE,
  recordSampleOutcome,
} from './sample-outcomes.js';

type Ctx = Pick<AppContext, 'clock' | 'dialect' | 'db' | 'config'>;
type RecordRow = Database['credit_records'];

export const today = (ctx: Pick<AppContext, 'clock'>) => todayInShanghai(ctx.clock.now());

/** The business date of an event: its date, or the Shanghai day of its timestamp. */
export function eventDate(occurredAt: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(occurredAt) ? occurredAt : todayInShanghai(new Date(occurredAt));
}

/**
 * Scores one stored event into the archive and regrades; a no-op when the event scores nothing,
 * names no enterprise, or was already scored. Returns the new record, if any.
 */
export async function scoreStoredEvent(
  trx: Kysely<Database>,
  ctx: Ctx,
  event: StoredEvent,
  opts: { kind?: 'event' | 'manual'; recordedBy?: string; evidence?: string[] } = {},
): Promise<{ record: RecordRow; grade: GradeResult } | null> {
  if (!event.enterpriseId) return null;
  if (event.type === FAILED_SAMPLE) {
    // Every failure is an outcome for the clean-record job, scored or not; one that a re-test has
    // overturned before it got here is not scored at all.
    await recordSampleOutcome(trx, event, ctx.clock.now());
    if (await failureCancelled(trx, event.id)) return null;
  }
  const done = await trx
    .selectFrom('credit_records')
    .select('id')
    .where('source_event_id', '=', event.id)
    .executeTakeFirst();
  if (done) return null;
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  const occurredOn = eventDate(event.occurredAt);
  const scored = scoreEvent({
    ruleSets: await publishedRuleSets(trx, ctx.db),
    event: { id: event.id, type: event.type, payload, occurredOn },
  });
  if (!scored) return null;
  // `source`/`sourceEn` name the fact's origin for the timeline; the record derives its own
  // (recordSource).
  const { enterpriseId: _e, uscc: _u, source: _s, sourceEn: _n, ...details } = payload;
  const record = await appendRecord(trx, ctx, {
    enterpriseId: event.enterpriseId,
    kind: opts.kind ?? 'event',
    eventType: event.type,
    sourceEventId: event.id,
    ruleId: scored.ruleId,
    ruleSetId: scored.ruleSetId,
    ruleSetVersion: scored.ruleSetVersion,
    points: scored.points,
    occurredOn: scored.occurredOn,
    effectiveOn: scored.effectiveOn,
    expiresOn: scored.expiresOn,
    severity: scored.severity,
    publishable: scored.publishable,
    reversesId: null,
    summary: summarize(event.type, details),
    details,
    evidence: opts.evidence ?? [],
    recordedBy: opts.recordedBy ?? event.producer,
  });
  // A failed sample falsifies every "N years without a failed sample" whose window it falls in.
  if (event.type === FAILED_SAMPLE) await endCleanRecords(trx, ctx, event.enterpriseId, record);
  const grade = await regradeEnterprise(trx, ctx, event.enterpriseId, today(ctx));
  return { record, grade };
}

export const CLEAN_RECORD = 'credit.cleanRecord.reached';

/** The first day of the window a clean-record record speaks for: N years before its date. */
const cleanWindowStart = (r: Pick<RecordRow, 'occurred_on' | 'details'>) => {
  const years = Number((json.read(r.details, {}) as { years?: unknown }).years ?? 0);
  return addYears(r.occurred_on, -Math.max(0, Math.min(years, 100)));
};

/**
 * Ends (by a reversal, from today) the enterprise's clean-record records in force whose window —
 * the N years before the record and the time it is shown — holds the failure's date.
 */
async function endCleanRecords(trx: Kysely<Database>, ctx: Ctx, enterpriseId: string, failure: RecordRow) {
  const day = today(ctx);
  const rows = await trx
    .selectFrom('credit_records as r')
    .selectAll('r')
    .where('r.enterprise_id', '=', enterpriseId)
    .where('r.event_type', '=', CLEAN_RECORD)
    .where('r.kind', '<>', 'reversal')
    .where('r.expires_on', '>', day)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('credit_records as x').select('x.id').whereRef('x.reverses_id', '=', 'r.id'))),
    )
    .execute();
  for (const r of rows) {
    if (failure.occurred_on < cleanWindowStart(r) || failure.occurred_on >= r.expires_on) continue;
    await reverseRecord(
      trx,
      ctx,
      { id: null, label: 'system' },
      {
        recordId: r.id,
        reasons: `${failure.occurred_on} 监督抽查不合格 (${failure.summary}), 连续无不合格记录终止`,
      },
    );
  }
}

/** Refuses a clean-record fact whose window (N years up to today) holds a failed sample. */
async function checkCleanWindow(
  trx: Kysely<Database>,
  enterpriseId: string,
  occurredOn: string,
  years: number,
) {
  const failure = await trx
    .selectFrom('credit_records as r')
    .select(['r.occurred_on', 'r.summary'])
    .where('r.enterprise_id', '=', enterpriseId)
    .where('r.event_type', '=', FAILED_SAMPLE)
    .where('r.kind', '<>', 'reversal')
    .where('r.occurred_on', '>=', addYears(occurredOn, -years))
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('credit_records as x').select('x.id').whereRef('x.reverses_id', '=', 'r.id'))),
    )
    .orderBy('r.occurred_on', 'desc')
    .executeTakeFirst();
  if (failure)
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        field(
          'details.years',
          'FAILED_SAMPLE_IN_WINDOW',
          `${failure.occurred_on} 有监督抽查不合格记录（${failure.summary}），不能认定连续${years}年无不合格`,
          `A sample failed on ${failure.occurred_on}: ${years} years without a failed sample cannot be recorded`,
        ),
      ],
    });
}

// Sampling facts that are not supervisory findings in themselves: passes and overturns feed the
// sample outcomes (handler `credit.sampleOutcomes`), the other two are sampling's own bookkeeping.
const NOT_SCORED = new Set([
  PASSED_SAMPLE,
  OVERTURNED_SAMPLE,
  'sampling.case.transitioned',
  'sampling.draw.published',
]);

/** Every event type some published or shipped rule can score: what the handler subscribes to. */
export const SCORED_EVENT_TYPES = Object.keys(EVENT_CATALOGUE).filter(
  (t) =>
    !t.startsWith('registry.') &&
    !NOT_SCORED.has(t) &&
    !t.startsWith('credit.objection.') &&
    (!t.startsWith('credit.blacklist.') || t === 'credit.blacklist.listed'),
);

export type ManualRecordInput = {
  type: string;
  occurredOn: string;
  details: Record<string, unknown>;
  note?: string;
  evidenceIds?: string[];
};

const field = (name: string, code: string, zh: string, en: string) => ({
  field: name,
  code,
  message: { zh, en },
});

/** A fact entered by a regulator: the catalogued event is emitted and scored at once. */
export async function addManualRecord(
  ctx: AppContext,
  actor: Actor,
  enterprise: { id: string; uscc: string },
  input: ManualRecordInput,
) {
  const spec = recordTypeSpec(input.type);
  if (!spec)
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        field(
          'type',
          'UNKNOWN_TYPE',
          `不能手工录入的记录类型: ${input.type}`,
          `Not a record type that can be entered by hand: ${input.type}`,
        ),
      ],
    });
  const day = today(ctx);
  if (!isIsoDate(input.occurredOn))
    throw new AppError('INVALID_DATE', {
      fields: [field('occurredOn', 'INVALID_DATE', '发生日期无效', 'occurredOn is not a real date')],
    });
  if (input.occurredOn > day)
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        field('occurredOn', 'IN_THE_FUTURE', '发生日期不能晚于今天', 'occurredOn cannot be in the future'),
      ],
    });
  const parsed = parseDetails(spec, input.details ?? {});
  if (!parsed.ok) throw new AppError('VALIDATION_FAILED', { fields: parsed.errors });
  const evidenceIds = [...new Set(input.evidenceIds ?? [])];

  return ctx.db.transaction().execute(async (trx) => {
    await checkEvidence(trx, evidenceIds, enterprise.id, actor);
    if (spec.type === CLEAN_RECORD)
      await checkCleanWindow(trx, enterprise.id, input.occurredOn, Number(parsed.value.years));
    const sets = await publishedRuleSets(trx, ctx.db);
    const payload = {
      enterpriseId: enterprise.id,
      uscc: enterprise.uscc,
      ...parsed.value,
      source: recordSource(spec.type, parsed.value, 'manual').zh,
      sourceEn: recordSource(spec.type, parsed.value, 'manual').en,
    };
    const probe = scoreEvent({
      ruleSets: sets,
      event: { id: 'probe', type: spec.type, payload, occurredOn: input.occurredOn },
    });
    if (!probe)
      throw new AppError('VALIDATION_FAILED', {
        message: {
          zh: `该日期(${input.occurredOn})适用的规则集中没有对应“${spec.label.zh}”的规则, 不产生信用记录`,
          en: `No rule in force on ${input.occurredOn} scores "${spec.label.en}"`,
        },
        fields: [field('occurredOn', 'NO_RULE', '该日期无适用规则', 'No rule applies on this date')],
      });
    const [eventId] = await emitEvents(
      trx,
      [
        {
          type: spec.type as EventType,
          occurredAt: input.occurredOn,
          enterpriseId: enterprise.id,
          aggregateId: null,
          payload: payload as never,
        },
      ],
      ctx.clock.now(),
    );
    const scored = await scoreStoredEvent(
      trx,
      ctx,
      {
        id: eventId!,
        type: spec.type,
        occurredAt: input.occurredOn,
        recordedAt: ctx.clock.now().toISOString(),
        enterpriseId: enterprise.id,
        aggregateId: null,
        producer: EVENT_CATALOGUE[spec.type as EventType].producer,
        payload: input.note ? { ...payload, note: input.note } : payload,
      },
      { kind: 'manual', recordedBy: actor.label, evidence: evidenceIds },
    );
    if (!scored) throw new Error('manual record scored nothing after the probe matched');
    await attachEvidence(trx, evidenceIds, enterprise.id, ctx.clock.now());
    await writeAudit(trx, {
      actor,
      action: 'creditRecord.create',
      resourceType: 'creditRecord',
      resourceId: scored.record.id,
      enterpriseId: enterprise.id,
      after: {
        type: spec.type,
        occurredOn: input.occurredOn,
        details: parsed.value,
        points: scored.record.points,
        evidence: evidenceIds,
      },
      at: ctx.clock.now(),
    });
    return scored;
  });
}

/** Evidence must exist and be unattached or already this enterprise's. */
export async function checkEvidence(
  trx: Kysely<Database>,
  ids: string[],
  enterpriseId: string,
  actor: Actor,
) {
  if (ids.length === 0) return;
  if (ids.length > 20)
    throw new AppError('VALIDATION_FAILED', {
      fields: [field('evidenceIds', 'TOO_MANY', '证明材料最多20份', 'At most 20 evidence files')],
    });
  const rows = await trx
    .selectFrom('credit_evidence')
    .select(['id', 'enterprise_id', 'uploaded_by'])
    .where('id', 'in', ids)
    .execute();
  for (const id of ids) {
    const r = rows.find((x) => x.id === id);
    if (
      !r ||
      (r.enterprise_id !== null && r.enterprise_id !== enterpriseId) ||
      (r.enterprise_id === null && r.uploaded_by !== actor.label)
    )
      throw new AppError('VALIDATION_FAILED', {
        fields: [
          field(
            'evidenceIds',
            'UNKNOWN_EVIDENCE',
            `证明材料不存在或不属于该企业: ${id}`,
            `Unknown evidence file: ${id}`,
          ),
        ],
      });
  }
}

export async function attachEvidence(
  trx: Kysely<Database>,
  ids: string[],
  enterpriseId: string,
  now: Date = new Date(),
) {
  if (ids.length === 0) return;
  await trx
    .updateTable('credit_evidence')
    .set({ enterprise_id: enterpriseId })
    .where('id', 'in', ids)
    .where('enterprise_id', 'is', null)
    .execute();
  // Used by something: never purged (see purgeUnattachedEvidence).
  await trx
    .updateTable('credit_evidence')
    .set({ attached_at: now.toISOString() })
    .where('id', 'in', ids)
    .where('attached_at', 'is', null)
    .execute();
}

/**
 * Cancels a record from today on by appending a reversal that points to it; the original stays in
 * the chain untouched. Runs inside the caller's transaction.
 */
export async function reverseRecord(
  trx: Kysely<Database>,
  ctx: Ctx,
  actor: Actor,
  input: { recordId: string; reasons: string; objectionId?: string | null },
) {
  const reasons = input.reasons.trim();
  if (reasons === '')
    throw new AppError('VALIDATION_FAILED', {
      fields: [field('reasons', 'REQUIRED', '须说明更正理由', 'Give the reasons for the correction')],
    });
  const original = await trx
    .selectFrom('credit_records')
    .selectAll()
    .where('id', '=', input.recordId)
    .executeTakeFirst();
  if (!original) throw notFound({ zh: '信用记录', en: 'Credit record' });
  if (original.kind === 'reversal')
    throw new AppError('INVALID_STATE', {
      message: { zh: '更正记录本身不能再被更正', en: 'A reversal cannot itself be reversed' },
    });
  const already = await trx
    .selectFrom('credit_records')
    .select('id')
    .where('reverses_id', '=', original.id)
    .executeTakeFirst();
  if (already)
    throw new AppError('INVALID_STATE', {
      message: { zh: '该记录已被更正', en: 'This record has already been reversed' },
    });
  const day = today(ctx);
  const record = await appendRecord(trx, ctx, {
    enterpriseId: original.enterprise_id,
    kind: 'reversal',
    eventType: original.event_type,
    sourceEventId: null,
    ruleId: original.rule_id,
    ruleSetId: original.rule_set_id,
    ruleSetVersion: original.rule_set_version,
    points: 0,
    occurredOn: day,
    effectiveOn: day,
    expiresOn: original.expires_on > day ? original.expires_on : day,
    severity: original.severity as never,
    publishable: original.publishable === 1,
    reversesId: original.id,
    summary: `更正: ${original.summary}`,
    details: { reasons, ...(input.objectionId ? { objectionId: input.objectionId } : {}) },
    evidence: [],
    recordedBy: actor.label,
  });
  // A failure whose record is reversed no longer breaks a run of clean years.
  if (original.event_type === FAILED_SAMPLE && original.source_event_id)
    await markFailureReversed(
      trx,
      {
        sourceEventId: original.source_event_id,
        enterpriseId: original.enterprise_id,
        sampledOn: original.occurred_on,
        sampleNo:
          typeof recordDetails(original).sampleNo === 'string'
            ? String(recordDetails(original).sampleNo)
            : null,
      },
      { id: record.id, on: day },
      ctx.clock.now(),
    );
  await writeAudit(trx, {
    actor,
    action: 'creditRecord.reverse',
    resourceType: 'creditRecord',
    resourceId: record.id,
    enterpriseId: original.enterprise_id,
    after: { reverses: original.id, reasons, objectionId: input.objectionId ?? null },
    at: ctx.clock.now(),
  });
  const grade = await regradeEnterprise(trx, ctx, original.enterprise_id, day);
  return { record, grade };
}

export const recordDetails = (r: Pick<RecordRow, 'details'>) =>
  json.read(r.details, {}) as Record<string, string | number>;
export const recordEvidence = (r: RecordRow) => json.read(r.evidence, []) as string[];

/**
 * A re-test overturned a failed sample (`sampling.sample.overturned`): the failure stops counting
 * for clean records, and the credit record scored from it is reversed (audited as the sampling
 * module, the enterprise regraded). Idempotent. When the failure has not been scored (not yet
 * handled, or no rule scored it), nothing is reversed and the failure will never be scored.
 *
 * Clean-record records that the failure ended (endCleanRecords) are not revived: a reversal cannot
 * itself be reversed. The daily clean-record job (clean-records.ts) no longer sees the failure and
 * records the clean run again from its next run, with a validity counted from that day.
 */
export async function overturnSample(
  trx: Kysely<Database>,
  ctx: Ctx & Pick<AppContext, 'log'>,
  event: StoredEvent,
): Promise<{ record: RecordRow; grade: GradeResult } | null> {
  const { failedEventId, sampleNo } = (event.payload ?? {}) as { failedEventId?: string; sampleNo?: string };
  const failed = failedEventId
    ? await trx.selectFrom('outbox_events').selectAll().where('id', '=', failedEventId).executeTakeFirst()
    : undefined;
  const enterpriseId = event.enterpriseId;
  if (!enterpriseId || !failed || failed.type !== FAILED_SAMPLE || failed.enterprise_id !== enterpriseId) {
    ctx.log.warn(
      { eventId: event.id, failedEventId },
      'sampling.sample.overturned names no failed sample of this enterprise; nothing reversed',
    );
    return null;
  }
  const failedPayload = json.read(failed.payload, {}) as { sampleNo?: unknown };
  await markFailureReversed(
    trx,
    {
      sourceEventId: failed.id,
      enterpriseId,
      sampledOn: eventDate(failed.occurred_at),
      sampleNo: typeof failedPayload.sampleNo === 'string' ? failedPayload.sampleNo : null,
    },
    { id: event.id, on: eventDate(event.occurredAt) },
    ctx.clock.now(),
  );
  const record = await trx
    .selectFrom('credit_records')
    .select('id')
    .where('source_event_id', '=', failed.id)
    .executeTakeFirst();
  if (!record) {
    ctx.log.info(
      { eventId: event.id, failedEventId },
      'overturned failure has no credit record (not scored yet, or no rule scored it); it will not be scored',
    );
    return null;
  }
  const reversed = await trx
    .selectFrom('credit_records')
    .select('id')
    .where('reverses_id', '=', record.id)
    .executeTakeFirst();
  if (reversed) return null;
  const no = sampleNo ?? (typeof failedPayload.sampleNo === 'string' ? failedPayload.sampleNo : '');
  return reverseRecord(trx, ctx, systemActor('sampling'), {
    recordId: record.id,
    reasons: `备样复检推翻原检验结论${no ? ` (样品编号 ${no})` : ''}, 监督抽查不合格不成立`,
  });
}
