// Response schemas of the credit routes (docs/credit-api.md). Fastify serialises a route's answer
// through its response schema, and that serialiser is a whitelist: a field the schema does not list
// never leaves, a null where the schema says string becomes "". So every schema here describes
// exactly what the presenters (views.ts, public.ts, rule-store.ts, sandbox.ts, supervision.ts)
// return, and the type checks at the end of this file fail to compile when a presenter gains,
// loses or changes a field (or its nullability) without its schema following.
import { type Static, type TSchema, Type } from 'typebox';
import type { Message } from '../../core/errors.js';
import { BLACKLIST_ACTIONS, BLACKLIST_STATES } from './blacklist.js';
import { OBJECTION_ACTIONS, OBJECTION_STATES } from './objections.js';
import type { publicBlacklist, publicCredit, verifyReport } from './public.js';
import type { RECORD_TYPES } from './record-types.js';
import type { RuleSetChange } from './rule-diff.js';
import type { createDraft, getRuleSet, listRuleSets, ruleSetStanding } from './rule-store.js';
import { GRADES, RuleSetSchema, SEVERITIES } from './rules.js';
import type { runSandbox } from './sandbox.js';
import type { creditStats, drawTargets, supervisionPolicy } from './supervision.js';
import type { blacklistView, gradeView, objectionView, recordViews } from './views.js';

const Text = Type.Object({ zh: Type.String(), en: Type.String() });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** A closed set of strings: `{ type: 'string', enum }` (one check for the serialiser, an enum in the docs). */
const OneOf = <T extends readonly string[]>(values: T) =>
  Type.Enum([...values] as T[number][], { type: 'string' });
const Day = Type.String({ description: 'YYYY-MM-DD' });
const Instant = Type.String({ description: 'ISO-8601 UTC' });
const GradeLetter = OneOf(GRADES);
const Severity = OneOf(SEVERITIES);

// ---- grade ---------------------------------------------------------------------------------------
const Supervision = Type.Object({
  drawRatio: Type.Number(),
  onSiteCheck: OneOf(['complaintOnly', 'random'] as const),
  inspectionsPerYear: Type.Integer(),
});
const RuleSetRef = Type.Object({ id: Type.String(), version: Type.Integer() });

const gradeViewProperties = {
  grade: GradeLetter,
  gradeLabel: Text,
  score: Type.Integer(),
  base: Type.Integer(),
  rawScore: Type.Integer(),
  asOf: Day,
  ruleSet: Type.Object({ id: Type.String(), version: Type.Integer(), name: Text }),
  vetoApplied: Nullable(Type.Object({ id: Type.String(), label: Text })),
  contributions: Type.Array(
    Type.Object({
      recordId: Type.String(),
      rule: Type.String(),
      ruleLabel: Text,
      points: Type.Integer(),
      occurredOn: Day,
      expiresOn: Day,
    }),
  ),
  reversed: Type.Array(Type.Object({ recordId: Type.String(), reversedBy: Type.String() })),
  supervision: Supervision,
};
export const GradeViewSchema = Type.Object(gradeViewProperties, { title: 'CreditGradeView' });
/** GET …/grade?asOf=: the grade computed for the day, and what the history says was shown. */
export const GradeAsOfSchema = Type.Object({
  ...gradeViewProperties,
  recorded: Nullable(Type.Object({ grade: GradeLetter, score: Type.Integer() })),
});

// ---- records -------------------------------------------------------------------------------------
const EvidenceRef = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  size: Type.Integer(),
  mime: Type.String(),
});
const Reply = Type.Object({ text: Type.String(), postedOn: Day });

