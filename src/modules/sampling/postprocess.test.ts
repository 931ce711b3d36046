// The post-processing machine of a failed sample: every (state × action) pair, every due date at
// its edges (weekends, Spring Festival, National Day, make-up working days, month ends, the 2024
// leap day), the last allowed day and the day after, and the checks on dates, actors and input.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.js';
import { addCalendarDays, type IsoDate, loadHolidayCalendar } from '../../core/workdays.js';
import {
  ACTION_ACTORS,
  allowedActions,
  CASE_ACTIONS,
  CASE_STATES,
  type CaseAction,
  type CaseActionType,
  type CaseActorKind,
  type CaseState,
  type CaseStepActor,
  caseDeadlines,
  isOverdue,
  loadCaseDeadlines,
  markDues,
  newCase,
  parseCaseDeadlines,
  passedDeadlines,
  remindersDue,
  type SamplingCase,
  transition,
} from './postprocess.js';

const calendar = loadHolidayCalendar();
const official: CaseStepActor = { id: 'u-official', label: 'official', kind: 'official' };
const enterprise: CaseStepActor = { id: 'u-ent', label: 'ent', kind: 'enterprise' };
const lab: CaseStepActor = { id: 'u-lab', label: 'lab', kind: 'lab' };
const ACTORS: Record<CaseActorKind, CaseStepActor> = {
  official,
  enterprise,
  lab,
  system: { id: null, label: 'system', kind: 'system' },
};
const LATER: IsoDate = '2026-06-30';

function opened(failedOn: IsoDate = '2024-03-01'): SamplingCase {
  return newCase(
    {
      id: 'case-1',
      sampleId: 'sample-1',
      sampleNo: 'DG2024-0001',
      enterpriseId: 'ent-1',
      uscc: '91441900T00000001X',
      townCode: '441900119',
      originalLabEnterpriseId: 'lab-1',
      failedOn,
      failedItems: ['i1', 'i2', 'i3'],
    },
    failedOn,
  ).case;
}

/** Applies steps in order, each on its own date (today = the step's date). */
function run(c: SamplingCase, steps: Array<[CaseAction, IsoDate, CaseStepActor?]>): SamplingCase {
  return steps.reduce(
    (acc, [action, on, actor]) => transition(acc, { ...action, on }, on, calendar, actor ?? official).case,
    c,
  );
}

const objection: CaseAction = { type: 'object', items: ['i2'], grounds: '样品保存不当' };

// Failed 2024-03-01; notice sent 03-04, received 03-06 → objection window until 03-21.
// Correction ordered 04-15 → correct by 06-14, re-inspected by 07-01 (06-29 is a Saturday).
// Re-inspection failed 06-20, province notified 06-25 → second re-inspection 08-26 (08-24 is a
// Saturday) .. 09-23. Failed 09-02, suspended 09-10 for 30 days → ends 10-10, re-inspected by 10-25.
function caseIn(state: CaseState): SamplingCase {
  const notified = run(opened(), [[{ type: 'notify' }, '2024-03-04']]);
  const window = run(notified, [[{ type: 'receive' }, '2024-03-06']]);
  const objected = run(window, [[objection, '2024-03-15', enterprise]]);
  const retesting = run(objected, [[{ type: 'assignRetest', labEnterpriseId: 'lab-2' }, '2024-03-18']]);
  const confirmed = run(retesting, [[{ type: 'retestResult', upheld: true }, '2024-04-10', lab]]);
  const correcting = run(confirmed, [
    [{ type: 'orderCorrection', documentNo: '东市监整〔2024〕7号' }, '2024-04-15'],
  ]);
  const awaitingNotice = run(correcting, [[{ type: 'reinspect', passed: false }, '2024-06-20']]);
  const provinceNotified = run(awaitingNotice, [
    [{ type: 'notifyProvince', reference: '粤市监通〔2024〕3号' }, '2024-06-25'],
  ]);
  const awaitingSuspension = run(provinceNotified, [[{ type: 'reinspect', passed: false }, '2024-09-02']]);
  const suspended = run(awaitingSuspension, [
    [{ type: 'suspend', days: 30, decisionNo: '东市监停〔2024〕1号' }, '2024-09-10'],
  ]);
  const awaitingRevocation = run(suspended, [[{ type: 'reinspect', passed: false }, '2024-10-15']]);
  switch (state) {
    case 'opened':
      return opened();
    case 'notified':
      return notified;
    case 'objectionWindow':
      return window;
    case 'objected':
      return objected;
    case 'retesting':
      return retesting;
    case 'confirmed':
      return confirmed;
    case 'correcting':
      return correcting;
    case 'awaitingNotice':
      return awaitingNotice;
    case 'provinceNotified':
      return provinceNotified;
    case 'awaitingSuspension':
      return awaitingSuspension;
    case 'suspended':
      return suspended;
    case 'awaitingRevocation':
      return awaitingRevocation;
    case 'closedRectified':
      return run(correcting, [[{ type: 'reinspect', passed: true }, '2024-06-20']]);
    case 'closedOverturned':
      return run(retesting, [[{ type: 'retestResult', upheld: false }, '2024-04-10', lab]]);
    case 'revoked':
      return run(awaitingRevocation, [[{ type: 'revoke', licenceNo: 'XK16-001-00001' }, '2024-10-20']]);
  }
}

