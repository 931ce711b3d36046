// HTTP routes of the post-processing cases (后处理): the queue, one case, the officials' steps, and
// the enterprise's objection or acceptance. Each handler reads: policy (route config) → validate
// (schema) → scope check on the case → act (cases.ts) → present (caseView, the only way out).
import type { FastifyInstance } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { AppError } from '../../core/errors.js';
import { todayInShanghai } from '../../core/workdays.js';
import { actorOf, requireUser } from '../../platform/auth/plugin.js';
import { type Action, type AuthUser, can, scopeOf } from '../../platform/auth/policies.js';
import type { AppContext } from '../../platform/context.js';
import { actOnCase, type CaseActor, type CaseQueueItem, caseDetail, caseQueue } from './cases.js';
import {
  allowedActions,
  CASE_ACTION_LABELS,
  CASE_ACTIONS,
  CASE_STATE_LABELS,
  CASE_STATES,
  type CaseAction,
  type CaseActionType,
  type CaseActorKind,
  DUE_PARTY,
  type SamplingCase,
} from './postprocess.js';

const tags = ['sampling'];

// ---- presenters ----------------------------------------------------------------------------------

export const actorKindOf = (user: AuthUser): CaseActorKind =>
  user.role === 'lab'
    ? 'lab'
    : user.role === 'enterprise' || user.role === 'maintenanceUnit'
      ? 'enterprise'
      : 'official';

export const caseActorOf = (req: Parameters<typeof actorOf>[0]): CaseActor => ({
  ...actorOf(req),
  kind: actorKindOf(requireUser(req)),
});

/** Steps an official takes through POST …/actions (the re-test result comes from the lab's results). */
export const OFFICIAL_ROUTE_ACTIONS = [
  'notify',
  'receive',
  'lapse',
  'assignRetest',
  'orderCorrection',
  'reinspect',
  'notifyProvince',
  'suspend',
  'revoke',
] as const satisfies readonly CaseActionType[];

/** What this user could do on the case today through the API. */
function userActions(user: AuthUser, c: SamplingCase, today: string): CaseActionType[] {
  const resource = { townCode: c.townCode, enterpriseId: c.enterpriseId };
  const kind = actorKindOf(user);
  if (kind === 'official') {
    if (!can(user, 'sampling.process', resource)) return [];
    return allowedActions(c, today, 'official').filter((a) =>
      (OFFICIAL_ROUTE_ACTIONS as readonly string[]).includes(a),
    );
  }
  if (!can(user, 'sampling.object', resource)) return [];
  return allowedActions(c, today, 'enterprise').filter((a) => a === 'object' || a === 'accept');
}

function summaryView(item: CaseQueueItem) {
  const c = item.case;
  return {
    id: c.id,
    sampleId: c.sampleId,
    sampleNo: c.sampleNo,
    enterprise: { id: c.enterpriseId, uscc: c.uscc, name: item.enterpriseName },
    townCode: c.townCode,
    productName: item.productName,
    categoryCode: item.categoryCode,
    state: c.state,
    stateLabel: CASE_STATE_LABELS[c.state],
    rev: c.rev,
    failedOn: c.failedOn,
    lastStepOn: c.lastStepOn,
    dueOn: c.dueOn,
    earliestOn: c.earliestOn,
    overdue: item.overdue,
    dues: c.dues.map((d) => ({ ...d, party: DUE_PARTY[d.name] })),
    outcome: c.outcome,
    closedOn: c.closedOn,
  };
}

/**
 * One case as its viewer may see it. The enterprise sees every step and document of its own case,
 * but not which official took it (the kind of actor only).
 */
