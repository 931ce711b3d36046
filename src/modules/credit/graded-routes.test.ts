// "Which enterprises are D?" on every dialect: the graded list filters by grade, score range, town,
// industry and name as an official expects, lowest score first with the filter's total; the CSV
// holds the same rows under the screen's headers; a town officer sees the own town only; an
// enterprise user gets no list; a bad filter is a 400 naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { testApp } from '../../testing/http.js';
import { createEnterprise } from '../registry/enterprises.js';

const CHANGAN = '441900119';
const OTHER = '441900003';

describe.each(DIALECTS)('enterprises by grade on %s', (dialect) => {
  let rt: Runtime;
  let t: Awaited<ReturnType<typeof testApp>>;
  const clock = offsetClock('2026-03-02T02:00:00Z');
  const twice = buildEnterprise({ townCode: CHANGAN, name: '东莞市长安两次不合格电器有限公司' });
  const once = buildEnterprise({ townCode: OTHER, name: '东莞市一次不合格五金有限公司' });
  const clean = buildEnterprise({ townCode: CHANGAN, name: '东莞市长安守信塑胶有限公司' });

  const fail = async (uscc: string, no: string) => {
    const res = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${uscc}/records`, {
      type: 'sampling.sample.failed',
      occurredOn: '2026-02-27',
      details: { severity: 'critical', sampleNo: no },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().grade as { grade: string; score: number };
  };
  let gradeOf: Record<string, { grade: string; score: number }>;

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    for (const e of [twice, once, clean]) await createEnterprise(rt, systemActor('test'), e);
    t = await testApp(rt, [
      { username: 'reg', role: 'regulator' },
      { username: 'town', role: 'townOfficer', townCode: CHANGAN },
      { username: 'ent', role: 'enterprise', enterpriseUscc: clean.uscc },
    ]);
    await fail(twice.uscc, 'T-1');
    const second = await fail(twice.uscc, 'T-2');
    const first = await fail(once.uscc, 'O-1');
    // the clean one gets its grade row by a record that costs nothing: reversed at once
    const r = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${clean.uscc}/records`, {
      type: 'sampling.sample.failed',
      occurredOn: '2026-02-27',
      details: { severity: 'critical', sampleNo: 'C-1' },
    });
    const back = await t.call('reg', 'POST', `/api/v1/credit/records/${r.json().record.id}/reversal`, {
      reasons: '录入错误',
    });
    expect(back.statusCode, back.body).toBe(201);
    gradeOf = { [twice.uscc]: second, [once.uscc]: first, [clean.uscc]: back.json().grade };
  });
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  const list = async (who: string, query = '') => {
    const res = await t.call(who, 'GET', `/api/v1/credit/graded${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as {
      items: { uscc: string; grade: string; score: number; townName: string }[];
      total: number;
    };
  };

  it('lists every graded enterprise lowest score first, and each grade alone', async () => {
    const all = await list('reg');
    expect(all.items.map((i) => i.uscc)).toEqual([twice.uscc, once.uscc, clean.uscc]);
    expect(all.items.map((i) => i.score)).toEqual([
      gradeOf[twice.uscc]!.score,
      gradeOf[once.uscc]!.score,
      gradeOf[clean.uscc]!.score,
    ]);
    expect(all.total).toBe(3);
    expect(all.items[0]).toMatchObject({ grade: gradeOf[twice.uscc]!.grade, townName: '长安镇' });
    const worst = gradeOf[twice.uscc]!.grade;
    const ofWorst = await list('reg', `?grade=${worst}`);
    expect(ofWorst.items.every((i) => i.grade === worst)).toBe(true);
    expect(ofWorst.items.map((i) => i.uscc)).toContain(twice.uscc);
    expect((await list('reg', '?grade=A')).total).toBe(0);
    const two = await list('reg', `?grade=${[...new Set([worst, gradeOf[clean.uscc]!.grade])].join(',')}`);
    expect(two.items.map((i) => i.uscc)).toContain(clean.uscc);
  });

  it('narrows by score range, town, industry and name, and pages with the total', async () => {
    const s = gradeOf[once.uscc]!.score;
    expect((await list('reg', `?minScore=${s}&maxScore=${s}`)).items.map((i) => i.uscc)).toEqual([once.uscc]);
    expect((await list('reg', `?townCode=${CHANGAN}`)).items.map((i) => i.uscc)).toEqual([
      twice.uscc,
      clean.uscc,
    ]);
    expect((await list('reg', `?q=${encodeURIComponent('守信塑胶')}`)).items.map((i) => i.uscc)).toEqual([
      clean.uscc,
    ]);
    expect((await list('reg', `?q=${clean.uscc.slice(0, 12)}`)).items.map((i) => i.uscc)).toContain(
      clean.uscc,
    );
    const page2 = await list('reg', '?pageSize=2&page=2');
    expect(page2).toMatchObject({ total: 3, items: [expect.objectContaining({ uscc: clean.uscc })] });
    const section = await rt.db
      .selectFrom('industries')
      .select('section')
      .where('code', '=', twice.industryCode!)
      .executeTakeFirst();
    if (section?.section)
      expect((await list('reg', `?industry=${section.section}`)).items.map((i) => i.uscc)).toContain(
        twice.uscc,
      );
  });

  it('exports the same rows under the headers on screen', async () => {
    const res = await t.call('reg', 'GET', `/api/v1/credit/graded/export?townCode=${CHANGAN}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('\uFEFF统一社会信用代码,企业名称,镇街,行业代码,信用等级,信用分,评定日期');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([twice.uscc, clean.uscc]);
    expect(lines[1]).toContain(`,${gradeOf[twice.uscc]!.score},`);
  });

  it('keeps a town officer to the own town and gives an enterprise user no list', async () => {
    expect((await list('town')).items.map((i) => i.uscc)).toEqual([twice.uscc, clean.uscc]);
    expect((await t.call('town', 'GET', `/api/v1/credit/graded?townCode=${OTHER}`)).statusCode).toBe(403);
    expect((await t.call('town', 'GET', `/api/v1/credit/graded/export?townCode=${OTHER}`)).statusCode).toBe(
      403,
    );
    expect((await t.call('ent', 'GET', '/api/v1/credit/graded')).statusCode).toBe(403);
  });

  it('answers a bad filter with a 400 naming the field', async () => {
    for (const [q, field] of [
      ['?grade=E', 'grade'],
      ['?minScore=90&maxScore=10', 'maxScore'],
      ['?industry=中', 'industry'],
      ['?pageSize=100000', 'pageSize'],
    ] as const) {
      const res = await t.call('reg', 'GET', `/api/v1/credit/graded${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(JSON.stringify(res.json().fields ?? res.json()), q).toContain(field);
    }
  });
});
