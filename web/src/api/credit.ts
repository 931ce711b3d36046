/**
 * Quality credit (质量信用): the shapes of docs/credit-api.md and small helpers to call it.
 *
 * Shared by the internal credit pages (web/src/credit/), the rule-set editor (web/src/credit-rules/)
 * and the public portal (web/src/portal/).
 */
import { api, type LocalizedText, request } from './client';

// ---------------------------------------------------------------------------------------------
// Basics

export type Grade = 'A' | 'B' | 'C' | 'D';
export const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D'];
/** Bilingual label `{zh, en}`. */
export type Text = LocalizedText;
export type Severity = 'info' | 'minor' | 'major' | 'serious';
export const SEVERITIES: readonly Severity[] = ['info', 'minor', 'major', 'serious'];
export type OnSiteCheck = 'complaintOnly' | 'random';

export interface SupervisionConsequence {
  /** Share of enterprises of this grade drawn for proactive checks (0.05 = 5 %). */
  drawRatio: number;
  onSiteCheck: OnSiteCheck;
  inspectionsPerYear: number;
}

export interface RuleSetRef {
  id: string;
  version: number;
}

// ---------------------------------------------------------------------------------------------
// Grade and records

export interface GradeContribution {
  recordId: string;
  rule: string;
  ruleLabel: Text;
  points: number;
  occurredOn: string;
  expiresOn: string;
}

export interface GradeView {
  grade: Grade;
  gradeLabel: Text;
  score: number;
  base: number;
  rawScore: number;
  asOf: string;
  ruleSet: RuleSetRef & { name: Text };
  vetoApplied: { id: string; label: Text } | null;
  contributions: GradeContribution[];
  reversed: { recordId: string; reversedBy: string }[];
  supervision: SupervisionConsequence;
}

/** `GET …/grade?asOf=` adds what the history says was shown that day. */
export interface GradeAsOfView extends GradeView {
  recorded: { grade: Grade; score: number } | null;
}

export type RecordKind = 'event' | 'manual' | 'reversal';
/** `pending` = effective later; `reversal` = the record that reverses another. */
export type RecordStatus = 'active' | 'expired' | 'reversed' | 'pending' | 'reversal';
export const RECORD_STATUSES: readonly RecordStatus[] = [
  'active',
  'expired',
  'reversed',
  'pending',
  'reversal',
];

export interface EvidenceRef {
  id: string;
  filename: string;
  size: number;
  mime: string;
}

export interface RecordReply {
  text: string;
  postedOn: string;
}

export interface RecordView {
  id: string;
  seq: number;
  kind: RecordKind;
  eventType: string;
  eventLabel: Text;
  ruleId: string;
  ruleLabel: Text;
  ruleSet: RuleSetRef;
  points: number;
  occurredOn: string;
  effectiveOn: string;
  expiresOn: string;
  severity: Severity;
  publishable: boolean;
  status: RecordStatus;
  reversesId: string | null;
  reversedBy: string | null;
  /** One line in Chinese, e.g. "行政处罚: 罚款 (东市监罚〔2025〕12号)". */
  summary: string;
  /** The same line in both languages (servers that send it; the web prefers it). */
  summaryText?: Text;
  /** Where the fact came from (the producing system or the bureau, and its reference). */
  source?: Text;
  /** The type's fields (decisionNo, penaltyType, court, caseNo…). */
  details: Record<string, string | number>;
  evidence: EvidenceRef[];
  recordedAt: string;
  /** Actor label. */
  recordedBy: string;
  /** Latest objection on this record. */
  objection: { id: string; state: ObjectionState } | null;
  /** Current right of reply. */
  reply: RecordReply | null;
}

export interface CreditGradeHistoryEntry {
  validFrom: string;
  grade: Grade;
  score: number;
  ruleSetId: string;
  ruleSetVersion: number;
}

export interface CreditEnterprise {
  id: string;
  uscc: string;
  name: string;
  townCode: string;
  townName: string;
  industryCode: string | null;
}

/** `GET /api/v1/credit/mine`: the enterprise of the signed-in enterprise user. */
export interface MyEnterprise {
  uscc: string;
  name: string;
}