export function caseView(item: CaseQueueItem, user: AuthUser, today: string) {
  const c = item.case;
  const official = actorKindOf(user) === 'official';
  return {
    ...summaryView(item),
    policyVersion: c.policyVersion,
    failedItems: c.failedItems,
    originalLabEnterpriseId: c.originalLabEnterpriseId,
    notice: c.notice,
    objection: c.objection,
    retest: c.retest,
    confirmation: c.confirmation,
    correctionOrder: c.correctionOrder,
    reinspections: c.reinspections,
    provincialNotice: c.provincialNotice,
    suspension: c.suspension,
    revocation: c.revocation,
    history: c.history.map((s) => ({
      seq: s.seq,
      action: s.action,
      actionLabel: s.action === 'open' ? OPEN_LABEL : CASE_ACTION_LABELS[s.action],
      from: s.from,
      to: s.to,
      on: s.on,
      recordedOn: s.recordedOn,
      actor: { kind: s.actor.kind, label: official ? s.actor.label : null },
      notes: s.notes,
      documents: s.documents.map((d) => ({
        title: d.title,
        number: d.number ?? null,
        fileId: d.fileId ?? null,
      })),
      details: s.details,
    })),
    allowedActions: userActions(user, c, today),
  };
}

const OPEN_LABEL = { zh: '抽查不合格立案', en: 'case opened on the failed result' };

// ---- schemas -------------------------------------------------------------------------------------

const Text = Type.Object({ zh: Type.String(), en: Type.String() });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const OneOf = <T extends readonly string[]>(values: T) =>
  Type.Enum([...values] as T[number][], { type: 'string' });
const Day = Type.String({ description: 'YYYY-MM-DD' });
const DateInput = Type.String({ minLength: 10, maxLength: 10, description: 'YYYY-MM-DD (default: today)' });
const StateEnum = OneOf(CASE_STATES);

const DueSchema = Type.Object({
  name: OneOf([
    'objectionWindow',
    'correctionPeriod',
    'reinspectionDue',
    'secondReinspectionEarliest',
    'secondReinspectionDue',
    'suspensionEnds',
    'suspensionReinspectionDue',
  ] as const),
  kind: OneOf(['deadline', 'earliest'] as const),
  on: Day,
  from: Day,
  days: Type.Integer(),
  rolled: Type.Boolean(),
  party: OneOf(['enterprise', 'bureau'] as const),
});

const summaryProperties = {
  id: Type.String(),
  sampleId: Type.String(),
  sampleNo: Type.String(),
  enterprise: Type.Object({ id: Type.String(), uscc: Type.String(), name: Type.String() }),
  townCode: Type.String(),
  productName: Type.String(),
  categoryCode: Type.String(),
  state: StateEnum,
  stateLabel: Text,
  rev: Type.Integer(),
  failedOn: Day,
  lastStepOn: Day,
  dueOn: Nullable(Day),
  earliestOn: Nullable(Day),
  overdue: Type.Boolean(),
  dues: Type.Array(DueSchema),
  outcome: Nullable(OneOf(['rectified', 'overturned', 'revoked'] as const)),
  closedOn: Nullable(Day),
};
export const CaseSummarySchema = Type.Object(summaryProperties, { title: 'SamplingCaseSummary' });
export const CaseListSchema = Type.Object({ items: Type.Array(CaseSummarySchema) });

