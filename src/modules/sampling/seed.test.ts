// The generated sampling data: on both databases over a small register the test builds, and on
// SQLite over the real first-run demo city (ensureDemoData). What a user of the demo sees must
// hold: draws that verify from their records, a post-processing case at every step and exactly one
// overdue, pass rates about 95 % a year (lower for the C and D enterprises the draw saw), credit
// records and grades that agree with the samples, the inspector register with the demo officials,
// and work waiting for the demo lab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoData } from '../../cli/demo.js';
import { fixedClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, type TestDialect, testContext } from '../../testing/db.js';
import { computeGrade } from '../credit/index.js';
import { seedCredit } from '../credit/seed.js';
import { SEED_AS_OF, seedRegistry } from '../registry/seed.js';
import { caseOf } from './cases.js';
import { verifyDraw } from './draw-store.js';
import { isOverdue } from './postprocess.js';
import { type SamplingSeedResult, seedSampling } from './seed.js';

const clock = fixedClock(`${SEED_AS_OF}T04:00:00Z`);
const SMALL = 700;

async function smallCity(dialect: TestDialect, seed = 2016) {
  const rt = await testContext(dialect, { clock });
  await seedRegistry(rt, { scale: 'demo', seed, count: SMALL });
  await seedCredit(rt, { scale: 'demo', seed });
  const result = await seedSampling(rt, { scale: 'demo', seed });
  return { rt, result };
}

/** What a seed must reproduce: every sample's number, producer, verdict and severity. */
async function fingerprint(rt: Runtime) {
  const rows = await rt.db
    .selectFrom('sampling_samples as s')
    .innerJoin('enterprises as e', 'e.id', 's.enterprise_id')
    .select([
      's.sample_no',
      'e.uscc',
      's.category_code',
      's.sampled_on',
      's.verdict',
      's.severity',
      's.state',
    ])
    .orderBy('s.sample_no')
    .execute();
  return rows.map((r) => Object.values(r).join(' '));
}

async function cases(rt: Runtime) {
  return (await rt.db.selectFrom('sampling_cases').select('body').execute()).map(caseOf);
}

async function expectEveryDrawIdentical(rt: Runtime) {
  const draws = await rt.db.selectFrom('sampling_draws').select(['plan_id', 'seed']).execute();
  expect(draws.length).toBeGreaterThanOrEqual(5);
  for (const d of draws) {
    expect(d.seed).toBeGreaterThanOrEqual(0);
    expect(await verifyDraw(rt.db, d.plan_id), d.plan_id).toEqual({ identical: true, differences: [] });
  }
}

async function expectCasesAtEveryStep(rt: Runtime) {
  const all = await cases(rt);
  const states = new Set(all.map((c) => c.state));
  for (const s of [
    'notified',
    'objectionWindow',
    'retesting',
    'correcting',
    'provinceNotified',
    'suspended',
    'revoked',
    'closedRectified',
    'closedOverturned',
  ] as const)
    expect(states, s).toContain(s);
  // a re-test upheld a failure (and the case went on)
  expect(all.some((c) => c.retest?.upheld === true && c.confirmation?.by === 'retestUpheld')).toBe(true);
  // the objected case waits for its re-test lab, which is not the lab that tested the sample
  const retesting = all.find((c) => c.state === 'retesting')!;
  expect(retesting.retest!.labEnterpriseId).not.toBe(retesting.originalLabEnterpriseId);
  // exactly one case is overdue on the seed day: the re-inspection after a correction order
  const overdue = all.filter((c) => isOverdue(c, SEED_AS_OF));
  expect(overdue.map((c) => c.state)).toEqual(['correcting']);
}

