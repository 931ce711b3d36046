// The sampling loop through the HTTP API on every dialect: a plan is drafted and published, drawn
// by grade with two inspectors per task, sampled on site, tested by its lab; a failure becomes a
// credit record at once and opens its case; the portal bulletin shows it without personal data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { testApp } from '../../testing/http.js';
import { CHANGAN, makeLab, makeMakers, planBody } from './testing.js';

describe.each(DIALECTS)('sampling walk on %s', (dialect) => {
  let rt: Runtime;
  let t: Awaited<ReturnType<typeof testApp>>;
  const clock = offsetClock('2026-03-02T02:00:00Z');
  let lab: Awaited<ReturnType<typeof makeLab>>;
  let makers: Awaited<ReturnType<typeof makeMakers>>;

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    lab = await makeLab(rt);
    makers = await makeMakers(rt, 8, '0101');
    t = await testApp(rt, [
      { username: 'reg', role: 'regulator' },
      { username: 'insp1', role: 'townOfficer', townCode: CHANGAN },
      { username: 'insp2', role: 'townOfficer', townCode: CHANGAN },
      { username: 'insp3', role: 'regulator' },
      { username: 'labuser', role: 'lab', enterpriseUscc: lab.uscc },
      { username: 'ent', role: 'enterprise', enterpriseUscc: makers[0]!.uscc },
    ]);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  it('walks plan → draw → sample → result → credit record, case and bulletin', async () => {
    const users = (await t.call('reg', 'GET', '/api/v1/sampling/candidates')).json().items as {
      id: string;
      username: string;
    }[];
    for (const u of users)
      expect(
        (
          await t.call('reg', 'PUT', `/api/v1/sampling/inspectors/${u.id}`, {
            townCode: null,
            active: true,
            conflicts: [],
          })
        ).statusCode,
      ).toBe(200);
    const created = await t.call('reg', 'POST', '/api/v1/sampling/plans', {
      code: 'DG-2026-CC-01',
      year: 2026,
      title: '2026年电线电缆产品质量监督抽查',
      kind: 'routine',
      level: 'city',
      body: planBody('0101', lab.id),
    });
    expect(created.statusCode, created.body).toBe(201);
    const plan = created.json();
    const pub = await t.call('reg', 'POST', `/api/v1/sampling/plans/${plan.id}/publish`);
    expect(pub.statusCode, pub.body).toBe(200);
    const edit = await t.call('reg', 'PUT', `/api/v1/sampling/plans/${plan.id}`, {
      title: 'x',
      kind: 'routine',
      level: 'city',
      body: planBody('0101', lab.id),
    });
    expect(edit.statusCode).toBe(409);

    const preview = await t.call('reg', 'GET', `/api/v1/sampling/plans/${plan.id}/draw/preview?seed=7`);
    expect(preview.statusCode, preview.body).toBe(200);
    const p = preview.json();
    expect(p.poolSize).toBe(8);
    expect(p.strata.find((s: { grade: string }) => s.grade === 'B')).toMatchObject({
      population: 8,
      drawn: 1,
      ratio: 0.05,
    });
    const drawn = await t.call('reg', 'POST', `/api/v1/sampling/plans/${plan.id}/draw`, { seed: 7 });
    expect(drawn.statusCode, drawn.body).toBe(201);
    expect(drawn.json().items).toEqual(p.items);
    expect(drawn.json().items[0].inspectors).toHaveLength(2);
    const verify = await t.call('reg', 'POST', `/api/v1/sampling/plans/${plan.id}/draw/verify`);
    expect(verify.json()).toEqual({ identical: true, differences: [] });
    const again = await t.call('reg', 'POST', `/api/v1/sampling/plans/${plan.id}/draw`, { seed: 8 });
    expect(again.statusCode).toBe(409);

    // the public record of the draw hides the enterprise until the task is sampled
    const publicDraw = (await t.app.inject({ url: `/api/v1/public/sampling/draws/${plan.id}` })).json();
    expect(publicDraw).toMatchObject({ seed: 7, drawn: 1, disclosed: false, items: [] });

    const tasks = (await t.call('reg', 'GET', `/api/v1/sampling/tasks?planId=${plan.id}`)).json();
    expect(tasks.total).toBe(1);
    const task = tasks.items[0];
    const inspector = users.find((u) => u.id === task.inspectors[0].id)!.username;
    const sample = await t.call(inspector, 'POST', `/api/v1/sampling/tasks/${task.id}/sample`, {
      productName: '聚氯乙烯绝缘电缆',
      trademark: '莞缆',
      model: 'BV 2.5',
      standardCode: 'GB/T 5023.3-2008',
      batch: '20260215',
      productionDate: '2026-02-15',
      testUnits: 2,
      backupUnits: 2,
      sealNumbers: ['FT0001', 'FT0002'],
      place: 'factory',
      sampledOn: '2026-03-02',
      confirmation: { signer: '李四', title: '质量经理', confirmed: true },
    });
    expect(sample.statusCode, sample.body).toBe(201);
    const s = sample.json();
    expect(s.sampleNo).toBe('DG2026-CC-000001');
    expect(s.state).toBe('sentToLab');

    const res = await t.call('labuser', 'POST', `/api/v1/sampling/samples/${s.id}/results`, {
      reportedOn: '2026-03-02',
      items: [
        { key: 'i1', measured: '符合', verdict: 'pass' },
        { key: 'i2', measured: '19.6', verdict: 'fail' },
        { key: 'i3', measured: '0.72', verdict: 'pass' },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ verdict: 'fail', severity: 'critical', case: { state: 'opened' } });

    // the grade moved in the same request
    const drawnUscc = drawn.json().items[0].uscc;
    const grade = (await t.call('reg', 'GET', `/api/v1/credit/enterprises/${drawnUscc}`)).json();
    expect(grade.grade).toMatchObject({ grade: 'C', score: 80 });

    // the bulletin waits for the objection stage; the draw is disclosed now
    expect((await t.app.inject({ url: `/api/v1/public/sampling/bulletins/${plan.id}` })).json().rows).toEqual(
      [],
    );
    expect((await t.app.inject({ url: `/api/v1/public/sampling/draws/${plan.id}` })).json()).toMatchObject({
      disclosed: true,
    });

    // officials see the enterprise's samples on its page; another enterprise sees nothing of it
    const listed = await t.call('reg', 'GET', `/api/v1/sampling/samples?uscc=${drawnUscc}`);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().items).toEqual([
      expect.objectContaining({ sampleNo: 'DG2026-CC-000001', verdict: 'fail' }),
    ]);
    const notMine = drawnUscc === makers[0]!.uscc ? makers[1]!.uscc : drawnUscc;
    expect((await t.call('ent', 'GET', `/api/v1/sampling/samples?uscc=${notMine}`)).statusCode).toBe(404);
  });
});
