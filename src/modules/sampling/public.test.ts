// The portal's sampling pages through the HTTP API, without signing in, on every dialect: result
// bulletins show producer, product, trademark, model, batch, verdict and failed items in words; a
// failed sample only once its objection stage is over; draft and higher-level plans are not there;
// a draw's enterprises only once no task awaits its inspectors; and no personal data — inspectors,
// signers, seals, witnesses, contacts, user ids — in any public sampling answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { testApp } from '../../testing/http.js';
import {
  CHANGAN,
  type DrawnTask,
  drawnPlan,
  makeLab,
  makeMakers,
  planBody,
  registerInspectors,
  type SamplingTestApp,
  sampleRecord,
} from './testing.js';

const S = '/api/v1/sampling';
const P = '/api/v1/public/sampling';
const SIGNER = '欧阳签字人';
const WITNESS = '司马见证人';

describe.each(DIALECTS)('sampling on the portal on %s', (dialect) => {
  let rt: Runtime;
  let t: SamplingTestApp;
  const clock = offsetClock('2026-03-02T02:00:00Z'); // Monday 2026-03-02, 10:00 in Dongguan
  let lab: Awaited<ReturnType<typeof makeLab>>;
  let lab2: Awaited<ReturnType<typeof makeLab>>;
  let makers: Awaited<ReturnType<typeof makeMakers>>;
  let others: Awaited<ReturnType<typeof makeMakers>>;
  let plan: { id: string };
  let tasks: DrawnTask[];
  const planIds: Record<string, string> = {};
  const secrets: string[] = [];
  const sampleIds: string[] = [];

  const get = (url: string) => t.app.inject({ method: 'GET', url }); // no session
  const rows = async () =>
    (await get(`${P}/bulletins/${plan.id}`)).json().rows as {
      sampleNo: string;
      producer: { name: string; uscc: string };
      verdict: string;
      failedItems: string[];
    }[];
  const shown = async () => (await rows()).map((r) => `${r.producer.uscc}:${r.verdict}`).sort();
  const act = async (caseId: string, body: Record<string, unknown>) => {
    const res = await t.call('pub.reg', 'POST', `${S}/cases/${caseId}/actions`, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const enter = async (i: number, fails: string[]) => {
    const res = await t.call('pub.lab', 'POST', `${S}/samples/${sampleIds[i]}/results`, {
      reportedOn: '2026-03-02',
      items: ['i1', 'i2', 'i3'].map((key) => ({
        key,
        measured: fails.includes(key) ? '不符合' : '符合',
        verdict: fails.includes(key) ? 'fail' : 'pass',
      })),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { sampleNo: string; case: { id: string } | null };
  };

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    lab = await makeLab(rt);
    lab2 = await makeLab(rt, '广东产品质量监督检验研究院');
    makers = await makeMakers(rt, 4, '0106');
    others = await makeMakers(rt, 2, '0107');
    t = await testApp(rt, [
      { username: 'pub.reg', role: 'regulator' },
      { username: 'pub.zhao', role: 'townOfficer', townCode: CHANGAN },
      { username: 'pub.qian', role: 'townOfficer', townCode: CHANGAN },
      { username: 'pub.lab', role: 'lab', enterpriseUscc: lab.uscc },
      { username: 'pub.lab2', role: 'lab', enterpriseUscc: lab2.uscc },
      { username: 'pub.ent1', role: 'enterprise', enterpriseUscc: makers[1]!.uscc },
      { username: 'pub.ent2', role: 'enterprise', enterpriseUscc: makers[2]!.uscc },
    ]);
    // every producer has a contact: personal data the portal never shows
    for (const [i, m] of [...makers, ...others].entries()) {
      const contact = {
        name: `质量联络人${'甲乙丙丁戊己'[i]}`,
        role: '质量经理',
        phone: `1391234${String(5670 + i).padStart(4, '0')}`,
        email: `quality.contact${i}@example.cn`,
      };
      const res = await t.call('pub.reg', 'POST', `/api/v1/enterprises/${m.uscc}/contacts`, contact);
      expect(res.statusCode, res.body).toBe(201);
      secrets.push(contact.name, contact.phone, contact.email);
    }
    await registerInspectors(t, 'pub.reg', ['pub.zhao', 'pub.qian'], CHANGAN);
    ({ plan, tasks } = await drawnPlan(t, 'pub.reg', {
      code: 'DG-2026-LED-01',
      category: '0106',
      labId: lab.id,
      referred: makers.map((m) => m.uscc),
    }));
    planIds.bulletin = plan.id;
    // a draft, and a provincial plan registered here but drawn by the province
    const draft = await t.call('pub.reg', 'POST', `${S}/plans`, {
      code: 'DG-2026-DRAFT',
      year: 2026,
      title: '草稿计划',
      kind: 'routine',
      level: 'city',
      body: planBody('0106', lab.id),
    });
    planIds.draft = draft.json().id;
    const provincial = await t.call('pub.reg', 'POST', `${S}/plans`, {
      code: 'GD-2026-LED',
      year: 2026,
      title: '2026年广东省LED照明产品质量监督抽查',
      kind: 'routine',
      level: 'provincial',
      body: planBody('0106', lab.id),
    });
    planIds.provincial = provincial.json().id;
    expect((await t.call('pub.reg', 'POST', `${S}/plans/${planIds.provincial}/publish`)).statusCode).toBe(
      200,
    );
    planIds.none = '01900000-0000-7000-8000-000000000000';

    for (const [i, m] of makers.entries()) {
      const task = tasks.find((x) => x.enterprise.uscc === m.uscc)!;
      const seal = `SEAL-PUB-${i}0${i}`;
      const res = await t.call(
        'pub.zhao',
        'POST',
        `${S}/tasks/${task.id}/sample`,
        sampleRecord({
          productName: 'LED平板灯',
          trademark: `光明${i}`,
          model: `PL-600-${i}`,
          batch: `2026021${i}`,
          sealNumbers: [seal],
          confirmation: { signer: SIGNER, title: '厂长', confirmed: true },
        }),
      );
      expect(res.statusCode, res.body).toBe(201);
      sampleIds.push(res.json().id);
      secrets.push(seal);
    }
    const users = await rt.db.selectFrom('users').select(['id', 'username', 'display_name']).execute();
    for (const u of users) secrets.push(u.id, u.username, u.display_name);
    secrets.push(SIGNER, WITNESS);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  it('publishes a passed sample at once, a failed one only when its objection stage is over', async () => {
    expect((await get(`${P}/bulletins`)).json().items).toEqual([]);
    expect(await rows()).toEqual([]);

    await enter(0, []);
    expect(await shown()).toEqual([`${makers[0]!.uscc}:pass`]);

    // failed and accepted: hidden while the producer may still object, shown once it accepts
    const f1 = await enter(1, ['i2']);
    expect(await shown()).toEqual([`${makers[0]!.uscc}:pass`]);
    await act(f1.case!.id, { type: 'notify' });
    await act(f1.case!.id, { type: 'receive' });
    expect(await shown()).toHaveLength(1);
    const accepted = await t.call('pub.ent1', 'POST', `${S}/cases/${f1.case!.id}/accept`, {});
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().state).toBe('confirmed');
    expect(await shown()).toEqual([`${makers[0]!.uscc}:pass`, `${makers[1]!.uscc}:fail`].sort());

    // failed and objected: hidden through the objection and the re-test, shown once it is upheld
    const f2 = await enter(2, ['i1', 'i3']);
    await act(f2.case!.id, { type: 'notify' });
    await act(f2.case!.id, { type: 'receive' });
    const objected = await t.call('pub.ent2', 'POST', `${S}/cases/${f2.case!.id}/objection`, {
      items: ['i3'],
      grounds: '绝缘厚度测量位置有误',
    });
    expect(objected.statusCode, objected.body).toBe(200);
    expect(await shown()).toHaveLength(2);
    await act(f2.case!.id, { type: 'assignRetest', labEnterpriseId: lab2.id });
    expect(await shown()).toHaveLength(2);
    const upheld = await t.call('pub.lab2', 'POST', `${S}/samples/${sampleIds[2]}/retest-results`, {
      reportedOn: '2026-03-02',
      items: [{ key: 'i3', measured: '0.61', verdict: 'fail' }],
    });
    expect(upheld.statusCode, upheld.body).toBe(200);
    expect(await shown()).toHaveLength(3);

    // failed and just opened: never shown
    await enter(3, ['i2']);
    expect(await shown()).toHaveLength(3);

    const bulletin = (await get(`${P}/bulletins/${plan.id}`)).json();
    expect(bulletin).toMatchObject({
      plan: {
        id: plan.id,
        code: 'DG-2026-LED-01',
        title: '2026年DG-2026-LED-01产品质量监督抽查',
        year: 2026,
        kind: 'routine',
      },
      publishedOn: '2026-03-02',
      samples: 3,
      failed: 2,
    });
    const byUscc = new Map(bulletin.rows.map((r: { producer: { uscc: string } }) => [r.producer.uscc, r]));
    expect(byUscc.get(makers[1]!.uscc)).toEqual({
      sampleNo: f1.sampleNo,
      product: 'LED平板灯',
      category: 'LED 照明产品',
      producer: { name: makers[1]!.name, uscc: makers[1]!.uscc },
      trademark: '光明1',
      model: 'PL-600-1',
      batch: '20260211',
      productionDate: '2026-02-15',
      verdict: 'fail',
      failedItems: ['导体电阻'],
    });
    // the failed items in words, as finally decided (the re-test confirmed i3, i1 failed too)
    expect(byUscc.get(makers[2]!.uscc)).toMatchObject({ verdict: 'fail', failedItems: ['标志', '绝缘厚度'] });
    expect(byUscc.get(makers[0]!.uscc)).toMatchObject({ verdict: 'pass', failedItems: [] });
    expect(byUscc.has(makers[3]!.uscc)).toBe(false);
    expect((await get(`${P}/bulletins`)).json().items).toEqual([
      expect.objectContaining({ planId: plan.id, code: 'DG-2026-LED-01', year: 2026, samples: 3, failed: 2 }),
    ]);
  });

  it('has no bulletin or draw for a draft, a provincial or an unknown plan', async () => {
    for (const which of ['draft', 'provincial', 'none']) {
      for (const route of ['bulletins', 'draws']) {
        const res = await get(`${P}/${route}/${planIds[which]}`);
        expect(res.statusCode, `${route} of the ${which} plan`).toBe(404);
        expect(res.json().code).toBe('NOT_FOUND');
        expect(res.body).not.toContain('草稿计划');
      }
    }
    expect((await get(`${P}/bulletins`)).json().items.map((i: { planId: string }) => i.planId)).toEqual([
      plan.id,
    ]);
  });

  it('keeps the drawn enterprises off the portal until no task awaits its inspectors', async () => {
    const { plan: p2, tasks: t2 } = await drawnPlan(t, 'pub.reg', {
      code: 'DG-2026-YJ-01',
      category: '0107',
      labId: lab.id,
      referred: others.map((m) => m.uscc),
      seed: 11,
    });
    planIds.draw = p2.id;
    const draw = async () => {
      const res = await get(`${P}/draws/${p2.id}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const before = await draw();
    expect(before).toMatchObject({
      plan: { id: p2.id, code: 'DG-2026-YJ-01' },
      seed: 11,
      poolSize: 2,
      drawn: 2,
      excludedCount: 0,
      disclosed: false,
      items: [],
      ruleSet: { id: 'dg-2024', version: 1 },
    });
    for (const m of others) {
      expect(JSON.stringify(before)).not.toContain(m.uscc);
      expect(JSON.stringify(before)).not.toContain(m.name);
    }
    const first = await t.call('pub.qian', 'POST', `${S}/tasks/${t2[0]!.id}/sample`, sampleRecord());
    expect(first.statusCode, first.body).toBe(201);
    expect(await draw()).toMatchObject({ disclosed: false, items: [] });
    const refused = await t.call('pub.qian', 'POST', `${S}/tasks/${t2[1]!.id}/refusal`, {
      refusedOn: '2026-03-02',
      note: '法定代表人拒绝抽样并驱离检查人员',
      witnesses: [WITNESS],
    });
    expect(refused.statusCode, refused.body).toBe(200);
    const after = await draw();
    expect(after.disclosed).toBe(true);
    expect(after.items.map((i: { uscc: string }) => i.uscc).sort()).toEqual(others.map((m) => m.uscc).sort());
    expect(after.items[0]).toEqual({
      uscc: expect.any(String),
      name: expect.any(String),
      category: '电子元器件',
    });
    // the bulletin plan's draw is disclosed too: every task was sampled
    expect((await get(`${P}/draws/${plan.id}`)).json()).toMatchObject({ disclosed: true, drawn: 4 });
  });

  it('answers every public sampling route without any personal data', async () => {
    const doc = (await get('/api/docs/json')).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths)
      .filter(([p, ops]) => p.startsWith(P) && 'get' in ops)
      .map(([p]) => p);
    expect(routes.sort()).toEqual([`${P}/bulletins`, `${P}/bulletins/{planId}`, `${P}/draws/{planId}`]);
    expect(secrets.length).toBeGreaterThan(30);
    let answered = 0;
    for (const route of routes)
      for (const id of route.includes('{') ? Object.values(planIds) : ['']) {
        const url = route.replace('{planId}', id);
        const res = await get(url);
        expect([200, 404], url).toContain(res.statusCode);
        if (res.statusCode === 200) answered++;
        for (const s of secrets) expect(res.body, `${url} leaks ${s}`).not.toContain(s);
        expect(res.body, url).not.toMatch(
          /"(inspectors?|confirmation|signer|sealNumbers|witnesses|refusal|contacts?|phone|email|userId|createdBy|drawnBy|enteredBy)"/,
        );
      }
    // the list, both bulletins and both draws answered
    expect(answered).toBe(5);
  });
});
