// The draw against the database on every dialect, through the real services: the 6-month rule at
// its edges (month ends, the leap day; follow-up and emergency plans exempt), the product-level
// check at sampling, verifyDraw on a stored draw and on a tampered one, an inspector shortage that
// writes nothing, and plans that cannot be drawn (a higher-level plan, a draft).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { AuthUser } from '../../platform/auth/policies.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { confirmDraw, previewDraw, verifyDraw } from './draw-store.js';
import { putInspector } from './inspectors.js';
import { createPlan } from './plans.js';
import {
  makeLab,
  makeMakers,
  planBody,
  publishedPlan,
  sampleTask,
  serviceInspectors,
  tasksOf,
} from './testing.js';

const actor = systemActor('test');

/** The AppError a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the call to be refused');
}

describe.each(DIALECTS)('the draw in the database on %s', (dialect) => {
  let rt: Runtime;
  const clock = offsetClock('2024-01-02T02:00:00Z');
  /** Sets the business day (10:00 in Shanghai). */
  const on = (day: string) => clock.set(`${day}T02:00:00Z`);
  let lab: Awaited<ReturnType<typeof makeLab>>;
  let inspectors: AuthUser[];

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    lab = await makeLab(rt);
    inspectors = await serviceInspectors(rt, ['ds.insp1', 'ds.insp2', 'ds.insp3']);
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
  });

  /** A published city plan of `category` drawn (confirmed) today with `seed`; its tasks. */
  async function drawn(
    code: string,
    year: number,
    category: string,
    over: { kind?: 'routine' | 'followUp' } = {},
  ) {
    const plan = await publishedPlan(rt, { code, year, category, labId: lab.id, ...over });
    await confirmDraw(rt, actor, plan.id, 11);
    return { plan, tasks: await tasksOf(rt, plan.id) };
  }

  it('keeps a leap-day sample (2024-02-29) out of a draw on 2024-08-28, not on 08-29', async () => {
    on('2024-02-29');
    const [maker] = await makeMakers(rt, 1, '0103');
    const { tasks } = await drawn('DS-2024-0103', 2024, '0103');
    const { sampleNo } = await sampleTask(rt, inspectors, tasks[0]!, { sampledOn: '2024-02-29' });
    const plan = await publishedPlan(rt, {
      code: 'DS-2024-0103-B',
      year: 2024,
      category: '0103',
      labId: lab.id,
    });
    on('2024-08-28');
    expect((await previewDraw(rt, plan.id, 1)).excluded).toEqual([
      expect.objectContaining({ enterpriseId: maker!.id, detail: `${sampleNo} (2024-02-29)` }),
    ]);
    on('2024-08-29');
    const free = await previewDraw(rt, plan.id, 1);
    expect(free.excluded).toEqual([]);
    expect(free.items.map((i) => i.enterpriseId)).toEqual([maker!.id]);
  });

  it('keeps a sample of 2025-08-31 out of routine and special draws on 2026-02-27 and 02-28, not on 03-01', async () => {
    on('2025-08-31');
    const [maker] = await makeMakers(rt, 1, '0102');
    const { tasks } = await drawn('DS-2025-0102', 2025, '0102');
    expect(tasks.map((t) => t.enterprise_id)).toEqual([maker!.id]);
    const { sampleNo } = await sampleTask(rt, inspectors, tasks[0]!, { sampledOn: '2025-08-31' });
    const [other] = await makeMakers(rt, 1, '0102');

    const routine = await publishedPlan(rt, {
      code: 'DS-2026-0102-R',
      year: 2026,
      category: '0102',
      labId: lab.id,
    });
    const special = await publishedPlan(rt, {
      code: 'DS-2026-0102-S',
      year: 2026,
      category: '0102',
      labId: lab.id,
      kind: 'special',
    });
    for (const plan of [routine, special]) {
      for (const day of ['2026-02-27', '2026-02-28']) {
        on(day);
        const p = await previewDraw(rt, plan.id, 5);
        expect(p.asOf).toBe(day);
        expect(p.excluded, `${plan.kind} on ${day}`).toEqual([
          expect.objectContaining({
            enterpriseId: maker!.id,
            uscc: maker!.uscc,
            reason: 'sampledWithin6Months',
            reasonLabel: { zh: '同一产品6个月内已被本局抽查', en: expect.any(String) },
            detail: `${sampleNo} (2025-08-31)`,
          }),
        ]);
        expect(p.items.map((i) => i.enterpriseId)).toEqual([other!.id]);
      }
      on('2026-03-01');
      const free = await previewDraw(rt, plan.id, 5);
      expect(free.excluded, `${plan.kind} on 2026-03-01`).toEqual([]);
      expect(free.strata.find((s) => s.grade === 'B')).toMatchObject({ population: 2, drawn: 1 });
    }
  });

  it.each(['followUp', 'emergency'] as const)(
    'exempts a %s plan: it draws an enterprise sampled last week',
    async (kind) => {
      on('2025-09-01');
      const category = kind === 'followUp' ? '0201' : '0202';
      const [maker] = await makeMakers(rt, 1, category);
      const { tasks } = await drawn(`DS-2025-${category}`, 2025, category);
      await sampleTask(rt, inspectors, tasks[0]!);
      on('2025-09-08');
      const plan = await publishedPlan(rt, {
        code: `DS-2025-${category}-${kind}`,
        year: 2025,
        category,
        labId: lab.id,
        kind,
      });
      const p = await previewDraw(rt, plan.id, 3);
      expect(p.excluded).toEqual([]);
      expect(p.items.map((i) => [i.enterpriseId, i.reason])).toEqual([[maker!.id, 'stratum']]);
      // and the routine plan beside it keeps the enterprise out
      const routine = await publishedPlan(rt, {
        code: `DS-2025-${category}-R2`,
        year: 2025,
        category,
        labId: lab.id,
      });
      expect((await previewDraw(rt, routine.id, 3)).excluded.map((e) => e.reason)).toEqual([
        'sampledWithin6Months',
      ]);
    },
  );

  it('refuses to sample the same product (standard, trademark, model) within 6 months: 400 on the model', async () => {
    on('2025-08-31');
    const [maker] = await makeMakers(rt, 1, '0104');
    // four plans drawn the same day, before anything is sampled: each has a task at the maker
    const first = await drawn('DS-2025-0104-1', 2025, '0104');
    const second = await drawn('DS-2025-0104-2', 2025, '0104');
    const third = await drawn('DS-2025-0104-3', 2025, '0104');
    const followUp = await drawn('DS-2025-0104-F', 2025, '0104', { kind: 'followUp' });
    for (const d of [first, second, third, followUp])
      expect(d.tasks.map((t) => t.enterprise_id)).toEqual([maker!.id]);
    const product = { standardCode: 'GB 2099.1-2008', trademark: '莞插', model: 'ZP-16A' };
    const sampled = await sampleTask(rt, inspectors, first.tasks[0]!, {
      ...product,
      sampledOn: '2025-08-31',
    });

    on('2026-02-28');
    const refused = await rejection(
      sampleTask(rt, inspectors, second.tasks[0]!, { ...product, sampledOn: '2026-02-28' }),
    );
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused.fields).toEqual([
      expect.objectContaining({ field: 'model', code: 'SAMPLED_WITHIN_6_MONTHS' }),
    ]);
    expect(refused.messages.zh).toContain(`已于 2025-08-31 被本局抽查（样品 ${sampled.sampleNo}）`);
    // nothing written: the task is still open
    expect((await tasksOf(rt, second.plan.id))[0]!.state).toBe('assigned');
    // another model of the same maker is another product
    await sampleTask(rt, inspectors, second.tasks[0]!, {
      ...product,
      model: 'ZP-10A',
      sampledOn: '2026-02-28',
    });
    expect((await tasksOf(rt, second.plan.id))[0]!.state).toBe('sentToLab');

    on('2026-03-01');
    const ok = await sampleTask(rt, inspectors, third.tasks[0]!, { ...product, sampledOn: '2026-03-01' });
    expect(ok.sampleNo).toMatch(/^DG2025-CC-\d{6}$/);
    // a follow-up plan samples the same product the next day
    on('2026-03-02');
    await sampleTask(rt, inspectors, followUp.tasks[0]!, { ...product, sampledOn: '2026-03-02' });
    expect((await tasksOf(rt, followUp.plan.id))[0]!.state).toBe('sentToLab');
  });

  it('verifies a stored draw as identical, and names what differs once the record is tampered with', async () => {
    on('2026-03-02');
    const makers = await makeMakers(rt, 30, '0105');
    const { plan, tasks } = await drawn('DS-2026-0105', 2026, '0105');
    expect(tasks).toHaveLength(2); // ceil(0.05 × 30)
    expect(await verifyDraw(rt.db, plan.id)).toEqual({ identical: true, differences: [] });

    const row = await rt.db
      .selectFrom('sampling_draws')
      .select(['id', 'pool', 'record', 'seed'])
      .where('plan_id', '=', plan.id)
      .executeTakeFirstOrThrow();
    const restore = () =>
      rt.db
        .updateTable('sampling_draws')
        .set({ pool: row.pool, record: row.record })
        .where('id', '=', row.id)
        .execute();
    const drawnKey = `0105/${tasks[0]!.enterprise_id}`;

    // the pool snapshot loses a drawn enterprise
    const pool = (JSON.parse(row.pool) as [string, ...unknown[]][]).filter(
      (r) => r[0] !== tasks[0]!.enterprise_id,
    );
    await rt.db
      .updateTable('sampling_draws')
      .set({ pool: JSON.stringify(pool) })
      .where('id', '=', row.id)
      .execute();
    let v = await verifyDraw(rt.db, plan.id);
    expect(v.identical).toBe(false);
    expect(v.differences).toContain(`drawn in the record, not on recomputing: ${drawnKey}`);
    expect(v.differences.some((d) => d.startsWith('strata: record'))).toBe(true);
    await restore();

    // the stored seed in the record's input is changed
    const record = JSON.parse(row.record) as { input: { seed: number; inspectors: unknown[] } };
    await rt.db
      .updateTable('sampling_draws')
      .set({ record: JSON.stringify({ ...record, input: { ...record.input, seed: row.seed + 1 } }) })
      .where('id', '=', row.id)
      .execute();
    v = await verifyDraw(rt.db, plan.id);
    expect(v.identical).toBe(false);
    expect(v.differences).toContain(`seed: record ${row.seed}, input ${row.seed + 1}`);
    await restore();

    // the recorded outcome names other inspectors than the register gives
    const out = JSON.parse(row.record) as { output: { items: { inspectors: string[] }[] } };
    out.output.items[0]!.inspectors = [...out.output.items[0]!.inspectors].reverse();
    await rt.db
      .updateTable('sampling_draws')
      .set({ record: JSON.stringify(out) })
      .where('id', '=', row.id)
      .execute();
    v = await verifyDraw(rt.db, plan.id);
    // the record no longer agrees with its own recomputation, nor with the inspectors the task holds
    expect(v.differences).toEqual([
      expect.stringMatching(new RegExp(`^inspectors of ${drawnKey}: record `)),
      expect.stringMatching(new RegExp(`^inspectors of the task ${drawnKey}: drawn `)),
    ]);
    await restore();

    // a task is added that the draw did not draw
    const extra = makers.find((m) => !tasks.some((t) => t.enterprise_id === m.id))!;
    const stored = await rt.db
      .selectFrom('sampling_tasks')
      .selectAll()
      .where('id', '=', tasks[1]!.id)
      .executeTakeFirstOrThrow();
    await rt.db
      .insertInto('sampling_tasks')
      .values({
        ...stored,
        id: `${stored.id.slice(0, -4)}beef`,
        task_no: `${stored.task_no}X`,
        enterprise_id: extra.id,
      })
      .execute();
    v = await verifyDraw(rt.db, plan.id);
    expect(v.differences).toEqual([`task not in the draw: 0105/${extra.id}`]);
    await rt.db.deleteFrom('sampling_tasks').where('task_no', '=', `${stored.task_no}X`).execute();

    // a task's inspectors are swapped for others than the draw assigned
    const swapped = await rt.db
      .selectFrom('sampling_tasks')
      .selectAll()
      .where('id', '=', tasks[0]!.id)
      .executeTakeFirstOrThrow();
    await rt.db
      .updateTable('sampling_tasks')
      .set({ inspectors: JSON.stringify(['someone-else', 'another-one']) })
      .where('id', '=', swapped.id)
      .execute();
    v = await verifyDraw(rt.db, plan.id);
    expect(v.differences).toEqual([
      expect.stringMatching(/^inspectors of the task .*assigned someone-else,another-one$/),
    ]);
    await rt.db
      .updateTable('sampling_tasks')
      .set({ inspectors: swapped.inspectors })
      .where('id', '=', swapped.id)
      .execute();

    expect(await verifyDraw(rt.db, plan.id)).toEqual({ identical: true, differences: [] });
  });

  it('answers 409 and writes nothing when a task cannot get two inspectors without a conflict', async () => {
    on('2026-03-02');
    const [maker] = await makeMakers(rt, 1, '0106');
    const plan = await publishedPlan(rt, {
      code: 'DS-2026-0106',
      year: 2026,
      category: '0106',
      labId: lab.id,
    });
    const conflicted = inspectors.slice(0, 2);
    const audit = () =>
      rt.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('resource_id', '=', plan.id)
        .executeTakeFirstOrThrow();
    const auditBefore = Number((await audit()).n);
    try {
      for (const u of conflicted)
        await putInspector(rt, actor, u.id, {
          townCode: null,
          active: true,
          conflicts: [{ uscc: maker!.uscc, reason: '近亲属在该企业任职' }],
        });
      const preview = await previewDraw(rt, plan.id, 9);
      expect(preview.inspectorShortage).toEqual([
        { enterpriseId: maker!.id, categoryCode: '0106', townCode: expect.any(String) },
      ]);
      const refused = await rejection(confirmDraw(rt, actor, plan.id, 9));
      expect(refused).toMatchObject({ status: 409, code: 'INVALID_STATE' });
      expect(refused.messages.zh).toContain('检查人员不足：1 项任务');
      expect(
        await rt.db.selectFrom('sampling_draws').select('id').where('plan_id', '=', plan.id).execute(),
      ).toEqual([]);
      expect(await tasksOf(rt, plan.id)).toEqual([]);
      expect(Number((await audit()).n)).toBe(auditBefore);
      const events = await rt.db
        .selectFrom('outbox_events')
        .select('payload')
        .where('type', '=', 'sampling.draw.published')
        .execute();
      const text = (p: unknown) => (typeof p === 'string' ? p : JSON.stringify(p));
      expect(events.filter((e) => text(e.payload).includes(plan.id))).toEqual([]);
    } finally {
      for (const u of conflicted)
        await putInspector(rt, actor, u.id, { townCode: null, active: true, conflicts: [] });
    }
    // with the register whole again the same draw goes through
    await confirmDraw(rt, actor, plan.id, 9);
    expect((await tasksOf(rt, plan.id)).map((t) => t.enterprise_id)).toEqual([maker!.id]);
  });

  it('never draws a higher-level plan or a draft', async () => {
    on('2026-03-02');
    await makeMakers(rt, 2, '0107');
    for (const level of ['provincial', 'national'] as const) {
      const plan = await publishedPlan(rt, {
        code: `DS-2026-0107-${level}`,
        year: 2026,
        category: '0107',
        labId: lab.id,
        level,
      });
      for (const attempt of [() => previewDraw(rt, plan.id, 1), () => confirmDraw(rt, actor, plan.id, 1)]) {
        const refused = await rejection(attempt());
        expect(refused).toMatchObject({ status: 409, code: 'INVALID_STATE' });
        expect(refused.messages.en).toContain('higher-level plan');
      }
      expect(await tasksOf(rt, plan.id)).toEqual([]);
    }
    const draft = await createPlan(rt, actor, {
      code: 'DS-2026-0107-DRAFT',
      year: 2026,
      title: '草稿计划',
      kind: 'routine',
      level: 'city',
      body: planBody('0107', lab.id),
    });
    expect(await rejection(confirmDraw(rt, actor, draft.id, 1))).toMatchObject({
      status: 409,
      code: 'INVALID_STATE',
    });
    expect(await rejection(previewDraw(rt, draft.id, -1))).toMatchObject({
      status: 400,
      fields: [expect.objectContaining({ field: 'seed', code: 'INVALID_SEED' })],
    });
  });
});
