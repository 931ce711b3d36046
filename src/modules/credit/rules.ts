// Credit rule sets as versioned data: the schema an administrator's edit must pass, the semantic
// checks a schema cannot express, and the look-ups that turn an event into the rule that scores it.
// Pure apart from loadDefaultRuleSet, which reads the shipped JSON file.
import { readFileSync } from 'node:fs';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { AppError, type Message } from '../../core/errors.js';
import { addCalendarDays, addMonths, type IsoDate, isIsoDate } from '../../core/workdays.js';

/**
 * Where dates and periods enter a rule set, they are bounded, so that no arithmetic on them can
 * leave the calendar (year 9999): a rule set takes force between these years, a record counts for
 * at most MAX_VALIDITY_YEARS.
 */
export const RULE_SET_YEARS = { min: 2000, max: 2099 } as const;
export const MAX_VALIDITY_YEARS = 30;

export const GRADES = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof GRADES)[number];

export const SEVERITIES = ['info', 'minor', 'major', 'serious'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Facts about an enterprise that veto a grade regardless of its score. */
export const VETO_FLAGS = ['blacklisted', 'abnormalOperations'] as const;
export type VetoFlag = (typeof VETO_FLAGS)[number];

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

const Bilingual = Type.Object(
  { zh: Type.String({ minLength: 1 }), en: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const ValiditySchema = Type.Object(
  {
    years: Type.Optional(Type.Integer()),
    months: Type.Optional(Type.Integer()),
    days: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);

export const RuleSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    eventType: Type.String({ pattern: '^[a-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*){2}$' }),
    match: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    ),
    points: Type.Integer(),
    validity: ValiditySchema,
    severity: literals(SEVERITIES),
    publishable: Type.Boolean(),
    label: Bilingual,
    source: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

const SupervisionSchema = Type.Object(
  {
    drawRatio: Type.Number(),
    // complaintOnly: no proactive on-site check except on complaint, referral or a legal requirement.
    onSiteCheck: Type.Union([Type.Literal('complaintOnly'), Type.Literal('random')]),
    inspectionsPerYear: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const RuleSetSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    version: Type.Integer({ minimum: 1 }),
    name: Bilingual,
    effectiveFrom: DateString,
    base: Type.Integer(),
    bounds: Type.Object({ min: Type.Integer(), max: Type.Integer() }, { additionalProperties: false }),
    grades: Type.Array(
      Type.Object(
        { grade: literals(GRADES), minScore: Type.Integer(), label: Bilingual },
        { additionalProperties: false },
      ),
    ),
    vetoes: Type.Array(
      Type.Object(
        {
          id: Type.String({ minLength: 1 }),
          when: Type.Object({ flag: literals(VETO_FLAGS) }, { additionalProperties: false }),
          // A plain string so that "cap is a known grade" is checked with a clear message.
          cap: Type.String(),
          label: Bilingual,
        },
        { additionalProperties: false },
      ),
    ),
    rules: Type.Array(RuleSchema),
    supervision: Type.Object(
      { A: SupervisionSchema, B: SupervisionSchema, C: SupervisionSchema, D: SupervisionSchema },
      { additionalProperties: false },
    ),
    // Grades are internal supervision tools unless the policy says to publish them.
    disclosure: Type.Optional(
      Type.Object({ publishGrades: Type.Boolean() }, { additionalProperties: false }),
    ),
    notes: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export type RuleSet = Static<typeof RuleSetSchema>;
export type Rule = Static<typeof RuleSchema>;
export type Validity = Static<typeof ValiditySchema>;
export type Supervision = Static<typeof SupervisionSchema>;

export type RuleSetError = { path: string; message: Message };
export type RuleSetValidation = { ok: true; value: RuleSet } | { ok: false; errors: RuleSetError[] };

/** Schema errors first; semantic checks only run on a structurally valid set. */
export function validateRuleSet(raw: unknown): RuleSetValidation {
  const schemaErrors = [...Value.Errors(RuleSetSchema, raw)].map(
    (e): RuleSetError => ({
      path: e.instancePath,
      message: {
        zh: `格式不符合规则集结构: ${e.message}`,
        en: `Does not match the rule-set schema: ${e.message}`,
      },
    }),
  );
  if (schemaErrors.length > 0) return { ok: false, errors: schemaErrors };
  const value = raw as RuleSet;
  const errors = semanticErrors(value);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

function semanticErrors(rs: RuleSet): RuleSetError[] {
  const errors: RuleSetError[] = [];
  const add = (path: string, zh: string, en: string) => errors.push({ path, message: { zh, en } });

  if (!isIsoDate(rs.effectiveFrom))
    add('/effectiveFrom', '生效日期不是有效日期', 'effectiveFrom is not a real date');
  else if (
    Number(rs.effectiveFrom.slice(0, 4)) < RULE_SET_YEARS.min ||
    Number(rs.effectiveFrom.slice(0, 4)) > RULE_SET_YEARS.max
  )
    add(
      '/effectiveFrom',
      `生效日期须在 ${RULE_SET_YEARS.min} 年至 ${RULE_SET_YEARS.max} 年之间`,
      `effectiveFrom must lie between ${RULE_SET_YEARS.min} and ${RULE_SET_YEARS.max}`,
    );
  if (rs.bounds.min >= rs.bounds.max)
    add('/bounds', '分值下限必须小于上限', 'bounds.min must be less than bounds.max');
  if (rs.base < rs.bounds.min || rs.base > rs.bounds.max)
    add('/base', '基础分必须在分值上下限之内', 'base must lie within bounds');

  const order = rs.grades.map((g) => g.grade).join('');
  if (order !== GRADES.join('')) {
    add('/grades', '等级必须依次为 A、B、C、D 各一个', 'grades must be A, B, C, D, once each, in that order');
  } else {
    rs.grades.forEach((g, i) => {
      const prev = rs.grades[i - 1];
      if (prev && g.minScore >= prev.minScore)
        add(
          `/grades/${i}/minScore`,
          `等级 ${g.grade} 的最低分必须低于等级 ${prev.grade}`,
          `minScore of ${g.grade} must be below that of ${prev.grade}`,
        );
    });
    const last = rs.grades[rs.grades.length - 1]!;
    if (last.minScore > rs.bounds.min)
      add(
        `/grades/${rs.grades.length - 1}/minScore`,
        '最低等级的最低分不得高于分值下限，否则有分数无等级',
        'the lowest grade must start at or below bounds.min, or some scores would have no grade',
      );
  }

  const vetoIds = new Set<string>();
  rs.vetoes.forEach((v, i) => {
    if (vetoIds.has(v.id)) add(`/vetoes/${i}/id`, `否决项编号重复: ${v.id}`, `duplicate veto id: ${v.id}`);
    vetoIds.add(v.id);
    if (!rs.grades.some((g) => g.grade === v.cap))
      add(`/vetoes/${i}/cap`, `否决项封顶等级未定义: ${v.cap}`, `veto cap is not a known grade: ${v.cap}`);
  });

  const ruleIds = new Set<string>();
  rs.rules.forEach((r, i) => {
    if (ruleIds.has(r.id)) add(`/rules/${i}/id`, `规则编号重复: ${r.id}`, `duplicate rule id: ${r.id}`);
    ruleIds.add(r.id);
    if (!isPositiveValidity(r.validity))
      add(
        `/rules/${i}/validity`,
        '有效期必须为正：年、月、日均为非负整数且不全为零',
        'validity must be positive: years, months and days non-negative and not all zero',
      );
    else if (validityDays(r.validity) > MAX_VALIDITY_YEARS * 366)
      add(
        `/rules/${i}/validity`,
        `有效期不得超过${MAX_VALIDITY_YEARS}年`,
        `validity must not exceed ${MAX_VALIDITY_YEARS} years`,
      );
  });

  for (const grade of GRADES) {
    const ratio = rs.supervision[grade].drawRatio;
    if (!(ratio >= 0 && ratio <= 1))
      add(
        `/supervision/${grade}/drawRatio`,
        `等级 ${grade} 的抽查比例必须在 0 到 1 之间`,
        `drawRatio of ${grade} must be between 0 and 1`,
      );
  }
  return errors;
}

/** An upper estimate of a validity in days (a year as 366, a month as 31). */
export function validityDays(v: Validity): number {
  return (v.years ?? 0) * 366 + (v.months ?? 0) * 31 + (v.days ?? 0);
}

function isPositiveValidity(v: Validity): boolean {
  const parts = [v.years ?? 0, v.months ?? 0, v.days ?? 0];
  return parts.every((n) => n >= 0) && parts.some((n) => n > 0);
}

/** The first rule for the event's type whose match fields all equal the payload's; null if none. */
export function ruleFor(
  ruleSet: RuleSet,
  event: { type: string; payload: Record<string, unknown> },
): Rule | null {
  return (
    ruleSet.rules.find(
      (r) =>
        r.eventType === event.type &&
        Object.entries(r.match ?? {}).every(([field, value]) => event.payload[field] === value),
    ) ?? null
  );
}

/** The set with the latest effectiveFrom on or before date; a later version wins a tie. */
export function ruleSetInForce<T extends Pick<RuleSet, 'effectiveFrom' | 'version'>>(
  ruleSets: readonly T[],
  date: IsoDate,
): T | null {
  let best: T | null = null;
  for (const rs of ruleSets) {
    if (rs.effectiveFrom > date) continue;
    if (
      !best ||
      rs.effectiveFrom > best.effectiveFrom ||
      (rs.effectiveFrom === best.effectiveFrom && rs.version > best.version)
    )
      best = rs;
  }
  return best;
}

/** The first day a record no longer counts; years and months are added together so a month end clamps once. */
export function expiryDate(effectiveOn: IsoDate, validity: Validity): IsoDate {
  const months = (validity.years ?? 0) * 12 + (validity.months ?? 0);
  try {
    return addCalendarDays(addMonths(effectiveOn, months), validity.days ?? 0);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    // A date beyond the calendar: refused as bad input, never a 500.
    throw new AppError('INVALID_DATE', {
      message: {
        zh: `日期超出可计算范围: ${effectiveOn} 加有效期 ${JSON.stringify(validity)}`,
        en: `Date out of range: ${effectiveOn} plus validity ${JSON.stringify(validity)}`,
      },
      fields: [
        {
          field: 'validity',
          code: 'DATE_OUT_OF_RANGE',
          message: {
            zh: '日期加有效期超出 9999-12-31',
            en: 'The date plus the validity lies beyond 9999-12-31',
          },
        },
      ],
    });
  }
}

const DEFAULT_PATH = new URL('../../../data/credit/ruleset-2024.json', import.meta.url);

/** Read and validate a shipped rule set; throws with every problem listed if it is invalid. */
export function loadRuleSet(path: string | URL = DEFAULT_PATH): RuleSet {
  const result = validateRuleSet(JSON.parse(readFileSync(path, 'utf8')));
  if (!result.ok) {
    const list = result.errors.map((e) => `${e.path || '/'}: ${e.message.en}`).join('; ');
    throw new Error(`Invalid credit rule set ${String(path)}: ${list}`);
  }
  return result.value;
}
