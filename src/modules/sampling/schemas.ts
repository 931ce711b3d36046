// Response schemas of the sampling routes (routes.ts and the portal's public.ts; the cases and the
// statistics keep theirs in case-routes.ts and stats-routes.ts). Fastify serialises a route's
// answer through its response schema, and that serialiser is a whitelist: a field the schema does
// not list never leaves, a null where the schema says string becomes "". So every schema here
// describes exactly what the presenters (views.ts, draw-store.ts, plans.ts, inspectors.ts,
// fieldwork.ts, refs.ts, public.ts) return, and the type checks at the end of this file fail to
// compile when a presenter gains, loses or changes a field (or its nullability) without its schema
// following. responses.test.ts checks the same at run time, route by route.
import { type Static, type TSchema, Type } from 'typebox';
import type { Message } from '../../core/errors.js';
import { GRADES } from './draw.js';
import type { confirmDraw, getDraw, previewDraw, verifyDraw } from './draw-store.js';
import type { storeFile } from './fieldwork.js';
import type {
  addReferral,
  inspectorCandidates,
  listInspectors,
  listReferrals,
  putInspector,
} from './inspectors.js';
import {
  DRAW_REASONS,
  EXCLUSION_REASONS,
  ITEM_CLASSES,
  PLAN_KINDS,
  PLAN_LEVELS,
  PLAN_STATES,
  SAMPLE_STATES,
  TASK_STATES,
} from './model.js';
import type { getPlan, listPlans } from './plans.js';
import { CASE_STATES } from './postprocess.js';
import type { bulletin, bulletins, publicDraw } from './public.js';
import type { labs } from './refs.js';
import type {
  enterpriseSamples,
  labSamples,
  listTasks,
  planDetail,
  sampleDetail,
  taskDetail,
} from './views.js';

const Text = Type.Object({ zh: Type.String(), en: Type.String() });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** A closed set of strings: `{ type: 'string', enum }` (one check for the serialiser, an enum in the docs). */
const OneOf = <T extends readonly string[]>(values: T) =>
  Type.Enum([...values] as T[number][], { type: 'string' });
const Day = Type.String({ description: 'YYYY-MM-DD' });
const Instant = Type.String({ description: 'ISO-8601 UTC' });
const Verdict = OneOf(['pass', 'fail'] as const);
const ItemClass = OneOf(ITEM_CLASSES);
const PlanKind = OneOf(PLAN_KINDS);
const FILE_KINDS = ['photo', 'report', 'retestReport', 'refusal', 'notice'] as const;

const Person = Type.Object({ id: Type.String(), displayName: Type.String() });
const EnterpriseRef = Type.Object({ id: Type.String(), uscc: Type.String(), name: Type.String() });
const CategoryRef = Type.Object({ code: Type.String(), name: Type.String() });
const Lab = Type.Object({ id: Type.String(), uscc: Type.String(), name: Type.String() });
const CheckItem = Type.Object({
  key: Type.String(),
  standardCode: Type.String(),
  clause: Type.String(),
  item: Type.String(),
  requirement: Type.String(),
  unit: Type.String(),
  class: ItemClass,
});

// ---- plans ---------------------------------------------------------------------------------------
export const PlanListSchema = Type.Object({
  items: Type.Array(
    Type.Object(
      {
        id: Type.String(),
        code: Type.String(),
        version: Type.Integer(),
        year: Type.Integer(),
        title: Type.String(),
        kind: PlanKind,
        level: OneOf(PLAN_LEVELS),
        state: OneOf(PLAN_STATES),
        categories: Type.Integer({ description: 'Number of product categories' }),
        towns: Type.Integer({ description: 'Number of towns named (0: the whole city)' }),
        drawn: Type.Boolean(),
        publishedAt: Nullable(Instant),
      },
      { title: 'SamplingPlanSummary' },
    ),
  ),
});