/** Each failure scored into the archive (once a rule set was in force), each overturn reversed, grades as computed. */
async function expectCreditAgrees(rt: Runtime) {
  const firstRuleSet = await rt.db
    .selectFrom('credit_rule_sets')
    .select((eb) => eb.fn.min('effective_from').as('d'))
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  const from = String(firstRuleSet.d);
  const failures = await rt.db
    .selectFrom('sampling_samples')
    .select(['id', 'enterprise_id', 'reported_on', 'failed_event_id', 'verdict', 'severity'])
    .where('failed_event_id', 'is not', null)
    .execute();
  expect(failures.length).toBeGreaterThan(10);
  const records = await rt.db
    .selectFrom('credit_records')
    .select(['id', 'source_event_id', 'reverses_id', 'enterprise_id'])
    .where('event_type', 'in', ['sampling.sample.failed', 'sampling.sample.refused'])
    .execute();
  const reversed = new Set(
    (
      await rt.db
        .selectFrom('credit_records')
        .select('reverses_id')
        .where('reverses_id', 'is not', null)
        .execute()
    ).map((r) => r.reverses_id),
  );
  const bySource = new Map(records.map((r) => [r.source_event_id, r]));
  let scored = 0;
  for (const f of failures) {
    const record = bySource.get(f.failed_event_id);
    if (f.reported_on! < from) {
      expect(record, `${f.id} failed before any rule set`).toBeUndefined();
      continue;
    }
    expect(record, `the failure of ${f.id} has its credit record`).toBeDefined();
    expect(record!.enterprise_id).toBe(f.enterprise_id);
    // a failure the re-test overturned is reversed; a standing one is not
    expect(reversed.has(record!.id), `${f.id} is ${f.verdict}`).toBe(f.verdict === 'pass');
    scored++;
  }
  expect(scored).toBeGreaterThan(5);
  // refusals are violations too
  const refusals = await rt.db
    .selectFrom('sampling_tasks')
    .select('id')
    .where('state', '=', 'refused')
    .execute();
  expect(refusals.length).toBeGreaterThan(0);
  // a revoked licence is a credit fact of its own
  for (const c of (await cases(rt)).filter((x) => x.state === 'revoked')) {
    const revoked = await rt.db
      .selectFrom('credit_records')
      .select('id')
      .where('enterprise_id', '=', c.enterpriseId)
      .where('event_type', '=', 'licensing.licence.revoked')
      .execute();
    expect(revoked, c.sampleNo).toHaveLength(1);
  }
  // every stored grade is the grade the archive gives on the seed day
  const grades = await rt.db
    .selectFrom('credit_grades as g')
    .innerJoin('sampling_samples as s', 's.enterprise_id', 'g.enterprise_id')
    .select(['g.enterprise_id', 'g.grade', 'g.score'])
    .distinct()
    .execute();
  expect(grades.length).toBeGreaterThan(50);
  for (const g of grades) {
    const { result } = await computeGrade(rt.db, g.enterprise_id, SEED_AS_OF);
    expect({ grade: g.grade, score: Number(g.score) }, g.enterprise_id).toEqual({
      grade: result.grade,
      score: result.score,
    });
  }
}

const fingerprints = new Map<TestDialect, string[]>();

describe.each(DIALECTS)('sampling seed over a small register [%s]', (dialect) => {
  let rt: Runtime;
  let result: SamplingSeedResult;
  beforeAll(async () => {
    ({ rt, result } = await smallCity(dialect));
    fingerprints.set(dialect, await fingerprint(rt));
  }, 240_000);
  afterAll(async () => rt?.close());

  it('plays four years of plans through the services', () => {
    expect(result).toMatchObject({ skipped: false, asOf: SEED_AS_OF, plans: 6, inspectors: 9 });
    expect(result.samples).toBeGreaterThan(100);
    expect(result.failed).toBeGreaterThan(8);
  });

  it('every draw verifies identical from its record', () => expectEveryDrawIdentical(rt));

  it('keeps a case at every step on the seed day, exactly one overdue', () => expectCasesAtEveryStep(rt));

  it('the credit archive and the grades agree with the samples', () => expectCreditAgrees(rt), 120_000);

  it('puts staff inspectors on the register with passwords they must replace, some with conflicts', async () => {
    const staff = await rt.db
      .selectFrom('users as u')
      .innerJoin('sampling_inspectors as i', 'i.user_id', 'u.id')
      .select(['u.username', 'u.role', 'u.must_change_password', 'i.town_code', 'i.conflicts', 'i.active'])
      .where('u.username', 'like', 'insp-%')
      .orderBy('u.username')
      .execute();
    expect(staff.map((s) => s.username)).toEqual([
      'insp-changan-1',
      'insp-changan-2',
      'insp-city-1',
      'insp-city-2',
      'insp-city-3',
      'insp-houjie-1',
      'insp-houjie-2',
      'insp-humen-1',
      'insp-humen-2',
    ]);
    for (const s of staff) {
      expect(s.must_change_password).toBe(1);
      expect(s.active).toBe(1);
      expect(s.town_code === null).toBe(s.role === 'regulator');
    }
    const conflicts = staff.flatMap((s) => JSON.parse(s.conflicts) as { reason: string }[]);
    expect(conflicts.length).toBeGreaterThanOrEqual(3);
    for (const c of conflicts) expect(c.reason).not.toBe('');
  });

  it('runs once: a second run writes nothing', async () => {
    const before = await fingerprint(rt);
    expect((await seedSampling(rt, { scale: 'demo', seed: 2016 })).skipped).toBe(true);
    expect(await fingerprint(rt)).toEqual(before);
  });

  it('gives the same samples and verdicts for the same seed on either database', () => {
    const sqlite = fingerprints.get('sqlite');
    if (dialect !== 'sqlite' && sqlite) expect(fingerprints.get(dialect)).toEqual(sqlite);
  });
});

