// The Kysely type of the whole database: one interface per table, in the order the migrations
// create them. Portable types only (see docs/ARCHITECTURE.md "One schema, two databases"):
// ids are UUIDv7 text, timestamps ISO-8601 UTC text, business dates 'YYYY-MM-DD' text,
// booleans integer 0/1, JSON text (read and written through db/codecs.ts).

export type TownTable = { code: string; name: string; name_en: string; kind: string; sort: number };

export type IndustryTable = {
  code: string;
  level: string;
  section: string;
  name: string;
  name_en: string;
  parent_code: string | null;
};

export type ProductCategoryTable = {
  id: string;
  code: string;
  name: string;
  name_en: string;
  parent_code: string | null;
  industry_code: string | null;
  active: number;
  created_at: string;
  updated_at: string;
};

export type EnterpriseTable = {
  id: string;
  uscc: string;
  name: string;
  legal_representative: string | null;
  registered_address: string | null;
  town_code: string;
  industry_code: string | null;
  registered_on: string | null;
  status: string;
  scale: string | null;
  tags: string; // JSON array, kept in step with enterprise_tags
  created_at: string;
  updated_at: string;
  version: number;
};

export type EnterpriseTagTable = { enterprise_id: string; tag: string };

/** What an enterprise makes: one row per (enterprise, product category code). */
export type EnterpriseProductTable = { enterprise_id: string; category_code: string; created_at: string };

export type EnterpriseProfileTable = {
  id: string;
  enterprise_id: string;
  kind: string;
  details: string; // JSON object
  since: string | null;
  created_at: string;
};

export type EnterpriseContactTable = {
  id: string;
  enterprise_id: string;
  name: string;
  role: string | null;
  phone: string | null;
  email: string | null;
  resident_id: string | null;
  created_at: string;
};

export type UserTable = {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  town_code: string | null;
  enterprise_id: string | null;
  active: number;
  failed_logins: number;
  locked_until: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
  /** 1: the password is published or common; the user must change it before anything else. */
  must_change_password: number;
};

/** Sign-in back-off per (username as typed, source address); source '*' is the whole account. */
export type LoginThrottleTable = {
  username: string;
  source: string;
  failures: number;
  blocked_until: string | null;
  last_failure_at: string;
};

export type SessionTable = {
  id: string;
  user_id: string;
  token_hash: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  ip: string | null;
  user_agent: string | null;
};

export type ApiTokenTable = {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
};

export type AuditLogTable = {
  id: string;
  at: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  enterprise_id: string | null;
  before: string | null; // JSON
  after: string | null; // JSON
  request_id: string | null;
};

/** A batch of audit_log rows sealed under an HMAC chain (platform/audit.ts). */
export type AuditSealTable = {
  no: number;
  first_id: string;
  last_id: string;
  rows: number;
  digest: string;
  prev_mac: string;
  sealed_at: string;
  kid: string;
  mac: string;
};

export type OutboxEventTable = {
  id: string;
  type: string;
  occurred_at: string;
  recorded_at: string;
  enterprise_id: string | null;
  aggregate_id: string | null;
  producer: string;
  payload: string; // JSON
};

export type EventDeliveryTable = { event_id: string; handler: string; processed_at: string };

export type JobRunTable = {
  job: string;
  period_key: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  detail: string | null;
};

// ---- quality credit (src/modules/credit/migrations.ts) ----

export type CreditRuleSetTable = {
  id: string;
  version: number;
  status: string; // draft | published
  effective_from: string;
  body: string; // JSON RuleSet
  created_at: string;
  created_by: string;
  updated_at: string;
  published_at: string | null;
  published_by: string | null;
};