const PlanBody = Type.Object({
  legalBasis: Type.String(),
  towns: Type.Array(Type.String()),
  townQuotas: Type.Record(Type.String(), Type.Integer()),
  budgetYuan: Type.Integer(),
  categories: Type.Array(
    Type.Object({
      code: Type.String(),
      checkItems: Type.Array(CheckItem),
      testUnits: Type.Integer(),
      backupUnits: Type.Integer(),
      labEnterpriseId: Type.String(),
      quota: Type.Integer(),
    }),
  ),
  amendmentNote: Type.Optional(Type.String()),
});

/** A plan, its body, and what the plan page shows beside it (names, versions, draw, progress). */
export const PlanViewSchema = Type.Object(
  {
    id: Type.String(),
    code: Type.String(),
    version: Type.Integer(),
    supersedesId: Nullable(Type.String()),
    year: Type.Integer(),
    title: Type.String(),
    kind: PlanKind,
    level: OneOf(PLAN_LEVELS),
    state: OneOf(PLAN_STATES),
    body: PlanBody,
    createdAt: Instant,
    updatedAt: Instant,
    publishedAt: Nullable(Instant),
    categoryNames: Type.Record(Type.String(), Type.String(), { description: 'category code → name' }),
    labs: Type.Record(Type.String(), Type.Object({ uscc: Type.String(), name: Type.String() }), {
      description: 'lab enterprise id → lab',
    }),
    versions: Type.Array(
      Type.Object({ id: Type.String(), version: Type.Integer(), state: OneOf(PLAN_STATES) }),
    ),
    draw: Nullable(Type.Object({ id: Type.String(), seed: Type.Integer(), drawnAt: Instant, asOf: Day })),
    progress: Type.Object({
      tasks: Type.Integer(),
      assigned: Type.Integer(),
      refused: Type.Integer(),
      sentToLab: Type.Integer(),
      tested: Type.Integer(),
      passed: Type.Integer(),
      failed: Type.Integer(),
    }),
  },
  { title: 'SamplingPlanView' },
);

export const PlanDeletedSchema = Type.Null({ description: '草稿已删除 The draft is deleted' });

export const LabListSchema = Type.Object({ items: Type.Array(Lab) });

// ---- the draw ------------------------------------------------------------------------------------
const Stratum = Type.Object({
  grade: OneOf(GRADES),
  population: Type.Integer(),
  drawn: Type.Integer(),
  ratio: Type.Number(),
});
const Placed = Type.Object({
  enterpriseId: Type.String(),
  categoryCode: Type.String(),
  townCode: Type.String(),
});

export const DrawViewSchema = Type.Object(
  {
    plan: Type.Object({ id: Type.String(), code: Type.String(), version: Type.Integer(), kind: PlanKind }),
    seed: Type.Integer(),
    asOf: Day,
    ruleSet: Type.Object({ id: Type.String(), version: Type.Integer() }),
    poolSize: Type.Integer(),
    strata: Type.Array(Stratum),
    byCategory: Type.Array(
      Type.Object({
        categoryCode: Type.String(),
        categoryName: Type.String(),
        strata: Type.Array(Stratum),
        quotaApplied: Type.Boolean(),
      }),
    ),
    excluded: Type.Array(
      Type.Object({
        enterpriseId: Type.String(),
        uscc: Type.String(),
        name: Type.String(),
        categoryCode: Type.String(),
        reason: OneOf(EXCLUSION_REASONS),
        reasonLabel: Text,
        detail: Type.String(),
      }),
    ),
    items: Type.Array(
      Type.Object({
        enterpriseId: Type.String(),
        uscc: Type.String(),
        name: Type.String(),
        grade: OneOf(GRADES),
        townCode: Type.String(),
        townName: Type.String(),
        categoryCode: Type.String(),
        categoryName: Type.String(),
        reason: OneOf(DRAW_REASONS),
        reference: Nullable(Type.String()),
        inspectors: Type.Array(Person),
      }),
    ),
    capped: Type.Array(Placed, { description: 'Drawn, then dropped by a town quota' }),
    inspectorShortage: Type.Array(Placed, {
      description: 'Items without two conflict-free inspectors (the draw cannot be confirmed)',
    }),
    drawnAt: Nullable(Instant),
    drawnBy: Nullable(Type.String()),
  },
  { title: 'SamplingDrawView' },
);