const DocumentSchema = Type.Object({
  title: Type.String(),
  number: Nullable(Type.String()),
  fileId: Nullable(Type.String()),
});
export const CaseViewSchema = Type.Object(
  {
    ...summaryProperties,
    policyVersion: Type.String(),
    failedItems: Type.Array(Type.String()),
    originalLabEnterpriseId: Type.String(),
    notice: Type.Object({ sentOn: Nullable(Day), receivedOn: Nullable(Day) }),
    objection: Nullable(Type.Object({ on: Day, items: Type.Array(Type.String()), grounds: Type.String() })),
    retest: Nullable(
      Type.Object({
        labEnterpriseId: Type.String(),
        assignedOn: Day,
        resultOn: Nullable(Day),
        upheld: Nullable(Type.Boolean()),
      }),
    ),
    confirmation: Nullable(
      Type.Object({ on: Day, by: OneOf(['accepted', 'noObjection', 'retestUpheld'] as const) }),
    ),
    correctionOrder: Nullable(
      Type.Object({ on: Day, documentNo: Nullable(Type.String()), stopAtOnce: Type.Literal(true) }),
    ),
    reinspections: Type.Array(
      Type.Object({ round: OneOf(['first', 'second', 'final'] as const), on: Day, passed: Type.Boolean() }),
    ),
    provincialNotice: Nullable(Type.Object({ on: Day, reference: Nullable(Type.String()) })),
    suspension: Nullable(
      Type.Object({ on: Day, days: Type.Integer(), endsOn: Day, decisionNo: Type.String() }),
    ),
    revocation: Nullable(
      Type.Object({ on: Day, licenceNo: Type.String(), decisionNo: Nullable(Type.String()) }),
    ),
    history: Type.Array(
      Type.Object({
        seq: Type.Integer(),
        action: OneOf(['open', ...CASE_ACTIONS] as const),
        actionLabel: Text,
        from: Nullable(StateEnum),
        to: StateEnum,
        on: Day,
        recordedOn: Day,
        actor: Type.Object({
          kind: OneOf(['official', 'enterprise', 'lab', 'system'] as const),
          label: Nullable(Type.String()),
        }),
        notes: Nullable(Type.String()),
        documents: Type.Array(DocumentSchema),
        details: Type.Record(Type.String(), Type.Unknown()),
      }),
    ),
    allowedActions: Type.Array(OneOf(CASE_ACTIONS)),
  },
  { title: 'SamplingCaseView' },
);

