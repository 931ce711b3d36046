// Sampling statistics through the HTTP API on every dialect, over plans, tasks and samples written
// straight into the tables: the rates a user reads by year, town, category and industry, the
// manufacturing indicator, the grade share, a town officer's scope, bad queries, and the workbook.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { testApp } from '../../testing/http.js';
import { makeUscc } from '../registry/uscc.js';
import { samplingStatsRoutes } from './stats-routes.js';

const CHANGAN = '441900119'; // 长安镇
const DONGCHENG = '441900003'; // 东城街道
const AT = '2026-03-02T02:00:00.000Z';

let serial = 0;
async function addEnterprise(rt: Runtime, townCode: string, industryCode: string | null) {
  serial++;
  const id = newId();
  const uscc = makeUscc({
    authority: '9',
    entityType: '1',
    division: '441900',
    orgCodeBody8: `TJ${String(serial).padStart(6, '0')}`,
  });
  await rt.db
    .insertInto('enterprises')
    .values({
      id,
      uscc,
      name: `东莞市统计测试${serial}号有限公司`,
      legal_representative: null,
      registered_address: null,
      town_code: townCode,
      industry_code: industryCode,
      registered_on: null,
      status: 'operating',
      scale: 'small',
      tags: '[]',
      created_at: AT,
      updated_at: AT,
      version: 1,
    })
    .execute();
  return { id, uscc, townCode, industryCode };
}

type Maker = Awaited<ReturnType<typeof addEnterprise>>;

/** Writes `pass` passing and `fail` failing samples (or `pending` without a verdict) of one maker. */
async function addSamples(
  rt: Runtime,
  lab: Maker,
  o: {
    year: number;
    maker: Maker;
    category: string;
    pass?: number;
    fail?: number;
    pending?: number;
    grade: string | null;
    state?: 'reported' | 'final';
  },
) {
  const planId = newId();
  await rt.db
    .insertInto('sampling_plans')
    .values({
      id: planId,
      code: `DG-${o.year}-${planId.slice(-8)}`,
      version: 1,
      supersedes_id: null,
      year: o.year,
      title: `${o.year}年监督抽查`,
      kind: 'routine',
      level: 'city',
      state: 'published',
      body: '{}',
      created_at: AT,
      created_by: 'test',
      updated_at: AT,
      published_at: AT,
      published_by: 'test',
    })
    .execute();
  const verdicts = [
    ...Array<string>(o.pass ?? 0).fill('pass'),
    ...Array<string>(o.fail ?? 0).fill('fail'),
    ...Array<null>(o.pending ?? 0).fill(null),
  ];
  for (const verdict of verdicts) {
    const taskId = newId();
    serial++;
    await rt.db
      .insertInto('sampling_tasks')
      .values({
        id: taskId,
        task_no: `T${serial}`,
        plan_id: planId,
        draw_id: null,
        enterprise_id: o.maker.id,
        category_code: o.category,
        town_code: o.maker.townCode,
        reason: 'stratum',
        inspectors: '[]',
        state: verdict ? 'tested' : 'sentToLab',
        refusal: null,
        year: o.year,
        created_at: AT,
        updated_at: AT,
      })
      .execute();
    await rt.db
      .insertInto('sampling_samples')
      .values({
        id: newId(),
        sample_no: `S${serial}`,
        task_id: taskId,
        plan_id: planId,
        enterprise_id: o.maker.id,
        category_code: o.category,
        town_code: o.maker.townCode,
        industry_code: o.maker.industryCode,
        year: o.year,
        product_name: '产品',
        trademark: '商标',
        model: 'M1',
        standard_code: 'GB 1',
        batch: 'B1',
        production_date: null,
        test_units: 2,
        backup_units: 2,
        place: 'factory',
        sampled_on: `${o.year}-05-10`,
        grade_when_drawn: o.grade,
        details: '{}',
        lab_enterprise_id: lab.id,
        state: verdict ? (o.state ?? 'reported') : 'sentToLab',
        verdict,
        severity: verdict === 'fail' ? 'major' : null,
        reported_on: verdict ? `${o.year}-06-10` : null,
        failed_event_id: null,
        created_at: AT,
        updated_at: AT,
      })
      .execute();
  }
}

