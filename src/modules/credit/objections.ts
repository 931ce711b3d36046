// Objections to a credit record and the enterprise's right of reply, as pure functions: the caller
// supplies today, the calendar and the actor, and persists the result and effects in one transaction.
import { AppError, type FieldError, type Message } from '../../core/errors.js';
import { type IsoDate, isIsoDate, type WorkdayCalendar } from '../../core/workdays.js';
import type { Actor } from './blacklist.js';
import { CREDIT_DEADLINES_2021, type CreditDeadlinePolicy, dueDate } from './deadlines.js';

export const OBJECTION_STATES = ['submitted', 'underReview', 'upheld', 'rejected', 'withdrawn'] as const;
export type ObjectionState = (typeof OBJECTION_STATES)[number];

export const OBJECTION_ACTIONS = ['startReview', 'uphold', 'reject', 'withdraw'] as const;
export type ObjectionActionType = (typeof OBJECTION_ACTIONS)[number];

export const OBJECTION_TRANSITIONS: Record<ObjectionActionType, readonly ObjectionState[]> = {
  startReview: ['submitted'],
  uphold: ['underReview'],
  reject: ['underReview'],
  withdraw: ['submitted', 'underReview'],
};

const NEXT_STATE: Record<ObjectionActionType, ObjectionState> = {
  startReview: 'underReview',
  uphold: 'upheld',
  reject: 'rejected',
  withdraw: 'withdrawn',
};

export const OBJECTION_STATE_LABELS: Record<ObjectionState, Message> = {
  submitted: { zh: '已提交', en: 'submitted' },
  underReview: { zh: '审查中', en: 'under review' },
  upheld: { zh: '异议成立', en: 'upheld' },
  rejected: { zh: '异议不成立', en: 'rejected' },
  withdrawn: { zh: '已撤回', en: 'withdrawn' },
};

export const OBJECTION_ACTION_LABELS: Record<ObjectionActionType, Message> = {
  startReview: { zh: '开始审查', en: 'start the review' },
  uphold: { zh: '认定异议成立', en: 'uphold' },
  reject: { zh: '驳回异议', en: 'reject' },
  withdraw: { zh: '撤回异议', en: 'withdraw' },
};

export type Objection = {
  id: string;
  enterpriseId: string;
  /** The disputed credit record (an event, a grade, a blacklist entry…). */
  recordId: string;
  grounds: string;
  state: ObjectionState;
  policyVersion: string;
  submittedOn: IsoDate;
  reviewStartedOn: IsoDate | null;
  reviewDeadline: IsoDate | null;
  decidedOn: IsoDate | null;
  reasons: string | null;
  withdrawnOn: IsoDate | null;
};

export type ObjectionAction =
  | { type: 'startReview' }
  | { type: 'uphold'; reasons: string }
  | { type: 'reject'; reasons: string }
  | { type: 'withdraw' };

export type ObjectionContext = {
  today: IsoDate;
  calendar: WorkdayCalendar;
  actor: Actor;
  policy?: CreditDeadlinePolicy;
};

export type ObjectionEffect =
  | {
      kind: 'audit';
      objectionId: string;
      action: ObjectionActionType;
      actor: Actor;
      on: IsoDate;
      before: Objection;
      after: Objection;
    }
  | {
      kind: 'event';
      type: `credit.objection.${ObjectionState}`;
      objectionId: string;
      enterpriseId: string;
      recordId: string;
      on: IsoDate;
    }
  // An upheld objection never edits the record: the caller appends a reversal record to it.
  | { kind: 'reversalRequest'; recordId: string; objectionId: string; on: IsoDate; reasons: string };