export const RecordViewSchema = Type.Object(
  {
    id: Type.String(),
    seq: Type.Integer(),
    kind: OneOf(['event', 'manual', 'reversal'] as const),
    eventType: Type.String(),
    eventLabel: Text,
    ruleId: Type.String(),
    ruleLabel: Text,
    ruleSet: RuleSetRef,
    points: Type.Integer(),
    occurredOn: Day,
    effectiveOn: Day,
    expiresOn: Day,
    severity: Severity,
    publishable: Type.Boolean(),
    status: OneOf(['active', 'expired', 'reversed', 'pending', 'reversal'] as const),
    reversesId: Nullable(Type.String()),
    reversedBy: Nullable(Type.String()),
    summary: Type.String(),
    summaryText: Text,
    source: Text,
    details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
    evidence: Type.Array(EvidenceRef),
    recordedAt: Instant,
    recordedBy: Type.String(),
    objection: Nullable(Type.Object({ id: Type.String(), state: OneOf(OBJECTION_STATES) })),
    reply: Nullable(Reply),
  },
  { title: 'CreditRecordView' },
);
export const RecordListSchema = Type.Object({ items: Type.Array(RecordViewSchema) });
/** A new record (manual entry, reversal) and the enterprise's grade after it. */
export const RecordAndGradeSchema = Type.Object({ record: RecordViewSchema, grade: GradeViewSchema });

export const ArchiveSchema = Type.Object({
  enterprise: Type.Object({
    id: Type.String(),
    uscc: Type.String(),
    name: Type.String(),
    townCode: Type.String(),
    townName: Type.String(),
    industryCode: Nullable(Type.String()),
  }),
  grade: GradeViewSchema,
  history: Type.Array(
    Type.Object({
      validFrom: Day,
      grade: GradeLetter,
      score: Type.Integer(),
      ruleSetId: Type.String(),
      ruleSetVersion: Type.Integer(),
    }),
  ),
  flags: Type.Object({ blacklisted: Type.Boolean(), abnormalOperations: Type.Boolean() }),
  pendingObjections: Type.Integer(),
});

export const MineSchema = Type.Object({ uscc: Type.String(), name: Type.String() });

export const RecordTypesSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      type: Type.String(),
      label: Text,
      fields: Type.Array(
        Type.Object({
          name: Type.String(),
          label: Text,
          kind: OneOf(['text', 'select', 'integer'] as const),
          required: Type.Boolean(),
          options: Type.Optional(Type.Array(Type.Object({ value: Type.String(), label: Text }))),
          min: Type.Optional(Type.Number()),
          max: Type.Optional(Type.Number()),
        }),
      ),
    }),
  ),
});

// ---- evidence ------------------------------------------------------------------------------------
export const EvidenceUploadSchema = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  size: Type.Integer(),
  mime: Type.String(),
  sha256: Type.String(),
});

/** A file answer for OpenAPI: the body is the file itself, in one of `mimes`. */
export const fileResponse = (description: string, mimes: readonly string[]) => ({
  description,
  content: Object.fromEntries(mimes.map((m) => [m, { schema: Type.String({ format: 'binary' }) }])),
});

// ---- objections and replies ----------------------------------------------------------------------
export const ObjectionViewSchema = Type.Object(
  {
    id: Type.String(),
    enterprise: Type.Object({ uscc: Type.String(), name: Type.String() }),
    recordId: Type.String(),
    recordSummary: Type.String(),
    grounds: Type.String(),
    state: OneOf(OBJECTION_STATES),
    stateLabel: Text,
    submittedOn: Day,
    reviewStartedOn: Nullable(Day),
    reviewDeadline: Nullable(Day),
    decidedOn: Nullable(Day),
    reasons: Nullable(Type.String()),
    overdue: Type.Boolean(),
    evidence: Type.Array(EvidenceRef),
    allowedActions: Type.Array(OneOf(OBJECTION_ACTIONS)),
  },
  { title: 'CreditObjectionView' },
);
export const ObjectionListSchema = Type.Object({ items: Type.Array(ObjectionViewSchema) });
export const ReplySchema = Reply;