describe('sampling seed determinism [sqlite]', () => {
  it('the same seed gives the same sample numbers and verdicts; another seed others', async () => {
    const first = fingerprints.get('sqlite');
    const again = await smallCity('sqlite');
    const other = await smallCity('sqlite', 7);
    try {
      const same = await fingerprint(again.rt);
      if (first) expect(same).toEqual(first);
      expect(same.length).toBeGreaterThan(100);
      expect(await fingerprint(other.rt)).not.toEqual(same);
    } finally {
      await again.rt.close();
      await other.rt.close();
    }
  }, 360_000);
});

describe('the first-run demo city with its sampling [sqlite]', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await testContext('sqlite', { clock });
    await ensureDemoData(rt);
  }, 300_000);
  afterAll(async () => rt?.close());

  it('manufacturing passes 93–97 % every year, C and D enterprises less than A and B', async () => {
    const rows = await rt.db
      .selectFrom('sampling_samples as s')
      .innerJoin('industries as i', 'i.code', 's.industry_code')
      .select(['s.year', 's.verdict', 's.grade_when_drawn'])
      .where('i.section', '=', 'C')
      .where('s.verdict', 'is not', null)
      .execute();
    const rate = (list: typeof rows) => list.filter((r) => r.verdict === 'pass').length / list.length;
    const years = [...new Set(rows.map((r) => r.year))].sort();
    expect(years).toEqual([2023, 2024, 2025, 2026]);
    for (const y of years) {
      const r = rate(rows.filter((x) => x.year === y));
      expect(r, `${y}`).toBeGreaterThanOrEqual(0.93);
      expect(r, `${y}`).toBeLessThanOrEqual(0.97);
    }
    const ab = rate(rows.filter((r) => r.grade_when_drawn === 'A' || r.grade_when_drawn === 'B'));
    const cd = rate(rows.filter((r) => r.grade_when_drawn === 'C' || r.grade_when_drawn === 'D'));
    expect(cd).toBeLessThan(ab);
    expect(rows.length).toBeGreaterThan(350);
  });

  it('every draw verifies identical from its record', () => expectEveryDrawIdentical(rt));

  it('keeps a case at every step on the seed day, exactly one overdue', () => expectCasesAtEveryStep(rt));

  it('the credit archive and the grades agree with the samples', () => expectCreditAgrees(rt), 120_000);

  it('puts the demo regulator and town officer on the inspector register once they exist', async () => {
    const rows = await rt.db
      .selectFrom('sampling_inspectors as i')
      .innerJoin('users as u', 'u.id', 'i.user_id')
      .select(['u.username', 'u.town_code as user_town', 'i.town_code', 'i.active'])
      .where('u.username', 'in', ['regulator', 'changan'])
      .orderBy('u.username')
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ username: 'changan', active: 1 });
    expect(rows[0]!.town_code).toBe(rows[0]!.user_town);
    expect(rows[1]).toMatchObject({ username: 'regulator', town_code: null, active: 1 });
  });

  it('gives the demo lab samples of this year’s plan to test, and the demo enterprise a failure to object to', async () => {
    const lab = await rt.db
      .selectFrom('users')
      .select('enterprise_id')
      .where('username', '=', 'lab')
      .executeTakeFirstOrThrow();
    const plans = await rt.db
      .selectFrom('sampling_plans')
      .select(['body'])
      .where('year', '=', 2026)
      .execute();
    const named = plans.some((p) =>
      (JSON.parse(p.body) as { categories: { labEnterpriseId: string }[] }).categories.some(
        (c) => c.labEnterpriseId === lab.enterprise_id,
      ),
    );
    expect(named).toBe(true);
    const waiting = await rt.db
      .selectFrom('sampling_samples')
      .select('id')
      .where('lab_enterprise_id', '=', lab.enterprise_id!)
      .where('state', '=', 'sentToLab')
      .execute();
    expect(waiting.length).toBeGreaterThan(0);
    // tasks still to be sampled this year
    const assigned = await rt.db
      .selectFrom('sampling_tasks')
      .select('id')
      .where('year', '=', 2026)
      .where('state', '=', 'assigned')
      .execute();
    expect(assigned.length).toBeGreaterThan(0);
    const enterprise = await rt.db
      .selectFrom('users')
      .select('enterprise_id')
      .where('username', '=', 'enterprise')
      .executeTakeFirstOrThrow();
    const own = (await cases(rt)).filter((c) => c.enterpriseId === enterprise.enterprise_id);
    expect(own.map((c) => c.state)).toContain('objectionWindow');
  });
});

