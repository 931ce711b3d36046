// The post-processing a generated failure goes through, written out in advance as dated steps: the
// seed decides every branch when it decides the failure (so it knows which failures a re-test will
// have overturned by the seed day, and the pass rates it aims at count final verdicts), and plays
// the steps through the cases service on their dates. Every date obeys the machine's rules
// (postprocess.ts): the objection within its 15 days, a lapse the day after them, re-inspections
// within their windows, each due date from dueAfterDays over the same deadline policy — so a step
// that has not happened by the seed day is never one whose deadline has passed, and the one overdue
// case of the demo is overdue on purpose.
import { dueAfterDays } from '../../core/periods.js';
import { addCalendarDays, type WorkdayCalendar } from '../../core/workdays.js';
import type { Rng } from '../registry/index.js';
import { caseDeadlines } from './postprocess.js';

export type ScriptStep =
  | { on: string; kind: 'notify' | 'receive' | 'accept' | 'lapse' }
  | { on: string; kind: 'object' }
  | { on: string; kind: 'assignRetest' }
  | { on: string; kind: 'retest'; upheld: boolean }
  | { on: string; kind: 'orderCorrection' }
  | { on: string; kind: 'reinspect'; passed: boolean }
  | { on: string; kind: 'notifyProvince' }
  | { on: string; kind: 'suspend'; days: number }
  | { on: string; kind: 'revoke' };

export type CaseScript = {
  steps: ScriptStep[];
  /** The day a re-test overturns the failure (the sample then passes), if it does. */
  overturnedOn: string | null;
};

/** The states the demo keeps a case in on the seed day (and the closed outcomes it shows). */
export const TARGETS = [
  'notified',
  'objectionWindow',
  'retesting',
  'correcting',
  'provinceNotified',
  'suspended',
  'overdue',
  'overturned',
  'upheld',
  'revoked',
] as const;
export type Target = (typeof TARGETS)[number];

const days = (name: keyof ReturnType<typeof caseDeadlines>['periods']) => caseDeadlines().periods[name].days;

/** Builds a script step by step; each step's date is at or after the one before. */
class Script {
  steps: ScriptStep[] = [];
  overturnedOn: string | null = null;
  constructor(private readonly cal: WorkdayCalendar) {}
  private push(s: ScriptStep) {
    const last = this.steps.at(-1);
    if (last && s.on < last.on) throw new Error(`case script: ${s.kind} on ${s.on} before ${last.on}`);
    this.steps.push(s);
    return s.on;
  }
  /** The next working day on or after `d` (officials and labs act on working days). */
  wd(d: string) {
    return this.cal.isWorkday(d) ? d : this.cal.addWorkdays(d, 0);
  }
  due(from: string, n: number) {
    return dueAfterDays(this.cal, from, n).due;
  }
  notify(on: string) {
    return this.push({ on, kind: 'notify' });
  }
  /** Receipt of the notice: returns the last day of the objection window. */
  receive(on: string) {
    this.push({ on, kind: 'receive' });
    return this.due(on, days('objectionWindow'));
  }
  accept(on: string) {
    return this.push({ on, kind: 'accept' });
  }
  lapse(windowDue: string) {
    return this.push({ on: addCalendarDays(windowDue, 1), kind: 'lapse' });
  }
  object(on: string) {
    return this.push({ on, kind: 'object' });
  }
  assignRetest(on: string) {
    return this.push({ on, kind: 'assignRetest' });
  }
  retest(on: string, upheld: boolean) {
    if (!upheld) this.overturnedOn = on;
    return this.push({ on, kind: 'retest', upheld });
  }
  /** The correction order: returns the re-inspection's last day (day 75). */
  orderCorrection(on: string) {
    this.push({ on, kind: 'orderCorrection' });
    return this.due(on, days('reinspectionDue'));
  }
  reinspect(on: string, passed: boolean) {
    return this.push({ on, kind: 'reinspect', passed });
  }
  /** The provincial notice: returns the second re-inspection's window [day 60, day 90]. */
  notifyProvince(on: string) {
    this.push({ on, kind: 'notifyProvince' });
    return {
      earliest: this.due(on, days('secondReinspectionEarliest')),
      due: this.due(on, days('secondReinspectionDue')),
    };
  }
  /** The suspension: returns its last day and the last day of the re-inspection after it. */
  suspend(on: string, n: number) {
    this.push({ on, kind: 'suspend', days: n });
    const endsOn = this.due(on, n);
    return { endsOn, due: this.due(endsOn, days('suspensionReinspectionDue')) };
  }
  revoke(on: string) {
    return this.push({ on, kind: 'revoke' });
  }
  done(): CaseScript {
    return { steps: this.steps, overturnedOn: this.overturnedOn };
  }
}