// ---- blacklist -----------------------------------------------------------------------------------
export const BlacklistViewSchema = Type.Object(
  {
    id: Type.String(),
    enterprise: Type.Object({ uscc: Type.String(), name: Type.String(), townName: Type.String() }),
    state: OneOf(BLACKLIST_STATES),
    stateLabel: Text,
    penalty: Type.Object({ decisionNo: Type.String(), decidedOn: Day, restrictionEndsOn: Nullable(Day) }),
    notifiedOn: Nullable(Day),
    statementDeadline: Nullable(Day),
    listedOn: Nullable(Day),
    publishBy: Nullable(Day),
    publishedOn: Nullable(Day),
    expiresOn: Nullable(Day),
    earliestRemovalOn: Nullable(Day),
    endedOn: Nullable(Day),
    statementHeard: Type.Boolean(),
    penaltyRevokedBy: Nullable(Type.String()),
    pastRemovalApplications: Type.Array(
      Type.Object({
        appliedOn: Day,
        outcome: OneOf(['pending', 'approved', 'rejected', 'lapsed'] as const),
        decidedOn: Nullable(Day),
        reasons: Nullable(Type.String()),
      }),
    ),
    removalApplication: Nullable(
      Type.Object({
        appliedOn: Day,
        decideBy: Day,
        outcome: OneOf(['pending', 'approved', 'rejected', 'lapsed'] as const),
        decidedOn: Nullable(Day),
        reasons: Nullable(Type.String()),
      }),
    ),
    overdue: Type.Array(
      Type.Object({ deadline: OneOf(['publishBy', 'removalDecideBy'] as const), due: Day }),
    ),
    nextDeadline: Nullable(Type.Object({ name: Type.String(), label: Text, due: Day })),
    allowedActions: Type.Array(OneOf(BLACKLIST_ACTIONS)),
  },
  { title: 'CreditBlacklistView' },
);
export const BlacklistListSchema = Type.Object({ items: Type.Array(BlacklistViewSchema) });

// ---- rule sets and sandbox -----------------------------------------------------------------------
const ruleSetMetaProperties = {
  id: Type.String(),
  version: Type.Integer(),
  status: OneOf(['draft', 'published'] as const),
  effectiveFrom: Day,
  name: Text,
  createdAt: Instant,
  createdBy: Type.String(),
  publishedAt: Nullable(Instant),
};
export const RuleSetMetaSchema = Type.Object(ruleSetMetaProperties, { title: 'CreditRuleSetMeta' });
/** 现行 / 将于 effectiveFrom 生效 / 已被取代, or a draft. */
const standingProperties = {
  inForce: Type.Boolean(),
  standing: OneOf(['draft', 'inForce', 'scheduled', 'superseded'] as const),
};
export const RuleSetListSchema = Type.Object({
  items: Type.Array(Type.Object({ ...ruleSetMetaProperties, ...standingProperties })),
});
/** One rule set: its meta, its standing today and the body (the JSON of data/credit/ruleset-2024.json). */
export const RuleSetDetailSchema = Type.Object({
  ...ruleSetMetaProperties,
  ...standingProperties,
  body: RuleSetSchema,
});
const RuleSetChangeSchema = Type.Object({
  kind: OneOf(['added', 'removed', 'changed'] as const),
  area: OneOf(['general', 'bounds', 'grade', 'veto', 'rule', 'supervision', 'disclosure'] as const),
  key: Type.String(),
  what: Text,
  before: Nullable(Text),
  after: Nullable(Text),
});
const DiffSide = Type.Object({
  version: Type.Integer(),
  status: OneOf(['draft', 'published'] as const),
  effectiveFrom: Day,
});
/** GET /rule-sets/:id/diff: the changes from one version to another, in words. */
export const RuleSetDiffSchema = Type.Object(
  { id: Type.String(), from: DiffSide, to: DiffSide, changes: Type.Array(RuleSetChangeSchema) },
  { title: 'CreditRuleSetDiff' },
);
const PathMessage = Type.Object({ path: Type.String(), message: Text });
export const RuleSetValidationSchema = Type.Object({
  ok: Type.Boolean(),
  errors: Type.Array(PathMessage),
  warnings: Type.Array(PathMessage),
});

