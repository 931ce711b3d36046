// Lab results through the HTTP API, on every dialect: only the sample's lab enters them, every check
// item exactly once, dated between the sampling and today; the verdict fails on any failed item
// with the worst failed class as its severity, which the credit record follows in the same request;
// a failure opens its case, and the enterprise's objection leads to a re-test of the disputed items
// by another lab that overturns, upholds or restates the failure. The report PDF comes from the lab.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { testApp } from '../../testing/http.js';
import {
  CHANGAN,
  type DrawnTask,
  drawnPlan,
  fieldCodes,
  makeLab,
  makeMakers,
  registerInspectors,
  type SamplingTestApp,
  sampleRecord,
} from './testing.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const S = '/api/v1/sampling';

type Verdict = 'pass' | 'fail';
/** Results of the three items of planBody(): i1 minor, i2 critical, i3 major; `fails` fail. */
const results = (fails: string[] = [], keys = ['i1', 'i2', 'i3']) =>
  keys.map((key) => ({
    key,
    measured: fails.includes(key) ? '不符合' : '符合',
    verdict: (fails.includes(key) ? 'fail' : 'pass') as Verdict,
  }));

describe.each(DIALECTS)('lab results and re-tests on %s', (dialect) => {
  let rt: Runtime;
  let t: SamplingTestApp;
  const clock = offsetClock('2026-03-02T02:00:00Z'); // Monday 2026-03-02, 10:00 in Dongguan
  let lab: Awaited<ReturnType<typeof makeLab>>;
  let lab2: Awaited<ReturnType<typeof makeLab>>;
  let makers: Awaited<ReturnType<typeof makeMakers>>;
  let tasks: DrawnTask[];
  /** sample id of maker i */
  const sampleIds: string[] = [];

  const enter = (who: string, i: number, items: unknown[], reportedOn = '2026-03-02') =>
    t.call(who, 'POST', `${S}/samples/${sampleIds[i]}/results`, { reportedOn, items });
  const retest = (who: string, i: number, items: unknown[], reportedOn = '2026-03-02') =>
    t.call(who, 'POST', `${S}/samples/${sampleIds[i]}/retest-results`, { reportedOn, items });
  const detail = async (i: number, who = 'reg') =>
    (await t.call(who, 'GET', `${S}/samples/${sampleIds[i]}`)).json();
  const credit = async (i: number) =>
    (await t.call('reg', 'GET', `/api/v1/credit/enterprises/${makers[i]!.uscc}`)).json().grade as {
      grade: string;
      score: number;
      contributions: { rule: string; points: number; recordId: string }[];
      reversed: { recordId: string }[];
    };
  const records = async (i: number) =>
    (await t.call('reg', 'GET', `/api/v1/credit/enterprises/${makers[i]!.uscc}/records`)).json().items as {
      id: string;
      ruleId: string;
      status: string;
      reversesId: string | null;
      points: number;
    }[];
  const events = (type: string, i: number) =>
    rt.db
      .selectFrom('outbox_events')
      .select(['id', 'payload'])
      .where('type', '=', type)
      .where('enterprise_id', '=', makers[i]!.id)
      .execute();
  const act = (caseId: string, body: Record<string, unknown>) =>
    t.call('reg', 'POST', `${S}/cases/${caseId}/actions`, body);
  const upload = (who: string, i: number, filename: string, bytes: Buffer) => {
    const boundary = '----zhihui-results';
    return t.app.inject({
      method: 'POST',
      url: `${S}/samples/${sampleIds[i]}/report`,
      payload: Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        cookie: t.sessions[who]!.cookie,
        'x-csrf-token': t.sessions[who]!.csrf,
      },
    });
  };
  /** Fails maker i's sample on `fails`, notifies and receives it, and the enterprise objects to `disputed`. */
  const failAndObject = async (i: number, fails: string[], disputed: string[]) => {
    expect((await enter('labuser', i, results(fails))).statusCode).toBe(200);
    const caseId = (await detail(i)).case.id as string;
    expect((await act(caseId, { type: 'notify' })).statusCode).toBe(200);
    expect((await act(caseId, { type: 'receive' })).statusCode).toBe(200);
    const objected = await t.call(`ent${i}`, 'POST', `${S}/cases/${caseId}/objection`, {
      items: disputed,
      grounds: '对检测方法有异议，申请对备用样品复检',
    });
    expect(objected.statusCode, objected.body).toBe(200);
    expect(objected.json().state).toBe('objected');
    return caseId;
  };

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    lab = await makeLab(rt);
    lab2 = await makeLab(rt, '广东产品质量监督检验研究院');
    makers = await makeMakers(rt, 7, '0101');
    t = await testApp(rt, [
      { username: 'reg', role: 'regulator' },
      { username: 'insp1', role: 'townOfficer', townCode: CHANGAN },
      { username: 'labuser', role: 'lab', enterpriseUscc: lab.uscc },
      { username: 'lab2user', role: 'lab', enterpriseUscc: lab2.uscc },
      // sign-ins are limited to 10 a minute: the producers that act or look
      ...[0, 3, 4, 5, 6].map((i) => ({
        username: `ent${i}`,
        role: 'enterprise' as const,
        enterpriseUscc: makers[i]!.uscc,
      })),
    ]);
    await registerInspectors(t, 'reg', ['insp1', 'reg'], CHANGAN);
    ({ tasks } = await drawnPlan(t, 'reg', {
      code: 'DG-2026-DL-02',
      category: '0101',
      labId: lab.id,
      referred: makers.map((m) => m.uscc),
    }));
    for (const m of makers) {
      const task = tasks.find((x) => x.enterprise.uscc === m.uscc)!;
      const res = await t.call(
        'insp1',
        'POST',
        `${S}/tasks/${task.id}/sample`,
        sampleRecord({ sampledOn: '2026-02-27' }),
      );
      if (res.statusCode !== 201) throw new Error(res.body);
      sampleIds.push(res.json().id);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  it('lets only the sample’s lab enter its results', async () => {
    for (const who of ['lab2user', 'reg', 'insp1', 'ent0']) {
      const res = await enter(who, 0, results());
      expect(res.statusCode, who).toBe(403);
      expect(res.json().code, who).toBe('FORBIDDEN');
    }
    expect((await enter('lab2user', 0, results())).json().message.zh).toContain('承检机构');
    // another lab does not even see the sample; its own lab and the producer do
    expect((await t.call('lab2user', 'GET', `${S}/samples/${sampleIds[0]}`)).statusCode).toBe(404);
    expect((await t.call('labuser', 'GET', `${S}/samples/${sampleIds[0]}`)).statusCode).toBe(200);
    expect((await t.call('ent0', 'GET', `${S}/samples/${sampleIds[0]}`)).statusCode).toBe(200);
    expect((await t.call('ent3', 'GET', `${S}/samples/${sampleIds[0]}`)).statusCode).toBe(404);
    expect((await detail(0)).state).toBe('sentToLab');
  });

  it('takes every check item exactly once, dated between the sampling and today, or writes nothing', async () => {
    const written = async () =>
      Number(
        (
          await rt.db
            .selectFrom('sampling_results')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await written();
    const all = results();
    const cases: [string, unknown[], string, string[]][] = [
      ['an item missing', all.slice(0, 2), '2026-03-02', ['items:MISSING_ITEM']],
      [
        'an unknown item',
        [...all, { key: 'i9', measured: '1', verdict: 'pass' }],
        '2026-03-02',
        ['items.3.key:UNKNOWN_ITEM'],
      ],
      ['an item twice', [all[0], all[0], all[1], all[2]], '2026-03-02', ['items.1.key:DUPLICATE']],
      [
        'an item twice instead of another',
        [all[0], all[1], all[1]],
        '2026-03-02',
        ['items.2.key:DUPLICATE', 'items:MISSING_ITEM'],
      ],
      [
        'a blank measurement',
        [{ ...all[0], measured: '  ' }, all[1], all[2]],
        '2026-03-02',
        ['items.0.measured:REQUIRED'],
      ],
      ['no items', [], '2026-03-02', ['items:MINITEMS']],
      ['a report before the sampling', all, '2026-02-26', ['reportedOn:BEFORE_SAMPLING']],
      ['a report in the future', all, '2026-03-03', ['reportedOn:FUTURE_DATE']],
      ['a report on no day', all, '2026-02-30', ['reportedOn:INVALID_DATE']],
      [
        'an extra field',
        [{ ...all[0], lab: 'x' }, all[1], all[2]],
        '2026-03-02',
        ['items.0.lab:ADDITIONALPROPERTIES'],
      ],
    ];
    for (const [what, items, on, expected] of cases) {
      const res = await enter('labuser', 0, items, on);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
      expect(fieldCodes(res), what).toEqual(expected);
      for (const f of res.json().fields) {
        expect(f.message.zh, what).toMatch(/\S/);
        expect(f.message.en, what).toMatch(/\S/);
      }
    }
    const maybe = await enter('labuser', 0, [{ ...all[0], verdict: 'maybe' }, all[1], all[2]]);
    expect(maybe.statusCode).toBe(400);
    expect(fieldCodes(maybe).every((f) => f.startsWith('items.0.verdict:'))).toBe(true);
    expect(await written()).toBe(before);
    expect((await detail(0)).state).toBe('sentToLab');
    // the day of sampling is the earliest report date
    expect((await enter('labuser', 0, all, '2026-02-27')).statusCode).toBe(200);
  });

  it('passes a sample with no failed item: sampling.sample.passed, no case, no credit record', async () => {
    const s = await detail(0);
    expect(s).toMatchObject({
      verdict: 'pass',
      severity: null,
      state: 'final',
      reportedOn: '2026-02-27',
      case: null,
    });
    expect(
      s.results.map(
        (r: { key: string; round: string; verdict: string }) => `${r.key}:${r.round}:${r.verdict}`,
      ),
    ).toEqual(['i1:original:pass', 'i2:original:pass', 'i3:original:pass']);
    expect(await events('sampling.sample.passed', 0)).toHaveLength(1);
    expect(await events('sampling.sample.failed', 0)).toHaveLength(0);
    expect(
      await rt.db.selectFrom('sampling_cases').select('id').where('sample_id', '=', sampleIds[0]!).execute(),
    ).toEqual([]);
    expect(await credit(0)).toMatchObject({ grade: 'B', score: 100, contributions: [] });
    const task = (await t.call('reg', 'GET', `${S}/tasks/${s.task.id}`)).json();
    expect(task.state).toBe('tested');
    // results are entered once
    const again = await enter('labuser', 0, results(['i2']));
    expect(again.statusCode).toBe(409);
    expect((await detail(0)).verdict).toBe('pass');
  });

  it('fails with the worst failed item’s class, recorded in credit at once under its rule, and opens the case', async () => {
    const expected: [number, string[], string, string, string, number, string][] = [
      [1, ['i1'], 'minor', 'general', 'sampling.failed.general', 95, 'B'],
      [2, ['i1', 'i3'], 'major', 'serious', 'sampling.failed.serious', 90, 'B'],
      [3, ['i1', 'i2', 'i3'], 'critical', 'critical', 'sampling.failed.critical', 80, 'C'],
    ];
    for (const [i, fails, severity, creditSeverity, rule, score, grade] of expected) {
      const res = await enter('labuser', i, results(fails));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        verdict: 'fail',
        severity,
        state: 'reported',
        case: { state: 'opened' },
      });
      const failed = await events('sampling.sample.failed', i);
      expect(failed).toHaveLength(1);
      expect(JSON.parse(failed[0]!.payload)).toMatchObject({
        severity: creditSeverity,
        productCategory: '0101',
      });
      expect(await events('sampling.sample.passed', i)).toHaveLength(0);
      const g = await credit(i);
      expect(g, rule).toMatchObject({ grade, score });
      expect(g.contributions.map((c) => c.rule)).toEqual([rule]);
      const kase = (await t.call('reg', 'GET', `${S}/cases/${res.json().case.id}`)).json();
      expect(kase).toMatchObject({ state: 'opened', failedItems: fails, sampleNo: res.json().sampleNo });
    }
    // the producer sees its result and its case
    const mine = (await t.call('ent3', 'GET', `${S}/mine/samples`)).json().items;
    expect(mine).toEqual([
      expect.objectContaining({
        verdict: 'fail',
        severity: 'critical',
        case: expect.objectContaining({ state: 'opened' }),
      }),
    ]);
  });

  it('takes the report PDF from the sample’s lab only', async () => {
    const ok = await upload('labuser', 3, '检验报告.pdf', PDF);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ filename: '检验报告.pdf', size: PDF.length });
    const notPdf = await upload('labuser', 3, 'report.pdf', Buffer.from('这不是PDF'));
    expect(notPdf.statusCode).toBe(400);
    expect(notPdf.json().code).toBe('UNSUPPORTED_FILE');
    expect(fieldCodes(notPdf)).toEqual(['file:NOT_A_PDF']);
    for (const who of ['lab2user', 'reg', 'insp1', 'ent3'])
      expect((await upload(who, 3, 'r.pdf', PDF)).statusCode, who).toBe(403);
    const files = (await detail(3)).files;
    expect(files).toEqual([expect.objectContaining({ id: ok.json().id, kind: 'report' })]);
    // the producer may read its report
    const got = await t.call('ent3', 'GET', `${S}/files/${ok.json().id}`);
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.rawPayload.equals(PDF)).toBe(true);
    expect((await t.call('ent0', 'GET', `${S}/files/${ok.json().id}`)).statusCode).toBe(404);
  });

  it('overturns a failure when the re-test of the disputed items passes: the record reversed, the grade restored', async () => {
    const i = 4;
    expect((await enter('labuser', i, results(['i2']))).statusCode).toBe(200);
    const caseId = (await detail(i)).case.id as string;
    const record = (await records(i))[0]!;
    expect(record).toMatchObject({ ruleId: 'sampling.failed.critical', status: 'active', points: -20 });
    expect(await credit(i)).toMatchObject({ grade: 'C', score: 80 });
    const object = (who: string, items: string[]) =>
      t.call(who, 'POST', `${S}/cases/${caseId}/objection`, { items, grounds: '检测方法有误' });
    // no objection before the failure is notified and received
    expect((await object('ent4', ['i2'])).statusCode).toBe(409);
    expect((await act(caseId, { type: 'notify' })).json().state).toBe('notified');
    expect((await object('ent4', ['i2'])).json().code).toBe('CASE_TRANSITION_NOT_ALLOWED');
    expect((await act(caseId, { type: 'receive' })).json().state).toBe('objectionWindow');
    // only the producer objects, and only to failed items
    expect((await object('ent5', ['i2'])).statusCode).toBe(403);
    expect(
      (await t.call('reg', 'POST', `${S}/cases/${caseId}/objection`, { items: ['i2'], grounds: 'x' }))
        .statusCode,
    ).toBe(403);
    const notFailed = await object('ent4', ['i1']);
    expect(notFailed.statusCode).toBe(400);
    expect(fieldCodes(notFailed)[0]).toMatch(/^items:/);
    expect((await object('ent4', ['i2'])).json()).toMatchObject({
      state: 'objected',
      objection: { items: ['i2'] },
    });
    // nobody enters a re-test before a lab is assigned
    expect((await retest('lab2user', i, results([], ['i2']))).statusCode).toBe(409);
    // the re-test goes to another lab
    const same = await act(caseId, { type: 'assignRetest', labEnterpriseId: lab.id });
    expect(same.statusCode).toBe(400);
    expect(fieldCodes(same)).toEqual(['labEnterpriseId:SAME_LAB']);
    // and to a lab: an ordinary enterprise has nobody who could enter the re-test
    const notLab = await act(caseId, { type: 'assignRetest', labEnterpriseId: makers[0]!.id });
    expect(notLab.statusCode).toBe(400);
    expect(fieldCodes(notLab)).toEqual(['labEnterpriseId:NOT_A_LAB']);
    const assigned = await act(caseId, { type: 'assignRetest', labEnterpriseId: lab2.id });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json()).toMatchObject({ state: 'retesting', retest: { labEnterpriseId: lab2.id } });
    // the re-test lab sees the sample among its own; the original lab may not enter the re-test
    const queue = (await t.call('lab2user', 'GET', `${S}/lab/samples`)).json().items;
    expect(queue).toEqual([expect.objectContaining({ id: sampleIds[i], retest: true })]);
    expect((await t.call('lab2user', 'GET', `${S}/samples/${sampleIds[i]}`)).statusCode).toBe(200);
    expect((await retest('labuser', i, results([], ['i2']))).statusCode).toBe(403);
    expect((await retest('reg', i, results([], ['i2']))).statusCode).toBe(403);
    // only the disputed items, each once
    expect(fieldCodes(await retest('lab2user', i, results([], ['i1', 'i2'])))).toEqual([
      'items.0.key:UNKNOWN_ITEM',
    ]);
    expect(fieldCodes(await retest('lab2user', i, results([], ['i3'])))).toEqual([
      'items.0.key:UNKNOWN_ITEM',
      'items:MISSING_ITEM',
    ]);
    expect(fieldCodes(await retest('lab2user', i, results([], ['i2']), '2026-03-01'))).toEqual([
      'reportedOn:BEFORE_SAMPLING',
    ]);
    expect(fieldCodes(await retest('lab2user', i, results([], ['i2']), '2026-03-03'))).toEqual([
      'reportedOn:FUTURE_DATE',
    ]);

    const res = await retest('lab2user', i, results([], ['i2']));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      verdict: 'pass',
      severity: null,
      state: 'final',
      case: { state: 'closedOverturned' },
    });
    expect(
      res
        .json()
        .results.map(
          (r: { key: string; round: string; verdict: string }) => `${r.key}:${r.round}:${r.verdict}`,
        ),
    ).toEqual(['i1:original:pass', 'i2:original:fail', 'i3:original:pass', 'i2:retest:pass']);
    expect(await events('sampling.sample.overturned', i)).toHaveLength(1);
    const g = await credit(i);
    expect(g).toMatchObject({ grade: 'B', score: 100, contributions: [] });
    expect(g.reversed).toEqual([expect.objectContaining({ recordId: record.id })]);
    expect(
      (await records(i)).map((r) => `${r.status}:${r.reversesId === record.id ? 'reversal' : r.ruleId}`),
    ).toEqual(['reversal:reversal', 'reversed:sampling.failed.critical']);
    // the re-test lab attaches its report; the result is final
    const report = await upload('lab2user', i, '复检报告.pdf', PDF);
    expect(report.statusCode, report.body).toBe(201);
    expect((await detail(i)).files).toEqual([expect.objectContaining({ kind: 'retestReport' })]);
    expect((await retest('lab2user', i, results(['i2'], ['i2']))).statusCode).toBe(409);
  });

  it('upholds a failure the re-test confirms: the record stands and the case goes on to correction', async () => {
    const i = 5;
    const caseId = await failAndObject(i, ['i2'], ['i2']);
    expect((await act(caseId, { type: 'assignRetest', labEnterpriseId: lab2.id })).statusCode).toBe(200);
    const res = await retest('lab2user', i, results(['i2'], ['i2']));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      verdict: 'fail',
      severity: 'critical',
      state: 'final',
      case: { state: 'confirmed' },
    });
    expect(await events('sampling.sample.overturned', i)).toHaveLength(0);
    expect(await events('sampling.sample.failed', i)).toHaveLength(1);
    const g = await credit(i);
    expect(g).toMatchObject({ grade: 'C', score: 80 });
    expect(g.contributions.map((c) => c.rule)).toEqual(['sampling.failed.critical']);
    const order = await act(caseId, { type: 'orderCorrection', documentNo: '东市监责改〔2026〕12号' });
    expect(order.statusCode, order.body).toBe(200);
    expect(order.json()).toMatchObject({ state: 'correcting', correctionOrder: { stopAtOnce: true } });
    expect(order.json().dues.map((d: { name: string }) => d.name)).toEqual([
      'correctionPeriod',
      'reinspectionDue',
    ]);
  });

  it('restates a failure whose critical item is overturned while a minor one still fails', async () => {
    const i = 6;
    const caseId = await failAndObject(i, ['i1', 'i2'], ['i2']);
    const original = (await records(i))[0]!;
    expect(original).toMatchObject({ ruleId: 'sampling.failed.critical', status: 'active' });
    expect(await credit(i)).toMatchObject({ grade: 'C', score: 80 });
    expect((await act(caseId, { type: 'assignRetest', labEnterpriseId: lab2.id })).statusCode).toBe(200);
    const res = await retest('lab2user', i, results([], ['i2']));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      verdict: 'fail',
      severity: 'minor',
      state: 'final',
      case: { state: 'confirmed' },
    });
    // the critical record is reversed, a general one recorded in its place
    const g = await credit(i);
    expect(g).toMatchObject({ grade: 'B', score: 95 });
    expect(g.contributions.map((c) => `${c.rule}:${c.points}`)).toEqual(['sampling.failed.general:-5']);
    expect(g.reversed).toEqual([expect.objectContaining({ recordId: original.id })]);
    const now = await records(i);
    expect(now.find((r) => r.id === original.id)!.status).toBe('reversed');
    expect(now.filter((r) => r.status === 'active').map((r) => r.ruleId)).toEqual([
      'sampling.failed.general',
    ]);
    const failed = await events('sampling.sample.failed', i);
    expect(failed.map((e) => JSON.parse(e.payload).severity).sort()).toEqual(['critical', 'general']);
    // the sample's failure now points at the restated event
    const row = await rt.db
      .selectFrom('sampling_samples')
      .select('failed_event_id')
      .where('id', '=', sampleIds[i]!)
      .executeTakeFirstOrThrow();
    expect(failed.find((e) => JSON.parse(e.payload).severity === 'general')!.id).toBe(row.failed_event_id);
  });
});
