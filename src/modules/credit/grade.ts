// The grade as a pure function of (records, as-of date, rule set, veto flags), with an explanation
// in which every point is accounted for: rawScore = base + Σ contributions, score = clamp(rawScore).
import type { Message } from '../../core/errors.js';
import type { IsoDate } from '../../core/workdays.js';
import {
  expiryDate,
  type Grade,
  type RuleSet,
  ruleFor,
  ruleSetInForce,
  type Severity,
  type Supervision,
  type VetoFlag,
} from './rules.js';

/** An event as scored by a rule; never edited, corrected only by a reversal record. */
export type CreditRecord = {
  id: string;
  enterpriseId: string;
  ruleId: string;
  ruleSetId: string;
  ruleSetVersion: number;
  points: number;
  occurredOn: IsoDate;
  effectiveOn: IsoDate;
  /** The first day the record no longer counts. */
  expiresOn: IsoDate;
  severity: Severity;
  publishable: boolean;
  /** Set on a reversal record (0 points): the record it cancels from its own effectiveOn on. */
  reversesId: string | null;
};

export type Contribution = {
  recordId: string;
  rule: string;
  points: number;
  occurredOn: IsoDate;
  expiresOn: IsoDate;
};

export type GradeResult = {
  asOf: IsoDate;
  ruleSet: { id: string; version: number };
  base: number;
  score: number;
  rawScore: number;
  grade: Grade;
  vetoApplied: { id: string; label: Message } | null;
  contributions: Contribution[];
  /** Records that would count but are cancelled by a reversal effective on asOf. */
  reversed: { recordId: string; reversedBy: string }[];
};

export type VetoFlags = Partial<Record<VetoFlag, boolean>>;

