// The credit module through its HTTP API, on every dialect: manual records regrade at once, an
// objection upheld restores the grade, reversals, evidence, the blacklist's lifecycle and veto,
// rule-set drafts and the sandbox, the public presenters, and the scope of each role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { testApp } from '../../testing/http.js';
import { createEnterprise } from '../registry/enterprises.js';

describe.each(DIALECTS)('credit API on %s', (dialect) => {
  let rt: Runtime;
  let t: Awaited<ReturnType<typeof testApp>>;
  const clock = offsetClock('2026-03-02T02:00:00Z'); // Monday 2026-03-02, 10:00 in Dongguan
  const own = buildEnterprise({ townCode: '441900119' }); // 长安
  const other = buildEnterprise({ townCode: '441900003' }); // another town

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    await createEnterprise(rt, systemActor('test'), own);
    await createEnterprise(rt, systemActor('test'), other);
    t = await testApp(rt, [
      { username: 'admin', role: 'admin' },
      { username: 'reg', role: 'regulator' },
      { username: 'town', role: 'townOfficer', townCode: '441900119' },
      { username: 'ent', role: 'enterprise', enterpriseUscc: own.uscc },
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  const grade = async (uscc: string) =>
    (await t.call('reg', 'GET', `/api/v1/credit/enterprises/${uscc}`)).json();

  it('starts every enterprise at the base score with grade B', async () => {
    const g = await grade(own.uscc);
    expect(g.grade).toMatchObject({ grade: 'B', score: 100, base: 100, contributions: [] });
    expect(g.grade.gradeLabel.zh).toBe('基本守信');
    expect(g.grade.supervision.drawRatio).toBe(0.05);
  });

  it('a failed sample entered by a regulator drops the grade at once; the objection upheld restores it', async () => {
    const res = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${own.uscc}/records`, {
      type: 'sampling.sample.failed',
      occurredOn: '2026-02-27',
      details: { severity: 'critical', sampleNo: 'DG2026-001' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { record, grade: g } = res.json();
    expect(record).toMatchObject({ points: -20, status: 'active', expiresOn: '2029-02-27', kind: 'manual' });
    expect(record.summary).toContain('监督抽查不合格');
    expect(g).toMatchObject({ grade: 'C', score: 80 });
    expect(g.contributions).toEqual([
      expect.objectContaining({ recordId: record.id, points: -20, rule: 'sampling.failed.critical' }),
    ]);

    // the enterprise disputes it; a regulator reviews and upholds it
    const obj = await t.call('ent', 'POST', `/api/v1/credit/records/${record.id}/objections`, {
      grounds: '样品非本企业生产',
    });
    expect(obj.statusCode, obj.body).toBe(201);
    expect(obj.json()).toMatchObject({ state: 'submitted', allowedActions: ['withdraw'] });
    const again = await t.call('ent', 'POST', `/api/v1/credit/records/${record.id}/objections`, {
      grounds: '再次',
    });
    expect(again.statusCode).toBe(409);

    const pub = (await t.app.inject({ url: `/api/v1/public/credit/${own.uscc}` })).json();
    expect(pub.records).toEqual([expect.objectContaining({ id: record.id, pendingObjection: true })]);
    expect(pub).not.toHaveProperty('grade');

    const id = obj.json().id;
    const early = await t.call('reg', 'POST', `/api/v1/credit/objections/${id}/actions`, {
      type: 'uphold',
      reasons: 'x',
    });
    expect(early.statusCode).toBe(409);
    const review = await t.call('reg', 'POST', `/api/v1/credit/objections/${id}/actions`, {
      type: 'startReview',
    });
    expect(review.json()).toMatchObject({ state: 'underReview', reviewDeadline: '2026-03-16' });
    const upheld = await t.call('reg', 'POST', `/api/v1/credit/objections/${id}/actions`, {
      type: 'uphold',
      reasons: '经核实样品系假冒',
    });
    expect(upheld.statusCode, upheld.body).toBe(200);
    expect(upheld.json().state).toBe('upheld');
    const after = await grade(own.uscc);
    expect(after.grade).toMatchObject({ grade: 'B', score: 100 });
    expect(after.grade.reversed).toEqual([expect.objectContaining({ recordId: record.id })]);
    const records = (await t.call('ent', 'GET', `/api/v1/credit/enterprises/${own.uscc}/records`)).json()
      .items;
    expect(records.map((r: { status: string }) => r.status)).toEqual(['reversal', 'reversed']);
    // a reversed record is no longer published
    expect((await t.app.inject({ url: `/api/v1/public/credit/${own.uscc}` })).json().records).toEqual([]);
    // every change is kept, even two on one day: the C shown between entry and decision leaves a trace
    expect(
      after.history.map((h: { grade: string; validFrom: string }) => `${h.validFrom} ${h.grade}`),
    ).toEqual(['2026-03-02 C', '2026-03-02 B']);
    // a corrected record has nothing to reply to
    const reply = await t.call('ent', 'PUT', `/api/v1/credit/records/${record.id}/reply`, { text: '已整改' });
    expect(reply.statusCode).toBe(409);
  });

  it('refuses bad manual records with field errors and writes nothing', async () => {
    const bad = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${own.uscc}/records`, {
      type: 'credit.penalty.recorded',
      occurredOn: '2026-02-30',
      details: { penaltyType: 'fine' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0]).toMatchObject({ field: 'occurredOn' });
    const missing = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${own.uscc}/records`, {
      type: 'credit.penalty.recorded',
      occurredOn: '2026-02-20',
      details: { penaltyType: 'lashes' },
    });
    expect(missing.statusCode).toBe(400);
    expect(
      missing
        .json()
        .fields.map((f: { field: string; code: string }) => `${f.field}:${f.code}`)
        .sort(),
    ).toEqual(['details.decisionNo:REQUIRED', 'details.penaltyType:INVALID_OPTION']);
    const future = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${own.uscc}/records`, {
      type: 'sampling.sample.refused',
      occurredOn: '2026-03-03',
      details: {},
    });
    expect(future.json().fields[0].code).toBe('IN_THE_FUTURE');
    const before2024 = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${own.uscc}/records`, {
      type: 'sampling.sample.refused',
      occurredOn: '2023-12-31',
      details: {},
    });
    expect(before2024.json().fields[0].code).toBe('NO_RULE');
    const records = (await t.call('reg', 'GET', `/api/v1/credit/enterprises/${own.uscc}/records`)).json()
      .items;
    expect(records).toHaveLength(2);
  });

  it('keeps each role to its scope', async () => {
    expect((await t.call('town', 'GET', `/api/v1/credit/enterprises/${own.uscc}`)).statusCode).toBe(200);
    expect((await t.call('town', 'GET', `/api/v1/credit/enterprises/${other.uscc}`)).statusCode).toBe(403);
    expect((await t.call('ent', 'GET', `/api/v1/credit/enterprises/${other.uscc}`)).statusCode).toBe(403);
    const entRecord = await t.call('ent', 'POST', `/api/v1/credit/enterprises/${own.uscc}/records`, {
      type: 'recognition.award.granted',
      occurredOn: '2026-01-10',
      details: { level: 'municipal', year: 2025 },
    });
    expect(entRecord.statusCode).toBe(403);
    const townOther = await t.call('town', 'POST', `/api/v1/credit/enterprises/${other.uscc}/records`, {
      type: 'recognition.award.granted',
      occurredOn: '2026-01-10',
      details: { level: 'municipal', year: 2025 },
    });
    expect(townOther.statusCode).toBe(403);
    expect((await t.call('reg', 'PUT', '/api/v1/credit/records/x/reply', { text: 'hi' })).statusCode).toBe(
      403,
    );
    expect((await t.call('town', 'GET', '/api/v1/credit/rule-sets')).statusCode).toBe(403);
  });

  it('walks the blacklist: candidate → notified → listed (grade D, −40) → published → withdrawn (restored)', async () => {
    const res = await t.call('reg', 'POST', '/api/v1/credit/blacklist', {
      uscc: other.uscc,
      penalty: { decisionNo: '东市监罚〔2026〕18号', decidedOn: '2026-02-26' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    expect(res.json()).toMatchObject({ state: 'candidate', allowedActions: ['notify', 'withdraw'] });
    const notified = await t.call('reg', 'POST', `/api/v1/credit/blacklist/${id}/actions`, {
      type: 'notify',
    });
    // five working days from Monday 2026-03-02
    expect(notified.json()).toMatchObject({ state: 'notified', statementDeadline: '2026-03-09' });
    const tooEarly = await t.call('reg', 'POST', `/api/v1/credit/blacklist/${id}/actions`, {
      type: 'list',
      statementHeard: false,
    });
    expect(tooEarly.statusCode).toBe(409);
    const listed = await t.call('reg', 'POST', `/api/v1/credit/blacklist/${id}/actions`, {
      type: 'list',
      statementHeard: true,
    });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json()).toMatchObject({ state: 'listed', expiresOn: '2029-03-02' });
    const g = (await grade(other.uscc)).grade;
    expect(g).toMatchObject({ grade: 'D', score: 60 });
    expect(await t.app.inject({ url: '/api/v1/public/blacklist' }).then((r) => r.json().items)).toEqual([]);
    await t.call('reg', 'POST', `/api/v1/credit/blacklist/${id}/actions`, { type: 'publish' });
    const pub = (await t.app.inject({ url: '/api/v1/public/blacklist?q=测试' })).json();
    expect(pub.items).toEqual([
      expect.objectContaining({ uscc: other.uscc, decisionNo: '东市监罚〔2026〕18号' }),
    ]);
    const withdrawn = await t.call('reg', 'POST', `/api/v1/credit/blacklist/${id}/actions`, {
      type: 'withdraw',
      penaltyRevokedBy: '东莞市人民政府行政复议决定书〔2026〕5号',
    });
    expect(withdrawn.json().state).toBe('withdrawn');
    expect((await grade(other.uscc)).grade).toMatchObject({ grade: 'B', score: 100, vetoApplied: null });
    expect((await t.app.inject({ url: '/api/v1/public/blacklist' })).json().items).toEqual([]);
  });

  it('keeps rule-set drafts apart until published, and the sandbox shows who would move', async () => {
    const list = (await t.call('reg', 'GET', '/api/v1/credit/rule-sets')).json().items;
    expect(list).toEqual([
      expect.objectContaining({ id: 'dg-2024', version: 1, status: 'published', inForce: true }),
    ]);
    const { body } = (await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/1')).json();
    const bad = await t.call('reg', 'POST', '/api/v1/credit/rule-sets/validate', {
      body: { ...body, base: 500 },
    });
    expect(bad.json().ok).toBe(false);
    expect(bad.json().errors[0].path).toBe('/base');
    // a draft that makes a municipal award worth 40
    const rules = body.rules.map((r: { id: string }) =>
      r.id === 'award.municipalQuality' ? { ...r, points: 40 } : r,
    );
    const draft = await t.call('reg', 'POST', '/api/v1/credit/rule-sets', {
      body: { ...body, rules, effectiveFrom: '2026-04-01' },
    });
    expect(draft.statusCode, draft.body).toBe(201);
    expect(draft.json()).toMatchObject({ version: 2, status: 'draft' });
    await t.call('reg', 'POST', `/api/v1/credit/enterprises/${other.uscc}/records`, {
      type: 'recognition.award.granted',
      occurredOn: '2026-02-01',
      details: { level: 'municipal', year: 2025 },
    });
    const sandbox = await t.call('reg', 'POST', '/api/v1/credit/rule-sets/dg-2024/2/sandbox', {});
    expect(sandbox.statusCode, sandbox.body).toBe(200);
    const s = sandbox.json();
    expect(s.total).toBe(2);
    expect(s.matrix, JSON.stringify(s)).toMatchObject({ A: { A: 1 } }); // 100 + 10 = A already; 100 + 40 stays A
    expect(s.matrix.B.B).toBe(1);
    // publishing is the administrator's
    expect((await t.call('reg', 'POST', '/api/v1/credit/rule-sets/dg-2024/2/publish')).statusCode).toBe(403);
    expect((await t.call('admin', 'POST', '/api/v1/credit/rule-sets/dg-2024/2/publish')).statusCode).toBe(
      200,
    );
    expect((await t.call('admin', 'PUT', '/api/v1/credit/rule-sets/dg-2024/2', { body })).statusCode).toBe(
      409,
    );
  });

  it('answers the stats and the draw', async () => {
    const s = (await t.call('reg', 'GET', '/api/v1/credit/stats')).json();
    expect(s.total).toBe(2);
    const d = (await t.call('reg', 'GET', '/api/v1/credit/supervision/draw?purpose=onSite&seed=7')).json();
    expect(d.counts.A).toMatchObject({ drawn: 0, ratio: 0 });
  });
});
