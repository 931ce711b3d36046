// The words of the sampling module (监督抽查), shared by its services, routes, seed and web types.
// Glossary: plan 抽查计划, draw 双随机抽取, task 抽样任务, sample 样品, check item 检验项目,
// result 检验结果, re-test 复检, case 后处理案件, bulletin 抽查结果公告.

export const PLAN_KINDS = ['routine', 'special', 'followUp', 'emergency'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];
/** followUp (跟踪抽查) and emergency (应急抽查) are exempt from the 6-month rule. */
export const SIX_MONTH_EXEMPT: readonly PlanKind[] = ['followUp', 'emergency'];

export const PLAN_LEVELS = ['city', 'provincial', 'national'] as const;
export type PlanLevel = (typeof PLAN_LEVELS)[number];

export const PLAN_STATES = ['draft', 'published', 'superseded'] as const;
export type PlanState = (typeof PLAN_STATES)[number];

export const ITEM_CLASSES = ['minor', 'major', 'critical'] as const;
/** 检验项目分类: 一般 / 重要 / 关键 (critical: safety, health). */
export type ItemClass = (typeof ITEM_CLASSES)[number];

export type CheckItem = {
  /** stable within the plan category, e.g. "i1" */
  key: string;
  standardCode: string; // e.g. GB 4706.1-2005
  clause: string; // e.g. 8.1
  item: string; // 检验项目, e.g. 对触及带电部件的防护
  requirement: string; // limit or requirement, e.g. "≤ 0.75 mA" or "应符合标准要求"
  unit: string; // may be ''
  class: ItemClass;
};

export type PlanCategory = {
  /** product-category code from the registry catalogue */
  code: string;
  checkItems: CheckItem[];
  testUnits: number; // 检验样品数
  backupUnits: number; // 备用样品数
  /** the testing lab: an enterprise with a lab profile */
  labEnterpriseId: string;
  /** how many enterprises to sample in this category at most (0: as the grade ratios give) */
  quota: number;
};

export type PlanBody = {
  legalBasis: string;
  /** town codes the plan covers; empty: the whole city */
  towns: string[];
  /** upper bounds of tasks per town; a town not named has no cap */
  townQuotas: Record<string, number>;
  budgetYuan: number;
  categories: PlanCategory[];
  /** why this version replaces the one before (amendments only) */
  amendmentNote?: string;
};

export const TASK_STATES = ['assigned', 'sampled', 'refused', 'sentToLab', 'tested', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const SAMPLE_STATES = ['sentToLab', 'reported', 'final'] as const;
export type SampleState = (typeof SAMPLE_STATES)[number];

/** A failed item of this class makes the sample fail with this severity; the worst item decides. */
export const CLASS_RANK: Record<ItemClass, number> = { minor: 1, major: 2, critical: 3 };
export function worstClass(classes: readonly ItemClass[]): ItemClass | null {
  let worst: ItemClass | null = null;
  for (const c of classes) if (!worst || CLASS_RANK[c] > CLASS_RANK[worst]) worst = c;
  return worst;
}
/** The credit catalogue's severity words (sampling.sample.failed payload) for an item class. */
export const CREDIT_SEVERITY: Record<ItemClass, 'general' | 'serious' | 'critical'> = {
  minor: 'general',
  major: 'serious',
  critical: 'critical',
};

export const DRAW_REASONS = ['stratum', 'complaint', 'referral'] as const;
export type DrawReason = (typeof DRAW_REASONS)[number];

export const EXCLUSION_REASONS = ['sampledWithin6Months', 'notOperating', 'higherLevelPlan'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export const EXCLUSION_LABELS: Record<ExclusionReason, { zh: string; en: string }> = {
  sampledWithin6Months: {
    zh: '同一产品6个月内已被本局抽查',
    en: 'The same product was sampled by this bureau within 6 months',
  },
  notOperating: { zh: '企业非存续经营状态', en: 'The enterprise is not operating' },
  higherLevelPlan: {
    zh: '本年度上级抽查计划已抽查同类产品',
    en: 'A higher-level plan samples the same category this year',
  },
};
