import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expiryDate, loadRuleSet, type RuleSet, ruleFor, ruleSetInForce, validateRuleSet } from './rules.js';

const RAW = JSON.parse(
  readFileSync(new URL('../../../data/credit/ruleset-2024.json', import.meta.url), 'utf8'),
) as RuleSet;
const copy = (): RuleSet => structuredClone(RAW);

function errorsOf(raw: unknown) {
  const result = validateRuleSet(raw);
  if (result.ok) throw new Error('expected the rule set to be invalid');
  return result.errors;
}

describe('the shipped rule set', () => {
  it('validates and loads', () => {
    expect(validateRuleSet(RAW)).toEqual({ ok: true, value: RAW });
    const rs = loadRuleSet();
    expect(rs.id).toBe('dg-2024');
    expect(rs.effectiveFrom).toBe('2024-01-01');
  });

  it('has the default draw ratios and A-grade complaint-only checks', () => {
    const s = RAW.supervision;
    expect([s.A.drawRatio, s.B.drawRatio, s.C.drawRatio, s.D.drawRatio]).toEqual([0.02, 0.05, 0.3, 1]);
    expect(s.A.onSiteCheck).toBe('complaintOnly');
  });

  it('names a source for every rule and scores each issue case', () => {
    for (const r of RAW.rules) expect(r.source.length).toBeGreaterThan(10);
    const types = new Set(RAW.rules.map((r) => r.eventType));
    for (const t of [
      'sampling.sample.failed',
      'sampling.sample.refused',
      'credit.penalty.recorded',
      'licensing.licence.revoked',
      'equipment.inspection.overdue',
      'equipment.inspection.failed',
      'metrology.verification.failed',
      'metrology.verification.overdue',
      'credit.blacklist.listed',
      'recognition.standard.led',
      'recognition.brand.awarded',
      'recognition.award.granted',
      'credit.cleanRecord.reached',
      'recognition.excellence.practised',
    ])
      expect(types.has(t), t).toBe(true);
  });
});

describe('validateRuleSet', () => {
  it('reports schema errors with a path and a Chinese message', () => {
    const broken = { ...copy(), version: 0 };
    const errors = errorsOf(broken);
    expect(errors[0]!.path).toBe('/version');
    expect(errors[0]!.message.zh).toMatch(/规则集结构/);
  });

  it('rejects unknown fields (a typo in an edit)', () => {
    const broken = copy() as unknown as Record<string, unknown>;
    broken.bse = 100;
    expect(errorsOf(broken).some((e) => e.path === '/bse')).toBe(true);
  });

  const cases: [string, (rs: RuleSet) => void, string, RegExp][] = [
    [
      'thresholds not strictly descending',
      (rs) => {
        rs.grades[2]!.minScore = rs.grades[1]!.minScore;
      },
      '/grades/2/minScore',
      /必须低于等级 B/,
    ],
    [
      'lowest grade above bounds.min',
      (rs) => {
        rs.grades[3]!.minScore = rs.bounds.min + 1;
      },
      '/grades/3/minScore',
      /分值下限/,
    ],
    [
      'grades out of order',
      (rs) => {
        rs.grades.reverse();
      },
      '/grades',
      /依次为 A、B、C、D/,
    ],
    [
      'duplicate rule id',
      (rs) => {
        rs.rules[1]!.id = rs.rules[0]!.id;
      },
      '/rules/1/id',
      /规则编号重复/,
    ],
    [
      'zero validity',
      (rs) => {
        rs.rules[0]!.validity = { years: 0, months: 0 };
      },
      '/rules/0/validity',
      /有效期必须为正/,
    ],
    [
      'negative validity',
      (rs) => {
        rs.rules[3]!.validity = { years: 2, days: -1 };
      },
      '/rules/3/validity',
      /有效期必须为正/,
    ],
    [
      'veto cap not a grade',
      (rs) => {
        rs.vetoes[1]!.cap = 'E';
      },
      '/vetoes/1/cap',
      /封顶等级未定义/,
    ],
    [
      'draw ratio above 1',
      (rs) => {
        rs.supervision.C.drawRatio = 1.5;
      },
      '/supervision/C/drawRatio',
      /抽查比例/,
    ],
    [
      'negative draw ratio',
      (rs) => {
        rs.supervision.A.drawRatio = -0.01;
      },
      '/supervision/A/drawRatio',
      /抽查比例/,
    ],
    [
      'bounds inverted',
      (rs) => {
        rs.bounds = { min: 10, max: 5 };
      },
      '/bounds',
      /下限必须小于上限/,
    ],
    [
      'base outside bounds',
      (rs) => {
        rs.base = 500;
      },
      '/base',
      /基础分/,
    ],
    [
      'impossible effective date',
      (rs) => {
        rs.effectiveFrom = '2024-02-30';
      },
      '/effectiveFrom',
      /生效日期/,
    ],
  ];

  it.each(cases)('fails on %s', (_name, breakIt, path, zh) => {
    const rs = copy();
    breakIt(rs);
    const errors = errorsOf(rs);
    const hit = errors.find((e) => e.path === path);
    expect(hit, JSON.stringify(errors)).toBeDefined();
    expect(hit!.message.zh).toMatch(zh);
    expect(hit!.message.en.length).toBeGreaterThan(0);
  });

  it('does not mutate its input', () => {
    const rs = copy();
    validateRuleSet(rs);
    expect(rs).toEqual(RAW);
  });
});

