// Post-processing (后处理) of a failed supervisory sample, as a pure state machine (DOMAIN.md §4;
// Product Quality Law arts. 15 and 17; SAMR Order 18 arts. 44–50). The caller supplies today, the
// working-day calendar and the actor, and persists the returned case and effects in one
// transaction (cases.ts). Every due date is `dueAfterDays` of src/core/periods.ts over the figures
// of data/sampling/deadlines.json, each with its legal source.
//
//   opened ─notify→ notified ─receive→ objectionWindow (15 days from receipt)
//     objectionWindow ─object→ objected ─assignRetest→ retesting ─retestResult→ confirmed | closedOverturned
//     objectionWindow ─accept | lapse→ confirmed
//   confirmed ─orderCorrection→ correcting (correct by day 60, re-inspected by day 75)
//     correcting ─reinspect→ closedRectified | awaitingNotice
//   awaitingNotice ─notifyProvince→ provinceNotified (re-inspection from day 60, by day 90)
//     provinceNotified ─reinspect→ closedRectified | awaitingSuspension
//   awaitingSuspension ─suspend→ suspended (the decision's days; re-inspection 15 days after its end)
//     suspended ─reinspect→ closedRectified | awaitingRevocation
//   awaitingRevocation ─revoke→ revoked
import { readFileSync } from 'node:fs';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { AppError, type FieldError, type Message } from '../../core/errors.js';
import { dueAfterDays } from '../../core/periods.js';
import { type IsoDate, isIsoDate, type WorkdayCalendar } from '../../core/workdays.js';

// ---- the deadline policy (data/sampling/deadlines.json) ---------------------------------------

export const PERIOD_NAMES = [
  'objectionWindow',
  'correctionPeriod',
  'reinspectionDue',
  'secondReinspectionEarliest',
  'secondReinspectionDue',
  'suspensionReinspectionDue',
] as const;
export type PeriodName = (typeof PERIOD_NAMES)[number];

const PeriodRuleSchema = Type.Object({
  days: Type.Integer({ minimum: 1, maximum: 3660 }),
  from: Type.String({ minLength: 1 }),
  source: Type.String({ minLength: 1 }),
  rule: Type.String({ minLength: 1 }),
  verbatim: Type.Boolean(),
  checked: Type.Boolean(),
  zhihuiDefault: Type.Boolean(),
});

const CaseDeadlinesSchema = Type.Object({
  version: Type.String({ minLength: 1 }),
  effectiveFrom: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  documents: Type.Record(Type.String(), Type.String()),
  periods: Type.Object(
    Object.fromEntries(PERIOD_NAMES.map((n) => [n, PeriodRuleSchema])) as Record<
      PeriodName,
      typeof PeriodRuleSchema
    >,
  ),
  suspensionDays: Type.Object({
    min: Type.Integer({ minimum: 1 }),
    max: Type.Integer({ minimum: 1 }),
    source: Type.String({ minLength: 1 }),
    zhihuiDefault: Type.Boolean(),
  }),
  reminderWorkdays: Type.Object({
    workdays: Type.Integer({ minimum: 1, maximum: 30 }),
    source: Type.String({ minLength: 1 }),
    zhihuiDefault: Type.Boolean(),
  }),
});

export type PeriodRule = {
  days: number;
  from: string;
  source: string;
  /** The rule as its source states it (verbatim) or as Zhihui paraphrases it. */
  rule: string;
  verbatim: boolean;
  /** True when the figure was checked against the published text of its source. */
  checked: boolean;
  zhihuiDefault: boolean;
};

export type CaseDeadlines = {
  version: string;
  effectiveFrom: IsoDate;
  documents: Record<string, string>;
  periods: Record<PeriodName, PeriodRule>;
  suspensionDays: { min: number; max: number; source: string; zhihuiDefault: boolean };
  reminderWorkdays: { workdays: number; source: string; zhihuiDefault: boolean };
};

const DEADLINES_PATH = new URL('../../../data/sampling/deadlines.json', import.meta.url);