export interface CreditArchive {
  enterprise: CreditEnterprise;
  grade: GradeView;
  history: CreditGradeHistoryEntry[];
  flags: { blacklisted: boolean; abnormalOperations: boolean };
  pendingObjections: number;
}

export type RecordFieldKind = 'text' | 'select' | 'integer';

export interface RecordTypeField {
  name: string;
  label: Text;
  kind: RecordFieldKind;
  required: boolean;
  options?: { value: string; label: Text }[];
  /** Bounds of an integer field (sent by the server, not in the written contract). */
  min?: number;
  max?: number;
}

export interface RecordType {
  type: string;
  label: Text;
  fields: RecordTypeField[];
}

export interface NewRecordInput {
  type: string;
  occurredOn: string;
  details: Record<string, string | number>;
  note?: string;
  evidenceIds?: string[];
}

export interface RecordAndGrade {
  record: RecordView;
  grade: GradeView;
}

export interface UploadedEvidence extends EvidenceRef {
  sha256: string;
}

// ---------------------------------------------------------------------------------------------
// Objections

export type ObjectionState = 'submitted' | 'underReview' | 'upheld' | 'rejected' | 'withdrawn';
export const OBJECTION_STATES: readonly ObjectionState[] = [
  'submitted',
  'underReview',
  'upheld',
  'rejected',
  'withdrawn',
];
export type ObjectionAction = 'startReview' | 'uphold' | 'reject' | 'withdraw';

export interface ObjectionView {
  id: string;
  enterprise: { uscc: string; name: string };
  recordId: string;
  /** Chinese text, or both languages from servers that send them. */
  recordSummary: string | Text;
  grounds: string;
  state: ObjectionState;
  stateLabel: Text;
  submittedOn: string;
  reviewStartedOn: string | null;
  reviewDeadline: string | null;
  decidedOn: string | null;
  reasons: string | null;
  overdue: boolean;
  /** Files the enterprise attached to the objection (download: {@link creditUrls.evidence}). */
  evidence: EvidenceRef[];
  /** For this viewer, now. */
  allowedActions: ObjectionAction[];
}

// ---------------------------------------------------------------------------------------------
// Blacklist (严重违法失信名单)

export type BlacklistState =
  | 'candidate'
  | 'notified'
  | 'listed'
  | 'published'
  | 'removedEarly'
  | 'expired'
  | 'withdrawn';
export const BLACKLIST_STATES: readonly BlacklistState[] = [
  'candidate',
  'notified',
  'listed',
  'published',
  'removedEarly',
  'expired',
  'withdrawn',
];
export type BlacklistActionType =
  | 'notify'
  | 'list'
  | 'publish'
  | 'applyRemoval'
  | 'decideRemoval'
  | 'expire'
  | 'withdraw';
export type RemovalOutcome = 'pending' | 'approved' | 'rejected' | 'lapsed';

export interface RemovalConditions {
  obligationsFulfilled: boolean;
  harmRemoved: boolean;
  noNewHeavierPenalty: boolean;
  pledgeSigned: boolean;
  evidenceSubmitted: boolean;
}
export const REMOVAL_CONDITIONS: readonly (keyof RemovalConditions)[] = [
  'obligationsFulfilled',
  'harmRemoved',
  'noNewHeavierPenalty',
  'pledgeSigned',
  'evidenceSubmitted',
];

/** A removal application as it stands on an entry: the current one, or an earlier one that was decided. */
export interface RemovalApplication {
  appliedOn: string;
  decideBy: string;
  outcome: RemovalOutcome;
  decidedOn: string | null;
  reasons: string | null;
}

/** An earlier removal application of the same entry, kept when a new one is made. */
export type PastRemovalApplication = Pick<
  RemovalApplication,
  'appliedOn' | 'outcome' | 'decidedOn' | 'reasons'
>;

export interface PenaltyDecision {
  decisionNo: string;
  decidedOn: string;
  restrictionEndsOn: string | null;
}

