/**
 * The rule-set editor's view of the credit types: the shared shapes from api/credit.ts under the
 * names the editor uses, plus the few the editor alone needs.
 */
import type {
  RuleSet as ApiRuleSet,
  SandboxResult as ApiSandboxResult,
  CreditRule,
  Grade,
  OnSiteCheck,
  RuleSetValidationError,
  SandboxGroupRow,
  VetoFlag,
} from '../api/credit';

export {
  GRADE_TAG_COLORS as GRADE_COLORS,
  GRADES,
  type Grade,
  type RuleSetDetail,
  type RuleSetMeta,
  type RuleSetValidation,
  type SandboxMover,
  SEVERITIES,
} from '../api/credit';

export type Rule = CreditRule;
export type RuleSetError = RuleSetValidationError;
export type SandboxCount = SandboxGroupRow;
export type MatchValue = string | number | boolean;

/** The rule-set JSON, with the optional disclosure policy (grades published on the portal or not). */
export type RuleSet = ApiRuleSet & { disclosure?: { publishGrades: boolean } };

/** The server also sends `moved`, the number of enterprises that change grade (movers lists 200). */
export type SandboxResult = ApiSandboxResult & { moved?: number };

export const VETO_FLAGS: readonly VetoFlag[] = ['blacklisted', 'abnormalOperations'];
export const ON_SITE_CHECKS: readonly OnSiteCheck[] = ['complaintOnly', 'random'];

/** A is best: moving to a grade earlier in the list is an upgrade. */
export function gradeDirection(from: Grade, to: Grade): 'up' | 'down' | 'same' {
  const order = ['A', 'B', 'C', 'D'];
  const a = order.indexOf(from);
  const b = order.indexOf(to);
  return b < a ? 'up' : b > a ? 'down' : 'same';
}

export const RULE_SETS_KEY = ['credit', 'rule-sets'] as const;
