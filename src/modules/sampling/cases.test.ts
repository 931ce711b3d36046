// Post-processing cases in the database and over HTTP, on every dialect: a failed sample's case
// from its notice to its close (rectified, overturned by the re-test, licence revoked), each step
// an audit row and a catalogued event, one of two concurrent steps applied, the queue by due date
// with overdue marked, each role's scope, problem+json for bad input, and the daily jobs.
// Samples come from the lead's services later; here they are written straight into the tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { IsoDate } from '../../core/workdays.js';
import { json } from '../../db/codecs.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { emitEvents } from '../../platform/events/outbox.js';
import { runDueJobs } from '../../platform/jobs.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { TEST_PASSWORD, testApp } from '../../testing/http.js';
import { createEnterprise } from '../registry/enterprises.js';
import { caseEscalations, caseJobs, caseReminders } from './case-jobs.js';
import { caseRoutes } from './case-routes.js';
import {
  actOnCase,
  type CaseActor,
  caseDetail,
  caseIdOfSample,
  caseOf,
  caseQueue,
  type FailedSample,
  markCaseDues,
  openCase,
  systemCaseActor,
} from './cases.js';
import type { CaseAction } from './postprocess.js';

const CHANGAN = '441900119'; // 长安镇
const DONGCHENG = '441900003'; // 东城街道

type Ent = { id: string; uscc: string; townCode: string };