/** Checks a deadline policy read from a file; throws an Error naming the first problem. */
export function parseCaseDeadlines(raw: unknown, sourceName = 'deadlines'): CaseDeadlines {
  if (!Value.Check(CaseDeadlinesSchema, raw)) {
    const first = [...Value.Errors(CaseDeadlinesSchema, raw)][0];
    throw new Error(
      `${sourceName}: ${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid deadline policy'}`,
    );
  }
  const policy = raw as CaseDeadlines;
  if (!isIsoDate(policy.effectiveFrom)) throw new Error(`${sourceName}: effectiveFrom is not a real date`);
  const p = policy.periods;
  if (p.reinspectionDue.days <= p.correctionPeriod.days)
    throw new Error(`${sourceName}: reinspectionDue must come after the correction period`);
  if (p.secondReinspectionDue.days < p.secondReinspectionEarliest.days)
    throw new Error(`${sourceName}: secondReinspectionDue must not come before secondReinspectionEarliest`);
  if (policy.suspensionDays.max < policy.suspensionDays.min)
    throw new Error(`${sourceName}: suspensionDays.max is below suspensionDays.min`);
  return policy;
}

export function loadCaseDeadlines(path: string | URL = DEADLINES_PATH): CaseDeadlines {
  const name = typeof path === 'string' ? path : path.pathname;
  return parseCaseDeadlines(JSON.parse(readFileSync(path, 'utf8')), name);
}

let shipped: CaseDeadlines | undefined;
/** The policy shipped in data/sampling/deadlines.json (read once). */
export function caseDeadlines(): CaseDeadlines {
  shipped ??= loadCaseDeadlines();
  return shipped;
}

// ---- states, actions, labels -------------------------------------------------------------------

export const CASE_STATES = [
  'opened',
  'notified',
  'objectionWindow',
  'objected',
  'retesting',
  'confirmed',
  'correcting',
  'awaitingNotice',
  'provinceNotified',
  'awaitingSuspension',
  'suspended',
  'awaitingRevocation',
  'closedRectified',
  'closedOverturned',
  'revoked',
] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const TERMINAL_CASE_STATES: readonly CaseState[] = ['closedRectified', 'closedOverturned', 'revoked'];
export const OPEN_CASE_STATES: readonly CaseState[] = CASE_STATES.filter(
  (s) => !TERMINAL_CASE_STATES.includes(s),
);

export const CASE_ACTIONS = [
  'notify',
  'receive',
  'object',
  'accept',
  'lapse',
  'assignRetest',
  'retestResult',
  'orderCorrection',
  'reinspect',
  'notifyProvince',
  'suspend',
  'revoke',
] as const;
export type CaseActionType = (typeof CASE_ACTIONS)[number];

/** The states each action may start from; every other pair is CASE_TRANSITION_NOT_ALLOWED. */
export const CASE_TRANSITIONS: Record<CaseActionType, readonly CaseState[]> = {
  notify: ['opened'],
  receive: ['notified'],
  object: ['objectionWindow'],
  accept: ['objectionWindow'],
  lapse: ['objectionWindow'],
  assignRetest: ['objected'],
  retestResult: ['retesting'],
  orderCorrection: ['confirmed'],
  reinspect: ['correcting', 'provinceNotified', 'suspended'],
  notifyProvince: ['awaitingNotice'],
  suspend: ['awaitingSuspension'],
  revoke: ['awaitingRevocation'],
};

export type CaseActorKind = 'official' | 'enterprise' | 'lab' | 'system';
/** Who may take each step. The enterprise only objects or accepts; the system (jobs, seed) may do anything. */
export const ACTION_ACTORS: Record<CaseActionType, readonly CaseActorKind[]> = {
  notify: ['official', 'system'],
  receive: ['official', 'system'],
  object: ['enterprise', 'system'],
  accept: ['enterprise', 'system'],
  lapse: ['official', 'system'],
  assignRetest: ['official', 'system'],
  retestResult: ['lab', 'official', 'system'],
  orderCorrection: ['official', 'system'],
  reinspect: ['official', 'system'],
  notifyProvince: ['official', 'system'],
  suspend: ['official', 'system'],
  revoke: ['official', 'system'],
};

export const CASE_STATE_LABELS: Record<CaseState, Message> = {
  opened: { zh: '待告知', en: 'failure to be notified' },
  notified: { zh: '已发出不合格通知', en: 'notice sent' },
  objectionWindow: { zh: '异议期内', en: 'objection window open' },
  objected: { zh: '已提出异议待复检', en: 'objected, re-test to be assigned' },
  retesting: { zh: '复检中', en: 're-testing' },
  confirmed: { zh: '不合格结论确定', en: 'failure confirmed' },
  correcting: { zh: '责令整改中', en: 'correcting' },
  awaitingNotice: { zh: '复查不合格待通报', en: 're-inspection failed, notice to be sent' },
  provinceNotified: { zh: '已通报省局', en: 'notified to the province' },
  awaitingSuspension: {
    zh: '再次复查不合格待责令停业整顿',
    en: 'second re-inspection failed, suspension due',
  },
  suspended: { zh: '停业整顿中', en: 'suspended' },
  awaitingRevocation: { zh: '整顿后复查不合格待吊销许可证', en: 'failed after suspension, revocation due' },
  closedRectified: { zh: '已整改结案', en: 'closed: rectified' },
  closedOverturned: { zh: '复检推翻结案', en: 'closed: overturned by re-test' },
  revoked: { zh: '已吊销许可证', en: 'licence revoked' },
};

