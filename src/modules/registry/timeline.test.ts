// The enterprise timeline (GET /api/v1/enterprises/:uscc/timeline) through the HTTP API on every
// dialect: each entry's title, changes and source in both languages, the Chinese fields kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { testApp } from '../../testing/http.js';

const CJK = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/;

type Entry = {
  type: string;
  title: string;
  summary: string;
  titleText: { zh: string; en: string };
  changes: { zh: string; en: string } | null;
  source: { zh: string; en: string } | null;
};

describe.each(DIALECTS)('enterprise timeline on %s', (dialect) => {
  let rt: Runtime;
  let t: Awaited<ReturnType<typeof testApp>>;
  const co = buildEnterprise({ townCode: '441900119' });

  beforeAll(async () => {
    rt = await testContext(dialect, { clock: offsetClock('2026-03-02T02:00:00Z') });
    t = await testApp(rt, [{ username: 'reg', role: 'regulator' }]);
  });
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  it('gives every entry its title, changes and source in Chinese and English', async () => {
    const created = await t.call('reg', 'POST', '/api/v1/enterprises', {
      uscc: co.uscc,
      name: co.name,
      townCode: co.townCode,
    });
    expect(created.statusCode, created.body).toBe(201);
    const changed = await t.call('reg', 'PATCH', `/api/v1/enterprises/${co.uscc}`, {
      name: `${co.name}（更名）`,
      status: 'suspended',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const penalty = await t.call('reg', 'POST', `/api/v1/credit/enterprises/${co.uscc}/records`, {
      type: 'credit.penalty.recorded',
      occurredOn: '2026-02-20',
      details: { penaltyType: 'fine', decisionNo: 'DG-2026-031' },
    });
    expect(penalty.statusCode, penalty.body).toBe(201);
    const listed = await t.call('reg', 'POST', '/api/v1/credit/blacklist', {
      uscc: co.uscc,
      penalty: { decisionNo: 'DG-2026-077', decidedOn: '2026-02-26' },
    });
    expect(listed.statusCode, listed.body).toBe(201);

    const res = await t.call('reg', 'GET', `/api/v1/enterprises/${co.uscc}/timeline`);
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as Entry[];
    const of = (type: string) => items.find((i) => i.type === type)!;

    expect(of('registry.enterprise.created')).toMatchObject({
      titleText: { zh: '企业登记入库', en: 'An enterprise entered the register' },
      changes: null,
      source: { zh: '在线登记', en: 'Online registration' },
      title: '企业登记入库',
      summary: '来源：在线登记',
    });
    expect(of('registry.enterprise.updated')).toMatchObject({
      titleText: { en: 'Registered details of an enterprise changed' },
      changes: { zh: '变更字段：企业名称、登记状态', en: 'Changed: name, status' },
      source: { zh: '在线登记', en: 'Online registration' },
      summary: '变更字段：企业名称、登记状态',
    });
    expect(of('registry.enterprise.statusChanged')).toMatchObject({
      changes: { zh: '存续 → 停业', en: 'Operating → Suspended' },
    });
    expect(of('credit.penalty.recorded')).toMatchObject({
      titleText: { zh: '行政处罚', en: 'An administrative penalty was decided' },
      changes: null,
      source: {
        zh: '监管部门录入 · 决定书 DG-2026-031',
        en: 'Entered by the bureau · decision DG-2026-031',
      },
      summary: '来源：监管部门录入 · 决定书 DG-2026-031',
    });
    expect(of('credit.blacklist.candidate')).toMatchObject({
      titleText: { en: 'Proposed for the blacklist' },
      source: {
        zh: '严重违法失信名单程序 · 处罚决定书 DG-2026-077',
        en: 'Blacklist procedure · penalty decision DG-2026-077',
      },
    });
    // Nothing Chinese is left in the English texts (the numbers used here are ASCII).
    for (const i of items) {
      expect(i.titleText.en, i.type).not.toMatch(CJK);
      if (i.changes) expect(i.changes.en, i.type).not.toMatch(CJK);
      if (i.source) expect(i.source.en, i.type).not.toMatch(CJK);
      expect(i.title).toBe(i.titleText.zh);
    }
  });
});
