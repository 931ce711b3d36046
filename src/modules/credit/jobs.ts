// Scheduled credit work. Daily: the blacklist's automatic transitions, and a regrade of every
// enterprise whose grade may have changed since the last run by the calendar alone (records
// expiring, a rule set taking force, enterprises without a grade yet); the clean-record facts
// reached from the sample outcomes (clean-records.ts). Monthly: all of them.
import type { AppContext } from '../../platform/context.js';
import type { Job } from '../../platform/jobs.js';
import { expireDueEntries } from './blacklist-store.js';
import { emitCleanRecords } from './clean-records.js';
import { purgeUnattachedEvidence } from './evidence.js';
import { regradeAll, regradeEnterprise } from './grading.js';
import { today } from './records.js';

export async function dailyCredit(ctx: AppContext, periodKey: string): Promise<string> {
  const day = today(ctx);
  const expired = await expireDueEntries(ctx);
  const last = await ctx.db
    .selectFrom('job_runs')
    .select((eb) => eb.fn.max('period_key').as('k'))
    .where('job', '=', 'credit.daily')
    .where('status', '=', 'succeeded')
    .where('period_key', '<', periodKey)
    .executeTakeFirst();
  const since = last?.k ?? '0000-01-01';
  const newRuleSet = await ctx.db
    .selectFrom('credit_rule_sets')
    .select('id')
    .where('status', '=', 'published')
    .where('effective_from', '>', since)
    .where('effective_from', '<=', day)
    .executeTakeFirst();
  if (newRuleSet) {
    const r = await regradeAll(ctx, day);
    return `blacklist expired ${expired}; a rule set took force: regraded ${r.total}, ${r.changed} changed`;
  }
  const [expiring, ungraded] = await Promise.all([
    ctx.db
      .selectFrom('credit_records')
      .select('enterprise_id')
      .distinct()
      .where('expires_on', '>', since)
      .where('expires_on', '<=', day)
      .execute(),
    ctx.db
      .selectFrom('enterprises as e')
      .leftJoin('credit_grades as g', 'g.enterprise_id', 'e.id')
      .select('e.id as enterprise_id')
      .where('g.enterprise_id', 'is', null)
      .execute(),
  ]);
  const ids = [...new Set([...expiring, ...ungraded].map((r) => r.enterprise_id))];
  for (let i = 0; i < ids.length; i += 200) {
    await ctx.db.transaction().execute(async (trx) => {
      for (const id of ids.slice(i, i + 200)) await regradeEnterprise(trx, ctx, id, day);
    });
  }
  return `blacklist expired ${expired}; regraded ${ids.length} (records expired or no grade yet)`;
}

export const creditJobs: Job[] = [
  { name: 'credit.daily', every: 'day', run: dailyCredit },
  {
    name: 'credit.cleanRecords',
    every: 'day',
    run: async (ctx) => {
      const r = await emitCleanRecords(ctx);
      return `clean records on ${r.day}: ${r.sampled} enterprises sampled in 10 years; reached 3 y ${r.emitted[3]}, 5 y ${r.emitted[5]}, 10 y ${r.emitted[10]}`;
    },
  },
  {
    name: 'credit.evidencePurge',
    every: 'day',
    run: async (ctx) => `purged ${await purgeUnattachedEvidence(ctx)} unattached evidence files`,
  },
  {
    name: 'credit.monthlyRegrade',
    every: 'month',
    run: async (ctx) => {
      const r = await regradeAll(ctx, today(ctx));
      return `regraded ${r.total} enterprises as of ${r.asOf}: ${r.changed} changed (A ${r.byGrade.A}, B ${r.byGrade.B}, C ${r.byGrade.C}, D ${r.byGrade.D})`;
    },
  },
];