export const CASE_ACTION_LABELS: Record<CaseActionType, Message> = {
  notify: { zh: '发出不合格结果通知书', en: 'send the notice of the failed result' },
  receive: { zh: '登记送达', en: 'record receipt of the notice' },
  object: { zh: '提出异议（申请复检）', en: 'object (apply for a re-test)' },
  accept: { zh: '认可检验结论', en: 'accept the result' },
  lapse: { zh: '异议期满未提出异议', en: 'close the objection window' },
  assignRetest: { zh: '指定复检机构', en: 'assign the re-test lab' },
  retestResult: { zh: '登记复检结论', en: 'record the re-test result' },
  orderCorrection: { zh: '责令整改', en: 'order correction' },
  reinspect: { zh: '登记复查结果', en: 'record a re-inspection' },
  notifyProvince: { zh: '通报省局', en: 'notify the provincial bureau' },
  suspend: { zh: '责令停业整顿', en: 'order suspension' },
  revoke: { zh: '吊销许可证', en: 'revoke the licence' },
};

// ---- the case ------------------------------------------------------------------------------------

/** A document a step produced or relied on: its title, number, and an uploaded file if any. */
export type CaseDocument = { title: string; number?: string | null; fileId?: string | null };

export type CaseStepActor = { id: string | null; label: string; kind: CaseActorKind };

export type CaseStep = {
  seq: number;
  action: CaseActionType | 'open';
  from: CaseState | null;
  to: CaseState;
  /** The day the step happened (as the action states it; today by default). */
  on: IsoDate;
  /** The day it was recorded. */
  recordedOn: IsoDate;
  actor: CaseStepActor;
  notes: string | null;
  documents: CaseDocument[];
  /** What the action said beyond its date: items objected to, the lab, the verdict, decision numbers… */
  details: Record<string, unknown>;
};

export type DueName = PeriodName | 'suspensionEnds';
export type CaseDue = {
  name: DueName;
  /** deadline: the step is late after this day; earliest: the step may not be taken before it. */
  kind: 'deadline' | 'earliest';
  on: IsoDate;
  from: IsoDate;
  days: number;
  /** The plain last day was not a working day and the period ran on to the next one. */
  rolled: boolean;
};

/** Whom a due date binds: the enterprise (its objection, its correction) or the bureau. */
export const DUE_PARTY: Record<DueName, 'enterprise' | 'bureau'> = {
  objectionWindow: 'enterprise',
  correctionPeriod: 'enterprise',
  reinspectionDue: 'bureau',
  secondReinspectionEarliest: 'bureau',
  secondReinspectionDue: 'bureau',
  suspensionEnds: 'enterprise',
  suspensionReinspectionDue: 'bureau',
};

export type ReinspectionRound = 'first' | 'second' | 'final';
export type CaseOutcome = 'rectified' | 'overturned' | 'revoked';

export type SamplingCase = {
  id: string;
  sampleId: string;
  sampleNo: string;
  enterpriseId: string;
  uscc: string;
  townCode: string;
  /** The lab of the original test: the re-test must go to another. */
  originalLabEnterpriseId: string;
  failedOn: IsoDate;
  /** Keys of the failed check items (the objection names some of them). */
  failedItems: string[];
  state: CaseState;
  /** Incremented by every change: a client acting on an older revision gets 409 CONFLICT. */
  rev: number;
  /** The deadline policy version that computed the current due dates. */
  policyVersion: string;
  openedOn: IsoDate;
  /** The date of the latest step: no later step may be dated before it. */
  lastStepOn: IsoDate;
  /** The due dates of the current state. */
  dues: CaseDue[];
  /** The day by which the current state must be left; overdue the day after. Null without one. */
  dueOn: IsoDate | null;
  /** The current state's next step may not be taken before this day. */
  earliestOn: IsoDate | null;
  notice: { sentOn: IsoDate | null; receivedOn: IsoDate | null };
  objection: { on: IsoDate; items: string[]; grounds: string } | null;
  retest: {
    labEnterpriseId: string;
    assignedOn: IsoDate;
    resultOn: IsoDate | null;
    upheld: boolean | null;
  } | null;
  confirmation: { on: IsoDate; by: 'accepted' | 'noObjection' | 'retestUpheld' } | null;
  correctionOrder: { on: IsoDate; documentNo: string | null; stopAtOnce: true } | null;
  reinspections: Array<{ round: ReinspectionRound; on: IsoDate; passed: boolean }>;
  provincialNotice: { on: IsoDate; reference: string | null } | null;
  suspension: { on: IsoDate; days: number; endsOn: IsoDate; decisionNo: string } | null;
  revocation: { on: IsoDate; licenceNo: string; decisionNo: string | null } | null;
  outcome: CaseOutcome | null;
  closedOn: IsoDate | null;
  /** Keys `name@date` of the due dates already reminded of (daily job). */
  reminders: string[];
  /** Keys `name@date` of the due dates already marked as passed (daily job). */
  overdueNoted: string[];
  history: CaseStep[];
};

