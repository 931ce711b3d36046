// The sampling routes' response schemas drop nothing. Fastify serialises an answer through the
// route's response schema, a whitelist: a field the schema forgets silently leaves the API, a null
// the schema calls a string becomes "". So, on every dialect, each sampling route is called once
// over a plan walked far enough to fill the nullable and nested fields (a draw with an exclusion,
// photos and reports, a refusal, a failure objected to and re-tested by another lab, an amendment),
// and each JSON answer is checked against the schema the route declares for its status and compared
// whole with what the presenter handed to Fastify (captured in a preSerialization hook, before the
// schema saw it). The file answer keeps its bytes and type; the OpenAPI document shows the statuses.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { testApp } from '../../testing/http.js';
import { CHANGAN, makeLab, makeMakers, planBody, sampleRecord } from './testing.js';

const JPEG = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9,
]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n');

describe.each(DIALECTS)('sampling response schemas on %s', (dialect) => {
  let rt: Runtime;
  let app: FastifyInstance;
  let sessions: Record<string, { cookie: string; csrf: string }> = {};
  const clock = offsetClock('2026-03-02T02:00:00Z'); // Monday 2026-03-02, 10:00 in Dongguan
  let lab: Awaited<ReturnType<typeof makeLab>>;
  let lab2: Awaited<ReturnType<typeof makeLab>>;
  let makers: Awaited<ReturnType<typeof makeMakers>>;
  let closed: Awaited<ReturnType<typeof makeMakers>>;
  /** What the last route handed to the serialiser, and the schema it declares for the status. */
  let presented: { json: string; schema: TSchema | undefined } | undefined;

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    lab = await makeLab(rt);
    lab2 = await makeLab(rt, '东莞市复检检测中心');
    makers = await makeMakers(rt, 3, '0101');
    closed = await makeMakers(rt, 1, '0101', CHANGAN, { status: 'suspended' });
    const t = await testApp(
      rt,
      [
        { username: 'reg', role: 'regulator' },
        { username: 'insp1', role: 'townOfficer', townCode: CHANGAN },
        { username: 'insp2', role: 'townOfficer', townCode: CHANGAN },
        { username: 'insp3', role: 'regulator' },
        { username: 'labuser', role: 'lab', enterpriseUscc: lab.uscc },
        { username: 'lab2user', role: 'lab', enterpriseUscc: lab2.uscc },
        { username: 'ent', role: 'enterprise', enterpriseUscc: makers[0]!.uscc },
      ],
      {
        configure: (a) =>
          a.addHook('preSerialization', async (req, reply, payload) => {
            const declared = req.routeOptions.schema?.response as Record<string, TSchema> | undefined;
            presented = { json: JSON.stringify(payload), schema: declared?.[reply.statusCode] };
            return payload;
          }),
      },
    );
    app = t.app;
    sessions = t.sessions;
  }, 60_000);
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
  /** The answer has `status`, fits the route's schema, and is exactly what the presenter returned. */
  const whole = (res: LightMyRequestResponse, status: number) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(presented, 'the route handed an object to the serialiser').toBeDefined();
    const { json, schema } = presented!;
    expect(schema, 'the route declares a schema for its status').toBeDefined();
    const body = res.json();
    expect(Value.Errors(schema!, body).map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
    expect(body).toEqual(JSON.parse(json));
    return body;
  };
  const call = async (
    who: string | null,
    method: InjectOptions['method'],
    url: string,
    status: number,
    payload?: object,
  ) => whole(await send(who, method, url, payload), status);
  const upload = (who: string, url: string, filename: string, type: string, bytes: Buffer) => {
    const boundary = '----zhihui-sampling-responses';
    presented = undefined;
    return app.inject({
      method: 'POST',
      url,
      payload: Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
      headers: { ...headers(who), 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  };

  const S = '/api/v1/sampling';
  let planId = '';
  const inspectorIds: Record<string, string> = {};
  type Task = { id: string; enterprise: { id: string }; inspectors: { id: string }[] };
  let tasks: Task[] = [];
  const inspectorOf = (task: Task) =>
    Object.keys(inspectorIds).find((name) => inspectorIds[name] === task.inspectors[0]!.id)!;
  const taskOf = (enterpriseId: string) => tasks.find((t) => t.enterprise.id === enterpriseId)!;
  let failedSampleId = '';
  let passedSampleId = '';
  let photoId = '';

  it('the inspector register and referrals answer whole: conflicts, notes, open referrals', async () => {
    const candidates = await call('reg', 'GET', `${S}/candidates`, 200);
    expect(candidates.items).toContainEqual({
      id: expect.any(String),
      username: 'insp1',
      displayName: 'insp1',
      role: 'townOfficer',
      townCode: CHANGAN,
    });
    expect(candidates.items.find((c: { username: string }) => c.username === 'insp3').townCode).toBeNull();
    for (const c of candidates.items as { id: string; username: string }[]) {
      if (!c.username.startsWith('insp')) continue;
      inspectorIds[c.username] = c.id;
      const put = await call('reg', 'PUT', `${S}/inspectors/${c.id}`, 200, {
        townCode: c.username === 'insp3' ? null : CHANGAN,
        active: true,
        conflicts: c.username === 'insp3' ? [{ uscc: lab2.uscc, reason: '曾任该机构技术负责人' }] : [],
      });
      expect(put).toMatchObject({ userId: c.id, username: c.username, active: true });
    }
    const { items } = await call('reg', 'GET', `${S}/inspectors`, 200);
    expect(items.find((i: { username: string }) => i.username === 'insp3')).toEqual({
      userId: inspectorIds.insp3,
      username: 'insp3',
      displayName: 'insp3',
      role: 'regulator',
      townCode: null,
      active: true,
      conflicts: [
        { enterpriseId: lab2.id, uscc: lab2.uscc, name: lab2.name, reason: '曾任该机构技术负责人' },
      ],
    });

    for (const [i, m] of makers.entries()) {
      const r = await call('reg', 'POST', `${S}/referrals`, 201, {
        uscc: m.uscc,
        categoryCode: i === 0 ? '0101' : null,
        reason: i === 0 ? 'complaint' : 'referral',
        reference: `TS-RESP-${i + 1}`,
        ...(i === 0 ? { note: '消费者投诉电线绝缘层过薄' } : {}),
      });
      expect(r).toMatchObject({
        enterprise: { id: m.id, uscc: m.uscc, name: m.name },
        categoryCode: i === 0 ? '0101' : null,
        note: i === 0 ? '消费者投诉电线绝缘层过薄' : null,
        createdAt: expect.stringMatching(/^2026-03-02T/),
        drawId: null,
      });
    }
    const open = await call('reg', 'GET', `${S}/referrals?open=true`, 200);
    expect(open.items).toHaveLength(3);
  });

  it('plans answer whole: a draft edited and deleted, then published with its names and progress', async () => {
    const labs = await call('reg', 'GET', `${S}/labs`, 200);
    expect(labs.items).toContainEqual({ id: lab2.id, uscc: lab2.uscc, name: lab2.name });

    const input = {
      code: 'DG-2026-RESP-01',
      year: 2026,
      title: '2026年电线电缆产品质量监督抽查',
      kind: 'routine',
      level: 'city',
      body: planBody('0101', lab.id, { townQuotas: { [CHANGAN]: 10 } }),
    };
    const created = await call('reg', 'POST', `${S}/plans`, 201, input);
    planId = created.id;
    expect(created).toMatchObject({
      code: 'DG-2026-RESP-01',
      version: 1,
      supersedesId: null,
      state: 'draft',
      publishedAt: null,
      body: { townQuotas: { [CHANGAN]: 10 }, budgetYuan: 200000 },
      categoryNames: { '0101': expect.any(String) },
      labs: { [lab.id]: { uscc: lab.uscc, name: lab.name } },
      versions: [{ id: planId, version: 1, state: 'draft' }],
      draw: null,
      progress: { tasks: 0, assigned: 0, refused: 0, sentToLab: 0, tested: 0, passed: 0, failed: 0 },
    });
    expect(created.body.categories[0].checkItems[1]).toEqual({
      key: 'i2',
      standardCode: 'GB/T 5023.1-2008',
      clause: '5.6',
      item: '导体电阻',
      requirement: '≤ 18.1',
      unit: 'Ω/km',
      class: 'critical',
    });
    const edited = await call('reg', 'PUT', `${S}/plans/${planId}`, 200, {
      title: '2026年电线电缆产品质量监督抽查（第一批）',
      kind: 'routine',
      level: 'city',
      body: input.body,
    });
    expect(edited.title).toBe('2026年电线电缆产品质量监督抽查（第一批）');
    expect(await call('reg', 'GET', `${S}/plans/${planId}`, 200)).toEqual(edited);

    const spare = await call('reg', 'POST', `${S}/plans`, 201, { ...input, code: 'DG-2026-RESP-99' });
    const deleted = await send('reg', 'DELETE', `${S}/plans/${spare.id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(deleted.body).toBe('');
    expect((await send('reg', 'GET', `${S}/plans/${spare.id}`)).statusCode).toBe(404);

    const published = await call('reg', 'POST', `${S}/plans/${planId}/publish`, 200);
    expect(published).toMatchObject({
      state: 'published',
      publishedAt: expect.stringMatching(/^2026-03-02T/),
    });
  });

  it('the draw answers whole: strata, exclusions with reasons, items with inspectors, the stored record', async () => {
    const preview = await call('reg', 'GET', `${S}/plans/${planId}/draw/preview?seed=7`, 200);
    expect(preview).toMatchObject({
      drawnAt: null,
      drawnBy: null,
      poolSize: 4,
      capped: [],
      inspectorShortage: [],
    });
    expect(preview.excluded).toEqual([
      {
        enterpriseId: closed[0]!.id,
        uscc: closed[0]!.uscc,
        name: closed[0]!.name,
        categoryCode: '0101',
        reason: 'notOperating',
        reasonLabel: { zh: '企业非存续经营状态', en: 'The enterprise is not operating' },
        detail: expect.any(String),
      },
    ]);
    expect(preview.byCategory).toEqual([
      {
        categoryCode: '0101',
        categoryName: expect.any(String),
        strata: expect.any(Array),
        quotaApplied: false,
      },
    ]);
    expect(preview.items).toHaveLength(3);
    expect(
      preview.items.find((i: { enterpriseId: string }) => i.enterpriseId === makers[0]!.id),
    ).toMatchObject({
      reason: 'complaint',
      reference: 'TS-RESP-1',
      townName: expect.any(String),
      inspectors: [
        { id: expect.any(String), displayName: expect.stringMatching(/^insp/) },
        { id: expect.any(String), displayName: expect.stringMatching(/^insp/) },
      ],
    });

    const drawn = await call('reg', 'POST', `${S}/plans/${planId}/draw`, 201, { seed: 7 });
    expect(drawn.items).toEqual(preview.items);
    expect(drawn.drawnAt).toMatch(/^2026-03-02T/);
    expect(await call('reg', 'GET', `${S}/plans/${planId}/draw`, 200)).toEqual(drawn);
    expect(await call('reg', 'POST', `${S}/plans/${planId}/draw/verify`, 200)).toEqual({
      identical: true,
      differences: [],
    });

    const list = await call('reg', 'GET', `${S}/plans?year=2026`, 200);
    expect(list.items).toEqual([
      {
        id: planId,
        code: 'DG-2026-RESP-01',
        version: 1,
        year: 2026,
        title: '2026年电线电缆产品质量监督抽查（第一批）',
        kind: 'routine',
        level: 'city',
        state: 'published',
        categories: 1,
        towns: 0,
        drawn: true,
        publishedAt: expect.any(String),
      },
    ]);
    const used = await call('reg', 'GET', `${S}/referrals`, 200);
    expect(used.items.every((r: { drawId: string | null }) => typeof r.drawId === 'string')).toBe(true);
  });

  it('tasks answer whole: the list, a task before and after sampling with photos, a refusal', async () => {
    const list = await call('reg', 'GET', `${S}/tasks?planId=${planId}`, 200);
    expect(list.total).toBe(3);
    tasks = list.items;
    expect(list.items[0]).toMatchObject({
      plan: { id: planId, code: 'DG-2026-RESP-01' },
      townName: expect.any(String),
      category: { code: '0101', name: expect.any(String) },
      state: 'assigned',
      sampleNo: null,
      sampleId: null,
    });
    const failing = taskOf(makers[0]!.id);
    const insp = inspectorOf(failing);
    const mine = await call(insp, 'GET', `${S}/tasks?mine=true`, 200);
    expect(mine.items.map((t: { id: string }) => t.id)).toContain(failing.id);

    const before = await call(insp, 'GET', `${S}/tasks/${failing.id}`, 200);
    expect(before).toMatchObject({
      plan: { id: planId, kind: 'routine' },
      enterprise: { id: makers[0]!.id, address: expect.any(String) },
      youAreInspector: true,
      testUnits: 2,
      backupUnits: 2,
      lab: { id: lab.id, uscc: lab.uscc, name: lab.name },
      refusal: null,
      files: [],
      sample: null,
    });
    expect(before.checkItems).toHaveLength(3);

    const photo = whole(
      await upload(insp, `${S}/tasks/${failing.id}/photos`, '现场.jpg', 'image/jpeg', JPEG),
      201,
    );
    expect(photo).toEqual({ id: expect.any(String), filename: '现场.jpg', size: JPEG.length, kind: 'photo' });
    photoId = photo.id;

    const sampled = await call(insp, 'POST', `${S}/tasks/${failing.id}/sample`, 201, sampleRecord());
    failedSampleId = sampled.id;
    expect(sampled).toMatchObject({
      task: { id: failing.id },
      plan: { id: planId },
      enterprise: { id: makers[0]!.id },
      productionDate: '2026-02-15',
      sealNumbers: ['FT0001', 'FT0002'],
      confirmation: { signer: '李四', title: '质量经理' },
      lab: { id: lab.id },
      state: 'sentToLab',
      verdict: null,
      severity: null,
      reportedOn: null,
      results: [],
      case: null,
      files: [{ id: photoId, kind: 'photo', filename: '现场.jpg', size: JPEG.length }],
    });
    const after = await call('reg', 'GET', `${S}/tasks/${failing.id}`, 200);
    expect(after.state).toBe('sentToLab');
    expect(after.youAreInspector).toBe(false);
    expect(after.files).toEqual([
      { id: photoId, kind: 'photo', filename: '现场.jpg', size: JPEG.length, mime: 'image/jpeg' },
    ]);
    expect(after.sample).toMatchObject({ id: failedSampleId, confirmation: { signer: '李四' } });

    const passing = taskOf(makers[1]!.id);
    const other = await call(inspectorOf(passing), 'POST', `${S}/tasks/${passing.id}/sample`, 201, {
      ...sampleRecord({ productionDate: null, sealNumbers: ['FT0003'] }),
      confirmation: { signer: '王五', confirmed: true },
    });
    passedSampleId = other.id;
    expect(other).toMatchObject({ productionDate: null, confirmation: { signer: '王五' } });
    expect(other.confirmation).not.toHaveProperty('title');

    const refusing = taskOf(makers[2]!.id);
    const refused = await call(inspectorOf(refusing), 'POST', `${S}/tasks/${refusing.id}/refusal`, 200, {
      refusedOn: '2026-03-02',
      note: '企业负责人拒绝在抽样单上签字并拒绝抽样',
      witnesses: ['赵六', '钱七'],
    });
    expect(refused).toMatchObject({
      state: 'refused',
      refusal: {
        on: '2026-03-02',
        note: '企业负责人拒绝在抽样单上签字并拒绝抽样',
        witnesses: ['赵六', '钱七'],
      },
      sample: null,
    });
  });

  it('the lab answers whole: its samples, results with the case they open, the report; the file keeps its type', async () => {
    const queue = await call('labuser', 'GET', `${S}/lab/samples?state=sentToLab`, 200);
    expect(queue.items).toHaveLength(2);
    expect(queue.items.find((s: { id: string }) => s.id === failedSampleId)).toEqual({
      id: failedSampleId,
      sampleNo: expect.any(String),
      productName: '聚氯乙烯绝缘电缆',
      model: 'BV 2.5',
      sampledOn: '2026-03-02',
      state: 'sentToLab',
      verdict: null,
      category: { code: '0101', name: expect.any(String) },
      enterprise: { uscc: makers[0]!.uscc, name: makers[0]!.name },
      retest: false,
    });

    const failed = await call('labuser', 'POST', `${S}/samples/${failedSampleId}/results`, 200, {
      reportedOn: '2026-03-02',
      items: [
        { key: 'i1', measured: '符合', verdict: 'pass' },
        { key: 'i2', measured: '19.6', verdict: 'fail' },
        { key: 'i3', measured: '0.72', verdict: 'pass' },
      ],
    });
    expect(failed).toMatchObject({
      state: expect.any(String),
      verdict: 'fail',
      severity: 'critical',
      reportedOn: '2026-03-02',
      case: {
        id: expect.any(String),
        state: 'opened',
        stateLabel: { zh: expect.any(String), en: expect.any(String) },
        dueOn: null,
        retestLabId: null,
        objectionItems: [],
      },
    });
    expect(failed.results).toContainEqual({
      key: 'i2',
      round: 'original',
      measured: '19.6',
      verdict: 'fail',
      itemClass: 'critical',
    });
    // the lab sees the sampled party's confirmation and the photos
    expect(failed.confirmation).toEqual({ signer: '李四', title: '质量经理' });
    expect(failed.files.map((f: { kind: string }) => f.kind)).toEqual(['photo']);
    const passed = await call('labuser', 'POST', `${S}/samples/${passedSampleId}/results`, 200, {
      reportedOn: '2026-03-02',
      items: [
        { key: 'i1', measured: '符合', verdict: 'pass' },
        { key: 'i2', measured: '17.9', verdict: 'pass' },
        { key: 'i3', measured: '0.74', verdict: 'pass' },
      ],
    });
    expect(passed).toMatchObject({ verdict: 'pass', severity: null, case: null });

    const report = whole(
      await upload(
        'labuser',
        `${S}/samples/${failedSampleId}/report`,
        '检验报告.pdf',
        'application/pdf',
        PDF,
      ),
      201,
    );
    expect(report).toEqual({
      id: expect.any(String),
      filename: '检验报告.pdf',
      size: PDF.length,
      kind: 'report',
    });

    const file = await send('reg', 'GET', `${S}/files/${photoId}`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    expect(file.rawPayload.equals(JPEG)).toBe(true);
    const pdf = await send('ent', 'GET', `${S}/files/${report.id}`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.equals(PDF)).toBe(true);
  });

  it("the enterprise's own samples answer whole, without confirmation or photos; the re-test too", async () => {
    const own = await call('ent', 'GET', `${S}/samples/${failedSampleId}`, 200);
    expect(own.confirmation).toBeNull();
    expect(own.files.map((f: { kind: string }) => f.kind)).toEqual(['report']);
    const mine = await call('ent', 'GET', `${S}/mine/samples`, 200);
    expect(mine.items).toEqual([
      {
        id: failedSampleId,
        sampleNo: own.sampleNo,
        planTitle: '2026年电线电缆产品质量监督抽查（第一批）',
        productName: '聚氯乙烯绝缘电缆',
        trademark: '莞缆',
        model: 'BV 2.5',
        batch: '20260215',
        sampledOn: '2026-03-02',
        state: own.state,
        verdict: 'fail',
        severity: 'critical',
        reportedOn: '2026-03-02',
        category: { code: '0101', name: expect.any(String) },
        case: { id: own.case.id, state: 'opened', stateLabel: own.case.stateLabel, dueOn: null },
      },
    ]);

    // notice, objection, re-test by the other lab (the case routes answer through their own schemas)
    const path = `${S}/cases/${own.case.id}`;
    for (const type of ['notify', 'receive'])
      expect((await send('reg', 'POST', `${path}/actions`, { type })).statusCode).toBe(200);
    const objected = await send('ent', 'POST', `${path}/objection`, {
      items: ['i2'],
      grounds: '样品运输中受潮',
    });
    expect(objected.statusCode, objected.body).toBe(200);
    const assigned = await send('reg', 'POST', `${path}/actions`, {
      type: 'assignRetest',
      labEnterpriseId: lab2.id,
    });
    expect(assigned.statusCode, assigned.body).toBe(200);

    const retests = await call('lab2user', 'GET', `${S}/lab/samples`, 200);
    expect(retests.items).toEqual([
      expect.objectContaining({ id: failedSampleId, retest: true, verdict: 'fail' }),
    ]);
    const seen = await call('lab2user', 'GET', `${S}/samples/${failedSampleId}`, 200);
    expect(seen.case).toMatchObject({ state: 'retesting', retestLabId: lab2.id, objectionItems: ['i2'] });
    const retested = await call('lab2user', 'POST', `${S}/samples/${failedSampleId}/retest-results`, 200, {
      reportedOn: '2026-03-02',
      items: [{ key: 'i2', measured: '19.4', verdict: 'fail' }],
    });
    expect(retested.verdict).toBe('fail');
    expect(retested.results).toContainEqual({
      key: 'i2',
      round: 'retest',
      measured: '19.4',
      verdict: 'fail',
      itemClass: 'critical',
    });
    expect(retested.case.state).not.toBe('retesting');
  });

  it('an amendment answers 201 with its note and both versions', async () => {
    const amended = await call('reg', 'POST', `${S}/plans/${planId}/amend`, 201, {
      amendmentNote: '增加抽查镇街配额',
    });
    expect(amended).toMatchObject({
      version: 2,
      supersedesId: planId,
      state: 'draft',
      body: { amendmentNote: '增加抽查镇街配额' },
      versions: [
        { id: planId, version: 1, state: 'published' },
        { id: amended.id, version: 2, state: 'draft' },
      ],
      draw: null,
    });
    const first = await call('reg', 'GET', `${S}/plans/${planId}`, 200);
    expect(first.draw).toEqual({
      id: expect.any(String),
      seed: 7,
      drawnAt: expect.stringMatching(/^2026-03-02T/),
      asOf: '2026-03-02',
    });
    expect(first.progress).toEqual({
      tasks: 3,
      assigned: 0,
      refused: 1,
      sentToLab: expect.any(Number),
      tested: expect.any(Number),
      passed: 1,
      failed: 1,
    });
    expect(first.body).not.toHaveProperty('amendmentNote');
  });

  it('the portal answers whole: bulletins, one bulletin with the failed items, the disclosed draw', async () => {
    const list = await call(null, 'GET', '/api/v1/public/sampling/bulletins', 200);
    expect(list.items).toEqual([
      {
        planId,
        code: 'DG-2026-RESP-01',
        title: '2026年电线电缆产品质量监督抽查（第一批）',
        year: 2026,
        kind: 'routine',
        samples: 2,
        failed: 1,
        passRate: 50,
        publishedOn: '2026-03-02',
      },
    ]);
    const one = await call(null, 'GET', `/api/v1/public/sampling/bulletins/${planId}`, 200);
    expect(one).toMatchObject({
      plan: { id: planId, code: 'DG-2026-RESP-01', year: 2026, kind: 'routine' },
      publishedOn: '2026-03-02',
      samples: 2,
      failed: 1,
    });
    expect(one.rows).toContainEqual({
      sampleNo: expect.any(String),
      product: '聚氯乙烯绝缘电缆',
      category: expect.any(String),
      producer: { name: makers[0]!.name, uscc: makers[0]!.uscc },
      trademark: '莞缆',
      model: 'BV 2.5',
      batch: '20260215',
      productionDate: '2026-02-15',
      verdict: 'fail',
      failedItems: ['导体电阻'],
    });
    expect(one.rows.find((r: { verdict: string }) => r.verdict === 'pass').productionDate).toBeNull();

    const draw = await call(null, 'GET', `/api/v1/public/sampling/draws/${planId}`, 200);
    expect(draw).toMatchObject({
      plan: { id: planId, code: 'DG-2026-RESP-01' },
      seed: 7,
      asOf: '2026-03-02',
      drawnAt: expect.stringMatching(/^2026-03-02T/),
      ruleSet: { id: expect.any(String), version: expect.any(Number) },
      poolSize: 4,
      excludedCount: 1,
      drawn: 3,
      disclosed: true,
    });
    // the pool by grade and the ratios — never how many of each grade were drawn (beside the list,
    // that would tell a small category's grades)
    expect(draw.strata[0]).toEqual({
      grade: expect.any(String),
      population: expect.any(Number),
      ratio: expect.any(Number),
    });
    expect(draw.items).toContainEqual({
      uscc: makers[2]!.uscc,
      name: makers[2]!.name,
      category: expect.any(String),
    });
  });

  it('the OpenAPI document gives every sampling route its real success status and body', async () => {
    const doc = (await app.inject('/api/docs/json')).json();
    const answers = (path: string, method: string) =>
      doc.paths[path][method].responses as Record<string, { description: string; content?: object }>;
    const successes = (path: string, method: string) =>
      Object.keys(answers(path, method)).filter((s) => s.startsWith('2'));
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, object>)) {
      if (!path.startsWith('/api/v1/sampling') && !path.startsWith('/api/v1/public/sampling')) continue;
      for (const method of Object.keys(item)) {
        const ok = successes(path, method);
        expect(ok, `${method} ${path}`).toHaveLength(1);
        if (ok[0] !== '204')
          expect(answers(path, method)[ok[0]!]!.content, `${method} ${path}`).toBeDefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(32);
    expect(successes('/api/v1/sampling/plans', 'post')).toEqual(['201']);
    expect(successes('/api/v1/sampling/plans/{id}/amend', 'post')).toEqual(['201']);
    expect(successes('/api/v1/sampling/plans/{id}/draw', 'post')).toEqual(['201']);
    expect(successes('/api/v1/sampling/referrals', 'post')).toEqual(['201']);
    expect(successes('/api/v1/sampling/tasks/{id}/sample', 'post')).toEqual(['201']);
    expect(successes('/api/v1/sampling/tasks/{id}/photos', 'post')).toEqual(['201']);
    expect(successes('/api/v1/sampling/samples/{id}/report', 'post')).toEqual(['201']);
    expect(successes('/api/v1/sampling/plans/{id}', 'delete')).toEqual(['204']);
    expect(successes('/api/v1/sampling/tasks/{id}/refusal', 'post')).toEqual(['200']);
    expect(Object.keys(answers('/api/v1/sampling/files/{id}', 'get')['200']!.content!).sort()).toEqual([
      'application/pdf',
      'image/jpeg',
      'image/png',
    ]);
  });
});
