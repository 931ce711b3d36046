import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.js';
import { loadHolidayCalendar } from '../../core/workdays.js';
import {
  CREDIT_DEADLINES_2021,
  DEADLINE_NAMES,
  dueDate,
  periodLabel,
  validateDeadlinePolicy,
} from './deadlines.js';

const cal = loadHolidayCalendar();

describe('dueDate', () => {
  it('counts working days across National Day 2024 and its make-up workdays, start day not counted', () => {
    // 09-29 (Sunday) is a make-up workday; 10-01..10-07 off; 10-12 (Saturday) is a make-up workday.
    expect(dueDate(cal, '2024-09-27', { workdays: 5 })).toBe('2024-10-10');
    expect(dueDate(cal, '2024-09-27', { workdays: 10 })).toBe('2024-10-16');
    expect(dueDate(cal, '2024-09-30', { workdays: 10 })).toBe('2024-10-18');
  });

  it('counts working days across Spring Festival 2025', () => {
    expect(dueDate(cal, '2025-01-24', { workdays: 10 })).toBe('2025-02-13');
  });

  it('adds calendar days, months and years, clamping leap days', () => {
    expect(dueDate(cal, '2024-09-27', { days: 5 })).toBe('2024-10-02');
    expect(dueDate(cal, '2024-01-31', { months: 1 })).toBe('2024-02-29');
    expect(dueDate(cal, '2024-02-29', { years: 3 })).toBe('2027-02-28');
    expect(dueDate(cal, '2024-02-29', { years: 4 })).toBe('2028-02-29');
  });

  it('rejects a malformed period or date', () => {
    const bad = [{ workdays: 0 }, { days: -1 }, { years: 1.5 }, { weeks: 2 }, { workdays: 1, days: 1 }, {}];
    for (const period of bad) {
      expect(() => dueDate(cal, '2024-01-02', period as never)).toThrow(AppError);
    }
    expect(() => dueDate(cal, '2024-02-30', { days: 1 })).toThrowError(/INVALID_DATE/);
  });
});

describe('the shipped deadline policy', () => {
  it('is valid and names a source for every deadline', () => {
    expect(validateDeadlinePolicy(CREDIT_DEADLINES_2021)).toEqual([]);
    for (const name of DEADLINE_NAMES) expect(CREDIT_DEADLINES_2021[name].source.length).toBeGreaterThan(0);
  });

  it('holds the order 44 figures and flags the unconfirmed ones as Zhihui defaults', () => {
    const figures = Object.fromEntries(
      DEADLINE_NAMES.map((n) => [
        n,
        [CREDIT_DEADLINES_2021[n].period, CREDIT_DEADLINES_2021[n].zhihuiDefault],
      ]),
    );
    expect(figures).toEqual({
      statementPeriod: [{ workdays: 5 }, true],
      publishAfterListing: [{ workdays: 20 }, true],
      earliestRemoval: [{ years: 1 }, false],
      listingDuration: [{ years: 3 }, false],
      removalDecision: [{ workdays: 15 }, true],
      unpublishAfterRemoval: [{ workdays: 3 }, true],
      objectionReview: [{ workdays: 10 }, true],
    });
  });

  it('reports each problem of a broken policy by field', () => {
    const broken = {
      ...CREDIT_DEADLINES_2021,
      version: '',
      effectiveFrom: '2021-13-01',
      statementPeriod: { period: { workdays: -5 }, source: 'x', zhihuiDefault: true },
      objectionReview: { period: { workdays: 10 }, source: ' ', zhihuiDefault: 'yes' },
      publishAfterListing: undefined,
    };
    expect(validateDeadlinePolicy(broken).map((p) => p.field)).toEqual([
      'version',
      'effectiveFrom',
      'statementPeriod.period',
      'publishAfterListing',
      'objectionReview.source',
      'objectionReview.zhihuiDefault',
    ]);
    expect(validateDeadlinePolicy(null)).toHaveLength(1);
  });

  it('labels periods in both languages', () => {
    expect(periodLabel({ workdays: 5 })).toEqual({ zh: '5个工作日', en: '5 working days' });
    expect(periodLabel({ years: 3 }).zh).toBe('3年');
  });
});
