// The dates a caller may ask a grade or a sandbox "as of": from the day the first published rule set
// took force (before it there is no rule to grade by) to a bounded horizon after today (a forecast
// further out means nothing, and date arithmetic near year 9999 would leave the calendar).
import type { Kysely } from 'kysely';
import { AppError } from '../../core/errors.js';
import { addYears, isIsoDate } from '../../core/workdays.js';
import type { Database } from '../../db/schema.js';
import { publishedRuleSets } from './rule-store.js';

/** How far after today an as-of date may lie. */
export const AS_OF_HORIZON_YEARS = 5;

export async function asOfRange(db: Kysely<Database>, today: string) {
  const sets = await publishedRuleSets(db);
  const first = sets.reduce((m, s) => (s.effectiveFrom < m ? s.effectiveFrom : m), today);
  return { from: first, to: addYears(today, AS_OF_HORIZON_YEARS) };
}

/** A real date within asOfRange, or a 400 naming the field and the range. */
export async function checkAsOf(db: Kysely<Database>, field: string, value: string, today: string) {
  if (!isIsoDate(value))
    throw new AppError('INVALID_DATE', {
      fields: [
        {
          field,
          code: 'INVALID_DATE',
          message: { zh: `日期无效: ${value}`, en: `Not a YYYY-MM-DD date: ${value}` },
        },
      ],
    });
  const { from, to } = await asOfRange(db, today);
  if (value < from || value > to)
    throw new AppError('INVALID_DATE', {
      message: {
        zh: `评价日期须在 ${from} 至 ${to} 之间`,
        en: `The as-of date must lie between ${from} and ${to}`,
      },
      fields: [
        {
          field,
          code: 'DATE_OUT_OF_RANGE',
          message: {
            zh: `评价日期须在 ${from}(首个规则集生效)至 ${to}(今天起${AS_OF_HORIZON_YEARS}年内)之间`,
            en: `Must lie between ${from} (the first rule set takes force) and ${to} (${AS_OF_HORIZON_YEARS} years from today)`,
          },
        },
      ],
    });
  return value;
}