/** A well-formed action of each type, dated where its window allows it in state `c`. */
function actionFor(type: CaseActionType, c: SamplingCase, variant = true): CaseAction {
  const window = c.dues.find((d) => d.name === 'objectionWindow')?.on;
  const on = (() => {
    if (type === 'object' || type === 'accept') return window ?? c.lastStepOn;
    if (type === 'lapse') return window ? addCalendarDays(window, 1) : c.lastStepOn;
    if (type === 'reinspect') return c.earliestOn ?? c.lastStepOn;
    return c.lastStepOn;
  })();
  switch (type) {
    case 'object':
      return { ...objection, on };
    case 'assignRetest':
      return { type, labEnterpriseId: 'lab-2', on };
    case 'retestResult':
      return { type, upheld: variant, on };
    case 'reinspect':
      return { type, passed: variant, on };
    case 'orderCorrection':
      return { type, documentNo: 'No.1', on };
    case 'notifyProvince':
      return { type, reference: 'R-1', on };
    case 'suspend':
      return { type, days: 30, decisionNo: 'D-1', on };
    case 'revoke':
      return { type, licenceNo: 'XK-1', decisionNo: 'D-2', on };
    default:
      return { type, on } as CaseAction;
  }
}

const actorFor = (type: CaseActionType) => ACTORS[ACTION_ACTORS[type][0]!];

/**
 * The legal pairs and where each leads, written out by hand (not derived from the machine): the
 * first state is the outcome with variant = true (retest upheld / re-inspection passed), the
 * second with variant = false.
 */
const LEGAL: Partial<Record<`${CaseState}:${CaseActionType}`, [CaseState, CaseState]>> = {
  'opened:notify': ['notified', 'notified'],
  'notified:receive': ['objectionWindow', 'objectionWindow'],
  'objectionWindow:object': ['objected', 'objected'],
  'objectionWindow:accept': ['confirmed', 'confirmed'],
  'objectionWindow:lapse': ['confirmed', 'confirmed'],
  'objected:assignRetest': ['retesting', 'retesting'],
  'retesting:retestResult': ['confirmed', 'closedOverturned'],
  'confirmed:orderCorrection': ['correcting', 'correcting'],
  'correcting:reinspect': ['closedRectified', 'awaitingNotice'],
  'awaitingNotice:notifyProvince': ['provinceNotified', 'provinceNotified'],
  'provinceNotified:reinspect': ['closedRectified', 'awaitingSuspension'],
  'awaitingSuspension:suspend': ['suspended', 'suspended'],
  'suspended:reinspect': ['closedRectified', 'awaitingRevocation'],
  'awaitingRevocation:revoke': ['revoked', 'revoked'],
};