export const DrawVerificationSchema = Type.Object({
  identical: Type.Boolean(),
  differences: Type.Array(Type.String()),
});

// ---- inspectors and referrals --------------------------------------------------------------------
export const InspectorSchema = Type.Object(
  {
    userId: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    role: Type.String(),
    townCode: Nullable(Type.String()),
    active: Type.Boolean(),
    conflicts: Type.Array(
      Type.Object({
        enterpriseId: Type.String(),
        uscc: Type.String(),
        name: Type.String(),
        reason: Type.String(),
      }),
    ),
  },
  { title: 'SamplingInspector' },
);
export const InspectorListSchema = Type.Object({ items: Type.Array(InspectorSchema) });

export const CandidateListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      username: Type.String(),
      displayName: Type.String(),
      role: Type.String(),
      townCode: Nullable(Type.String()),
    }),
  ),
});

export const ReferralSchema = Type.Object(
  {
    id: Type.String(),
    enterprise: EnterpriseRef,
    categoryCode: Nullable(Type.String()),
    reason: OneOf(['complaint', 'referral'] as const),
    reference: Type.String(),
    note: Nullable(Type.String()),
    createdAt: Instant,
    drawId: Nullable(Type.String({ description: 'The draw that used it (null: still open)' })),
  },
  { title: 'SamplingReferral' },
);
export const ReferralListSchema = Type.Object({ items: Type.Array(ReferralSchema) });

// ---- tasks and samples ---------------------------------------------------------------------------
const taskSummaryProperties = {
  id: Type.String(),
  taskNo: Type.String(),
  enterprise: EnterpriseRef,
  townCode: Type.String(),
  townName: Type.String(),
  category: CategoryRef,
  state: OneOf(TASK_STATES),
  reason: OneOf(DRAW_REASONS),
  inspectors: Type.Array(Person, { description: 'Officials only (empty for others)' }),
};
export const TaskListSchema = Type.Object({
  total: Type.Integer(),
  items: Type.Array(
    Type.Object(
      {
        ...taskSummaryProperties,
        plan: Type.Object({ id: Type.String(), code: Type.String(), title: Type.String() }),
        sampleNo: Nullable(Type.String()),
        sampleId: Nullable(Type.String()),
      },
      { title: 'SamplingTaskSummary' },
    ),
  ),
});

export const SampleDetailSchema = Type.Object(
  {
    id: Type.String(),
    sampleNo: Type.String(),
    task: Type.Object({ id: Type.String(), taskNo: Type.String() }),
    plan: Type.Object({ id: Type.String(), code: Type.String(), title: Type.String() }),
    enterprise: EnterpriseRef,
    townName: Type.String(),
    category: CategoryRef,
    productName: Type.String(),
    trademark: Type.String(),
    model: Type.String(),
    standardCode: Type.String(),
    batch: Type.String(),
    productionDate: Nullable(Day),
    testUnits: Type.Integer(),
    backupUnits: Type.Integer(),
    place: OneOf(['factory', 'market'] as const),
    sampledOn: Day,
    sealNumbers: Type.Array(Type.String()),
    confirmation: Nullable(
      Type.Object(
        { signer: Type.String(), title: Type.Optional(Type.String()) },
        { description: 'Officials and the lab only (null for others)' },
      ),
    ),
    lab: Lab,
    state: OneOf(SAMPLE_STATES),
    verdict: Nullable(Verdict),
    severity: Nullable(ItemClass),
    reportedOn: Nullable(Day),
    checkItems: Type.Array(CheckItem),
    results: Type.Array(
      Type.Object({
        key: Type.String(),
        round: OneOf(['original', 'retest'] as const),
        measured: Type.String(),
        verdict: Verdict,
        itemClass: ItemClass,
      }),
    ),
    case: Nullable(
      Type.Object({
        id: Type.String(),
        state: OneOf(CASE_STATES),
        stateLabel: Text,
        dueOn: Nullable(Day),
        retestLabId: Nullable(Type.String()),
        objectionItems: Type.Array(Type.String()),
      }),
    ),
    files: Type.Array(
      Type.Object({
        id: Type.String(),
        kind: OneOf(FILE_KINDS),
        filename: Type.String(),
        size: Type.Integer(),
      }),
    ),
  },
  { title: 'SamplingSampleDetail' },
);