type Common = { on?: IsoDate; notes?: string | null; documents?: CaseDocument[] };
export type CaseAction = Common &
  (
    | { type: 'notify' }
    | { type: 'receive' }
    | { type: 'object'; items: string[]; grounds: string }
    | { type: 'accept' }
    | { type: 'lapse' }
    | { type: 'assignRetest'; labEnterpriseId: string }
    | { type: 'retestResult'; upheld: boolean }
    | { type: 'orderCorrection'; documentNo?: string | null }
    | { type: 'reinspect'; passed: boolean }
    | { type: 'notifyProvince'; reference?: string | null }
    | { type: 'suspend'; days: number; decisionNo: string }
    | { type: 'revoke'; licenceNo: string; decisionNo?: string | null }
  );

export type CaseEffect =
  | {
      kind: 'transitioned';
      from: CaseState | null;
      to: CaseState;
      action: CaseActionType | 'open';
      on: IsoDate;
      dueOn: IsoDate | null;
    }
  /** The re-test overturned the failure: the failure event is to be reversed. */
  | { kind: 'sampleOverturned'; on: IsoDate }
  /** The last step: the production licence is revoked. */
  | { kind: 'licenceRevoked'; on: IsoDate; licenceNo: string; decisionNo: string | null };

export type TransitionResult = { case: SamplingCase; effects: CaseEffect[] };

export const SYSTEM_STEP_ACTOR: CaseStepActor = { id: null, label: 'system', kind: 'system' };

const MAX_TEXT = 2000;
const MAX_DOCUMENTS = 20;

export type NewCaseInput = {
  id: string;
  sampleId: string;
  sampleNo: string;
  enterpriseId: string;
  uscc: string;
  townCode: string;
  originalLabEnterpriseId: string;
  failedOn: IsoDate;
  failedItems: string[];
};

/** A case opened on the day a sample's failure became final; the notice is still to be sent. */
export function newCase(
  input: NewCaseInput,
  today: IsoDate,
  actor: CaseStepActor = SYSTEM_STEP_ACTOR,
  deadlines: CaseDeadlines = caseDeadlines(),
): TransitionResult {
  checkToday(today);
  if (!isIsoDate(input.failedOn)) throw invalidDate('failedOn', input.failedOn);
  if (input.failedOn > today) throw inFuture('failedOn', input.failedOn, today);
  const items = input.failedItems.map((i) => i.trim()).filter((i) => i !== '');
  if (items.length === 0)
    throw validation(
      'failedItems',
      'REQUIRED',
      '不合格案件须列明不合格项目',
      'A failed sample names its failed items',
    );
  if (new Set(items).size !== items.length)
    throw validation('failedItems', 'DUPLICATE', '不合格项目重复', 'A failed item is listed twice');
  const c: SamplingCase = {
    id: input.id,
    sampleId: input.sampleId,
    sampleNo: input.sampleNo,
    enterpriseId: input.enterpriseId,
    uscc: input.uscc,
    townCode: input.townCode,
    originalLabEnterpriseId: input.originalLabEnterpriseId,
    failedOn: input.failedOn,
    failedItems: items,
    state: 'opened',
    rev: 1,
    policyVersion: deadlines.version,
    openedOn: today,
    lastStepOn: input.failedOn,
    dues: [],
    dueOn: null,
    earliestOn: null,
    notice: { sentOn: null, receivedOn: null },
    objection: null,
    retest: null,
    confirmation: null,
    correctionOrder: null,
    reinspections: [],
    provincialNotice: null,
    suspension: null,
    revocation: null,
    outcome: null,
    closedOn: null,
    reminders: [],
    overdueNoted: [],
    history: [
      {
        seq: 1,
        action: 'open',
        from: null,
        to: 'opened',
        on: input.failedOn,
        recordedOn: today,
        actor,
        notes: null,
        documents: [],
        details: { failedItems: items },
      },
    ],
  };
  return {
    case: c,
    effects: [
      { kind: 'transitioned', from: null, to: 'opened', action: 'open', on: input.failedOn, dueOn: null },
    ],
  };
}

