import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addMonths,
  addYears,
  createWorkdayCalendar,
  dayOfWeek,
  isIsoDate,
  loadHolidayCalendar,
  parseHolidayCalendar,
  todayInShanghai,
} from './workdays.js';

const cal = loadHolidayCalendar();
const HEADER = 'date\tkind\tname\tyear_notice\tsource';

// Any date from 2016-01-01 to 2026-10-31, so that +60 workdays stays inside covered years.
const coveredDate = fc.integer({ min: 0, max: 3956 }).map((offset) => addCalendarDays('2016-01-01', offset));
const anyDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('the shipped calendar', () => {
  it('loads every row of data/china_holidays.tsv', () => {
    expect(cal.entries).toHaveLength(373);
    expect(cal.coveredYears).toEqual([2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]);
  });

  it("keeps each row's notice and source", () => {
    expect(cal.entryFor('2018-12-31')).toMatchObject({ kind: 'holiday', name: '元旦', yearNotice: 2019 });
    expect(cal.entryFor('2026-10-10')?.source).toContain('gov.cn');
    expect(cal.entryFor('2025-03-03')).toBeUndefined();
  });
});

describe('isWorkday', () => {
  it('2024 Spring Festival: make-up Sundays work, the holiday week does not', () => {
    expect(dayOfWeek('2024-02-04')).toBe(0);
    expect(cal.isWorkday('2024-02-04')).toBe(true);
    expect(cal.isWorkday('2024-02-09')).toBe(true); // 除夕 was not a day off in 2024
    for (let d = 10; d <= 17; d++) expect(cal.isWorkday(`2024-02-${d}`)).toBe(false);
    expect(dayOfWeek('2024-02-18')).toBe(0);
    expect(cal.isWorkday('2024-02-18')).toBe(true);
    expect(cal.isWorkday('2024-02-19')).toBe(true);
    expect(cal.isWorkday('2024-02-24')).toBe(false); // ordinary Saturday
  });

  it('2025 National Day + Mid-Autumn: eight days off, two make-up days', () => {
    expect(cal.isWorkday('2025-09-28')).toBe(true); // Sunday
    for (let d = 1; d <= 8; d++) expect(cal.isWorkday(`2025-10-0${d}`)).toBe(false);
    expect(cal.isWorkday('2025-10-09')).toBe(true);
    expect(cal.isWorkday('2025-10-11')).toBe(true); // Saturday
    expect(cal.isWorkday('2025-10-12')).toBe(false);
  });

  it('2026 New Year: Thursday to Saturday off, Sunday 4 January works', () => {
    expect(cal.isWorkday('2025-12-31')).toBe(true);
    expect(cal.isWorkday('2026-01-01')).toBe(false);
    expect(cal.isWorkday('2026-01-02')).toBe(false);
    expect(cal.isWorkday('2026-01-03')).toBe(false);
    expect(cal.isWorkday('2026-01-04')).toBe(true);
    expect(cal.isWorkday('2026-01-05')).toBe(true);
  });

  it('is Monday to Friday on an ordinary week, leap day included', () => {
    expect(cal.isWorkday('2024-02-29')).toBe(true); // Thursday
    expect(cal.isWorkday('2024-03-02')).toBe(false);
    expect(cal.isWorkday('2024-03-03')).toBe(false);
  });

  it('rejects malformed dates', () => {
    expect(() => cal.isWorkday('2025-02-29')).toThrow(RangeError);
    expect(() => cal.isWorkday('2025-1-01')).toThrow(/YYYY-MM-DD/);
  });
});

