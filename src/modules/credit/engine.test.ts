// The credit engine against a real database, on every dialect, with generated histories:
// events arrive through the outbox on their own day, records expire, reversals cancel, the daily job
// runs. Then, for every enterprise and every day: score = base + Σ contributions; the set-based city
// regrade equals the per-enterprise grade; the grade as of any past day equals what the history says
// was shown; and replaying every event into an empty archive reproduces every grade.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import { addCalendarDays } from '../../core/workdays.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import type { EventType } from '../../platform/events/catalogue.js';
import { dispatchPending, emitEvents } from '../../platform/events/outbox.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { createEnterprise } from '../registry/enterprises.js';
import { verifyChains } from './archive.js';
import { cityScores, computeGrade, gradesFromScores, recordedGradeOn, regradeAll } from './grading.js';
import { credit } from './index.js';
import { dailyCredit } from './jobs.js';
import { reverseRecord } from './records.js';
import { ruleSetOn } from './rule-store.js';
import { expiryDate, loadRuleSet } from './rules.js';

const RULES = loadRuleSet();
// One event per rule: its type and a payload its match fields accept.
const FACTS = RULES.rules
  .filter((r) => !r.eventType.startsWith('credit.blacklist.'))
  .map((r) => ({ type: r.eventType, payload: { ...(r.match ?? {}) }, validity: r.validity, rule: r.id }));
const START = '2024-01-01';
const SPAN = 900;
const at = (day: string) => `${day}T04:00:00Z`; // noon in Dongguan
const handlers = credit.eventHandlers!;

type Plan = { enterprise: number; fact: number; offset: number; reverseAfter: number | null }[];

const planArb = (enterprises: number) =>
  fc.array(
    fc.record({
      enterprise: fc.nat({ max: enterprises - 1 }),
      fact: fc.nat({ max: FACTS.length - 1 }),
      offset: fc.nat({ max: SPAN }),
      reverseAfter: fc.option(fc.integer({ min: 1, max: 400 }), { freq: 4 }),
    }),
    { minLength: 1, maxLength: 14 },
  );