export function createObjection(input: {
  id: string;
  enterpriseId: string;
  recordId: string;
  grounds: string;
  submittedOn: IsoDate;
  calendar: WorkdayCalendar;
  policy?: CreditDeadlinePolicy;
}): Objection {
  if (!isIsoDate(input.submittedOn)) throw invalidDate('submittedOn', input.submittedOn);
  const policy = input.policy ?? CREDIT_DEADLINES_2021;
  if (input.grounds.trim() === '') {
    throw new AppError('VALIDATION_FAILED', {
      fields: [field('grounds', 'REQUIRED', '须说明异议理由', 'State the grounds of the objection')],
    });
  }
  return {
    id: input.id,
    enterpriseId: input.enterpriseId,
    recordId: input.recordId,
    grounds: input.grounds.trim(),
    state: 'submitted',
    policyVersion: policy.version,
    submittedOn: input.submittedOn,
    reviewStartedOn: null,
    // The bureau's time runs from submission, not from whenever someone opens the file.
    reviewDeadline: dueDate(input.calendar, input.submittedOn, policy.objectionReview.period),
    decidedOn: null,
    reasons: null,
    withdrawnOn: null,
  };
}

export function transitionObjection(
  objection: Objection,
  action: ObjectionAction,
  ctx: ObjectionContext,
): { objection: Objection; effects: ObjectionEffect[] } {
  const { today } = ctx;
  if (!isIsoDate(today)) throw invalidDate('today', today);
  if (!OBJECTION_TRANSITIONS[action.type].includes(objection.state))
    throw illegal(objection.state, action.type);
  const state = NEXT_STATE[action.type];
  const extra: ObjectionEffect[] = [];
  let next: Objection;

  switch (action.type) {
    case 'startReview': {
      // The deadline was set at submission and does not move; an objection stored before that
      // (no deadline) gets the one its submission date gives.
      const reviewDeadline = reviewDeadlineOf(objection, ctx.calendar, ctx.policy);
      next = { ...objection, state, reviewStartedOn: today, reviewDeadline };
      break;
    }
    case 'uphold':
    case 'reject': {
      const reasons = action.reasons.trim();
      if (reasons === '') {
        throw new AppError('VALIDATION_FAILED', {
          fields: [field('reasons', 'REQUIRED', '须说明决定理由', 'The decision must give its reasons')],
        });
      }
      next = { ...objection, state, decidedOn: today, reasons };
      if (action.type === 'uphold') {
        extra.push({
          kind: 'reversalRequest',
          recordId: objection.recordId,
          objectionId: objection.id,
          on: today,
          reasons,
        });
      }
      break;
    }
    case 'withdraw':
      // Only the objecting enterprise can take its objection back.
      if (ctx.actor.kind !== 'enterprise') {
        throw new AppError('FORBIDDEN', {
          message: { zh: '只有提出异议的企业可以撤回异议', en: 'Only the objecting enterprise can withdraw' },
        });
      }
      next = { ...objection, state, withdrawnOn: today };
      break;
  }

  return {
    objection: next,
    effects: [
      {
        kind: 'audit',
        objectionId: objection.id,
        action: action.type,
        actor: ctx.actor,
        on: today,
        before: objection,
        after: next,
      },
      {
        kind: 'event',
        type: `credit.objection.${state}`,
        objectionId: objection.id,
        enterpriseId: objection.enterpriseId,
        recordId: objection.recordId,
        on: today,
      },
      ...extra,
    ],
  };
}

/** Not yet decided or withdrawn: public output flags the record as disputed. */
export function isPending(objection: Objection): boolean {
  return objection.state === 'submitted' || objection.state === 'underReview';
}

export function hasPendingObjection(recordId: string, objections: readonly Objection[]): boolean {
  return objections.some((o) => o.recordId === recordId && isPending(o));
}

/**
 * The day by which the bureau must decide: set at submission (policy period from the submission
 * date); for an objection stored before deadlines ran from submission, computed from its date.
 */