export function isTransitionAllowed(state: CaseState, action: CaseActionType): boolean {
  return CASE_TRANSITIONS[action].includes(state);
}

/**
 * Applies one action on `today`. Throws AppError: CASE_TRANSITION_NOT_ALLOWED (409) for an action
 * the state does not take, FORBIDDEN for an actor who may not take it, CASE_OBJECTION_WINDOW_CLOSED
 * and CASE_TOO_EARLY (409) for a step outside its window, VALIDATION_FAILED / INVALID_DATE (400)
 * for bad input (a date in the future or before the previous step, unknown items, the same lab…).
 */
export function transition(
  c: SamplingCase,
  action: CaseAction,
  today: IsoDate,
  calendar: WorkdayCalendar,
  actor: CaseStepActor = SYSTEM_STEP_ACTOR,
  deadlines: CaseDeadlines = caseDeadlines(),
): TransitionResult {
  checkToday(today);
  if (!(CASE_ACTIONS as readonly string[]).includes(action.type)) {
    throw validation(
      'type',
      'UNKNOWN_ACTION',
      `未知的操作: ${action.type}`,
      `Unknown action: ${action.type}`,
    );
  }
  if (!isTransitionAllowed(c.state, action.type)) throw notAllowed(c.state, action.type);
  if (!ACTION_ACTORS[action.type].includes(actor.kind)) {
    throw new AppError('FORBIDDEN', {
      message: {
        zh: `“${CASE_ACTION_LABELS[action.type].zh}”不能由${ACTOR_LABELS[actor.kind].zh}办理`,
        en: `${ACTOR_LABELS[actor.kind].en} cannot ${CASE_ACTION_LABELS[action.type].en}`,
      },
    });
  }
  const on = action.on ?? today;
  if (!isIsoDate(on)) throw invalidDate('on', on);
  if (on > today) throw inFuture('on', on, today);
  if (on < c.lastStepOn) {
    throw validation(
      'on',
      'BEFORE_PREVIOUS_STEP',
      `日期${on}早于上一环节的日期${c.lastStepOn}`,
      `The date ${on} is before the previous step (${c.lastStepOn})`,
    );
  }
  const notes = cleanNotes(action.notes);
  const documents = cleanDocuments(action.documents);
  const period = (from: IsoDate, name: PeriodName, kind: CaseDue['kind'] = 'deadline'): CaseDue => {
    const d = dueAfterDays(calendar, from, deadlines.periods[name].days);
    return { name, kind, on: d.due, from, days: deadlines.periods[name].days, rolled: d.rolled };
  };

  let next: SamplingCase = { ...c };
  const details: Record<string, unknown> = {};
  const extra: CaseEffect[] = [];
  let to: CaseState;
  let dues: CaseDue[] = [];

  switch (action.type) {
    case 'notify':
      to = 'notified';
      next.notice = { ...c.notice, sentOn: on };
      break;

    case 'receive': {
      to = 'objectionWindow';
      next.notice = { ...c.notice, receivedOn: on };
      dues = [period(on, 'objectionWindow')];
      break;
    }

    case 'object': {
      windowStillOpen(c, on);
      const items = objectionItems(c, action.items);
      const grounds = typeof action.grounds === 'string' ? action.grounds.trim() : '';
      if (grounds === '')
        throw validation('grounds', 'REQUIRED', '须说明异议理由', 'State the grounds of the objection');
      if (grounds.length > MAX_TEXT) throw tooLong('grounds');
      to = 'objected';
      next.objection = { on, items, grounds };
      details.items = items;
      details.grounds = grounds;
      break;
    }

    case 'accept':
      windowStillOpen(c, on);
      to = 'confirmed';
      next.confirmation = { on, by: 'accepted' };
      break;

    case 'lapse': {
      const window = dueOf(c, 'objectionWindow');
      if (on <= window) {
        throw tooEarly(
          `异议期至${window}届满，届满后方可确定检验结论`,
          `The objection window runs until ${window}; the result is confirmed only after it`,
        );
      }
      to = 'confirmed';
      next.confirmation = { on, by: 'noObjection' };
      break;
    }

    case 'assignRetest': {
      const lab = typeof action.labEnterpriseId === 'string' ? action.labEnterpriseId.trim() : '';
      if (lab === '')
        throw validation('labEnterpriseId', 'REQUIRED', '须指定复检机构', 'Name the re-test lab');
      if (lab === c.originalLabEnterpriseId) {
        throw validation(
          'labEnterpriseId',
          'SAME_LAB',
          '复检机构不能是初检机构',
          'The re-test must be done by a lab other than the one that tested the sample',
        );
      }
      to = 'retesting';
      next.retest = { labEnterpriseId: lab, assignedOn: on, resultOn: null, upheld: null };
      details.labEnterpriseId = lab;
      break;
    }

    case 'retestResult': {
      if (typeof action.upheld !== 'boolean')
        throw validation('upheld', 'REQUIRED', '须说明复检是否维持原结论', 'upheld must be true or false');
      next.retest = { ...c.retest!, resultOn: on, upheld: action.upheld };
      details.upheld = action.upheld;
      if (action.upheld) {
        to = 'confirmed';
        next.confirmation = { on, by: 'retestUpheld' };
      } else {
        to = 'closedOverturned';
        next = close(next, on, 'overturned');
        extra.push({ kind: 'sampleOverturned', on });
      }
      break;
    }

    case 'orderCorrection': {
      to = 'correcting';
      const documentNo = optionalText('documentNo', action.documentNo);
      next.correctionOrder = { on, documentNo, stopAtOnce: true };
      details.documentNo = documentNo;
      details.stopAtOnce = true;
      dues = [period(on, 'correctionPeriod'), period(on, 'reinspectionDue')];
      break;
    }

    case 'reinspect': {
      if (typeof action.passed !== 'boolean')
        throw validation('passed', 'REQUIRED', '须说明复查是否合格', 'passed must be true or false');
      if (c.earliestOn !== null && on < c.earliestOn) {
        throw tooEarly(
          `${on}尚不能复查，最早${c.earliestOn}`,
          `No re-inspection before ${c.earliestOn} (asked for ${on})`,
        );
      }
      const round: ReinspectionRound =
        c.state === 'correcting' ? 'first' : c.state === 'provinceNotified' ? 'second' : 'final';
      next.reinspections = [...c.reinspections, { round, on, passed: action.passed }];
      details.round = round;
      details.passed = action.passed;
      if (action.passed) {
        to = 'closedRectified';
        next = close(next, on, 'rectified');
      } else {
        to =
          round === 'first'
            ? 'awaitingNotice'
            : round === 'second'
              ? 'awaitingSuspension'
              : 'awaitingRevocation';
      }
      break;
    }

    case 'notifyProvince': {
      to = 'provinceNotified';
      const reference = optionalText('reference', action.reference);
      next.provincialNotice = { on, reference };
      details.reference = reference;
      dues = [period(on, 'secondReinspectionEarliest', 'earliest'), period(on, 'secondReinspectionDue')];
      break;
    }

    case 'suspend': {
      const { min, max } = deadlines.suspensionDays;
      if (!Number.isSafeInteger(action.days) || action.days < min || action.days > max) {
        throw validation(
          'days',
          'OUT_OF_RANGE',
          `停业整顿期限应为${min}至${max}日`,
          `The suspension must last ${min} to ${max} days`,
        );
      }
      const decisionNo = requiredText(
        'decisionNo',
        action.decisionNo,
        '须填写停业整顿决定书文号',
        'Name the suspension decision',
      );
      const ends = dueAfterDays(calendar, on, action.days);
      const endsDue: CaseDue = {
        name: 'suspensionEnds',
        kind: 'earliest',
        on: ends.due,
        from: on,
        days: action.days,
        rolled: ends.rolled,
      };
      to = 'suspended';
      next.suspension = { on, days: action.days, endsOn: ends.due, decisionNo };
      details.days = action.days;
      details.decisionNo = decisionNo;
      dues = [endsDue, period(ends.due, 'suspensionReinspectionDue')];
      break;
    }

    case 'revoke': {
      const licenceNo = requiredText(
        'licenceNo',
        action.licenceNo,
        '须填写被吊销的许可证编号',
        'Name the licence revoked',
      );
      const decisionNo = optionalText('decisionNo', action.decisionNo);
      to = 'revoked';
      next.revocation = { on, licenceNo, decisionNo };
      next = close(next, on, 'revoked');
      details.licenceNo = licenceNo;
      details.decisionNo = decisionNo;
      extra.push({ kind: 'licenceRevoked', on, licenceNo, decisionNo });
      break;
    }
  }

  const deadline = dues.find((d) => d.kind === 'deadline');
  const earliest = dues.find((d) => d.kind === 'earliest');
  next = {
    ...next,
    state: to,
    rev: c.rev + 1,
    policyVersion: dues.length > 0 ? deadlines.version : c.policyVersion,
    lastStepOn: on,
    dues,
    // The last deadline of the state is the one that makes it overdue (correcting: day 75).
    dueOn: deadline ? dues.filter((d) => d.kind === 'deadline').at(-1)!.on : null,
    earliestOn: earliest?.on ?? null,
    history: [
      ...c.history,
      {
        seq: c.history.length + 1,
        action: action.type,
        from: c.state,
        to,
        on,
        recordedOn: today,
        actor,
        notes,
        documents,
        details,
      },
    ],
  };
  return {
    case: next,
    effects: [
      { kind: 'transitioned', from: c.state, to, action: action.type, on, dueOn: next.dueOn },
      ...extra,
    ],
  };
}