export type CreditRecordTable = {
  id: string;
  enterprise_id: string;
  seq: number;
  kind: string; // event | manual | reversal
  event_type: string;
  source_event_id: string | null;
  rule_id: string;
  rule_set_id: string;
  rule_set_version: number;
  points: number;
  occurred_on: string;
  effective_on: string;
  expires_on: string;
  severity: string;
  publishable: number;
  reverses_id: string | null;
  summary: string;
  details: string; // JSON object
  evidence: string; // JSON array of credit_evidence ids
  recorded_at: string;
  recorded_by: string;
  prev_hash: string;
  hash: string;
  /** id of the HMAC key that signed `hash`; null: a legacy row hashed without a key (before 0220) */
  kid: string | null;
};

export type CreditChainHeadTable = { enterprise_id: string; seq: number; hash: string };

export type CreditGradeTable = {
  enterprise_id: string;
  grade: string;
  score: number;
  raw_score: number;
  rule_set_id: string;
  rule_set_version: number;
  veto_id: string | null;
  as_of: string;
  computed_at: string;
};

export type CreditGradeHistoryTable = {
  id: string; // UUIDv7: the order of changes
  enterprise_id: string;
  valid_from: string;
  grade: string;
  score: number;
  rule_set_id: string;
  rule_set_version: number;
  recorded_at: string;
};

export type CreditEvidenceTable = {
  id: string;
  enterprise_id: string | null;
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  content: Uint8Array;
  uploaded_by: string;
  uploaded_by_enterprise: string | null;
  uploaded_at: string;
  /** when a record, objection or removal application first used it; null: purged after a day */
  attached_at: string | null;
};

export type CreditBlacklistTable = {
  id: string;
  enterprise_id: string;
  state: string;
  portal_visible: number;
  listed_record_id: string | null;
  body: string; // JSON BlacklistEntry
  created_at: string;
  updated_at: string;
};

export type CreditObjectionTable = {
  id: string;
  enterprise_id: string;
  record_id: string;
  state: string;
  body: string; // JSON Objection
  evidence: string; // JSON array of ids
  reversal_id: string | null;
  created_at: string;
  updated_at: string;
};

export type CreditReplyTable = {
  id: string;
  record_id: string;
  enterprise_id: string;
  text: string;
  posted_on: string;
  replaced_on: string | null;
  posted_at: string;
};

export type CreditReportTable = {
  id: string;
  enterprise_id: string;
  as_of: string;
  grade: string;
  score: number;
  issued_at: string;
  issued_by: string;
  /** the archive state the report was drawn from (credit/report.ts archiveState); null before 0230 */
  archive_state: string | null;
  /** the rendered PDF, served again while the archive state is the same */
  pdf: Uint8Array | null;
};

/** One final supervisory sample outcome (credit/sample-outcomes.ts), keyed by its source event. */
export type CreditSampleOutcomeTable = {
  source_event_id: string; // the sampling.sample.passed / .failed event
  enterprise_id: string;
  sampled_on: string; // the event's business date
  failed: number; // 0 | 1
  sample_no: string | null;
  /** what cancelled a failure: the sampling.sample.overturned event or the reversing credit record */
  reversed_by: string | null;
  reversed_on: string | null;
  recorded_at: string;
};

// --- sampling (src/modules/sampling/migrations.ts)
export type SamplingPlanTable = {
  id: string;
  code: string;
  version: number;
  supersedes_id: string | null;
  year: number;
  title: string;
  kind: string; // routine | special | followUp | emergency
  level: string; // city | provincial | national
  state: string; // draft | published | superseded
  body: string; // JSON PlanBody (sampling/plans.ts)
  created_at: string;
  created_by: string;
  updated_at: string;
  published_at: string | null;
  published_by: string | null;
};

export type SamplingInspectorTable = {
  user_id: string;
  town_code: string | null;
  active: number;
  conflicts: string; // JSON [{enterpriseId, reason}]
  created_at: string;
  updated_at: string;
};

export type SamplingReferralTable = {
  id: string;
  enterprise_id: string;
  category_code: string | null;
  reason: string; // complaint | referral
  reference: string;
  note: string | null;
  created_at: string;
  created_by: string;
  draw_id: string | null;
};

