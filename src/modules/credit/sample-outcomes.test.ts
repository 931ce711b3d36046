// Sampling facts in the credit engine: passes and failures kept as sample outcomes, the daily job
// that turns "N years without a failed sample" into a clean-record record (window edges, leap days,
// reversed failures), a re-test overturning a failure (its record reversed, the grade restored, the
// clean run recorded again), the synchronous path sampling uses, and the grade snapshot for draws.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { type AppContext, systemActor } from '../../platform/context.js';
import type { EventPayload, EventType } from '../../platform/events/catalogue.js';
import { dispatchPending, emitEvents } from '../../platform/events/outbox.js';
import { runDueJobs } from '../../platform/jobs.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { createEnterprise } from '../registry/enterprises.js';
import { emitCleanRecords } from './clean-records.js';
import { applyCreditEvents, credit, gradeSnapshot } from './index.js';
import { creditJobs } from './jobs.js';
import { addManualRecord, reverseRecord } from './records.js';
import { reachedTier, tierToEmit } from './sample-outcomes.js';

describe('clean-record tiers (pure)', () => {
  const h = (lastSampled: string | null, lastFailure: string | null = null) => ({ lastSampled, lastFailure });

  it('counts a sample exactly N years back, and not one day earlier', () => {
    // a failure 4½ years back rules out 5 and 10 years, so the 3-year window decides
    const failure = '2022-09-01';
    expect(reachedTier('2027-03-01', h('2024-03-01', failure))).toBe(3);
    expect(reachedTier('2027-03-01', h('2024-02-29', failure))).toBeNull();
    expect(reachedTier('2027-03-02', h('2024-03-01', failure))).toBeNull();
  });

  it('reads the window back from a leap day and across one (29 February → 28 February)', () => {
    // today 2024-02-29: the 3-year window starts on 2021-02-28
    expect(reachedTier('2024-02-29', h('2021-02-28', '2020-06-01'))).toBe(3);
    expect(reachedTier('2024-02-29', h('2021-02-27', '2020-06-01'))).toBeNull();
    // a sample on a leap day is inside the window that starts on 28 February three years on ...
    expect(reachedTier('2027-02-28', h('2024-02-29', '2022-06-01'))).toBe(3);
    expect(reachedTier('2027-03-01', h('2024-02-29', '2022-06-01'))).toBeNull();
    // ... and so is a failure on a leap day
    expect(reachedTier('2027-02-28', h('2026-10-10', '2024-02-29'))).toBeNull();
    expect(reachedTier('2027-03-01', h('2026-10-10', '2024-02-29'))).toBe(3);
  });

  it('lets a failure on the first day of the window break the run, and one the day before not', () => {
    expect(reachedTier('2027-03-01', h('2026-05-01', '2024-03-01'))).toBeNull();
    expect(reachedTier('2027-03-01', h('2026-05-01', '2024-02-29'))).toBe(3);
    expect(reachedTier('2027-03-01', h('2026-05-01', '2022-03-01'))).toBe(3);
    expect(reachedTier('2027-03-01', h('2026-05-01', '2022-02-28'))).toBe(5);
    expect(reachedTier('2027-03-01', h('2026-05-01', '2017-03-01'))).toBe(5);
    expect(reachedTier('2027-03-01', h('2026-05-01', '2017-02-28'))).toBe(10);
  });

  it('needs a sample in the window, and emits nothing a longer or equal record in force covers', () => {
    expect(reachedTier('2027-03-01', h(null))).toBeNull();
    expect(reachedTier('2027-03-01', h('2017-02-28'))).toBeNull();
    expect(reachedTier('2027-03-01', h('2017-03-01'))).toBe(10);
    expect(tierToEmit(3, [])).toBe(3);
    expect(tierToEmit(3, [3])).toBeNull();
    expect(tierToEmit(3, [10])).toBeNull();
    expect(tierToEmit(10, [3, 5])).toBe(10);
    expect(tierToEmit(null, [])).toBeNull();
  });
});

const at = (day: string) => `${day}T04:00:00Z`; // noon in Dongguan
const handlers = credit.eventHandlers!;

