// The credit routes' response schemas drop nothing. Fastify serialises an answer through the
// route's response schema, a whitelist: a field the schema forgets silently leaves the API, a null
// the schema calls a string becomes "". So, on every dialect, each JSON answer below is compared
// whole with what the presenter handed to Fastify (captured in a preSerialization hook, before the
// schema saw it), over archives rich enough to fill the nullable and nested fields; and a few deep
// fields the web app reads are asserted by name. The binary answers keep their types, and the
// OpenAPI document shows the real statuses.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { type TestUser, testApp } from '../../testing/http.js';
import { createEnterprise } from '../registry/enterprises.js';

describe.each(DIALECTS)('credit response schemas on %s', (dialect) => {
  let rt: Runtime;
  let app: FastifyInstance;
  let sessions: Record<string, { cookie: string; csrf: string }> = {};
  const clock = offsetClock('2026-03-02T02:00:00Z'); // Monday 2026-03-02, 10:00 in Dongguan
  const own = buildEnterprise({ townCode: '441900119' });
  const other = buildEnterprise({ townCode: '441900003' });
  const users: TestUser[] = [
    { username: 'admin', role: 'admin' },
    { username: 'reg', role: 'regulator' },
    { username: 'ent', role: 'enterprise', enterpriseUscc: own.uscc },
  ];
  /** What the last route handed to the serialiser, as JSON (undefined: nothing was serialised). */
  let presented: string | undefined;

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    await createEnterprise(rt, systemActor('test'), own);
    await createEnterprise(rt, systemActor('test'), other);
    const t = await testApp(rt, users, {
      configure: (a) =>
        a.addHook('preSerialization', async (_req, _reply, payload) => {
          presented = JSON.stringify(payload);
          return payload;
        }),
    });
    app = t.app;
    sessions = t.sessions;
  });
  afterAll(async () => {
    await app?.close();
    await rt?.close();
  });

  const headers = (who: string | null) =>
    who ? { cookie: sessions[who]!.cookie, 'x-csrf-token': sessions[who]!.csrf } : {};
  const send = (who: string | null, method: InjectOptions['method'], url: string, payload?: object) => {
    presented = undefined;
    return app.inject({ method, url, payload, headers: headers(who) });
  };
  /** The answer has `status`, and its body is exactly what the presenter returned. */
  const whole = (res: LightMyRequestResponse, status: number) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(presented, 'the route handed an object to the serialiser').toBeDefined();
    expect(res.json()).toEqual(JSON.parse(presented!));
    return res.json();
  };
  const call = async (
    who: string | null,
    method: InjectOptions['method'],
    url: string,
    status: number,
    payload?: object,
  ) => whole(await send(who, method, url, payload), status);

  const upload = async (who: string, filename: string, bytes: Buffer) => {
    const boundary = '----zhihui-responses';
    presented = undefined;
    return app.inject({
      method: 'POST',
      url: '/api/v1/credit/evidence',
      payload: Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
      headers: { ...headers(who), 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  };
  const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n');

  let recordId = '';
  let evidenceId = '';
  let objectionId = '';

  it('a record creation answers 201 with the whole record and grade, evidence and details included', async () => {
    const up = await upload('reg', '处罚决定书.pdf', PDF);
    const file = whole(up, 201);
    expect(file).toMatchObject({ filename: '处罚决定书.pdf', size: PDF.length, mime: 'application/pdf' });
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    evidenceId = file.id;

    const created = await call('reg', 'POST', `/api/v1/credit/enterprises/${own.uscc}/records`, 201, {
      type: 'credit.penalty.recorded',
      occurredOn: '2026-02-20',
      details: { penaltyType: 'fine', decisionNo: '东市监罚〔2026〕31号' },
      evidenceIds: [evidenceId],
    });
    recordId = created.record.id;
    expect(created.record).toMatchObject({
      kind: 'manual',
      ruleSet: { id: 'dg-2024', version: 1 },
      details: { penaltyType: 'fine', decisionNo: '东市监罚〔2026〕31号' },
      evidence: [{ id: evidenceId, filename: '处罚决定书.pdf', size: PDF.length, mime: 'application/pdf' }],
      reversesId: null,
      reversedBy: null,
      objection: null,
      reply: null,
    });
    expect(created.record.summaryText.en).toBeTruthy();
    expect(created.record.source.zh).toContain('东市监罚〔2026〕31号');
    expect(created.record.eventLabel.zh).toBeTruthy();
    expect(created.record.ruleLabel.en).toBeTruthy();
    expect(created.grade.contributions[0]).toMatchObject({ recordId, ruleLabel: { zh: expect.any(String) } });
    expect(created.grade.ruleSet.name.zh).toBeTruthy();
    expect(created.grade.supervision).toEqual({
      drawRatio: expect.any(Number),
      onSiteCheck: expect.any(String),
      inspectionsPerYear: expect.any(Number),
    });
    expect(created.grade.vetoApplied).toBeNull();
  });

  it('an objection answers 201 with its evidence, deadline and actions; acting on it answers 200', async () => {
    const mine = await call('ent', 'GET', '/api/v1/credit/mine', 200);
    expect(mine).toEqual({ uscc: own.uscc, name: own.name });
    const file = whole(await upload('ent', '情况说明.pdf', PDF), 201);
    const o = await call('ent', 'POST', `/api/v1/credit/records/${recordId}/objections`, 201, {
      grounds: '处罚决定已被撤销',
      evidenceIds: [file.id],
    });
    objectionId = o.id;
    expect(o).toMatchObject({
      enterprise: { uscc: own.uscc, name: own.name },
      recordId,
      state: 'submitted',
      stateLabel: { zh: '已提交', en: 'submitted' },
      reviewStartedOn: null,
      decidedOn: null,
      reasons: null,
      overdue: false,
      evidence: [{ id: file.id, filename: '情况说明.pdf' }],
      allowedActions: ['withdraw'],
    });
    expect(o.reviewDeadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(o.recordSummary).toContain('东市监罚〔2026〕31号');

    const reviewing = await call('reg', 'POST', `/api/v1/credit/objections/${objectionId}/actions`, 200, {
      type: 'startReview',
    });
    expect(reviewing).toMatchObject({ state: 'underReview', reviewStartedOn: '2026-03-02' });
    expect(reviewing.allowedActions).toEqual(['uphold', 'reject']);
    const list = await call('reg', 'GET', `/api/v1/credit/objections?uscc=${own.uscc}`, 200);
    expect(list.items).toEqual([reviewing]);

    const reply = await call('ent', 'PUT', `/api/v1/credit/records/${recordId}/reply`, 200, {
      text: '已整改并缴纳罚款',
    });
    expect(reply).toEqual({ text: '已整改并缴纳罚款', postedOn: '2026-03-02' });
  });

  it('the enterprise archive answers whole: grade, history, flags, and records with objection and reply', async () => {
    const a = await call('reg', 'GET', `/api/v1/credit/enterprises/${own.uscc}`, 200);
    expect(a.enterprise).toEqual({
      id: expect.any(String),
      uscc: own.uscc,
      name: own.name,
      townCode: '441900119',
      townName: expect.any(String),
      industryCode: own.industryCode ?? null,
    });
    expect(a.history.at(-1)).toEqual({
      validFrom: '2026-03-02',
      grade: a.grade.grade,
      score: a.grade.score,
      ruleSetId: 'dg-2024',
      ruleSetVersion: 1,
    });
    expect(a.flags).toEqual({ blacklisted: false, abnormalOperations: false });
    expect(a.pendingObjections).toBe(1);

    const { items } = await call('reg', 'GET', `/api/v1/credit/enterprises/${own.uscc}/records`, 200);
    expect(items[0]).toMatchObject({
      id: recordId,
      objection: { id: objectionId, state: 'underReview' },
      reply: { text: '已整改并缴纳罚款', postedOn: '2026-03-02' },
      evidence: [{ id: evidenceId }],
    });
    const asOf = await call(
      'reg',
      'GET',
      `/api/v1/credit/enterprises/${own.uscc}/grade?asOf=2026-03-01`,
      200,
    );
    expect(asOf).toHaveProperty('recorded', null);
    const today = await call('reg', 'GET', `/api/v1/credit/enterprises/${own.uscc}/grade`, 200);
    expect(today.recorded).toEqual({ grade: a.grade.grade, score: a.grade.score });
  });

  it('a reversal answers 201 with the reversal and the grade after it', async () => {
    const award = await call('reg', 'POST', `/api/v1/credit/enterprises/${other.uscc}/records`, 201, {
      type: 'recognition.award.granted',
      occurredOn: '2026-01-10',
      details: { level: 'municipal', year: 2025 },
    });
    expect(award.record.details).toEqual({ level: 'municipal', year: 2025 });
    const reversed = await call('reg', 'POST', `/api/v1/credit/records/${award.record.id}/reversal`, 201, {
      reasons: '录入错误',
    });
    expect(reversed.record).toMatchObject({
      kind: 'reversal',
      reversesId: award.record.id,
      status: 'reversal',
    });
    expect(reversed.grade.reversed).toEqual([{ recordId: award.record.id, reversedBy: reversed.record.id }]);
    const { items } = await call('reg', 'GET', `/api/v1/credit/enterprises/${other.uscc}/records`, 200);
    expect(items[1]).toMatchObject({
      id: award.record.id,
      status: 'reversed',
      reversedBy: reversed.record.id,
    });
  });

  it('blacklist entries answer whole through their lifecycle; a listing costs 40 points', async () => {
    const c = await call('reg', 'POST', '/api/v1/credit/blacklist', 201, {
      uscc: other.uscc,
      penalty: { decisionNo: '东市监罚〔2026〕18号', decidedOn: '2026-02-26' },
    });
    expect(c).toMatchObject({
      enterprise: { uscc: other.uscc, name: other.name, townName: expect.any(String) },
      state: 'candidate',
      stateLabel: { zh: '拟列入', en: 'candidate' },
      penalty: { decisionNo: '东市监罚〔2026〕18号', decidedOn: '2026-02-26', restrictionEndsOn: null },
      notifiedOn: null,
      removalApplication: null,
      pastRemovalApplications: [],
      overdue: [],
      nextDeadline: null,
      allowedActions: ['notify', 'withdraw'],
    });
    const notified = await call('reg', 'POST', `/api/v1/credit/blacklist/${c.id}/actions`, 200, {
      type: 'notify',
    });
    expect(notified.nextDeadline).toEqual({
      name: 'statementDeadline',
      label: { zh: '陈述申辩期限', en: 'Statement period ends' },
      due: '2026-03-09',
    });
    await call('reg', 'POST', `/api/v1/credit/blacklist/${c.id}/actions`, 200, {
      type: 'list',
      statementHeard: true,
    });
    const published = await call('reg', 'POST', `/api/v1/credit/blacklist/${c.id}/actions`, 200, {
      type: 'publish',
    });
    expect(published).toMatchObject({ state: 'published', statementHeard: true, publishedOn: '2026-03-02' });
    expect(published.earliestRemovalOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const list = await call('reg', 'GET', '/api/v1/credit/blacklist', 200);
    expect(list.items).toEqual([published]);

    const a = await call('reg', 'GET', `/api/v1/credit/enterprises/${other.uscc}`, 200);
    expect(a.flags.blacklisted).toBe(true);
    expect(a.grade).toMatchObject({ grade: 'D', contributions: [expect.objectContaining({ points: -40 })] });
  });

  it('the public credit page answers whole: records with reply and pending objection, the listing', async () => {
    const p = await call(null, 'GET', `/api/v1/public/credit/${own.uscc}`, 200);
    expect(p).not.toHaveProperty('grade');
    expect(p.lastUpdated).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(p.goodCredit).toBeNull();
    expect(p.blacklist).toBeNull();
    expect(p.records).toEqual([
      {
        id: recordId,
        eventLabel: { zh: expect.any(String), en: expect.any(String) },
        ruleLabel: { zh: expect.any(String), en: expect.any(String) },
        occurredOn: '2026-02-20',
        expiresOn: expect.any(String),
        severity: expect.any(String),
        summary: expect.stringContaining('东市监罚〔2026〕31号'),
        summaryText: { zh: expect.any(String), en: expect.any(String) },
        source: { zh: expect.stringContaining('东市监罚〔2026〕31号'), en: expect.any(String) },
        pendingObjection: true,
        reply: { text: '已整改并缴纳罚款', postedOn: '2026-03-02' },
      },
    ]);
    const listed = await call(null, 'GET', `/api/v1/public/credit/${other.uscc}`, 200);
    expect(listed.blacklist).toEqual({
      listedOn: '2026-03-02',
      publishedOn: '2026-03-02',
      expiresOn: expect.any(String),
      decisionNo: '东市监罚〔2026〕18号',
    });
  });

  it('the public blacklist answers whole', async () => {
    const b = await call(null, 'GET', '/api/v1/public/blacklist', 200);
    expect(b).toEqual({
      items: [
        {
          id: expect.any(String),
          uscc: other.uscc,
          name: other.name,
          townName: expect.any(String),
          listedOn: '2026-03-02',
          publishedOn: '2026-03-02',
          expiresOn: expect.any(String),
          decisionNo: '东市监罚〔2026〕18号',
        },
      ],
      nextCursor: null,
    });
    expect(b.items[0].townName).not.toBe('');
  });

  it('the other JSON routes answer whole too', async () => {
    const types = await call('reg', 'GET', '/api/v1/credit/record-types', 200);
    const fields = types.items.flatMap((t: { fields: object[] }) => t.fields);
    expect(fields.some((f: { options?: unknown }) => Array.isArray(f.options))).toBe(true);
    const sets = await call('admin', 'GET', '/api/v1/credit/rule-sets', 200);
    expect(sets.items[0]).toMatchObject({
      id: 'dg-2024',
      version: 1,
      publishedAt: expect.any(String),
      inForce: true,
    });
    const { body } = await call('admin', 'GET', '/api/v1/credit/rule-sets/dg-2024/1', 200);
    expect(body.rules[0].label.zh).toBeTruthy();
    expect(body.supervision.A.onSiteCheck).toBe('complaintOnly');
    const checked = await call('admin', 'POST', '/api/v1/credit/rule-sets/validate', 200, { body });
    expect(checked).toMatchObject({ ok: true, errors: [] });
    expect(checked.warnings[0]).toMatchObject({
      path: '/effectiveFrom',
      message: { zh: expect.any(String) },
    });
    const rules = body.rules.map((r: { id: string }) =>
      r.id === 'award.municipalQuality' ? { ...r, points: 40 } : r,
    );
    const draft = await call('admin', 'POST', '/api/v1/credit/rule-sets', 201, {
      body: { ...body, base: 90, rules, effectiveFrom: '2026-04-01' },
    });
    expect(draft).toMatchObject({ version: 2, status: 'draft', publishedAt: null });
    await call('admin', 'PUT', '/api/v1/credit/rule-sets/dg-2024/2', 200, {
      body: { ...body, base: 90, effectiveFrom: '2026-04-01' },
    });
    const sandbox = await call('admin', 'POST', '/api/v1/credit/rule-sets/dg-2024/2/sandbox', 200, {});
    expect(sandbox.movers.length).toBeGreaterThan(0);
    expect(sandbox.movers[0].reasons[0]).toMatchObject({ rule: 'base', label: { zh: '基础分' } });
    expect(sandbox.byTown[0]).toEqual({
      code: expect.any(String),
      name: expect.any(String),
      total: expect.any(Number),
      up: expect.any(Number),
      down: expect.any(Number),
    });
    const stats = await call('reg', 'GET', '/api/v1/credit/stats', 200);
    expect(stats).toMatchObject({ blacklist: { published: 1 }, listed: 1, objections: { pending: 1 } });
    const policy = await call('reg', 'GET', '/api/v1/credit/supervision/policy', 200);
    expect(policy.grades.B.label.zh).toBeTruthy();
    const draw = await call('reg', 'GET', '/api/v1/credit/supervision/draw?seed=7', 200);
    expect(draw.counts.B).toEqual({ population: expect.any(Number), drawn: expect.any(Number), ratio: 0.05 });
    const published = await call('admin', 'POST', '/api/v1/credit/rule-sets/dg-2024/2/publish', 200);
    expect(published).toMatchObject({ status: 'published', publishedAt: expect.any(String) });
  });

  it('files keep their types: evidence, open data (JSON and CSV)', async () => {
    const file = await send('reg', 'GET', `/api/v1/credit/evidence/${evidenceId}`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.rawPayload.equals(PDF)).toBe(true);
    const json = await send(null, 'GET', '/api/v1/public/credit-records.json');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json().items.map((r: { id: string }) => r.id)).toContain(recordId);
    const csv = await send(null, 'GET', '/api/v1/public/credit-records.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toContain(recordId);
  });

  it('the OpenAPI document gives every credit route its real success status and body', async () => {
    const doc = (await app.inject('/api/docs/json')).json();
    const answers = (path: string, method: string) =>
      doc.paths[path][method].responses as Record<string, { description: string; content?: object }>;
    const successes = (path: string, method: string) =>
      Object.keys(answers(path, method)).filter((s) => s.startsWith('2'));
    for (const [path, item] of Object.entries(doc.paths as Record<string, object>)) {
      if (!path.startsWith('/api/v1/credit') && !path.startsWith('/api/v1/public/credit')) continue;
      for (const method of Object.keys(item)) {
        const ok = successes(path, method);
        expect(ok, `${method} ${path}`).toHaveLength(1);
        expect(answers(path, method)[ok[0]!]!.description, `${method} ${path}`).not.toBe('Default Response');
        expect(answers(path, method)[ok[0]!]!.content, `${method} ${path}`).toBeDefined();
      }
    }
    expect(successes('/api/v1/credit/enterprises/{uscc}/records', 'post')).toEqual(['201']);
    expect(successes('/api/v1/credit/records/{id}/objections', 'post')).toEqual(['201']);
    expect(successes('/api/v1/credit/blacklist', 'post')).toEqual(['201']);
    expect(successes('/api/v1/credit/evidence', 'post')).toEqual(['201']);
    expect(successes('/api/v1/credit/rule-sets', 'post')).toEqual(['201']);
    expect(successes('/api/v1/credit/enterprises/{uscc}', 'get')).toEqual(['200']);
    expect(
      Object.keys(answers('/api/v1/credit/enterprises/{uscc}/report.pdf', 'get')['200']!.content!),
    ).toEqual(['application/pdf']);
    expect(Object.keys(answers('/api/v1/public/credit-records.csv', 'get')['200']!.content!)).toEqual([
      'text/csv',
    ]);
    expect(Object.keys(answers('/api/v1/credit/evidence/{id}', 'get')['200']!.content!)).toContain(
      'image/png',
    );
  });
});