export interface BlacklistView {
  id: string;
  enterprise: { uscc: string; name: string; townName: string };
  state: BlacklistState;
  stateLabel: Text;
  penalty: PenaltyDecision;
  notifiedOn: string | null;
  statementDeadline: string | null;
  listedOn: string | null;
  publishBy: string | null;
  publishedOn: string | null;
  expiresOn: string | null;
  earliestRemovalOn: string | null;
  endedOn: string | null;
  /** Whether the enterprise's statement was heard before listing (false until listed). */
  statementHeard: boolean;
  /** The document that revoked the penalty, when the listing was withdrawn for it. */
  penaltyRevokedBy: string | null;
  /** Earlier removal applications of this entry, oldest first. */
  pastRemovalApplications: PastRemovalApplication[];
  removalApplication: RemovalApplication | null;
  overdue: { deadline: 'publishBy' | 'removalDecideBy'; due: string }[];
  nextDeadline: { name: string; label: Text; due: string } | null;
  /**
   * For this viewer, now: besides the state machine, `applyRemoval` only from `earliestRemovalOn`
   * and `expire` only from `expiresOn`.
   */
  allowedActions: BlacklistActionType[];
}

export type BlacklistAction =
  | { type: 'notify' }
  | { type: 'list'; statementHeard: boolean }
  | { type: 'publish' }
  | { type: 'applyRemoval'; conditions: RemovalConditions; evidenceIds: string[] }
  | { type: 'decideRemoval'; approved: boolean; reasons: string }
  | { type: 'expire' }
  | { type: 'withdraw'; penaltyRevokedBy: string };

export interface NewBlacklistInput {
  uscc: string;
  penalty: { decisionNo: string; decidedOn: string; restrictionEndsOn?: string | null };
}

// ---------------------------------------------------------------------------------------------
// Rule sets and sandbox

export interface RuleValidity {
  years?: number;
  months?: number;
  days?: number;
}

export interface CreditRule {
  id: string;
  eventType: string;
  match?: Record<string, string | number | boolean>;
  points: number;
  validity: RuleValidity;
  severity: Severity;
  publishable: boolean;
  label: Text;
  source: string;
}

export type VetoFlag = 'blacklisted' | 'abnormalOperations';

export interface RuleSetVeto {
  id: string;
  when: { flag: VetoFlag };
  cap: string;
  label: Text;
}

/** The JSON of data/credit/ruleset-2024.json. */
export interface RuleSet {
  id: string;
  version: number;
  name: Text;
  effectiveFrom: string;
  base: number;
  bounds: { min: number; max: number };
  grades: { grade: Grade; minScore: number; label: Text }[];
  vetoes: RuleSetVeto[];
  rules: CreditRule[];
  supervision: Record<Grade, SupervisionConsequence>;
  notes?: string;
}

export type RuleSetStatus = 'draft' | 'published';

export interface RuleSetMeta {
  id: string;
  version: number;
  status: RuleSetStatus;
  effectiveFrom: string;
  name: Text;
  createdAt: string;
  createdBy: string;
  publishedAt: string | null;
  inForce: boolean;
  /** Today: 现行, 将于 effectiveFrom 生效 (scheduled), 已被取代 (superseded), or a draft. */
  standing: 'draft' | 'inForce' | 'scheduled' | 'superseded';
}

export interface RuleSetDetail extends RuleSetMeta {
  body: RuleSet;
}

export interface RuleSetValidationError {
  path: string;
  message: Text;
}

export interface RuleSetValidation {
  ok: boolean;
  errors: RuleSetValidationError[];
}

export interface SandboxGroupRow {
  code: string;
  name: string;
  total: number;
  up: number;
  down: number;
}

export interface SandboxMover {
  uscc: string;
  name: string;
  townName: string;
  from: Grade;
  to: Grade;
  scoreFrom: number;
  scoreTo: number;
  reasons: { rule: string; label: Text; pointsFrom: number; pointsTo: number }[];
}

export interface SandboxResult {
  asOf: string;
  baseline: RuleSetRef;
  draft: RuleSetRef;
  total: number;
  elapsedMs: number;
  /** matrix[from][to] */
  matrix: Record<Grade, Record<Grade, number>>;
  byTown: SandboxGroupRow[];
  byIndustry: SandboxGroupRow[];
  /** First 200 movers. */
  movers: SandboxMover[];
}

// ---------------------------------------------------------------------------------------------
// Statistics and supervision

export type GradeCounts = Record<Grade, number>;

