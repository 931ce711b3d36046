// Credit deadline policy as data: every period the blacklist and objection machines use, with the
// rule it comes from. Figures not confirmed against the published text are flagged zhihuiDefault.
import { AppError, type FieldError } from '../../core/errors.js';
import { type IsoDate, isIsoDate, type WorkdayCalendar } from '../../core/workdays.js';

export type Period = { workdays: number } | { days: number } | { months: number } | { years: number };

export type DeadlineRule = {
  period: Period;
  /** The legal text the figure comes from, or why Zhihui chose it. */
  source: string;
  /** True when the figure could not be confirmed against the published rule text. */
  zhihuiDefault: boolean;
};

export const DEADLINE_NAMES = [
  'statementPeriod',
  'publishAfterListing',
  'earliestRemoval',
  'listingDuration',
  'removalDecision',
  'unpublishAfterRemoval',
  'objectionReview',
] as const;
export type DeadlineName = (typeof DEADLINE_NAMES)[number];

export type CreditDeadlinePolicy = {
  version: string;
  effectiveFrom: IsoDate;
} & Record<DeadlineName, DeadlineRule>;

const ORDER_44 = '《市场监督管理严重违法失信名单管理办法》(国家市场监督管理总局令第44号, 2021-09-01 起施行)';

export const CREDIT_DEADLINES_2021: CreditDeadlinePolicy = {
  version: 'samr-44-2021.1',
  effectiveFrom: '2021-09-01',
  // Order 44 runs notice and hearing with the penalty procedure, whose statement/hearing window is 5 working days.
  statementPeriod: {
    period: { workdays: 5 },
    source: `${ORDER_44}: 告知、听证与行政处罚程序一并实施; 《市场监督管理行政处罚程序规定》: 告知书送达之日起五个工作日内陈述、申辩、要求听证`,
    zhihuiDefault: true,
  },
  // Not confirmed in this session against the article text; the figure widely cited is 20 working days.
  publishAfterListing: {
    period: { workdays: 20 },
    source: `${ORDER_44}: 作出列入决定后通过国家企业信用信息公示系统公示 (二十个工作日, 待核对条文)`,
    zhihuiDefault: true,
  },
  earliestRemoval: {
    period: { years: 1 },
    source: `${ORDER_44}: 列入满一年且符合条件的可申请提前移出; DOMAIN.md §3`,
    zhihuiDefault: false,
  },
  listingDuration: {
    period: { years: 3 },
    source: `${ORDER_44}: 列入之日起满三年移出; 法律法规限制措施超过三年的按实际限制期限执行; DOMAIN.md §3`,
    zhihuiDefault: false,
  },
  // The decision limit on an early-removal application could not be confirmed; 15 working days is Zhihui's choice.
  removalDecision: {
    period: { workdays: 15 },
    source: `${ORDER_44} 与《市场监督管理信用修复管理办法》: 提前移出申请的核实与决定时限 (十五个工作日, 待核对条文)`,
    zhihuiDefault: true,
  },
  // Withdrawal after a revoked penalty is recalled as "三个工作日内移出"; reused for early removal, unconfirmed.
  unpublishAfterRemoval: {
    period: { workdays: 3 },
    source: `${ORDER_44}: 行政处罚被撤销的, 撤销列入决定并于三个工作日内移出 (待核对条文)`,
    zhihuiDefault: true,
  },
  // No rule sets a review time for objections to a credit record; 10 working days is Zhihui's service promise.
  objectionReview: {
    period: { workdays: 10 },
    source: 'Zhihui default: objection review time limit',
    zhihuiDefault: true,
  },
};

export function periodLabel(period: Period): { zh: string; en: string } {
  if ('workdays' in period)
    return { zh: `${period.workdays}个工作日`, en: `${period.workdays} working days` };
  if ('days' in period) return { zh: `${period.days}日`, en: `${period.days} days` };
  if ('months' in period) return { zh: `${period.months}个月`, en: `${period.months} months` };
  return { zh: `${period.years}年`, en: `${period.years} years` };
}

type DateArithmetic = Pick<WorkdayCalendar, 'addWorkdays' | 'addCalendarDays' | 'addMonths' | 'addYears'>;

/**
 * The due date `period` after `from`; the start day is not counted (期间开始之日不计算在内).
 * Calendar periods are not rolled past holidays: order 44's periods in days are all working days.
 */
export function dueDate(calendar: DateArithmetic, from: IsoDate, period: Period): IsoDate {
  if (!isIsoDate(from)) {
    throw new AppError('INVALID_DATE', { message: { zh: `日期无效: ${from}`, en: `Invalid date: ${from}` } });
  }
  const problems = periodProblems('period', period);
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
  if ('workdays' in period) return calendar.addWorkdays(from, period.workdays);
  if ('days' in period) return calendar.addCalendarDays(from, period.days);
  if ('months' in period) return calendar.addMonths(from, period.months);
  return calendar.addYears(from, period.years);
}

function periodProblems(field: string, period: unknown): FieldError[] {
  const bad = (en: string): FieldError[] => [
    { field, code: 'INVALID_PERIOD', message: { zh: `期限格式无效: ${en}`, en: `Invalid period: ${en}` } },
  ];
  if (typeof period !== 'object' || period === null) return bad('not an object');
  const keys = Object.keys(period);
  if (keys.length !== 1) return bad('exactly one of workdays, days, months, years');
  const key = keys[0]!;
  if (!['workdays', 'days', 'months', 'years'].includes(key)) return bad(`unknown unit "${key}"`);
  const n = (period as Record<string, unknown>)[key];
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0)
    return bad(`${key} must be a positive integer`);
  return [];
}

/** Problems in a policy loaded from storage or edited by an administrator; empty when valid. */
export function validateDeadlinePolicy(policy: unknown): FieldError[] {
  if (typeof policy !== 'object' || policy === null) {
    return [
      { field: '', code: 'INVALID_POLICY', message: { zh: '期限政策无效', en: 'Invalid deadline policy' } },
    ];
  }
  const p = policy as Record<string, unknown>;
  const problems: FieldError[] = [];
  if (typeof p.version !== 'string' || p.version.trim() === '') {
    problems.push({
      field: 'version',
      code: 'REQUIRED',
      message: { zh: '缺少版本号', en: 'version is required' },
    });
  }
  if (typeof p.effectiveFrom !== 'string' || !isIsoDate(p.effectiveFrom)) {
    problems.push({
      field: 'effectiveFrom',
      code: 'INVALID_DATE',
      message: { zh: '生效日期无效', en: 'effectiveFrom must be a YYYY-MM-DD date' },
    });
  }
  for (const name of DEADLINE_NAMES) {
    const rule = p[name] as Partial<DeadlineRule> | undefined;
    if (typeof rule !== 'object' || rule === null) {
      problems.push({
        field: name,
        code: 'REQUIRED',
        message: { zh: `缺少${name}`, en: `${name} is required` },
      });
      continue;
    }
    problems.push(...periodProblems(`${name}.period`, rule.period));
    if (typeof rule.source !== 'string' || rule.source.trim() === '') {
      problems.push({
        field: `${name}.source`,
        code: 'REQUIRED',
        message: { zh: '期限必须注明来源', en: 'Every deadline must name its source' },
      });
    }
    if (typeof rule.zhihuiDefault !== 'boolean') {
      problems.push({
        field: `${name}.zhihuiDefault`,
        code: 'REQUIRED',
        message: { zh: '须标明是否为系统默认值', en: 'zhihuiDefault must be true or false' },
      });
    }
  }
  return problems;
}
