// The changes between two versions of a credit rule set, in the words a regulator reads: each
// change names what it touches (a grade, the score bounds, a rule, a veto, a grade's supervision)
// and gives the value before and after as bilingual text. Pure: no database, no clock.
import type { Message } from '../../core/errors.js';
import { GRADES, type Rule, type RuleSet, type Supervision, type Validity } from './rules.js';

export type RuleSetChangeArea =
  | 'general'
  | 'bounds'
  | 'grade'
  | 'veto'
  | 'rule'
  | 'supervision'
  | 'disclosure';

export type RuleSetChange = {
  kind: 'added' | 'removed' | 'changed';
  area: RuleSetChangeArea;
  /** The grade letter, rule id or veto id the change belongs to; '' for the set as a whole. */
  key: string;
  /** What changed, e.g. 「规则 sampling.failed.general · 扣分」. */
  what: Message;
  before: Message | null;
  after: Message | null;
};

const same = (zh: string, en = zh): Message => ({ zh, en });

export function validityText(v: Validity): Message {
  const zh = [
    v.years ? `${v.years}年` : '',
    v.months ? `${v.months}个月` : '',
    v.days ? `${v.days}天` : '',
  ].join('');
  const en = [
    v.years ? `${v.years} year${v.years === 1 ? '' : 's'}` : '',
    v.months ? `${v.months} month${v.months === 1 ? '' : 's'}` : '',
    v.days ? `${v.days} day${v.days === 1 ? '' : 's'}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { zh: zh || '0天', en: en || '0 days' };
}

function matchText(m: Rule['match']): Message {
  const entries = Object.entries(m ?? {});
  if (entries.length === 0) return { zh: '（该类事件全部）', en: '(every event of the type)' };
  return same(entries.map(([k, v]) => `${k} = ${String(v)}`).join(', '));
}

const yesNo = (b: boolean): Message => (b ? { zh: '是', en: 'yes' } : { zh: '否', en: 'no' });
const pointsText = (n: number): Message => same(n > 0 ? `+${n}` : String(n));
const ratioText = (r: number): Message => same(`${Math.round(r * 10000) / 100}%`);
const ON_SITE: Record<Supervision['onSiteCheck'], Message> = {
  complaintOnly: {
    zh: '仅在投诉、转办或法定要求时检查',
    en: 'only on complaint, referral or legal requirement',
  },
  random: { zh: '随机抽查', en: 'random checks' },
};
const labelText = (l: Message): Message => ({ zh: l.zh, en: l.en });

const join = (a: Message, b: Message): Message => ({ zh: `${a.zh} · ${b.zh}`, en: `${a.en} · ${b.en}` });

/** A rule as one line: its label, event type, match, points, validity. */
function ruleSummary(r: Rule): Message {
  const v = validityText(r.validity);
  const m = matchText(r.match);
  const p = pointsText(r.points).zh;
  return {
    zh: `${r.label.zh}（${r.eventType}，${m.zh}，${p}分，有效期${v.zh}）`,
    en: `${r.label.en} (${r.eventType}, ${m.en}, ${p} points, valid ${v.en})`,
  };
}

type Field<T> = { name: Message; text: (x: T) => Message };

function compareFields<T>(
  out: RuleSetChange[],
  area: RuleSetChangeArea,
  key: string,
  subject: Message,
  before: T,
  after: T,
  fields: Record<string, Field<T>>,
  get: (x: T, field: string) => unknown,
) {
  for (const [field, f] of Object.entries(fields)) {
    if (JSON.stringify(get(before, field) ?? null) === JSON.stringify(get(after, field) ?? null)) continue;
    out.push({
      kind: 'changed',
      area,
      key,
      what: join(subject, f.name),
      before: f.text(before),
      after: f.text(after),
    });
  }
}

/** Keyed lists (rules, vetoes) compared by id: removed and changed in the old order, then added. */
function compareById<T extends { id: string }>(
  out: RuleSetChange[],
  area: RuleSetChangeArea,
  from: readonly T[],
  to: readonly T[],
  subject: (x: T) => Message,
  summary: (x: T) => Message,
  fields: Record<string, Field<T>>,
) {
  const next = new Map(to.map((x) => [x.id, x]));
  const prev = new Map(from.map((x) => [x.id, x]));
  for (const a of from) {
    const b = next.get(a.id);
    if (!b) out.push({ kind: 'removed', area, key: a.id, what: subject(a), before: summary(a), after: null });
    else
      compareFields(out, area, a.id, subject(a), a, b, fields, (x, f) => (x as Record<string, unknown>)[f]);
  }
  for (const b of to)
    if (!prev.has(b.id))
      out.push({ kind: 'added', area, key: b.id, what: subject(b), before: null, after: summary(b) });
}

/** Every difference from `from` to `to`; an empty list when they score and supervise alike. */
export function diffRuleSets(from: RuleSet, to: RuleSet): RuleSetChange[] {
  const out: RuleSetChange[] = [];
  const whole = (what: Message, before: Message, after: Message, area: RuleSetChangeArea = 'general') =>
    out.push({ kind: 'changed', area, key: '', what, before, after });

  if (from.effectiveFrom !== to.effectiveFrom)
    whole({ zh: '生效日期', en: 'Effective from' }, same(from.effectiveFrom), same(to.effectiveFrom));
  if (from.name.zh !== to.name.zh || from.name.en !== to.name.en)
    whole({ zh: '名称', en: 'Name' }, labelText(from.name), labelText(to.name));
  if (from.base !== to.base)
    whole({ zh: '基础分', en: 'Base score' }, same(String(from.base)), same(String(to.base)), 'bounds');
  if (from.bounds.min !== to.bounds.min)
    whole(
      { zh: '分值下限', en: 'Lowest score' },
      same(String(from.bounds.min)),
      same(String(to.bounds.min)),
      'bounds',
    );
  if (from.bounds.max !== to.bounds.max)
    whole(
      { zh: '分值上限', en: 'Highest score' },
      same(String(from.bounds.max)),
      same(String(to.bounds.max)),
      'bounds',
    );

  for (const grade of GRADES) {
    const a = from.grades.find((g) => g.grade === grade);
    const b = to.grades.find((g) => g.grade === grade);
    if (!a || !b) continue; // validation requires all four
    const subject = { zh: `等级 ${grade}`, en: `Grade ${grade}` };
    if (a.minScore !== b.minScore)
      out.push({
        kind: 'changed',
        area: 'grade',
        key: grade,
        what: join(subject, { zh: '最低分', en: 'minimum score' }),
        before: same(String(a.minScore)),
        after: same(String(b.minScore)),
      });
    if (a.label.zh !== b.label.zh || a.label.en !== b.label.en)
      out.push({
        kind: 'changed',
        area: 'grade',
        key: grade,
        what: join(subject, { zh: '名称', en: 'label' }),
        before: labelText(a.label),
        after: labelText(b.label),
      });
    compareFields(
      out,
      'supervision',
      grade,
      { zh: `等级 ${grade} 的监管措施`, en: `Supervision of grade ${grade}` },
      from.supervision[grade],
      to.supervision[grade],
      {
        drawRatio: { name: { zh: '抽查比例', en: 'draw ratio' }, text: (s) => ratioText(s.drawRatio) },
        onSiteCheck: { name: { zh: '现场检查', en: 'on-site checks' }, text: (s) => ON_SITE[s.onSiteCheck] },
        inspectionsPerYear: {
          name: { zh: '每年检查次数', en: 'inspections per year' },
          text: (s) => same(String(s.inspectionsPerYear)),
        },
      },
      (s, f) => (s as Record<string, unknown>)[f],
    );
  }

  type Veto = RuleSet['vetoes'][number];
  compareById<Veto>(
    out,
    'veto',
    from.vetoes,
    to.vetoes,
    (v) => ({ zh: `否决项 ${v.id}`, en: `Veto ${v.id}` }),
    (v) => ({
      zh: `${v.label.zh}（${v.when.flag} → 最高 ${v.cap} 级）`,
      en: `${v.label.en} (${v.when.flag} → at most ${v.cap})`,
    }),
    {
      when: { name: { zh: '条件', en: 'condition' }, text: (v) => same(v.when.flag) },
      cap: { name: { zh: '封顶等级', en: 'grade cap' }, text: (v) => same(v.cap) },
      label: { name: { zh: '说明', en: 'label' }, text: (v) => labelText(v.label) },
    },
  );

  compareById<Rule>(
    out,
    'rule',
    from.rules,
    to.rules,
    (r) => ({ zh: `规则 ${r.id}`, en: `Rule ${r.id}` }),
    ruleSummary,
    {
      points: { name: { zh: '分值', en: 'points' }, text: (r) => pointsText(r.points) },
      eventType: { name: { zh: '事件类型', en: 'event type' }, text: (r) => same(r.eventType) },
      match: { name: { zh: '匹配条件', en: 'match' }, text: (r) => matchText(r.match) },
      validity: { name: { zh: '有效期', en: 'validity' }, text: (r) => validityText(r.validity) },
      severity: { name: { zh: '严重程度', en: 'severity' }, text: (r) => same(r.severity) },
      publishable: {
        name: { zh: '对外公示', en: 'published on the portal' },
        text: (r) => yesNo(r.publishable),
      },
      label: { name: { zh: '名称', en: 'label' }, text: (r) => labelText(r.label) },
      source: { name: { zh: '依据', en: 'basis' }, text: (r) => same(r.source) },
    },
  );

  const pa = from.disclosure?.publishGrades ?? false;
  const pb = to.disclosure?.publishGrades ?? false;
  if (pa !== pb)
    whole(
      { zh: '对外公示信用等级', en: 'Grades published on the portal' },
      yesNo(pa),
      yesNo(pb),
      'disclosure',
    );
  if ((from.notes ?? '') !== (to.notes ?? ''))
    whole({ zh: '备注', en: 'Notes' }, same(from.notes || '—'), same(to.notes || '—'));
  return out;
}
