// Blacklist (严重违法失信名单) lifecycle on the SAMR order 44 model, as a pure state machine: the
// caller supplies today, the calendar and the actor, and persists the returned entry and effects
// in one transaction.
import { AppError, type FieldError, type Message } from '../../core/errors.js';
import { type IsoDate, isIsoDate, type WorkdayCalendar } from '../../core/workdays.js';
import { CREDIT_DEADLINES_2021, type CreditDeadlinePolicy, type DeadlineName, dueDate } from './deadlines.js';

export const BLACKLIST_STATES = [
  'candidate',
  'notified',
  'listed',
  'published',
  'removedEarly',
  'expired',
  'withdrawn',
] as const;
export type BlacklistState = (typeof BLACKLIST_STATES)[number];

export const BLACKLIST_ACTIONS = [
  'notify',
  'list',
  'publish',
  'applyRemoval',
  'decideRemoval',
  'expire',
  'withdraw',
] as const;
export type BlacklistActionType = (typeof BLACKLIST_ACTIONS)[number];

/** Which states each action may start from; everything else is INVALID_STATE. */
export const BLACKLIST_TRANSITIONS: Record<BlacklistActionType, readonly BlacklistState[]> = {
  notify: ['candidate'],
  list: ['notified'],
  publish: ['listed'],
  applyRemoval: ['listed', 'published'],
  decideRemoval: ['listed', 'published'],
  expire: ['listed', 'published'],
  withdraw: ['candidate', 'notified', 'listed', 'published'],
};

export const TERMINAL_STATES: readonly BlacklistState[] = ['removedEarly', 'expired', 'withdrawn'];

export const STATE_LABELS: Record<BlacklistState, Message> = {
  candidate: { zh: '拟列入', en: 'candidate' },
  notified: { zh: '已告知', en: 'notified' },
  listed: { zh: '已列入', en: 'listed' },
  published: { zh: '已公示', en: 'published' },
  removedEarly: { zh: '已提前移出', en: 'removed early' },
  expired: { zh: '已期满移出', en: 'expired' },
  withdrawn: { zh: '已撤销列入', en: 'withdrawn' },
};

export const ACTION_LABELS: Record<BlacklistActionType, Message> = {
  notify: { zh: '告知', en: 'notify' },
  list: { zh: '列入', en: 'list' },
  publish: { zh: '公示', en: 'publish' },
  applyRemoval: { zh: '申请提前移出', en: 'apply for early removal' },
  decideRemoval: { zh: '决定提前移出申请', en: 'decide on early removal' },
  expire: { zh: '期满移出', en: 'expire' },
  withdraw: { zh: '撤销列入', en: 'withdraw' },
};

export type Actor = { id: string; kind: 'official' | 'enterprise' | 'system' };

/** The penalty decision that qualifies the enterprise for the list. */
export type QualifyingPenalty = {
  decisionNo: string;
  decidedOn: IsoDate;
  /** End of a legal restriction (限制从业, 限制生产经营…) that outlasts three years, if any. */
  restrictionEndsOn: IsoDate | null;
};

/** The five conditions of an early-removal application (order 44: obligations, harm, no new penalty, pledge, evidence). */
export type RemovalConditions = {
  obligationsFulfilled: boolean;
  harmRemoved: boolean;
  noNewHeavierPenalty: boolean;
  pledgeSigned: boolean;
  evidenceSubmitted: boolean;
};

export type RemovalApplication = RemovalConditions & {
  evidenceIds: string[];
  appliedOn: IsoDate;
  decideBy: IsoDate;
  outcome: 'pending' | 'approved' | 'rejected' | 'lapsed';
  decidedOn: IsoDate | null;
  reasons: string | null;
};

export type BlacklistEntry = {
  id: string;
  enterpriseId: string;
  state: BlacklistState;
  penalty: QualifyingPenalty;
  /** Version of the deadline policy that computed the latest dates below. */
  policyVersion: string;
  notifiedOn: IsoDate | null;
  statementDeadline: IsoDate | null;
  statementHeard: boolean;
  listedOn: IsoDate | null;
  publishBy: IsoDate | null;
  expiresOn: IsoDate | null;
  earliestRemovalOn: IsoDate | null;
  publishedOn: IsoDate | null;
  removalApplication: RemovalApplication | null;
  pastRemovalApplications: RemovalApplication[];
  endedOn: IsoDate | null;
  penaltyRevokedBy: string | null;
  /** Hide from the portal no later than this date once the entry has left the list. */
  unpublishBy: IsoDate | null;
  portalVisible: boolean;
  /** Early removal must leave no trace on the portal: neither the listing nor the removal. */
  showRemovalOnPortal: boolean;
};

