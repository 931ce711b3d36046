/**
 * Supervisory sampling (监督抽查): the shapes of the sampling HTTP API (/api/v1/sampling, and the
 * public bulletins under /api/v1/public/sampling) and small functions to call it.
 */
import { api, type LocalizedText, type QueryValue, request } from '../api/client';

const BASE = '/api/v1/sampling';
const PUBLIC = '/api/v1/public/sampling';
const enc = encodeURIComponent;

// ---------------------------------------------------------------------------------------------
// Words

export const PLAN_KINDS = ['routine', 'special', 'followUp', 'emergency'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];
export const PLAN_LEVELS = ['city', 'provincial', 'national'] as const;
export type PlanLevel = (typeof PLAN_LEVELS)[number];
export const PLAN_STATES = ['draft', 'published', 'superseded'] as const;
export type PlanState = (typeof PLAN_STATES)[number];
export const ITEM_CLASSES = ['minor', 'major', 'critical'] as const;
export type ItemClass = (typeof ITEM_CLASSES)[number];
export const TASK_STATES = ['assigned', 'sampled', 'refused', 'sentToLab', 'tested', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const SAMPLE_STATES = ['sentToLab', 'reported', 'final'] as const;
export type SampleState = (typeof SAMPLE_STATES)[number];
export type Verdict = 'pass' | 'fail';
export type DrawReason = 'stratum' | 'complaint' | 'referral';
export type Grade = 'A' | 'B' | 'C' | 'D';
export type Place = 'factory' | 'market';

/** A failed item of this class makes the sample fail with this severity; the worst item decides. */
export const CLASS_RANK: Record<ItemClass, number> = { minor: 1, major: 2, critical: 3 };

/** The verdict the server will give: fail if any item fails, severity = the worst failed class. */
export function previewVerdict(items: { class: ItemClass; verdict?: Verdict | null }[]): {
  verdict: Verdict | null;
  severity: ItemClass | null;
} {
  if (items.some((i) => !i.verdict)) {
    const failed = items.filter((i) => i.verdict === 'fail');
    return { verdict: failed.length ? 'fail' : null, severity: worst(failed.map((i) => i.class)) };
  }
  const failed = items.filter((i) => i.verdict === 'fail');
  return { verdict: failed.length ? 'fail' : 'pass', severity: worst(failed.map((i) => i.class)) };
}

function worst(classes: ItemClass[]): ItemClass | null {
  let w: ItemClass | null = null;
  for (const c of classes) if (!w || CLASS_RANK[c] > CLASS_RANK[w]) w = c;
  return w;
}

export interface EnterpriseRef {
  id: string;
  uscc: string;
  name: string;
}
export interface CategoryRef {
  code: string;
  name: string;
}
export interface LabRef {
  id: string;
  uscc: string;
  name: string;
}
export interface PersonRef {
  id: string;
  displayName: string;
}

// ---------------------------------------------------------------------------------------------
// Plans

export interface CheckItem {
  key: string;
  standardCode: string;
  clause: string;
  item: string;
  requirement: string;
  unit: string;
  class: ItemClass;
}

export interface PlanCategory {
  code: string;
  checkItems: CheckItem[];
  testUnits: number;
  backupUnits: number;
  labEnterpriseId: string;
  quota: number;
}

export interface PlanBody {
  legalBasis: string;
  towns: string[];
  townQuotas: Record<string, number>;
  budgetYuan: number;
  categories: PlanCategory[];
  amendmentNote?: string;
}

export interface PlanSummary {
  id: string;
  code: string;
  version: number;
  year: number;
  title: string;
  kind: PlanKind;
  level: PlanLevel;
  state: PlanState;
  categories: number;
  towns: number;
  drawn: boolean;
  publishedAt: string | null;
}

export interface PlanProgress {
  tasks: number;
  /** Tasks still to sample (the server sends this; the contract named `sampled`). */
  assigned?: number;
  sampled?: number;
  refused: number;
  sentToLab: number;
  tested: number;
  passed: number;
  failed: number;
}

export interface PlanDetail {
  id: string;
  code: string;
  version: number;
  supersedesId: string | null;
  year: number;
  title: string;
  kind: PlanKind;
  level: PlanLevel;
  state: PlanState;
  body: PlanBody;
  categoryNames: Record<string, string>;
  labs: Record<string, { uscc: string; name: string }>;
  versions: { id: string; version: number; state: PlanState }[];
  draw: DrawSummary | null;
  progress: PlanProgress;
  publishedAt?: string | null;
}

export interface DrawSummary {
  id?: string;
  seed: number;
  drawnAt?: string;
  asOf?: string;
}

export interface PlanInput {
  code: string;
  year: number;
  title: string;
  kind: PlanKind;
  level: PlanLevel;
  body: PlanBody;
}

// ---------------------------------------------------------------------------------------------
// Draw

export interface Stratum {
  grade: Grade;
  population: number;
  drawn: number;
  ratio: number;
}

export interface DrawResult {
  plan: { id: string; code: string; version: number; title?: string; kind?: PlanKind };
  seed: number;
  asOf: string;
  ruleSet: { id: string; version: number };
  poolSize: number;
  strata: Stratum[];
  excluded: {
    enterpriseId: string;
    uscc: string;
    name: string;
    categoryCode: string;
    reason: string;
    reasonLabel: LocalizedText;
    detail?: string;
  }[];
  items: {
    enterpriseId: string;
    uscc: string;
    name: string;
    grade: Grade;
    townCode: string;
    townName: string;
    categoryCode: string;
    categoryName?: string;
    reason: DrawReason;
    reference?: string | null;
    inspectors?: PersonRef[];
  }[];
  /** Drawn items for which fewer than two inspectors could be found (the draw cannot be confirmed). */
  inspectorShortage?: { enterpriseId: string; categoryCode: string; townCode: string }[];
  capped?: { enterpriseId: string; categoryCode: string; townCode: string }[];
  drawnAt?: string | null;
  drawnBy?: string | null;
}

export interface DrawVerification {
  identical: boolean;
  differences: string[];
}

// ---------------------------------------------------------------------------------------------
// Tasks and samples

export interface TaskSummary {
  id: string;
  taskNo: string;
  plan: { id: string; code: string; title: string };
  enterprise: EnterpriseRef;
  townCode: string;
  townName: string;
  category: CategoryRef;
  state: TaskState;
  reason: string;
  inspectors: PersonRef[];
  sampleNo?: string | null;
  sampleId?: string | null;
}

export interface FileRef {
  id: string;
  kind: string;
  filename: string;
  size: number;
}

export interface Refusal {
  refusedOn: string;
  note: string;
  witnesses: string[];
}

/** A refusal as the task shows it (stored with `on`). */
export interface RefusalRecord {
  on?: string;
  refusedOn?: string;
  note: string;
  witnesses: string[];
}

export interface TaskDetail extends Omit<TaskSummary, 'enterprise'> {
  enterprise: EnterpriseRef & { address: string | null };
  checkItems: CheckItem[];
  testUnits: number;
  backupUnits: number;
  lab: LabRef | null;
  sample: SampleDetail | null;
  refusal: RefusalRecord | null;
  files: FileRef[];
  /** The signed-in user is one of the task's inspectors. */
  youAreInspector?: boolean;
}

export interface SampleInput {
  productName: string;
  trademark: string;
  model: string;
  standardCode: string;
  batch: string;
  productionDate?: string;
  testUnits: number;
  backupUnits: number;
  sealNumbers: string[];
  place: Place;
  sampledOn: string;
  confirmation: { signer: string; title?: string; confirmed: true };
}

export interface ItemResult {
  key: string;
  round: 'original' | 'retest';
  measured: string;
  verdict: Verdict;
  itemClass: ItemClass;
}

export interface CaseRef {
  id: string;
  state: string;
  stateLabel?: LocalizedText;
  dueOn: string | null;
  /** On a sample: the lab the re-test went to, and the disputed items. */
  retestLabId?: string | null;
  objectionItems?: string[];
}

export interface SampleSummary {
  id: string;
  sampleNo: string;
  task?: { id: string; taskNo: string };
  plan?: { id: string; code: string; title: string };
  /** The enterprise's own list names the plan by its title only. */
  planTitle?: string;
  enterprise?: Omit<EnterpriseRef, 'id'> & { id?: string };
  /** A lab's list: the sample is re-tested here (it was first tested elsewhere). */
  retest?: boolean;
  category: CategoryRef;
  productName: string;
  trademark?: string;
  model?: string;
  batch?: string;
  sampledOn: string;
  lab?: LabRef | null;
  state: SampleState;
  verdict: Verdict | null;
  severity: ItemClass | null;
  reportedOn?: string | null;
  case?: CaseRef | null;
}

export interface SampleDetail extends SampleSummary {
  task: { id: string; taskNo: string };
  plan: { id: string; code: string; title: string };
  enterprise: EnterpriseRef;
  townName?: string;
  confirmation?: { signer: string; title?: string } | null;
  standardCode: string;
  productionDate: string | null;
  testUnits: number;
  backupUnits: number;
  place: Place;
  checkItems: CheckItem[];
  results: ItemResult[];
  case: CaseRef | null;
  files: FileRef[];
  sealNumbers?: string[];
}

export interface ResultsInput {
  reportedOn: string;
  items: { key: string; measured: string; verdict: Verdict }[];
}

// ---------------------------------------------------------------------------------------------
// Cases (后处理): the post-processing of a failed sample (src/modules/sampling/postprocess.ts)

export const CASE_ACTIONS = [
  'notify',
  'receive',
  'object',
  'accept',
  'lapse',
  'assignRetest',
  'retestResult',
  'orderCorrection',
  'reinspect',
  'notifyProvince',
  'suspend',
  'revoke',
] as const;
export type CaseActionType = (typeof CASE_ACTIONS)[number];
export const CLOSED_CASE_STATES = ['closedRectified', 'closedOverturned', 'revoked'];

export interface CaseDocument {
  title: string;
  number?: string | null;
  fileId?: string | null;
}

export interface CaseStep {
  seq: number;
  action: CaseActionType | 'open';
  actionLabel?: LocalizedText;
  from: string | null;
  to: string;
  on: string;
  recordedOn?: string;
  /** Officials see who took a step; the enterprise sees only the kind of actor. */
  actor: { kind: 'official' | 'enterprise' | 'lab' | 'system'; label: string | null };
  notes: string | null;
  documents: CaseDocument[];
  details: Record<string, unknown>;
}

export interface CaseDue {
  name: string;
  kind: 'deadline' | 'earliest';
  on: string;
  from: string;
  days: number;
  rolled: boolean;
  party?: 'enterprise' | 'bureau';
}

export interface CaseSummary {
  id: string;
  sampleId: string;
  sampleNo: string;
  enterprise: EnterpriseRef;
  townCode: string;
  productName: string;
  categoryCode: string;
  state: string;
  stateLabel?: LocalizedText;
  rev: number;
  failedOn: string;
  lastStepOn?: string;
  dueOn: string | null;
  earliestOn: string | null;
  overdue: boolean;
  dues: CaseDue[];
  outcome: string | null;
  closedOn: string | null;
}

export interface CaseDetail extends CaseSummary {
  failedItems: string[];
  originalLabEnterpriseId: string;
  notice: { sentOn: string | null; receivedOn: string | null };
  objection: { on: string; items: string[]; grounds: string } | null;
  retest: {
    labEnterpriseId: string;
    assignedOn: string;
    resultOn: string | null;
    upheld: boolean | null;
  } | null;
  history: CaseStep[];
  allowedActions: CaseActionType[];
}

// ---------------------------------------------------------------------------------------------
// Statistics

export interface Rate {
  samples: number;
  passed: number;
  failed: number;
  rate: number | null;
}
export interface NamedRef {
  code: string;
  name: string;
  nameEn: string;
}
export interface TrendPoint {
  year: number;
  samples: number;
  rate: number | null;
}

export interface SamplingStats {
  asOf: string;
  from: number;
  to: number;
  years: number[];
  town: NamedRef | null;
  category: NamedRef | null;
  total: Rate;
  byYear: (Rate & { year: number })[];
  byTown: (NamedRef & Rate & { trend: TrendPoint[] })[];
  byCategory: (NamedRef & Rate & { trend: TrendPoint[] })[];
  byIndustry: (Rate & {
    section: string | null;
    name: string;
    nameEn: string;
    divisions: (NamedRef & Rate)[];
  })[];
  indicator: {
    section: string;
    name: string;
    nameEn: string;
    threshold: number;
    years: { year: number; samples: number; passed: number; rate: number | null; met: boolean }[];
    met: boolean;
  };
  gradeShare: {
    year: number;
    samples: number;
    grades: {
      grade: string | null;
      samples: number;
      share: number | null;
      passed: number;
      rate: number | null;
    }[];
  }[];
}

export interface StatsQuery {
  from?: number;
  to?: number;
  town?: string;
  category?: string;
}

// ---------------------------------------------------------------------------------------------
// Public

export interface BulletinSummary {
  planId: string;
  code: string;
  title: string;
  year: number;
  publishedOn: string | null;
  samples: number;
  failed: number;
}

export interface BulletinRow {
  sampleNo: string;
  product: string;
  producer: { name: string; uscc: string };
  trademark: string;
  model: string;
  batch: string;
  verdict: Verdict;
  failedItems: string[];
}

export interface Bulletin {
  plan: { code: string; title: string; year: number; kind: PlanKind };
  publishedOn: string | null;
  rows: BulletinRow[];
}

// ---------------------------------------------------------------------------------------------
// Calls

interface Items<T> {
  items: T[];
}

const put = <T>(path: string, body: unknown) => request<T>(path, { method: 'PUT', body });
const upload = <T>(path: string, file: File) => {
  const form = new FormData();
  form.append('file', file);
  return api.post<T>(path, form);
};

export const samplingApi = {
  plans: (q: { year?: number; state?: string }, signal?: AbortSignal) =>
    api.get<Items<PlanSummary>>(`${BASE}/plans`, q as Record<string, QueryValue>, signal),
  plan: (id: string, signal?: AbortSignal) =>
    api.get<PlanDetail>(`${BASE}/plans/${enc(id)}`, undefined, signal),
  createPlan: (input: PlanInput) => api.post<PlanDetail>(`${BASE}/plans`, input),
  updatePlan: (id: string, input: Omit<PlanInput, 'code' | 'year'> & { year?: number }) =>
    put<PlanDetail>(`${BASE}/plans/${enc(id)}`, input),
  publishPlan: (id: string) => api.post<PlanDetail>(`${BASE}/plans/${enc(id)}/publish`),
  amendPlan: (id: string, amendmentNote: string) =>
    api.post<PlanDetail>(`${BASE}/plans/${enc(id)}/amend`, { amendmentNote }),
  deletePlan: (id: string) => api.delete<void>(`${BASE}/plans/${enc(id)}`),
  labs: (signal?: AbortSignal) => api.get<Items<LabRef>>(`${BASE}/labs`, undefined, signal),

  drawPreview: (id: string, seed: number, signal?: AbortSignal) =>
    api.get<DrawResult>(`${BASE}/plans/${enc(id)}/draw/preview`, { seed }, signal),
  draw: (id: string, seed: number) => api.post<DrawResult>(`${BASE}/plans/${enc(id)}/draw`, { seed }),
  storedDraw: (id: string, signal?: AbortSignal) =>
    api.get<DrawResult>(`${BASE}/plans/${enc(id)}/draw`, undefined, signal),
  verifyDraw: (id: string) => api.post<DrawVerification>(`${BASE}/plans/${enc(id)}/draw/verify`),

  tasks: (
    q: { mine?: boolean; state?: string; planId?: string; page?: number; pageSize?: number },
    signal?: AbortSignal,
  ) =>
    api.get<Items<TaskSummary> & { total: number }>(`${BASE}/tasks`, q as Record<string, QueryValue>, signal),
  task: (id: string, signal?: AbortSignal) =>
    api.get<TaskDetail>(`${BASE}/tasks/${enc(id)}`, undefined, signal),
  recordSample: (id: string, input: SampleInput) =>
    api.post<SampleDetail>(`${BASE}/tasks/${enc(id)}/sample`, input),
  recordRefusal: (id: string, input: Refusal) =>
    api.post<TaskDetail>(`${BASE}/tasks/${enc(id)}/refusal`, input),
  uploadPhoto: (id: string, file: File) => upload<FileRef>(`${BASE}/tasks/${enc(id)}/photos`, file),
  fileUrl: (id: string) => `${BASE}/files/${enc(id)}`,

  labSamples: (state: SampleState | undefined, signal?: AbortSignal) =>
    api.get<Items<SampleSummary>>(`${BASE}/lab/samples`, { state }, signal),
  sample: (id: string, signal?: AbortSignal) =>
    api.get<SampleDetail>(`${BASE}/samples/${enc(id)}`, undefined, signal),
  enterResults: (id: string, input: ResultsInput) =>
    api.post<SampleDetail>(`${BASE}/samples/${enc(id)}/results`, input),
  uploadReport: (id: string, file: File) => upload<{ id: string }>(`${BASE}/samples/${enc(id)}/report`, file),
  enterRetest: (id: string, input: ResultsInput) =>
    api.post<SampleDetail>(`${BASE}/samples/${enc(id)}/retest-results`, input),

  /** `state`: one state, or 'open' / 'closed'; by due date, overdue marked. */
  cases: (q: { state?: string; overdue?: boolean }, signal?: AbortSignal) =>
    api.get<Items<CaseSummary>>(`${BASE}/cases`, q, signal),
  case: (id: string, signal?: AbortSignal) =>
    api.get<CaseDetail>(`${BASE}/cases/${enc(id)}`, undefined, signal),
  caseAction: (id: string, body: { type: CaseActionType } & Record<string, unknown>) =>
    api.post<CaseDetail>(`${BASE}/cases/${enc(id)}/actions`, body),
  object: (id: string, body: { items: string[]; grounds: string; rev?: number }) =>
    api.post<CaseDetail>(`${BASE}/cases/${enc(id)}/objection`, body),
  accept: (id: string, rev?: number) =>
    api.post<CaseDetail>(`${BASE}/cases/${enc(id)}/accept`, rev ? { rev } : {}),

  mine: (signal?: AbortSignal) => api.get<Items<SampleSummary>>(`${BASE}/mine/samples`, undefined, signal),

  stats: (q: StatsQuery, signal?: AbortSignal) =>
    api.get<SamplingStats>(`${BASE}/stats`, q as Record<string, QueryValue>, signal),
  statsXlsxUrl: (q: StatsQuery) => {
    const usp = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') usp.set(k, String(v));
    const s = usp.toString();
    return `${BASE}/stats.xlsx${s ? `?${s}` : ''}`;
  },

  bulletins: (signal?: AbortSignal) =>
    api.get<Items<BulletinSummary>>(`${PUBLIC}/bulletins`, undefined, signal),
  bulletin: (planId: string, signal?: AbortSignal) =>
    api.get<Bulletin>(`${PUBLIC}/bulletins/${enc(planId)}`, undefined, signal),
};

/** Query keys: everything under ['sampling'] is dropped together after a write. */
export const samplingKeys = {
  all: ['sampling'] as const,
  plans: (q: object) => ['sampling', 'plans', q] as const,
  plan: (id: string) => ['sampling', 'plan', id] as const,
  labs: ['sampling', 'labs'] as const,
  preview: (id: string, seed: number) => ['sampling', 'draw-preview', id, seed] as const,
  draw: (id: string) => ['sampling', 'draw', id] as const,
  tasks: (q: object) => ['sampling', 'tasks', q] as const,
  task: (id: string) => ['sampling', 'task', id] as const,
  lab: (state?: string) => ['sampling', 'lab', state ?? ''] as const,
  sample: (id: string) => ['sampling', 'sample', id] as const,
  cases: (q: object) => ['sampling', 'cases', q] as const,
  case: (id: string) => ['sampling', 'case', id] as const,
  mine: ['sampling', 'mine'] as const,
  stats: (q: object) => ['sampling', 'stats', q] as const,
  bulletins: ['public', 'sampling', 'bulletins'] as const,
  bulletin: (id: string) => ['public', 'sampling', 'bulletin', id] as const,
};