// ---- test helper: the rows a failed sample needs, written straight into the tables ----------------
let serial = 0;
async function addFailedSample(
  rt: Runtime,
  o: { maker: Ent; lab: Ent; failedOn: IsoDate; items?: string[]; withFailureEvent?: boolean },
): Promise<FailedSample> {
  serial++;
  const at = rt.clock.now().toISOString();
  const year = Number(o.failedOn.slice(0, 4));
  const planId = newId();
  await rt.db
    .insertInto('sampling_plans')
    .values({
      id: planId,
      code: `PP-${serial}-${planId.slice(-6)}`,
      version: 1,
      supersedes_id: null,
      year,
      title: '后处理测试计划',
      kind: 'routine',
      level: 'city',
      state: 'published',
      body: '{}',
      created_at: at,
      created_by: 'test',
      updated_at: at,
      published_at: at,
      published_by: 'test',
    })
    .execute();
  const taskId = newId();
  await rt.db
    .insertInto('sampling_tasks')
    .values({
      id: taskId,
      task_no: `PT-${serial}-${taskId.slice(-6)}`,
      plan_id: planId,
      draw_id: null,
      enterprise_id: o.maker.id,
      category_code: 'C01',
      town_code: o.maker.townCode,
      reason: 'stratum',
      inspectors: '[]',
      state: 'tested',
      refusal: null,
      year,
      created_at: at,
      updated_at: at,
    })
    .execute();
  const sampleId = newId();
  const sampleNo = `PS${year}-${String(serial).padStart(4, '0')}-${sampleId.slice(-4)}`;
  let failedEventId: string | null = null;
  if (o.withFailureEvent !== false) {
    const ids = await emitEvents(
      rt.db,
      [
        {
          type: 'sampling.sample.failed',
          occurredAt: o.failedOn,
          enterpriseId: o.maker.id,
          aggregateId: sampleId,
          payload: { enterpriseId: o.maker.id, uscc: o.maker.uscc, severity: 'serious', sampleNo },
        },
      ],
      rt.clock.now(),
    );
    failedEventId = ids[0] ?? null;
  }
  await rt.db
    .insertInto('sampling_samples')
    .values({
      id: sampleId,
      sample_no: sampleNo,
      task_id: taskId,
      plan_id: planId,
      enterprise_id: o.maker.id,
      category_code: 'C01',
      town_code: o.maker.townCode,
      industry_code: null,
      year,
      product_name: '电热水壶',
      trademark: '测试',
      model: 'K-1',
      standard_code: 'GB 4706.19-2008',
      batch: 'B1',
      production_date: null,
      test_units: 2,
      backup_units: 2,
      place: 'factory',
      sampled_on: o.failedOn,
      grade_when_drawn: 'B',
      details: '{}',
      lab_enterprise_id: o.lab.id,
      state: 'final',
      verdict: 'fail',
      severity: 'major',
      reported_on: o.failedOn,
      failed_event_id: failedEventId,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return {
    id: sampleId,
    sampleNo,
    enterpriseId: o.maker.id,
    uscc: o.maker.uscc,
    townCode: o.maker.townCode,
    failedOn: o.failedOn,
    failedItems: o.items ?? ['i1', 'i2'],
  };
}

describe.each(DIALECTS)('post-processing cases on %s', (dialect) => {
  let rt: Runtime;
  let t: Awaited<ReturnType<typeof testApp>>;
  const clock = offsetClock('2024-03-01T02:00:00Z'); // Friday 2024-03-01, 10:00 in Dongguan
  const setDay = (day: IsoDate) => clock.set(`${day}T02:00:00Z`);
  let logins = 0;
  /** Moves the clock to `day` and signs these users in again (sessions expire as days pass). */
  const at = async (day: IsoDate, ...who: string[]) => {
    setDay(day);
    for (const username of who) {
      logins++;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password: TEST_PASSWORD },
        // each sign-in from its own address: the login route allows 10 a minute per address
        headers: { 'x-forwarded-for': `10.9.${Math.floor(logins / 250)}.${logins % 250}` },
      });
      if (res.statusCode !== 200) throw new Error(`sign-in of ${username} failed: ${res.body}`);
      t.sessions[username] = {
        cookie: String(res.headers['set-cookie']).split(';')[0]!,
        csrf: res.json().csrfToken,
      };
    }
  };
  const official: CaseActor = { id: null, label: 'test-official', kind: 'official' };
  let own: Ent;
  let other: Ent;
  let lab1: Ent;
  let lab2: Ent;

  const ent = async (over: Parameters<typeof buildEnterprise>[0]) => {
    const input = buildEnterprise(over);
    const id = await createEnterprise(rt, systemActor('test'), input);
    return { id, uscc: input.uscc, townCode: input.townCode };
  };

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    own = await ent({ townCode: CHANGAN });
    other = await ent({ townCode: DONGCHENG });
    lab1 = await ent({ townCode: DONGCHENG, name: '东莞市第一检测有限公司' });
    lab2 = await ent({ townCode: DONGCHENG, name: '东莞市第二检测有限公司' });
    // the register's lab profile (检验检测机构), written straight into its table
    await rt.db
      .insertInto('enterprise_profiles')
      .values(
        [lab1, lab2].map((l) => ({
          id: newId(),
          enterprise_id: l.id,
          kind: 'lab',
          details: '{}',
          since: null,
          created_at: rt.clock.now().toISOString(),
        })),
      )
      .execute();
    t = await testApp(
      rt,
      [
        { username: 'reg', role: 'regulator' },
        { username: 'town', role: 'townOfficer', townCode: CHANGAN },
        { username: 'town2', role: 'townOfficer', townCode: DONGCHENG },
        { username: 'ent', role: 'enterprise', enterpriseUscc: own.uscc },
        { username: 'entOther', role: 'enterprise', enterpriseUscc: other.uscc },
        { username: 'lab', role: 'lab', enterpriseUscc: lab2.uscc },
      ],
      {
        // The lead wires caseRoutes into the module's index.ts; until then the test adds them.
        configure: (app) => {
          if (!app.hasRoute({ method: 'GET', url: '/api/v1/sampling/cases' }))
            app.register(async (child) => caseRoutes(child, rt));
        },
      },
    );
  });
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  const open = async (o: Omit<Parameters<typeof addFailedSample>[1], 'lab'> & { lab?: Ent }) => {
    const sample = await addFailedSample(rt, { lab: lab1, ...o });
    return rt.db.transaction().execute((trx) => openCase(trx, rt, sample, systemCaseActor('results')));
  };
  const act = (id: string, action: CaseAction, actor: CaseActor = official) =>
    actOnCase(rt, id, action, actor);
  const caseEvents = async (caseId: string): Promise<Array<Record<string, unknown>>> =>
    (
      await rt.db
        .selectFrom('outbox_events')
        .select(['type', 'payload', 'occurred_at'])
        .where('aggregate_id', '=', caseId)
        .orderBy('id')
        .execute()
    ).map((e) => ({
      type: e.type,
      occurredAt: e.occurred_at,
      ...(json.read(e.payload, {}) as Record<string, unknown>),
    }));
  const audits = (caseId: string) =>
    rt.db
      .selectFrom('audit_log')
      .select(['action', 'actor_label', 'after'])
      .where('resource_id', '=', caseId)
      .orderBy('id')
      .execute();
  const stored = async (caseId: string) =>
    rt.db.selectFrom('sampling_cases').selectAll().where('id', '=', caseId).executeTakeFirstOrThrow();

  it('opens a case in the results transaction: the row, its audit row and event, the original lab', async () => {
    setDay('2024-03-01');
    const sample = await addFailedSample(rt, { maker: own, lab: lab1, failedOn: '2024-03-01' });
    const c = await rt.db
      .transaction()
      .execute((trx) => openCase(trx, rt, sample, systemCaseActor('results')));
    expect(c).toMatchObject({
      state: 'opened',
      rev: 1,
      originalLabEnterpriseId: lab1.id,
      failedItems: ['i1', 'i2'],
    });
    const row = await stored(c.id);
    expect(row).toMatchObject({
      sample_id: sample.id,
      enterprise_id: own.id,
      town_code: CHANGAN,
      state: 'opened',
      due_on: null,
    });
    expect(caseOf(row).history).toHaveLength(1);
    expect(await caseIdOfSample(rt.db, sample.id)).toBe(c.id);
    expect((await audits(c.id)).map((a) => [a.action, a.actor_label])).toEqual([
      ['samplingCase.open', 'results'],
    ]);
    expect(await caseEvents(c.id)).toEqual([
      expect.objectContaining({
        type: 'sampling.case.transitioned',
        from: 'none',
        to: 'opened',
        action: 'open',
        sampleNo: sample.sampleNo,
      }),
    ]);
    // one case per sample, and nothing half-written when a second is tried
    await expect(
      rt.db.transaction().execute((trx) => openCase(trx, rt, sample, systemCaseActor())),
    ).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    // opened inside a transaction that then fails leaves nothing behind
    const lost = await addFailedSample(rt, { maker: own, lab: lab1, failedOn: '2024-03-01' });
    await expect(
      rt.db.transaction().execute(async (trx) => {
        await openCase(trx, rt, lost, systemCaseActor());
        throw new Error('the results service failed after opening the case');
      }),
    ).rejects.toThrow(/results service/);
    expect(await caseIdOfSample(rt.db, lost.id)).toBeNull();
  });

  it('walks notice → objection → re-test by another lab (upheld) → correction → re-inspection passed', async () => {
    await at('2024-03-04', 'town');
    const c = await open({ maker: own, failedOn: '2024-03-01' });
    const path = `/api/v1/sampling/cases/${c.id}`;
    const notified = await t.call('town', 'POST', `${path}/actions`, {
      type: 'notify',
      documents: [{ title: '不合格结果通知书', number: 'TZ-2024-1' }],
    });
    expect(notified.statusCode, notified.body).toBe(200);
    expect(notified.json()).toMatchObject({
      state: 'notified',
      notice: { sentOn: '2024-03-04', receivedOn: null },
    });
    await at('2024-03-07', 'town', 'ent', 'reg');
    const received = await t.call('town', 'POST', `${path}/actions`, { type: 'receive', on: '2024-03-06' });
    expect(received.json()).toMatchObject({
      state: 'objectionWindow',
      dueOn: '2024-03-21',
      dues: [{ name: 'objectionWindow', on: '2024-03-21', party: 'enterprise', days: 15 }],
    });
    // the enterprise sees it may object or accept; an official may not speak for it
    const seen = (await t.call('ent', 'GET', path)).json();
    expect(seen.allowedActions).toEqual(['object', 'accept']);
    expect(seen.history.every((s: { actor: { label: string | null } }) => s.actor.label === null)).toBe(true);
    expect(
      (await t.call('reg', 'POST', `${path}/objection`, { items: ['i1'], grounds: 'x' })).statusCode,
    ).toBe(403);

    await at('2024-03-15', 'ent', 'town');
    const objected = await t.call('ent', 'POST', `${path}/objection`, {
      items: ['i2'],
      grounds: '样品运输中受潮',
    });
    expect(objected.statusCode, objected.body).toBe(200);
    expect(objected.json()).toMatchObject({
      state: 'objected',
      objection: { on: '2024-03-15', items: ['i2'], grounds: '样品运输中受潮' },
      allowedActions: [],
    });

    // the re-test goes to another lab, one the register knows
    const same = await t.call('town', 'POST', `${path}/actions`, {
      type: 'assignRetest',
      labEnterpriseId: lab1.id,
    });
    expect(same.statusCode).toBe(400);
    expect(same.json().fields[0]).toMatchObject({ field: 'labEnterpriseId', code: 'SAME_LAB' });
    const unknown = await t.call('town', 'POST', `${path}/actions`, {
      type: 'assignRetest',
      labEnterpriseId: newId(),
    });
    expect(unknown.json().fields[0]).toMatchObject({ field: 'labEnterpriseId', code: 'UNKNOWN_ENTERPRISE' });
    const notLab = await t.call('town', 'POST', `${path}/actions`, {
      type: 'assignRetest',
      labEnterpriseId: other.id,
    });
    expect(notLab.statusCode).toBe(400);
    expect(notLab.json().fields[0]).toMatchObject({ field: 'labEnterpriseId', code: 'NOT_A_LAB' });
    const assigned = await t.call('town', 'POST', `${path}/actions`, {
      type: 'assignRetest',
      labEnterpriseId: lab2.id,
    });
    expect(assigned.json()).toMatchObject({ state: 'retesting', retest: { labEnterpriseId: lab2.id } });

    // the results service records the re-test's verdict (the lab's user) in its own transaction
    setDay('2024-04-10');
    await rt.db.transaction().execute(async (trx) => {
      const id = await caseIdOfSample(trx, c.sampleId);
      await actOnCase(
        rt,
        id!,
        { type: 'retestResult', upheld: true },
        { id: null, label: 'lab', kind: 'lab' },
        { trx },
      );
    });
    await at('2024-04-15', 'town');
    const ordered = await t.call('town', 'POST', `${path}/actions`, {
      type: 'orderCorrection',
      documentNo: '东市监整〔2024〕7号',
    });
    expect(ordered.json()).toMatchObject({
      state: 'correcting',
      confirmation: { on: '2024-04-10', by: 'retestUpheld' },
      correctionOrder: { on: '2024-04-15', stopAtOnce: true },
      dueOn: '2024-07-01',
      dues: [
        { name: 'correctionPeriod', on: '2024-06-14', party: 'enterprise' },
        { name: 'reinspectionDue', on: '2024-07-01', rolled: true, party: 'bureau' },
      ],
    });
    await at('2024-06-20', 'town', 'reg');
    const closed = await t.call('town', 'POST', `${path}/actions`, { type: 'reinspect', passed: true });
    expect(closed.json()).toMatchObject({
      state: 'closedRectified',
      outcome: 'rectified',
      closedOn: '2024-06-20',
      dueOn: null,
    });

    expect((await caseEvents(c.id)).map((e) => `${e.from}→${e.to}`)).toEqual([
      'none→opened',
      'opened→notified',
      'notified→objectionWindow',
      'objectionWindow→objected',
      'objected→retesting',
      'retesting→confirmed',
      'confirmed→correcting',
      'correcting→closedRectified',
    ]);
    expect((await caseEvents(c.id))[2]).toMatchObject({
      occurredAt: '2024-03-06',
      dueOn: '2024-03-21',
      uscc: own.uscc,
    });
    expect((await audits(c.id)).map((a) => a.action)).toEqual([
      'samplingCase.open',
      'samplingCase.notify',
      'samplingCase.receive',
      'samplingCase.object',
      'samplingCase.assignRetest',
      'samplingCase.retestResult',
      'samplingCase.orderCorrection',
      'samplingCase.reinspect',
    ]);
    const detail = (await t.call('reg', 'GET', path)).json();
    expect(detail.history).toHaveLength(8);
    expect(detail.history[1]).toMatchObject({
      action: 'notify',
      on: '2024-03-04',
      actor: { kind: 'official', label: 'town' },
      documents: [{ title: '不合格结果通知书', number: 'TZ-2024-1', fileId: null }],
    });
    expect(detail.history[3]).toMatchObject({
      actor: { kind: 'enterprise', label: 'ent' },
      details: { items: ['i2'] },
    });
  });

  it('a re-test that overturns the failure closes the case and emits the overturn with the failure event', async () => {
    setDay('2024-05-06');
    const c = await open({ maker: own, failedOn: '2024-05-06' });
    for (const a of [{ type: 'notify' }, { type: 'receive' }] as CaseAction[]) await act(c.id, a);
    await act(
      c.id,
      { type: 'object', items: ['i1'], grounds: '检验方法错误' },
      { id: null, label: 'ent', kind: 'enterprise' },
    );
    await act(c.id, { type: 'assignRetest', labEnterpriseId: lab2.id });
    setDay('2024-05-20');
    const after = await act(
      c.id,
      { type: 'retestResult', upheld: false },
      { id: null, label: 'lab', kind: 'lab' },
    );
    expect(after).toMatchObject({ state: 'closedOverturned', outcome: 'overturned', closedOn: '2024-05-20' });
    const sample = await rt.db
      .selectFrom('sampling_samples')
      .select(['failed_event_id'])
      .where('id', '=', c.sampleId)
      .executeTakeFirstOrThrow();
    const overturned = await rt.db
      .selectFrom('outbox_events')
      .select(['payload', 'occurred_at', 'enterprise_id'])
      .where('type', '=', 'sampling.sample.overturned')
      .where('aggregate_id', '=', c.sampleId)
      .execute();
    expect(overturned).toHaveLength(1);
    expect(overturned[0]).toMatchObject({ occurred_at: '2024-05-20', enterprise_id: own.id });
    expect(json.read(overturned[0]!.payload, {})).toEqual({
      enterpriseId: own.id,
      uscc: own.uscc,
      sampleNo: c.sampleNo,
      failedEventId: sample.failed_event_id,
    });
  });

  it('an overturn without the failure event to reverse is refused and writes nothing', async () => {
    setDay('2024-05-06');
    const c = await open({ maker: own, failedOn: '2024-05-06', withFailureEvent: false });
    for (const a of [{ type: 'notify' }, { type: 'receive' }] as CaseAction[]) await act(c.id, a);
    await act(
      c.id,
      { type: 'object', items: ['i1'], grounds: 'x' },
      { id: null, label: 'ent', kind: 'enterprise' },
    );
    await act(c.id, { type: 'assignRetest', labEnterpriseId: lab2.id });
    const before = await stored(c.id);
    const audited = (await audits(c.id)).length;
    await expect(act(c.id, { type: 'retestResult', upheld: false }, systemCaseActor())).rejects.toMatchObject(
      {
        code: 'INVALID_STATE',
        status: 409,
      },
    );
    expect(await stored(c.id)).toEqual(before);
    expect(await audits(c.id)).toHaveLength(audited);
  });

  it('escalates to the province, suspension and licence revocation', async () => {
    setDay('2024-03-01');
    const c = await open({ maker: own, failedOn: '2024-03-01' });
    const steps: Array<[IsoDate, CaseAction]> = [
      ['2024-03-04', { type: 'notify' }],
      ['2024-03-06', { type: 'receive' }],
      ['2024-03-22', { type: 'lapse' }],
      ['2024-04-15', { type: 'orderCorrection' }],
      ['2024-06-20', { type: 'reinspect', passed: false }],
      ['2024-06-25', { type: 'notifyProvince', reference: '粤市监质监〔2024〕3号' }],
    ];
    for (const [day, action] of steps) {
      setDay(day);
      await act(c.id, action);
    }
    // not before day 60 from the notice (2024-08-24, a Saturday → 08-26)
    await at('2024-08-23', 'reg');
    const early = await t.call('reg', 'POST', `/api/v1/sampling/cases/${c.id}/actions`, {
      type: 'reinspect',
      passed: false,
    });
    expect(early.statusCode).toBe(409);
    expect(early.headers['content-type']).toContain('application/problem+json');
    expect(early.json()).toMatchObject({
      code: 'CASE_TOO_EARLY',
      fields: [{ field: 'on', code: 'CASE_TOO_EARLY' }],
    });
    expect(early.json().message.zh).toContain('2024-08-26');
    for (const [day, action] of [
      ['2024-08-26', { type: 'reinspect', passed: false }],
      ['2024-09-10', { type: 'suspend', days: 30, decisionNo: '东市监停〔2024〕1号' }],
      ['2024-10-15', { type: 'reinspect', passed: false }],
      ['2024-10-21', { type: 'revoke', licenceNo: 'XK16-001-00001', decisionNo: '东市监吊〔2024〕1号' }],
    ] as Array<[IsoDate, CaseAction]>) {
      setDay(day);
      await act(c.id, action);
    }
    const row = await stored(c.id);
    expect(row).toMatchObject({ state: 'revoked', due_on: null });
    const revoked = await rt.db
      .selectFrom('outbox_events')
      .select(['payload', 'occurred_at', 'producer'])
      .where('type', '=', 'licensing.licence.revoked')
      .where('aggregate_id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(revoked.occurred_at).toBe('2024-10-21');
    expect(json.read(revoked.payload, {})).toEqual({
      enterpriseId: own.id,
      uscc: own.uscc,
      licenceNo: 'XK16-001-00001',
      decisionNo: '东市监吊〔2024〕1号',
    });
    expect((await caseEvents(c.id)).filter((e) => e.type === 'sampling.case.transitioned')).toHaveLength(11);
  });

  it('of two concurrent steps on one case only one applies; a stale revision is 409', async () => {
    await at('2024-03-04', 'town');
    const c = await open({ maker: own, failedOn: '2024-03-01' });
    const results = await Promise.allSettled([act(c.id, { type: 'notify' }), act(c.id, { type: 'notify' })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(AppError);
    expect(['CONFLICT', 'CASE_TRANSITION_NOT_ALLOWED']).toContain(failed.reason.code);
    expect(failed.reason.status).toBe(409);
    const row = await stored(c.id);
    expect(caseOf(row).history.map((s) => s.action)).toEqual(['open', 'notify']);
    expect((await caseEvents(c.id)).filter((e) => e.action === 'notify')).toHaveLength(1);
    expect((await audits(c.id)).filter((a) => a.action === 'samplingCase.notify')).toHaveLength(1);

    const view = (await t.call('town', 'GET', `/api/v1/sampling/cases/${c.id}`)).json();
    const res = await t.call('town', 'POST', `/api/v1/sampling/cases/${c.id}/actions`, {
      type: 'lapse',
      rev: view.rev - 1,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('CONFLICT');
  });

  // PostgreSQL only: SQLite runs one transaction at a time, so no writer can load a case another
  // changes. (Not declared on SQLite at all: under CI no test may be reported as skipped.)
  if (dialect === 'postgres')
    it('a writer that loaded the case before another step committed does not overwrite it', async () => {
      setDay('2024-03-04');
      const c = await open({ maker: own, failedOn: '2024-03-01' });
      await act(c.id, { type: 'notify' });
      await act(c.id, { type: 'receive' }); // window until 2024-03-19
      setDay('2024-03-14');
      await expect(
        markCaseDues(rt, c.id, 'reminders', async (loaded) => {
          // meanwhile the enterprise accepts the result, committed on another connection
          await act(c.id, { type: 'accept' }, { id: null, label: 'ent', kind: 'enterprise' });
          return loaded.dues;
        }),
      ).rejects.toMatchObject({ code: 'CONFLICT', status: 409 });
      const after = caseOf(await stored(c.id));
      expect(after).toMatchObject({ state: 'confirmed', reminders: [] });
      expect((await audits(c.id)).map((a) => a.action)).toEqual([
        'samplingCase.open',
        'samplingCase.notify',
        'samplingCase.receive',
        'samplingCase.accept',
      ]);
    });

  it('each role sees and acts within its scope', async () => {
    await at('2024-03-04', 'reg', 'town', 'town2', 'ent', 'entOther', 'lab');
    const mine = await open({ maker: own, failedOn: '2024-03-01' });
    const theirs = await open({ maker: other, failedOn: '2024-03-01' });
    const ids = async (who: string) =>
      (
        (await t.call(who, 'GET', '/api/v1/sampling/cases?limit=500')).json().items as Array<{ id: string }>
      ).map((i) => i.id);
    expect(await ids('reg')).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    expect(await ids('town')).toContain(mine.id);
    expect(await ids('town')).not.toContain(theirs.id);
    expect(await ids('town2')).toContain(theirs.id);
    expect(await ids('ent')).toContain(mine.id);
    expect(await ids('ent')).not.toContain(theirs.id);
    expect(await ids('lab')).toEqual([]);
    expect((await t.call('town', 'GET', `/api/v1/sampling/cases/${theirs.id}`)).statusCode).toBe(403);
    expect((await t.call('entOther', 'GET', `/api/v1/sampling/cases/${mine.id}`)).statusCode).toBe(403);
    expect(
      (await t.call('town', 'POST', `/api/v1/sampling/cases/${theirs.id}/actions`, { type: 'notify' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.call('ent', 'POST', `/api/v1/sampling/cases/${mine.id}/actions`, { type: 'notify' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.call('lab', 'POST', `/api/v1/sampling/cases/${mine.id}/actions`, { type: 'notify' }))
        .statusCode,
    ).toBe(403);
    expect((await t.call('reg', 'GET', `/api/v1/sampling/cases/${newId()}`)).statusCode).toBe(404);
    await act(mine.id, { type: 'notify' });
    await act(mine.id, { type: 'receive' });
    expect(
      (
        await t.call('entOther', 'POST', `/api/v1/sampling/cases/${mine.id}/objection`, {
          items: ['i1'],
          grounds: 'x',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await t.call('entOther', 'POST', `/api/v1/sampling/cases/${mine.id}/accept`, {})).statusCode,
    ).toBe(403);
    expect((await stored(mine.id)).state).toBe('objectionWindow');
    // the enterprise may accept the result: it moves on at once
    const accepted = await t.call('ent', 'POST', `/api/v1/sampling/cases/${mine.id}/accept`, {
      notes: '认可检验结论',
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({
      state: 'confirmed',
      confirmation: { by: 'accepted', on: '2024-03-04' },
    });
  });

  it('answers bad input with problem+json naming the field, and writes nothing', async () => {
    await at('2024-03-04', 'town', 'ent');
    const c = await open({ maker: own, failedOn: '2024-03-01' });
    const path = `/api/v1/sampling/cases/${c.id}`;
    const post = (who: string, suffix: string, body: object) => t.call(who, 'POST', `${path}${suffix}`, body);
    const expectField = async (
      res: Awaited<ReturnType<typeof post>>,
      status: number,
      field: string,
      code?: string,
    ) => {
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().fields).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, ...(code ? { code } : {}) })]),
      );
    };
    await expectField(
      await post('town', '/actions', { type: 'notify', on: '2024-03-05' }),
      400,
      'on',
      'IN_THE_FUTURE',
    );
    await expectField(
      await post('town', '/actions', { type: 'notify', on: '2024-02-29' }),
      400,
      'on',
      'BEFORE_PREVIOUS_STEP',
    );
    await expectField(
      await post('town', '/actions', { type: 'notify', on: '2024-02-31' }),
      400,
      'on',
      'INVALID_DATE',
    );
    await expectField(
      await post('town', '/actions', { type: 'receive' }),
      409,
      'type',
      'CASE_TRANSITION_NOT_ALLOWED',
    );
    expect((await post('town', '/actions', { type: 'teleport' })).statusCode).toBe(400);
    expect((await post('town', '/actions', { type: 'object', items: ['i1'], grounds: 'x' })).statusCode).toBe(
      400,
    );
    expect((await post('town', '/actions', { type: 'notify', extra: 1 })).statusCode).toBe(400);
    expect((await stored(c.id)).state).toBe('opened');

    await act(c.id, { type: 'notify' });
    await act(c.id, { type: 'receive' }); // window until 2024-03-19
    await expectField(
      await post('ent', '/objection', { items: ['i9'], grounds: 'x' }),
      400,
      'items',
      'NOT_A_FAILED_ITEM',
    );
    await expectField(await post('ent', '/objection', { items: [], grounds: 'x' }), 400, 'items');
    await expectField(await post('ent', '/objection', { items: ['i1'] }), 400, 'grounds');
    expect(
      (await post('ent', '/objection', { items: ['i1'], grounds: 'x', on: '2024-03-01' })).statusCode,
    ).toBe(400);
    await at('2024-03-20', 'ent');
    const late = await post('ent', '/objection', { items: ['i1'], grounds: '逾期' });
    await expectField(late, 409, 'on', 'CASE_OBJECTION_WINDOW_CLOSED');
    expect(late.json().message.zh).toContain('2024-03-19');
    expect((await stored(c.id)).state).toBe('objectionWindow');
    expect((await audits(c.id)).map((a) => a.action)).toEqual([
      'samplingCase.open',
      'samplingCase.notify',
      'samplingCase.receive',
    ]);
  });

  it('the queue is ordered by due date, overdue marked, and filters by state and overdue', async () => {
    setDay('2024-06-03');
    const d = await open({ maker: other, failedOn: '2024-06-01' });
    await act(d.id, { type: 'notify' });
    await act(d.id, { type: 'receive' }); // due 2024-06-18: overdue by 07-01
    await at('2024-07-01', 'town2');
    const a = await open({ maker: other, failedOn: '2024-07-01' }); // opened: no due date
    const b = await open({ maker: other, failedOn: '2024-07-01' });
    await act(b.id, { type: 'notify' });
    await act(b.id, { type: 'receive' }); // due 2024-07-16
    const items = (await caseQueue(rt, { kind: 'town', townCode: DONGCHENG }, { state: 'open' })).map(
      (i) => ({
        id: i.case.id,
        dueOn: i.case.dueOn,
        overdue: i.overdue,
      }),
    );
    const pos = (id: string) => items.findIndex((i) => i.id === id);
    expect(items.find((i) => i.id === d.id)).toEqual({ id: d.id, dueOn: '2024-06-18', overdue: true });
    expect(items.find((i) => i.id === b.id)).toEqual({ id: b.id, dueOn: '2024-07-16', overdue: false });
    expect(pos(d.id)).toBeLessThan(pos(b.id));
    expect(pos(b.id)).toBeLessThan(pos(a.id));
    const dueOns = items.map((i) => i.dueOn);
    const dated = dueOns.filter((x) => x !== null) as string[];
    expect(dated).toEqual([...dated].sort());
    expect(dueOns.slice(dated.length).every((x) => x === null)).toBe(true);
    const overdue = await t.call('town2', 'GET', '/api/v1/sampling/cases?overdue=true');
    expect(overdue.json().items.map((i: { id: string }) => i.id)).toContain(d.id);
    expect(overdue.json().items.every((i: { overdue: boolean }) => i.overdue)).toBe(true);
    const notOverdue = await t.call(
      'town2',
      'GET',
      '/api/v1/sampling/cases?overdue=false&state=objectionWindow',
    );
    expect(notOverdue.json().items.map((i: { id: string }) => i.id)).toEqual([b.id]);
    expect((await t.call('town2', 'GET', '/api/v1/sampling/cases?state=nonsense')).statusCode).toBe(400);
    const one = await caseDetail(rt, { kind: 'city' }, d.id);
    expect(one).toMatchObject({ overdue: true, productName: '电热水壶' });
  });

  it('daily jobs: the window lapses into a confirmed failure, deadlines are reminded of and marked once', async () => {
    setDay('2024-01-22');
    const c = await open({ maker: own, failedOn: '2024-01-22' });
    await act(c.id, { type: 'notify' });
    setDay('2024-01-26');
    await act(c.id, { type: 'receive' }); // the window ends on the make-up Sunday 2024-02-18
    // reminders: 3 working days before, counting over the Spring Festival holiday
    setDay('2024-02-06');
    await caseReminders(rt);
    expect((await audits(c.id)).filter((a) => a.action === 'samplingCase.remind')).toHaveLength(0);
    setDay('2024-02-07');
    await caseReminders(rt);
    await caseReminders(rt);
    const reminders = (await audits(c.id)).filter((a) => a.action === 'samplingCase.remind');
    expect(reminders).toHaveLength(1);
    expect(json.read(reminders[0]!.after!, {})).toMatchObject({
      dues: [{ name: 'objectionWindow', on: '2024-02-18' }],
    });
    // the last day still belongs to the enterprise
    setDay('2024-02-18');
    await caseEscalations(rt);
    expect((await stored(c.id)).state).toBe('objectionWindow');
    // the day after, the failure is confirmed, dated the day after the window — even if the job runs late
    setDay('2024-02-21');
    expect(await caseEscalations(rt)).toContain('objection windows closed: 1');
    const confirmed = caseOf(await stored(c.id));
    expect(confirmed).toMatchObject({
      state: 'confirmed',
      confirmation: { on: '2024-02-19', by: 'noObjection' },
    });
    expect(confirmed.history.at(-1)).toMatchObject({
      action: 'lapse',
      actor: { kind: 'system', label: 'job:sampling.caseEscalations' },
    });
    expect((await caseEvents(c.id)).at(-1)).toMatchObject({
      from: 'objectionWindow',
      to: 'confirmed',
      action: 'lapse',
    });

    // correction ordered 2024-02-21: correct by 04-22 (04-21 is a Sunday), re-inspect by 05-06 (Labour Day)
    await act(c.id, { type: 'orderCorrection' });
    expect(caseOf(await stored(c.id)).dues.map((d) => d.on)).toEqual(['2024-04-22', '2024-05-06']);
    setDay('2024-04-23');
    await caseEscalations(rt);
    await caseEscalations(rt);
    const marks = () => audits(c.id).then((rows) => rows.filter((a) => a.action === 'samplingCase.overdue'));
    expect(
      (await marks())
        .map((a) => json.read(a.after!, {}) as { dues: Array<{ name: string }> })
        .map((a) => a.dues[0]!.name),
    ).toEqual(['correctionPeriod']);
    let queued = (await caseQueue(rt, { kind: 'city' }, { state: 'correcting' })).find(
      (i) => i.case.id === c.id,
    )!;
    expect(queued.overdue).toBe(false);
    setDay('2024-05-07');
    await caseEscalations(rt);
    expect(await marks()).toHaveLength(2);
    queued = (await caseQueue(rt, { kind: 'city' }, { state: 'correcting', overdue: true })).find(
      (i) => i.case.id === c.id,
    )!;
    expect(queued.overdue).toBe(true);
    // still possible late: the re-inspection is recorded and the case moves on
    expect((await act(c.id, { type: 'reinspect', passed: true })).state).toBe('closedRectified');
  });

  it('runs as scheduled jobs, once per day', async () => {
    setDay('2024-12-02');
    const ran = await runDueJobs(rt, caseJobs);
    expect(ran).toEqual(['sampling.caseEscalations@2024-12-02', 'sampling.caseReminders@2024-12-02']);
    expect(await runDueJobs(rt, caseJobs)).toEqual([]);
    const runs = await rt.db
      .selectFrom('job_runs')
      .select(['job', 'status'])
      .where('period_key', '=', '2024-12-02')
      .execute();
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });
});
