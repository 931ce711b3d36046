// China working-day calendar: official holidays and make-up workdays from the State Council's
// yearly notices (data/china_holidays.tsv), plus plain 'YYYY-MM-DD' date arithmetic.
// Every date is a business date string; arithmetic is done on UTC day numbers, so the host
// time zone can never shift a day.
import { readFileSync } from 'node:fs';

export type IsoDate = string;
export type HolidayKind = 'holiday' | 'workday';

export type HolidayEntry = {
  date: IsoDate;
  /** holiday: a day off (may fall on a weekend); workday: a make-up working day on a weekend (调休上班). */
  kind: HolidayKind;
  name: string;
  /** Year of the State Council notice the row comes from (a notice may reach into late December before). */
  yearNotice: number;
  source: string;
};

export type CoverageWarning = {
  code: 'WORKDAY_CALENDAR_NOT_COVERED';
  year: number;
  message: { zh: string; en: string };
};

export type WorkdayCalendar = {
  readonly entries: readonly HolidayEntry[];
  /** Years for which a holiday notice is loaded, ascending. */
  readonly coveredYears: readonly number[];
  isWorkday(date: IsoDate): boolean;
  /** The entry for a date, if the notice lists it. */
  entryFor(date: IsoDate): HolidayEntry | undefined;
  /**
   * The deadline n working days after `date`; `date` itself is not counted
   * (期间开始之日不计算在内). n = 0 gives `date` if it is a workday, else the next workday.
   */
  addWorkdays(date: IsoDate, n: number): IsoDate;
  /** Number of workdays in (a, b]; negative when b is before a. */
  workdaysBetween(a: IsoDate, b: IsoDate): number;
  addCalendarDays(date: IsoDate, n: number): IsoDate;
  addMonths(date: IsoDate, n: number): IsoDate;
  addYears(date: IsoDate, n: number): IsoDate;
  isCovered(date: IsoDate): boolean;
  /** Non-null when `date` lies in a year without a loaded notice: workdays there are a Mon–Fri guess. */
  coverageWarning(date: IsoDate): CoverageWarning | null;
};