describe('addWorkdays', () => {
  it('does not count the start day', () => {
    expect(cal.addWorkdays('2025-06-02', 1)).toBe('2025-06-03');
    expect(cal.addWorkdays('2025-06-06', 1)).toBe('2025-06-09'); // Friday → Monday
  });

  it('jumps across the 2024 Spring Festival onto the make-up Sunday', () => {
    expect(cal.addWorkdays('2024-02-08', 1)).toBe('2024-02-09');
    expect(cal.addWorkdays('2024-02-09', 1)).toBe('2024-02-18');
    expect(cal.addWorkdays('2024-02-09', 2)).toBe('2024-02-19');
    expect(cal.addWorkdays('2024-02-02', 1)).toBe('2024-02-04'); // Friday → make-up Sunday
  });

  it('jumps from 2025-09-30 over National Day', () => {
    expect(cal.addWorkdays('2025-09-26', 1)).toBe('2025-09-28');
    expect(cal.addWorkdays('2025-09-30', 1)).toBe('2025-10-09');
    expect(cal.addWorkdays('2025-09-30', 3)).toBe('2025-10-11');
    // A 20-working-day licensing limit counted by hand: 9–11 Oct, 13–17, 20–24, 27–31, 3–4 Nov.
    expect(cal.addWorkdays('2025-09-30', 20)).toBe('2025-11-04');
  });

  it('crosses into 2026 over the New Year break', () => {
    expect(cal.addWorkdays('2025-12-31', 1)).toBe('2026-01-04');
    expect(cal.addWorkdays('2025-12-31', 2)).toBe('2026-01-05');
  });

  it('n = 0 gives the day itself when it is a workday, else the next workday', () => {
    expect(cal.addWorkdays('2025-10-01', 0)).toBe(cal.addWorkdays('2025-10-01', 1)); // same deadline on a day off
    expect(cal.addWorkdays('2025-10-09', 0)).toBe('2025-10-09');
    expect(cal.addWorkdays('2025-10-01', 0)).toBe('2025-10-09');
    expect(cal.addWorkdays('2024-02-04', 0)).toBe('2024-02-04');
    expect(cal.addWorkdays('2025-06-07', 0)).toBe('2025-06-09');
  });

  it('falls back to Monday–Friday after 2026 and says so', () => {
    expect(cal.addWorkdays('2026-12-31', 1)).toBe('2027-01-01');
    expect(cal.coverageWarning('2026-12-31')).toBeNull();
    const warning = cal.coverageWarning('2027-01-01');
    expect(warning).toMatchObject({ code: 'WORKDAY_CALENDAR_NOT_COVERED', year: 2027 });
    expect(warning?.message.zh).toContain('2027年');
    expect(warning?.message.en).toContain('2027');
    expect(cal.isCovered('2027-01-01')).toBe(false);
    expect(cal.isCovered('2015-12-31')).toBe(false);
    expect(cal.isCovered('2016-01-01')).toBe(true);
  });

  it('refuses a negative or fractional n', () => {
    expect(() => cal.addWorkdays('2025-06-02', -1)).toThrow(RangeError);
    expect(() => cal.addWorkdays('2025-06-02', 1.5)).toThrow(RangeError);
  });
});

describe('workdaysBetween', () => {
  it('counts workdays in (a, b]', () => {
    expect(cal.workdaysBetween('2025-06-02', '2025-06-02')).toBe(0);
    expect(cal.workdaysBetween('2025-06-02', '2025-06-09')).toBe(5);
    expect(cal.workdaysBetween('2024-02-09', '2024-02-18')).toBe(1);
    expect(cal.workdaysBetween('2025-09-30', '2025-10-08')).toBe(0);
    expect(cal.workdaysBetween('2025-09-30', '2025-10-09')).toBe(1);
    expect(cal.workdaysBetween('2025-10-09', '2025-09-30')).toBe(-1);
  });

  it('counts the working days of a year', () => {
    // 2024: 262 weekdays − 19 weekday holidays + 8 make-up days = 251.
    expect(cal.workdaysBetween('2023-12-31', '2024-12-31')).toBe(251);
    // 2025: 261 weekdays − 18 weekday holidays + 5 make-up days = 248.
    expect(cal.workdaysBetween('2024-12-31', '2025-12-31')).toBe(248);
  });
});