describe.each(DIALECTS)('sampling facts in the credit engine [%s]', (dialect) => {
  let rt: Runtime;
  const clock = offsetClock(at('2026-03-02'));
  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
  });
  afterAll(async () => rt?.close());

  async function enterprise() {
    const e = buildEnterprise();
    await createEnterprise(rt, systemActor('test'), e);
    return rt.db
      .selectFrom('enterprises')
      .select(['id', 'uscc'])
      .where('uscc', '=', e.uscc)
      .executeTakeFirstOrThrow();
  }

  async function emit<T extends EventType>(
    e: { id: string; uscc: string },
    type: T,
    on: string,
    extra: Omit<EventPayload<T>, 'enterpriseId' | 'uscc'>,
  ) {
    const [id] = await emitEvents(
      rt.db,
      [
        {
          type,
          occurredAt: on,
          enterpriseId: e.id,
          payload: { enterpriseId: e.id, uscc: e.uscc, ...extra } as never,
        },
      ],
      clock.now(),
    );
    return id!;
  }
  const passed = (e: { id: string; uscc: string }, on: string, sampleNo = `P-${on}`) =>
    emit(e, 'sampling.sample.passed', on, { sampleNo });
  const failed = (
    e: { id: string; uscc: string },
    on: string,
    severity: 'general' | 'serious' | 'critical' = 'general',
  ) => emit(e, 'sampling.sample.failed', on, { severity, sampleNo: `F-${on}` });

  const grade = (id: string) =>
    rt.db
      .selectFrom('credit_grades')
      .select(['grade', 'score'])
      .where('enterprise_id', '=', id)
      .executeTakeFirst();
  const records = (id: string) =>
    rt.db
      .selectFrom('credit_records')
      .select([
        'id',
        'kind',
        'event_type',
        'rule_id',
        'points',
        'occurred_on',
        'reverses_id',
        'details',
        'recorded_by',
        'source_event_id',
      ])
      .where('enterprise_id', '=', id)
      .orderBy('seq')
      .execute();
  const cleanRecords = async (id: string) =>
    (await records(id)).filter((r) => r.event_type === 'credit.cleanRecord.reached' && r.kind !== 'reversal');
  const outcomes = (id: string) =>
    rt.db
      .selectFrom('credit_sample_outcomes')
      .selectAll()
      .where('enterprise_id', '=', id)
      .orderBy('sampled_on')
      .execute();

  async function dayOf(day: string) {
    clock.set(at(day));
    await dispatchPending(rt, handlers);
    return emitCleanRecords(rt, day);
  }

  it('keeps every pass and failure once, scores only the failure', async () => {
    clock.set(at('2026-03-02'));
    const e = await enterprise();
    const p = await passed(e, '2025-05-06');
    const f = await failed(e, '2026-01-12', 'serious');
    await dispatchPending(rt, handlers);
    await dispatchPending(rt, handlers);
    const rows = await outcomes(e.id);
    expect(rows.map((r) => [r.source_event_id, r.sampled_on, r.failed, r.reversed_by])).toEqual([
      [p, '2025-05-06', 0, null],
      [f, '2026-01-12', 1, null],
    ]);
    expect(rows[1]!.sample_no).toBe('F-2026-01-12');
    const recs = await records(e.id);
    expect(recs.map((r) => r.rule_id)).toEqual(['sampling.failed.serious']);
    expect(await grade(e.id)).toEqual({ grade: 'B', score: 90 });
  });

  it('gives a clean record to an enterprise sampled in the window with no failure, once', async () => {
    clock.set(at('2026-03-02'));
    const e = await enterprise();
    await passed(e, '2025-11-20');
    const run = await dayOf('2026-03-02');
    expect(run.emitted[10]).toBeGreaterThanOrEqual(1);
    const clean = await cleanRecords(e.id);
    // sampled at least once in the last ten years and never failed: the longest tier
    expect(clean.map((r) => [r.rule_id, r.points, r.occurred_on, r.kind, r.recorded_by])).toEqual([
      ['cleanRecord.10y', 10, '2026-03-02', 'event', 'credit'],
    ]);
    expect(await grade(e.id)).toEqual({ grade: 'A', score: 110 });
    // the next days (and the dispatcher seeing the job's event) record nothing more
    await dayOf('2026-03-02');
    await dayOf('2026-03-03');
    await dayOf('2027-06-30');
    expect((await cleanRecords(e.id)).length).toBe(1);
    // the job's fact is an event on the enterprise's timeline and an audited record
    const ev = await rt.db
      .selectFrom('outbox_events')
      .select(['id', 'payload'])
      .where('enterprise_id', '=', e.id)
      .where('type', '=', 'credit.cleanRecord.reached')
      .execute();
    expect(ev.length).toBe(1);
    expect(JSON.parse(ev[0]!.payload)).toMatchObject({ years: 10, source: '监督抽查结果汇总' });
    const audit = await rt.db
      .selectFrom('audit_log')
      .select(['actor_label', 'resource_id'])
      .where('enterprise_id', '=', e.id)
      .where('action', '=', 'creditRecord.create')
      .execute();
    expect(audit).toEqual([{ actor_label: 'credit.cleanRecords', resource_id: clean[0]!.id }]);
    // a fresh record once the last one has run out (10 y lasts 3 y), while the enterprise is still sampled
    await passed(e, '2028-09-01');
    await dayOf('2029-03-01');
    expect((await cleanRecords(e.id)).length).toBe(1);
    await dayOf('2029-03-02');
    expect((await cleanRecords(e.id)).map((r) => [r.rule_id, r.occurred_on])).toEqual([
      ['cleanRecord.10y', '2026-03-02'],
      ['cleanRecord.10y', '2029-03-02'],
    ]);
  });

  it('finds the window edges in the database: exactly N years, the first day, a leap day', async () => {
    // failure 4 years back: only the 3-year window can be clean
    clock.set(at('2024-02-29'));
    const edge = await enterprise();
    await failed(edge, '2020-06-01');
    await passed(edge, '2021-02-28'); // exactly 3 years before 2024-02-29 (29 Feb → 28 Feb)
    await dayOf('2024-02-29');
    expect((await cleanRecords(edge.id)).map((r) => [r.rule_id, r.occurred_on])).toEqual([
      ['cleanRecord.3y', '2024-02-29'],
    ]);

    const late = await enterprise();
    await failed(late, '2020-06-01');
    await passed(late, '2021-02-27'); // one day too early
    await dayOf('2024-02-29');
    expect(await cleanRecords(late.id)).toEqual([]);

    // a failure on the first day of the window breaks it; the day after, it has left the window
    clock.set(at('2027-02-28'));
    const first = await enterprise();
    await failed(first, '2024-02-28');
    await passed(first, '2026-10-10');
    await dayOf('2027-02-28');
    expect(await cleanRecords(first.id)).toEqual([]);
    await dayOf('2027-03-01');
    expect((await cleanRecords(first.id)).map((r) => [r.rule_id, r.occurred_on])).toEqual([
      ['cleanRecord.3y', '2027-03-01'],
    ]);

    // a failure on a leap day counts in the window that starts on 28 February three years on
    const leap = await enterprise();
    await failed(leap, '2024-02-29');
    await passed(leap, '2026-10-10');
    await dayOf('2027-02-28');
    expect(await cleanRecords(leap.id)).toEqual([]);
    await dayOf('2027-03-01');
    expect((await cleanRecords(leap.id)).map((r) => r.rule_id)).toEqual(['cleanRecord.3y']);
  });

  it('does not stack a shorter tier under a longer one in force (hand-entered included)', async () => {
    clock.set(at('2026-03-02'));
    const e = await enterprise();
    await addManualRecord(rt, systemActor('test'), e, {
      type: 'credit.cleanRecord.reached',
      occurredOn: '2026-01-05',
      details: { years: 10 },
    });
    await passed(e, '2025-05-05');
    await dayOf('2026-03-02');
    expect((await cleanRecords(e.id)).map((r) => [r.kind, r.rule_id])).toEqual([
      ['manual', 'cleanRecord.10y'],
    ]);
  });

  it('reverses the failure a re-test overturns, restores the grade, and is idempotent', async () => {
    clock.set(at('2026-03-02'));
    const e = await enterprise();
    const f = await failed(e, '2026-02-10', 'critical');
    await dispatchPending(rt, handlers);
    expect(await grade(e.id)).toEqual({ grade: 'C', score: 80 });
    clock.set(at('2026-03-20'));
    await emit(e, 'sampling.sample.overturned', '2026-03-20', { sampleNo: 'F-2026-02-10', failedEventId: f });
    await emit(e, 'sampling.sample.overturned', '2026-03-21', { sampleNo: 'F-2026-02-10', failedEventId: f });
    await dispatchPending(rt, handlers);
    const recs = await records(e.id);
    expect(recs.map((r) => r.kind)).toEqual(['event', 'reversal']);
    expect(recs[1]!.reverses_id).toBe(recs[0]!.id);
    expect(recs[1]!.recorded_by).toBe('sampling');
    expect(JSON.parse(recs[1]!.details).reasons).toContain('复检');
    expect(JSON.parse(recs[1]!.details).reasons).toContain('F-2026-02-10');
    expect(await grade(e.id)).toEqual({ grade: 'B', score: 100 });
    const [row] = await outcomes(e.id);
    expect(row).toMatchObject({ source_event_id: f, failed: 1, reversed_on: '2026-03-20' });
    expect(row!.reversed_by).not.toBeNull();
    const audit = await rt.db
      .selectFrom('audit_log')
      .select('actor_label')
      .where('enterprise_id', '=', e.id)
      .where('action', '=', 'creditRecord.reverse')
      .execute();
    expect(audit).toEqual([{ actor_label: 'sampling' }]);
  });

  it('never scores a failure overturned before it was handled, and logs an overturning of nothing', async () => {
    clock.set(at('2026-03-02'));
    const e = await enterprise();
    const f = await failed(e, '2026-02-10', 'critical');
    await emit(e, 'sampling.sample.overturned', '2026-03-01', { sampleNo: 'F-2026-02-10', failedEventId: f });
    // the overturning reaches credit first (sampling applies it at once), the failure afterwards
    const warned: unknown[] = [];
    const infos: unknown[] = [];
    const ctx: AppContext = {
      ...rt,
      log: { ...rt.log, warn: (o) => warned.push(o), info: (o) => infos.push(o) },
    };
    const overturning = await rt.db
      .selectFrom('outbox_events')
      .select('id')
      .where('type', '=', 'sampling.sample.overturned')
      .where('enterprise_id', '=', e.id)
      .execute();
    await rt.db.transaction().execute((trx) =>
      applyCreditEvents(
        trx,
        ctx,
        overturning.map((o) => o.id),
      ),
    );
    expect(infos.length).toBe(1);
    await dispatchPending(rt, handlers);
    expect(await records(e.id)).toEqual([]);
    expect((await outcomes(e.id)).map((o) => [o.failed, o.reversed_on])).toEqual([[1, '2026-03-01']]);

    // an overturning that names no failure of this enterprise changes nothing and is logged
    const other = await enterprise();
    const otherFailure = await failed(other, '2026-02-11');
    const stray = await emit(e, 'sampling.sample.overturned', '2026-03-02', {
      sampleNo: 'X',
      failedEventId: otherFailure,
    });
    const nothing = await emit(e, 'sampling.sample.overturned', '2026-03-02', {
      sampleNo: 'Y',
      failedEventId: 'no-such-event',
    });
    await rt.db.transaction().execute((trx) => applyCreditEvents(trx, ctx, [stray, nothing]));
    expect(warned.length).toBe(2);
    await dispatchPending(rt, handlers);
    expect((await records(other.id)).map((r) => r.kind)).toEqual(['event']);
    expect((await outcomes(other.id)).map((o) => o.reversed_by)).toEqual([null]);
  });

  it('records the clean run again after a re-test overturns the failure that ended it', async () => {
    clock.set(at('2026-03-02'));
    const e = await enterprise();
    await passed(e, '2025-04-01');
    await dayOf('2026-03-02');
    expect((await cleanRecords(e.id)).map((r) => r.rule_id)).toEqual(['cleanRecord.10y']);
    // a failure ends the clean record (a reversal from that day) ...
    clock.set(at('2026-05-10'));
    const f = await failed(e, '2026-05-08');
    await dayOf('2026-05-10');
    let recs = await records(e.id);
    expect(recs.map((r) => [r.kind, r.rule_id])).toEqual([
      ['event', 'cleanRecord.10y'],
      ['event', 'sampling.failed.general'],
      ['reversal', 'cleanRecord.10y'],
    ]);
    await dayOf('2026-05-11');
    expect(await grade(e.id)).toEqual({ grade: 'B', score: 95 });
    // ... the re-test overturns it: the failure is reversed; the ended clean record stays ended (a
    // reversal is never reversed), and the next daily run records the clean run again from that day
    clock.set(at('2026-06-01'));
    await emit(e, 'sampling.sample.overturned', '2026-06-01', { sampleNo: 'F-2026-05-08', failedEventId: f });
    await dispatchPending(rt, handlers);
    expect(await grade(e.id)).toEqual({ grade: 'B', score: 100 });
    await emitCleanRecords(rt, '2026-06-01');
    recs = await records(e.id);
    expect(recs.map((r) => [r.kind, r.rule_id, r.occurred_on])).toEqual([
      ['event', 'cleanRecord.10y', '2026-03-02'],
      ['event', 'sampling.failed.general', '2026-05-08'],
      ['reversal', 'cleanRecord.10y', '2026-05-10'],
      ['reversal', 'sampling.failed.general', '2026-06-01'],
      ['event', 'cleanRecord.10y', '2026-06-01'],
    ]);
    expect(await grade(e.id)).toEqual({ grade: 'A', score: 110 });
  });

  it('treats a failure whose record was reversed (objection, correction) as no failure', async () => {
    clock.set(at('2026-03-02'));
    const e = await enterprise();
    await passed(e, '2025-04-01');
    const scored = await addManualRecord(rt, systemActor('test'), e, {
      type: 'sampling.sample.failed',
      occurredOn: '2026-02-01',
      details: { severity: 'general', sampleNo: 'M-1' },
    });
    // a hand-entered failure is an outcome at once, before any dispatch
    expect((await outcomes(e.id)).map((o) => [o.sampled_on, o.failed, o.sample_no])).toEqual([
      ['2026-02-01', 1, 'M-1'],
    ]);
    await dayOf('2026-03-02');
    expect(await cleanRecords(e.id)).toEqual([]);
    const reversal = await rt.db
      .transaction()
      .execute((trx) =>
        reverseRecord(trx, rt, systemActor('test'), { recordId: scored.record.id, reasons: '复核更正' }),
      );
    const row = (await outcomes(e.id)).find((o) => o.failed === 1)!;
    expect(row).toMatchObject({ reversed_by: reversal.record.id, reversed_on: '2026-03-02' });
    await dayOf('2026-03-03');
    expect((await cleanRecords(e.id)).map((r) => r.rule_id)).toEqual(['cleanRecord.10y']);
  });

  it('runs as the daily job credit.cleanRecords, once a day', async () => {
    clock.set(at('2026-08-03'));
    const e = await enterprise();
    await passed(e, '2026-08-01');
    await dispatchPending(rt, handlers);
    const ran = await runDueJobs(rt, creditJobs);
    expect(ran).toContain('credit.cleanRecords@2026-08-03');
    expect((await cleanRecords(e.id)).length).toBe(1);
    const run = await rt.db
      .selectFrom('job_runs')
      .select(['status', 'detail'])
      .where('job', '=', 'credit.cleanRecords')
      .where('period_key', '=', '2026-08-03')
      .executeTakeFirstOrThrow();
    expect(run.status).toBe('succeeded');
    expect(run.detail).toMatch(/10 y [1-9]/);
    expect(await runDueJobs(rt, creditJobs)).toEqual([]);
  });

  it('applies a result in the producer’s transaction: the new grade is there on commit', async () => {
    clock.set(at('2026-09-01'));
    const e = await enterprise();
    const before = await grade(e.id);
    const ids = await rt.db.transaction().execute(async (trx) => {
      const emitted = await emitEvents(
        trx,
        [
          {
            type: 'sampling.sample.failed',
            occurredAt: '2026-09-01',
            enterpriseId: e.id,
            payload: { enterpriseId: e.id, uscc: e.uscc, severity: 'critical', sampleNo: 'S-1' },
          },
          {
            type: 'sampling.case.transitioned',
            occurredAt: '2026-09-01',
            enterpriseId: e.id,
            payload: {
              enterpriseId: e.id,
              uscc: e.uscc,
              caseId: 'c1',
              sampleNo: 'S-1',
              from: 'new',
              to: 'notified',
              action: 'notify',
              dueOn: '2026-09-16',
            },
          },
        ],
        clock.now(),
      );
      expect(await applyCreditEvents(trx, rt, emitted)).toBe(2); // credit.score + sampleOutcomes
      return emitted;
    });
    expect(before?.grade ?? 'B').toBe('B');
    expect(await grade(e.id)).toEqual({ grade: 'C', score: 80 });
    // the dispatcher finds nothing left of them for credit
    const delivered = await rt.db
      .selectFrom('event_deliveries')
      .select(['event_id', 'handler'])
      .where('event_id', 'in', ids)
      .orderBy('handler')
      .execute();
    expect(delivered.map((d) => d.handler)).toEqual(['credit.sampleOutcomes', 'credit.score']);
    await dispatchPending(rt, handlers);
    expect((await records(e.id)).length).toBe(1);
    // applying again does nothing
    await rt.db.transaction().execute(async (trx) => expect(await applyCreditEvents(trx, rt, ids)).toBe(0));
  });

  it('gives every graded enterprise’s grade in one snapshot; the ungraded are absent', async () => {
    const e = await enterprise();
    await rt.db.deleteFrom('credit_grades').where('enterprise_id', '=', e.id).execute();
    const snap = await gradeSnapshot(rt.db);
    const graded = await rt.db.selectFrom('credit_grades').select(['enterprise_id', 'grade']).execute();
    expect(snap.size).toBe(graded.length);
    for (const g of graded) expect(snap.get(g.enterprise_id)).toBe(g.grade);
    expect(snap.has(e.id)).toBe(false);
    expect([...snap.values()]).toContain('A');
    expect([...snap.values()]).toContain('C');
  });
});
