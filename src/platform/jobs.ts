// Daily and monthly jobs (due-date scans, re-grades). A run is keyed by (job, period), so a
// period's run happens once even if the process restarts or two timers fire.
import { todayInShanghai } from '../core/workdays.js';
import type { AppContext } from './context.js';

export type Job = {
  name: string;
  every: 'day' | 'month';
  run: (ctx: AppContext, periodKey: string) => Promise<string | undefined>;
};

export const periodKey = (every: Job['every'], now: Date) => {
  const day = todayInShanghai(now);
  return every === 'day' ? day : day.slice(0, 7);
};

export async function runDueJobs(ctx: AppContext, jobs: Job[]) {
  const ran: string[] = [];
  for (const job of jobs) {
    const key = periodKey(job.every, ctx.clock.now());
    const claimed = await ctx.db
      .insertInto('job_runs')
      .values({
        job: job.name,
        period_key: key,
        started_at: ctx.clock.now().toISOString(),
        status: 'running',
        finished_at: null,
        detail: null,
      })
      .onConflict((oc) => oc.columns(['job', 'period_key']).doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) continue;
    try {
      const detail = await job.run(ctx, key);
      await ctx.db
        .updateTable('job_runs')
        .set({ status: 'succeeded', finished_at: ctx.clock.now().toISOString(), detail: detail ?? null })
        .where('job', '=', job.name)
        .where('period_key', '=', key)
        .execute();
      ran.push(`${job.name}@${key}`);
    } catch (err) {
      ctx.log.error({ err, job: job.name, key }, 'job failed');
      await ctx.db
        .updateTable('job_runs')
        .set({ status: 'failed', finished_at: ctx.clock.now().toISOString(), detail: String(err) })
        .where('job', '=', job.name)
        .where('period_key', '=', key)
        .execute();
    }
  }
  return ran;
}

/** Checks every minute whether a job's period has begun; returns a stop function. */
export function startScheduler(ctx: AppContext, jobs: Job[], intervalMs = 60_000) {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await runDueJobs(ctx, jobs);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
