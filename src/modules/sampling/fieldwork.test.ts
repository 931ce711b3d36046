// On-site sampling through the HTTP API, on every dialect: only an inspector of the task records its
// sample, once, with every bad field named; sample numbers run per year across the city; a refusal
// is a violation that reaches the credit archive in the same request; photos are JPEG or PNG by
// their bytes, at most 5 MB and 12 to a task.
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
  HUMEN,
  makeLab,
  makeMakers,
  registerInspectors,
  type SamplingTestApp,
  sampleRecord,
} from './testing.js';

const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]),
  Buffer.alloc(200, 7),
  Buffer.from([0xff, 0xd9]),
]);
const PNG = Buffer.concat([
  Buffer.from([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
  ]),
  Buffer.alloc(100, 3),
]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe.each(DIALECTS)('on-site sampling on %s', (dialect) => {
  let rt: Runtime;
  let t: SamplingTestApp;
  const clock = offsetClock('2026-03-02T02:00:00Z'); // Monday 2026-03-02, 10:00 in Dongguan
  let lab: Awaited<ReturnType<typeof makeLab>>;
  let makers: Awaited<ReturnType<typeof makeMakers>>;
  let lastYear: Awaited<ReturnType<typeof makeMakers>>;
  let tasks: DrawnTask[];
  let oldTasks: DrawnTask[];
  const taskOf = (i: number) => tasks.find((x) => x.enterprise.uscc === makers[i]!.uscc)!;

  const upload = (who: string, taskId: string, filename: string, bytes: Buffer, field = 'file') => {
    const boundary = '----zhihui-fieldwork';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return t.app.inject({
      method: 'POST',
      url: `/api/v1/sampling/tasks/${taskId}/photos`,
      payload,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        cookie: t.sessions[who]!.cookie,
        'x-csrf-token': t.sessions[who]!.csrf,
      },
    });
  };
  const count = async (table: 'sampling_samples' | 'sampling_files' | 'audit_log' | 'outbox_events') =>
    Number(
      (
        await rt.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const sample = (who: string, task: DrawnTask, over: Record<string, unknown> = {}) =>
    t.call(who, 'POST', `/api/v1/sampling/tasks/${task.id}/sample`, sampleRecord(over));

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    lab = await makeLab(rt);
    makers = await makeMakers(rt, 6, '0101');
    lastYear = await makeMakers(rt, 1, '0105');
    t = await testApp(rt, [
      { username: 'reg', role: 'regulator' },
      { username: 'insp1', role: 'townOfficer', townCode: CHANGAN },
      { username: 'insp2', role: 'townOfficer', townCode: CHANGAN },
      { username: 'insp3', role: 'regulator' },
      { username: 'town', role: 'townOfficer', townCode: CHANGAN },
      { username: 'humen', role: 'townOfficer', townCode: HUMEN },
      { username: 'ent', role: 'enterprise', enterpriseUscc: makers[0]!.uscc },
      { username: 'labuser', role: 'lab', enterpriseUscc: lab.uscc },
    ]);
    await registerInspectors(t, 'reg', ['insp1', 'insp2'], CHANGAN);
    ({ tasks } = await drawnPlan(t, 'reg', {
      code: 'DG-2026-DL-01',
      category: '0101',
      labId: lab.id,
      referred: makers.map((m) => m.uscc),
    }));
    ({ tasks: oldTasks } = await drawnPlan(t, 'reg', {
      code: 'DG-2025-YD-01',
      year: 2025,
      category: '0105',
      labId: lab.id,
      referred: lastYear.map((m) => m.uscc),
    }));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  it('draws two inspectors of the town to every task', () => {
    expect(tasks).toHaveLength(6);
    for (const task of [...tasks, ...oldTasks]) {
      expect(task.state).toBe('assigned');
      expect(task.inspectors.map((i) => i.displayName).sort()).toEqual(['insp1', 'insp2']);
    }
  });

  it('lets only an inspector of the task record its sample, names every bad field, and records it once', async () => {
    const task = taskOf(1);
    const samples = await count('sampling_samples');
    const audits = await count('audit_log');
    // another official (even of the same town, even one who may sample), the enterprise, the lab
    for (const who of ['insp3', 'town', 'humen', 'reg', 'ent', 'labuser']) {
      const res = await sample(who, task);
      expect(res.statusCode, who).toBe(403);
      expect(res.json().code, who).toBe('FORBIDDEN');
    }
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['a sampling date in the future', { sampledOn: '2026-03-03' }, ['sampledOn:FUTURE_DATE']],
      ['no such day', { sampledOn: '2026-02-30' }, ['sampledOn:INVALID_DATE']],
      [
        'a date outside the plan year',
        { sampledOn: '2025-12-31', productionDate: null },
        ['sampledOn:OUTSIDE_PLAN_YEAR'],
      ],
      [
        'produced after it was sampled',
        { sampledOn: '2026-02-27', productionDate: '2026-02-28' },
        ['productionDate:AFTER_SAMPLING'],
      ],
      ['a production date that is no day', { productionDate: '2026-13-01' }, ['productionDate:INVALID_DATE']],
      ['fewer test units than the plan asks', { testUnits: 1 }, ['testUnits:TOO_FEW_UNITS']],
      ['fewer backup units than the plan asks', { backupUnits: 1 }, ['backupUnits:TOO_FEW_UNITS']],
      ['no test unit at all', { testUnits: 0 }, ['testUnits:MINIMUM']],
      ['a seal number twice', { sealNumbers: ['FT0009', 'FT0009'] }, ['sealNumbers:DUPLICATE']],
      [
        'a seal number twice but for spaces',
        { sealNumbers: ['FT0009', ' FT0009 '] },
        ['sealNumbers:DUPLICATE'],
      ],
      ['a blank seal number', { sealNumbers: ['   '] }, ['sealNumbers:REQUIRED']],
      ['no seal', { sealNumbers: [] }, ['sealNumbers:MINITEMS']],
      [
        'not confirmed by the sampled party',
        { confirmation: { signer: '李四', confirmed: false } },
        ['confirmation:NOT_CONFIRMED'],
      ],
      [
        'confirmed by nobody',
        { confirmation: { signer: '  ', confirmed: true } },
        ['confirmation:NOT_CONFIRMED'],
      ],
      ['a blank product', { productName: '   ' }, ['productName:REQUIRED']],
      ['a huge product name', { productName: '线'.repeat(201) }, ['productName:MAXLENGTH']],
      ['units as text', { testUnits: '2' }, ['testUnits:TYPE']],
      ['an extra field', { gps: '22.8,113.8' }, ['gps:ADDITIONALPROPERTIES']],
      [
        'an extra field in the confirmation',
        { confirmation: { signer: '李四', confirmed: true, phone: '13800138000' } },
        ['confirmation.phone:ADDITIONALPROPERTIES'],
      ],
    ];
    for (const [what, over, expected] of cases) {
      const res = await sample('insp1', task, over);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
      expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
      expect(fieldCodes(res), what).toEqual(expected);
      for (const f of res.json().fields) {
        expect(f.message.zh, what).toMatch(/\S/);
        expect(f.message.en, what).toMatch(/\S/);
      }
    }
    const several = await sample('insp1', task, {
      testUnits: 1,
      sealNumbers: ['A', 'A'],
      confirmation: { signer: '李四', confirmed: false },
    });
    expect(fieldCodes(several)).toEqual([
      'confirmation:NOT_CONFIRMED',
      'sealNumbers:DUPLICATE',
      'testUnits:TOO_FEW_UNITS',
    ]);
    for (const key of ['productName', 'sampledOn', 'sealNumbers', 'confirmation', 'place'] as const) {
      const { [key]: _gone, ...rest } = sampleRecord();
      const res = await t.call('insp1', 'POST', `/api/v1/sampling/tasks/${task.id}/sample`, rest);
      expect(fieldCodes(res), key).toContain(`${key}:REQUIRED`);
    }
    // nothing was written
    expect(await count('sampling_samples')).toBe(samples);
    expect(await count('audit_log')).toBe(audits);
    expect((await t.call('reg', 'GET', `/api/v1/sampling/tasks/${task.id}`)).json().state).toBe('assigned');

    const ok = await sample('insp1', task, { sealNumbers: [' FT0001 ', 'FT0002'] });
    expect(ok.statusCode, ok.body).toBe(201);
    const s = ok.json();
    expect(s).toMatchObject({
      sampleNo: 'DG2026-CC-000001',
      task: { id: task.id, taskNo: task.taskNo },
      enterprise: { uscc: makers[1]!.uscc },
      category: { code: '0101', name: '电线电缆' },
      state: 'sentToLab',
      verdict: null,
      sealNumbers: ['FT0001', 'FT0002'],
      confirmation: { signer: '李四', title: '质量经理' },
      lab: { id: lab.id, uscc: lab.uscc, name: lab.name },
      testUnits: 2,
      backupUnits: 2,
    });
    expect(s.checkItems.map((i: { key: string }) => i.key)).toEqual(['i1', 'i2', 'i3']);
    const detail = (await t.call('insp2', 'GET', `/api/v1/sampling/tasks/${task.id}`)).json();
    expect(detail).toMatchObject({ state: 'sentToLab', sample: { id: s.id, sampleNo: 'DG2026-CC-000001' } });
    // its documents reach the lab
    const labList = (await t.call('labuser', 'GET', '/api/v1/sampling/lab/samples?state=sentToLab')).json();
    expect(labList.items).toEqual([expect.objectContaining({ id: s.id, sampleNo: 'DG2026-CC-000001' })]);
    expect((await t.call('labuser', 'GET', `/api/v1/sampling/tasks/${task.id}`)).statusCode).toBe(200);

    // once only: neither the other inspector nor a refusal afterwards
    const again = await sample('insp2', task, { sealNumbers: ['FT0003'] });
    expect(again.statusCode).toBe(409);
    expect(fieldCodes(again)).toEqual(['state:TASK_NOT_OPEN']);
    const refusal = await t.call('insp1', 'POST', `/api/v1/sampling/tasks/${task.id}/refusal`, {
      refusedOn: '2026-03-02',
      note: '拒绝',
      witnesses: ['王五'],
    });
    expect(refusal.statusCode).toBe(409);
    expect(await count('sampling_samples')).toBe(samples + 1);
  });

  it('numbers samples in sequence per year across the city, also when two are recorded at once', async () => {
    const second = await sample('insp2', taskOf(2), { sampledOn: '2026-03-01' });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().sampleNo).toBe('DG2026-CC-000002');
    // a 2025 plan sampled early in 2026 counts in its own year
    const old = await sample('insp1', oldTasks[0]!, {
      sampledOn: '2026-01-05',
      productionDate: '2025-12-20',
    });
    expect(old.statusCode, old.body).toBe(201);
    expect(old.json().sampleNo).toBe('DG2025-CC-000001');
    const both = await Promise.all([sample('insp1', taskOf(3)), sample('insp2', taskOf(4))]);
    expect(
      both.map((r) => r.statusCode),
      both.map((r) => r.body).join('\n'),
    ).toEqual([201, 201]);
    expect(both.map((r) => r.json().sampleNo).sort()).toEqual(['DG2026-CC-000003', 'DG2026-CC-000004']);
    const listed = (await t.call('reg', 'GET', '/api/v1/sampling/tasks?state=sentToLab&pageSize=50')).json();
    expect(listed.items.map((i: { sampleNo: string }) => i.sampleNo).sort()).toEqual([
      'DG2025-CC-000001',
      'DG2026-CC-000001',
      'DG2026-CC-000002',
      'DG2026-CC-000003',
      'DG2026-CC-000004',
    ]);
  });

  it('records a refusal as a violation: the event, the credit record and the grade drop at once', async () => {
    const task = taskOf(0); // the signed-in enterprise's own
    const uscc = makers[0]!.uscc;
    const before = (await t.call('reg', 'GET', `/api/v1/credit/enterprises/${uscc}`)).json();
    expect(before.grade).toMatchObject({ grade: 'B', score: 100, contributions: [] });
    const refuse = (who: string, body: Record<string, unknown>) =>
      t.call(who, 'POST', `/api/v1/sampling/tasks/${task.id}/refusal`, {
        refusedOn: '2026-03-02',
        note: '企业负责人拒绝检查人员进入仓库抽样',
        witnesses: ['村委会 王五'],
        ...body,
      });
    for (const who of ['insp3', 'town', 'ent', 'labuser'])
      expect((await refuse(who, {})).statusCode, who).toBe(403);
    const events = await count('outbox_events');
    const bad: [Record<string, unknown>, string[]][] = [
      [{ refusedOn: '2026-03-03' }, ['refusedOn:INVALID_DATE']],
      [{ refusedOn: '2026-02-29' }, ['refusedOn:INVALID_DATE']],
      [{ refusedOn: '2025-12-31' }, ['refusedOn:OUTSIDE_PLAN_YEAR']],
      [{ refusedOn: '1900-01-01' }, ['refusedOn:OUTSIDE_PLAN_YEAR']],
      [{ note: '   ' }, ['note:REQUIRED']],
      [{ witnesses: ['  '] }, ['witnesses:REQUIRED']],
      [{ witnesses: [] }, ['witnesses:MINITEMS']],
      [{ reason: '不配合' }, ['reason:ADDITIONALPROPERTIES']],
    ];
    for (const [body, expected] of bad) {
      const res = await refuse('insp1', body);
      expect(res.statusCode, res.body).toBe(400);
      expect(fieldCodes(res)).toEqual(expected);
    }
    expect(await count('outbox_events')).toBe(events);

    const res = await refuse('insp2', { refusedOn: '2026-02-27' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      state: 'refused',
      refusal: { on: '2026-02-27', note: '企业负责人拒绝检查人员进入仓库抽样', witnesses: ['村委会 王五'] },
      sample: null,
    });
    const emitted = await rt.db
      .selectFrom('outbox_events')
      .select(['type', 'occurred_at', 'payload'])
      .where('type', '=', 'sampling.sample.refused')
      .where('enterprise_id', '=', makers[0]!.id)
      .execute();
    expect(emitted).toHaveLength(1);
    expect(JSON.parse(emitted[0]!.payload)).toMatchObject({ uscc, taskNo: task.taskNo });

    // the credit archive has it in the same request: −20 for three years (rule sampling.refused)
    const after = (await t.call('reg', 'GET', `/api/v1/credit/enterprises/${uscc}`)).json();
    expect(after.grade).toMatchObject({ grade: 'C', score: 80 });
    expect(after.grade.contributions).toEqual([
      expect.objectContaining({ rule: 'sampling.refused', points: -20 }),
    ]);
    const records = (await t.call('reg', 'GET', `/api/v1/credit/enterprises/${uscc}/records`)).json().items;
    expect(records).toEqual([
      expect.objectContaining({
        eventType: 'sampling.sample.refused',
        ruleId: 'sampling.refused',
        occurredOn: '2026-02-27',
        expiresOn: '2029-02-27',
        points: -20,
        status: 'active',
      }),
    ]);
    // the enterprise sees its refused task (and its own credit record), no inspector names
    const own = (await t.call('ent', 'GET', '/api/v1/sampling/tasks')).json();
    expect(own.items).toEqual([expect.objectContaining({ id: task.id, state: 'refused', inspectors: [] })]);
    // a refused task is closed: no second refusal, no sample
    expect((await refuse('insp1', {})).statusCode).toBe(409);
    expect((await sample('insp1', task)).statusCode).toBe(409);
    expect(
      (
        await rt.db
          .selectFrom('outbox_events')
          .select('id')
          .where('type', '=', 'sampling.sample.refused')
          .execute()
      ).length,
    ).toBe(1);
  });

  it('takes JPEG and PNG photos by their bytes, at most 5 MB and 12 to a task, from its inspectors only', async () => {
    const task = taskOf(5);
    const files = await count('sampling_files');
    const jpeg = await upload('insp1', task.id, '现场.jpg', JPEG);
    expect(jpeg.statusCode, jpeg.body).toBe(201);
    expect(jpeg.json()).toMatchObject({ filename: '现场.jpg', size: JPEG.length });
    // a PNG named .jpg is stored and served as what it is
    const png = await upload('insp2', task.id, 'seal.jpg', PNG);
    expect(png.statusCode, png.body).toBe(201);
    const served = await t.call('reg', 'GET', `/api/v1/sampling/files/${png.json().id}`);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.rawPayload.equals(PNG)).toBe(true);

    for (const [name, bytes] of [
      ['report.jpg', PDF],
      ['notes.jpg', Buffer.from('这不是图片 just text\n')],
      ['gif.png', Buffer.from('GIF89a\x01\x00\x01\x00')],
    ] as const) {
      const res = await upload('insp1', task.id, name, bytes);
      expect(res.statusCode, name).toBe(400);
      expect(res.json().code, name).toBe('UNSUPPORTED_FILE');
      expect(fieldCodes(res), name).toEqual(['file:NOT_AN_IMAGE']);
    }
    const empty = await upload('insp1', task.id, 'empty.jpg', Buffer.alloc(0));
    expect(empty.json().code).toBe('UNSUPPORTED_FILE');
    const wrongField = await upload('insp1', task.id, 'a.jpg', JPEG, 'photo');
    expect(wrongField.statusCode).toBe(400);
    const notMultipart = await t.call('insp1', 'POST', `/api/v1/sampling/tasks/${task.id}/photos`, {
      file: 'x',
    });
    expect(notMultipart.statusCode).toBe(400);
    expect(notMultipart.json().code).toBe('UNSUPPORTED_FILE');
    const big = Buffer.concat([JPEG.subarray(0, 4), Buffer.alloc(5 * 1024 * 1024 - 3, 1)]);
    const tooBig = await upload('insp1', task.id, 'big.jpg', big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().code).toBe('PAYLOAD_TOO_LARGE');
    // exactly 5 MB is fine
    const limit = await upload('insp1', task.id, 'limit.jpg', big.subarray(0, 5 * 1024 * 1024));
    expect(limit.statusCode, limit.body).toBe(201);
    for (const who of ['insp3', 'town', 'humen', 'reg', 'ent', 'labuser'])
      expect((await upload(who, task.id, 'x.jpg', JPEG)).statusCode, who).toBe(403);
    expect(await count('sampling_files')).toBe(files + 3);

    for (let i = 3; i < 12; i++)
      expect((await upload(i % 2 ? 'insp1' : 'insp2', task.id, `p${i}.jpg`, JPEG)).statusCode).toBe(201);
    const thirteenth = await upload('insp1', task.id, 'p13.jpg', JPEG);
    expect(thirteenth.statusCode).toBe(409);
    expect(fieldCodes(thirteenth)).toEqual(['file:TOO_MANY_PHOTOS']);
    const detail = (await t.call('insp1', 'GET', `/api/v1/sampling/tasks/${task.id}`)).json();
    expect(detail.files).toHaveLength(12);
    expect(new Set(detail.files.map((f: { mime: string }) => f.mime))).toEqual(
      new Set(['image/jpeg', 'image/png']),
    );
  });
});