export type BlacklistAction =
  | { type: 'notify' }
  | { type: 'list'; statementHeard: boolean }
  | { type: 'publish' }
  | { type: 'applyRemoval'; conditions: RemovalConditions; evidenceIds: string[] }
  | { type: 'decideRemoval'; approved: boolean; reasons: string }
  | { type: 'expire' }
  | { type: 'withdraw'; penaltyRevokedBy: string };

export type TransitionContext = {
  today: IsoDate;
  calendar: WorkdayCalendar;
  actor: Actor;
  policy?: CreditDeadlinePolicy;
};

export type BlacklistEffect =
  | {
      kind: 'audit';
      entryId: string;
      action: BlacklistActionType;
      actor: Actor;
      on: IsoDate;
      before: BlacklistEntry;
      after: BlacklistEntry;
    }
  | {
      kind: 'event';
      type: `credit.blacklist.${string}`;
      entryId: string;
      enterpriseId: string;
      on: IsoDate;
      payload: Record<string, unknown>;
    }
  | { kind: 'portal'; op: 'publish' | 'unpublish'; entryId: string; by: IsoDate };

export type TransitionResult = { entry: BlacklistEntry; effects: BlacklistEffect[] };

export function createCandidate(input: {
  id: string;
  enterpriseId: string;
  penalty: QualifyingPenalty;
  policy?: CreditDeadlinePolicy;
}): BlacklistEntry {
  const { decidedOn, restrictionEndsOn } = input.penalty;
  if (!isIsoDate(decidedOn)) throw invalidDate('penalty.decidedOn', decidedOn);
  if (restrictionEndsOn != null && !isIsoDate(restrictionEndsOn)) {
    throw invalidDate('penalty.restrictionEndsOn', restrictionEndsOn);
  }
  if (input.penalty.decisionNo.trim() === '') {
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        field(
          'penalty.decisionNo',
          'REQUIRED',
          '缺少处罚决定书文号',
          'The penalty decision number is required',
        ),
      ],
    });
  }
  return {
    id: input.id,
    enterpriseId: input.enterpriseId,
    state: 'candidate',
    penalty: { ...input.penalty, restrictionEndsOn: input.penalty.restrictionEndsOn ?? null },
    policyVersion: (input.policy ?? CREDIT_DEADLINES_2021).version,
    notifiedOn: null,
    statementDeadline: null,
    statementHeard: false,
    listedOn: null,
    publishBy: null,
    expiresOn: null,
    earliestRemovalOn: null,
    publishedOn: null,
    removalApplication: null,
    pastRemovalApplications: [],
    endedOn: null,
    penaltyRevokedBy: null,
    unpublishBy: null,
    portalVisible: false,
    showRemovalOnPortal: false,
  };
}

export function isIllegalTransition(state: BlacklistState, action: BlacklistActionType): boolean {
  return !BLACKLIST_TRANSITIONS[action].includes(state);
}