export function reviewDeadlineOf(
  objection: Objection,
  calendar?: WorkdayCalendar,
  policy: CreditDeadlinePolicy = CREDIT_DEADLINES_2021,
): IsoDate | null {
  if (objection.reviewDeadline) return objection.reviewDeadline;
  return calendar ? dueDate(calendar, objection.submittedOn, policy.objectionReview.period) : null;
}

/** Not decided (submitted or under review) after its deadline day. */
export function isReviewOverdue(objection: Objection, today: IsoDate, calendar?: WorkdayCalendar): boolean {
  const deadline = reviewDeadlineOf(objection, calendar);
  return isPending(objection) && deadline !== null && today > deadline;
}

// ---- Right of reply (回应): one current reply per record, replaced, never edited ----

/** Zhihui default: long enough for a statement, short enough to sit beside a record on the portal. */
export const REPLY_POLICY = { maxChars: 500, zhihuiDefault: true } as const;

export type Reply = {
  id: string;
  recordId: string;
  enterpriseId: string;
  text: string;
  postedOn: IsoDate;
  /** Set when a newer reply replaced this one; history is kept, never rewritten. */
  replacedOn: IsoDate | null;
};

/** Post a reply to a record; the current one (if any) is closed and kept in the history. */
export function addReply(
  replies: readonly Reply[],
  input: { id: string; recordId: string; enterpriseId: string; text: string; today: IsoDate },
  maxChars: number = REPLY_POLICY.maxChars,
): { replies: Reply[]; current: Reply; replaced: Reply | null } {
  if (!isIsoDate(input.today)) throw invalidDate('today', input.today);
  const text = input.text.trim();
  // Count code points, not UTF-16 units, so a rare CJK character counts once.
  const length = [...text].length;
  if (length === 0) {
    throw new AppError('VALIDATION_FAILED', {
      fields: [field('text', 'REQUIRED', '回应内容不能为空', 'The reply must not be empty')],
    });
  }
  if (length > maxChars) {
    throw new AppError('VALIDATION_FAILED', {
      fields: [
        field(
          'text',
          'TOO_LONG',
          `回应不能超过${maxChars}字(当前${length}字)`,
          `The reply must be at most ${maxChars} characters (got ${length})`,
        ),
      ],
    });
  }
  const previous = currentReply(replies, input.recordId);
  if (previous && previous.enterpriseId !== input.enterpriseId) {
    throw new AppError('FORBIDDEN', {
      message: { zh: '只能回应本企业的记录', en: "Only the record's enterprise can reply to it" },
    });
  }
  const { id, recordId, enterpriseId, today } = input;
  const current: Reply = { id, recordId, enterpriseId, text, postedOn: today, replacedOn: null };
  const replaced = previous ? { ...previous, replacedOn: today } : null;
  return {
    replies: [...replies.map((r) => (r === previous ? replaced! : r)), current],
    current,
    replaced,
  };
}

export function currentReply(replies: readonly Reply[], recordId: string): Reply | null {
  return replies.find((r) => r.recordId === recordId && r.replacedOn === null) ?? null;
}

export function replyHistory(replies: readonly Reply[], recordId: string): Reply[] {
  return replies.filter((r) => r.recordId === recordId);
}

function field(name: string, code: string, zh: string, en: string): FieldError {
  return { field: name, code, message: { zh, en } };
}

function illegal(state: ObjectionState, action: ObjectionActionType): AppError {
  return new AppError('INVALID_STATE', {
    message: {
      zh: `异议状态为“${OBJECTION_STATE_LABELS[state].zh}”时不能执行“${OBJECTION_ACTION_LABELS[action].zh}”`,
      en: `An objection in state "${state}" cannot ${OBJECTION_ACTION_LABELS[action].en} (${action})`,
    },
    detail: `objection:${state}:${action}`,
  });
}

function invalidDate(name: string, value: string): AppError {
  return new AppError('INVALID_DATE', {
    fields: [field(name, 'INVALID_DATE', `日期无效: ${value}`, `Not a YYYY-MM-DD date: ${value}`)],
  });
}
