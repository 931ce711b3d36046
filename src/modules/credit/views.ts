// What the internal credit API returns: records with their labels and state, the grade with its
// explanation, blacklist entries and objections with deadlines and the actions open to the viewer.
// (Public output has its own presenters in public.ts.)
import type { Kysely } from 'kysely';
import type { Message } from '../../core/errors.js';
import type { WorkdayCalendar } from '../../core/workdays.js';
import { json } from '../../db/codecs.js';
import type { Database } from '../../db/schema.js';
import { type AuthUser, can } from '../../platform/auth/policies.js';
import { EVENT_CATALOGUE, type EventType } from '../../platform/events/catalogue.js';
import {
  BLACKLIST_ACTIONS,
  type BlacklistEntry,
  isIllegalTransition,
  overdueDeadlines,
  STATE_LABELS,
} from './blacklist.js';
import { entryOf } from './blacklist-store.js';
import type { GradeResult } from './grade.js';
import { objectionOf } from './objection-store.js';
import {
  isReviewOverdue,
  OBJECTION_STATE_LABELS,
  OBJECTION_TRANSITIONS,
  reviewDeadlineOf,
} from './objections.js';
import { own } from './own.js';
import { recordSource, summaryText } from './record-types.js';
import { recordDetails, recordEvidence } from './records.js';
import { publishedRuleSets } from './rule-store.js';
import type { RuleSet } from './rules.js';

type RecordRow = Database['credit_records'];

export const eventLabel = (type: string): Message => {
  const spec = own(EVENT_CATALOGUE as Record<string, (typeof EVENT_CATALOGUE)[EventType]>, type);
  return spec ? spec.description : { zh: type, en: type };
};

/** Rule labels by "ruleSetId@version/ruleId", across every published set. */
export async function ruleLabels(db: Kysely<Database>) {
  const sets = await publishedRuleSets(db);
  const map = new Map<string, Message>();
  for (const rs of sets) for (const r of rs.rules) map.set(`${rs.id}@${rs.version}/${r.id}`, r.label);
  return (setId: string, version: number, ruleId: string): Message =>
    map.get(`${setId}@${version}/${ruleId}`) ?? { zh: ruleId, en: ruleId };
}

/** The record's summary in both languages (a reversal: "更正: " and what it corrects). */
export function recordSummaryText(r: RecordRow, byId: Map<string, RecordRow>): Message {
  if (r.kind !== 'reversal') return summaryText(r.event_type, recordDetails(r));
  const original = r.reverses_id ? byId.get(r.reverses_id) : undefined;
  const what = original
    ? summaryText(original.event_type, recordDetails(original))
    : { zh: r.summary.replace(/^更正: /, ''), en: r.summary.replace(/^更正: /, '') };
  return { zh: `更正: ${what.zh}`, en: `Correction: ${what.en}` };
}

export function recordStatus(r: RecordRow, reversedOn: string | null, today: string) {
  if (r.kind === 'reversal') return 'reversal' as const;
  if (reversedOn !== null && reversedOn <= today) return 'reversed' as const;
  if (r.effective_on > today) return 'pending' as const;
  if (r.expires_on <= today) return 'expired' as const;
  return 'active' as const;
}