export function gradeOf(input: {
  records: readonly CreditRecord[];
  asOf: IsoDate;
  ruleSet: RuleSet;
  flags?: VetoFlags;
}): GradeResult {
  const { records, asOf, ruleSet, flags = {} } = input;
  const seen = new Set<string>();
  for (const r of records) {
    // Record ids are unique in storage; a duplicate here means the caller double-loaded.
    if (seen.has(r.id)) throw new RangeError(`Duplicate credit record id: ${r.id}`);
    seen.add(r.id);
  }

  // A correction never lapses: a reversal cancels from its effectiveOn on, whatever its expiresOn.
  // Of several reversals of one record, the earliest (then lowest id) is named, so input order never matters.
  const reversal = new Map<string, CreditRecord>();
  for (const r of records) {
    if (r.reversesId === null || r.effectiveOn > asOf) continue;
    const known = reversal.get(r.reversesId);
    if (
      !known ||
      compare(r.effectiveOn, known.effectiveOn) < 0 ||
      (r.effectiveOn === known.effectiveOn && r.id < known.id)
    )
      reversal.set(r.reversesId, r);
  }

  const contributions: Contribution[] = [];
  const reversed: GradeResult['reversed'] = [];
  for (const r of records) {
    if (r.reversesId !== null || !(r.effectiveOn <= asOf && asOf < r.expiresOn)) continue;
    const by = reversal.get(r.id)?.id;
    if (by !== undefined) {
      reversed.push({ recordId: r.id, reversedBy: by });
      continue;
    }
    contributions.push({
      recordId: r.id,
      rule: r.ruleId,
      points: r.points,
      occurredOn: r.occurredOn,
      expiresOn: r.expiresOn,
    });
  }
  contributions.sort((a, b) => compare(a.occurredOn, b.occurredOn) || compare(a.recordId, b.recordId));
  reversed.sort((a, b) => compare(a.recordId, b.recordId));

  const rawScore = contributions.reduce((sum, c) => sum + c.points, ruleSet.base);
  const score = Math.min(ruleSet.bounds.max, Math.max(ruleSet.bounds.min, rawScore));
  const scoreGrade = gradeForScore(ruleSet, score);
  const veto = bindingVeto(ruleSet, flags, scoreGrade);
  return {
    asOf,
    ruleSet: { id: ruleSet.id, version: ruleSet.version },
    base: ruleSet.base,
    score,
    rawScore,
    grade: veto ? (veto.cap as Grade) : scoreGrade,
    vetoApplied: veto ? { id: veto.id, label: veto.label } : null,
    contributions,
    reversed,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The best grade whose threshold the score reaches; validation guarantees the last one always does. */
export function gradeForScore(ruleSet: RuleSet, score: number): Grade {
  const found = ruleSet.grades.find((g) => score >= g.minScore) ?? ruleSet.grades[ruleSet.grades.length - 1];
  if (!found) throw new RangeError(`Rule set ${ruleSet.id} has no grades`);
  return found.grade;
}

function rank(ruleSet: RuleSet, grade: string): number {
  return ruleSet.grades.findIndex((g) => g.grade === grade);
}

/** The most restrictive veto that holds and lowers the grade; null when none changes it. */
export function bindingVeto(
  ruleSet: RuleSet,
  flags: VetoFlags,
  scoreGrade: Grade,
): RuleSet['vetoes'][number] | null {
  let worst: RuleSet['vetoes'][number] | null = null;
  for (const v of ruleSet.vetoes) {
    if (flags[v.when.flag] !== true) continue;
    if (rank(ruleSet, v.cap) <= rank(ruleSet, scoreGrade)) continue;
    if (!worst || rank(ruleSet, v.cap) > rank(ruleSet, worst.cap)) worst = v;
  }
  return worst;
}

/** Draw ratio and inspection frequency for a grade, as the rule set defines them. */
export function supervisionFor(ruleSet: RuleSet, grade: Grade): Supervision {
  return ruleSet.supervision[grade];
}

export type ScoredEvent = { id: string; type: string; payload: Record<string, unknown>; occurredOn: IsoDate };

/** A credit record's fields without its storage identity; the caller adds id and enterpriseId. */
export type ScoredRecord = Omit<CreditRecord, 'id' | 'enterpriseId' | 'reversesId'> & {
  sourceEventId: string;
};

/** Score one event under the given rule set; null when no rule matches (the event does not affect credit). */
export function scoreRecord(input: { ruleSet: RuleSet; event: ScoredEvent }): ScoredRecord | null {
  const { ruleSet, event } = input;
  // Scoring under a set not yet in force on the event's date would misattribute the rule version.
  if (event.occurredOn < ruleSet.effectiveFrom)
    throw new RangeError(
      `Rule set ${ruleSet.id} v${ruleSet.version} is not in force on ${event.occurredOn} (from ${ruleSet.effectiveFrom})`,
    );
  const rule = ruleFor(ruleSet, event);
  if (!rule) return null;
  return {
    sourceEventId: event.id,
    ruleId: rule.id,
    ruleSetId: ruleSet.id,
    ruleSetVersion: ruleSet.version,
    points: rule.points,
    occurredOn: event.occurredOn,
    effectiveOn: event.occurredOn,
    expiresOn: expiryDate(event.occurredOn, rule.validity),
    severity: rule.severity,
    publishable: rule.publishable,
  };
}

/** Score an event under the rule set in force on its date; null if none is in force or no rule matches. */
export function scoreEvent(input: { ruleSets: readonly RuleSet[]; event: ScoredEvent }): ScoredRecord | null {
  const ruleSet = ruleSetInForce(input.ruleSets, input.event.occurredOn);
  return ruleSet ? scoreRecord({ ruleSet, event: input.event }) : null;
}

/** The reversal that corrects `record` from `effectiveOn` on: 0 points, same rule, pointing back. */
export function reversalOf(input: { record: CreditRecord; id: string; effectiveOn: IsoDate }): CreditRecord {
  const { record, id, effectiveOn } = input;
  return {
    ...record,
    id,
    points: 0,
    occurredOn: effectiveOn,
    effectiveOn,
    expiresOn: record.expiresOn,
    reversesId: record.id,
  };
}
