// The daily clean-record job: "N years without a failed sample" decided from the sample outcomes
// (sample-outcomes.ts) instead of typed in. For every enterprise sampled at least once in the
// window [today − N years, today] with no standing failure in it, it emits `credit.cleanRecord.reached`
// {years: N} and scores it at once (the same scoring as any event, in the same transaction), unless
// a clean-record record of that N or a longer one is in force already. Only the longest N reached is
// emitted. The hand-entered clean-record type stays for facts from outside the platform, and a
// hand-entered or seeded record in force counts like one from this job.
import type { Kysely } from 'kysely';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import { writeAudit } from '../../platform/audit.js';
import { type AppContext, systemActor } from '../../platform/context.js';
import { emitEvents } from '../../platform/events/outbox.js';
import { scoreEvent } from './grade.js';
import { recordSource } from './record-types.js';
import { CLEAN_RECORD, scoreStoredEvent, today } from './records.js';
import { publishedRuleSets } from './rule-store.js';
import { CLEAN_YEARS, reachedTier, sampleHistories, tierToEmit } from './sample-outcomes.js';

const JOB_ACTOR = systemActor('credit.cleanRecords');

/** The years of every clean-record record in force on `day`, per enterprise (unreversed only). */
async function cleanRecordsInForce(db: Kysely<Database>, enterpriseIds: string[], day: string) {
  const out = new Map<string, number[]>();
  for (let i = 0; i < enterpriseIds.length; i += 500) {
    const rows = await db
      .selectFrom('credit_records as r')
      .select(['r.enterprise_id', 'r.details'])
      .where('r.enterprise_id', 'in', enterpriseIds.slice(i, i + 500))
      .where('r.event_type', '=', CLEAN_RECORD)
      .where('r.kind', '<>', 'reversal')
      .where('r.effective_on', '<=', day)
      .where('r.expires_on', '>', day)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('credit_records as x').select('x.id').whereRef('x.reverses_id', '=', 'r.id'))),
      )
      .execute();
    for (const r of rows) {
      const years = Number((json.read(r.details, {}) as { years?: unknown }).years ?? 0);
      out.set(r.enterprise_id, [...(out.get(r.enterprise_id) ?? []), years]);
    }
  }
  return out;
}

export type CleanRecordRun = { day: string; sampled: number; emitted: { 3: number; 5: number; 10: number } };

/** Emits and scores the clean-record facts due on `day` (today by default). */
export async function emitCleanRecords(ctx: AppContext, day: string = today(ctx)): Promise<CleanRecordRun> {
  const histories = await sampleHistories(ctx.db, day);
  const reached = histories.flatMap((h) => {
    const tier = reachedTier(day, h);
    return tier === null ? [] : [{ ...h, tier }];
  });
  const inForce = await cleanRecordsInForce(
    ctx.db,
    reached.map((h) => h.enterpriseId),
    day,
  );
  // A tier no rule in force scores on this day is not emitted at all (no event without its record).
  const ruleSets = await publishedRuleSets(ctx.db);
  const scorable = new Set(
    CLEAN_YEARS.filter((years) =>
      scoreEvent({
        ruleSets,
        event: { id: 'probe', type: CLEAN_RECORD, payload: { years }, occurredOn: day },
      }),
    ),
  );
  const due = reached.flatMap((h) => {
    const years = tierToEmit(h.tier, inForce.get(h.enterpriseId) ?? []);
    return years === null || !scorable.has(years) ? [] : [{ ...h, years }];
  });
  const emitted = { 3: 0, 5: 0, 10: 0 };
  const source = recordSource(CLEAN_RECORD, {}, 'event');
  for (let i = 0; i < due.length; i += 200) {
    await ctx.db.transaction().execute(async (trx) => {
      for (const e of due.slice(i, i + 200)) {
        const payload = {
          enterpriseId: e.enterpriseId,
          uscc: e.uscc,
          years: e.years,
          source: source.zh,
          sourceEn: source.en,
        };
        const now = ctx.clock.now();
        const [eventId] = await emitEvents(
          trx,
          [{ type: CLEAN_RECORD, occurredAt: day, enterpriseId: e.enterpriseId, payload }],
          now,
        );
        const scored = await scoreStoredEvent(trx, ctx, {
          id: eventId!,
          type: CLEAN_RECORD,
          occurredAt: day,
          recordedAt: now.toISOString(),
          enterpriseId: e.enterpriseId,
          aggregateId: null,
          producer: 'credit',
          payload,
        });
        if (!scored) throw new Error('clean-record fact scored nothing after the probe matched');
        emitted[e.years] += 1;
        await writeAudit(trx, {
          actor: JOB_ACTOR,
          action: 'creditRecord.create',
          resourceType: 'creditRecord',
          resourceId: scored.record.id,
          enterpriseId: e.enterpriseId,
          after: {
            type: CLEAN_RECORD,
            occurredOn: day,
            details: { years: e.years },
            points: scored.record.points,
            lastSampled: e.lastSampled,
            lastFailure: e.lastFailure,
          },
          at: now,
        });
      }
    });
  }
  return { day, sampled: histories.length, emitted };
}
