// Findings of the credit review (issue 7), through the HTTP API on every dialect: what the portal
// shows of a blacklisting follows the entry's publication; dates and periods are bounded where they
// enter, so no date arithmetic answers 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { testApp } from '../../testing/http.js';
import { createEnterprise } from '../registry/enterprises.js';
import { expireDueEntries } from './blacklist-store.js';
import { EVIDENCE_LIMITS, purgeUnattachedEvidence } from './evidence.js';
import { computeGrade } from './grading.js';
import { reportHtml } from './report.js';
import { creditStats } from './supervision.js';
import { gradeView, recordViews } from './views.js';

describe.each(DIALECTS)('credit review findings on %s', (dialect) => {
  let rt: Runtime;
  let t: Awaited<ReturnType<typeof testApp>>;
  const clock = offsetClock('2026-03-02T02:00:00Z'); // Monday 2026-03-02, 10:00 in Dongguan
  const listedCo = buildEnterprise({ townCode: '441900119' });
  const plain = buildEnterprise({ townCode: '441900119' });

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    await createEnterprise(rt, systemActor('test'), listedCo);
    await createEnterprise(rt, systemActor('test'), plain);
    t = await testApp(rt, [
      { username: 'admin', role: 'admin' },
      { username: 'reg', role: 'regulator' },
      { username: 'ent', role: 'enterprise', enterpriseUscc: plain.uscc },
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  const publicPage = async (uscc: string) =>
    (await t.app.inject({ url: `/api/v1/public/credit/${uscc}` })).json();
  const openData = async () => ({
    json: (await t.app.inject({ url: '/api/v1/public/credit-records.json' })).body,
    csv: (await t.app.inject({ url: '/api/v1/public/credit-records.csv' })).body,
  });
  const act = async (id: string, body: object) => {
    const res = await t.call('reg', 'POST', `/api/v1/credit/blacklist/${id}/actions`, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('shows a blacklisting (entry and record) only while the entry is published', async () => {
    const res = await t.call('reg', 'POST', '/api/v1/credit/blacklist', {
      uscc: listedCo.uscc,
      penalty: { decisionNo: '东市监罚〔2026〕77号', decidedOn: '2026-02-26' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    await act(id, { type: 'notify' });
    await act(id, { type: 'list', statementHeard: true });

    // listed, not yet published: the portal shows neither the entry nor its record
    const listed = await publicPage(listedCo.uscc);
    expect(listed.blacklist).toBeNull();
    expect(listed.records).toEqual([]);
    expect(JSON.stringify(listed)).not.toContain('77号');
    const before = await openData();
    expect(before.json).not.toContain('77号');
    expect(before.csv).not.toContain('77号');
    // the archive (login) keeps the record all along
    const archive = (
      await t.call('reg', 'GET', `/api/v1/credit/enterprises/${listedCo.uscc}/records`)
    ).json();
    expect(archive.items.map((r: { eventType: string }) => r.eventType)).toContain('credit.blacklist.listed');

    // published: entry and record together
    await act(id, { type: 'publish' });
    const published = await publicPage(listedCo.uscc);
    expect(published.blacklist).toMatchObject({ decisionNo: '东市监罚〔2026〕77号' });
    expect(published.records).toEqual([
      expect.objectContaining({ summary: expect.stringContaining('东市监罚〔2026〕77号') }),
    ]);
    expect((await openData()).csv).toContain('77号');

    // the term ends (the daily job expires the entry): neither is shown any more
    clock.set('2029-03-02T02:00:00Z');
    try {
      expect(await expireDueEntries(rt)).toBe(1);
      const expired = await publicPage(listedCo.uscc);
      expect(expired.blacklist).toBeNull();
      expect(expired.records).toEqual([]);
      const after = await openData();
      expect(after.json).not.toContain('77号');
      expect(after.csv).not.toContain('77号');
    } finally {
      clock.set('2026-03-02T02:00:00Z');
    }
  });

  it('refuses as-of dates outside the archive with a field error, not a grade or a 500', async () => {
    for (const asOf of ['0000-01-01', '2023-12-31', '9999-12-31', '2031-03-03']) {
      const res = await t.call('reg', 'GET', `/api/v1/credit/enterprises/${plain.uscc}/grade?asOf=${asOf}`);
      expect(res.statusCode, `${asOf}: ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_DATE' });
      expect(res.json().fields[0]).toMatchObject({ field: 'asOf', code: 'DATE_OUT_OF_RANGE' });
      expect(res.json().fields[0].message.zh).toContain('2024-01-01');
    }
    const ok = await t.call('reg', 'GET', `/api/v1/credit/enterprises/${plain.uscc}/grade?asOf=2024-01-01`);
    expect(ok.statusCode, ok.body).toBe(200);
    const sandbox = await t.call('reg', 'POST', '/api/v1/credit/rule-sets/dg-2024/1/sandbox', {
      asOf: '9998-06-30',
    });
    expect(sandbox.statusCode, sandbox.body).toBe(400);
    expect(sandbox.json().fields[0]).toMatchObject({ field: 'asOf', code: 'DATE_OUT_OF_RANGE' });
  });

  it('refuses a validity of 9000 years, and an effective date past 2099, where they enter', async () => {
    const { body } = (await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/1')).json();
    const rules = body.rules.map((r: { id: string }, i: number) =>
      i === 0 ? { ...r, validity: { years: 9000 } } : r,
    );
    const check = await t.call('reg', 'POST', '/api/v1/credit/rule-sets/validate', {
      body: { ...body, rules },
    });
    expect(check.statusCode).toBe(200);
    expect(check.json()).toMatchObject({ ok: false, errors: [{ path: '/rules/0/validity' }] });
    expect(check.json().errors[0].message.zh).toContain('30年');
    const draft = await t.call('reg', 'POST', '/api/v1/credit/rule-sets', {
      body: { ...body, rules, effectiveFrom: '2026-04-01' },
    });
    expect(draft.statusCode).toBe(400);
    expect(draft.json().fields).toEqual([expect.objectContaining({ field: '/rules/0/validity' })]);
    const far = await t.call('reg', 'POST', '/api/v1/credit/rule-sets/validate', {
      body: { ...body, effectiveFrom: '9999-01-01' },
    });
    expect(far.json()).toMatchObject({ ok: false, errors: [{ path: '/effectiveFrom' }] });
  });

  it('refuses a stored draft whose validity leaves the calendar at publication and in the sandbox', async () => {
    // a draft saved before the bound existed
    const { body } = (await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/1')).json();
    const rules = body.rules.map((r: { id: string }, i: number) =>
      i === 0 ? { ...r, validity: { years: 9000 } } : r,
    );
    const now = new Date().toISOString();
    await rt.db
      .insertInto('credit_rule_sets')
      .values({
        id: 'old-draft',
        version: 1,
        status: 'draft',
        effective_from: '2026-04-01',
        body: JSON.stringify({ ...body, id: 'old-draft', version: 1, rules, effectiveFrom: '2026-04-01' }),
        created_at: now,
        created_by: 'test',
        updated_at: now,
        published_at: null,
        published_by: null,
      })
      .execute();
    const sandbox = await t.call('reg', 'POST', '/api/v1/credit/rule-sets/old-draft/1/sandbox', {});
    expect(sandbox.statusCode, sandbox.body).toBe(400);
    expect(sandbox.json().fields[0]).toMatchObject({ field: '/rules/0/validity' });
    const publish = await t.call('admin', 'POST', '/api/v1/credit/rule-sets/old-draft/1/publish');
    expect(publish.statusCode, publish.body).toBe(400);
  });
  it('gives an objection its deadline at submission and counts it overdue before anyone opens it', async () => {
    const rec = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${plain.uscc}/records`, {
      type: 'credit.complaint.verified',
      occurredOn: '2026-02-20',
      details: { complaintNo: 'TS-2026-9' },
    });
    expect(rec.statusCode, rec.body).toBe(201);
    const obj = await t.call('ent', 'POST', `/api/v1/credit/records/${rec.json().record.id}/objections`, {
      grounds: '投诉人已撤回投诉',
    });
    expect(obj.statusCode, obj.body).toBe(201);
    // ten working days from Monday 2026-03-02, the day of submission not counted
    expect(obj.json()).toMatchObject({ state: 'submitted', reviewDeadline: '2026-03-16', overdue: false });
    const queue = (await t.call('reg', 'GET', '/api/v1/credit/objections?state=submitted')).json().items;
    expect(queue).toEqual([expect.objectContaining({ id: obj.json().id, reviewDeadline: '2026-03-16' })]);
    // still unopened the day after the deadline: overdue on the overview
    const stats = await creditStats(rt.db, '2026-03-17', null, rt.calendar);
    expect(stats.objections).toEqual({ pending: 1, overdue: 1 });
    expect((await creditStats(rt.db, '2026-03-16', null, rt.calendar)).objections.overdue).toBe(0);
  });

  it('answers 400, never 500, to a state, type or option named like an Object property', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const objections = await t.call('reg', 'GET', `/api/v1/credit/objections?state=${name}`);
      expect(objections.statusCode, `objections ${name}`).toBe(400);
      const blacklist = await t.call('reg', 'GET', `/api/v1/credit/blacklist?state=${name}`);
      expect(blacklist.statusCode, `blacklist ${name}`).toBe(400);
      const type = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${plain.uscc}/records`, {
        type: name,
        occurredOn: '2026-02-20',
        details: {},
      });
      expect(type.statusCode, `type ${name}: ${type.body}`).toBe(400);
      expect(type.json().fields[0]).toMatchObject({ field: 'type', code: 'UNKNOWN_TYPE' });
      const option = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${plain.uscc}/records`, {
        type: 'credit.penalty.recorded',
        occurredOn: '2026-02-20',
        details: { penaltyType: name, decisionNo: 'X' },
      });
      expect(option.statusCode, `option ${name}: ${option.body}`).toBe(400);
      expect(option.json().fields[0]).toMatchObject({ field: 'details.penaltyType', code: 'INVALID_OPTION' });
      const years = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${plain.uscc}/records`, {
        type: 'credit.cleanRecord.reached',
        occurredOn: '2026-02-20',
        details: { years: name },
      });
      expect(years.statusCode, `years ${name}: ${years.body}`).toBe(400);
      const field = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${plain.uscc}/records`, {
        type: 'sampling.sample.refused',
        occurredOn: '2026-02-20',
        details: { [name]: 'x' },
      });
      expect(field.statusCode, `field ${name}: ${field.body}`).toBe(400);
      const action = await t.call('reg', 'POST', '/api/v1/credit/objections/x/actions', { type: name });
      expect(action.statusCode, `action ${name}`).toBe(400);
      const bAction = await t.call('reg', 'POST', '/api/v1/credit/blacklist/x/actions', { type: name });
      expect(bAction.statusCode, `blacklist action ${name}`).toBe(400);
    }
  });
  it('says what each record is in both languages, where it comes from, and puts words beside codes in open data', async () => {
    const other = buildEnterprise({ townCode: '441900119' });
    await createEnterprise(rt, systemActor('test'), other);
    const res = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${other.uscc}/records`, {
      type: 'credit.penalty.recorded',
      occurredOn: '2026-02-25',
      details: { penaltyType: 'fine', decisionNo: '东市监罚〔2026〕31号' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { record } = res.json();
    expect(record.summary).toBe('行政处罚: 罚款 (处罚决定书文号 东市监罚〔2026〕31号)');
    expect(record.summaryText).toEqual({
      zh: '行政处罚: 罚款 (处罚决定书文号 东市监罚〔2026〕31号)',
      en: 'Administrative penalty: Fine (Decision number 东市监罚〔2026〕31号)',
    });
    expect(record.source).toEqual({
      zh: '监管部门录入 · 决定书 东市监罚〔2026〕31号',
      en: 'Entered by the bureau · decision 东市监罚〔2026〕31号',
    });
    expect(record.details).not.toHaveProperty('source');
    // a correction says so in both languages
    const rev = await t.call('reg', 'POST', `/api/v1/credit/records/${record.id}/reversal`, {
      reasons: '文号录入错误',
    });
    expect(rev.json().record.summaryText.en).toBe(
      'Correction: Administrative penalty: Fine (Decision number 东市监罚〔2026〕31号)',
    );
    expect(rev.json().record.source.zh).toBe('监管部门更正');
    const again = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${other.uscc}/records`, {
      type: 'sampling.sample.failed',
      occurredOn: '2026-02-26',
      details: { severity: 'serious', sampleNo: 'DG-26-0042' },
    });
    expect(again.statusCode, again.body).toBe(201);

    // the portal: both languages and the source beside the record
    const page = await publicPage(other.uscc);
    expect(page.records).toEqual([
      expect.objectContaining({
        summaryText: {
          zh: '监督抽查不合格: 严重不合格 (样品编号 DG-26-0042)',
          en: 'Failed supervisory sample: Serious (Sample number DG-26-0042)',
        },
        source: { zh: '监管部门录入 · 抽样单 DG-26-0042', en: 'Entered by the bureau · sample DG-26-0042' },
      }),
    ]);
    // open data: Chinese label columns beside the stable codes
    const csv = (await t.app.inject({ url: '/api/v1/public/credit-records.csv' })).body;
    const [header, ...lines] = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const cols = header!.split(',');
    expect(cols).toEqual(
      expect.arrayContaining(['事项类型代码', '事项', '严重程度代码', '严重程度', '来源']),
    );
    const row = lines.find((l) => l.includes('DG-26-0042'))!.split(',');
    expect(row[cols.indexOf('严重程度代码')]).toBe('major');
    expect(row[cols.indexOf('严重程度')]).toBe('较重');
    expect(row[cols.indexOf('事项类型代码')]).toBe('sampling.sample.failed');
    expect(row[cols.indexOf('来源')]).toBe('监管部门录入 · 抽样单 DG-26-0042');
    // the enterprise timeline names the source of every credit fact
    const timeline = (await t.call('reg', 'GET', `/api/v1/enterprises/${other.uscc}/timeline`)).json().items;
    const credit = timeline.filter((i: { type: string }) => !i.type.startsWith('registry.'));
    expect(credit.length).toBeGreaterThanOrEqual(2);
    for (const i of credit) expect(i.summary, i.type).toMatch(/^来源：\S/);
  });
  it('ships the default rule set with a Chinese note for the people who read it', async () => {
    const { body } = (await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/1')).json();
    expect(body.notes).toMatch(/^[\u4e00-\u9fff]/);
    expect(body.notes).not.toMatch(/README|Defaults/);
  });
  it('ends "3 years without a failed sample" when a sample fails inside its window, and refuses it over one', async () => {
    const co = buildEnterprise({ townCode: '441900119' });
    await createEnterprise(rt, systemActor('test'), co);
    const clean = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${co.uscc}/records`, {
      type: 'credit.cleanRecord.reached',
      occurredOn: '2026-01-05',
      details: { years: '3' },
    });
    expect(clean.statusCode, clean.body).toBe(201);
    expect((await publicPage(co.uscc)).goodCredit).toMatchObject({
      years: 3,
      label: { zh: '连续3年监督抽查无不合格' },
    });
    const failed = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${co.uscc}/records`, {
      type: 'sampling.sample.failed',
      occurredOn: '2026-02-24',
      details: { severity: 'serious' },
    });
    expect(failed.statusCode, failed.body).toBe(201);
    // the failure's grade no longer carries the +3 of the clean record
    expect(failed.json().grade).toMatchObject({ score: 90 });
    const page = await publicPage(co.uscc);
    expect(page.goodCredit).toBeNull();
    expect(page.records.map((r: { summary: string }) => r.summary)).toEqual(['监督抽查不合格: 严重不合格']);
    const archive = (await t.call('reg', 'GET', `/api/v1/credit/enterprises/${co.uscc}/records`)).json()
      .items;
    const cleanView = archive.find((r: { id: string }) => r.id === clean.json().record.id);
    expect(cleanView.status).toBe('reversed');
    // and a new claim over a window holding the failure is refused
    const again = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${co.uscc}/records`, {
      type: 'credit.cleanRecord.reached',
      occurredOn: '2026-03-01',
      details: { years: '3' },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().fields[0]).toMatchObject({ field: 'details.years', code: 'FAILED_SAMPLE_IN_WINDOW' });
  });
  it('limits evidence uploads per user and purges files nothing used after a day, audited', async () => {
    const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const upload = (who: string) => {
      const boundary = '----zhihui-review';
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="e.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
        ),
        PDF,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return t.app.inject({
        method: 'POST',
        url: '/api/v1/credit/evidence',
        payload: body,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          cookie: t.sessions[who]!.cookie,
          'x-csrf-token': t.sessions[who]!.csrf,
        },
      });
    };
    const ids: string[] = [];
    for (let i = 0; i < EVIDENCE_LIMITS.perUserPerWindow; i++) {
      const res = await upload('ent');
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
    }
    const over = await upload('ent');
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(over.json().message.zh).toContain('上传过于频繁');

    // one is used by an objection; the others are never used
    const rec = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${plain.uscc}/records`, {
      type: 'sampling.sample.refused',
      occurredOn: '2026-02-27',
      details: {},
    });
    const obj = await t.call('ent', 'POST', `/api/v1/credit/records/${rec.json().record.id}/objections`, {
      grounds: '当日无人在厂',
      evidenceIds: [ids[0]],
    });
    expect(obj.statusCode, obj.body).toBe(201);
    // not yet a day old: kept
    expect(await purgeUnattachedEvidence(rt)).toBe(0);
    clock.set('2026-03-03T02:30:00Z');
    try {
      expect(await purgeUnattachedEvidence(rt)).toBe(ids.length - 1);
    } finally {
      clock.set('2026-03-02T02:00:00Z');
    }
    const left = await rt.db.selectFrom('credit_evidence').select('id').where('id', 'in', ids).execute();
    expect(left.map((r) => r.id)).toEqual([ids[0]]);
    const audit = await rt.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'creditEvidence.purge')
      .execute();
    expect(audit).toHaveLength(1);
  });
  it('prints the PDF report with whole dates, QR on the first page, corrections left out with a note, open objections shown; the same archive is served, not rendered again', async () => {
    const co = buildEnterprise({ townCode: '441900119' });
    await createEnterprise(rt, systemActor('test'), co);
    const add = async (details: object, type = 'credit.penalty.recorded') =>
      (
        await t.call('reg', 'POST', `/api/v1/credit/enterprises/${co.uscc}/records`, {
          type,
          occurredOn: '2026-02-10',
          details,
        })
      ).json().record;
    const wrong = await add({ penaltyType: 'fine', decisionNo: '错号〔2026〕1号' });
    await t.call('reg', 'POST', `/api/v1/credit/records/${wrong.id}/reversal`, { reasons: '录入错误' });
    const disputed = await add({ penaltyType: 'warning', decisionNo: '东市监罚〔2026〕52号' });
    const e = await rt.db
      .selectFrom('enterprises')
      .select('id')
      .where('uscc', '=', co.uscc)
      .executeTakeFirstOrThrow();
    const { result, ruleSet, rows } = await computeGrade(rt.db, e.id, '2026-03-02');
    await rt.db
      .insertInto('credit_objections')
      .values({
        id: 'obj-report',
        enterprise_id: e.id,
        record_id: disputed.id,
        state: 'submitted',
        body: '{}',
        evidence: '[]',
        reversal_id: null,
        created_at: '2026-03-02T02:00:00.000Z',
        updated_at: '2026-03-02T02:00:00.000Z',
      })
      .execute();
    const html = reportHtml({
      enterprise: { uscc: co.uscc, name: co.name, townName: '长安镇' },
      grade: await gradeView(rt.db, result, ruleSet),
      records: await recordViews(rt.db, rows, '2026-03-02'),
      report: { id: 'r1', as_of: '2026-03-02', issued_at: '2026-03-02T02:00:00.000Z' },
      qr: 'data:image/png;base64,AA==',
      url: 'https://example.org/portal/credit-reports/r1',
      checkCode: 'ABCDEF1234',
    });
    expect(html).not.toContain('错号');
    expect(html).toContain('另有 1 条记录已依法更正');
    expect(html).toContain('异议处理中');
    expect(html).toMatch(/<td class="d">2026-02-10<\/td>/);
    expect(html).toMatch(/\.d,\.s\{white-space:nowrap\}/);
    // the QR sits in the head box, before the tables: never alone on a later page
    expect(html.indexOf('alt="QR"')).toBeLessThan(html.indexOf('<h2>评分说明</h2>'));
    await rt.db.deleteFrom('credit_objections').where('id', '=', 'obj-report').execute();

    // the PDF: rendered once per archive state
    const first = await t.call('reg', 'GET', `/api/v1/credit/enterprises/${co.uscc}/report.pdf`);
    expect(first.statusCode, first.body.slice(0, 200)).toBe(200);
    const second = await t.call('reg', 'GET', `/api/v1/credit/enterprises/${co.uscc}/report.pdf`);
    expect(second.statusCode).toBe(200);
    expect(second.headers['content-disposition']).toBe(first.headers['content-disposition']);
    const reports = () =>
      rt.db.selectFrom('credit_reports').select('id').where('enterprise_id', '=', e.id).execute();
    expect(await reports()).toHaveLength(1);
    await add({ penaltyType: 'warning', decisionNo: '东市监罚〔2026〕53号' });
    const third = await t.call('reg', 'GET', `/api/v1/credit/enterprises/${co.uscc}/report.pdf`);
    expect(third.statusCode).toBe(200);
    expect(await reports()).toHaveLength(2);
  }, 60_000);
});