export const TaskDetailSchema = Type.Object(
  {
    ...taskSummaryProperties,
    plan: Type.Object({ id: Type.String(), code: Type.String(), title: Type.String(), kind: PlanKind }),
    enterprise: Type.Object({
      id: Type.String(),
      uscc: Type.String(),
      name: Type.String(),
      address: Nullable(Type.String()),
    }),
    youAreInspector: Type.Boolean(),
    checkItems: Type.Array(CheckItem),
    testUnits: Type.Integer(),
    backupUnits: Type.Integer(),
    lab: Nullable(Lab),
    refusal: Nullable(Type.Object({ on: Day, note: Type.String(), witnesses: Type.Array(Type.String()) })),
    files: Type.Array(
      Type.Object({
        id: Type.String(),
        kind: OneOf(FILE_KINDS),
        filename: Type.String(),
        size: Type.Integer(),
        mime: Type.String(),
      }),
    ),
    sample: Nullable(SampleDetailSchema),
  },
  { title: 'SamplingTaskDetail' },
);

/** A stored upload (photo, report): what GET /api/v1/sampling/files/:id serves. */
export const StoredFileSchema = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  size: Type.Integer(),
  kind: OneOf(FILE_KINDS),
});

/** A file answer for OpenAPI: the body is the file itself, in one of `mimes`. */
export const fileResponse = (description: string, mimes: readonly string[]) => ({
  description,
  content: Object.fromEntries(mimes.map((m) => [m, { schema: Type.String({ format: 'binary' }) }])),
});
export const SAMPLING_FILE_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;

export const LabSampleListSchema = Type.Object({
  items: Type.Array(
    Type.Object(
      {
        id: Type.String(),
        sampleNo: Type.String(),
        productName: Type.String(),
        model: Type.String(),
        sampledOn: Day,
        state: OneOf(SAMPLE_STATES),
        verdict: Nullable(Verdict),
        category: CategoryRef,
        enterprise: Type.Object({ uscc: Type.String(), name: Type.String() }),
        retest: Type.Boolean({ description: 'Re-tested here (first tested by another lab)' }),
      },
      { title: 'SamplingLabSample' },
    ),
  ),
});

export const EnterpriseSampleListSchema = Type.Object({
  items: Type.Array(
    Type.Object(
      {
        id: Type.String(),
        sampleNo: Type.String(),
        planTitle: Type.String(),
        productName: Type.String(),
        trademark: Type.String(),
        model: Type.String(),
        batch: Type.String(),
        sampledOn: Day,
        state: OneOf(SAMPLE_STATES),
        verdict: Nullable(Verdict),
        severity: Nullable(ItemClass),
        reportedOn: Nullable(Day),
        category: CategoryRef,
        case: Nullable(
          Type.Object({
            id: Type.String(),
            state: OneOf(CASE_STATES),
            stateLabel: Text,
            dueOn: Nullable(Day),
          }),
        ),
      },
      { title: 'SamplingOwnSample' },
    ),
  ),
});

// ---- public (no login) ---------------------------------------------------------------------------
const PublicPlan = Type.Object({
  id: Type.String(),
  code: Type.String(),
  title: Type.String(),
  year: Type.Integer(),
  kind: PlanKind,
});