function close(c: SamplingCase, on: IsoDate, outcome: CaseOutcome): SamplingCase {
  return { ...c, outcome, closedOn: on };
}

// ---- what the queue, the presenters and the daily jobs ask -------------------------------------

export const isClosed = (c: Pick<SamplingCase, 'state'>) => TERMINAL_CASE_STATES.includes(c.state);

/** Late: the current state's deadline has passed. */
export const isOverdue = (c: Pick<SamplingCase, 'dueOn'>, today: IsoDate) =>
  c.dueOn !== null && today > c.dueOn;

/**
 * The actions this actor could take today: the state's actions the actor may take, less those whose
 * window is closed or not yet open (the form still checks dates and fields).
 */
export function allowedActions(c: SamplingCase, today: IsoDate, kind: CaseActorKind): CaseActionType[] {
  return CASE_ACTIONS.filter((a) => {
    if (!isTransitionAllowed(c.state, a) || !ACTION_ACTORS[a].includes(kind)) return false;
    if (a === 'object' || a === 'accept') return today <= dueOf(c, 'objectionWindow');
    if (a === 'lapse') return today > dueOf(c, 'objectionWindow');
    if (a === 'reinspect') return c.earliestOn === null || today >= c.earliestOn;
    return true;
  });
}

export const dueKey = (d: Pick<CaseDue, 'name' | 'on'>) => `${d.name}@${d.on}`;