// Request bodies. Every step may carry its date (default today), notes, documents and the case
// revision the client saw (a stale revision is 409 CONFLICT).
const common = {
  on: Type.Optional(DateInput),
  notes: Type.Optional(Type.String({ maxLength: 2000 })),
  documents: Type.Optional(
    Type.Array(
      Type.Object(
        {
          title: Type.String({ minLength: 1, maxLength: 200 }),
          number: Type.Optional(Type.String({ maxLength: 100 })),
          fileId: Type.Optional(Type.String({ maxLength: 40 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 20 },
    ),
  ),
  rev: Type.Optional(Type.Integer({ minimum: 1 })),
};
const step = <T extends string, P extends Record<string, TSchema>>(type: T, props: P) =>
  Type.Object({ type: Type.Literal(type), ...common, ...props }, { additionalProperties: false });
const Ref = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const CaseActionBody = Type.Union([
  step('notify', {}),
  step('receive', {}),
  step('lapse', {}),
  step('assignRetest', { labEnterpriseId: Ref(40) }),
  step('orderCorrection', { documentNo: Type.Optional(Type.String({ maxLength: 100 })) }),
  step('reinspect', { passed: Type.Boolean() }),
  step('notifyProvince', { reference: Type.Optional(Type.String({ maxLength: 100 })) }),
  step('suspend', { days: Type.Integer({ minimum: 1, maximum: 3660 }), decisionNo: Ref(100) }),
  step('revoke', { licenceNo: Ref(100), decisionNo: Type.Optional(Type.String({ maxLength: 100 })) }),
]);

const { on: _on, ...enterpriseCommon } = common; // the enterprise acts today: no back-dating
export const ObjectionBody = Type.Object(
  {
    items: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1, maxItems: 100 }),
    grounds: Type.String({ minLength: 1, maxLength: 2000 }),
    ...enterpriseCommon,
  },
  { additionalProperties: false },
);
export const AcceptBody = Type.Object({ ...enterpriseCommon }, { additionalProperties: false });

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) });
const QueueQuery = Type.Object(
  {
    state: Type.Optional(OneOf(['open', 'closed', ...CASE_STATES] as const)),
    overdue: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

// ---- routes --------------------------------------------------------------------------------------

export async function caseRoutes(app: FastifyInstance, ctx: AppContext) {
  const today = () => todayInShanghai(ctx.clock.now());
  /** The case, if the user may do `action` on it: 404 when there is none, 403 outside the scope. */
  const caseFor = async (user: AuthUser, id: string, action: Action) => {
    const item = await caseDetail(ctx, scopeOf(user), id);
    const c = item.case;
    if (!can(user, action, { townCode: c.townCode, enterpriseId: c.enterpriseId })) {
      // Reading it is within scope (caseDetail checked); this step is not the user's to take.
      throw new AppError('FORBIDDEN', {
        message: { zh: '无权办理该案件的此环节', en: 'You may not take this step on the case' },
      });
    }
    return item;
  };
  const present = async (user: AuthUser, id: string) =>
    caseView(await caseDetail(ctx, scopeOf(user), id), user, today());

  app.get(
    '/api/v1/sampling/cases',
    {
      config: { policy: 'sampling.read' },
      schema: {
        tags,
        summary: '不合格后处理队列 Post-processing queue (by due date, overdue marked)',
        querystring: QueueQuery,
        response: { 200: CaseListSchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const q = req.query as Static<typeof QueueQuery>;
      const items = await caseQueue(ctx, scopeOf(user), q);
      return { items: items.map(summaryView) };
    },
  );

  app.get(
    '/api/v1/sampling/cases/:id',
    {
      config: { policy: 'sampling.read' },
      schema: {
        tags,
        summary: '后处理案件 One post-processing case',
        params: IdParams,
        response: { 200: CaseViewSchema },
      },
    },
    async (req) => present(requireUser(req), (req.params as Static<typeof IdParams>).id),
  );

  app.post(
    '/api/v1/sampling/cases/:id/actions',
    {
      config: { policy: 'sampling.process' },
      schema: {
        tags,
        summary: '办理后处理环节 Take a post-processing step',
        params: IdParams,
        body: CaseActionBody,
        response: { 200: CaseViewSchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { id } = req.params as Static<typeof IdParams>;
      await caseFor(user, id, 'sampling.process');
      const { rev, ...action } = req.body as Static<typeof CaseActionBody>;
      await actOnCase(ctx, id, action as CaseAction, caseActorOf(req), { expectedRev: rev });
      return present(user, id);
    },
  );

  app.post(
    '/api/v1/sampling/cases/:id/objection',
    {
      config: { policy: 'sampling.object' },
      schema: {
        tags,
        summary: '对不合格结论提出异议 Object to the failed result (disputed items)',
        params: IdParams,
        body: ObjectionBody,
        response: { 200: CaseViewSchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { id } = req.params as Static<typeof IdParams>;
      await caseFor(user, id, 'sampling.object');
      const { rev, ...body } = req.body as Static<typeof ObjectionBody>;
      await actOnCase(ctx, id, { type: 'object', ...body }, caseActorOf(req), { expectedRev: rev });
      return present(user, id);
    },
  );

  app.post(
    '/api/v1/sampling/cases/:id/accept',
    {
      config: { policy: 'sampling.object' },
      schema: {
        tags,
        summary: '认可检验结论 Accept the failed result (no objection)',
        params: IdParams,
        body: AcceptBody,
        response: { 200: CaseViewSchema },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const { id } = req.params as Static<typeof IdParams>;
      await caseFor(user, id, 'sampling.object');
      const { rev, ...body } = (req.body ?? {}) as Static<typeof AcceptBody>;
      await actOnCase(ctx, id, { type: 'accept', ...body }, caseActorOf(req), { expectedRev: rev });
      return present(user, id);
    },
  );
}

// ---- the schemas follow the presenters -------------------------------------------------------------
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
sameShape<typeof CaseSummarySchema, ReturnType<typeof summaryView>>(true);
sameShape<typeof CaseViewSchema, ReturnType<typeof caseView>>(true);
