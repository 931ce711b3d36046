// Periods counted in days (期间), as the law counts them: the start day is not counted, and when the
// last day is not a working day (a weekend or statutory holiday; make-up working days count as
// working days) the period ends on the next working day (期间届满的最后一日为法定节假日的，以节假日后的
// 第一日为期间届满日). Periods in working days keep to WorkdayCalendar.addWorkdays. Every module that
// gives a due date in days asks dueAfterDays; nothing else adds days to a legal start date.
import type { IsoDate, WorkdayCalendar } from './workdays.js';

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