describe.each(DIALECTS)('sampling statistics on %s', (dialect) => {
  let rt: Runtime;
  let t: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    rt = await testContext(dialect, { clock: fixedClock(AT) }); // 2026: complete years end with 2025
    const lab = await addEnterprise(rt, DONGCHENG, '74');
    const a = await addEnterprise(rt, CHANGAN, '38'); // manufacturing (C)
    const b = await addEnterprise(rt, DONGCHENG, '38'); // manufacturing (C)
    const f = await addEnterprise(rt, CHANGAN, '51'); // wholesale (F)
    const n = await addEnterprise(rt, DONGCHENG, null); // no industry in the register
    const add = (o: Parameters<typeof addSamples>[2]) => addSamples(rt, lab, o);
    await add({ year: 2023, maker: a, category: '0101', pass: 12, fail: 1, grade: 'B', state: 'final' });
    await add({ year: 2023, maker: b, category: '0201', pass: 7, grade: 'A', state: 'final' });
    await add({ year: 2024, maker: a, category: '0101', pass: 20, grade: 'B', state: 'final' });
    await add({ year: 2024, maker: b, category: '0201', pass: 19, fail: 1, grade: 'C', state: 'final' });
    await add({ year: 2025, maker: a, category: '0101', pass: 9, fail: 1, grade: 'C' });
    await add({ year: 2025, maker: b, category: '0201', pass: 10, grade: 'A' });
    await add({ year: 2025, maker: f, category: '0101', pass: 3, fail: 3, grade: 'D' });
    await add({ year: 2025, maker: n, category: '0201', pass: 4, grade: null });
    await add({ year: 2026, maker: a, category: '0101', pass: 4, fail: 1, pending: 1, grade: 'B' });
    t = await testApp(
      rt,
      [
        { username: 'reg', role: 'regulator' },
        { username: 'town', role: 'townOfficer', townCode: CHANGAN },
        { username: 'lab', role: 'lab', enterpriseUscc: lab.uscc },
      ],
      {
        // The module registers these routes; until it does, the test does.
        configure: (app) => {
          if (!app.hasRoute({ method: 'GET', url: '/api/v1/sampling/stats' }))
            void samplingStatsRoutes(app, rt);
        },
      },
    );
  });
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  const stats = async (who: string, query = '') => {
    const res = await t.call(who, 'GET', `/api/v1/sampling/stats${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('gives the city pass rates by year, town, category and industry, counting samples with a verdict', async () => {
    const s = await stats('reg');
    expect(s).toMatchObject({ from: 2023, to: 2026, years: [2023, 2024, 2025, 2026], town: null });
    // the sample still at the lab (2026) is not counted
    expect(s.total).toEqual({ samples: 95, passed: 88, failed: 7, rate: 88 / 95 });
    expect(s.byYear).toEqual([
      { year: 2023, samples: 20, passed: 19, failed: 1, rate: 0.95 },
      { year: 2024, samples: 40, passed: 39, failed: 1, rate: 0.975 },
      { year: 2025, samples: 30, passed: 26, failed: 4, rate: 26 / 30 },
      { year: 2026, samples: 5, passed: 4, failed: 1, rate: 0.8 },
    ]);
    expect(
      s.byTown.map((r: { name: string; samples: number; passed: number }) => [r.name, r.samples, r.passed]),
    ).toEqual([
      ['东城街道', 41, 40],
      ['长安镇', 54, 48],
    ]);
    const changan = s.byTown.find((r: { code: string }) => r.code === CHANGAN);
    expect(changan.trend).toEqual([
      { year: 2023, samples: 13, rate: 12 / 13 },
      { year: 2024, samples: 20, rate: 1 },
      { year: 2025, samples: 16, rate: 0.75 },
      { year: 2026, samples: 5, rate: 0.8 },
    ]);
    expect(s.byCategory).toEqual([
      expect.objectContaining({ code: '0101', name: '电线电缆', samples: 54, passed: 48 }),
      expect.objectContaining({ code: '0201', name: '儿童玩具', samples: 41, passed: 40 }),
    ]);
    expect(s.byIndustry).toEqual([
      expect.objectContaining({
        section: 'C',
        name: '制造业',
        samples: 85,
        passed: 81,
        divisions: [
          expect.objectContaining({ code: '38', name: '电气机械和器材制造业', samples: 85, passed: 81 }),
        ],
      }),
      expect.objectContaining({ section: 'F', samples: 6, passed: 3, rate: 0.5 }),
      expect.objectContaining({ section: null, name: '未登记行业', samples: 4, passed: 4, divisions: [] }),
    ]);
    expect(s.cross).toContainEqual({
      year: 2025,
      townCode: CHANGAN,
      categoryCode: '0101',
      samples: 16,
      passed: 12,
      failed: 4,
      rate: 0.75,
    });
    expect(s.cross).toHaveLength(7);
  });

  it('says whether manufacturing passed 95 % in each of the last three complete years', async () => {
    const s = await stats('reg');
    expect(s.indicator).toMatchObject({ section: 'C', name: '制造业', threshold: 0.95, met: true });
    expect(s.indicator.years).toEqual([
      { year: 2023, samples: 20, passed: 19, rate: 0.95, met: true },
      { year: 2024, samples: 40, passed: 39, rate: 0.975, met: true },
      { year: 2025, samples: 20, passed: 19, rate: 0.95, met: true },
    ]);
    // Looking back from 2024: 2022 had no samples, so three years running cannot be claimed.
    const back = await stats('reg', '?from=2022&to=2024');
    expect(back.indicator.years.map((y: { year: number }) => y.year)).toEqual([2022, 2023, 2024]);
    expect(back.indicator.met).toBe(false);
  });

  it('shares the samples of each year among the grades the draw saw', async () => {
    const s = await stats('reg');
    const y2025 = s.gradeShare.find((g: { year: number }) => g.year === 2025);
    expect(y2025.samples).toBe(30);
    expect(y2025.grades).toEqual([
      { grade: 'A', samples: 10, share: 10 / 30, passed: 10, rate: 1 },
      { grade: 'B', samples: 0, share: 0, passed: 0, rate: null },
      { grade: 'C', samples: 10, share: 10 / 30, passed: 9, rate: 0.9 },
      { grade: 'D', samples: 6, share: 6 / 30, passed: 3, rate: 0.5 },
      { grade: null, samples: 4, share: 4 / 30, passed: 4, rate: 1 },
    ]);
  });

  it('filters by year range, town and category (a category group counts the categories under it)', async () => {
    const s = await stats('reg', `?from=2024&to=2025&town=${DONGCHENG}`);
    expect(s.town).toEqual({ code: DONGCHENG, name: '东城街道', nameEn: expect.any(String) });
    expect(s.total).toMatchObject({ samples: 34, passed: 33 });
    expect(s.byTown.map((r: { code: string }) => r.code)).toEqual([DONGCHENG]);
    const group = await stats('reg', '?category=01');
    expect(group.category).toMatchObject({ code: '01', name: '电子电器产品' });
    expect(group.total).toMatchObject({ samples: 54, passed: 48 });
    expect(group.byCategory.map((r: { code: string }) => r.code)).toEqual(['0101']);
  });

  it('shows a town officer their own town only, and refuses another town', async () => {
    const s = await stats('town');
    expect(s.town).toMatchObject({ code: CHANGAN, name: '长安镇' });
    expect(s.total).toMatchObject({ samples: 54, passed: 48 });
    expect(s.byTown.map((r: { code: string }) => r.code)).toEqual([CHANGAN]);
    // manufacturing in 长安 was 12/13 in 2023: the town misses the mark
    expect(s.indicator.years[0]).toMatchObject({ year: 2023, samples: 13, passed: 12 });
    expect(s.indicator.met).toBe(false);
    const other = await t.call('town', 'GET', `/api/v1/sampling/stats?town=${DONGCHENG}`);
    expect(other.statusCode).toBe(403);
    expect(other.json().fields[0]).toMatchObject({ field: 'town' });
    expect((await t.call('town', 'GET', '/api/v1/sampling/stats.xlsx?town=441900003')).statusCode).toBe(403);
    expect((await t.call('lab', 'GET', '/api/v1/sampling/stats')).statusCode).toBe(403);
  });

  it.each([
    ['?from=2026&to=2023', 'from', 'FROM_AFTER_TO'],
    ['?from=1999', 'from', undefined],
    ['?to=2101', 'to', undefined],
    ['?from=abc', 'from', undefined],
    ['?town=999999999', 'town', 'UNKNOWN_TOWN'],
    ['?category=9999', 'category', 'UNKNOWN_CATEGORY'],
    ['?colour=red', 'colour', undefined],
  ])('refuses %s with a problem naming the field', async (query, field, code) => {
    for (const path of ['/api/v1/sampling/stats', '/api/v1/sampling/stats.xlsx']) {
      const res = await t.call('reg', 'GET', `${path}${query}`);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const f = res.json().fields[0];
      expect(f.field).toBe(field);
      if (code) expect(f.code).toBe(code);
    }
  });

  it('exports the same figures as a workbook, a sheet per view, rates as percentages', async () => {
    const res = await t.call('reg', 'GET', '/api/v1/sampling/stats.xlsx');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain('sampling-stats-2023-2026.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name).slice(0, 5)).toEqual([
      '按年度',
      '按镇街',
      '按产品类别',
      '按行业',
      '镇街×类别×年度',
    ]);
    const byYear = wb.getWorksheet('按年度')!;
    expect(byYear.getRow(1).values).toEqual([undefined, '年度', '样品数', '合格数', '不合格数', '合格率']);
    const y2024 = byYear.getRow(3);
    expect([y2024.getCell(1).value, y2024.getCell(2).value, y2024.getCell(5).value]).toEqual([
      2024, 40, 0.975,
    ]);
    expect(y2024.getCell(5).numFmt).toBe('0.00%');
    const towns = wb.getWorksheet('按镇街')!;
    expect(towns.getRow(3).values).toEqual(expect.arrayContaining([CHANGAN, '长安镇', 54, 48, 6, 48 / 54]));
    expect(towns.getRow(1).getCell(7).value).toBe('2023年合格率');
    const cross = wb.getWorksheet('镇街×类别×年度')!;
    expect(cross.rowCount).toBe(1 + 7);
    const indicator = wb.getWorksheet('制造业合格率指标')!;
    expect(indicator.getRow(5).getCell(5).value).toBe('是');
  });

  it('writes a name Excel would run as a formula as plain text', async () => {
    await rt.db
      .updateTable('product_categories')
      .set({ name: '=HYPERLINK("x")' })
      .where('code', '=', '0201')
      .execute();
    const res = await t.call('reg', 'GET', '/api/v1/sampling/stats.xlsx?category=0201');
    expect(res.statusCode, res.body).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const cell = wb.getWorksheet('按产品类别')!.getRow(2).getCell(2);
    expect(cell.value).toBe(`'=HYPERLINK("x")`);
    expect(cell.formula).toBeUndefined();
  });
});
