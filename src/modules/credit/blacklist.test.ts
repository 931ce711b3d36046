import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../../core/errors.js';
import { addCalendarDays, addYears, type IsoDate, loadHolidayCalendar } from '../../core/workdays.js';
import {
  ACTION_LABELS,
  type Actor,
  BLACKLIST_ACTIONS,
  BLACKLIST_STATES,
  BLACKLIST_TRANSITIONS,
  type BlacklistAction,
  type BlacklistActionType,
  type BlacklistEntry,
  type BlacklistState,
  createCandidate,
  isPortalVisible,
  overdueDeadlines,
  type RemovalConditions,
  STATE_LABELS,
  TERMINAL_STATES,
  tick,
  transition,
} from './blacklist.js';
import { CREDIT_DEADLINES_2021 } from './deadlines.js';

const calendar = loadHolidayCalendar();
const official: Actor = { id: 'u-1', kind: 'official' };
const ALL_MET: RemovalConditions = {
  obligationsFulfilled: true,
  harmRemoved: true,
  noNewHeavierPenalty: true,
  pledgeSigned: true,
  evidenceSubmitted: true,
};

function candidate(restrictionEndsOn: IsoDate | null = null): BlacklistEntry {
  return createCandidate({
    id: 'bl-1',
    enterpriseId: 'ent-1',
    penalty: { decisionNo: '东市监罚〔2024〕1号', decidedOn: '2024-09-20', restrictionEndsOn },
  });
}

function run(entry: BlacklistEntry, action: BlacklistAction, today: IsoDate) {
  return transition(entry, action, { today, calendar, actor: official });
}

function apply(entry: BlacklistEntry, steps: Array<[BlacklistAction, IsoDate]>): BlacklistEntry {
  return steps.reduce((e, [action, today]) => run(e, action, today).entry, entry);
}

const removalApplication: BlacklistAction = {
  type: 'applyRemoval',
  conditions: ALL_MET,
  evidenceIds: ['file-1'],
};

// Notified 2024-09-27, listed 2024-10-11, published 2024-10-14: removal window 2025-10-11..2027-10-10.
function entryIn(state: BlacklistState): BlacklistEntry {
  const notified = run(candidate(), { type: 'notify' }, '2024-09-27').entry;
  const listed = run(notified, { type: 'list', statementHeard: false }, '2024-10-11').entry;
  const published = run(listed, { type: 'publish' }, '2024-10-14').entry;
  switch (state) {
    case 'candidate':
      return candidate();
    case 'notified':
      return notified;
    case 'listed':
      return listed;
    case 'published':
      return published;
    case 'removedEarly':
      return apply(published, [
        [removalApplication, '2025-10-13'],
        [{ type: 'decideRemoval', approved: true, reasons: '符合条件' }, '2025-10-20'],
      ]);
    case 'expired':
      return run(published, { type: 'expire' }, '2027-10-11').entry;
    case 'withdrawn':
      return run(candidate(), { type: 'withdraw', penaltyRevokedBy: '复议决定书〔2024〕9号' }, '2024-09-30')
        .entry;
  }
}

// For each action, an input and a date that satisfy every timing rule, so only the state decides.
const LEGAL_CALL: Record<BlacklistActionType, [BlacklistAction, IsoDate]> = {
  notify: [{ type: 'notify' }, '2024-09-27'],
  list: [{ type: 'list', statementHeard: false }, '2024-10-11'],
  publish: [{ type: 'publish' }, '2024-10-14'],
  applyRemoval: [removalApplication, '2025-10-13'],
  decideRemoval: [{ type: 'decideRemoval', approved: true, reasons: '符合条件' }, '2025-10-20'],
  expire: [{ type: 'expire' }, '2027-10-11'],
  withdraw: [{ type: 'withdraw', penaltyRevokedBy: '判决书' }, '2025-01-06'],
};