const PerGrade = <T extends TSchema>(t: T) => Type.Object({ A: t, B: t, C: t, D: t });
const Movement = Type.Object({
  code: Type.String(),
  name: Type.String(),
  total: Type.Integer(),
  up: Type.Integer(),
  down: Type.Integer(),
});
export const SandboxSchema = Type.Object({
  asOf: Day,
  baseline: RuleSetRef,
  draft: RuleSetRef,
  total: Type.Integer(),
  moved: Type.Integer(),
  matrix: PerGrade(PerGrade(Type.Integer())),
  byTown: Type.Array(Movement),
  byIndustry: Type.Array(Movement),
  movers: Type.Array(
    Type.Object({
      uscc: Type.String(),
      name: Type.String(),
      townName: Type.String(),
      from: GradeLetter,
      to: GradeLetter,
      scoreFrom: Type.Integer(),
      scoreTo: Type.Integer(),
      reasons: Type.Array(
        Type.Object({
          rule: Type.String(),
          label: Text,
          pointsFrom: Type.Integer(),
          pointsTo: Type.Integer(),
        }),
      ),
    }),
  ),
  elapsedMs: Type.Integer(),
});

// ---- statistics and supervision ------------------------------------------------------------------
const GradeCounts = (extra: Record<string, TSchema>) =>
  Type.Object({ ...extra, A: Type.Integer(), B: Type.Integer(), C: Type.Integer(), D: Type.Integer() });
/** One town's or industry's count of enterprises per grade. */
const GradesOfGroup = Type.Object({
  code: Type.String(),
  name: Type.String(),
  A: Type.Integer(),
  B: Type.Integer(),
  C: Type.Integer(),
  D: Type.Integer(),
});
export const StatsSchema = Type.Object({
  asOf: Day,
  total: Type.Integer(),
  byGrade: GradeCounts({}),
  byTown: Type.Array(GradesOfGroup),
  byIndustry: Type.Array(GradesOfGroup),
  // Only the states that have entries (in scope) appear.
  blacklist: Type.Record(Type.String(), Type.Integer(), {
    description: 'Entries per blacklist state; states without entries are absent',
  }),
  listed: Type.Integer({ description: 'Entries listed or published (the veto applies)' }),
  objections: Type.Object({ pending: Type.Integer(), overdue: Type.Integer() }),
});

export const SupervisionPolicySchema = Type.Object({
  ruleSet: RuleSetRef,
  grades: PerGrade(
    Type.Object({
      drawRatio: Type.Number(),
      onSiteCheck: OneOf(['complaintOnly', 'random'] as const),
      inspectionsPerYear: Type.Integer(),
      label: Text,
    }),
  ),
});

export const DrawSchema = Type.Object({
  ruleSet: RuleSetRef,
  purpose: OneOf(['sampling', 'onSite'] as const),
  seed: Type.Integer(),
  counts: PerGrade(Type.Object({ population: Type.Integer(), drawn: Type.Integer(), ratio: Type.Number() })),
  items: Type.Array(Type.Object({ uscc: Type.String(), name: Type.String(), grade: GradeLetter })),
});

// ---- public (no login) ---------------------------------------------------------------------------
const PublicRecord = Type.Object({
  id: Type.String(),
  eventLabel: Text,
  ruleLabel: Text,
  occurredOn: Day,
  expiresOn: Day,
  severity: Severity,
  summary: Type.String(),
  summaryText: Text,
  source: Text,
  pendingObjection: Type.Boolean(),
  reply: Nullable(Reply),
});

