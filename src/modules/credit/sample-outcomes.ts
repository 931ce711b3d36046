// Sample outcomes: every final supervisory sample (passed or failed) the credit module has been told
// of, one row per source event (credit_sample_outcomes). They answer one question — how long has
// the enterprise gone without a failed sample — for the daily clean-record job (clean-records.ts).
// A failure stops counting when a re-test overturns it (sampling.sample.overturned) or its credit
// record is reversed (an upheld objection, a correction); the row stays, marked by what cancelled it.
import type { Kysely } from 'kysely';
import { addYears, todayInShanghai } from '../../core/workdays.js';
import type { Database } from '../../db/schema.js';
import type { StoredEvent } from '../../platform/events/outbox.js';

export const PASSED_SAMPLE = 'sampling.sample.passed';
export const FAILED_SAMPLE = 'sampling.sample.failed';
export const OVERTURNED_SAMPLE = 'sampling.sample.overturned';

/** The clean-record tiers of the rule set, longest first. */
export const CLEAN_YEARS = [10, 5, 3] as const;
export type CleanYears = (typeof CLEAN_YEARS)[number];

const businessDate = (occurredAt: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(occurredAt) ? occurredAt : todayInShanghai(new Date(occurredAt));

/**
 * Keeps the outcome of a passed or failed sample event (once: keyed by the event id). Returns false
 * for other events and for events that name no enterprise.
 */
export async function recordSampleOutcome(
  trx: Kysely<Database>,
  event: Pick<StoredEvent, 'id' | 'type' | 'occurredAt' | 'enterpriseId' | 'payload'>,
  recordedAt: Date,
): Promise<boolean> {
  if (event.type !== PASSED_SAMPLE && event.type !== FAILED_SAMPLE) return false;
  if (!event.enterpriseId) return false;
  const sampleNo = (event.payload as { sampleNo?: unknown } | null)?.sampleNo;
  await trx
    .insertInto('credit_sample_outcomes')
    .values({
      source_event_id: event.id,
      enterprise_id: event.enterpriseId,
      sampled_on: businessDate(event.occurredAt),
      failed: event.type === FAILED_SAMPLE ? 1 : 0,
      sample_no: typeof sampleNo === 'string' ? sampleNo : null,
      reversed_by: null,
      reversed_on: null,
      recorded_at: recordedAt.toISOString(),
    })
    .onConflict((oc) => oc.column('source_event_id').doNothing())
    .execute();
  return true;
}

/**
 * Marks a failure as no longer standing, keeping the first thing that cancelled it. When the
 * failure's own row is not there yet (its event not yet handled), it is written from `failure`.
 */
export async function markFailureReversed(
  trx: Kysely<Database>,
  failure: { sourceEventId: string; enterpriseId: string; sampledOn: string; sampleNo: string | null },
  by: { id: string; on: string },
  recordedAt: Date,
) {
  await trx
    .insertInto('credit_sample_outcomes')
    .values({
      source_event_id: failure.sourceEventId,
      enterprise_id: failure.enterpriseId,
      sampled_on: failure.sampledOn,
      failed: 1,
      sample_no: failure.sampleNo,
      reversed_by: by.id,
      reversed_on: by.on,
      recorded_at: recordedAt.toISOString(),
    })
    .onConflict((oc) =>
      oc
        .column('source_event_id')
        .doUpdateSet({ reversed_by: by.id, reversed_on: by.on })
        .where('credit_sample_outcomes.reversed_by', 'is', null)
        .where('credit_sample_outcomes.failed', '=', 1),
    )
    .execute();
}

/** Whether the failure event no longer stands (overturned or reversed). */
export async function failureCancelled(trx: Kysely<Database>, sourceEventId: string) {
  const row = await trx
    .selectFrom('credit_sample_outcomes')
    .select('reversed_by')
    .where('source_event_id', '=', sourceEventId)
    .executeTakeFirst();
  return row?.reversed_by != null;
}

/** What the job needs per enterprise: the last sample and the last standing failure up to `day`. */
export type SampleHistory = { lastSampled: string | null; lastFailure: string | null };

/**
 * The clean-record tier an enterprise has reached on `day`: the longest N in 10, 5, 3 such that the
 * window [day − N years, day] (both ends included; calendar years, 29 February → 28 February) holds
 * at least one sample and no standing failure. Null when none.
 */
export function reachedTier(day: string, h: SampleHistory): CleanYears | null {
  if (!h.lastSampled) return null;
  for (const years of CLEAN_YEARS) {
    const start = addYears(day, -years);
    if (h.lastSampled < start || h.lastSampled > day) continue;
    if (h.lastFailure !== null && h.lastFailure >= start) continue;
    return years;
  }
  return null;
}

/**
 * Whether to emit a clean-record fact: the tier reached, unless a clean-record record of that tier
 * or a longer one is in force already (not twice, and no shorter tier stacked under a longer one).
 */
export function tierToEmit(reached: CleanYears | null, inForce: number[]): CleanYears | null {
  if (reached === null) return null;
  return inForce.some((y) => y >= reached) ? null : reached;
}

/**
 * Every enterprise sampled in the ten years up to `day`, with its last sample and last standing
 * failure in that span (one grouped scan), and its USCC for the event.
 */
export async function sampleHistories(db: Kysely<Database>, day: string) {
  const since = addYears(day, -Math.max(...CLEAN_YEARS));
  const rows = await db
    .selectFrom('credit_sample_outcomes as o')
    .innerJoin('enterprises as e', 'e.id', 'o.enterprise_id')
    .select((eb) => [
      'o.enterprise_id',
      'e.uscc',
      eb.fn.max('o.sampled_on').as('last_sampled'),
      eb.fn
        .max(
          eb
            .case()
            .when(eb.and([eb('o.failed', '=', 1), eb('o.reversed_by', 'is', null)]))
            .then(eb.ref('o.sampled_on'))
            .end(),
        )
        .as('last_failure'),
    ])
    .where('o.sampled_on', '>=', since)
    .where('o.sampled_on', '<=', day)
    .groupBy(['o.enterprise_id', 'e.uscc'])
    .orderBy('o.enterprise_id')
    .execute();
  return rows.map((r) => ({
    enterpriseId: r.enterprise_id,
    uscc: r.uscc,
    lastSampled: (r.last_sampled as string | null) ?? null,
    lastFailure: (r.last_failure as string | null) ?? null,
  }));
}