/** Views of an enterprise's records, newest first, with evidence, objections and replies. */
export async function recordViews(db: Kysely<Database>, rows: RecordRow[], today: string) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const label = await ruleLabels(db);
  const evidenceIds = [...new Set(rows.flatMap(recordEvidence))];
  const [evidence, objections, replies] = await Promise.all([
    evidenceIds.length
      ? db
          .selectFrom('credit_evidence')
          .select(['id', 'filename', 'size', 'mime'])
          .where('id', 'in', evidenceIds)
          .execute()
      : [],
    db
      .selectFrom('credit_objections')
      .select(['id', 'record_id', 'state', 'created_at'])
      .where('record_id', 'in', ids)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('credit_replies')
      .select(['record_id', 'text', 'posted_on'])
      .where('record_id', 'in', ids)
      .where('replaced_on', 'is', null)
      .execute(),
  ]);
  const reversal = new Map<string, RecordRow>();
  for (const r of rows) if (r.reverses_id) reversal.set(r.reverses_id, r);
  const objectionOfRecord = new Map(objections.map((o) => [o.record_id, { id: o.id, state: o.state }]));
  const replyOf = new Map(replies.map((r) => [r.record_id, { text: r.text, postedOn: r.posted_on }]));
  const evidenceById = new Map(evidence.map((e) => [e.id, e]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  // A reversal's words come from what it corrects, which may not be among `rows`.
  const missing = rows.flatMap((r) => (r.reverses_id && !byId.has(r.reverses_id) ? [r.reverses_id] : []));
  if (missing.length > 0)
    for (const o of await db.selectFrom('credit_records').selectAll().where('id', 'in', missing).execute())
      byId.set(o.id, o);
  return [...rows]
    .sort((a, b) => b.seq - a.seq)
    .map((r) => {
      const rev = reversal.get(r.id) ?? null;
      return {
        id: r.id,
        seq: r.seq,
        kind: r.kind,
        eventType: r.event_type,
        eventLabel: eventLabel(r.event_type),
        ruleId: r.rule_id,
        ruleLabel: label(r.rule_set_id, r.rule_set_version, r.rule_id),
        ruleSet: { id: r.rule_set_id, version: r.rule_set_version },
        points: r.points,
        occurredOn: r.occurred_on,
        effectiveOn: r.effective_on,
        expiresOn: r.expires_on,
        severity: r.severity,
        publishable: r.publishable === 1,
        status: recordStatus(r, rev?.effective_on ?? null, today),
        reversesId: r.reverses_id,
        reversedBy: rev?.id ?? null,
        summary: r.summary,
        summaryText: recordSummaryText(r, byId),
        source: recordSource(r.event_type, recordDetails(r), r.kind as 'event' | 'manual' | 'reversal'),
        details: recordDetails(r),
        evidence: recordEvidence(r).flatMap((id) => {
          const e = evidenceById.get(id);
          return e ? [{ id: e.id, filename: e.filename, size: e.size, mime: e.mime }] : [];
        }),
        recordedAt: r.recorded_at,
        recordedBy: r.recorded_by,
        objection: objectionOfRecord.get(r.id) ?? null,
        reply: replyOf.get(r.id) ?? null,
      };
    });
}

export async function gradeView(db: Kysely<Database>, result: GradeResult, ruleSet: RuleSet) {
  const label = await ruleLabels(db);
  const records = result.contributions.length
    ? await db
        .selectFrom('credit_records')
        .select(['id', 'rule_set_id', 'rule_set_version'])
        .where(
          'id',
          'in',
          result.contributions.map((c) => c.recordId),
        )
        .execute()
    : [];
  const byId = new Map(records.map((r) => [r.id, r]));
  const g = ruleSet.grades.find((x) => x.grade === result.grade)!;
  return {
    grade: result.grade,
    gradeLabel: g.label,
    score: result.score,
    base: result.base,
    rawScore: result.rawScore,
    asOf: result.asOf,
    ruleSet: { id: ruleSet.id, version: ruleSet.version, name: ruleSet.name },
    vetoApplied: result.vetoApplied,
    contributions: result.contributions.map((c) => {
      const r = byId.get(c.recordId);
      return {
        ...c,
        ruleLabel: r ? label(r.rule_set_id, r.rule_set_version, c.rule) : { zh: c.rule, en: c.rule },
      };
    }),
    reversed: result.reversed,
    supervision: ruleSet.supervision[result.grade],
  };
}

const NEXT_DEADLINE_LABELS: Record<string, Message> = {
  statementDeadline: { zh: '陈述申辩期限', en: 'Statement period ends' },
  publishBy: { zh: '公示期限', en: 'Publish by' },
  removalDecideBy: { zh: '移出申请决定期限', en: 'Decide the removal application by' },
  expiresOn: { zh: '期满移出', en: 'Term ends' },
};

function nextDeadline(e: BlacklistEntry) {
  const pick = (name: string, due: string | null | undefined) =>
    due ? { name, label: NEXT_DEADLINE_LABELS[name]!, due } : null;
  switch (e.state) {
    case 'notified':
      return pick('statementDeadline', e.statementDeadline);
    case 'listed':
      return pick('publishBy', e.publishBy);
    case 'published':
      return e.removalApplication?.outcome === 'pending'
        ? pick('removalDecideBy', e.removalApplication.decideBy)
        : pick('expiresOn', e.expiresOn);
    default:
      return null;
  }
}

const ENTERPRISE_ACTIONS = new Set(['applyRemoval']);

export function blacklistView(
  row: Database['credit_blacklist'],
  enterprise: { uscc: string; name: string; townName: string },
  user: AuthUser,
  today: string,
) {
  const e = entryOf(row);
  const official = can(user, 'credit.review');
  const own = can(user, 'credit.object', { enterpriseId: row.enterprise_id });
  return {
    id: e.id,
    enterprise,
    state: e.state,
    stateLabel: STATE_LABELS[e.state],
    penalty: e.penalty,
    notifiedOn: e.notifiedOn,
    statementDeadline: e.statementDeadline,
    listedOn: e.listedOn,
    publishBy: e.publishBy,
    publishedOn: e.publishedOn,
    expiresOn: e.expiresOn,
    earliestRemovalOn: e.earliestRemovalOn,
    endedOn: e.endedOn,
    statementHeard: e.statementHeard,
    penaltyRevokedBy: e.penaltyRevokedBy,
    pastRemovalApplications: e.pastRemovalApplications.map((a) => ({
      appliedOn: a.appliedOn,
      outcome: a.outcome,
      decidedOn: a.decidedOn,
      reasons: a.reasons,
    })),
    removalApplication: e.removalApplication
      ? {
          appliedOn: e.removalApplication.appliedOn,
          decideBy: e.removalApplication.decideBy,
          outcome: e.removalApplication.outcome,
          decidedOn: e.removalApplication.decidedOn,
          reasons: e.removalApplication.reasons,
        }
      : null,
    overdue: overdueDeadlines(e, today),
    nextDeadline: nextDeadline(e),
    allowedActions: BLACKLIST_ACTIONS.filter(
      (a) =>
        !isIllegalTransition(e.state, a) &&
        (ENTERPRISE_ACTIONS.has(a) ? own : official) &&
        !(a === 'decideRemoval' && e.removalApplication?.outcome !== 'pending') &&
        !(
          a === 'applyRemoval' &&
          (e.removalApplication?.outcome === 'pending' ||
            e.earliestRemovalOn === null ||
            today < e.earliestRemovalOn ||
            (e.expiresOn !== null && today >= e.expiresOn))
        ) &&
        !(a === 'expire' && (e.expiresOn === null || today < e.expiresOn)),
    ),
  };
}

export function objectionView(
  row: Database['credit_objections'],
  enterprise: { uscc: string; name: string },
  recordSummary: string,
  user: AuthUser,
  today: string,
  evidence: Map<string, { id: string; filename: string; size: number; mime: string }> = new Map(),
  calendar?: WorkdayCalendar,
) {
  const o = objectionOf(row);
  const official = can(user, 'credit.review');
  const own = can(user, 'credit.object', { enterpriseId: row.enterprise_id });
  return {
    id: o.id,
    enterprise,
    recordId: o.recordId,
    recordSummary,
    grounds: o.grounds,
    state: o.state,
    stateLabel: OBJECTION_STATE_LABELS[o.state],
    submittedOn: o.submittedOn,
    reviewStartedOn: o.reviewStartedOn,
    reviewDeadline: reviewDeadlineOf(o, calendar),
    decidedOn: o.decidedOn,
    reasons: o.reasons,
    overdue: isReviewOverdue(o, today, calendar),
    evidence: (json.read(row.evidence, []) as string[]).flatMap((id) => {
      const e = evidence.get(id);
      return e ? [e] : [];
    }),
    allowedActions: (Object.keys(OBJECTION_TRANSITIONS) as (keyof typeof OBJECTION_TRANSITIONS)[]).filter(
      (a) => OBJECTION_TRANSITIONS[a].includes(o.state) && (a === 'withdraw' ? own : official),
    ),
  };
}
