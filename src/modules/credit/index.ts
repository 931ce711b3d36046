// The quality-credit module: archive, rule sets and grades, differentiated supervision, blacklist,
// objections and replies, public disclosure. See docs/credit-api.md and data/credit/README.md.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.js';
import type { EventHandler } from '../../platform/events/outbox.js';
import type { ZhihuiModule } from '../types.js';
import { regradeEnterprise } from './grading.js';
import { integrityJobs } from './integrity/jobs.js';
import { integrityMigrations } from './integrity/migrations.js';
import { creditJobs } from './jobs.js';
import { creditMigrations } from './migrations.js';
import { publicCreditRoutes } from './public-routes.js';
import { SCORED_EVENT_TYPES, scoreStoredEvent, today } from './records.js';
import { creditRoutes } from './routes.js';
import { ensureDefaultRuleSet } from './rule-store.js';
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
    await publicCreditRoutes(app, ctx);
  },
  eventHandlers: handlers,
  jobs: [...creditJobs, ...integrityJobs],
  seed: seedCredit,
};

export { computeGrade } from './grading.js';
// The small read API other modules use: who to draw for proactive checks, and the grade behind it.
export { drawTargets, supervisionPolicy } from './supervision.js';