/** Apply one action; throws AppError INVALID_STATE for an illegal pair or an unmet timing rule. */
export function transition(
  entry: BlacklistEntry,
  action: BlacklistAction,
  ctx: TransitionContext,
): TransitionResult {
  if (!isIsoDate(ctx.today)) throw invalidDate('today', ctx.today);
  if (isIllegalTransition(entry.state, action.type)) throw illegal(entry.state, action.type);
  const policy = ctx.policy ?? CREDIT_DEADLINES_2021;
  const due = (from: IsoDate, name: DeadlineName) => dueDate(ctx.calendar, from, policy[name].period);
  const { today } = ctx;
  let next: BlacklistEntry;
  const extra: BlacklistEffect[] = [];
  // Defaults to the new state's name; set where the state does not change or says too little.
  let eventType: string | null = null;

  switch (action.type) {
    case 'notify':
      next = {
        ...entry,
        state: 'notified',
        notifiedOn: today,
        statementDeadline: due(today, 'statementPeriod'),
      };
      break;

    case 'list': {
      // The right to state a case runs to the end of its last day, unless the statement was already heard.
      if (!action.statementHeard && today <= entry.statementDeadline!) {
        throw guard(
          'today',
          'STATEMENT_PERIOD_RUNNING',
          `陈述申辩期限至${entry.statementDeadline}届满, 此前不能列入`,
          `The period to state a case runs until ${entry.statementDeadline}; listing is not yet allowed`,
        );
      }
      const threeYears = due(today, 'listingDuration');
      const restriction = entry.penalty.restrictionEndsOn;
      next = {
        ...entry,
        state: 'listed',
        statementHeard: action.statementHeard,
        listedOn: today,
        publishBy: due(today, 'publishAfterListing'),
        expiresOn: restriction !== null && restriction > threeYears ? restriction : threeYears,
        earliestRemovalOn: due(today, 'earliestRemoval'),
      };
      break;
    }

    case 'publish':
      next = {
        ...entry,
        state: 'published',
        publishedOn: today,
        portalVisible: true,
        showRemovalOnPortal: false,
      };
      extra.push({ kind: 'portal', op: 'publish', entryId: entry.id, by: today });
      break;

    case 'applyRemoval': {
      if (entry.removalApplication !== null) {
        throw guard(
          'removalApplication',
          'REMOVAL_ALREADY_PENDING',
          '已有待决定的提前移出申请',
          'An early-removal application is already pending',
        );
      }
      if (today < entry.earliestRemovalOn! || today >= entry.expiresOn!) {
        throw guard(
          'today',
          'REMOVAL_NOT_ALLOWED_NOW',
          `提前移出申请只能在${entry.earliestRemovalOn}至${entry.expiresOn}(不含)之间提出`,
          `Early removal can be applied for from ${entry.earliestRemovalOn} until before ${entry.expiresOn}`,
        );
      }
      const problems = removalConditionProblems(action.conditions, action.evidenceIds);
      if (problems.length > 0) {
        throw new AppError('VALIDATION_FAILED', {
          fields: problems,
          message: { zh: '不符合提前移出条件', en: 'The conditions for early removal are not met' },
        });
      }
      next = {
        ...entry,
        removalApplication: {
          ...action.conditions,
          evidenceIds: [...action.evidenceIds],
          appliedOn: today,
          decideBy: due(today, 'removalDecision'),
          outcome: 'pending',
          decidedOn: null,
          reasons: null,
        },
      };
      eventType = 'removalApplied';
      break;
    }

    case 'decideRemoval': {
      const application = entry.removalApplication;
      if (application === null) {
        throw guard(
          'removalApplication',
          'NO_PENDING_REMOVAL',
          '没有待决定的提前移出申请',
          'There is no pending early-removal application',
        );
      }
      if (action.reasons.trim() === '') throw requiredReasons();
      const closed: RemovalApplication = {
        ...application,
        outcome: action.approved ? 'approved' : 'rejected',
        decidedOn: today,
        reasons: action.reasons,
      };
      const base = {
        ...entry,
        removalApplication: null,
        pastRemovalApplications: [...entry.pastRemovalApplications, closed],
      };
      if (action.approved) {
        next = {
          ...base,
          ...leaveList(entry, today, due(today, 'unpublishAfterRemoval')),
          state: 'removedEarly',
        };
        extra.push(...unpublish(entry, next));
      } else {
        next = base;
        eventType = 'removalRejected';
      }
      break;
    }

    case 'expire':
      if (today < entry.expiresOn!) {
        throw guard(
          'today',
          'NOT_YET_EXPIRED',
          `列入期限至${entry.expiresOn}届满, 此前不能期满移出`,
          `The listing runs until ${entry.expiresOn}; it cannot expire before`,
        );
      }
      next = { ...entry, ...leaveList(entry, today, today), state: 'expired', removalApplication: null };
      if (entry.removalApplication !== null) {
        next.pastRemovalApplications = [
          ...entry.pastRemovalApplications,
          { ...entry.removalApplication, outcome: 'lapsed', decidedOn: today },
        ];
      }
      extra.push(...unpublish(entry, next));
      break;

    case 'withdraw':
      if (action.penaltyRevokedBy.trim() === '') {
        throw new AppError('VALIDATION_FAILED', {
          fields: [
            field(
              'penaltyRevokedBy',
              'REQUIRED',
              '须注明撤销处罚的文书',
              'Name the decision that revoked the penalty',
            ),
          ],
        });
      }
      next = {
        ...entry,
        ...leaveList(entry, today, due(today, 'unpublishAfterRemoval')),
        state: 'withdrawn',
        penaltyRevokedBy: action.penaltyRevokedBy,
      };
      if (entry.removalApplication !== null) {
        next.removalApplication = null;
        next.pastRemovalApplications = [
          ...entry.pastRemovalApplications,
          { ...entry.removalApplication, outcome: 'lapsed', decidedOn: today },
        ];
      }
      extra.push(...unpublish(entry, next));
      break;
  }

  // The entry names the policy version behind its latest computed dates.
  next = { ...next, policyVersion: policy.version };
  return {
    entry: next,
    effects: [
      {
        kind: 'audit',
        entryId: entry.id,
        action: action.type,
        actor: ctx.actor,
        on: today,
        before: entry,
        after: next,
      },
      {
        kind: 'event',
        type: `credit.blacklist.${eventType ?? next.state}`,
        entryId: entry.id,
        enterpriseId: entry.enterpriseId,
        on: today,
        payload: eventPayload(next),
      },
      ...extra,
    ],
  };
}

/** Automatic transitions due on `today`; the daily job applies each with a system actor. */
export function tick(entry: BlacklistEntry, today: IsoDate): BlacklistAction[] {
  if ((entry.state === 'listed' || entry.state === 'published') && today >= entry.expiresOn!) {
    return [{ type: 'expire' }];
  }
  return [];
}