/** Deadlines within the reminder window (today up to N working days ahead) not yet reminded of. */
export function remindersDue(
  c: SamplingCase,
  today: IsoDate,
  calendar: WorkdayCalendar,
  deadlines: CaseDeadlines = caseDeadlines(),
): CaseDue[] {
  if (isClosed(c)) return [];
  const n = deadlines.reminderWorkdays.workdays;
  return c.dues.filter(
    (d) =>
      d.kind === 'deadline' &&
      d.on >= today &&
      calendar.workdaysBetween(today, d.on) <= n &&
      !c.reminders.includes(dueKey(d)),
  );
}

/** Deadlines that have passed (today is after them) and are not yet marked. */
export function passedDeadlines(c: SamplingCase, today: IsoDate): CaseDue[] {
  if (isClosed(c)) return [];
  return c.dues.filter((d) => d.kind === 'deadline' && today > d.on && !c.overdueNoted.includes(dueKey(d)));
}

/** The case with these due dates marked as reminded of or passed (no step, but a new revision). */
export function markDues(c: SamplingCase, mark: 'reminders' | 'overdueNoted', dues: CaseDue[]): SamplingCase {
  const keys = dues.map(dueKey).filter((k) => !c[mark].includes(k));
  if (keys.length === 0) return c;
  return { ...c, rev: c.rev + 1, [mark]: [...c[mark], ...keys] };
}

// ---- checks and errors ---------------------------------------------------------------------------

const ACTOR_LABELS: Record<CaseActorKind, Message> = {
  official: { zh: '监管人员', en: 'An official' },
  enterprise: { zh: '企业', en: 'The enterprise' },
  lab: { zh: '检验机构', en: 'A lab' },
  system: { zh: '系统', en: 'The system' },
};

function dueOf(c: SamplingCase, name: DueName): IsoDate {
  const d = c.dues.find((x) => x.name === name);
  if (!d) throw new Error(`case ${c.id} in state ${c.state} has no ${name} due date`);
  return d.on;
}

