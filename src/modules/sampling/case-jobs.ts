// Daily jobs of the post-processing cases (platform/jobs.ts runs each once per day):
//
// - escalations: an objection window that closed without an objection confirms the failure (the
//   'lapse' step, dated the day after the window's last day); every other deadline that has passed
//   is marked once, the day after it (an audit row 'samplingCase.overdue' naming the due date and
//   whom it binds); the queue shows the case as overdue from then on.
// - reminders: each deadline within the next 3 working days (data/sampling/deadlines.json,
//   reminderWorkdays) is reminded of once: an audit row 'samplingCase.remind' naming the due date
//   and whom it binds (enterprise or bureau). Sending them — SMS, e-mail, the enterprise's inbox —
//   is the notification service's work (issue 9), which will read these rows.
//
// Each case is its own transaction; a case changed meanwhile (409 CONFLICT) is left to the next run.
import { isAppError } from '../../core/errors.js';
import { addCalendarDays, todayInShanghai } from '../../core/workdays.js';
import type { AppContext } from '../../platform/context.js';
import type { Job } from '../../platform/jobs.js';
import { actOnCase, caseOf, markCaseDues, systemCaseActor } from './cases.js';
import { OPEN_CASE_STATES, passedDeadlines, remindersDue, type SamplingCase } from './postprocess.js';

async function openCases(ctx: AppContext): Promise<SamplingCase[]> {
  const rows = await ctx.db
    .selectFrom('sampling_cases')
    .select('body')
    .where('state', 'in', [...OPEN_CASE_STATES])
    .orderBy('id')
    .execute();
  return rows.map(caseOf);
}

/** Runs `work` on each case; a failure on one case is logged and counted, not fatal to the rest. */
async function eachCase(
  ctx: AppContext,
  job: string,
  cases: SamplingCase[],
  work: (c: SamplingCase) => Promise<number>,
) {
  let done = 0;
  let skipped = 0;
  for (const c of cases) {
    try {
      done += await work(c);
    } catch (err) {
      skipped++;
      if (!(isAppError(err) && err.code === 'CONFLICT'))
        ctx.log.error({ err, job, caseId: c.id }, 'case job step failed');
    }
  }
  return { done, skipped };
}

export async function caseEscalations(ctx: AppContext): Promise<string> {
  const today = todayInShanghai(ctx.clock.now());
  const actor = systemCaseActor('job:sampling.caseEscalations');
  const cases = await openCases(ctx);
  let lapsed = 0;
  const marks = await eachCase(ctx, 'sampling.caseEscalations', cases, async (c) => {
    if (c.state === 'objectionWindow' && c.dueOn !== null && today > c.dueOn) {
      // The failure became final the day after the window's last day, whenever the job runs.
      await actOnCase(ctx, c.id, { type: 'lapse', on: addCalendarDays(c.dueOn, 1) }, actor, {
        expectedRev: c.rev,
      });
      lapsed++;
      return 0;
    }
    if (passedDeadlines(c, today).length === 0) return 0;
    const marked = await markCaseDues(
      ctx,
      c.id,
      'overdueNoted',
      (fresh) => passedDeadlines(fresh, today),
      actor,
    );
    return marked.length;
  });
  return `objection windows closed: ${lapsed}; deadlines marked passed: ${marks.done}; skipped: ${marks.skipped}`;
}

export async function caseReminders(ctx: AppContext): Promise<string> {
  const today = todayInShanghai(ctx.clock.now());
  const actor = systemCaseActor('job:sampling.caseReminders');
  const cases = await openCases(ctx);
  const r = await eachCase(ctx, 'sampling.caseReminders', cases, async (c) => {
    if (remindersDue(c, today, ctx.calendar).length === 0) return 0;
    const reminded = await markCaseDues(
      ctx,
      c.id,
      'reminders',
      (fresh) => remindersDue(fresh, today, ctx.calendar),
      actor,
    );
    return reminded.length;
  });
  return `reminders: ${r.done}; skipped: ${r.skipped}`;
}

/** Escalations first: a window that closed yesterday is confirmed before anything is reminded. */
export const caseJobs: Job[] = [
  { name: 'sampling.caseEscalations', every: 'day', run: (ctx) => caseEscalations(ctx) },
  { name: 'sampling.caseReminders', every: 'day', run: (ctx) => caseReminders(ctx) },
];
