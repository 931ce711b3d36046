import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCalendarDays } from '../../core/workdays.js';
import {
  type CreditRecord,
  gradeForScore,
  gradeOf,
  reversalOf,
  scoreEvent,
  scoreRecord,
  supervisionFor,
} from './grade.js';
import { GRADES, loadRuleSet, type RuleSet } from './rules.js';

const RS = loadRuleSet();

function rec(over: Partial<CreditRecord> & { id: string; points: number }): CreditRecord {
  return {
    enterpriseId: 'e1',
    ruleId: 'test.rule',
    ruleSetId: RS.id,
    ruleSetVersion: RS.version,
    occurredOn: over.effectiveOn ?? '2024-03-01',
    effectiveOn: '2024-03-01',
    expiresOn: '2025-03-01',
    severity: 'minor',
    publishable: true,
    reversesId: null,
    ...over,
  };
}

const asOf = '2024-06-30';

describe('gradeOf: grades and vetoes', () => {
  it('gives B to a clean enterprise at the base score', () => {
    const g = gradeOf({ records: [], asOf, ruleSet: RS });
    expect(g).toMatchObject({ base: 100, rawScore: 100, score: 100, grade: 'B', vetoApplied: null });
    expect(g.ruleSet).toEqual({ id: 'dg-2024', version: 1 });
    expect(g.contributions).toEqual([]);
  });

  it('gives A, C and D by score', () => {
    const grade = (points: number[]) =>
      gradeOf({ records: points.map((p, i) => rec({ id: `r${i}`, points: p })), asOf, ruleSet: RS }).grade;
    expect(grade([5])).toBe('A');
    expect(grade([4])).toBe('B');
    expect(grade([-10])).toBe('B');
    expect(grade([-11])).toBe('C');
    expect(grade([-20])).toBe('C');
    expect(grade([-31])).toBe('D');
    expect(grade([-40, -20])).toBe('D');
  });

  it('clamps the score to the bounds but keeps the raw sum', () => {
    const low = gradeOf({ records: [rec({ id: 'a', points: -150 })], asOf, ruleSet: RS });
    expect(low).toMatchObject({ rawScore: -50, score: 0, grade: 'D' });
    const high = gradeOf({
      records: [rec({ id: 'a', points: 30 }), rec({ id: 'b', points: 20 })],
      asOf,
      ruleSet: RS,
    });
    expect(high).toMatchObject({ rawScore: 150, score: 120, grade: 'A' });
  });

  it('vetoes to D when blacklisted, whatever the score', () => {
    const g = gradeOf({
      records: [rec({ id: 'a', points: 10 })],
      asOf,
      ruleSet: RS,
      flags: { blacklisted: true },
    });
    expect(g).toMatchObject({ score: 110, grade: 'D' });
    expect(g.vetoApplied?.id).toBe('veto.blacklisted');
    expect(g.vetoApplied?.label.zh).toMatch(/严重违法失信名单/);
  });

  it('caps at C on the abnormal-operations list, but never raises a worse grade', () => {
    const a = gradeOf({
      records: [rec({ id: 'a', points: 10 })],
      asOf,
      ruleSet: RS,
      flags: { abnormalOperations: true },
    });
    expect(a).toMatchObject({ grade: 'C', vetoApplied: { id: 'veto.abnormalOperations' } });
    const d = gradeOf({
      records: [rec({ id: 'a', points: -60 })],
      asOf,
      ruleSet: RS,
      flags: { abnormalOperations: true },
    });
    expect(d).toMatchObject({ grade: 'D', vetoApplied: null });
    const c = gradeOf({
      records: [rec({ id: 'a', points: -20 })],
      asOf,
      ruleSet: RS,
      flags: { abnormalOperations: true },
    });
    expect(c).toMatchObject({ grade: 'C', vetoApplied: null });
  });

  it('applies the most restrictive veto when both hold', () => {
    const g = gradeOf({
      records: [],
      asOf,
      ruleSet: RS,
      flags: { abnormalOperations: true, blacklisted: true },
    });
    expect(g).toMatchObject({ grade: 'D', vetoApplied: { id: 'veto.blacklisted' } });
    const none = gradeOf({ records: [], asOf, ruleSet: RS, flags: { blacklisted: false } });
    expect(none).toMatchObject({ grade: 'B', vetoApplied: null });
  });
});

