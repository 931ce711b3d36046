// `zhihui deadline --from DATE (--days N | --workdays N) [--json]`: the last day of a period, as
// every module computes it (src/core/periods.ts): the start day is not counted; a period in days
// whose last day is not a working day ends on the next working day; make-up working days count.
// A platform command: it needs the holiday calendar only, no database.
import { type Command, CommanderError } from 'commander';
import { type DayPeriod, type Due, dueAfter, dueCoverageWarning, plainLastDay } from '../core/periods.js';
import {
  type CoverageWarning,
  dayOfWeek,
  type IsoDate,
  isIsoDate,
  loadHolidayCalendar,
  type WorkdayCalendar,
} from '../core/workdays.js';
import type { CliEnv } from '../modules/types.js';

export const DEADLINE_MAX_DAYS = 3650;
/** Dates before this are refused: the calendar's arithmetic starts here (and no deadline does). */
const EARLIEST = '1900-01-01';

const USAGE = 'zhihui deadline --from YYYY-MM-DD (--days N | --workdays N) [--json]';

export type DeadlineOptions = { from?: string; days?: string; workdays?: string; json?: boolean };
export type DeadlineResult = Due & { warning?: CoverageWarning };

type Refusal = { zh: string; en: string };
// the usage line follows the English message, so it closes the whole refusal once
const refusal = (zh: string, en: string): Refusal => ({ zh, en: `${en}\n用法 Usage: ${USAGE}` });

function count(flag: string, raw: string): number | Refusal {
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (n >= 1 && n <= DEADLINE_MAX_DAYS) return n;
  return refusal(
    `${flag} 须为 1 至 ${DEADLINE_MAX_DAYS} 的整数，收到“${raw}”`,
    `${flag} must be a whole number from 1 to ${DEADLINE_MAX_DAYS}, got "${raw}"`,
  );
}

/** The period the options ask for, or why they are refused. */
export function parseDeadlineOptions(opts: DeadlineOptions): { from: IsoDate; period: DayPeriod } | Refusal {
  if (opts.from === undefined) return refusal('缺少起算日 --from', '--from is required');
  if (!isIsoDate(opts.from))
    return refusal(
      `--from 不是有效日期（YYYY-MM-DD）：“${opts.from}”`,
      `--from is not a YYYY-MM-DD date: "${opts.from}"`,
    );
  if (opts.from < EARLIEST)
    return refusal(`--from 不得早于 ${EARLIEST}`, `--from must not be before ${EARLIEST}`);
  if (opts.days !== undefined && opts.workdays !== undefined)
    return refusal('--days 与 --workdays 只能给一个', 'Give either --days or --workdays, not both');
  if (opts.days !== undefined) {
    const days = count('--days', opts.days);
    return typeof days === 'number' ? { from: opts.from, period: { days } } : days;
  }
  if (opts.workdays !== undefined) {
    const workdays = count('--workdays', opts.workdays);
    return typeof workdays === 'number' ? { from: opts.from, period: { workdays } } : workdays;
  }
  return refusal('请用 --days N 或 --workdays N 给出期间', 'Give the period with --days N or --workdays N');
}

/** The due date and, when a day that decided it lies in a year without a holiday notice, the warning. */
export function computeDeadline(
  calendar: WorkdayCalendar,
  from: IsoDate,
  period: DayPeriod,
): DeadlineResult | Refusal {
  let due: Due;
  try {
    due = dueAfter(calendar, from, period);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return refusal('届满日超出可计算的日期范围（至 9999-12-31）', 'The due date is past 9999-12-31');
  }
  const warning = dueCoverageWarning(calendar, due);
  return warning ? { ...due, warning } : due;
}

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

/** '2026-10-01（星期四，国庆节假期）' */
function dayText(calendar: WorkdayCalendar, date: IsoDate, note?: string): string {
  const entry = calendar.entryFor(date);
  const kind =
    entry?.kind === 'holiday'
      ? `${entry.name}假期`
      : entry?.kind === 'workday'
        ? `${entry.name}调休上班`
        : '';
  return `${date}（${[WEEKDAYS[dayOfWeek(date)], kind, note].filter(Boolean).join('，')}）`;
}

/** The result for a person, in Chinese with the dates. */
export function deadlineText(calendar: WorkdayCalendar, r: DeadlineResult): string {
  const lines = [`起算日 ${dayText(calendar, r.from, '当日不计入')}`];
  if ('days' in r.period) {
    const plain = plainLastDay(calendar, r);
    lines.push(
      r.rolled
        ? `期间 ${r.period.days} 日，最后一日 ${dayText(calendar, plain)}不是工作日，顺延至其后第一个工作日`
        : `期间 ${r.period.days} 日，最后一日是工作日`,
    );
  } else lines.push(`期间 ${r.period.workdays} 个工作日（调休上班日计入，节假日与周末不计）`);
  lines.push(`届满日 ${dayText(calendar, r.due)}`);
  return lines.join('\n');
}

/** The JSON answer: {from, period, due, rolled} and, when the calendar does not cover it, warning. */
export function deadlineJson(r: DeadlineResult): string {
  const { from, period, due, rolled, warning } = r;
  return JSON.stringify({ from, period, due, rolled, ...(warning ? { warning } : {}) });
}

export function registerDeadlineCommand(
  program: Command,
  env: CliEnv,
  calendar: () => WorkdayCalendar = () => loadHolidayCalendar(),
) {
  program
    .command('deadline')
    .description(
      '期间届满日 The last day of a period from a date: --days N (start day not counted; a last day that is not a working day moves to the next working day) or --workdays N (make-up working days count)',
    )
    .option('--from <date>', 'YYYY-MM-DD, the day the period runs from (not counted)')
    .option('--days <n>', `calendar days, 1–${DEADLINE_MAX_DAYS}`)
    .option('--workdays <n>', `working days, 1–${DEADLINE_MAX_DAYS}`)
    .option('--json', 'print JSON: {from, period, due, rolled} (and warning)')
    // commander's own refusals (an unknown option, a flag without its value) are bad input too: 2
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : new CommanderError(2, err.code, err.message);
    })
    .action(async (opts: DeadlineOptions) => {
      const input = parseDeadlineOptions(opts);
      if ('zh' in input) return env.usageError(input);
      const cal = calendar();
      const r = computeDeadline(cal, input.from, input.period);
      if ('zh' in r) return env.usageError(r);
      if (r.warning) env.warn(`注意：${r.warning.message.zh}\nWarning: ${r.warning.message.en}`);
      env.print(opts.json ? deadlineJson(r) : deadlineText(cal, r));
    });
}