const between = (r: Rng, lo: number, hi: number) => lo + r.int(hi - lo + 1);
/** The earlier of two ISO dates. */
const minDate = (a: string, b: string) => (a.localeCompare(b) < 0 ? a : b);

/**
 * An ordinary failure's course: notice and receipt; the enterprise accepts, lets the window lapse
 * or objects (a re-test upholds the failure or overturns it); a correction order; most pass the
 * re-inspection, a few go on to the provincial notice, suspension and, rarely, revocation.
 */
export function naturalScript(failedOn: string, cal: WorkdayCalendar, r: Rng): CaseScript {
  const s = new Script(cal);
  const n = s.notify(s.wd(addCalendarDays(failedOn, between(r, 1, 3))));
  const received = s.wd(addCalendarDays(n, between(r, 2, 6)));
  const window = s.receive(received);
  const branch = r.next();
  let confirmedOn: string;
  if (branch < 0.45) {
    confirmedOn = s.accept(minDate(s.wd(addCalendarDays(received, between(r, 2, 10))), window));
  } else if (branch < 0.85) {
    confirmedOn = s.lapse(window);
  } else {
    const objected = s.object(minDate(s.wd(addCalendarDays(received, between(r, 3, 12))), window));
    const assigned = s.assignRetest(s.wd(addCalendarDays(objected, between(r, 2, 5))));
    const upheld = r.chance(0.65);
    confirmedOn = s.retest(s.wd(addCalendarDays(assigned, between(r, 10, 20))), upheld);
    if (!upheld) return s.done();
  }
  const ordered = s.wd(addCalendarDays(confirmedOn, between(r, 2, 7)));
  const reinspectBy = s.orderCorrection(ordered);
  const first = minDate(s.wd(addCalendarDays(ordered, between(r, 55, 72))), reinspectBy);
  s.reinspect(first, r.chance(0.88));
  if (lastPassed(s)) return s.done();
  const noticeOn = s.wd(addCalendarDays(first, between(r, 3, 10)));
  const second = s.notifyProvince(noticeOn);
  const secondOn = pickBetween(second.earliest, second.due, r, cal);
  s.reinspect(secondOn, r.chance(0.8));
  if (lastPassed(s)) return s.done();
  const suspension = s.suspend(s.wd(addCalendarDays(secondOn, between(r, 3, 10))), between(r, 3, 9) * 10);
  s.reinspect(pickBetween(suspension.endsOn, suspension.due, r, cal), r.chance(0.6));
  if (lastPassed(s)) return s.done();
  s.revoke(s.wd(addCalendarDays(s.steps.at(-1)!.on, between(r, 3, 10))));
  return s.done();
}

function lastPassed(s: Script) {
  const last = s.steps.at(-1)!;
  return last.kind === 'reinspect' && last.passed;
}

/** A working day in [from, to] (both working days, as due dates are). */
function pickBetween(from: string, to: string, r: Rng, cal: WorkdayCalendar) {
  const span = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000));
  const d = addCalendarDays(from, r.int(span + 1));
  const w = cal.isWorkday(d) ? d : cal.addWorkdays(d, 0);
  return w > to ? to : w;
}