describe('gradeOf: validity window', () => {
  const r = rec({ id: 'r', points: -20, effectiveOn: '2024-03-01', expiresOn: '2025-03-01' });
  const at = (d: string) => gradeOf({ records: [r], asOf: d, ruleSet: RS });

  it('counts a record from its effective date up to the day before its expiry', () => {
    expect(at('2024-02-29').contributions).toEqual([]);
    expect(at('2024-03-01').contributions).toEqual([
      { recordId: 'r', rule: 'test.rule', points: -20, occurredOn: '2024-03-01', expiresOn: '2025-03-01' },
    ]);
    expect(at('2025-02-28').score).toBe(80);
    expect(at('2025-03-01').contributions).toEqual([]);
    expect(at('2025-03-01').score).toBe(100);
  });
});

describe('gradeOf: reversals', () => {
  const bad = rec({ id: 'bad', points: -20, effectiveOn: '2024-03-01', expiresOn: '2027-03-01' });
  const other = rec({ id: 'other', points: -5, effectiveOn: '2024-04-01', expiresOn: '2025-04-01' });
  const rev = reversalOf({ record: bad, id: 'rev', effectiveOn: '2024-05-10' });
  const records = [bad, other, rev];

  it('builds a 0-point record pointing back', () => {
    expect(rev).toMatchObject({
      id: 'rev',
      points: 0,
      reversesId: 'bad',
      ruleId: bad.ruleId,
      effectiveOn: '2024-05-10',
    });
  });

  it('leaves the grade before the reversal date unchanged', () => {
    const before = gradeOf({ records, asOf: '2024-05-09', ruleSet: RS });
    expect(before).toEqual(gradeOf({ records: [bad, other], asOf: '2024-05-09', ruleSet: RS }));
    expect(before).toMatchObject({ score: 75, grade: 'C', reversed: [] });
  });

  it('removes exactly the reversed record from its own effective date on', () => {
    const after = gradeOf({ records, asOf: '2024-05-10', ruleSet: RS });
    expect(after.contributions.map((c) => c.recordId)).toEqual(['other']);
    expect(after).toMatchObject({
      score: 95,
      grade: 'B',
      reversed: [{ recordId: 'bad', reversedBy: 'rev' }],
    });
    expect(gradeOf({ records, asOf: '2026-01-01', ruleSet: RS }).score).toBe(100);
  });

  it('refuses duplicate record ids', () => {
    expect(() => gradeOf({ records: [bad, bad], asOf, ruleSet: RS })).toThrow(/Duplicate/);
  });
});

describe('scoreRecord / scoreEvent / supervisionFor', () => {
  const event = {
    id: 'ev1',
    type: 'sampling.sample.failed',
    payload: { severity: 'serious', enterpriseId: 'e1' },
    occurredOn: '2024-02-29',
  };

  it('scores an event with the rule, its version and its validity', () => {
    expect(scoreRecord({ ruleSet: RS, event })).toEqual({
      sourceEventId: 'ev1',
      ruleId: 'sampling.failed.serious',
      ruleSetId: 'dg-2024',
      ruleSetVersion: 1,
      points: -10,
      occurredOn: '2024-02-29',
      effectiveOn: '2024-02-29',
      expiresOn: '2026-02-28',
      severity: 'major',
      publishable: true,
    });
    expect(scoreRecord({ ruleSet: RS, event: { ...event, type: 'registry.enterprise.created' } })).toBeNull();
  });

  it('refuses a rule set not yet in force and picks the one in force by date', () => {
    expect(() => scoreRecord({ ruleSet: RS, event: { ...event, occurredOn: '2023-12-31' } })).toThrow(
      RangeError,
    );
    const v2: RuleSet = {
      ...RS,
      version: 2,
      effectiveFrom: '2025-01-01',
      rules: RS.rules.map((r) => (r.id === 'sampling.failed.serious' ? { ...r, points: -12 } : r)),
    };
    expect(scoreEvent({ ruleSets: [RS, v2], event })?.points).toBe(-10);
    expect(scoreEvent({ ruleSets: [RS, v2], event: { ...event, occurredOn: '2025-01-01' } })).toMatchObject({
      points: -12,
      ruleSetVersion: 2,
    });
    expect(scoreEvent({ ruleSets: [RS, v2], event: { ...event, occurredOn: '2023-06-01' } })).toBeNull();
  });

  it('gives the default draw ratios and frequencies by grade', () => {
    expect(supervisionFor(RS, 'A')).toEqual({
      drawRatio: 0.02,
      onSiteCheck: 'complaintOnly',
      inspectionsPerYear: 0,
    });
    expect(GRADES.map((g) => supervisionFor(RS, g).drawRatio)).toEqual([0.02, 0.05, 0.3, 1]);
  });
});

