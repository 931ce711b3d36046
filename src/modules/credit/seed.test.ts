// The demo credit archive: every fact the rule set scores except sampling's (the sampling module's
// seed produces failed and refused samples through its own services, after this one), chains that
// verify, objections on records that are not samples, and a grade mix with all four grades.
//
// The mix without sampling facts (demo, seed 2016, as of 2026-06-30), on both databases:
// A 222 · B 1693 · C 76 · D 9 of 2,000 (11.1 % · 84.7 % · 3.8 % · 0.45 %). With the invented
// sampling facts it was A 216 · B 1647 · C 121 · D 16. The mix is checked again once sampling seeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { SEED_AS_OF, seedRegistry } from '../registry/seed.js';
import { verifyChains } from './archive.js';
import { seedCredit } from './seed.js';

const SCORED_WITHOUT_SAMPLING = [
  'credit.blacklist.listed',
  'credit.cleanRecord.reached',
  'credit.complaint.verified',
  'credit.judgement.recorded',
  'credit.penalty.recorded',
  'equipment.inspection.failed',
  'equipment.inspection.overdue',
  'metrology.verification.failed',
  'metrology.verification.overdue',
  'recognition.award.granted',
  'recognition.brand.awarded',
  'recognition.excellence.practised',
  'recognition.standard.led',
];

describe.each(DIALECTS)('credit demo seed [%s]', (dialect) => {
  let rt: Runtime;
  let records = 0;
  beforeAll(async () => {
    rt = await testContext(dialect, { clock: fixedClock(`${SEED_AS_OF}T04:00:00Z`) });
    await seedRegistry(rt, { scale: 'demo', seed: 2016 });
    records = (await seedCredit(rt, { scale: 'demo', seed: 2016 })).records;
  }, 300_000);
  afterAll(async () => rt?.close());

  it('invents no sampling fact: no failed or refused sample, no sampling event', async () => {
    const sampling = await rt.db
      .selectFrom('credit_records')
      .select('id')
      .where('event_type', 'like', 'sampling.%')
      .execute();
    expect(sampling).toEqual([]);
    const events = await rt.db
      .selectFrom('outbox_events')
      .select('id')
      .where((eb) => eb.or([eb('type', 'like', 'sampling.%'), eb('producer', '=', 'sampling')]))
      .execute();
    expect(events).toEqual([]);
    expect(await rt.db.selectFrom('credit_sample_outcomes').select('source_event_id').execute()).toEqual([]);
  });

  it('keeps every other kind of fact, in chains that verify', async () => {
    expect(records).toBeGreaterThan(2_000);
    const types = await rt.db
      .selectFrom('credit_records')
      .select('event_type')
      .distinct()
      .where('kind', '<>', 'reversal')
      .orderBy('event_type')
      .execute();
    expect(types.map((t) => t.event_type)).toEqual(SCORED_WITHOUT_SAMPLING);
    expect((await verifyChains(rt)).firstBroken).toBeNull();
  });

  it('plays objections at every stage on records that are not samples', async () => {
    const objections = await rt.db
      .selectFrom('credit_objections as o')
      .innerJoin('credit_records as r', 'r.id', 'o.record_id')
      .select(['o.state', 'r.event_type'])
      .execute();
    expect(objections.length).toBe(10);
    expect(new Set(objections.map((o) => o.state))).toEqual(
      new Set(['submitted', 'underReview', 'upheld', 'rejected', 'withdrawn']),
    );
    for (const o of objections) expect(o.event_type).not.toMatch(/^sampling\./);
    // an upheld objection reverses its record
    const upheld = await rt.db
      .selectFrom('credit_objections')
      .select('reversal_id')
      .where('state', '=', 'upheld')
      .execute();
    expect(upheld.length).toBe(2);
    for (const u of upheld) expect(u.reversal_id).not.toBeNull();
  });

  it('grades every enterprise, all four grades, mostly B', async () => {
    const rows = await rt.db
      .selectFrom('credit_grades')
      .select((eb) => ['grade', eb.fn.countAll<number>().as('n')])
      .groupBy('grade')
      .execute();
    const n = Object.fromEntries(rows.map((r) => [r.grade, Number(r.n)])) as Record<string, number>;
    const total = (n.A ?? 0) + (n.B ?? 0) + (n.C ?? 0) + (n.D ?? 0);
    expect(total).toBe(2_000);
    const share = (g: string) => (n[g] ?? 0) / total;
    expect(share('A')).toBeGreaterThan(0.09);
    expect(share('A')).toBeLessThan(0.14);
    expect(share('B')).toBeGreaterThan(0.8);
    expect(share('B')).toBeLessThan(0.88);
    expect(share('C')).toBeGreaterThan(0.025);
    expect(share('C')).toBeLessThan(0.06);
    expect(n.D ?? 0).toBeGreaterThanOrEqual(4); // the four entries listed or published (veto → D) at least
    expect(share('D')).toBeLessThan(0.01);
  });
});