const MS_PER_DAY = 86_400_000;
const DEFAULT_PATH = new URL('../../data/china_holidays.tsv', import.meta.url);

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** True for a real calendar date written as YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function parts(date: IsoDate): [number, number, number] {
  if (!isIsoDate(date)) throw new RangeError(`Not a YYYY-MM-DD date: "${date}"`);
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function toDayNumber(date: IsoDate): number {
  const [y, m, d] = parts(date);
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

function fromDayNumber(day: number): IsoDate {
  const iso = new Date(day * MS_PER_DAY).toISOString();
  if (iso.length !== 24) throw new RangeError('Date out of the range 0000-01-01..9999-12-31');
  return iso.slice(0, 10);
}

function fromParts(y: number, m: number, d: number): IsoDate {
  if (y < 0 || y > 9999) throw new RangeError('Date out of the range 0000-01-01..9999-12-31');
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function checkInteger(name: string, n: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${name}: n must be an integer, got ${n}`);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  // 1970-01-01 (day 0) was a Thursday.
  return (((toDayNumber(date) + 4) % 7) + 7) % 7;
}

export function addCalendarDays(date: IsoDate, n: number): IsoDate {
  checkInteger('addCalendarDays', n);
  return fromDayNumber(toDayNumber(date) + n);
}

/** Same day n months later, clamped to the month's end (01-31 + 1 month = 02-28 or 02-29). */
export function addMonths(date: IsoDate, n: number): IsoDate {
  checkInteger('addMonths', n);
  const [y, m, d] = parts(date);
  const total = y * 12 + (m - 1) + n;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return fromParts(year, month, Math.min(d, daysInMonth(year, month)));
}

/** Same day n years later; 02-29 becomes 02-28 in a common year. */
export function addYears(date: IsoDate, n: number): IsoDate {
  checkInteger('addYears', n);
  return addMonths(date, n * 12);
}

/** The business date in Asia/Shanghai at instant `now`. */
export function todayInShanghai(now: Date): IsoDate {
  const ms = now.getTime();
  if (Number.isNaN(ms)) throw new RangeError('todayInShanghai: invalid Date');
  // China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact.
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

const REQUIRED_COLUMNS = ['date', 'kind', 'year_notice'] as const;

/** Parse the holiday TSV; every problem is an Error naming `sourceName:line`. */
export function parseHolidayCalendar(text: string, sourceName = 'holidays'): HolidayEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const entries: HolidayEntry[] = [];
  const lineOfDate = new Map<string, number>();
  let header: string[] | undefined;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const cells = line.split('\t');
    const where = `${sourceName}:${lineNo}`;
    if (!header) {
      header = cells.map((c) => c.trim());
      for (const col of REQUIRED_COLUMNS) {
        if (!header.includes(col)) throw new Error(`${where}: header lacks the "${col}" column`);
      }
      return;
    }
    if (cells.length !== header.length) {
      throw new Error(`${where}: expected ${header.length} tab-separated fields, found ${cells.length}`);
    }
    const cell = (col: string) => (cells[header!.indexOf(col)] ?? '').trim();
    const date = cell('date');
    if (!isIsoDate(date)) throw new Error(`${where}: "${date}" is not a valid YYYY-MM-DD date`);
    const kind = cell('kind');
    if (kind !== 'holiday' && kind !== 'workday') {
      throw new Error(`${where}: kind must be "holiday" or "workday", got "${kind}"`);
    }
    const yearText = cell('year_notice');
    const yearNotice = Number(yearText);
    if (!/^\d{4}$/.test(yearText))
      throw new Error(`${where}: year_notice must be a 4-digit year, got "${yearText}"`);
    // A notice covers its year and at most a few days either side of it (e.g. 2018-12-29..31 in 2019's).
    if (Math.abs(Number(date.slice(0, 4)) - yearNotice) > 1) {
      throw new Error(`${where}: date ${date} is too far from its notice year ${yearNotice}`);
    }
    // Make-up workdays exist only to swap a weekend day; one on a weekday is a typo.
    const dow = dayOfWeek(date);
    if (kind === 'workday' && dow !== 0 && dow !== 6) {
      throw new Error(`${where}: make-up workday ${date} falls on a weekday`);
    }
    const previous = lineOfDate.get(date);
    if (previous !== undefined)
      throw new Error(`${where}: date ${date} is already listed on line ${previous}`);
    lineOfDate.set(date, lineNo);
    entries.push({ date, kind, name: cell('name'), yearNotice, source: cell('source') });
  });
  if (!header) throw new Error(`${sourceName}: no header line`);
  return entries;
}

/** Build a calendar from entries (already parsed or made by hand in tests). */
export function createWorkdayCalendar(entries: readonly HolidayEntry[]): WorkdayCalendar {
  const byDate = new Map<string, HolidayEntry>();
  for (const entry of entries) {
    if (!isIsoDate(entry.date)) throw new Error(`Holiday entry has an invalid date "${entry.date}"`);
    if (byDate.has(entry.date)) throw new Error(`Holiday entry ${entry.date} is listed twice`);
    byDate.set(entry.date, entry);
  }
  const coveredYears = [...new Set(entries.map((e) => e.yearNotice))].sort((a, b) => a - b);
  const covered = new Set(coveredYears);

  const isWorkdayNumber = (day: number): boolean => {
    const entry = byDate.get(fromDayNumber(day));
    if (entry) return entry.kind === 'workday';
    const dow = (((day + 4) % 7) + 7) % 7;
    return dow >= 1 && dow <= 5;
  };

  const isCovered = (date: IsoDate) => covered.has(parts(date)[0]);

  return {
    entries,
    coveredYears,
    entryFor: (date) => {
      parts(date);
      return byDate.get(date);
    },
    isWorkday: (date) => isWorkdayNumber(toDayNumber(date)),
    addWorkdays: (date, n) => {
      checkInteger('addWorkdays', n);
      if (n < 0) throw new RangeError(`addWorkdays: n must be ≥ 0, got ${n}`);
      let day = toDayNumber(date);
      if (n === 0) {
        while (!isWorkdayNumber(day)) day++;
        return fromDayNumber(day);
      }
      for (let counted = 0; counted < n; ) {
        day++;
        if (isWorkdayNumber(day)) counted++;
      }
      return fromDayNumber(day);
    },
    workdaysBetween: (a, b) => {
      const from = toDayNumber(a);
      const to = toDayNumber(b);
      const [lo, hi, sign] = from <= to ? [from, to, 1] : [to, from, -1];
      let count = 0;
      for (let day = lo + 1; day <= hi; day++) if (isWorkdayNumber(day)) count++;
      return sign * count;
    },
    addCalendarDays,
    addMonths,
    addYears,
    isCovered,
    coverageWarning: (date) => {
      if (isCovered(date)) return null;
      const year = parts(date)[0];
      return {
        code: 'WORKDAY_CALENDAR_NOT_COVERED',
        year,
        message: {
          zh: `尚未载入${year}年国务院节假日安排通知，${date}所在年份按周一至周五计算工作日，结果可能不准确`,
          en: `The State Council holiday notice for ${year} is not loaded; working days in ${year} (${date}) are assumed to be Monday to Friday and may be wrong`,
        },
      };
    },
  };
}

/** Load and validate the holiday TSV (default: data/china_holidays.tsv). */
export function loadHolidayCalendar(path: string | URL = DEFAULT_PATH): WorkdayCalendar {
  const name = typeof path === 'string' ? path : path.pathname;
  return createWorkdayCalendar(parseHolidayCalendar(readFileSync(path, 'utf8'), name));
}
