// Periods in days and in working days on the shipped calendar (data/china_holidays.tsv): the start
// day is not counted; a last day that is a weekend or statutory holiday rolls to the first working
// day after it (a make-up working day counts as one); holidays inside a period do not lengthen it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueAfter, dueAfterDays, dueAfterWorkdays, dueCoverageWarning, plainLastDay } from './periods.js';
import { addCalendarDays, dayOfWeek, loadHolidayCalendar } from './workdays.js';

const cal = loadHolidayCalendar();
const days = (from: string, n: number) => dueAfterDays(cal, from, n);

describe('dueAfterDays on the real calendar', () => {
  it('does not count the start day: 2026-03-01 + 15 days is 2026-03-16', () => {
    expect(days('2026-03-01', 15)).toEqual({
      from: '2026-03-01',
      period: { days: 15 },
      due: '2026-03-16',
      rolled: false,
    });
    expect(days('2026-03-01', 1).due).toBe('2026-03-02');
  });

  it('carries a period ending on a Saturday to the Monday', () => {
    expect(dayOfWeek('2026-03-21')).toBe(6);
    expect(days('2026-03-06', 15)).toMatchObject({ due: '2026-03-23', rolled: true });
    // and one ending on a Sunday
    expect(days('2026-03-07', 15)).toMatchObject({ due: '2026-03-23', rolled: true });
  });

  it('carries a period ending in the 2024 Spring Festival to its first working day, the make-up Sunday', () => {
    // 2024-02-10..17 off, 2024-02-18 (a Sunday) worked
    expect(days('2024-01-28', 15)).toMatchObject({ due: '2024-02-18', rolled: true });
    expect(days('2024-02-01', 16)).toMatchObject({ due: '2024-02-18', rolled: true });
    expect(dayOfWeek('2024-02-18')).toBe(0);
  });

  it('carries a period ending in the National Day holidays of 2025 and 2026 to the first working day after', () => {
    // 2025-10-01..08 off (with the Mid-Autumn Festival)
    expect(days('2025-09-16', 15)).toMatchObject({ due: '2025-10-09', rolled: true });
    expect(days('2025-09-23', 15)).toMatchObject({ due: '2025-10-09', rolled: true });
    // 2026-10-01..07 off
    expect(days('2026-09-16', 15)).toMatchObject({ due: '2026-10-08', rolled: true });
    expect(days('2026-09-22', 15)).toMatchObject({ due: '2026-10-08', rolled: true });
    // the day after the holiday is not rolled
    expect(days('2026-09-23', 15)).toMatchObject({ due: '2026-10-08', rolled: false });
  });

  it('ends on a make-up working day without rolling', () => {
    expect(dayOfWeek('2026-09-20')).toBe(0);
    expect(days('2026-09-05', 15)).toMatchObject({ due: '2026-09-20', rolled: false });
    expect(dayOfWeek('2024-02-04')).toBe(0);
    expect(days('2024-01-20', 15)).toMatchObject({ due: '2024-02-04', rolled: false });
    // 2025-10-11, a Saturday worked after National Day
    expect(days('2025-09-26', 15)).toMatchObject({ due: '2025-10-11', rolled: false });
  });

  it('counts across month ends in calendar days', () => {
    expect(days('2026-01-31', 30)).toMatchObject({ due: '2026-03-02', rolled: false });
    expect(days('2024-01-31', 30)).toMatchObject({ due: '2024-03-01', rolled: false }); // leap year
    expect(days('2025-01-31', 30)).toMatchObject({ due: '2025-03-03', rolled: true }); // 03-02 a Sunday
    expect(days('2026-04-30', 1)).toMatchObject({ due: '2026-05-06', rolled: true }); // Labour Day
    expect(days('2025-12-31', 1)).toMatchObject({ due: '2026-01-04', rolled: true }); // New Year off, Sunday 01-04 worked
  });

  it('counts the leap day as a day', () => {
    expect(days('2024-02-28', 1)).toMatchObject({ due: '2024-02-29', rolled: false });
    expect(days('2024-02-29', 1)).toMatchObject({ due: '2024-03-01', rolled: false });
    expect(days('2024-02-14', 15)).toMatchObject({ due: '2024-02-29', rolled: false });
    expect(days('2024-02-29', 15)).toMatchObject({ due: '2024-03-15', rolled: false });
    expect(days('2024-02-29', 365)).toMatchObject({ due: '2025-02-28', rolled: false });
    expect(days('2023-02-28', 1)).toMatchObject({ due: '2023-03-01', rolled: false });
    expect(days('2023-02-28', 366)).toMatchObject({ due: '2024-02-29', rolled: false });
  });

  it('does not lengthen a 60- or 75-day period for the holidays inside it, only for its last day', () => {
    // across the 2026 Spring Festival (02-15..23 off): plain calendar days
    expect(days('2026-01-10', 60)).toMatchObject({ due: '2026-03-11', rolled: false });
    expect(days('2026-01-01', 75)).toMatchObject({ due: '2026-03-17', rolled: false });
    // across the 2025 Spring Festival, ending on a Sunday
    expect(days('2025-01-11', 60)).toMatchObject({ due: '2025-03-12', rolled: false });
    expect(days('2025-01-01', 60)).toMatchObject({ due: '2025-03-03', rolled: true });
    // ending inside National Day 2026
    expect(days('2026-08-03', 60)).toMatchObject({ due: '2026-10-08', rolled: true });
    expect(days('2026-07-19', 75)).toMatchObject({ due: '2026-10-08', rolled: true });
  });

  it('refuses a period that is not a whole number of days ≥ 1', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => days('2026-03-01', n)).toThrow(RangeError);
    expect(() => days('2026-02-30', 1)).toThrow(RangeError);
  });
});

