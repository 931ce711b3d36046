// The loop closed, on every dialect, through the real services over two simulated years: in 2025
// a routine plan draws the makers a complaint flagged plus its grade strata, the inspectors sample,
// the lab fails some (the credit engine grades them down at once, as the rule set's points say)
// and passes the rest; in 2026, past the 6-month window, the next year's plan draws the makers who
// failed at their grades' higher ratios — far more often than the makers who did not.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { AuthUser } from '../../platform/auth/policies.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { computeGrade, gradeSnapshot, supervisionPolicy } from '../credit/index.js';
import { GRADES, type Grade } from './draw.js';
import { confirmDraw, previewDraw } from './draw-store.js';
import { addReferral } from './inspectors.js';
import { CREDIT_SEVERITY, type ItemClass } from './model.js';
import {
  CHANGAN,
  labUserOf,
  makeLab,
  makeMakers,
  planBody,
  publishedPlan,
  sampleTask,
  serviceInspectors,
  tasksOf,
  testSample,
} from './testing.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The shipped default rule set (the one in force in a fresh database): points and grade lines. */
const RULES = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/credit/ruleset-2024.json'), 'utf8')) as {
  base: number;
  grades: { grade: Grade; minScore: number }[];
  rules: { eventType: string; match?: { severity?: string }; points: number }[];
};

/** The grade the rule set gives a maker whose samples failed with these item classes. */
function expectedGrade(failures: ItemClass[]): { score: number; grade: Grade } {
  let score = RULES.base;
  for (const c of failures)
    score += RULES.rules.find(
      (r) => r.eventType === 'sampling.sample.failed' && r.match?.severity === CREDIT_SEVERITY[c],
    )!.points;
  const grade = [...RULES.grades].sort((a, b) => b.minScore - a.minScore).find((g) => score >= g.minScore)!;
  return { score, grade: grade.grade };
}

const ceilShare = (ratio: number, n: number) => Math.min(n, Math.ceil(Math.round(ratio * n * 1e9) / 1e9));