export const BulletinListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      planId: Type.String(),
      code: Type.String(),
      title: Type.String(),
      year: Type.Integer(),
      kind: PlanKind,
      samples: Type.Integer(),
      failed: Type.Integer(),
      passRate: Nullable(Type.Number({ description: 'Per cent, one decimal' })),
      publishedOn: Nullable(Day),
    }),
  ),
});

export const BulletinSchema = Type.Object({
  plan: PublicPlan,
  publishedOn: Nullable(Day),
  samples: Type.Integer(),
  failed: Type.Integer(),
  rows: Type.Array(
    Type.Object({
      sampleNo: Type.String(),
      product: Type.String(),
      category: Type.String(),
      producer: Type.Object({ name: Type.String(), uscc: Type.String() }),
      trademark: Type.String(),
      model: Type.String(),
      batch: Type.String(),
      productionDate: Nullable(Day),
      verdict: Verdict,
      failedItems: Type.Array(Type.String()),
    }),
  ),
});

export const PublicDrawSchema = Type.Object({
  plan: PublicPlan,
  seed: Type.Integer(),
  asOf: Day,
  drawnAt: Instant,
  ruleSet: Type.Object({ id: Type.String(), version: Type.Integer() }),
  poolSize: Type.Integer(),
  strata: Type.Array(
    Type.Object(
      { grade: Type.String(), population: Type.Integer(), ratio: Type.Number() },
      {
        description:
          "The pool by grade and the ratio drawn — not how many of each grade were drawn, which with the list would tell small firms' grades",
      },
    ),
  ),
  excludedCount: Type.Integer(),
  drawn: Type.Integer(),
  disclosed: Type.Boolean({ description: 'The enterprises are shown once every task is sampled or refused' }),
  items: Type.Array(Type.Object({ uscc: Type.String(), name: Type.String(), category: Type.String() })),
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

sameShape<(typeof PlanListSchema)['properties']['items'], Out<typeof listPlans>>(true);
// routes.ts planView: { ...getPlan(), ...planDetail() }
sameShape<typeof PlanViewSchema, Out<typeof getPlan> & Out<typeof planDetail>>(true);
sameShape<(typeof LabListSchema)['properties']['items'], Out<typeof labs>>(true);
sameShape<typeof DrawViewSchema, Out<typeof previewDraw>>(true);
sameShape<typeof DrawViewSchema, Out<typeof confirmDraw>>(true);
sameShape<typeof DrawViewSchema, Out<typeof getDraw>>(true);
sameShape<typeof DrawVerificationSchema, Out<typeof verifyDraw>>(true);
sameShape<typeof InspectorSchema, Out<typeof listInspectors>[number]>(true);
sameShape<typeof InspectorSchema, Out<typeof putInspector>>(true);
sameShape<(typeof CandidateListSchema)['properties']['items'], Out<typeof inspectorCandidates>>(true);
sameShape<typeof ReferralSchema, Out<typeof addReferral>>(true);
sameShape<(typeof ReferralListSchema)['properties']['items'], Out<typeof listReferrals>>(true);
sameShape<typeof TaskListSchema, Out<typeof listTasks>>(true);
sameShape<typeof TaskDetailSchema, Out<typeof taskDetail>>(true);
sameShape<typeof SampleDetailSchema, Out<typeof sampleDetail>>(true);
sameShape<typeof StoredFileSchema, Out<typeof storeFile>>(true);
sameShape<(typeof LabSampleListSchema)['properties']['items'], Out<typeof labSamples>>(true);
sameShape<(typeof EnterpriseSampleListSchema)['properties']['items'], Out<typeof enterpriseSamples>>(true);
sameShape<typeof BulletinListSchema, Out<typeof bulletins>>(true);
sameShape<typeof BulletinSchema, Out<typeof bulletin>>(true);
sameShape<typeof PublicDrawSchema, Out<typeof publicDraw>>(true);
sameShape<typeof Text, Message>(true);