export type SamplingDrawTable = {
  id: string;
  plan_id: string;
  seed: number;
  as_of: string;
  rule_set_id: string;
  rule_set_version: number;
  pool: string; // JSON compact pool snapshot
  record: string; // JSON strata, exclusions, items, inspectors
  drawn_at: string;
  drawn_by: string;
};

export type SamplingTaskTable = {
  id: string;
  task_no: string;
  plan_id: string;
  draw_id: string | null;
  enterprise_id: string;
  category_code: string;
  town_code: string;
  reason: string;
  inspectors: string; // JSON [userId, …]
  state: string; // assigned | sampled | refused | sentToLab | tested | cancelled
  refusal: string | null; // JSON
  year: number;
  created_at: string;
  updated_at: string;
};

export type SamplingSampleTable = {
  id: string;
  sample_no: string;
  task_id: string;
  plan_id: string;
  enterprise_id: string;
  category_code: string;
  town_code: string;
  industry_code: string | null;
  year: number;
  product_name: string;
  trademark: string;
  model: string;
  standard_code: string;
  batch: string;
  production_date: string | null;
  test_units: number;
  backup_units: number;
  place: string; // factory | market
  sampled_on: string;
  grade_when_drawn: string | null;
  details: string; // JSON: seals, confirmation (personal data, never public)
  lab_enterprise_id: string;
  state: string; // sentToLab | reported | final
  verdict: string | null; // pass | fail
  severity: string | null; // minor | major | critical
  reported_on: string | null;
  failed_event_id: string | null;
  created_at: string;
  updated_at: string;
};

export type SamplingResultTable = {
  sample_id: string;
  item_key: string;
  round: string; // original | retest
  measured: string;
  verdict: string; // pass | fail
  item_class: string; // minor | major | critical
  lab_enterprise_id: string;
  entered_at: string;
  entered_by: string;
};

export type SamplingFileTable = {
  id: string;
  task_id: string;
  kind: string; // photo | report | retestReport | refusal | notice
  filename: string;
  mime: string;
  size: number;
  sha256: string;
  content: Uint8Array;
  uploaded_at: string;
  uploaded_by: string;
};

export type SamplingCaseTable = {
  id: string;
  sample_id: string;
  enterprise_id: string;
  town_code: string;
  state: string;
  due_on: string | null;
  body: string; // JSON Case (sampling/postprocess.ts)
  created_at: string;
  updated_at: string;
};

export type Database = {
  towns: TownTable;
  industries: IndustryTable;
  product_categories: ProductCategoryTable;
  enterprises: EnterpriseTable;
  enterprise_tags: EnterpriseTagTable;
  enterprise_products: EnterpriseProductTable;
  enterprise_profiles: EnterpriseProfileTable;
  enterprise_contacts: EnterpriseContactTable;
  users: UserTable;
  login_throttle: LoginThrottleTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  audit_log: AuditLogTable;
  audit_seals: AuditSealTable;
  outbox_events: OutboxEventTable;
  event_deliveries: EventDeliveryTable;
  job_runs: JobRunTable;
  credit_rule_sets: CreditRuleSetTable;
  credit_records: CreditRecordTable;
  credit_chain_heads: CreditChainHeadTable;
  credit_grades: CreditGradeTable;
  credit_grade_history: CreditGradeHistoryTable;
  credit_evidence: CreditEvidenceTable;
  credit_blacklist: CreditBlacklistTable;
  credit_objections: CreditObjectionTable;
  credit_replies: CreditReplyTable;
  credit_reports: CreditReportTable;
  credit_sample_outcomes: CreditSampleOutcomeTable;
  sampling_plans: SamplingPlanTable;
  sampling_inspectors: SamplingInspectorTable;
  sampling_referrals: SamplingReferralTable;
  sampling_draws: SamplingDrawTable;
  sampling_tasks: SamplingTaskTable;
  sampling_samples: SamplingSampleTable;
  sampling_results: SamplingResultTable;
  sampling_files: SamplingFileTable;
  sampling_cases: SamplingCaseTable;
};