describe.each(DIALECTS)('the sampling loop over two years on %s', (dialect) => {
  let rt: Runtime;
  const clock = offsetClock('2025-03-03T02:00:00Z');
  const on = (day: string) => clock.set(`${day}T02:00:00Z`);
  const actor = systemActor('test');
  let lab: Awaited<ReturnType<typeof makeLab>>;
  let inspectors: AuthUser[];
  let makers: Awaited<ReturnType<typeof makeMakers>>;

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    lab = await makeLab(rt);
    inspectors = await serviceInspectors(rt, ['loop.insp1', 'loop.insp2', 'loop.insp3']);
    // 60 makers of wires and cables (0101); the first 8 also make plugs and sockets (0102)
    makers = [
      ...(await makeMakers(rt, 8, '0101', CHANGAN, { productCategories: ['0101', '0102'] })),
      ...(await makeMakers(rt, 52, '0101')),
    ];
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
  });

  it('draws the makers whose samples failed far more often the next year, at their new grades’ ratios', async () => {
    // ---- 2025: complaints flag 20 makers; the plan draws them and its strata ---------------------
    on('2025-03-03');
    const twoCategories = planBody('0101', lab.id);
    twoCategories.categories.push({ ...twoCategories.categories[0]!, code: '0102' });
    const plan2025 = await publishedPlan(rt, {
      code: 'DG-2025-LOOP',
      year: 2025,
      category: '0101',
      labId: lab.id,
      body: { categories: twoCategories.categories },
    });
    for (const [i, m] of makers.slice(0, 20).entries())
      await addReferral(rt, actor, {
        uscc: m.uscc,
        categoryCode: i < 8 ? null : '0101', // the first 8 for both their categories
        reason: 'complaint',
        reference: `12315-2025-${String(i + 1).padStart(4, '0')}`,
        note: null,
      });
    const draw2025 = await confirmDraw(rt, actor, plan2025.id, 2025);
    const policy2025 = await supervisionPolicy(rt.db, '2025-03-03');
    // 0101: 20 flagged + ceil(5 % of 60) from the rest; 0102: the 8 flagged, nobody left for B's stratum
    expect(draw2025.strata.find((s) => s.grade === 'B')).toEqual({
      grade: 'B',
      population: 68,
      drawn: ceilShare(policy2025.grades.B.drawRatio, 60),
      ratio: policy2025.grades.B.drawRatio,
    });
    const tasks2025 = await tasksOf(rt, plan2025.id);
    expect(tasks2025).toHaveLength(28 + ceilShare(policy2025.grades.B.drawRatio, 60));

    // the inspectors sample every task (another product for the second category)
    const samples = new Map<string, string>(); // `${category}/${enterpriseId}` → sample id
    for (const task of tasks2025) {
      const { id } = await sampleTask(
        rt,
        inspectors,
        task,
        task.category_code === '0102'
          ? { productName: '转换器', standardCode: 'GB 2099.1-2008', trademark: '莞插', model: 'ZP-16A' }
          : {},
      );
      samples.set(`${task.category_code}/${task.enterprise_id}`, id);
    }

    // ---- the lab: what fails, and the grades that follow ----------------------------------------
    on('2025-03-20');
    const failures = new Map<string, ItemClass[]>(); // enterprise id → failed classes
    const verdicts: [number, string, ItemClass][] = [
      ...[0, 1, 2, 3].flatMap((i) => [
        [i, '0101', 'critical'] as [number, string, ItemClass],
        [i, '0102', 'critical'] as [number, string, ItemClass],
      ]),
      ...[4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map(
        (i) => [i, '0101', 'critical'] as [number, string, ItemClass],
      ),
      [14, '0101', 'major'],
      [15, '0101', 'major'],
      [16, '0101', 'minor'],
      [17, '0101', 'minor'],
    ];
    for (const [i, category, cls] of verdicts) {
      const id = makers[i]!.id;
      await testSample(rt, labUserOf(lab), samples.get(`${category}/${id}`)!, cls);
      samples.delete(`${category}/${id}`);
      failures.set(id, [...(failures.get(id) ?? []), cls]);
    }
    for (const sampleId of samples.values()) await testSample(rt, labUserOf(lab), sampleId, null);

    // the grades moved with the results, as the rule set's points and lines say
    const grades = await gradeSnapshot(rt.db);
    const gradeOf = (id: string) => grades.get(id) ?? 'B';
    for (const m of makers) {
      const want = expectedGrade(failures.get(m.id) ?? []);
      expect(gradeOf(m.id), `grade of maker ${makers.indexOf(m)}`).toBe(want.grade);
      if (failures.has(m.id))
        expect((await computeGrade(rt.db, m.id, '2025-03-20')).result.score).toBe(want.score);
    }
    // two critical failures make a D, one a C; a serious or general failure alone keeps a B
    expect(expectedGrade(['critical', 'critical']).grade).toBe('D');
    expect(expectedGrade(['critical']).grade).toBe('C');
    expect(expectedGrade(['major']).grade).toBe('B');
    const group = (g: Grade) => makers.filter((m) => gradeOf(m.id) === g).map((m) => m.id);
    const failedIds = new Set([...group('C'), ...group('D')]);
    expect([group('A').length, group('B').length, group('C').length, group('D').length]).toEqual([
      0, 46, 10, 4,
    ]);

    // ---- 2026: the next year's plan, past the 6-month window ------------------------------------
    on('2026-03-02');
    const policy = await supervisionPolicy(rt.db, '2026-03-02');
    const ratio = Object.fromEntries(GRADES.map((g) => [g, policy.grades[g].drawRatio])) as Record<
      Grade,
      number
    >;
    expect(ratio.D).toBeGreaterThan(ratio.C);
    expect(ratio.C).toBeGreaterThan(ratio.B);
    const plan2026 = await publishedPlan(rt, {
      code: 'DG-2026-LOOP',
      year: 2026,
      category: '0101',
      labId: lab.id,
    });

    // over many seeds (writing nothing): how often each maker would be drawn
    const seeds = Array.from({ length: 24 }, (_, i) => 1000 + i);
    const times = new Map<string, number>();
    for (const seed of seeds) {
      const p = await previewDraw(rt, plan2026.id, seed);
      expect(p.excluded).toEqual([]); // the 2025 samples are more than 6 months old
      for (const g of GRADES)
        expect(p.strata.find((s) => s.grade === g)).toEqual({
          grade: g,
          population: group(g).length,
          drawn: ceilShare(ratio[g], group(g).length),
          ratio: ratio[g],
        });
      for (const i of p.items) times.set(i.enterpriseId, (times.get(i.enterpriseId) ?? 0) + 1);
    }
    const rate = (ids: string[]) =>
      ids.reduce((a, id) => a + (times.get(id) ?? 0), 0) / (ids.length * seeds.length);
    const failedRate = rate([...failedIds]);
    const othersRate = rate(group('B'));
    // C at 0.3 and D at 1.0 against B at 0.05: the failed are drawn ten times as often
    expect(failedRate).toBeCloseTo((ceilShare(ratio.C, 10) + ceilShare(ratio.D, 4)) / 14, 10);
    expect(othersRate).toBeCloseTo(ceilShare(ratio.B, 46) / 46, 10);
    expect(failedRate).toBeGreaterThan(5 * othersRate);
    for (const id of group('D')) expect(times.get(id)).toBe(seeds.length);
    for (const id of group('C')) expect(times.get(id) ?? 0).toBeGreaterThan(0);
    // the makers who passed in 2025 (or failed a minor or serious item) are drawn no more than B's ratio
    const passed2025 = tasks2025.map((t) => t.enterprise_id).filter((id) => !failedIds.has(id));
    expect(rate(passed2025)).toBeLessThan(failedRate / 3);

    // the confirmed draw: tasks for every D, ceil(30 %) of the Cs, ceil(5 %) of the Bs
    await confirmDraw(rt, actor, plan2026.id, 2026);
    const tasks2026 = await tasksOf(rt, plan2026.id);
    const reasons = tasks2026.map((t) => t.reason);
    expect(reasons.filter((r) => r === 'stratum:D')).toHaveLength(4);
    expect(reasons.filter((r) => r === 'stratum:C')).toHaveLength(ceilShare(ratio.C, 10));
    expect(reasons.filter((r) => r === 'stratum:B')).toHaveLength(ceilShare(ratio.B, 46));
    for (const t of tasks2026) {
      expect(failedIds.has(t.enterprise_id)).toBe(t.reason !== 'stratum:B');
      expect(t.inspectors).toHaveLength(2);
    }
  }, 180_000);
});
