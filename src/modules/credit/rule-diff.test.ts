// The rule-set diff in the words a regulator reads: one change of each kind, none for equal sets.
import { describe, expect, it } from 'vitest';
import { diffRuleSets } from './rule-diff.js';
import { loadRuleSet, type RuleSet } from './rules.js';

const base = loadRuleSet();
const copy = (): RuleSet => structuredClone(base);

describe('diffRuleSets', () => {
  it('finds no changes between identical versions', () => {
    expect(diffRuleSets(base, copy())).toEqual([]);
  });

  it('names a changed grade threshold and label, the score bounds and the effective date', () => {
    const next = copy();
    next.grades[0]!.minScore += 5;
    next.grades[1]!.label = { zh: '守信', en: 'Trustworthy' };
    next.bounds.max += 10;
    next.effectiveFrom = '2027-01-01';
    const changes = diffRuleSets(base, next);
    expect(changes).toEqual(
      expect.arrayContaining([
        {
          kind: 'changed',
          area: 'general',
          key: '',
          what: { zh: '生效日期', en: 'Effective from' },
          before: { zh: base.effectiveFrom, en: base.effectiveFrom },
          after: { zh: '2027-01-01', en: '2027-01-01' },
        },
        expect.objectContaining({
          area: 'bounds',
          what: { zh: '分值上限', en: 'Highest score' },
          after: { zh: String(base.bounds.max + 10), en: String(base.bounds.max + 10) },
        }),
        expect.objectContaining({
          area: 'grade',
          key: 'A',
          what: { zh: '等级 A · 最低分', en: 'Grade A · minimum score' },
          before: expect.objectContaining({ zh: String(base.grades[0]!.minScore) }),
          after: expect.objectContaining({ zh: String(base.grades[0]!.minScore + 5) }),
        }),
        expect.objectContaining({
          area: 'grade',
          key: 'B',
          what: { zh: '等级 B · 名称', en: 'Grade B · label' },
          after: { zh: '守信', en: 'Trustworthy' },
        }),
      ]),
    );
    expect(changes).toHaveLength(4);
  });

  it('lists a rule added, removed and changed in points, match and validity', () => {
    const next = copy();
    const [first, second] = next.rules;
    first!.points = -7;
    first!.validity = { years: 2, months: 6 };
    second!.match = { severity: 'changed' };
    const removed = next.rules.pop()!;
    next.rules.push({ ...removed, id: 'new.rule', points: 3, label: { zh: '新规则', en: 'New rule' } });
    const changes = diffRuleSets(base, next);
    const ruleChanges = changes.filter((c) => c.area === 'rule');
    expect(ruleChanges).toEqual([
      expect.objectContaining({
        kind: 'changed',
        key: first!.id,
        what: { zh: `规则 ${first!.id} · 分值`, en: `Rule ${first!.id} · points` },
        before: expect.objectContaining({ zh: String(base.rules[0]!.points) }),
        after: { zh: '-7', en: '-7' },
      }),
      expect.objectContaining({
        kind: 'changed',
        key: first!.id,
        what: expect.objectContaining({ zh: `规则 ${first!.id} · 有效期` }),
        after: { zh: '2年6个月', en: '2 years 6 months' },
      }),
      expect.objectContaining({
        kind: 'changed',
        key: second!.id,
        what: expect.objectContaining({ zh: `规则 ${second!.id} · 匹配条件` }),
        after: { zh: 'severity = changed', en: 'severity = changed' },
      }),
      expect.objectContaining({ kind: 'removed', key: removed.id, after: null }),
      expect.objectContaining({ kind: 'added', key: 'new.rule', before: null }),
    ]);
    expect(ruleChanges[4]!.after!.zh).toContain('新规则');
    expect(ruleChanges[4]!.after!.zh).toContain('+3分');
    expect(ruleChanges[3]!.before!.zh).toContain(removed.label.zh);
  });

  it('names a changed supervision consequence and veto', () => {
    const next = copy();
    next.supervision.D.drawRatio = 0.5;
    next.supervision.C.onSiteCheck = next.supervision.C.onSiteCheck === 'random' ? 'complaintOnly' : 'random';
    next.vetoes[0]!.cap = 'C';
    const changes = diffRuleSets(base, next);
    expect(changes).toEqual([
      expect.objectContaining({
        area: 'supervision',
        key: 'C',
        what: expect.objectContaining({ zh: '等级 C 的监管措施 · 现场检查' }),
      }),
      expect.objectContaining({
        area: 'supervision',
        key: 'D',
        what: { zh: '等级 D 的监管措施 · 抽查比例', en: 'Supervision of grade D · draw ratio' },
        before: expect.objectContaining({ zh: `${base.supervision.D.drawRatio * 100}%` }),
        after: { zh: '50%', en: '50%' },
      }),
      expect.objectContaining({
        area: 'veto',
        key: base.vetoes[0]!.id,
        before: { zh: base.vetoes[0]!.cap, en: base.vetoes[0]!.cap },
        after: { zh: 'C', en: 'C' },
      }),
    ]);
  });
});