describe('ruleFor', () => {
  it('matches on event type and payload fields', () => {
    const failed = (severity: string) => ({ type: 'sampling.sample.failed', payload: { severity } });
    expect(ruleFor(RAW, failed('general'))?.id).toBe('sampling.failed.general');
    expect(ruleFor(RAW, failed('critical'))?.id).toBe('sampling.failed.critical');
    expect(ruleFor(RAW, failed('unknown'))).toBeNull();
    expect(ruleFor(RAW, { type: 'sampling.sample.refused', payload: {} })?.id).toBe('sampling.refused');
    expect(ruleFor(RAW, { type: 'credit.cleanRecord.reached', payload: { years: 5 } })?.points).toBe(5);
    expect(ruleFor(RAW, { type: 'credit.cleanRecord.reached', payload: { years: '5' } })).toBeNull();
    expect(ruleFor(RAW, { type: 'registry.enterprise.created', payload: {} })).toBeNull();
  });

  it('returns the first matching rule when several match', () => {
    const rs = copy();
    rs.rules.push({ ...rs.rules[0]!, id: 'later.duplicate', points: -99 });
    expect(ruleFor(rs, { type: 'sampling.sample.failed', payload: { severity: 'general' } })?.id).toBe(
      'sampling.failed.general',
    );
  });
});

describe('ruleSetInForce', () => {
  const v1 = { ...RAW, version: 1, effectiveFrom: '2024-01-01' };
  const v2 = { ...RAW, version: 2, effectiveFrom: '2025-07-01' };

  it('is null before the first set and picks a set on its effective day', () => {
    expect(ruleSetInForce([v1], '2023-12-31')).toBeNull();
    expect(ruleSetInForce([v1], '2024-01-01')).toBe(v1);
    expect(ruleSetInForce([], '2024-01-01')).toBeNull();
  });

  it('switches to the next version on its effective day, whatever the list order', () => {
    for (const list of [
      [v1, v2],
      [v2, v1],
    ]) {
      expect(ruleSetInForce(list, '2025-06-30')).toBe(v1);
      expect(ruleSetInForce(list, '2025-07-01')).toBe(v2);
      expect(ruleSetInForce(list, '2030-01-01')).toBe(v2);
    }
  });

  it('prefers the higher version on the same effective date', () => {
    const v3 = { ...v2, version: 3 };
    expect(ruleSetInForce([v3, v2], '2025-07-01')).toBe(v3);
    expect(ruleSetInForce([v2, v3], '2025-07-01')).toBe(v3);
  });
});

describe('expiryDate', () => {
  it('clamps at month ends and leap days', () => {
    expect(expiryDate('2024-02-29', { years: 1 })).toBe('2025-02-28');
    expect(expiryDate('2024-02-29', { years: 4 })).toBe('2028-02-29');
    expect(expiryDate('2023-01-31', { months: 1 })).toBe('2023-02-28');
    expect(expiryDate('2024-01-31', { months: 1 })).toBe('2024-02-29');
    expect(expiryDate('2024-03-31', { months: 6 })).toBe('2024-09-30');
  });

  it('adds years and months together, then days', () => {
    // One clamp: 2023-01-31 + 1y1m = 2024-02-29, not 2024-02-28 via 2024-01-31.
    expect(expiryDate('2023-01-31', { years: 1, months: 1 })).toBe('2024-02-29');
    expect(expiryDate('2024-12-31', { days: 1 })).toBe('2025-01-01');
    expect(expiryDate('2024-02-28', { years: 1, days: 1 })).toBe('2025-03-01');
  });
});