const EXPECTED: Partial<Record<`${BlacklistState}.${BlacklistActionType}`, BlacklistState>> = {
  'candidate.notify': 'notified',
  'notified.list': 'listed',
  'listed.publish': 'published',
  'listed.applyRemoval': 'listed',
  'published.applyRemoval': 'published',
  'listed.decideRemoval': 'removedEarly',
  'published.decideRemoval': 'removedEarly',
  'listed.expire': 'expired',
  'published.expire': 'expired',
  'candidate.withdraw': 'withdrawn',
  'notified.withdraw': 'withdrawn',
  'listed.withdraw': 'withdrawn',
  'published.withdraw': 'withdrawn',
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
  const pairs = BLACKLIST_STATES.flatMap((state) =>
    BLACKLIST_ACTIONS.map((action) => [state, action] as const),
  );

  it('covers 7 states × 7 actions, and the transition table agrees with the expectations', () => {
    expect(pairs).toHaveLength(49);
    for (const [action, from] of Object.entries(BLACKLIST_TRANSITIONS)) {
      for (const state of from) expect(EXPECTED[`${state}.${action as BlacklistActionType}`]).toBeDefined();
    }
    expect(Object.keys(EXPECTED)).toHaveLength(
      Object.values(BLACKLIST_TRANSITIONS).reduce((n, from) => n + from.length, 0),
    );
  });

  it.each(pairs)('%s + %s', (state, actionType) => {
    let entry = entryIn(state);
    const [action, today] = LEGAL_CALL[actionType];
    const expected = EXPECTED[`${state}.${actionType}`];
    if (expected === undefined) {
      const err = thrown(() => run(entry, action, today));
      expect(err.code).toBe('INVALID_STATE');
      expect(err.detail).toBe(`blacklist:${state}:${actionType}`);
      expect(err.messages.zh).toContain(STATE_LABELS[state].zh);
      expect(err.messages.zh).toContain(ACTION_LABELS[actionType].zh);
      expect(err.messages.en).toContain(state);
      expect(err.messages.en).toContain(actionType);
      return;
    }
    if (actionType === 'decideRemoval') entry = run(entry, removalApplication, '2025-10-13').entry;
    const { entry: next, effects } = run(entry, action, today);
    expect(next.state).toBe(expected);
    expect(effects[0]).toMatchObject({ kind: 'audit', action: actionType, actor: official, on: today });
    expect(effects[0]).toMatchObject({ before: entry, after: next });
    expect(effects[1]).toMatchObject({ kind: 'event', entryId: 'bl-1', enterpriseId: 'ent-1', on: today });
  });

  it('does not mutate its input', () => {
    const before = entryIn('published');
    const copy = structuredClone(before);
    run(before, { type: 'withdraw', penaltyRevokedBy: 'x' }, '2025-01-06');
    expect(before).toEqual(copy);
  });
});

describe('statement period (notify → list)', () => {
  it('sets the deadline in working days across National Day 2024', () => {
    const { entry, effects } = run(candidate(), { type: 'notify' }, '2024-09-27');
    // 09-29 (make-up Sunday) counts, 10-01..10-07 do not: 5 working days end on 10-10.
    expect(entry).toMatchObject({
      state: 'notified',
      notifiedOn: '2024-09-27',
      statementDeadline: '2024-10-10',
    });
    expect(effects[1]).toMatchObject({ type: 'credit.blacklist.notified' });
  });

  it('takes its periods from the policy in the context and records its version', () => {
    const policy = {
      ...CREDIT_DEADLINES_2021,
      version: 'test.2',
      statementPeriod: { ...CREDIT_DEADLINES_2021.statementPeriod, period: { workdays: 10 } },
    };
    const { entry } = transition(
      candidate(),
      { type: 'notify' },
      { today: '2024-09-27', calendar, actor: official, policy },
    );
    // 10 working days from 09-27 include the make-up Saturday 10-12.
    expect(entry).toMatchObject({ statementDeadline: '2024-10-16', policyVersion: 'test.2' });
  });

  it('lists only after the deadline has passed, unless the statement was heard', () => {
    const notified = entryIn('notified');
    const early = thrown(() => run(notified, { type: 'list', statementHeard: false }, '2024-10-10'));
    expect(early.code).toBe('INVALID_STATE');
    expect(early.fields[0]?.code).toBe('STATEMENT_PERIOD_RUNNING');
    expect(run(notified, { type: 'list', statementHeard: false }, '2024-10-11').entry.state).toBe('listed');
    expect(run(notified, { type: 'list', statementHeard: true }, '2024-09-30').entry.statementHeard).toBe(
      true,
    );
  });
});