describe.each(DIALECTS)('the city seed’s bulk path over a small register [%s]', (dialect) => {
  let rt: Runtime;
  let result: SamplingSeedResult;
  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    await seedRegistry(rt, { scale: 'city', seed: 2016, count: 2_500 });
    await seedCredit(rt, { scale: 'demo', seed: 2016 });
    result = await seedSampling(rt, { scale: 'city', seed: 2016 });
  }, 240_000);
  afterAll(async () => rt?.close());

  it('draws a batch a month from March, about 95 % passing every year', async () => {
    // 2023–2025: March to December; 2026 up to the seed day (March to June)
    expect(result).toMatchObject({ skipped: false, plans: 34, inspectors: 9 });
    const rows = await rt.db
      .selectFrom('sampling_samples')
      .select(['year', 'verdict'])
      .where('verdict', 'is not', null)
      .execute();
    for (const y of [2023, 2024, 2025, 2026]) {
      const list = rows.filter((r) => r.year === y);
      const rate = list.filter((r) => r.verdict === 'pass').length / list.length;
      expect(list.length, `${y}`).toBeGreaterThan(80);
      expect(rate, `${y}`).toBeGreaterThanOrEqual(0.93);
      expect(rate, `${y}`).toBeLessThanOrEqual(0.97);
    }
  });

  it('every draw verifies identical from its record', () => expectEveryDrawIdentical(rt), 120_000);

  it('writes the rows and events the services write', async () => {
    const tasks = await rt.db.selectFrom('sampling_tasks').select(['id', 'state', 'refusal']).execute();
    const samples = await rt.db
      .selectFrom('sampling_samples as s')
      .innerJoin('sampling_plans as p', 'p.id', 's.plan_id')
      .select([
        's.id',
        's.task_id',
        's.sample_no',
        's.category_code',
        's.state',
        's.verdict',
        's.failed_event_id',
        'p.body',
      ])
      .execute();
    const byTask = new Map(samples.map((s) => [s.task_id, s]));
    const results = await rt.db
      .selectFrom('sampling_results')
      .select(['sample_id', 'round'])
      .where('round', '=', 'original')
      .execute();
    const itemsOf = new Map<string, number>();
    for (const r of results) itemsOf.set(r.sample_id, (itemsOf.get(r.sample_id) ?? 0) + 1);
    for (const t of tasks) {
      const s = byTask.get(t.id);
      if (t.state === 'refused') expect(JSON.parse(t.refusal!)).toMatchObject({ note: expect.any(String) });
      if (t.state === 'assigned' || t.state === 'refused') expect(s).toBeUndefined();
      if (t.state === 'sentToLab') expect(s?.state).toBe('sentToLab');
      if (t.state === 'tested') {
        const body = JSON.parse(s!.body) as { categories: { code: string; checkItems: unknown[] }[] };
        const expected = body.categories.find((c) => c.code === s!.category_code)!.checkItems.length;
        expect(itemsOf.get(s!.id)).toBe(expected);
      }
    }
    const events = await rt.db
      .selectFrom('outbox_events')
      .select(['id', 'type', 'aggregate_id', 'payload'])
      .where('type', 'in', ['sampling.sample.passed', 'sampling.sample.failed', 'sampling.sample.refused'])
      .execute();
    const failedById = new Map(
      events.filter((e) => e.type === 'sampling.sample.failed').map((e) => [e.id, e]),
    );
    const passedFor = new Set(
      events.filter((e) => e.type === 'sampling.sample.passed').map((e) => e.aggregate_id),
    );
    for (const s of samples.filter((x) => x.verdict)) {
      if (s.failed_event_id) {
        const e = failedById.get(s.failed_event_id)!;
        expect(JSON.parse(e.payload)).toMatchObject({ sampleNo: s.sample_no });
      } else expect(passedFor.has(s.id), s.sample_no).toBe(true);
    }
    expect(events.filter((e) => e.type === 'sampling.sample.refused')).toHaveLength(
      tasks.filter((t) => t.state === 'refused').length,
    );
    // one case per failure, none overdue on the seed day
    const all = await cases(rt);
    expect(all).toHaveLength(samples.filter((s) => s.failed_event_id).length);
    expect(all.filter((c) => isOverdue(c, SEED_AS_OF))).toEqual([]);
  });

  it('the credit archive and the grades agree with the samples', () => expectCreditAgrees(rt), 120_000);
});
