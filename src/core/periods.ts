// Periods counted in days (期间), as the law counts them: the start day is not counted, and when the
// last day is not a working day (a weekend or statutory holiday; make-up working days count as
// working days) the period ends on the next working day (期间届满的最后一日为法定节假日的，以节假日后的
// 第一日为期间届满日). Periods in working days keep to WorkdayCalendar.addWorkdays. Every module that
// gives a due date in days asks dueAfterDays; nothing else adds days to a legal start date.
import type { CoverageWarning, IsoDate, WorkdayCalendar } from './workdays.js';

export type DayPeriod = { days: number } | { workdays: number };

export type Due = {
  /** The day the period runs from (not counted). */
  from: IsoDate;
  period: DayPeriod;
  /** The last day of the period. */
  due: IsoDate;
  /** True when the plain last day was not a working day and the period was carried to the next one. */
  rolled: boolean;
};

/** The last day of `days` calendar days after `from`, carried to the next working day if needed. */
export function dueAfterDays(calendar: WorkdayCalendar, from: IsoDate, days: number): Due {
  if (!Number.isInteger(days) || days < 1)
    throw new RangeError(`dueAfterDays: days must be ≥ 1, got ${days}`);
  const plain = calendar.addCalendarDays(from, days);
  const due = calendar.isWorkday(plain) ? plain : calendar.addWorkdays(plain, 0);
  return { from, period: { days }, due, rolled: due !== plain };
}

/** The last day of `workdays` working days after `from` (the start day not counted). */
export function dueAfterWorkdays(calendar: WorkdayCalendar, from: IsoDate, workdays: number): Due {
  if (!Number.isInteger(workdays) || workdays < 1)
    throw new RangeError(`dueAfterWorkdays: workdays must be ≥ 1, got ${workdays}`);
  return { from, period: { workdays }, due: calendar.addWorkdays(from, workdays), rolled: false };
}

/** Either kind of period. */
export function dueAfter(calendar: WorkdayCalendar, from: IsoDate, period: DayPeriod): Due {
  return 'days' in period
    ? dueAfterDays(calendar, from, period.days)
    : dueAfterWorkdays(calendar, from, period.workdays);
}

/** The last day of a period in days before any carrying over (`from` + days). */
export function plainLastDay(calendar: WorkdayCalendar, due: Due): IsoDate {
  return 'days' in due.period ? calendar.addCalendarDays(due.from, due.period.days) : due.due;
}

/**
 * The calendar's coverage warning when a day that decided `due` lies in a year without a loaded
 * holiday notice (there working days are a Monday-to-Friday guess): for a period in days the plain
 * last day and any day it was carried over; for working days every day after `from` up to the due
 * date. Names the first such day; null when every one is covered.
 */
export function dueCoverageWarning(calendar: WorkdayCalendar, due: Due): CoverageWarning | null {
  const first = 'days' in due.period ? plainLastDay(calendar, due) : calendar.addCalendarDays(due.from, 1);
  const lastYear = Number(due.due.slice(0, 4));
  for (let year = Number(first.slice(0, 4)); year <= lastYear; year++) {
    const day = year === Number(first.slice(0, 4)) ? first : `${String(year).padStart(4, '0')}-01-01`;
    if (!calendar.isCovered(day)) return calendar.coverageWarning(day);
  }
  return null;
}