function thrown(f: () => unknown): AppError {
  try {
    f();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

describe('the (state × action) matrix', () => {
  const cells = CASE_STATES.flatMap((state) => CASE_ACTIONS.map((action) => [state, action] as const));

  it('covers all 15 states × 12 actions, and 14 pairs are legal', () => {
    expect(cells).toHaveLength(180);
    expect(Object.keys(LEGAL)).toHaveLength(14);
  });

  it.each(cells)('%s × %s', (state, action) => {
    const c = caseIn(state);
    expect(c.state).toBe(state);
    const expected = LEGAL[`${state}:${action}`];
    if (expected) {
      for (const [variant, next] of [
        [true, expected[0]],
        [false, expected[1]],
      ] as const) {
        const r = transition(c, actionFor(action, c, variant), LATER, calendar, actorFor(action));
        expect(r.case.state).toBe(next);
        expect(r.case.rev).toBe(c.rev + 1);
        expect(r.case.history.at(-1)).toMatchObject({ action, from: state, to: next });
        expect(r.effects[0]).toMatchObject({ kind: 'transitioned', from: state, to: next, action });
      }
    } else {
      const err = thrown(() => transition(c, actionFor(action, c), LATER, calendar, actorFor(action)));
      expect(err.code).toBe('CASE_TRANSITION_NOT_ALLOWED');
      expect(err.status).toBe(409);
      expect(err.detail).toBe(`case:${state}:${action}`);
      expect(err.fields[0]).toMatchObject({ field: 'type', code: 'CASE_TRANSITION_NOT_ALLOWED' });
      expect(err.messages.zh).toContain('不能');
      expect(err.messages.en).toContain(state);
    }
  });

  it('closed cases take no action at all and have no due date', () => {
    for (const state of ['closedRectified', 'closedOverturned', 'revoked'] as const) {
      const c = caseIn(state);
      expect(c.dueOn).toBeNull();
      expect(c.closedOn).not.toBeNull();
      for (const kind of ['official', 'enterprise', 'lab', 'system'] as const)
        expect(allowedActions(c, LATER, kind)).toEqual([]);
    }
  });
});

describe('who may take each step', () => {
  it.each(CASE_ACTIONS)('%s', (action) => {
    const state = Object.keys(LEGAL)
      .find((k) => k.endsWith(`:${action}`))!
      .split(':')[0] as CaseState;
    const c = caseIn(state);
    for (const kind of ['official', 'enterprise', 'lab', 'system'] as const) {
      const act = () => transition(c, actionFor(action, c), LATER, calendar, ACTORS[kind]);
      if (ACTION_ACTORS[action].includes(kind)) expect(act).not.toThrow();
      else expect(thrown(act)).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    }
  });

  it('the enterprise only objects or accepts; officials never speak for it', () => {
    expect(allowedActions(caseIn('objectionWindow'), '2024-03-10', 'enterprise')).toEqual([
      'object',
      'accept',
    ]);
    expect(allowedActions(caseIn('objectionWindow'), '2024-03-10', 'official')).toEqual([]);
    expect(allowedActions(caseIn('objectionWindow'), '2024-03-22', 'enterprise')).toEqual([]);
    expect(allowedActions(caseIn('objectionWindow'), '2024-03-22', 'official')).toEqual(['lapse']);
    expect(allowedActions(caseIn('correcting'), LATER, 'enterprise')).toEqual([]);
    expect(allowedActions(caseIn('retesting'), LATER, 'lab')).toEqual(['retestResult']);
  });
});

describe('the whole road', () => {
  it('keeps every step with its date, actor, notes and documents, and the dates of the case', () => {
    const c = caseIn('revoked');
    expect(c.history.map((s) => `${s.on} ${s.action} ${s.to}`)).toEqual([
      '2024-03-01 open opened',
      '2024-03-04 notify notified',
      '2024-03-06 receive objectionWindow',
      '2024-03-15 object objected',
      '2024-03-18 assignRetest retesting',
      '2024-04-10 retestResult confirmed',
      '2024-04-15 orderCorrection correcting',
      '2024-06-20 reinspect awaitingNotice',
      '2024-06-25 notifyProvince provinceNotified',
      '2024-09-02 reinspect awaitingSuspension',
      '2024-09-10 suspend suspended',
      '2024-10-15 reinspect awaitingRevocation',
      '2024-10-20 revoke revoked',
    ]);
    expect(c.history[3]).toMatchObject({
      actor: enterprise,
      details: { items: ['i2'], grounds: '样品保存不当' },
    });
    expect(c.objection).toEqual({ on: '2024-03-15', items: ['i2'], grounds: '样品保存不当' });
    expect(c.retest).toEqual({
      labEnterpriseId: 'lab-2',
      assignedOn: '2024-03-18',
      resultOn: '2024-04-10',
      upheld: true,
    });
    expect(c.confirmation).toEqual({ on: '2024-04-10', by: 'retestUpheld' });
    expect(c.correctionOrder).toEqual({
      on: '2024-04-15',
      documentNo: '东市监整〔2024〕7号',
      stopAtOnce: true,
    });
    expect(c.reinspections).toEqual([
      { round: 'first', on: '2024-06-20', passed: false },
      { round: 'second', on: '2024-09-02', passed: false },
      { round: 'final', on: '2024-10-15', passed: false },
    ]);
    expect(c.suspension).toEqual({
      on: '2024-09-10',
      days: 30,
      endsOn: '2024-10-10',
      decisionNo: '东市监停〔2024〕1号',
    });
    expect(c).toMatchObject({
      outcome: 'revoked',
      closedOn: '2024-10-20',
      rev: 13,
      lastStepOn: '2024-10-20',
    });
    const withNotes = transition(
      caseIn('opened'),
      { type: 'notify', notes: '  邮寄送达  ', documents: [{ title: '不合格结果通知书', number: 'TZ-1' }] },
      '2024-03-04',
      calendar,
      official,
    ).case;
    expect(withNotes.history[1]).toMatchObject({
      on: '2024-03-04',
      recordedOn: '2024-03-04',
      actor: official,
      notes: '邮寄送达',
      documents: [{ title: '不合格结果通知书', number: 'TZ-1', fileId: null }],
    });
  });

  it('accepting the result or letting the window lapse confirms it at once', () => {
    const accepted = run(caseIn('objectionWindow'), [[{ type: 'accept' }, '2024-03-08', enterprise]]);
    expect(accepted).toMatchObject({
      state: 'confirmed',
      confirmation: { on: '2024-03-08', by: 'accepted' },
      dueOn: null,
    });
    const lapsed = run(caseIn('objectionWindow'), [[{ type: 'lapse' }, '2024-03-22', ACTORS.system]]);
    expect(lapsed.confirmation).toEqual({ on: '2024-03-22', by: 'noObjection' });
  });

  it('a re-test that overturns the failure closes the case and asks for the failure to be reversed', () => {
    const r = transition(
      caseIn('retesting'),
      { type: 'retestResult', upheld: false, on: '2024-04-10' },
      '2024-04-11',
      calendar,
      lab,
    );
    expect(r.case).toMatchObject({
      state: 'closedOverturned',
      outcome: 'overturned',
      closedOn: '2024-04-10',
      dueOn: null,
    });
    expect(r.effects).toEqual([
      {
        kind: 'transitioned',
        from: 'retesting',
        to: 'closedOverturned',
        action: 'retestResult',
        on: '2024-04-10',
        dueOn: null,
      },
      { kind: 'sampleOverturned', on: '2024-04-10' },
    ]);
  });

  it('revocation names the licence', () => {
    const r = transition(
      caseIn('awaitingRevocation'),
      { type: 'revoke', licenceNo: ' XK16-001-00001 ', decisionNo: '东市监吊〔2024〕1号', on: '2024-10-20' },
      '2024-10-21',
      calendar,
      official,
    );
    expect(r.effects.at(-1)).toEqual({
      kind: 'licenceRevoked',
      on: '2024-10-20',
      licenceNo: 'XK16-001-00001',
      decisionNo: '东市监吊〔2024〕1号',
    });
  });

  it('a passing re-inspection at any round closes the case as rectified', () => {
    for (const state of ['correcting', 'provinceNotified', 'suspended'] as const) {
      const c = caseIn(state);
      const r = transition(c, actionFor('reinspect', c, true), LATER, calendar, official);
      expect(r.case).toMatchObject({ state: 'closedRectified', outcome: 'rectified', dueOn: null });
    }
  });
});

describe('due dates', () => {
  const windowFrom = (receivedOn: IsoDate) =>
    run(opened('2023-01-03'), [
      [{ type: 'notify' }, '2023-01-04'],
      [{ type: 'receive' }, receivedOn],
    ]);

  it.each([
    // [received, due, plain last day, why]
    ['2024-03-06', '2024-03-21', false, 'a Thursday'],
    ['2024-03-08', '2024-03-25', true, 'ends on a Saturday → Monday'],
    [
      '2024-01-26',
      '2024-02-18',
      true,
      'ends in the 2024 Spring Festival → its make-up working day (Sunday 02-18)',
    ],
    ['2025-01-14', '2025-02-05', true, 'ends in the 2025 Spring Festival → Wednesday 02-05'],
    ['2026-01-31', '2026-02-24', true, 'ends in the 2026 Spring Festival → Tuesday 02-24'],
    ['2024-09-16', '2024-10-08', true, 'ends on National Day 2024 → 10-08'],
    ['2025-09-23', '2025-10-09', true, 'ends in the 2025 National Day holiday → 10-09'],
    ['2024-02-03', '2024-02-18', false, 'ends on a make-up working day (Sunday): not moved'],
    ['2025-09-13', '2025-09-28', false, 'ends on a make-up working day (Sunday 2025-09-28): not moved'],
    ['2024-07-17', '2024-08-01', false, 'across a month end'],
    ['2023-12-17', '2024-01-02', true, 'across the year end onto New Year’s Day → 01-02'],
    ['2024-04-16', '2024-05-06', true, 'across a month end into Labour Day → 05-06'],
    ['2024-02-14', '2024-02-29', false, 'the 2024 leap day is a day like any other'],
    ['2023-02-14', '2023-03-01', false, 'no leap day in 2023'],
  ] as Array<[IsoDate, IsoDate, boolean, string]>)(
    'objection window from receipt on %s ends %s (rolled: %s; %s)',
    (receivedOn, due, rolled) => {
      const c = windowFrom(receivedOn);
      expect(c.state).toBe('objectionWindow');
      expect(c.dueOn).toBe(due);
      expect(c.dues).toEqual([
        { name: 'objectionWindow', kind: 'deadline', on: due, from: receivedOn, days: 15, rolled },
      ]);
      // objecting or accepting on the last day is allowed; the day after is refused
      const object = (on: IsoDate) => transition(c, { ...objection, on }, on, calendar, enterprise);
      expect(object(due).case.state).toBe('objected');
      expect(transition(c, { type: 'accept', on: due }, due, calendar, enterprise).case.state).toBe(
        'confirmed',
      );
      const dayAfter = addCalendarDays(due, 1);
      const late = thrown(() => object(dayAfter));
      expect(late).toMatchObject({ code: 'CASE_OBJECTION_WINDOW_CLOSED', status: 409 });
      expect(late.fields[0]).toMatchObject({ field: 'on', code: 'CASE_OBJECTION_WINDOW_CLOSED' });
      expect(late.messages.zh).toContain(due);
      expect(
        thrown(() => transition(c, { type: 'accept', on: dayAfter }, dayAfter, calendar, enterprise)).code,
      ).toBe('CASE_OBJECTION_WINDOW_CLOSED');
      // the window lapses only the day after its last day
      expect(thrown(() => transition(c, { type: 'lapse', on: due }, due, calendar, official))).toMatchObject({
        code: 'CASE_TOO_EARLY',
        status: 409,
      });
      expect(transition(c, { type: 'lapse', on: dayAfter }, dayAfter, calendar, official).case.state).toBe(
        'confirmed',
      );
      expect(isOverdue(c, due)).toBe(false);
      expect(isOverdue(c, dayAfter)).toBe(true);
    },
  );

  it('an objection dated on the plain 15th day inside a holiday is still in time', () => {
    const c = windowFrom('2024-09-16'); // plain last day 10-01, the window runs to 10-08
    expect(
      transition(c, { ...objection, on: '2024-10-01' }, '2024-10-01', calendar, enterprise).case.state,
    ).toBe('objected');
    expect(
      transition(c, { ...objection, on: '2024-10-08' }, '2024-10-08', calendar, enterprise).case.state,
    ).toBe('objected');
  });

  it.each([
    ['2024-04-15', '2024-06-14', false, '2024-07-01', true, '75th day a Saturday → Monday'],
    [
      '2024-01-01',
      '2024-03-01',
      false,
      '2024-03-18',
      true,
      'counts the 2024 leap day; day 75 (03-16) a Saturday',
    ],
    [
      '2023-12-16',
      '2024-02-18',
      true,
      '2024-02-29',
      false,
      'day 60 in the Spring Festival → its make-up working day; day 75 the leap day',
    ],
  ] as Array<[IsoDate, IsoDate, boolean, IsoDate, boolean, string]>)(
    'correction ordered on %s: correct by %s (rolled: %s), re-inspect by %s (rolled: %s; %s)',
    (orderOn, corr, corrRolled, reinspect, reRolled) => {
      const c = run(caseIn('confirmed'), []);
      const ordered = transition(
        { ...c, lastStepOn: '2023-01-01' },
        { type: 'orderCorrection', on: orderOn },
        orderOn,
        calendar,
        official,
      ).case;
      expect(ordered.dues.map((d) => [d.name, d.on, d.rolled])).toEqual([
        ['correctionPeriod', corr, corrRolled],
        ['reinspectionDue', reinspect, reRolled],
      ]);
      expect(ordered.dueOn).toBe(reinspect);
      expect(ordered.earliestOn).toBeNull();
      // a re-inspection is possible at once (the enterprise may correct early) and stays possible late
      expect(
        transition(ordered, { type: 'reinspect', passed: true, on: orderOn }, orderOn, calendar).case.state,
      ).toBe('closedRectified');
      const late = addCalendarDays(reinspect, 1);
      expect(isOverdue(ordered, reinspect)).toBe(false);
      expect(isOverdue(ordered, late)).toBe(true);
      expect(
        transition(ordered, { type: 'reinspect', passed: false, on: late }, late, calendar).case.state,
      ).toBe('awaitingNotice');
    },
  );

  it.each([
    ['2024-06-25', '2024-08-26', '2024-09-23', 'day 60 a Saturday → Monday'],
    ['2024-08-05', '2024-10-08', '2024-11-04', 'day 60 in the National Day holiday → 10-08; day 90 a Sunday'],
    ['2024-08-01', '2024-09-30', '2024-10-30', 'day 60 the last day of a month'],
    ['2023-12-31', '2024-02-29', '2024-04-01', 'day 60 the 2024 leap day; day 90 a Saturday'],
  ] as Array<[IsoDate, IsoDate, IsoDate, string]>)(
    'provincial notice on %s: second re-inspection from %s, by %s (%s)',
    (noticeOn, earliest, due) => {
      const c = transition(
        { ...caseIn('awaitingNotice'), lastStepOn: '2023-01-01' },
        { type: 'notifyProvince', on: noticeOn },
        noticeOn,
        calendar,
      ).case;
      expect(c.earliestOn).toBe(earliest);
      expect(c.dueOn).toBe(due);
      expect(c.dues.map((d) => [d.name, d.kind, d.on])).toEqual([
        ['secondReinspectionEarliest', 'earliest', earliest],
        ['secondReinspectionDue', 'deadline', due],
      ]);
      const dayBefore = addCalendarDays(earliest, -1);
      const early = thrown(() =>
        transition(c, { type: 'reinspect', passed: true, on: dayBefore }, dayBefore, calendar),
      );
      expect(early).toMatchObject({ code: 'CASE_TOO_EARLY', status: 409 });
      expect(early.fields[0]).toMatchObject({ field: 'on', code: 'CASE_TOO_EARLY' });
      expect(early.messages.zh).toContain(earliest);
      expect(
        transition(c, { type: 'reinspect', passed: true, on: earliest }, earliest, calendar).case.state,
      ).toBe('closedRectified');
      expect(transition(c, { type: 'reinspect', passed: false, on: due }, due, calendar).case.state).toBe(
        'awaitingSuspension',
      );
      expect(allowedActions(c, dayBefore, 'official')).toEqual([]);
      expect(allowedActions(c, earliest, 'official')).toEqual(['reinspect']);
      expect(isOverdue(c, due)).toBe(false);
      expect(isOverdue(c, addCalendarDays(due, 1))).toBe(true);
    },
  );

  it('a suspension lasts the days its decision sets; re-inspection from its end, due 15 days later', () => {
    const c = caseIn('suspended');
    expect(c.dues).toEqual([
      {
        name: 'suspensionEnds',
        kind: 'earliest',
        on: '2024-10-10',
        from: '2024-09-10',
        days: 30,
        rolled: false,
      },
      {
        name: 'suspensionReinspectionDue',
        kind: 'deadline',
        on: '2024-10-25',
        from: '2024-10-10',
        days: 15,
        rolled: false,
      },
    ]);
    expect(
      thrown(() =>
        transition(c, { type: 'reinspect', passed: true, on: '2024-10-09' }, '2024-10-09', calendar),
      ).code,
    ).toBe('CASE_TOO_EARLY');
    // a 20-day suspension from 2024-09-11 ends on 10-01 (National Day) → 10-08
    const holiday = transition(
      caseIn('awaitingSuspension'),
      { type: 'suspend', days: 20, decisionNo: 'D', on: '2024-09-11' },
      '2024-09-11',
      calendar,
    ).case;
    expect(holiday.earliestOn).toBe('2024-10-08');
    expect(holiday.dueOn).toBe('2024-10-23');
  });

  it('every figure comes from data/sampling/deadlines.json with its source', () => {
    const d = caseDeadlines();
    expect(Object.fromEntries(Object.entries(d.periods).map(([k, v]) => [k, v.days]))).toEqual({
      objectionWindow: 15,
      correctionPeriod: 60,
      reinspectionDue: 75,
      secondReinspectionEarliest: 60,
      secondReinspectionDue: 90,
      suspensionReinspectionDue: 15,
    });
    expect(d.periods.objectionWindow.source).toContain('产品质量法 第十五条');
    for (const rule of Object.values(d.periods)) expect(rule.source.length).toBeGreaterThan(10);
    expect(caseIn('correcting').policyVersion).toBe(d.version);
    // another policy computes other dates
    const shorter = {
      ...d,
      version: 'test',
      periods: { ...d.periods, objectionWindow: { ...d.periods.objectionWindow, days: 10 } },
    };
    const c = transition(
      caseIn('notified'),
      { type: 'receive', on: '2024-03-06' },
      '2024-03-06',
      calendar,
      official,
      shorter,
    ).case;
    expect(c).toMatchObject({ dueOn: '2024-03-18', policyVersion: 'test' }); // 03-16 is a Saturday
  });

  it('a deadline policy that does not hold together is refused on load', () => {
    const d = caseDeadlines();
    const withPeriod = (name: keyof typeof d.periods, days: number) => ({
      ...d,
      periods: { ...d.periods, [name]: { ...d.periods[name], days } },
    });
    expect(() => parseCaseDeadlines(withPeriod('correctionPeriod', 0))).toThrow(/correctionPeriod/);
    expect(() => parseCaseDeadlines(withPeriod('reinspectionDue', 50))).toThrow(/reinspectionDue/);
    expect(() => parseCaseDeadlines(withPeriod('secondReinspectionDue', 59))).toThrow(
      /secondReinspectionDue/,
    );
    const { source: _dropped, ...noSource } = d.periods.objectionWindow;
    expect(() => parseCaseDeadlines({ ...d, periods: { ...d.periods, objectionWindow: noSource } })).toThrow(
      /source/,
    );
    expect(loadCaseDeadlines().version).toBe(d.version);
  });
});

describe('dates and input', () => {
  it('a step may not be dated in the future nor before the previous step', () => {
    const c = caseIn('notified'); // notice sent 2024-03-04
    const future = thrown(() =>
      transition(c, { type: 'receive', on: '2024-03-07' }, '2024-03-06', calendar, official),
    );
    expect(future).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(future.fields[0]).toMatchObject({ field: 'on', code: 'IN_THE_FUTURE' });
    const before = thrown(() =>
      transition(c, { type: 'receive', on: '2024-03-03' }, '2024-03-06', calendar, official),
    );
    expect(before.fields[0]).toMatchObject({ field: 'on', code: 'BEFORE_PREVIOUS_STEP' });
    expect(before.messages.zh).toContain('2024-03-04');
    // the same day as the previous step is fine, and the date defaults to today
    expect(
      transition(c, { type: 'receive', on: '2024-03-04' }, '2024-03-06', calendar, official).case.lastStepOn,
    ).toBe('2024-03-04');
    expect(transition(c, { type: 'receive' }, '2024-03-06', calendar, official).case.notice).toEqual({
      sentOn: '2024-03-04',
      receivedOn: '2024-03-06',
    });
    const bad = thrown(() =>
      transition(c, { type: 'receive', on: '2024-02-30' }, '2024-03-06', calendar, official),
    );
    expect(bad).toMatchObject({ code: 'INVALID_DATE', status: 400 });
    expect(bad.fields[0]).toMatchObject({ field: 'on' });
  });

  it('an objection names failed items of this sample, once each, with grounds', () => {
    const c = caseIn('objectionWindow');
    const object = (a: Partial<Extract<CaseAction, { type: 'object' }>>) =>
      thrown(() => transition(c, { ...objection, ...a } as CaseAction, '2024-03-10', calendar, enterprise));
    expect(object({ items: [] }).fields[0]).toMatchObject({ field: 'items', code: 'REQUIRED' });
    const unknown = object({ items: ['i2', 'i9'] });
    expect(unknown.fields[0]).toMatchObject({ field: 'items', code: 'NOT_A_FAILED_ITEM' });
    expect(unknown.messages.zh).toContain('i9');
    expect(object({ items: ['i1', 'i1'] }).fields[0]).toMatchObject({ field: 'items', code: 'DUPLICATE' });
    expect(object({ grounds: '  ' }).fields[0]).toMatchObject({ field: 'grounds', code: 'REQUIRED' });
    const ok = transition(c, { ...objection, items: ['i1', 'i3'] }, '2024-03-10', calendar, enterprise).case;
    expect(ok.objection?.items).toEqual(['i1', 'i3']);
  });

  it('the re-test goes to another lab', () => {
    const c = caseIn('objected');
    const same = thrown(() =>
      transition(c, { type: 'assignRetest', labEnterpriseId: 'lab-1' }, LATER, calendar, official),
    );
    expect(same).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(same.fields[0]).toMatchObject({ field: 'labEnterpriseId', code: 'SAME_LAB' });
    expect(
      thrown(() => transition(c, { type: 'assignRetest', labEnterpriseId: ' ' }, LATER, calendar, official))
        .fields[0],
    ).toMatchObject({
      field: 'labEnterpriseId',
      code: 'REQUIRED',
    });
  });

  it('suspension days within bounds and a decision number; revocation names its licence', () => {
    const c = caseIn('awaitingSuspension');
    for (const days of [0, 366, 1.5])
      expect(
        thrown(() => transition(c, { type: 'suspend', days, decisionNo: 'D' }, LATER, calendar)).fields[0],
      ).toMatchObject({
        field: 'days',
        code: 'OUT_OF_RANGE',
      });
    expect(
      thrown(() => transition(c, { type: 'suspend', days: 30, decisionNo: '' }, LATER, calendar)).fields[0],
    ).toMatchObject({
      field: 'decisionNo',
    });
    expect(
      thrown(() =>
        transition(caseIn('awaitingRevocation'), { type: 'revoke', licenceNo: '' }, LATER, calendar),
      ).fields[0],
    ).toMatchObject({ field: 'licenceNo', code: 'REQUIRED' });
  });

  it('notes and documents are checked', () => {
    const c = caseIn('opened');
    expect(
      thrown(() => transition(c, { type: 'notify', notes: 'x'.repeat(2001) }, LATER, calendar)).fields[0],
    ).toMatchObject({
      field: 'notes',
      code: 'TOO_LONG',
    });
    expect(
      thrown(() => transition(c, { type: 'notify', documents: [{ title: ' ' }] }, LATER, calendar)).fields[0],
    ).toMatchObject({
      field: 'documents.0.title',
    });
  });

  it('a case needs its failed items and a failure date not in the future', () => {
    const input = {
      id: 'c',
      sampleId: 's',
      sampleNo: 'n',
      enterpriseId: 'e',
      uscc: 'u',
      townCode: 't',
      originalLabEnterpriseId: 'l',
      failedOn: '2024-03-01',
      failedItems: ['i1'],
    };
    expect(thrown(() => newCase({ ...input, failedItems: [] }, '2024-03-01')).fields[0]).toMatchObject({
      field: 'failedItems',
    });
    expect(thrown(() => newCase({ ...input, failedOn: '2024-03-02' }, '2024-03-01')).fields[0]).toMatchObject(
      {
        field: 'failedOn',
        code: 'IN_THE_FUTURE',
      },
    );
    const { case: c, effects } = newCase(input, '2024-03-05');
    expect(c).toMatchObject({
      state: 'opened',
      rev: 1,
      lastStepOn: '2024-03-01',
      openedOn: '2024-03-05',
      dueOn: null,
    });
    expect(effects).toEqual([
      { kind: 'transitioned', from: null, to: 'opened', action: 'open', on: '2024-03-01', dueOn: null },
    ]);
  });
});

describe('reminders and passed deadlines (for the daily jobs)', () => {
  it('reminds 3 working days ahead, counting holidays and make-up days, once per due date', () => {
    const c = run(opened('2024-01-20'), [
      [{ type: 'notify' }, '2024-01-22'],
      [{ type: 'receive' }, '2024-01-26'], // window ends Sunday 2024-02-18, a make-up working day
    ]);
    expect(c.dueOn).toBe('2024-02-18');
    // working days before it: 02-06 Tue, 02-07 Wed, 02-08 Thu, 02-09 Fri, then the holiday 02-10..17
    expect(remindersDue(c, '2024-02-06', calendar)).toEqual([]);
    expect(remindersDue(c, '2024-02-07', calendar).map((d) => d.on)).toEqual(['2024-02-18']);
    expect(remindersDue(c, '2024-02-18', calendar).map((d) => d.on)).toEqual(['2024-02-18']);
    expect(remindersDue(c, '2024-02-19', calendar)).toEqual([]);
    const reminded = markDues(c, 'reminders', remindersDue(c, '2024-02-07', calendar));
    expect(reminded.reminders).toEqual(['objectionWindow@2024-02-18']);
    expect(reminded.rev).toBe(c.rev + 1);
    expect(remindersDue(reminded, '2024-02-08', calendar)).toEqual([]);
    expect(markDues(reminded, 'reminders', [])).toBe(reminded);
  });

  it('notes each deadline the day after it passes; the case is overdue after its last one', () => {
    const c = caseIn('correcting'); // correct by 06-14, re-inspect by 07-01
    expect(passedDeadlines(c, '2024-06-14')).toEqual([]);
    expect(passedDeadlines(c, '2024-06-15').map((d) => d.name)).toEqual(['correctionPeriod']);
    expect(isOverdue(c, '2024-06-15')).toBe(false);
    const noted = markDues(c, 'overdueNoted', passedDeadlines(c, '2024-06-15'));
    expect(passedDeadlines(noted, '2024-06-20')).toEqual([]);
    expect(passedDeadlines(noted, '2024-07-02').map((d) => d.name)).toEqual(['reinspectionDue']);
    expect(isOverdue(noted, '2024-07-01')).toBe(false);
    expect(isOverdue(noted, '2024-07-02')).toBe(true);
    expect(passedDeadlines(caseIn('closedRectified'), LATER)).toEqual([]);
    expect(remindersDue(caseIn('closedRectified'), LATER, calendar)).toEqual([]);
  });
});