describe('listing dates', () => {
  const notified = run(candidate(), { type: 'notify' }, '2024-02-01').entry;

  it('a listing on leap day 2024-02-29 expires 2027-02-28 and may be removed from 2025-02-28', () => {
    const { entry, effects } = run(notified, { type: 'list', statementHeard: false }, '2024-02-29');
    expect(entry).toMatchObject({
      listedOn: '2024-02-29',
      expiresOn: '2027-02-28',
      earliestRemovalOn: '2025-02-28',
      publishBy: '2024-03-28',
      policyVersion: 'samr-44-2021.1',
    });
    expect(effects[1]).toMatchObject({
      type: 'credit.blacklist.listed',
      payload: { expiresOn: '2027-02-28' },
    });
  });

  it('a restriction longer than three years extends the expiry; a shorter one does not', () => {
    const long = run(candidate('2029-06-30'), { type: 'notify' }, '2024-02-01').entry;
    const listedLong = run(long, { type: 'list', statementHeard: true }, '2024-02-29').entry;
    expect(listedLong.expiresOn).toBe('2029-06-30');
    expect(() => run(listedLong, { type: 'expire' }, '2027-02-28')).toThrowError(/INVALID_STATE/);
    expect(run(listedLong, { type: 'expire' }, '2029-06-30').entry.state).toBe('expired');

    const short = run(candidate('2025-12-31'), { type: 'notify' }, '2024-02-01').entry;
    expect(run(short, { type: 'list', statementHeard: true }, '2024-02-29').entry.expiresOn).toBe(
      '2027-02-28',
    );
  });

  it('flags a missed publication deadline', () => {
    const listed = run(notified, { type: 'list', statementHeard: false }, '2024-02-29').entry;
    expect(overdueDeadlines(listed, '2024-03-28')).toEqual([]);
    expect(overdueDeadlines(listed, '2024-03-29')).toEqual([{ deadline: 'publishBy', due: '2024-03-28' }]);
    const published = run(listed, { type: 'publish' }, '2024-04-01').entry;
    expect(overdueDeadlines(published, '2024-04-02')).toEqual([]);
  });
});

describe('publication and the portal', () => {
  it('publishes and shows the entry until expiry', () => {
    const { entry, effects } = run(entryIn('listed'), { type: 'publish' }, '2024-10-14');
    expect(entry).toMatchObject({ state: 'published', publishedOn: '2024-10-14', portalVisible: true });
    expect(effects).toContainEqual({ kind: 'portal', op: 'publish', entryId: 'bl-1', by: '2024-10-14' });
    expect(isPortalVisible(entryIn('listed'), '2024-10-14')).toBe(false);
    expect(isPortalVisible(entry, '2027-10-10')).toBe(true);
    expect(isPortalVisible(entry, '2027-10-11')).toBe(false);
  });

  it('is invisible in every state but published', () => {
    for (const state of BLACKLIST_STATES) {
      expect(isPortalVisible(entryIn(state), '2025-06-02')).toBe(state === 'published');
    }
  });
});