/** Deadlines the bureau has missed as of `today` (publication, decision on a removal application). */
export function overdueDeadlines(
  entry: BlacklistEntry,
  today: IsoDate,
): Array<{ deadline: 'publishBy' | 'removalDecideBy'; due: IsoDate }> {
  const overdue: Array<{ deadline: 'publishBy' | 'removalDecideBy'; due: IsoDate }> = [];
  if (entry.state === 'listed' && entry.publishBy !== null && today > entry.publishBy) {
    overdue.push({ deadline: 'publishBy', due: entry.publishBy });
  }
  const application = entry.removalApplication;
  if (application !== null && today > application.decideBy) {
    overdue.push({ deadline: 'removalDecideBy', due: application.decideBy });
  }
  return overdue;
}

/** Shown on the public portal: published, and not past its expiry even if the job has not run yet. */
export function isPortalVisible(entry: BlacklistEntry, today: IsoDate): boolean {
  return (
    entry.state === 'published' && entry.portalVisible && entry.expiresOn !== null && today < entry.expiresOn
  );
}

export function removalConditionProblems(conditions: RemovalConditions, evidenceIds: string[]): FieldError[] {
  const reasons: Record<keyof RemovalConditions, [string, string]> = {
    obligationsFulfilled: [
      '未履行行政处罚决定规定的义务',
      'The obligations of the penalty decision are not fulfilled',
    ],
    harmRemoved: ['未消除危害后果和不良影响', 'The harm and its adverse effects are not removed'],
    noNewHeavierPenalty: ['列入后又受到较重行政处罚', 'A heavier penalty was imposed after listing'],
    pledgeSigned: ['未签署信用承诺书', 'The credit pledge is not signed'],
    evidenceSubmitted: ['未提交证明材料', 'No supporting evidence was submitted'],
  };
  const problems: FieldError[] = [];
  for (const key of Object.keys(reasons) as Array<keyof RemovalConditions>) {
    if (conditions[key] !== true) {
      const [zh, en] = reasons[key];
      problems.push(field(`conditions.${key}`, 'CONDITION_NOT_MET', zh, en));
    }
  }
  if (conditions.evidenceSubmitted && evidenceIds.filter((id) => id.trim() !== '').length === 0) {
    problems.push(field('evidenceIds', 'REQUIRED', '须附证明材料', 'Attach at least one piece of evidence'));
  }
  return problems;
}

function leaveList(entry: BlacklistEntry, today: IsoDate, unpublishBy: IsoDate): Partial<BlacklistEntry> {
  return {
    endedOn: today,
    portalVisible: false,
    showRemovalOnPortal: false,
    unpublishBy: entry.state === 'published' ? unpublishBy : null,
  };
}

function unpublish(before: BlacklistEntry, after: BlacklistEntry): BlacklistEffect[] {
  return before.state === 'published'
    ? [{ kind: 'portal', op: 'unpublish', entryId: before.id, by: after.unpublishBy! }]
    : [];
}

function eventPayload(entry: BlacklistEntry): Record<string, unknown> {
  return {
    state: entry.state,
    policyVersion: entry.policyVersion,
    penaltyDecisionNo: entry.penalty.decisionNo,
    statementDeadline: entry.statementDeadline,
    listedOn: entry.listedOn,
    publishBy: entry.publishBy,
    expiresOn: entry.expiresOn,
    earliestRemovalOn: entry.earliestRemovalOn,
    endedOn: entry.endedOn,
  };
}

function field(name: string, code: string, zh: string, en: string): FieldError {
  return { field: name, code, message: { zh, en } };
}

function illegal(state: BlacklistState, action: BlacklistActionType): AppError {
  return new AppError('INVALID_STATE', {
    message: {
      zh: `黑名单状态为“${STATE_LABELS[state].zh}”时不能执行“${ACTION_LABELS[action].zh}”`,
      en: `A blacklist entry in state "${state}" cannot ${ACTION_LABELS[action].en} (${action})`,
    },
    detail: `blacklist:${state}:${action}`,
  });
}

function guard(name: string, code: string, zh: string, en: string): AppError {
  return new AppError('INVALID_STATE', { message: { zh, en }, fields: [field(name, code, zh, en)] });
}

function requiredReasons(): AppError {
  return new AppError('VALIDATION_FAILED', {
    fields: [field('reasons', 'REQUIRED', '须说明决定理由', 'The decision must give its reasons')],
  });
}

function invalidDate(name: string, value: string): AppError {
  return new AppError('INVALID_DATE', {
    fields: [field(name, 'INVALID_DATE', `日期无效: ${value}`, `Not a YYYY-MM-DD date: ${value}`)],
  });
}