// Properties over arbitrary archives: dates in 2020..2030, some records reversals of earlier ones.
const DAY0 = '2020-01-01';
const dateArb = fc.integer({ min: 0, max: 4000 }).map((n) => addCalendarDays(DAY0, n));
const recordsArb = fc
  .array(
    fc.record({
      points: fc.integer({ min: -60, max: 60 }),
      start: fc.integer({ min: 0, max: 4000 }),
      length: fc.integer({ min: 1, max: 1500 }),
      reverses: fc.option(fc.nat(), { nil: null }),
    }),
    { maxLength: 30 },
  )
  .map((rows) =>
    rows.map((row, i): CreditRecord => {
      const target = row.reverses !== null && i > 0 ? `r${row.reverses % i}` : null;
      return rec({
        id: `r${i}`,
        points: target ? 0 : row.points,
        effectiveOn: addCalendarDays(DAY0, row.start),
        expiresOn: addCalendarDays(DAY0, row.start + row.length),
        reversesId: target,
      });
    }),
  );
const flagsArb = fc.record(
  { blacklisted: fc.boolean(), abnormalOperations: fc.boolean() },
  { requiredKeys: [] },
);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('gradeOf properties', () => {
  it('accounts for every point: rawScore = base + Σ contributions, score = clamp(rawScore)', () => {
    fc.assert(
      fc.property(recordsArb, dateArb, flagsArb, (records, day, flags) => {
        const g = gradeOf({ records, asOf: day, ruleSet: RS, flags });
        const sum = g.contributions.reduce((s, c) => s + c.points, 0);
        expect(g.rawScore).toBe(g.base + sum);
        expect(g.score).toBe(Math.min(RS.bounds.max, Math.max(RS.bounds.min, g.rawScore)));
        if (!g.vetoApplied) expect(g.grade).toBe(gradeForScore(RS, g.score));
      }),
    );
  });

  it('lists distinct input records, each counted on asOf and not reversed', () => {
    fc.assert(
      fc.property(recordsArb, dateArb, (records, day) => {
        const g = gradeOf({ records, asOf: day, ruleSet: RS });
        const ids = g.contributions.map((c) => c.recordId);
        expect(new Set(ids).size).toBe(ids.length);
        const byId = new Map(records.map((r) => [r.id, r]));
        for (const c of g.contributions) {
          const r = byId.get(c.recordId)!;
          expect(r.reversesId).toBeNull();
          expect(r.effectiveOn <= day && day < r.expiresOn).toBe(true);
          expect(c.points).toBe(r.points);
        }
        // Every record in its window is either counted or listed as reversed.
        const inWindow = records.filter(
          (r) => r.reversesId === null && r.effectiveOn <= day && day < r.expiresOn,
        );
        expect(ids.length + g.reversed.length).toBe(inWindow.length);
      }),
    );
  });

  it('never gives a worse grade for more points, absent vetoes', () => {
    fc.assert(
      fc.property(recordsArb, dateArb, fc.integer({ min: 0, max: 80 }), (records, day, extra) => {
        const rank = (g: string) => GRADES.indexOf(g as (typeof GRADES)[number]);
        const before = gradeOf({ records, asOf: day, ruleSet: RS });
        const bonus = rec({
          id: 'bonus',
          points: extra,
          effectiveOn: day,
          expiresOn: addCalendarDays(day, 1),
        });
        const after = gradeOf({ records: [...records, bonus], asOf: day, ruleSet: RS });
        expect(rank(after.grade)).toBeLessThanOrEqual(rank(before.grade));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 200 }), fc.nat(200), (score, extra) => {
        expect(GRADES.indexOf(gradeForScore(RS, score + extra))).toBeLessThanOrEqual(
          GRADES.indexOf(gradeForScore(RS, score)),
        );
      }),
    );
  });

  it('is pure: the same input gives the same output and the input is not mutated', () => {
    fc.assert(
      fc.property(recordsArb, dateArb, flagsArb, (records, day, flags) => {
        const snapshot = structuredClone(records);
        const input = deepFreeze({ records, asOf: day, ruleSet: structuredClone(RS), flags });
        const first = gradeOf(input);
        expect(gradeOf(input)).toEqual(first);
        expect(records).toEqual(snapshot);
        // Order of the archive does not matter either.
        expect(gradeOf({ ...input, records: [...records].reverse() })).toEqual(first);
      }),
    );
  });
});
