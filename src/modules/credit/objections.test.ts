import { describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../../core/errors.js';
import { type IsoDate, loadHolidayCalendar } from '../../core/workdays.js';
import type { Actor } from './blacklist.js';
import {
  addReply,
  createObjection,
  currentReply,
  hasPendingObjection,
  isPending,
  isReviewOverdue,
  OBJECTION_ACTION_LABELS,
  OBJECTION_ACTIONS,
  OBJECTION_STATE_LABELS,
  OBJECTION_STATES,
  OBJECTION_TRANSITIONS,
  type Objection,
  type ObjectionAction,
  type ObjectionActionType,
  type ObjectionState,
  REPLY_POLICY,
  type Reply,
  replyHistory,
  reviewDeadlineOf,
  transitionObjection,
} from './objections.js';

const calendar = loadHolidayCalendar();
const official: Actor = { id: 'u-1', kind: 'official' };
const enterprise: Actor = { id: 'ent-user', kind: 'enterprise' };

function submitted(): Objection {
  return createObjection({
    id: 'obj-1',
    enterpriseId: 'ent-1',
    recordId: 'rec-9',
    grounds: '抽检样品并非本企业生产',
    submittedOn: '2025-01-23',
    calendar,
  });
}

function run(o: Objection, action: ObjectionAction, today: IsoDate, actor: Actor = official) {
  return transitionObjection(o, action, { today, calendar, actor });
}

function objectionIn(state: ObjectionState): Objection {
  const s = submitted();
  const review = run(s, { type: 'startReview' }, '2025-01-24').objection;
  switch (state) {
    case 'submitted':
      return s;
    case 'underReview':
      return review;
    case 'upheld':
      return run(review, { type: 'uphold', reasons: '样品来源有误' }, '2025-02-10').objection;
    case 'rejected':
      return run(review, { type: 'reject', reasons: '证据不足' }, '2025-02-10').objection;
    case 'withdrawn':
      return run(s, { type: 'withdraw' }, '2025-01-24', enterprise).objection;
  }
}

const CALL: Record<ObjectionActionType, [ObjectionAction, Actor]> = {
  startReview: [{ type: 'startReview' }, official],
  uphold: [{ type: 'uphold', reasons: '理由' }, official],
  reject: [{ type: 'reject', reasons: '理由' }, official],
  withdraw: [{ type: 'withdraw' }, enterprise],
};

const EXPECTED: Partial<Record<`${ObjectionState}.${ObjectionActionType}`, ObjectionState>> = {
  'submitted.startReview': 'underReview',
  'underReview.uphold': 'upheld',
  'underReview.reject': 'rejected',
  'submitted.withdraw': 'withdrawn',
  'underReview.withdraw': 'withdrawn',
};

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('every (state × action) pair', () => {
  const pairs = OBJECTION_STATES.flatMap((state) =>
    OBJECTION_ACTIONS.map((action) => [state, action] as const),
  );

  it('covers 5 states × 4 actions, and the transition table agrees with the expectations', () => {
    expect(pairs).toHaveLength(20);
    const legal = Object.entries(OBJECTION_TRANSITIONS).flatMap(([a, from]) => from.map((s) => `${s}.${a}`));
    expect(legal.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(pairs)('%s + %s', (state, actionType) => {
    const objection = objectionIn(state);
    const [action, actor] = CALL[actionType];
    const expected = EXPECTED[`${state}.${actionType}`];
    if (expected === undefined) {
      const err = thrown(() => run(objection, action, '2025-02-14', actor));
      expect(err.code).toBe('INVALID_STATE');
      expect(err.detail).toBe(`objection:${state}:${actionType}`);
      expect(err.messages.zh).toContain(OBJECTION_STATE_LABELS[state].zh);
      expect(err.messages.zh).toContain(OBJECTION_ACTION_LABELS[actionType].zh);
      expect(err.messages.en).toContain(state);
      expect(err.messages.en).toContain(actionType);
      return;
    }
    const { objection: next, effects } = run(objection, action, '2025-02-14', actor);
    expect(next.state).toBe(expected);
    expect(effects[0]).toMatchObject({
      kind: 'audit',
      action: actionType,
      actor,
      before: objection,
      after: next,
    });
    expect(effects[1]).toMatchObject({
      kind: 'event',
      type: `credit.objection.${expected}`,
      recordId: 'rec-9',
    });
  });
});

describe('review deadline', () => {
  it('runs 10 working days from submission across Spring Festival 2025, start day not counted', () => {
    // 01-26 (Sunday) and 02-08 (Saturday) are make-up workdays; 01-28..02-04 are off.
    expect(submitted()).toMatchObject({
      state: 'submitted',
      submittedOn: '2025-01-23',
      reviewDeadline: '2025-02-12',
    });
    // starting the review does not move it
    expect(objectionIn('underReview')).toMatchObject({
      reviewStartedOn: '2025-01-24',
      reviewDeadline: '2025-02-12',
    });
    const late = run(submitted(), { type: 'startReview' }, '2025-02-10').objection;
    expect(late.reviewDeadline).toBe('2025-02-12');
  });

  it('is overdue after the deadline day whether or not the review has started', () => {
    const review = objectionIn('underReview');
    expect(isReviewOverdue(review, '2025-02-12')).toBe(false);
    expect(isReviewOverdue(review, '2025-02-13')).toBe(true);
    expect(isReviewOverdue(submitted(), '2025-02-12')).toBe(false);
    expect(isReviewOverdue(submitted(), '2025-02-13')).toBe(true);
    expect(isReviewOverdue(objectionIn('upheld'), '2026-01-01')).toBe(false);
    expect(isReviewOverdue(objectionIn('withdrawn'), '2026-01-01')).toBe(false);
  });

  it('gives an objection stored without a deadline the one its submission date gives', () => {
    const legacy = { ...submitted(), reviewDeadline: null };
    expect(reviewDeadlineOf(legacy, calendar)).toBe('2025-02-12');
    expect(isReviewOverdue(legacy, '2025-02-13', calendar)).toBe(true);
    expect(run(legacy, { type: 'startReview' }, '2025-01-24').objection.reviewDeadline).toBe('2025-02-12');
  });
});

describe('decisions', () => {
  it('upholding asks for a reversal record of the disputed record', () => {
    const { objection, effects } = run(
      objectionIn('underReview'),
      { type: 'uphold', reasons: ' 样品来源有误 ' },
      '2025-02-10',
    );
    expect(objection).toMatchObject({ state: 'upheld', decidedOn: '2025-02-10', reasons: '样品来源有误' });
    expect(effects).toContainEqual({
      kind: 'reversalRequest',
      recordId: 'rec-9',
      objectionId: 'obj-1',
      on: '2025-02-10',
      reasons: '样品来源有误',
    });
  });

  it('rejecting needs reasons and asks for no reversal', () => {
    const review = objectionIn('underReview');
    const err = thrown(() => run(review, { type: 'reject', reasons: '  ' }, '2025-02-10'));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.fields[0]?.field).toBe('reasons');
    const { effects } = run(review, { type: 'reject', reasons: '证据不足' }, '2025-02-10');
    expect(effects.map((e) => e.kind)).toEqual(['audit', 'event']);
  });

  it('only the enterprise may withdraw', () => {
    expect(thrown(() => run(submitted(), { type: 'withdraw' }, '2025-01-24', official)).code).toBe(
      'FORBIDDEN',
    );
    expect(run(submitted(), { type: 'withdraw' }, '2025-01-24', enterprise).objection.withdrawnOn).toBe(
      '2025-01-24',
    );
  });

  it('rejects empty grounds and bad dates', () => {
    expect(() => createObjection({ ...submitted(), calendar, grounds: ' ' })).toThrowError(
      /VALIDATION_FAILED/,
    );
    expect(() => createObjection({ ...submitted(), calendar, submittedOn: '2025-02-29' })).toThrowError(
      /INVALID_DATE/,
    );
    expect(thrown(() => run(submitted(), { type: 'startReview' }, '20250124')).code).toBe('INVALID_DATE');
  });
});

describe('pending flag for public output', () => {
  it('is pending until decided or withdrawn', () => {
    const pending = Object.fromEntries(OBJECTION_STATES.map((s) => [s, isPending(objectionIn(s))]));
    expect(pending).toEqual({
      submitted: true,
      underReview: true,
      upheld: false,
      rejected: false,
      withdrawn: false,
    });
  });

  it('flags a record with any pending objection', () => {
    const others = [objectionIn('rejected'), { ...objectionIn('submitted'), recordId: 'rec-1' }];
    expect(hasPendingObjection('rec-9', others)).toBe(false);
    expect(hasPendingObjection('rec-9', [...others, objectionIn('underReview')])).toBe(true);
    expect(hasPendingObjection('rec-1', others)).toBe(true);
  });
});

describe('right of reply', () => {
  const base = { recordId: 'rec-9', enterpriseId: 'ent-1' };

  it('keeps one current reply per record and the replaced ones in history', () => {
    const first = addReply([], { ...base, id: 'r1', text: ' 我司已整改 ', today: '2025-03-03' });
    expect(first.current).toEqual({
      id: 'r1',
      recordId: 'rec-9',
      enterpriseId: 'ent-1',
      text: '我司已整改',
      postedOn: '2025-03-03',
      replacedOn: null,
    });
    expect(first.replaced).toBeNull();
    const other = addReply(first.replies, {
      ...base,
      recordId: 'rec-2',
      id: 'r2',
      text: '另一记录',
      today: '2025-03-04',
    });
    const second = addReply(other.replies, { ...base, id: 'r3', text: '整改已验收', today: '2025-03-10' });
    expect(second.replaced).toMatchObject({ id: 'r1', text: '我司已整改', replacedOn: '2025-03-10' });
    expect(currentReply(second.replies, 'rec-9')?.id).toBe('r3');
    expect(currentReply(second.replies, 'rec-2')?.id).toBe('r2');
    expect(replyHistory(second.replies, 'rec-9').map((r: Reply) => [r.id, r.replacedOn])).toEqual([
      ['r1', '2025-03-10'],
      ['r3', null],
    ]);
    expect(first.replies[0]?.replacedOn).toBeNull();
  });

  it('limits the length in characters, counting a rare CJK character once', () => {
    const max = REPLY_POLICY.maxChars;
    expect(
      addReply([], { ...base, id: 'r', text: '𠀀'.repeat(max), today: '2025-03-03' }).current.text,
    ).toHaveLength(max * 2);
    const err = thrown(() =>
      addReply([], { ...base, id: 'r', text: '字'.repeat(max + 1), today: '2025-03-03' }),
    );
    expect(err.fields[0]).toMatchObject({ field: 'text', code: 'TOO_LONG' });
    expect(
      thrown(() => addReply([], { ...base, id: 'r', text: ' \n ', today: '2025-03-03' })).fields[0]?.code,
    ).toBe('REQUIRED');
  });

  it("refuses a reply by another enterprise to a record's thread", () => {
    const { replies } = addReply([], { ...base, id: 'r1', text: '回应', today: '2025-03-03' });
    const err = thrown(() =>
      addReply(replies, { ...base, enterpriseId: 'ent-2', id: 'r2', text: 'x', today: '2025-03-04' }),
    );
    expect(err.code).toBe('FORBIDDEN');
  });
});
