// The measurements of bench/sampling.bench.ts over a built fixture (sampling-fixture.ts), in their
// own file so they can be run again over a kept database.
import { sql } from 'kysely';
import { newId } from '../src/core/ids.js';
import { todayInShanghai } from '../src/core/workdays.js';
import { heavyRead } from '../src/db/read-pool.js';
import { computeDraw } from '../src/modules/sampling/draw.js';
import { drawOfPlan, previewDraw } from '../src/modules/sampling/draw-store.js';
import { getPlan } from '../src/modules/sampling/plans.js';
import { enterResults } from '../src/modules/sampling/results.js';
import { crossQuery, resolveStatsFilter, samplingStatistics } from '../src/modules/sampling/statistics.js';
import type { AuthUser } from '../src/platform/auth/policies.js';
import type { Runtime } from '../src/platform/bootstrap.js';
import { percentile, type Row, time } from './lib.js';
import { type Fixture, YEARS } from './sampling-fixture.js';

const RUNS = 5;
const RESULT_RUNS = 300;

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

export async function measureSampling(rt: Runtime, f: Fixture, dialect: string): Promise<Row[]> {
  const rows: Row[] = [];
  // (a) pass-rate statistics.
  const bareStats = async () =>
    (
      await time(() =>
        sql`select year, town_code, category_code, verdict, count(*) as n from sampling_samples group by year, town_code, category_code, verdict`.execute(
          rt.db,
        ),
      )
    ).ms;
  const filter = await resolveStatsFilter(rt, null, { from: YEARS[0], to: YEARS[YEARS.length - 1] });
  await samplingStatistics(rt, filter); // starts the read workers, warms the caches
  await bareStats();
  const statsMs: number[] = [];
  const crossMs: number[] = [];
  const bareMs: number[] = [];
  let cells = 0;
  for (let i = 0; i < RUNS; i++) {
    bareMs.push(await bareStats());
    const s = await time(() => samplingStatistics(rt, filter));
    statsMs.push(s.ms);
    cells = s.value.cross.length;
    crossMs.push((await time(() => heavyRead(rt.db, crossQuery(rt, filter)))).ms);
  }
  const bare = median(bareMs);
  rows.push({
    dialect,
    metric: `pass-rate statistics, every view (${cells} town × category × year cells)`,
    value: median(statsMs),
    unit: 'ms',
    goal: '≤ 500 ms',
    baseline: `bare GROUP BY (${bare.toFixed(0)} ms)`,
    ratio: median(statsMs) / bare,
  });
  rows.push({
    dialect,
    metric: 'town × category × year GROUP BY alone (read pool)',
    value: median(crossMs),
    unit: 'ms',
    baseline: `bare GROUP BY (${bare.toFixed(0)} ms)`,
    ratio: median(crossMs) / bare,
  });
  const town = await resolveStatsFilter(rt, '441900119', {});
  const townMs: number[] = [];
  for (let i = 0; i < RUNS; i++) townMs.push((await time(() => samplingStatistics(rt, town))).ms);
  rows.push({
    dialect,
    metric: 'pass-rate statistics, one town (长安)',
    value: median(townMs),
    unit: 'ms',
  });

  // (b) the draw over the whole register.
  const bareDraw = async () =>
    (
      await time(() =>
        rt.db
          .selectFrom('enterprise_products as ep')
          .innerJoin('enterprises as e', 'e.id', 'ep.enterprise_id')
          .leftJoin('credit_grades as g', 'g.enterprise_id', 'e.id')
          .select(['e.id', 'g.grade', 'e.town_code', 'ep.category_code', 'e.status'])
          .where('ep.category_code', 'in', f.planCategories)
          .execute(),
      )
    ).ms;
  const seed = 20_260_101;
  const first = await previewDraw(rt, f.drawPlanId, seed);
  await bareDraw();
  const drawMs: number[] = [];
  const computeMs: number[] = [];
  const bareDrawMs: number[] = [];
  const plan = await getPlan(rt.db, f.drawPlanId);
  const { input } = await drawOfPlan(rt.db, plan, seed, todayInShanghai(rt.clock.now()));
  for (let i = 0; i < 3; i++) {
    bareDrawMs.push(await bareDraw());
    drawMs.push((await time(() => previewDraw(rt, f.drawPlanId, seed))).ms);
    computeMs.push((await time(async () => computeDraw(input))).ms);
  }
  const bd = median(bareDrawMs);
  rows.push({
    dialect,
    metric: `draw preview over a pool of ${first.poolSize} (${first.items.length} drawn, ${first.excluded.length} excluded)`,
    value: median(drawMs),
    unit: 'ms',
    goal: '≤ 200 ms and ≤ 2×',
    baseline: `bare SELECT id, grade … JOIN (${bd.toFixed(0)} ms)`,
    ratio: median(drawMs) / bd,
  });
  rows.push({
    dialect,
    metric: 'draw: computeDraw alone (in memory)',
    value: median(computeMs),
    unit: 'ms',
    baseline: 'bare SELECT id, grade … JOIN',
    ratio: median(computeMs) / bd,
  });

  // (c) one result entered → the enterprise's new grade visible. enterResults commits the credit
  //     record and the regrade with the result; the grade is then read as any page would.
  const labUser: AuthUser = {
    id: newId(),
    username: 'bench_lab',
    displayName: '基准检测机构',
    role: 'lab',
    townCode: null,
    enterpriseId: f.labId,
    via: 'session',
  };
  const actor = { id: labUser.id, label: labUser.username };
  const pending = await rt.db
    .selectFrom('sampling_samples')
    .select(['id', 'enterprise_id', 'sampled_on', 'task_id'])
    .where('state', '=', 'sentToLab')
    .orderBy('id')
    .limit(2 * RESULT_RUNS)
    .execute();
  const reportedOn = todayInShanghai(rt.clock.now());
  // Item i2 is critical in the fixture's plans: a failure there moves a B (100) to C (80).
  const items = [1, 2, 3, 4, 5].map((k) => ({
    key: `i${k}`,
    measured: k === 2 ? '1.20 mA' : '合格',
    verdict: (k === 2 ? 'fail' : 'pass') as 'pass' | 'fail',
  }));
  const resultMs: number[] = [];
  const bareResultMs: number[] = [];
  let moved = 0;
  for (let i = 0; i < Math.min(RESULT_RUNS, Math.floor(pending.length / 2)); i++) {
    const s = pending[2 * i]!;
    const before = await rt.db
      .selectFrom('credit_grades')
      .select('grade')
      .where('enterprise_id', '=', s.enterprise_id)
      .executeTakeFirst();
    const t = await time(async () => {
      await enterResults(rt, labUser, actor, s.id, { reportedOn, items });
      return rt.db
        .selectFrom('credit_grades')
        .select(['grade', 'score'])
        .where('enterprise_id', '=', s.enterprise_id)
        .executeTakeFirstOrThrow();
    });
    if (t.value.grade !== before?.grade) moved++;
    resultMs.push(t.ms);
    // baseline: the same rows written alone (sample, items, task) in one transaction
    const b = pending[2 * i + 1]!;
    bareResultMs.push(
      (
        await time(() =>
          rt.db.transaction().execute(async (trx) => {
            const at = new Date().toISOString();
            await trx
              .updateTable('sampling_samples')
              .set({
                state: 'reported',
                verdict: 'fail',
                severity: 'critical',
                reported_on: reportedOn,
                updated_at: at,
              })
              .where('id', '=', b.id)
              .execute();
            await trx
              .insertInto('sampling_results')
              .values(
                items.map((it, k) => ({
                  sample_id: b.id,
                  item_key: it.key,
                  round: 'original',
                  measured: it.measured,
                  verdict: it.verdict,
                  item_class: ['major', 'critical', 'minor', 'major', 'critical'][k]!,
                  lab_enterprise_id: f.labId,
                  entered_at: at,
                  entered_by: labUser.id,
                })),
              )
              .execute();
            await trx
              .updateTable('sampling_tasks')
              .set({ state: 'tested', updated_at: at })
              .where('id', '=', b.task_id)
              .execute();
          }),
        )
      ).ms,
    );
  }
  resultMs.sort((a, b) => a - b);
  bareResultMs.sort((a, b) => a - b);
  console.log(`results: ${resultMs.length} failing results entered, ${moved} grades moved`);
  rows.push({
    dialect,
    metric: `result → new grade visible p50 (${resultMs.length} results, ${moved} grades moved)`,
    value: percentile(resultMs, 50),
    unit: 'ms',
    baseline: 'the result rows written alone',
    ratio: percentile(resultMs, 50) / percentile(bareResultMs, 50),
  });
  rows.push({
    dialect,
    metric: 'result → new grade visible p99',
    value: percentile(resultMs, 99),
    unit: 'ms',
    goal: '≤ 10 ms',
    baseline: 'the result rows written alone',
    ratio: percentile(resultMs, 99) / percentile(bareResultMs, 99),
  });
  return rows;
}
