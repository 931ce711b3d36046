// The quality-credit module: archive, rule sets and grades, differentiated supervision, blacklist,
// objections and replies, public disclosure. See docs/credit-api.md and data/credit/README.md.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import type { AppContext } from '../../platform/context.js';
import type { EventHandler } from '../../platform/events/outbox.js';
import type { ZhihuiModule } from '../types.js';
import { creditCli } from './cli.js';
import { gradedRoutes } from './graded-routes.js';
import { regradeEnterprise } from './grading.js';
import { integrityJobs } from './integrity/jobs.js';
import { integrityMigrations } from './integrity/migrations.js';
import { creditJobs } from './jobs.js';
import { creditMigrations } from './migrations.js';
import { publicCreditRoutes } from './public-routes.js';
import { overturnSample, SCORED_EVENT_TYPES, scoreStoredEvent, today } from './records.js';
import { creditRoutes } from './routes.js';
import { ensureDefaultRuleSet } from './rule-store.js';
import { FAILED_SAMPLE, OVERTURNED_SAMPLE, PASSED_SAMPLE, recordSampleOutcome } from './sample-outcomes.js';
import { seedCredit } from './seed.js';

const handlers: EventHandler[] = [
  {
    // Every supervisory fact a rule can score becomes a record (once: keyed by the event id).
    name: 'credit.score',
    types: SCORED_EVENT_TYPES,
    handle: async (ctx, trx, event) => {
      await scoreStoredEvent(trx, ctx, event);
    },
  },
  {
    // Sample outcomes for the clean-record job; an overturned failure is reversed and regraded.
    // After `credit.score`, so that a failure and its overturning pending together are scored
    // and then reversed (an overturning seen first stops the failure from being scored at all).
    name: 'credit.sampleOutcomes',
    types: [PASSED_SAMPLE, FAILED_SAMPLE, OVERTURNED_SAMPLE],
    handle: async (ctx, trx, event) => {
      if (event.type === OVERTURNED_SAMPLE) await overturnSample(trx, ctx, event);
      else await recordSampleOutcome(trx, event, ctx.clock.now());
    },
  },
  {
    // The abnormal-operations tag is a veto fact: a change of tags regrades the enterprise.
    name: 'credit.vetoFacts',
    types: ['registry.enterprise.updated'],
    handle: async (ctx, trx, event) => {
      const fields = (event.payload as { fields?: string[] }).fields ?? [];
      if (event.enterpriseId && fields.includes('tags'))
        await regradeEnterprise(trx, ctx, event.enterpriseId, today(ctx));
    },
  },
];

export const credit: ZhihuiModule = {
  name: 'credit',
  migrations: [...creditMigrations, ...integrityMigrations],
  loadReferenceData: ensureDefaultRuleSet,
  routes: async (app: FastifyInstance, ctx: AppContext) => {
    await creditRoutes(app, ctx);
    await gradedRoutes(app, ctx);
    await publicCreditRoutes(app, ctx);
  },
  eventHandlers: handlers,
  jobs: [...creditJobs, ...integrityJobs],
  seed: seedCredit,
  cli: creditCli,
};

export { computeGrade } from './grading.js';
// The small read API other modules use: who to draw for proactive checks, and the grade behind it.
export { CURRENT_GRADES, drawTargets, gradeSnapshot, supervisionPolicy } from './supervision.js';

/**
 * Hands events just emitted in `trx` to credit's handlers at once, in that transaction, with the
 * same delivery rows the dispatcher writes (so it skips them later): the producer's change, the
 * credit record and the new grade commit together and are visible as soon as the caller commits.
 * For the sampling module after it writes results (passed, failed, overturned). Events of types
 * credit does not handle are left to the dispatcher.
 */
export async function applyCreditEvents(trx: Kysely<Database>, ctx: AppContext, eventIds: string[]) {
  let handled = 0;
  for (let i = 0; i < eventIds.length; i += 500) {
    const rows = await trx
      .selectFrom('outbox_events')
      .selectAll()
      .where('id', 'in', eventIds.slice(i, i + 500))
      .orderBy('id')
      .execute();
    for (const h of handlers) {
      for (const row of rows) {
        if (!h.types.includes(row.type)) continue;
        const claimed = await trx
          .insertInto('event_deliveries')
          .values({ event_id: row.id, handler: h.name, processed_at: ctx.clock.now().toISOString() })
          .onConflict((oc) => oc.columns(['event_id', 'handler']).doNothing())
          .executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) continue;
        await h.handle(ctx, trx, {
          id: row.id,
          type: row.type,
          occurredAt: row.occurred_at,
          recordedAt: row.recorded_at,
          enterpriseId: row.enterprise_id,
          aggregateId: row.aggregate_id,
          producer: row.producer,
          payload: json.read(row.payload, {}),
        });
        handled++;
      }
    }
  }
  return handled;
}