/**
 * Where a target's steps stand: `end` is the date of its last step (for the open targets, a few
 * days before the seed day, so that its due dates lie ahead — except `overdue`'s), and `lead` the
 * fewest days from the failure to that step. A failure earlier than end − lead waits the difference
 * in a state without a deadline (before the notice is sent or received, or before the correction
 * order), which is where a real case would wait too.
 */
export function targetTiming(t: Target, asOf: string): { end: string | null; lead: number; length: number } {
  const at = (n: number) => addCalendarDays(asOf, -n);
  switch (t) {
    case 'notified':
      return { end: at(2), lead: 1, length: 1 };
    case 'objectionWindow':
      return { end: at(5), lead: 3, length: 3 };
    case 'retesting':
      return { end: at(6), lead: 11, length: 11 };
    case 'correcting':
      return { end: at(30), lead: 10, length: 10 };
    case 'provinceNotified':
      return { end: at(20), lead: 84, length: 84 };
    case 'suspended':
      return { end: at(15), lead: 161, length: 161 };
    case 'overdue':
      return { end: at(85), lead: 10, length: 10 };
    case 'overturned':
      return { end: null, lead: 26, length: 26 };
    case 'upheld':
      return { end: null, lead: 95, length: 95 };
    case 'revoked':
      // suspension of 30 days, the re-inspection 5 days after it, revocation 5 days later (+ rolling)
      return { end: null, lead: 215, length: 215 };
  }
}

/** The steps of a target, from the failure on `failedOn` to the target's last step on `end`. */
export function targetScript(
  t: Target,
  failedOn: string,
  end: string | null,
  cal: WorkdayCalendar,
): CaseScript {
  const s = new Script(cal);
  const f = (n: number) => addCalendarDays(failedOn, n);
  const e = (n: number) => addCalendarDays(end!, -n);
  switch (t) {
    case 'notified':
      s.notify(end!);
      break;
    case 'objectionWindow':
      s.notify(minDate(f(2), e(1)));
      s.receive(end!);
      break;
    case 'retesting':
      s.notify(minDate(f(2), e(9)));
      s.receive(e(8));
      s.object(e(4));
      s.assignRetest(end!);
      break;
    case 'correcting':
    case 'overdue':
      s.notify(f(2));
      s.receive(f(5));
      s.accept(f(9));
      s.orderCorrection(end!);
      break;
    case 'provinceNotified':
      s.notify(f(2));
      s.receive(f(5));
      s.accept(f(9));
      s.orderCorrection(e(74));
      s.reinspect(e(5), false);
      s.notifyProvince(end!);
      break;
    case 'suspended':
      s.notify(f(2));
      s.receive(f(5));
      s.accept(f(9));
      s.orderCorrection(e(151));
      s.reinspect(e(82), false);
      s.notifyProvince(e(77));
      s.reinspect(e(5), false);
      s.suspend(end!, 90);
      break;
    case 'overturned':
      s.notify(f(2));
      s.receive(f(5));
      s.object(f(9));
      s.assignRetest(f(12));
      s.retest(f(26), false);
      break;
    case 'upheld':
      s.notify(f(2));
      s.receive(f(5));
      s.object(f(9));
      s.assignRetest(f(12));
      s.retest(f(26), true);
      s.orderCorrection(f(30));
      s.reinspect(f(95), true);
      break;
    case 'revoked': {
      s.notify(f(2));
      s.receive(f(5));
      s.accept(f(9));
      s.orderCorrection(f(12));
      s.reinspect(f(81), false);
      s.notifyProvince(f(86));
      s.reinspect(f(158), false);
      const suspension = s.suspend(f(163), 30);
      s.reinspect(addCalendarDays(suspension.endsOn, 5), false);
      s.revoke(addCalendarDays(suspension.endsOn, 10));
      break;
    }
  }
  return s.done();
}