export interface CreditStats {
  asOf: string;
  total: number;
  byGrade: GradeCounts;
  byTown: ({ code: string; name: string } & GradeCounts)[];
  byIndustry: ({ code: string; name: string } & GradeCounts)[];
  blacklist: Record<BlacklistState, number>;
  objections: { pending: number; overdue: number };
}

export interface SupervisionPolicy {
  ruleSet: RuleSetRef;
  grades: Record<Grade, SupervisionConsequence & { label: Text }>;
}

export interface SupervisionDrawItem {
  uscc: string;
  name: string;
  grade: Grade;
}

export type SupervisionPurpose = 'sampling' | 'onSite';

export interface SupervisionDraw {
  ruleSet: RuleSetRef;
  purpose: SupervisionPurpose;
  seed: number;
  /** Per grade: operating enterprises of that grade, how many were drawn, at which ratio (0 = not drawn). */
  counts: Record<Grade, { population: number; drawn: number; ratio: number }>;
  items: SupervisionDrawItem[];
}

// ---------------------------------------------------------------------------------------------
// Public (no login)

export interface PublicCreditRecord {
  id: string;
  eventLabel: Text;
  ruleLabel: Text;
  occurredOn: string;
  expiresOn: string;
  severity: Severity;
  summary: string;
  pendingObjection: boolean;
  reply: RecordReply | null;
}

export interface PublicCredit {
  uscc: string;
  name: string;
  lastUpdated: string;
  goodCredit: { years: 3 | 5 | 10; label: Text } | null;
  records: PublicCreditRecord[];
  blacklist: { listedOn: string; publishedOn: string; expiresOn: string; decisionNo: string } | null;
  /** Only when the rule set publishes grades. */
  grade?: { grade: Grade; gradeLabel: Text };
}

export interface PublicBlacklistItem {
  id: string;
  uscc: string;
  name: string;
  townName: string;
  listedOn: string;
  publishedOn: string;
  expiresOn: string;
  decisionNo: string;
}

export interface PublicBlacklistPage {
  items: PublicBlacklistItem[];
  nextCursor: string | null;
}

export interface PublicReportCheck {
  valid: true;
  uscc: string;
  name: string;
  issuedAt: string;
  asOf: string;
}

// ---------------------------------------------------------------------------------------------
// Helpers

const BASE = '/api/v1/credit';
const enc = encodeURIComponent;

interface Items<T> {
  items: T[];
}

export const creditUrls = {
  reportPdf: (uscc: string) => `${BASE}/enterprises/${enc(uscc)}/report.pdf`,
  evidence: (id: string) => `${BASE}/evidence/${enc(id)}`,
  publicRecordsJson: '/api/v1/public/credit-records.json',
  publicRecordsCsv: '/api/v1/public/credit-records.csv',
};