describe('dueAfterWorkdays on the real calendar', () => {
  it('counts make-up working days and skips holidays and weekends; never rolls', () => {
    // 2026-02-14 (Saturday) worked, 02-15..23 off
    expect(dueAfterWorkdays(cal, '2026-02-13', 1)).toEqual({
      from: '2026-02-13',
      period: { workdays: 1 },
      due: '2026-02-14',
      rolled: false,
    });
    expect(dueAfterWorkdays(cal, '2026-02-13', 2).due).toBe('2026-02-24');
    // after National Day 2024: 10-08..11 and the Saturday 10-12 worked
    expect(dueAfterWorkdays(cal, '2024-09-30', 1).due).toBe('2024-10-08');
    expect(dueAfterWorkdays(cal, '2024-09-30', 5).due).toBe('2024-10-12');
    // a start day on a holiday is not counted either
    expect(dueAfterWorkdays(cal, '2026-10-03', 1).due).toBe('2026-10-08');
    // 20 working days over the 2026 Spring Festival, with both of its make-up Saturdays
    expect(dueAfterWorkdays(cal, '2026-02-02', 20).due).toBe('2026-03-06');
  });

  it('refuses a period that is not a whole number of working days ≥ 1', () => {
    for (const n of [0, -3, 2.5]) expect(() => dueAfterWorkdays(cal, '2026-03-01', n)).toThrow(RangeError);
  });

  it('is what dueAfter gives for either kind', () => {
    expect(dueAfter(cal, '2026-09-16', { days: 15 })).toEqual(days('2026-09-16', 15));
    expect(dueAfter(cal, '2026-09-16', { workdays: 15 })).toEqual(dueAfterWorkdays(cal, '2026-09-16', 15));
  });
});

describe('plainLastDay and dueCoverageWarning', () => {
  it('gives the last day before carrying over', () => {
    expect(plainLastDay(cal, days('2026-09-16', 15))).toBe('2026-10-01');
    expect(plainLastDay(cal, dueAfterWorkdays(cal, '2026-09-16', 5))).toBe('2026-09-22'); // Sunday 09-20 worked
  });

  it('warns when a day that decided the due date lies in a year without a holiday notice', () => {
    expect(cal.coveredYears).not.toContain(2027);
    expect(dueCoverageWarning(cal, days('2026-12-01', 15))).toBeNull();
    expect(dueCoverageWarning(cal, days('2026-12-20', 15))).toMatchObject({
      code: 'WORKDAY_CALENDAR_NOT_COVERED',
      year: 2027,
    });
    expect(dueCoverageWarning(cal, days('2026-12-20', 15))?.message.zh).toContain('2027-01-04');
    // a long period in days: only its last day matters
    expect(dueCoverageWarning(cal, days('2026-01-01', 800))?.year).toBe(2028);
    // the start day is not counted, so a start in an uncovered year does not matter
    expect(cal.coveredYears).not.toContain(2015);
    expect(dueCoverageWarning(cal, days('2015-12-20', 30))).toBeNull();
    // in working days, every day after the start counts
    expect(dueCoverageWarning(cal, dueAfterWorkdays(cal, '2015-12-20', 30))?.year).toBe(2015);
    expect(dueCoverageWarning(cal, dueAfterWorkdays(cal, '2026-12-20', 5))).toBeNull(); // 12-25
    expect(dueCoverageWarning(cal, dueAfterWorkdays(cal, '2026-12-20', 10))?.year).toBe(2027);
    expect(dueCoverageWarning(cal, dueAfterWorkdays(cal, '2026-06-01', 600))?.message.en).toContain(
      '2027-01-01',
    );
    expect(dueCoverageWarning(cal, dueAfterWorkdays(cal, '2026-06-01', 50))).toBeNull();
  });
});

describe('properties over the covered years', () => {
  // start days whose periods stay inside 2016..2026, the years with a notice
  const fromArb = fc
    .integer({ min: 0, max: addDaysBetween('2016-01-01', '2026-06-30') })
    .map((i) => addCalendarDays('2016-01-01', i));

  it('a period in days ends on the first working day on or after its plain last day', () => {
    fc.assert(
      fc.property(fromArb, fc.integer({ min: 1, max: 180 }), (from, n) => {
        const d = days(from, n);
        const plain = addCalendarDays(from, n);
        expect(d.due >= plain).toBe(true);
        expect(cal.isWorkday(d.due)).toBe(true);
        expect(d.rolled).toBe(!cal.isWorkday(plain));
        // no working day was skipped between the plain last day and the due date
        for (let day = plain; day < d.due; day = addCalendarDays(day, 1))
          expect(cal.isWorkday(day)).toBe(false);
        expect(dueCoverageWarning(cal, d)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('a period in working days ends on a working day with exactly that many working days after the start', () => {
    fc.assert(
      fc.property(fromArb, fc.integer({ min: 1, max: 60 }), (from, n) => {
        const d = dueAfterWorkdays(cal, from, n);
        expect(d.rolled).toBe(false);
        expect(cal.isWorkday(d.due)).toBe(true);
        expect(cal.workdaysBetween(from, d.due)).toBe(n);
        // and never sooner than n calendar days
        expect(d.due >= addCalendarDays(from, n)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

function addDaysBetween(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / 86_400_000;
}