function windowStillOpen(c: SamplingCase, on: IsoDate) {
  const due = dueOf(c, 'objectionWindow');
  if (on > due) {
    const message = {
      zh: `异议期已于${due}届满（自收到通知之日${c.notice.receivedOn}起15日）`,
      en: `The objection window closed on ${due} (15 days from receipt on ${c.notice.receivedOn})`,
    };
    throw new AppError('CASE_OBJECTION_WINDOW_CLOSED', {
      message,
      fields: [{ field: 'on', code: 'CASE_OBJECTION_WINDOW_CLOSED', message }],
    });
  }
}

function objectionItems(c: SamplingCase, raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw validation('items', 'REQUIRED', '须列明有异议的检验项目', 'Name the disputed check items');
  const items = raw.map((i) => (typeof i === 'string' ? i.trim() : ''));
  const unknown = items.filter((i) => !c.failedItems.includes(i));
  if (unknown.length > 0) {
    throw validation(
      'items',
      'NOT_A_FAILED_ITEM',
      `以下项目不是本样品的不合格项目: ${unknown.join('、')}`,
      `Not failed items of this sample: ${unknown.join(', ')}`,
    );
  }
  if (new Set(items).size !== items.length)
    throw validation('items', 'DUPLICATE', '检验项目重复', 'An item is named twice');
  return items;
}

function cleanNotes(notes: string | null | undefined): string | null {
  if (notes == null) return null;
  if (typeof notes !== 'string') throw validation('notes', 'INVALID', '备注须为文字', 'notes must be text');
  const t = notes.trim();
  if (t.length > MAX_TEXT) throw tooLong('notes');
  return t === '' ? null : t;
}

function cleanDocuments(docs: CaseDocument[] | undefined): CaseDocument[] {
  if (docs == null) return [];
  if (!Array.isArray(docs) || docs.length > MAX_DOCUMENTS)
    throw validation(
      'documents',
      'TOO_MANY',
      `最多${MAX_DOCUMENTS}份文书`,
      `At most ${MAX_DOCUMENTS} documents`,
    );
  return docs.map((d, i) => {
    const title = typeof d?.title === 'string' ? d.title.trim() : '';
    if (title === '')
      throw validation(`documents.${i}.title`, 'REQUIRED', '文书须有标题', 'A document needs a title');
    const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
    return { title, number: text(d.number), fileId: text(d.fileId) };
  });
}

function requiredText(field: string, value: unknown, zh: string, en: string): string {
  const t = typeof value === 'string' ? value.trim() : '';
  if (t === '') throw validation(field, 'REQUIRED', zh, en);
  if (t.length > 200) throw tooLong(field);
  return t;
}

function optionalText(field: string, value: unknown): string | null {
  if (value == null) return null;
  const t = typeof value === 'string' ? value.trim() : '';
  if (t.length > 200) throw tooLong(field);
  return t === '' ? null : t;
}

function checkToday(today: IsoDate) {
  if (!isIsoDate(today)) throw invalidDate('today', today);
}

function notAllowed(state: CaseState, action: CaseActionType): AppError {
  const message = {
    zh: `案件处于“${CASE_STATE_LABELS[state].zh}”环节，不能“${CASE_ACTION_LABELS[action].zh}”`,
    en: `A case in state "${state}" cannot ${CASE_ACTION_LABELS[action].en} (${action})`,
  };
  return new AppError('CASE_TRANSITION_NOT_ALLOWED', {
    message,
    detail: `case:${state}:${action}`,
    fields: [{ field: 'type', code: 'CASE_TRANSITION_NOT_ALLOWED', message }],
  });
}

function tooEarly(zh: string, en: string): AppError {
  const message = { zh, en };
  return new AppError('CASE_TOO_EARLY', {
    message,
    fields: [{ field: 'on', code: 'CASE_TOO_EARLY', message }],
  });
}

function validation(field: string, code: string, zh: string, en: string): AppError {
  const f: FieldError = { field, code, message: { zh, en } };
  return new AppError('VALIDATION_FAILED', { message: { zh, en }, fields: [f] });
}

function tooLong(field: string): AppError {
  return validation(field, 'TOO_LONG', `${field}过长`, `${field} is too long`);
}

function inFuture(field: string, value: IsoDate, today: IsoDate): AppError {
  return validation(
    field,
    'IN_THE_FUTURE',
    `日期${value}晚于今天（${today}）`,
    `The date ${value} is after today (${today})`,
  );
}

function invalidDate(field: string, value: unknown): AppError {
  const message = { zh: `日期无效: ${String(value)}`, en: `Not a YYYY-MM-DD date: ${String(value)}` };
  return new AppError('INVALID_DATE', { message, fields: [{ field, code: 'INVALID_DATE', message }] });
}