describe('calendar arithmetic', () => {
  it.each([
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2025-12-31', 2, '2026-02-28'],
    ['2025-08-31', 1, '2025-09-30'],
    ['2025-11-30', 2, '2026-01-30'],
    ['2025-01-15', -13, '2023-12-15'],
    ['2024-02-29', 12, '2025-02-28'],
  ])('addMonths(%s, %i) = %s', (date, n, expected) => {
    expect(addMonths(date, n)).toBe(expected);
    expect(cal.addMonths(date, n)).toBe(expected);
  });

  it.each([
    ['2024-02-29', 1, '2025-02-28'],
    ['2024-02-29', 4, '2028-02-29'],
    ['2024-02-29', -1, '2023-02-28'],
    ['2025-06-30', 3, '2028-06-30'],
  ])('addYears(%s, %i) = %s', (date, n, expected) => {
    expect(addYears(date, n)).toBe(expected);
  });

  it.each([
    ['2024-02-28', 1, '2024-02-29'],
    ['2024-02-29', 1, '2024-03-01'],
    ['2025-02-28', 1, '2025-03-01'],
    ['2024-12-31', 1, '2025-01-01'],
    ['2025-01-01', -1, '2024-12-31'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2025-09-30', 90, '2025-12-29'],
  ])('addCalendarDays(%s, %i) = %s', (date, n, expected) => {
    expect(addCalendarDays(date, n)).toBe(expected);
  });

  it('validates dates strictly', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('2025-04-31')).toBe(false);
    expect(isIsoDate('2025-13-01')).toBe(false);
    expect(isIsoDate('2025-6-1')).toBe(false);
    expect(isIsoDate('2025-06-01T00:00:00Z')).toBe(false);
  });

  it('knows the day of the week', () => {
    expect(dayOfWeek('1970-01-01')).toBe(4);
    expect(dayOfWeek('1969-12-31')).toBe(3);
    expect(dayOfWeek('2025-10-01')).toBe(3);
  });
});

describe('todayInShanghai', () => {
  it('turns the date at 16:00 UTC', () => {
    expect(todayInShanghai(new Date('2025-06-30T15:59:59.999Z'))).toBe('2025-06-30');
    expect(todayInShanghai(new Date('2025-06-30T16:00:00.000Z'))).toBe('2025-07-01');
    expect(todayInShanghai(new Date('2025-12-31T16:00:00.000Z'))).toBe('2026-01-01');
  });

  it('refuses an invalid Date', () => {
    expect(() => todayInShanghai(new Date('nope'))).toThrow(RangeError);
  });
});

describe('parsing the TSV', () => {
  const row = (date: string, kind = 'holiday', notice = date.slice(0, 4)) =>
    `${date}\t${kind}\t节\t${notice}\tsrc`;

  it('accepts comments, blank lines, CRLF and a BOM', () => {
    const text = `\uFEFF# comment\n${HEADER}\r\n\n${row('2030-01-01')}\r\n${row('2030-01-05', 'workday')}\n`;
    const entries = parseHolidayCalendar(text);
    expect(entries).toEqual([
      { date: '2030-01-01', kind: 'holiday', name: '节', yearNotice: 2030, source: 'src' },
      { date: '2030-01-05', kind: 'workday', name: '节', yearNotice: 2030, source: 'src' },
    ]);
  });

  it.each([
    [`${HEADER}\n${row('2030-02-30')}`, /t:2: "2030-02-30" is not a valid YYYY-MM-DD date/],
    [`${HEADER}\n${row('2030/01/01')}`, /t:2: .*not a valid/],
    [`${HEADER}\n${row('2030-01-01', 'day-off')}`, /t:2: kind must be "holiday" or "workday"/],
    [
      `${HEADER}\n${row('2030-01-01')}\n${row('2030-01-01')}`,
      /t:3: date 2030-01-01 is already listed on line 2/,
    ],
    [`${HEADER}\n${row('2030-01-02', 'workday')}`, /t:2: make-up workday 2030-01-02 falls on a weekday/],
    [`${HEADER}\n${row('2030-01-01', 'holiday', '20x0')}`, /t:2: year_notice must be a 4-digit year/],
    [`${HEADER}\n${row('2030-01-01', 'holiday', '2033')}`, /t:2: .*too far from its notice year/],
    [`${HEADER}\n2030-01-01\tholiday`, /t:2: expected 5 tab-separated fields, found 2/],
    ['date\tname\n2030-01-01\tx', /t:1: header lacks the "kind" column/],
    ['# only a comment\n', /t: no header line/],
  ])('rejects bad input %#', (text, error) => {
    expect(() => parseHolidayCalendar(text, 't')).toThrow(error);
  });

  it('names the file and line when loading from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zhihui-workdays-'));
    const file = join(dir, 'bad.tsv');
    writeFileSync(file, `${HEADER}\n${row('2030-01-01')}\n${row('2030-13-01')}\n`);
    expect(() => loadHolidayCalendar(file)).toThrow(`${file}:3: "2030-13-01" is not a valid YYYY-MM-DD date`);
  });

  it('refuses duplicate entries built by hand', () => {
    const entry = { date: '2030-01-01', kind: 'holiday' as const, name: '', yearNotice: 2030, source: '' };
    expect(() => createWorkdayCalendar([entry, entry])).toThrow(/listed twice/);
  });
});