describe.each(DIALECTS)('credit engine on %s', (dialect) => {
  let rt: Runtime;
  const clock = offsetClock(at(START));
  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
  });
  afterAll(async () => rt?.close());

  /** The daily job as the scheduler runs it: once per day, remembered in job_runs. */
  async function runDaily(target: Runtime, day: string) {
    const detail = await dailyCredit(target, day);
    await target.db
      .insertInto('job_runs')
      .values({
        job: 'credit.daily',
        period_key: day,
        started_at: clock.now().toISOString(),
        finished_at: clock.now().toISOString(),
        status: 'succeeded',
        detail,
      })
      .execute();
  }

  async function enterprisesIn(target: Runtime, n: number) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const e = buildEnterprise();
      await createEnterprise(target, systemActor('test'), e);
      out.push(
        await target.db
          .selectFrom('enterprises')
          .select(['id', 'uscc'])
          .where('uscc', '=', e.uscc)
          .executeTakeFirstOrThrow(),
      );
    }
    return out;
  }

  /** Plays a plan day by day; returns the enterprises and the last day. */
  async function play(target: Runtime, plan: Plan, enterprises: { id: string; uscc: string }[]) {
    const days = new Map<string, (() => Promise<void>)[]>();
    const on = (day: string, fn: () => Promise<void>) => days.set(day, [...(days.get(day) ?? []), fn]);
    const sourceOf: string[] = [];
    plan.forEach((p, i) => {
      const day = addCalendarDays(START, p.offset);
      const f = FACTS[p.fact]!;
      const e = enterprises[p.enterprise]!;
      on(day, async () => {
        const [id] = await emitEvents(
          target.db,
          [
            {
              type: f.type as EventType,
              occurredAt: day,
              enterpriseId: e.id,
              payload: { enterpriseId: e.id, uscc: e.uscc, ...f.payload, ...extraFields(f.type) } as never,
            },
          ],
          clock.now(),
        );
        sourceOf[i] = id!;
      });
      // every day a record may stop counting is visited, so the daily job sees it
      on(expiryDate(day, f.validity), async () => {});
      if (p.reverseAfter !== null) {
        const rday = addCalendarDays(day, p.reverseAfter);
        on(rday, async () => {
          const r = await target.db
            .selectFrom('credit_records')
            .select('id')
            .where('source_event_id', '=', sourceOf[i]!)
            .executeTakeFirst();
          const done =
            r &&
            (await target.db
              .selectFrom('credit_records')
              .select('id')
              .where('reverses_id', '=', r.id)
              .executeTakeFirst());
          if (r && !done)
            await target.db
              .transaction()
              .execute((trx) =>
                reverseRecord(trx, target, systemActor('test'), { recordId: r.id, reasons: '复核更正' }),
              );
        });
      }
    });
    const ordered = [...days.keys()].sort();
    for (const day of ordered) {
      clock.set(at(day));
      for (const fn of days.get(day)!) await fn();
      await dispatchPending(target, handlers);
      await runDaily(target, day);
    }
    return ordered[ordered.length - 1]!;
  }

  it('keeps score = base + Σ contributions, the city regrade and the history in agreement', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(planArb(3), async (plan) => {
        run += 1;
        clock.set(at(START));
        // each history starts in an empty database: time runs forward only
        const db = await testContext(dialect, { clock });
        try {
          const enterprises = await enterprisesIn(db, 3);
          const last = await play(db, plan, enterprises);
          const end = addCalendarDays(last, 1);
          const ruleSet = await ruleSetOn(db.db, end);
          const city = new Map(
            gradesFromScores(await cityScores(db.db, end, ruleSet)).map((g) => [g.enterpriseId, g]),
          );
          for (const e of enterprises) {
            const { result } = await computeGrade(db.db, e.id, end);
            expect(result.rawScore).toBe(
              result.base + result.contributions.reduce((a, c) => a + c.points, 0),
            );
            expect(city.get(e.id)).toMatchObject({
              grade: result.grade,
              score: result.score,
              rawScore: result.rawScore,
            });
            // what the history says was shown on each day is what the archive gives for that day
            for (let d = START; d <= last; d = addCalendarDays(d, 5)) {
              const shown = await recordedGradeOn(db.db, e.id, d);
              const { result: then } = await computeGrade(db.db, e.id, d);
              expect(shown ?? { grade: 'B', score: 100 }, `${e.uscc} on ${d} (run ${run})`).toMatchObject({
                grade: then.grade,
                score: then.score,
              });
            }
          }
          // the monthly regrade stores what the per-enterprise grade says
          await regradeAll(db, end);
          for (const e of enterprises) {
            const stored = await db.db
              .selectFrom('credit_grades')
              .selectAll()
              .where('enterprise_id', '=', e.id)
              .executeTakeFirstOrThrow();
            const { result } = await computeGrade(db.db, e.id, end);
            expect(stored).toMatchObject({
              grade: result.grade,
              score: result.score,
              raw_score: result.rawScore,
            });
          }
          expect((await verifyChains(db)).firstBroken).toBeNull();
        } finally {
          await db.close();
        }
      }),
      { numRuns: dialect === 'sqlite' ? 8 : 4, seed: 20261126 },
    );
    // Four to seven seconds alone; a loaded two-core machine takes several times that, and a
    // timed-out run would go on writing under the next test.
  }, 120_000);

  it('reproduces every grade by replaying the outbox into an empty archive', async () => {
    clock.set(at(START));
    const enterprises0 = await enterprisesIn(rt, 4);
    const plan: Plan = FACTS.map((_, i) => ({
      enterprise: i % 4,
      fact: i,
      offset: (i * 37) % SPAN,
      reverseAfter: i % 5 === 0 ? 30 : null,
    }));
    await play(rt, plan, enterprises0);
    const replica = await testContext(dialect, { clock });
    try {
      const enterprises = await rt.db.selectFrom('enterprises').selectAll().execute();
      for (let i = 0; i < enterprises.length; i += 200)
        await replica.db
          .insertInto('enterprises')
          .values(enterprises.slice(i, i + 200))
          .execute();
      const events = await rt.db
        .selectFrom('outbox_events')
        .selectAll()
        .where('producer', '<>', 'registry')
        .orderBy('id')
        .execute();
      for (let i = 0; i < events.length; i += 200)
        await replica.db
          .insertInto('outbox_events')
          .values(events.slice(i, i + 200))
          .execute();
      await dispatchPending(replica, handlers);
      // corrections are not events: the replica applies the same reversals to the same source events
      const reversals = await rt.db
        .selectFrom('credit_records as r')
        .innerJoin('credit_records as o', 'o.id', 'r.reverses_id')
        .select(['o.source_event_id', 'r.effective_on'])
        .orderBy('r.effective_on')
        .execute();
      for (const rv of reversals) {
        clock.set(at(rv.effective_on));
        const target = await replica.db
          .selectFrom('credit_records')
          .select('id')
          .where('source_event_id', '=', rv.source_event_id)
          .executeTakeFirstOrThrow();
        await replica.db
          .transaction()
          .execute((trx) =>
            reverseRecord(trx, replica, systemActor('test'), { recordId: target.id, reasons: 'replay' }),
          );
      }
      const day = '2026-12-31';
      expect(events.length).toBeGreaterThan(0);
      for (const e of enterprises) {
        const [a, b] = await Promise.all([
          computeGrade(rt.db, e.id, day),
          computeGrade(replica.db, e.id, day),
        ]);
        expect(b.result.score, e.uscc).toBe(a.result.score);
        expect(b.result.grade).toBe(a.result.grade);
        expect(b.result.contributions.map((c) => [c.rule, c.points, c.occurredOn, c.expiresOn])).toEqual(
          a.result.contributions.map((c) => [c.rule, c.points, c.occurredOn, c.expiresOn]),
        );
      }
    } finally {
      await replica.close();
    }
  });

  it('lifts a record on its expiry day, leap day included: 2024-02-29 + 1 year = 2025-02-28', async () => {
    clock.set(at('2024-02-29'));
    const e = buildEnterprise();
    await createEnterprise(rt, systemActor('test'), e);
    const row = await rt.db
      .selectFrom('enterprises')
      .select(['id', 'uscc'])
      .where('uscc', '=', e.uscc)
      .executeTakeFirstOrThrow();
    const ref = { enterpriseId: row.id, uscc: row.uscc };
    await emitEvents(
      rt.db,
      [
        {
          type: 'credit.penalty.recorded',
          occurredAt: '2024-02-29',
          enterpriseId: row.id,
          payload: { ...ref, penaltyType: 'fine', decisionNo: 'A1' },
        },
        {
          type: 'sampling.sample.failed',
          occurredAt: '2024-02-29',
          enterpriseId: row.id,
          payload: { ...ref, severity: 'general' },
        },
        {
          type: 'credit.penalty.recorded',
          occurredAt: '2024-02-29',
          enterpriseId: row.id,
          payload: { ...ref, penaltyType: 'warning', decisionNo: 'A2' },
        },
      ],
      clock.now(),
    );
    await dispatchPending(rt, handlers);
    for (const day of ['2025-02-27', '2025-02-28', '2026-02-27', '2026-02-28']) {
      clock.set(at(day));
      await runDaily(rt, day);
    }
    const shown = async (d: string) => (await recordedGradeOn(rt.db, row.id, d))!;
    expect(await shown('2024-02-29')).toMatchObject({ grade: 'C', score: 82 });
    expect(await shown('2025-02-27')).toMatchObject({ grade: 'C', score: 82 });
    expect(await shown('2025-02-28')).toMatchObject({ grade: 'B', score: 90 });
    expect(await shown('2026-02-27')).toMatchObject({ grade: 'B', score: 90 });
    expect(await shown('2026-02-28')).toMatchObject({ grade: 'B', score: 100 });
  });

  it('names the first broken link when the archive is tampered with', async () => {
    const chains = await rt.db
      .selectFrom('credit_chain_heads')
      .selectAll()
      .where('seq', '>=', 3)
      .orderBy('enterprise_id')
      .execute();
    expect(chains.length).toBeGreaterThan(0);
    const head = chains[0]!;
    const link = (seq: number) =>
      rt.db
        .selectFrom('credit_records')
        .selectAll()
        .where('enterprise_id', '=', head.enterprise_id)
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow();
    const second = await link(2);
    // a point changed in place
    await rt.db
      .updateTable('credit_records')
      .set({ points: second.points + 7 })
      .where('id', '=', second.id)
      .execute();
    let report = await verifyChains(rt);
    expect(report.firstBroken).toMatchObject({
      enterpriseId: head.enterprise_id,
      seq: 2,
      recordId: second.id,
      problem: 'hashMismatch',
    });
    await rt.db
      .updateTable('credit_records')
      .set({ points: second.points })
      .where('id', '=', second.id)
      .execute();
    expect((await verifyChains(rt)).firstBroken).toBeNull();
    // the last record deleted: the head no longer matches
    const last = await link(head.seq);
    await rt.db.deleteFrom('credit_records').where('id', '=', last.id).execute();
    report = await verifyChains(rt);
    expect(report.firstBroken).toMatchObject({
      enterpriseId: head.enterprise_id,
      problem: 'headMismatch',
      seq: head.seq - 1,
    });
    await rt.db.insertInto('credit_records').values(last).execute();
    // a forged record re-hashed in place: without the key its own link no longer holds — neither
    // under a guessed key nor re-sealed the old way (unkeyed SHA-256, no key id)
    const first = await link(1);
    const { recordHash } = await import('./archive.js');
    const { hash: _h, ...rest } = { ...first, points: 0 };
    await rt.db
      .updateTable('credit_records')
      .set({ points: 0, hash: recordHash(rest, Buffer.alloc(32, 7)) })
      .where('id', '=', first.id)
      .execute();
    report = await verifyChains(rt);
    expect(report.firstBroken).toMatchObject({ seq: 1, recordId: first.id, problem: 'hashMismatch' });
    await rt.db
      .updateTable('credit_records')
      .set({ points: 0, kid: null, hash: recordHash({ ...rest, kid: null }) })
      .where('id', '=', first.id)
      .execute();
    report = await verifyChains(rt);
    expect(report.firstBroken).toMatchObject({ seq: 1, recordId: first.id, problem: 'legacy' });
    await rt.db
      .updateTable('credit_records')
      .set({ points: first.points, hash: first.hash, kid: first.kid })
      .where('id', '=', first.id)
      .execute();
    expect((await verifyChains(rt)).firstBroken).toBeNull();
  });
});

function extraFields(type: string): Record<string, unknown> {
  switch (type) {
    case 'credit.penalty.recorded':
      return { decisionNo: '东市监罚〔2024〕1号' };
    case 'licensing.licence.revoked':
      return { licenceNo: 'XK00-001' };
    case 'equipment.inspection.overdue':
    case 'equipment.inspection.failed':
      return { equipmentId: 'E1' };
    case 'metrology.verification.overdue':
    case 'metrology.verification.failed':
      return { instrumentId: 'I1' };
    case 'recognition.standard.led':
      return { standardCode: 'T/DGS 1-2024' };
    case 'recognition.award.granted':
      return { year: 2024 };
    case 'credit.judgement.recorded':
      return { caseNo: '(2024)粤1971民初1号', court: '东莞市第一人民法院' };
    case 'credit.complaint.verified':
      return { complaintNo: 'TS1' };
    default:
      return {};
  }
}
