// Sampling plans and the draw through the HTTP API, on every dialect: drafts are edited, published
// and amended as new versions (a published plan is never edited); bad input anywhere is a
// problem+json naming the field with a stable code in Chinese and English, and writes nothing;
// each role is kept to what it may do — the drawn list stays with those who draw or plan until the
// enterprise is sampled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { testApp } from '../../testing/http.js';
import {
  CHANGAN,
  drawnPlan,
  fieldCodes,
  HUMEN,
  makeLab,
  makeMakers,
  planBody,
  registerInspectors,
  type SamplingTestApp,
  sampleRecord,
} from './testing.js';

const PLANS = '/api/v1/sampling/plans';

describe.each(DIALECTS)('sampling plans API on %s', (dialect) => {
  let rt: Runtime;
  let t: SamplingTestApp;
  const clock = offsetClock('2026-03-02T02:00:00Z'); // Monday 2026-03-02, 10:00 in Dongguan
  let lab: Awaited<ReturnType<typeof makeLab>>;
  let makers: Awaited<ReturnType<typeof makeMakers>>;
  let stranger: Awaited<ReturnType<typeof makeMakers>>[number];

  const newPlan = (code: string, over: Record<string, unknown> = {}) => ({
    code,
    year: 2026,
    title: '2026年插头插座产品质量监督抽查',
    kind: 'routine',
    level: 'city',
    body: planBody('0102', lab.id),
    ...over,
  });
  const count = async (table: 'sampling_plans' | 'audit_log') =>
    Number(
      (
        await rt.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    lab = await makeLab(rt);
    makers = await makeMakers(rt, 3, '0102');
    stranger = (await makeMakers(rt, 1, '0104', HUMEN))[0]!;
    t = await testApp(rt, [
      { username: 'admin', role: 'admin' },
      { username: 'reg', role: 'regulator' },
      { username: 'town', role: 'townOfficer', townCode: CHANGAN },
      { username: 'humen', role: 'townOfficer', townCode: HUMEN },
      { username: 'insp1', role: 'townOfficer', townCode: CHANGAN },
      { username: 'insp2', role: 'townOfficer', townCode: CHANGAN },
      { username: 'ent', role: 'enterprise', enterpriseUscc: makers[0]!.uscc },
      { username: 'outsider', role: 'enterprise', enterpriseUscc: stranger!.uscc },
      { username: 'labuser', role: 'lab', enterpriseUscc: lab.uscc },
    ]);
    // a retired category: 电能表
    const retired = await t.call('admin', 'PATCH', '/api/v1/product-categories/0108', { active: false });
    expect(retired.statusCode, retired.body).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  it('drafts, edits and publishes a plan; a published plan is never edited, deleted or published again', async () => {
    const created = await t.call('reg', 'POST', PLANS, newPlan('DG-2026-CZ-01'));
    expect(created.statusCode, created.body).toBe(201);
    const plan = created.json();
    expect(plan).toMatchObject({
      code: 'DG-2026-CZ-01',
      version: 1,
      supersedesId: null,
      year: 2026,
      state: 'draft',
      publishedAt: null,
      categoryNames: { '0102': '插头插座及转换器' },
      labs: { [lab.id]: { uscc: lab.uscc, name: lab.name } },
      versions: [{ id: plan.id, version: 1, state: 'draft' }],
      draw: null,
      progress: { tasks: 0, passed: 0, failed: 0 },
    });
    expect(plan.body.categories[0].checkItems).toHaveLength(3);

    const edited = await t.call('reg', 'PUT', `${PLANS}/${plan.id}`, {
      title: '2026年插头插座及转换器产品质量监督抽查',
      kind: 'special',
      level: 'city',
      body: planBody('0102', lab.id, { towns: [CHANGAN], townQuotas: { [CHANGAN]: 5 } }),
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({
      title: '2026年插头插座及转换器产品质量监督抽查',
      kind: 'special',
      state: 'draft',
      body: { towns: [CHANGAN], townQuotas: { [CHANGAN]: 5 } },
    });
    const listed = (await t.call('reg', 'GET', `${PLANS}?year=2026&state=draft`)).json().items;
    expect(listed).toContainEqual(
      expect.objectContaining({ id: plan.id, categories: 1, towns: 1, drawn: false, state: 'draft' }),
    );

    const published = await t.call('reg', 'POST', `${PLANS}/${plan.id}/publish`);
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toMatchObject({
      state: 'published',
      publishedAt: expect.stringMatching(/^2026-03-02T/),
    });

    const edit = await t.call('reg', 'PUT', `${PLANS}/${plan.id}`, {
      title: '改名',
      kind: 'special',
      level: 'city',
      body: planBody('0102', lab.id),
    });
    expect(edit.statusCode).toBe(409);
    expect(edit.json()).toMatchObject({ code: 'INVALID_STATE' });
    expect(edit.json().message.zh).toContain('修订');
    expect((await t.call('reg', 'DELETE', `${PLANS}/${plan.id}`)).statusCode).toBe(409);
    expect((await t.call('reg', 'POST', `${PLANS}/${plan.id}/publish`)).statusCode).toBe(409);
    const after = (await t.call('reg', 'GET', `${PLANS}/${plan.id}`)).json();
    expect(after).toMatchObject({ title: '2026年插头插座及转换器产品质量监督抽查', state: 'published' });

    // a draft is deleted, with its audit row; then it is gone
    const draft = (await t.call('reg', 'POST', PLANS, newPlan('DG-2026-CZ-DEL'))).json();
    const audits = await count('audit_log');
    const del = await t.call('reg', 'DELETE', `${PLANS}/${draft.id}`);
    expect(del.statusCode, del.body).toBe(204);
    expect(await count('audit_log')).toBe(audits + 1);
    expect((await t.call('reg', 'GET', `${PLANS}/${draft.id}`)).statusCode).toBe(404);
    // the code is free again
    expect((await t.call('reg', 'POST', PLANS, newPlan('DG-2026-CZ-DEL'))).statusCode).toBe(201);
  });

  it('amends a published plan as a new draft version that supersedes it only when published', async () => {
    const v1 = (await t.call('reg', 'POST', PLANS, newPlan('DG-2026-CZ-02'))).json();
    expect((await t.call('reg', 'POST', `${PLANS}/${v1.id}/publish`)).statusCode).toBe(200);

    const empty = await t.call('reg', 'POST', `${PLANS}/${v1.id}/amend`, { amendmentNote: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(fieldCodes(empty)).toEqual(['amendmentNote:REQUIRED']);
    const missing = await t.call('reg', 'POST', `${PLANS}/${v1.id}/amend`, {});
    expect(fieldCodes(missing)).toEqual(['amendmentNote:REQUIRED']);

    const amended = await t.call('reg', 'POST', `${PLANS}/${v1.id}/amend`, {
      amendmentNote: '增加虎门镇配额',
    });
    expect(amended.statusCode, amended.body).toBe(201);
    const v2 = amended.json();
    expect(v2).toMatchObject({
      code: 'DG-2026-CZ-02',
      version: 2,
      supersedesId: v1.id,
      state: 'draft',
      body: { amendmentNote: '增加虎门镇配额' },
      versions: [
        { id: v1.id, version: 1, state: 'published' },
        { id: v2.id, version: 2, state: 'draft' },
      ],
    });
    // the published version stays in force meanwhile
    expect((await t.call('reg', 'GET', `${PLANS}/${v1.id}`)).json().state).toBe('published');
    const inForce = (await t.call('reg', 'GET', `${PLANS}?state=published`)).json().items;
    expect(inForce.map((p: { id: string }) => p.id)).toContain(v1.id);
    expect(inForce.map((p: { id: string }) => p.id)).not.toContain(v2.id);

    // one pending amendment at a time; a draft is edited, not amended
    const second = await t.call('reg', 'POST', `${PLANS}/${v1.id}/amend`, { amendmentNote: '再改' });
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('ALREADY_EXISTS');
    expect((await t.call('reg', 'POST', `${PLANS}/${v2.id}/amend`, { amendmentNote: 'x' })).statusCode).toBe(
      409,
    );
    const edited = await t.call('reg', 'PUT', `${PLANS}/${v2.id}`, {
      title: v2.title,
      kind: 'routine',
      level: 'city',
      body: { ...v2.body, towns: [CHANGAN, HUMEN], townQuotas: { [HUMEN]: 2 } },
    });
    expect(edited.statusCode, edited.body).toBe(200);

    const pub = await t.call('reg', 'POST', `${PLANS}/${v2.id}/publish`);
    expect(pub.statusCode, pub.body).toBe(200);
    expect(pub.json()).toMatchObject({
      state: 'published',
      body: { townQuotas: { [HUMEN]: 2 }, amendmentNote: '增加虎门镇配额' },
      versions: [
        { id: v1.id, version: 1, state: 'superseded' },
        { id: v2.id, version: 2, state: 'published' },
      ],
    });
    // a superseded version is history: not edited, amended, published, deleted or drawn
    const old = `${PLANS}/${v1.id}`;
    expect((await t.call('reg', 'POST', `${old}/amend`, { amendmentNote: 'x' })).statusCode).toBe(409);
    expect(
      (
        await t.call('reg', 'PUT', old, {
          title: 'x',
          kind: 'routine',
          level: 'city',
          body: planBody('0102', lab.id),
        })
      ).statusCode,
    ).toBe(409);
    expect((await t.call('reg', 'POST', `${old}/publish`)).statusCode).toBe(409);
    expect((await t.call('reg', 'DELETE', old)).statusCode).toBe(409);
    expect((await t.call('reg', 'GET', `${old}/draw/preview?seed=1`)).statusCode).toBe(409);
    // and the next amendment starts from version 2
    const v3 = await t.call('reg', 'POST', `${PLANS}/${v2.id}/amend`, { amendmentNote: '第二次修订' });
    expect(v3.json()).toMatchObject({ version: 3, supersedesId: v2.id, state: 'draft' });
  });

  it('refuses bad plans with the field, a stable code and both languages, and writes nothing', async () => {
    expect((await t.call('reg', 'POST', PLANS, newPlan('DG-2026-TAKEN'))).statusCode).toBe(201);
    const plans = await count('sampling_plans');
    const audits = await count('audit_log');
    const body = planBody('0102', lab.id);
    const cat = body.categories[0]!;
    const withCategory = (over: Record<string, unknown>) => ({
      body: { ...body, categories: [{ ...cat, ...over }] },
    });
    const cases: [string, Record<string, unknown>, number, string[]][] = [
      ['unknown category', withCategory({ code: '9999' }), 400, ['body.categories.0.code:UNKNOWN_CATEGORY']],
      ['retired category', withCategory({ code: '0108' }), 400, ['body.categories.0.code:INACTIVE_CATEGORY']],
      [
        'a lab that is not a lab',
        withCategory({ labEnterpriseId: makers[0]!.id }),
        400,
        ['body.categories.0.labEnterpriseId:NOT_A_LAB'],
      ],
      [
        'a duplicate check-item key',
        withCategory({ checkItems: [cat.checkItems[0], { ...cat.checkItems[1]!, key: 'i1' }] }),
        400,
        ['body.categories.0.checkItems.1.key:DUPLICATE'],
      ],
      [
        'a category listed twice',
        { body: { ...body, categories: [cat, cat] } },
        400,
        ['body.categories.1.code:DUPLICATE'],
      ],
      ['an unknown town', { body: { ...body, towns: ['441900999'] } }, 400, ['body.towns.0:UNKNOWN_TOWN']],
      [
        'an unknown town in the quotas',
        { body: { ...body, townQuotas: { '441900999': 3 } } },
        400,
        ['body.townQuotas.441900999:UNKNOWN_TOWN'],
      ],
      [
        'a quota outside the plan’s towns',
        { body: { ...body, towns: [CHANGAN], townQuotas: { [HUMEN]: 3 } } },
        400,
        [`body.townQuotas.${HUMEN}:TOWN_NOT_IN_PLAN`],
      ],
      ['a code taken', { code: 'DG-2026-TAKEN' }, 409, ['code:CODE_TAKEN']],
      ['a code with spaces', { code: 'DG 2026' }, 400, ['code:INVALID_CODE']],
      ['a year too early', { year: 1999 }, 400, ['year:MINIMUM']],
      ['a year too late', { year: 2101 }, 400, ['year:MAXIMUM']],
      ['a year as text', { year: '2026' }, 400, ['year:TYPE']],
      ['a budget as text', { body: { ...body, budgetYuan: '二十万' } }, 400, ['body.budgetYuan:TYPE']],
      ['towns as text', { body: { ...body, towns: CHANGAN } }, 400, ['body.towns:TYPE']],
      ['units of a fraction', withCategory({ testUnits: 1.5 }), 400, ['body.categories.0.testUnits:TYPE']],
      ['no test unit', withCategory({ testUnits: 0 }), 400, ['body.categories.0.testUnits:MINIMUM']],
      ['a blank title', { title: '' }, 400, ['title:MINLENGTH']],
      ['a huge title', { title: '标'.repeat(201) }, 400, ['title:MAXLENGTH']],
      [
        'a huge legal basis',
        { body: { ...body, legalBasis: '依'.repeat(1001) } },
        400,
        ['body.legalBasis:MAXLENGTH'],
      ],
      [
        'a huge check item',
        withCategory({ checkItems: [{ ...cat.checkItems[0]!, requirement: 'x'.repeat(501) }] }),
        400,
        ['body.categories.0.checkItems.0.requirement:MAXLENGTH'],
      ],
      [
        'too many check items',
        withCategory({
          checkItems: Array.from({ length: 101 }, (_, i) => ({ ...cat.checkItems[0]!, key: `k${i}` })),
        }),
        400,
        ['body.categories.0.checkItems:MAXITEMS'],
      ],
      ['a control character', { title: '抽查\u0000计划' }, 400, ['title:CONTROL_CHARACTER']],
      ['an extra property', { owner: 'me' }, 400, ['owner:ADDITIONALPROPERTIES']],
      [
        'an extra property in the body',
        { body: { ...body, secret: true } },
        400,
        ['body.secret:ADDITIONALPROPERTIES'],
      ],
      [
        'an extra property in a check item',
        withCategory({ checkItems: [{ ...cat.checkItems[0]!, colour: 'red' }] }),
        400,
        ['body.categories.0.checkItems.0.colour:ADDITIONALPROPERTIES'],
      ],
    ];
    for (const [what, over, status, expected] of cases) {
      const res = await t.call('reg', 'POST', PLANS, { ...newPlan('DG-2026-BAD'), ...over });
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
      const problem = res.json();
      expect(fieldCodes(res), what).toEqual(expect.arrayContaining(expected));
      for (const f of problem.fields) {
        expect(f.message.zh, what).toMatch(/\S/);
        expect(f.message.en, what).toMatch(/\S/);
      }
    }
    // every missing field is named
    for (const key of ['code', 'year', 'title', 'kind', 'level', 'body'] as const) {
      const { [key]: _gone, ...rest } = newPlan('DG-2026-BAD');
      const res = await t.call('reg', 'POST', PLANS, rest);
      expect(res.statusCode, key).toBe(400);
      expect(fieldCodes(res), key).toContain(`${key}:REQUIRED`);
    }
    for (const key of ['legalBasis', 'towns', 'townQuotas', 'budgetYuan', 'categories'] as const) {
      const { [key]: _gone, ...rest } = body;
      const res = await t.call('reg', 'POST', PLANS, { ...newPlan('DG-2026-BAD'), body: rest });
      expect(fieldCodes(res), key).toContain(`body.${key}:REQUIRED`);
    }
    // several mistakes at once are all named
    const many = await t.call('reg', 'POST', PLANS, {
      ...newPlan('DG-2026-BAD'),
      body: { ...body, towns: ['441900999'], categories: [{ ...cat, code: '9999' }] },
    });
    expect(fieldCodes(many)).toEqual([
      'body.categories.0.code:UNKNOWN_CATEGORY',
      'body.towns.0:UNKNOWN_TOWN',
    ]);
    // no body, not JSON, far too large
    expect(fieldCodes(await t.call('reg', 'POST', PLANS))).toEqual(['body:TYPE']);
    const notJson = await t.app.inject({
      method: 'POST',
      url: PLANS,
      payload: '{"code":',
      headers: {
        'content-type': 'application/json',
        cookie: t.sessions.reg!.cookie,
        'x-csrf-token': t.sessions.reg!.csrf,
      },
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().code).toBe('MALFORMED_JSON');
    const huge = await t.call('reg', 'POST', PLANS, {
      ...newPlan('DG-2026-BAD'),
      body: { ...body, legalBasis: '依'.repeat(600_000) },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('PAYLOAD_TOO_LARGE');

    expect(await count('sampling_plans')).toBe(plans);
    expect(await count('audit_log')).toBe(audits);

    // the same checks guard an edit, which leaves the draft as it was
    const draft = (await t.call('reg', 'POST', PLANS, newPlan('DG-2026-CZ-03'))).json();
    const badEdit = await t.call('reg', 'PUT', `${PLANS}/${draft.id}`, {
      title: '新名称',
      kind: 'routine',
      level: 'city',
      year: 1999,
      body: { ...body, categories: [{ ...cat, labEnterpriseId: makers[1]!.id }] },
    });
    expect(badEdit.statusCode).toBe(400);
    expect(fieldCodes(badEdit)).toEqual(['year:MINIMUM']);
    const badEdit2 = await t.call('reg', 'PUT', `${PLANS}/${draft.id}`, {
      title: '新名称',
      kind: 'routine',
      level: 'city',
      body: { ...body, categories: [{ ...cat, labEnterpriseId: makers[1]!.id }] },
    });
    expect(fieldCodes(badEdit2)).toEqual(['body.categories.0.labEnterpriseId:NOT_A_LAB']);
    const kept = (await t.call('reg', 'GET', `${PLANS}/${draft.id}`)).json();
    expect(kept).toMatchObject({ title: draft.title, updatedAt: draft.updatedAt, body: draft.body });

    // a draft may be incomplete; publication asks for what a draw and a lab need
    const bare = (
      await t.call('reg', 'POST', PLANS, {
        ...newPlan('DG-2026-CZ-04'),
        body: { ...body, legalBasis: '', categories: [{ ...cat, labEnterpriseId: '', checkItems: [] }] },
      })
    ).json();
    const early = await t.call('reg', 'POST', `${PLANS}/${bare.id}/publish`);
    expect(early.statusCode).toBe(400);
    expect(fieldCodes(early)).toEqual([
      'body.categories.0.checkItems:REQUIRED',
      'body.categories.0.labEnterpriseId:REQUIRED',
      'body.legalBasis:REQUIRED',
    ]);
    const empty = (
      await t.call('reg', 'POST', PLANS, { ...newPlan('DG-2026-CZ-05'), body: { ...body, categories: [] } })
    ).json();
    expect(fieldCodes(await t.call('reg', 'POST', `${PLANS}/${empty.id}/publish`))).toEqual([
      'body.categories:REQUIRED',
    ]);
    expect((await t.call('reg', 'GET', `${PLANS}/${bare.id}`)).json().state).toBe('draft');

    // no such plan
    const none = '01900000-0000-7000-8000-000000000000';
    expect((await t.call('reg', 'GET', `${PLANS}/${none}`)).statusCode).toBe(404);
    expect((await t.call('reg', 'POST', `${PLANS}/${none}/publish`)).statusCode).toBe(404);
    expect((await t.call('reg', 'POST', `${PLANS}/${none}/amend`, { amendmentNote: 'x' })).statusCode).toBe(
      404,
    );
    expect((await t.call('reg', 'DELETE', `${PLANS}/${none}`)).statusCode).toBe(404);
    expect((await t.call('reg', 'GET', `${PLANS}/${none}/draw`)).statusCode).toBe(404);
    expect(fieldCodes(await t.call('reg', 'GET', `${PLANS}/${'x'.repeat(41)}`))).toEqual(['id:MAXLENGTH']);
    expect(fieldCodes(await t.call('reg', 'GET', `${PLANS}?year=soon`))).toEqual(['year:TYPE']);
  });

  it('creates a plan once when the same code is sent twice at the same moment', async () => {
    const plans = await count('sampling_plans');
    const both = await Promise.all([
      t.call('reg', 'POST', PLANS, newPlan('DG-2026-TWICE')),
      t.call('reg', 'POST', PLANS, newPlan('DG-2026-TWICE')),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(await count('sampling_plans')).toBe(plans + 1);
    const v1 = both.find((r) => r.statusCode === 201)!.json();
    await t.call('reg', 'POST', `${PLANS}/${v1.id}/publish`);
    const amends = await Promise.all([
      t.call('reg', 'POST', `${PLANS}/${v1.id}/amend`, { amendmentNote: '甲' }),
      t.call('reg', 'POST', `${PLANS}/${v1.id}/amend`, { amendmentNote: '乙' }),
    ]);
    expect(amends.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  it('keeps each role to what it may do, and the drawn list from those who do not draw or plan', async () => {
    // only planners write plans
    for (const who of ['town', 'ent', 'labuser'])
      expect((await t.call(who, 'POST', PLANS, newPlan('DG-2026-ROLE'))).statusCode, who).toBe(403);
    const draft = (await t.call('reg', 'POST', PLANS, newPlan('DG-2026-CZ-06'))).json();
    for (const who of ['town', 'ent', 'labuser']) {
      expect((await t.call(who, 'POST', `${PLANS}/${draft.id}/publish`)).statusCode, who).toBe(403);
      expect((await t.call(who, 'DELETE', `${PLANS}/${draft.id}`)).statusCode, who).toBe(403);
    }
    const forbidden = await t.call('town', 'POST', PLANS, newPlan('DG-2026-ROLE'));
    expect(forbidden.json()).toMatchObject({ code: 'FORBIDDEN', status: 403 });

    await registerInspectors(t, 'reg', ['insp1', 'insp2'], CHANGAN);
    const { plan, tasks } = await drawnPlan(t, 'reg', {
      code: 'DG-2026-CZ-07',
      category: '0102',
      labId: lab.id,
      referred: makers.map((m) => m.uscc),
    });
    expect(tasks).toHaveLength(3);
    // only those who draw do: a town officer neither previews nor draws
    const other = (await t.call('reg', 'POST', PLANS, newPlan('DG-2026-CZ-08'))).json();
    await t.call('reg', 'POST', `${PLANS}/${other.id}/publish`);
    for (const who of ['town', 'insp1', 'ent', 'labuser']) {
      expect((await t.call(who, 'GET', `${PLANS}/${other.id}/draw/preview?seed=3`)).statusCode, who).toBe(
        403,
      );
      expect((await t.call(who, 'POST', `${PLANS}/${other.id}/draw`, { seed: 3 })).statusCode, who).toBe(403);
      expect((await t.call(who, 'POST', `${PLANS}/${plan.id}/draw/verify`)).statusCode, who).toBe(403);
    }
    expect((await t.call('reg', 'GET', `${PLANS}/${other.id}`)).json().draw).toBeNull();

    // the stored draw names the enterprises: for those who draw or plan only
    for (const who of ['reg', 'admin']) {
      const res = await t.call(who, 'GET', `${PLANS}/${plan.id}/draw`);
      expect(res.statusCode, who).toBe(200);
      expect(
        res
          .json()
          .items.map((i: { uscc: string }) => i.uscc)
          .sort(),
      ).toEqual(makers.map((m) => m.uscc).sort());
    }
    for (const who of ['town', 'insp1', 'humen', 'ent', 'outsider', 'labuser']) {
      const res = await t.call(who, 'GET', `${PLANS}/${plan.id}/draw`);
      expect(res.statusCode, who).toBe(403);
      for (const m of makers) expect(res.body, who).not.toContain(m.uscc);
    }
    // the plan itself says that it was drawn, not whom
    const seen = await t.call('labuser', 'GET', `${PLANS}/${plan.id}`);
    expect(seen.json().draw).toMatchObject({ seed: 7 });
    for (const m of makers) expect(seen.body).not.toContain(m.uscc);

    // tasks: officials of the town see them; another town, a lab and other enterprises see none
    const list = async (who: string) =>
      (await t.call(who, 'GET', `/api/v1/sampling/tasks?planId=${plan.id}`)).json() as {
        total: number;
        items: { id: string; enterprise: { uscc: string } }[];
      };
    expect((await list('town')).total).toBe(3);
    expect((await list('insp1')).total).toBe(3);
    expect((await t.call('insp1', 'GET', '/api/v1/sampling/tasks?mine=true')).json().total).toBe(3);
    expect((await list('humen')).total).toBe(0);
    expect((await list('labuser')).total).toBe(0);
    expect((await list('outsider')).total).toBe(0);
    const own = tasks.find((x) => x.enterprise.uscc === makers[0]!.uscc)!;
    const others = tasks.filter((x) => x !== own);
    for (const who of ['humen', 'labuser', 'outsider', 'ent'])
      for (const task of others)
        expect((await t.call(who, 'GET', `/api/v1/sampling/tasks/${task.id}`)).statusCode, who).toBe(404);
    // the drawn enterprise itself learns of its task when the inspectors arrive, not before
    expect((await list('ent')).total).toBe(0);
    expect((await t.call('ent', 'GET', `/api/v1/sampling/tasks/${own.id}`)).statusCode).toBe(404);
    const inspector = own.inspectors.some((i) => i.displayName === 'insp1') ? 'insp1' : 'insp2';
    const sampled = await t.call(
      inspector,
      'POST',
      `/api/v1/sampling/tasks/${own.id}/sample`,
      sampleRecord(),
    );
    expect(sampled.statusCode, sampled.body).toBe(201);
    const mine = await list('ent');
    expect(mine.total).toBe(1);
    expect(mine.items.map((i) => i.enterprise.uscc)).toEqual([makers[0]!.uscc]);
    const detail = await t.call('ent', 'GET', `/api/v1/sampling/tasks/${own.id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().inspectors).toEqual([]);
    expect(detail.json().sample.confirmation).toBeNull();
    // the draw record stays with the planners even now
    expect((await t.call('ent', 'GET', `${PLANS}/${plan.id}/draw`)).statusCode).toBe(403);
  });
});