describe('early removal', () => {
  const listed = apply(run(candidate(), { type: 'notify' }, '2024-02-01').entry, [
    [{ type: 'list', statementHeard: false }, '2024-02-29'],
  ]);
  const published = run(listed, { type: 'publish' }, '2024-03-01').entry;

  it('is refused the day before earliestRemovalOn and accepted on the day', () => {
    const early = thrown(() => run(published, removalApplication, '2025-02-27'));
    expect(early.code).toBe('INVALID_STATE');
    expect(early.fields[0]?.code).toBe('REMOVAL_NOT_ALLOWED_NOW');
    const { entry, effects } = run(published, removalApplication, '2025-02-28');
    expect(entry.state).toBe('published');
    expect(entry.removalApplication).toMatchObject({
      appliedOn: '2025-02-28',
      decideBy: '2025-03-21',
      outcome: 'pending',
      evidenceIds: ['file-1'],
    });
    expect(effects[1]).toMatchObject({ type: 'credit.blacklist.removalApplied' });
  });

  it('is refused on or after the expiry date', () => {
    expect(thrown(() => run(published, removalApplication, '2027-02-28')).fields[0]?.code).toBe(
      'REMOVAL_NOT_ALLOWED_NOW',
    );
    expect(run(published, removalApplication, '2027-02-27').entry.removalApplication).not.toBeNull();
  });

  it.each(Object.keys(ALL_MET))('is refused with the reason when %s is false', (condition) => {
    const err = thrown(() =>
      run(published, { ...removalApplication, conditions: { ...ALL_MET, [condition]: false } }, '2025-03-03'),
    );
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.fields.map((f) => f.field)).toEqual([`conditions.${condition}`]);
    expect(err.fields[0]?.message.zh.length).toBeGreaterThan(0);
  });

  it('needs evidence ids when evidence is declared, and lists every unmet condition', () => {
    const noIds = thrown(() => run(published, { ...removalApplication, evidenceIds: [' '] }, '2025-03-03'));
    expect(noIds.fields.map((f) => f.field)).toEqual(['evidenceIds']);
    const none = {
      ...removalApplication,
      conditions: { ...ALL_MET, harmRemoved: false, pledgeSigned: false },
    };
    expect(thrown(() => run(published, none, '2025-03-03')).fields).toHaveLength(2);
  });

  it('takes one application at a time', () => {
    const pending = run(published, removalApplication, '2025-03-03').entry;
    expect(thrown(() => run(pending, removalApplication, '2025-03-04')).fields[0]?.code).toBe(
      'REMOVAL_ALREADY_PENDING',
    );
    expect(overdueDeadlines(pending, '2025-03-25')).toEqual([
      { deadline: 'removalDecideBy', due: '2025-03-24' },
    ]);
  });

  it('cannot be decided without a pending application or without reasons', () => {
    const decide: BlacklistAction = { type: 'decideRemoval', approved: true, reasons: 'ok' };
    expect(thrown(() => run(published, decide, '2025-03-03')).fields[0]?.code).toBe('NO_PENDING_REMOVAL');
    const pending = run(published, removalApplication, '2025-03-03').entry;
    expect(thrown(() => run(pending, { ...decide, reasons: '  ' }, '2025-03-04')).code).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('approved: removed early, gone from the portal, and the removal itself is not shown', () => {
    const pending = run(published, removalApplication, '2025-03-03').entry;
    const { entry, effects } = run(
      pending,
      { type: 'decideRemoval', approved: true, reasons: '已履行义务' },
      '2025-03-10',
    );
    expect(entry).toMatchObject({
      state: 'removedEarly',
      endedOn: '2025-03-10',
      portalVisible: false,
      showRemovalOnPortal: false,
      removalApplication: null,
      unpublishBy: '2025-03-13',
    });
    expect(entry.pastRemovalApplications).toEqual([
      expect.objectContaining({ outcome: 'approved', decidedOn: '2025-03-10', reasons: '已履行义务' }),
    ]);
    expect(effects).toContainEqual({ kind: 'portal', op: 'unpublish', entryId: 'bl-1', by: '2025-03-13' });
    expect(effects[1]).toMatchObject({ type: 'credit.blacklist.removedEarly' });
    expect(isPortalVisible(entry, '2025-03-10')).toBe(false);
  });

  it('rejected: stays published, application closed, a new one may follow', () => {
    const pending = run(published, removalApplication, '2025-03-03').entry;
    const { entry, effects } = run(
      pending,
      { type: 'decideRemoval', approved: false, reasons: '危害未消除' },
      '2025-03-10',
    );
    expect(entry.state).toBe('published');
    expect(entry.removalApplication).toBeNull();
    expect(entry.pastRemovalApplications[0]).toMatchObject({ outcome: 'rejected', reasons: '危害未消除' });
    expect(effects[1]).toMatchObject({ type: 'credit.blacklist.removalRejected' });
    expect(run(entry, removalApplication, '2025-06-03').entry.removalApplication?.outcome).toBe('pending');
  });
});

describe('expiry', () => {
  const listed = apply(run(candidate(), { type: 'notify' }, '2024-02-01').entry, [
    [{ type: 'list', statementHeard: false }, '2024-02-29'],
    [{ type: 'publish' }, '2024-03-01'],
  ]);

  it('happens on the exact day, not the day before', () => {
    const err = thrown(() => run(listed, { type: 'expire' }, '2027-02-27'));
    expect(err.fields[0]?.code).toBe('NOT_YET_EXPIRED');
    const { entry, effects } = run(listed, { type: 'expire' }, '2027-02-28');
    expect(entry).toMatchObject({ state: 'expired', endedOn: '2027-02-28', portalVisible: false });
    expect(effects).toContainEqual({ kind: 'portal', op: 'unpublish', entryId: 'bl-1', by: '2027-02-28' });
  });

  it('tick proposes the expiry from its day on, and nothing for other states', () => {
    expect(tick(listed, '2027-02-27')).toEqual([]);
    expect(tick(listed, '2027-02-28')).toEqual([{ type: 'expire' }]);
    expect(tick(listed, '2027-03-15')).toEqual([{ type: 'expire' }]);
    for (const state of ['candidate', 'notified', ...TERMINAL_STATES] as const) {
      expect(tick(entryIn(state), '2030-01-01')).toEqual([]);
    }
  });

  it('lapses a pending removal application', () => {
    const pending = run(listed, removalApplication, '2027-02-20').entry;
    const expired = run(pending, { type: 'expire' }, '2027-02-28').entry;
    expect(expired.removalApplication).toBeNull();
    expect(expired.pastRemovalApplications[0]).toMatchObject({ outcome: 'lapsed', decidedOn: '2027-02-28' });
  });
});

describe('withdrawal', () => {
  it('records the revoking decision and unpublishes a published entry within 3 working days', () => {
    const { entry, effects } = run(
      entryIn('published'),
      { type: 'withdraw', penaltyRevokedBy: '行政复议决定书〔2024〕7号' },
      '2024-09-30',
    );
    expect(entry).toMatchObject({
      state: 'withdrawn',
      penaltyRevokedBy: '行政复议决定书〔2024〕7号',
      portalVisible: false,
      unpublishBy: '2024-10-10',
    });
    expect(effects).toContainEqual({ kind: 'portal', op: 'unpublish', entryId: 'bl-1', by: '2024-10-10' });
  });

  it('emits no portal effect for an entry never published, and requires the revoking decision', () => {
    const { effects } = run(entryIn('notified'), { type: 'withdraw', penaltyRevokedBy: 'x' }, '2024-10-08');
    expect(effects.map((e) => e.kind)).toEqual(['audit', 'event']);
    expect(
      thrown(() => run(entryIn('notified'), { type: 'withdraw', penaltyRevokedBy: '' }, '2024-10-08')).code,
    ).toBe('VALIDATION_FAILED');
  });
});

describe('input checks', () => {
  it('rejects a bad today or penalty', () => {
    expect(thrown(() => run(candidate(), { type: 'notify' }, '2024-9-27')).code).toBe('INVALID_DATE');
    expect(() =>
      createCandidate({
        id: 'x',
        enterpriseId: 'e',
        penalty: { decisionNo: ' ', decidedOn: '2024-01-01', restrictionEndsOn: null },
      }),
    ).toThrowError(/VALIDATION_FAILED/);
    expect(() =>
      createCandidate({
        id: 'x',
        enterpriseId: 'e',
        penalty: { decisionNo: 'n', decidedOn: '2024-01-01', restrictionEndsOn: '2029-02-30' },
      }),
    ).toThrowError(/INVALID_DATE/);
  });
});

describe('property: random action sequences from candidate', () => {
  // Mostly-met conditions, so sequences often get as far as an early removal.
  const mostlyTrue = fc.oneof(
    { weight: 9, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  );
  const step = fc.record({
    // Two steps in three pick among the actions legal in the current state, so walks get deep;
    // withdrawal ends a walk, so it is drawn rarely. Long jumps reach the removal window and expiry.
    pick: fc.nat(),
    legalOnly: fc.oneof(
      { weight: 2, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    withdraw: fc.oneof(
      { weight: 1, arbitrary: fc.constant(true) },
      { weight: 15, arbitrary: fc.constant(false) },
    ),
    advance: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 30 }) },
      { weight: 2, arbitrary: fc.integer({ min: 300, max: 1200 }) },
    ),
    heard: fc.boolean(),
    approved: fc.boolean(),
    conditions: fc.record({
      obligationsFulfilled: mostlyTrue,
      harmRemoved: mostlyTrue,
      noNewHeavierPenalty: mostlyTrue,
      pledgeSigned: mostlyTrue,
      evidenceSubmitted: mostlyTrue,
    }),
  });

  type Step = {
    pick: number;
    legalOnly: boolean;
    withdraw: boolean;
    heard: boolean;
    approved: boolean;
    conditions: RemovalConditions;
  };

  function chooseType(state: BlacklistState, { pick, legalOnly, withdraw }: Step): BlacklistActionType {
    if (withdraw) return 'withdraw';
    const pool = BLACKLIST_ACTIONS.filter(
      (a) => a !== 'withdraw' && (!legalOnly || BLACKLIST_TRANSITIONS[a].includes(state)),
    );
    return pool.length === 0 ? 'withdraw' : pool[pick % pool.length]!;
  }

  function toAction(type: BlacklistActionType, { heard, approved, conditions }: Step): BlacklistAction {
    switch (type) {
      case 'notify':
      case 'publish':
      case 'expire':
        return { type };
      case 'list':
        return { type, statementHeard: heard };
      case 'applyRemoval':
        return { type, conditions, evidenceIds: ['f'] };
      case 'decideRemoval':
        return { type, approved, reasons: 'r' };
      case 'withdraw':
        return { type, penaltyRevokedBy: 'd' };
    }
  }

  it('stays in the state list, hides ended entries and never shortens the three years', () => {
    const reached = new Set<BlacklistState>();
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 4000 }), { nil: null }),
        fc.array(step, { maxLength: 30 }),
        (restrictionOffset, steps) => {
          const restriction =
            restrictionOffset === null ? null : addCalendarDays('2024-01-02', restrictionOffset);
          let entry = candidate(restriction);
          let today = '2024-01-02';
          let ended = false;
          for (const s of steps) {
            today = addCalendarDays(today, s.advance);
            try {
              entry = run(entry, toAction(chooseType(entry.state, s), s), today).entry;
            } catch (err) {
              if (!isAppError(err) || !['INVALID_STATE', 'VALIDATION_FAILED'].includes(err.code)) throw err;
            }
            reached.add(entry.state);
            expect(BLACKLIST_STATES).toContain(entry.state);
            if (TERMINAL_STATES.includes(entry.state)) {
              ended = true;
              expect(entry.portalVisible).toBe(false);
              expect(isPortalVisible(entry, today)).toBe(false);
              expect(isPortalVisible(entry, addCalendarDays(today, 1000))).toBe(false);
            } else {
              expect(ended).toBe(false);
            }
            if (entry.listedOn !== null) {
              expect(entry.expiresOn! >= addYears(entry.listedOn, 3)).toBe(true);
              expect(entry.earliestRemovalOn).toBe(addYears(entry.listedOn, 1));
            }
          }
        },
      ),
      { numRuns: 400 },
    );
    // The property means little unless the random walks reach every state.
    expect([...reached].sort()).toEqual([...BLACKLIST_STATES].sort());
  });
});
