/**
 * Between the editor's form and the rule-set JSON: cleaning what the form holds into a body the
 * server accepts, parsing values typed into a rule's match, and reading validation error paths
 * (JSON pointers such as `/rules/3/points`) as places in the editor.
 */
import type { MatchValue, RuleSet } from './types';

export type EditorTab = 'basic' | 'grades' | 'supervision' | 'rules' | 'json' | 'sandbox';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Drops what the form leaves behind when a box is emptied, so the server sees absent, not null. */
export function cleanBody(raw: RuleSet): RuleSet {
  const body = structuredClone(raw) as RuleSet & Record<string, unknown>;
  if (Array.isArray(body.rules)) {
    body.rules = body.rules.map((rule) => {
      const r = { ...rule };
      if (isPlainObject(r.validity)) {
        const v: Record<string, unknown> = {};
        for (const [k, n] of Object.entries(r.validity))
          if (n !== null && n !== undefined && n !== '') v[k] = n;
        r.validity = v as RuleSet['rules'][number]['validity'];
      }
      if (r.match === null || (isPlainObject(r.match) && Object.keys(r.match).length === 0)) delete r.match;
      return r;
    });
  }
  if (body.notes === '' || body.notes === null) delete body.notes;
  return body;
}

/** The shape the form needs to render at all; everything finer is the server's validation. */
export function hasEditableShape(v: unknown): v is RuleSet {
  if (!isPlainObject(v)) return false;
  return (
    Array.isArray(v.grades) &&
    Array.isArray(v.vetoes) &&
    Array.isArray(v.rules) &&
    isPlainObject(v.supervision) &&
    v.rules.every(isPlainObject) &&
    v.grades.every(isPlainObject) &&
    v.vetoes.every(isPlainObject)
  );
}

/** `3` → 3, `true` → true, anything else stays text (the event payload's own value). */
export function parseMatchValue(text: string): MatchValue {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (s === 'true') return true;
  if (s === 'false') return false;
  return s;
}

export function pathSegments(path: string): (string | number)[] {
  return path
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The tab that shows the place an error path points to. */
export function tabForPath(path: string): EditorTab {
  const first = pathSegments(path)[0];
  if (first === 'rules') return 'rules';
  if (first === 'grades' || first === 'vetoes') return 'grades';
  if (first === 'supervision') return 'supervision';
  return 'basic';
}

/**
 * The form field that should carry an error at `path`: the path itself when it names an input,
 * otherwise the first input of the object it names (`/bounds` → bounds.min). Null when the error
 * belongs to a whole list (`/grades`) and is only shown in the error list.
 */
export function fieldForPath(path: string): (string | number)[] | null {
  const s = pathSegments(path);
  if (s.length === 0) return ['name', 'zh'];
  const [first, second, third] = s;
  switch (first) {
    case 'name':
      return s.length === 1 ? ['name', 'zh'] : s.slice(0, 2);
    case 'bounds':
      return s.length === 1 ? ['bounds', 'min'] : s.slice(0, 2);
    case 'disclosure':
      return ['disclosure', 'publishGrades'];
    case 'effectiveFrom':
    case 'base':
    case 'notes':
      return [first];
    case 'id':
    case 'version':
      return null;
    case 'grades':
    case 'vetoes': {
      if (typeof second !== 'number') return null;
      if (third === undefined) return [first, second, first === 'grades' ? 'minScore' : 'id'];
      if (third === 'label') return [first, second, 'label', s[3] === 'en' ? 'en' : 'zh'];
      if (third === 'when') return [first, second, 'when', 'flag'];
      return [first, second, third];
    }
    case 'supervision': {
      if (typeof second !== 'string') return null;
      return ['supervision', second, typeof third === 'string' ? third : 'drawRatio'];
    }
    case 'rules': {
      if (typeof second !== 'number') return null;
      if (third === undefined) return ['rules', second, 'id'];
      if (third === 'label') return ['rules', second, 'label', s[3] === 'en' ? 'en' : 'zh'];
      if (third === 'validity') return ['rules', second, 'validity', s[3] === 'months' ? 'months' : 'years'];
      if (third === 'match') return ['rules', second, 'match'];
      return ['rules', second, third];
    }
    default:
      return null;
  }
}

/** Pretty JSON for the raw tab. */
export function toJsonText(body: unknown): string {
  return JSON.stringify(body, null, 2);
}