describe('properties', () => {
  it('addWorkdays(d, n) is a workday after d for n ≥ 1', () => {
    fc.assert(
      fc.property(coveredDate, fc.integer({ min: 1, max: 60 }), (d, n) => {
        const due = cal.addWorkdays(d, n);
        return cal.isWorkday(due) && due > d;
      }),
    );
  });

  it('workdaysBetween(d, addWorkdays(d, n)) === n for n ≥ 1', () => {
    fc.assert(
      fc.property(coveredDate, fc.integer({ min: 1, max: 60 }), (d, n) => {
        return cal.workdaysBetween(d, cal.addWorkdays(d, n)) === n;
      }),
    );
  });

  it('addWorkdays is monotonic in n and in the start date', () => {
    fc.assert(
      fc.property(coveredDate, coveredDate, fc.integer({ min: 0, max: 40 }), (a, b, n) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        // n = 0 on a day off already moves to the next workday, so 0 → 1 may not advance.
        const step =
          n === 0
            ? cal.addWorkdays(a, 0) <= cal.addWorkdays(a, 1)
            : cal.addWorkdays(a, n) < cal.addWorkdays(a, n + 1);
        return step && cal.addWorkdays(lo, n) <= cal.addWorkdays(hi, n);
      }),
    );
  });

  it('workdaysBetween is additive and antisymmetric', () => {
    fc.assert(
      fc.property(coveredDate, coveredDate, coveredDate, (a, b, c) => {
        return (
          cal.workdaysBetween(a, b) + cal.workdaysBetween(b, c) === cal.workdaysBetween(a, c) &&
          cal.workdaysBetween(a, b) === -cal.workdaysBetween(b, a)
        );
      }),
    );
  });

  it('an empty calendar counts Monday to Friday', () => {
    const plain = createWorkdayCalendar([]);
    fc.assert(
      fc.property(anyDate, (d) => {
        const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
        return plain.isWorkday(d) === (dow >= 1 && dow <= 5) && plain.coverageWarning(d) !== null;
      }),
    );
  });

  it('calendar-day arithmetic round-trips and agrees with Date', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -5000, max: 5000 }), (d, n) => {
        const later = addCalendarDays(d, n);
        const viaDate = new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
        return later === viaDate && addCalendarDays(later, -n) === d;
      }),
    );
  });

  it('addMonths always lands on a real date, on the same day or the month end', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -240, max: 240 }), (d, n) => {
        const r = addMonths(d, n);
        const nextDay = addCalendarDays(r, 1);
        return (
          isIsoDate(r) &&
          (r.slice(8) === d.slice(8) || (r.slice(8) < d.slice(8) && nextDay.slice(8) === '01'))
        );
      }),
    );
  });
});