export const PublicCreditSchema = Type.Object({
  uscc: Type.String(),
  name: Type.String(),
  lastUpdated: Nullable(Instant),
  goodCredit: Nullable(Type.Object({ years: Type.Integer(), label: Text })),
  records: Type.Array(PublicRecord),
  blacklist: Nullable(
    Type.Object({
      listedOn: Nullable(Day),
      publishedOn: Nullable(Day),
      expiresOn: Nullable(Day),
      decisionNo: Type.String(),
    }),
  ),
  // Present only when the rule set in force publishes grades (disclosure.publishGrades).
  grade: Type.Optional(Type.Object({ grade: GradeLetter, gradeLabel: Text })),
});

export const PublicBlacklistSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      uscc: Type.String(),
      name: Type.String(),
      townName: Type.String(),
      listedOn: Nullable(Day),
      publishedOn: Nullable(Day),
      expiresOn: Nullable(Day),
      decisionNo: Type.String(),
    }),
  ),
  nextCursor: Nullable(Type.String()),
});

/** The open-data JSON document (streamed, so documentation only: it is not serialised through this). */
export const OpenDataSchema = Type.Object({
  generatedOn: Day,
  columns: Type.Array(Type.String()),
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      uscc: Type.String(),
      enterpriseName: Type.String(),
      eventType: Type.String(),
      eventLabel: Type.String(),
      summary: Type.String(),
      source: Type.String(),
      severity: Type.String(),
      severityLabel: Type.String(),
      occurredOn: Day,
      expiresOn: Day,
      pendingObjection: Type.Boolean(),
      reply: Nullable(Type.String()),
    }),
  ),
});

export const ReportCheckSchema = Type.Object({
  valid: Type.Boolean(),
  uscc: Type.String(),
  name: Type.String(),
  issuedAt: Instant,
  asOf: Day,
  checkCode: Type.String(),
});

// ---- the schemas follow the presenters ------------------------------------------------------------
// Shapes compared with enumerations widened to string (the database types many codes as string):
// the same keys at every depth, the same optionality and nullability, the same kinds of value.
type Widen<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends null | undefined
        ? T
        : T extends readonly (infer U)[]
          ? Widen<U>[]
          : T extends object
            ? { [K in keyof T]: Widen<T[K]> }
            : T;
type Same<A, B> = [Widen<A>] extends [Widen<B>] ? ([Widen<B>] extends [Widen<A>] ? true : false) : false;
/** Compiles only when the schema's static type and the presenter's output have the same shape. */
const sameShape = <S extends TSchema, P>(_check: Same<Static<S>, P>) => undefined;
type Out<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

sameShape<typeof GradeViewSchema, Out<typeof gradeView>>(true);
sameShape<typeof RecordViewSchema, Out<typeof recordViews>[number]>(true);
sameShape<typeof ObjectionViewSchema, ReturnType<typeof objectionView>>(true);
sameShape<typeof BlacklistViewSchema, ReturnType<typeof blacklistView>>(true);
sameShape<(typeof RecordTypesSchema)['properties']['items'], typeof RECORD_TYPES>(true);
sameShape<(typeof RuleSetListSchema)['properties']['items'], Out<typeof listRuleSets>>(true);
sameShape<typeof RuleSetMetaSchema, Out<typeof createDraft>>(true);
sameShape<
  typeof RuleSetDetailSchema,
  Out<typeof getRuleSet>['meta'] & Out<typeof ruleSetStanding> & { body: Out<typeof getRuleSet>['body'] }
>(true);
sameShape<typeof RuleSetChangeSchema, RuleSetChange>(true);
sameShape<typeof SandboxSchema, Out<typeof runSandbox>>(true);
sameShape<typeof StatsSchema, Out<typeof creditStats>>(true);
sameShape<typeof SupervisionPolicySchema, Out<typeof supervisionPolicy>>(true);
sameShape<typeof DrawSchema, Out<typeof drawTargets>>(true);
sameShape<typeof PublicCreditSchema, Out<typeof publicCredit>>(true);
sameShape<typeof PublicBlacklistSchema, Out<typeof publicBlacklist>>(true);
sameShape<typeof ReportCheckSchema, NonNullable<Out<typeof verifyReport>>>(true);
sameShape<typeof Text, Message>(true);