export const creditApi = {
  // enterprise archive
  /** The signed-in enterprise user's own enterprise (credit.object). */
  mine: (signal?: AbortSignal) => api.get<MyEnterprise>(`${BASE}/mine`, undefined, signal),
  archive: (uscc: string, signal?: AbortSignal) =>
    api.get<CreditArchive>(`${BASE}/enterprises/${enc(uscc)}`, undefined, signal),
  gradeAsOf: (uscc: string, asOf?: string, signal?: AbortSignal) =>
    api.get<GradeAsOfView>(`${BASE}/enterprises/${enc(uscc)}/grade`, { asOf }, signal),
  records: (uscc: string, signal?: AbortSignal) =>
    api.get<Items<RecordView>>(`${BASE}/enterprises/${enc(uscc)}/records`, undefined, signal),
  recordTypes: (signal?: AbortSignal) =>
    api.get<Items<RecordType>>(`${BASE}/record-types`, undefined, signal),
  addRecord: (uscc: string, input: NewRecordInput) =>
    api.post<RecordAndGrade>(`${BASE}/enterprises/${enc(uscc)}/records`, input),
  reverseRecord: (recordId: string, reasons: string) =>
    api.post<RecordAndGrade>(`${BASE}/records/${enc(recordId)}/reversal`, { reasons }),
  uploadEvidence: (file: File | Blob, filename?: string) => {
    const fd = new FormData();
    if (filename) fd.append('file', file, filename);
    else fd.append('file', file);
    return api.post<UploadedEvidence>(`${BASE}/evidence`, fd);
  },

  // objections and replies
  objectToRecord: (recordId: string, grounds: string, evidenceIds?: string[]) =>
    api.post<ObjectionView>(`${BASE}/records/${enc(recordId)}/objections`, { grounds, evidenceIds }),
  objections: (query: { state?: ObjectionState; uscc?: string } = {}, signal?: AbortSignal) =>
    api.get<Items<ObjectionView>>(`${BASE}/objections`, query, signal),
  objectionAction: (id: string, type: ObjectionAction, reasons?: string) =>
    api.post<ObjectionView>(`${BASE}/objections/${enc(id)}/actions`, { type, reasons }),
  reply: (recordId: string, text: string) =>
    request<RecordReply>(`${BASE}/records/${enc(recordId)}/reply`, { method: 'PUT', body: { text } }),

  // blacklist
  blacklist: (query: { state?: BlacklistState; q?: string } = {}, signal?: AbortSignal) =>
    api.get<Items<BlacklistView>>(`${BASE}/blacklist`, query, signal),
  proposeBlacklist: (input: NewBlacklistInput) => api.post<BlacklistView>(`${BASE}/blacklist`, input),
  blacklistAction: (id: string, action: BlacklistAction) =>
    api.post<BlacklistView>(`${BASE}/blacklist/${enc(id)}/actions`, action),

  // rule sets and sandbox
  ruleSets: (signal?: AbortSignal) => api.get<Items<RuleSetMeta>>(`${BASE}/rule-sets`, undefined, signal),
  ruleSet: (id: string, version: number, signal?: AbortSignal) =>
    api.get<RuleSetDetail>(`${BASE}/rule-sets/${enc(id)}/${version}`, undefined, signal),
  validateRuleSet: (body: unknown) => api.post<RuleSetValidation>(`${BASE}/rule-sets/validate`, { body }),
  createRuleSet: (body: unknown) => api.post<RuleSetMeta>(`${BASE}/rule-sets`, { body }),
  saveRuleSet: (id: string, version: number, body: unknown) =>
    request<RuleSetMeta>(`${BASE}/rule-sets/${enc(id)}/${version}`, { method: 'PUT', body: { body } }),
  publishRuleSet: (id: string, version: number) =>
    api.post<RuleSetMeta>(`${BASE}/rule-sets/${enc(id)}/${version}/publish`),
  sandbox: (id: string, version: number, asOf?: string) =>
    api.post<SandboxResult>(`${BASE}/rule-sets/${enc(id)}/${version}/sandbox`, asOf ? { asOf } : {}),

  // statistics and supervision
  stats: (signal?: AbortSignal) => api.get<CreditStats>(`${BASE}/stats`, undefined, signal),
  supervisionPolicy: (signal?: AbortSignal) =>
    api.get<SupervisionPolicy>(`${BASE}/supervision/policy`, undefined, signal),
  supervisionDraw: (
    query: { purpose?: SupervisionPurpose; townCode?: string; industry?: string; seed?: number } = {},
    signal?: AbortSignal,
  ) => api.get<SupervisionDraw>(`${BASE}/supervision/draw`, query, signal),

  // public
  publicCredit: (uscc: string, signal?: AbortSignal) =>
    api.get<PublicCredit>(`/api/v1/public/credit/${enc(uscc)}`, undefined, signal),
  publicBlacklist: (query: { q?: string; cursor?: string } = {}, signal?: AbortSignal) =>
    api.get<PublicBlacklistPage>('/api/v1/public/blacklist', query, signal),
  publicReport: (id: string, signal?: AbortSignal) =>
    api.get<PublicReportCheck>(`/api/v1/public/credit-reports/${enc(id)}`, undefined, signal),
};

/** Colours of the grade letters: A green, B blue, C orange, D red. */
export const GRADE_COLORS: Record<Grade, string> = {
  A: '#389e0d',
  B: '#1677ff',
  C: '#fa8c16',
  D: '#cf1322',
};

/** antd Tag preset colours matching {@link GRADE_COLORS}. */
export const GRADE_TAG_COLORS: Record<Grade, string> = {
  A: 'green',
  B: 'blue',
  C: 'orange',
  D: 'red',
};
