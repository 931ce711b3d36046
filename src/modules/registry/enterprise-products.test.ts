// What enterprises make (企业生产的产品类别) on every dialect: set through the enterprise API (the
// one write path), shown on the detail, searched by category (a node with everything under it),
// audited and announced; and makersOf, the read the sampling draw builds its pool from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { testApp } from '../../testing/http.js';
import type { EnterpriseInput } from './enterprise-input.js';
import { upsertEnterprises } from './enterprises.js';
import { makerLinksOf, makersOf, productCategoryNames } from './index.js';

const CHANGAN = '441900119';
const HUMEN = '441900121';

describe.each(DIALECTS)('enterprise product categories on %s', (dialect) => {
  let rt: Runtime;
  let t: Awaited<ReturnType<typeof testApp>>;
  const maker = buildEnterprise({ townCode: CHANGAN });
  const other = buildEnterprise({ townCode: HUMEN, industryCode: '24' });
  const closed = buildEnterprise({ townCode: CHANGAN, status: 'cancelled' });
  const plain = buildEnterprise({ townCode: CHANGAN });

  const upsert = (rows: EnterpriseInput[]) =>
    rt.db
      .transaction()
      .execute((trx) =>
        upsertEnterprises(trx, { actor: systemActor('test'), now: rt.clock.now(), rows, source: 'test' }),
      );
  const idOf = async (uscc: string) =>
    (await rt.db.selectFrom('enterprises').select('id').where('uscc', '=', uscc).executeTakeFirstOrThrow())
      .id;
  const linksOf = async (uscc: string) =>
    (
      await rt.db
        .selectFrom('enterprise_products as p')
        .innerJoin('enterprises as e', 'e.id', 'p.enterprise_id')
        .select('p.category_code')
        .where('e.uscc', '=', uscc)
        .orderBy('p.category_code')
        .execute()
    ).map((r) => r.category_code);

  beforeAll(async () => {
    rt = await testContext(dialect, { clock: offsetClock('2026-03-02T02:00:00Z') });
    t = await testApp(rt, [
      { username: 'reg', role: 'regulator' },
      { username: 'admin', role: 'admin' },
      { username: 'town', role: 'townOfficer', townCode: HUMEN },
    ]);
    await upsert([
      maker,
      { ...other, productCategories: ['0201', '0202'] },
      { ...closed, productCategories: ['0101'] },
      plain,
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  it('sets the categories through the enterprise API, shows them by name, and replaces the set', async () => {
    const set = await t.call('reg', 'PATCH', `/api/v1/enterprises/${maker.uscc}`, {
      productCategories: ['0104', '电线电缆', '0104'],
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().productCategories).toEqual([
      { code: '0101', name: '电线电缆', nameEn: 'Wires and cables', active: true },
      { code: '0104', name: '电源适配器及充电器', nameEn: 'Power adaptors and chargers', active: true },
    ]);
    expect(set.json().version).toBe(2);

    const replaced = await t.call('reg', 'PATCH', `/api/v1/enterprises/${maker.uscc}`, {
      productCategories: ['0107'],
    });
    expect(replaced.json().productCategories.map((c: { code: string }) => c.code)).toEqual(['0107']);
    expect(await linksOf(maker.uscc)).toEqual(['0107']);
    const detail = await t.call('reg', 'GET', `/api/v1/enterprises/${maker.uscc}`);
    expect(detail.json().productCategories).toEqual([
      { code: '0107', name: '电子元器件', nameEn: 'Electronic components', active: true },
    ]);
  });

  it('leaves the categories alone when a change does not name them, and writes nothing when they are the same', async () => {
    const renamed = await t.call('reg', 'PATCH', `/api/v1/enterprises/${maker.uscc}`, {
      legalRepresentative: '李四',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(await linksOf(maker.uscc)).toEqual(['0107']);
    const version = renamed.json().version;
    const same = await t.call('reg', 'PATCH', `/api/v1/enterprises/${maker.uscc}`, {
      productCategories: ['电子元器件'],
    });
    expect(same.json().version).toBe(version);
  });

  it('shows the change in the history and the timeline, and announces it like any other field', async () => {
    const id = await idOf(maker.uscc);
    const history = (await t.call('reg', 'GET', `/api/v1/enterprises/${maker.uscc}/history`)).json().items;
    const changes = history.flatMap((h: { changes: { field: string }[] }) => h.changes);
    expect(changes).toContainEqual({ field: 'productCategories', before: ['0101', '0104'], after: ['0107'] });
    expect(changes).toContainEqual({ field: 'productCategories', before: [], after: ['0101', '0104'] });
    // the rename did not touch the categories: its entry names only the legal representative
    expect(
      history
        .find((h: { changes: { field: string }[] }) =>
          h.changes.some((c) => c.field === 'legalRepresentative'),
        )
        .changes.map((c: { field: string }) => c.field),
    ).toEqual(['legalRepresentative']);

    const events = await rt.db
      .selectFrom('outbox_events')
      .select('payload')
      .where('enterprise_id', '=', id)
      .where('type', '=', 'registry.enterprise.updated')
      .orderBy('id')
      .execute();
    expect(events.map((e) => JSON.parse(e.payload).fields)).toEqual([
      ['productCategories'],
      ['productCategories'],
      ['legalRepresentative'],
    ]);
    const timeline = (await t.call('reg', 'GET', `/api/v1/enterprises/${maker.uscc}/timeline`)).json().items;
    expect(timeline.map((e: { changes: { zh: string } | null }) => e.changes?.zh)).toContain(
      '变更字段：产品类别',
    );
    expect(timeline.map((e: { changes: { en: string } | null }) => e.changes?.en)).toContain(
      'Changed: product categories',
    );
  });

  it('refuses unknown and retired categories with a field error naming them, writing nothing', async () => {
    const before = await linksOf(maker.uscc);
    const unknown = await t.call('reg', 'PATCH', `/api/v1/enterprises/${maker.uscc}`, {
      productCategories: ['0101', '9988', '不存在的类别'],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    const fields = unknown.json().fields as { field: string; code: string; message: string }[];
    expect(fields.map((f) => [f.field, f.code])).toEqual([
      ['productCategories', 'UNKNOWN_PRODUCT_CATEGORY'],
      ['productCategories', 'UNKNOWN_PRODUCT_CATEGORY'],
    ]);
    expect(JSON.stringify(fields)).toContain('9988');
    expect(JSON.stringify(fields)).toContain('不存在的类别');

    const retire = await t.call('admin', 'PATCH', '/api/v1/product-categories/0106', { active: false });
    expect(retire.statusCode, retire.body).toBe(200);
    const retired = await t.call('reg', 'PATCH', `/api/v1/enterprises/${maker.uscc}`, {
      productCategories: ['0106'],
    });
    expect(retired.statusCode).toBe(400);
    expect(retired.json().fields[0]).toMatchObject({
      field: 'productCategories',
      code: 'INACTIVE_PRODUCT_CATEGORY',
    });
    expect(JSON.stringify(retired.json().fields)).toContain('0106');

    const tooMany = await t.call('reg', 'PATCH', `/api/v1/enterprises/${maker.uscc}`, {
      productCategories: [
        '0101',
        '0102',
        '0103',
        '0104',
        '0105',
        '0107',
        '0201',
        '0202',
        '0203',
        '0204',
        '0205',
        '0206',
        '0207',
        '0208',
        '0209',
        '0210',
        '0211',
        '0301',
        '0302',
        '0303',
        '0304',
      ],
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().fields[0]).toMatchObject({ code: 'TOO_MANY_PRODUCT_CATEGORIES' });
    expect(await linksOf(maker.uscc)).toEqual(before);
    await t.call('admin', 'PATCH', '/api/v1/product-categories/0106', { active: true });
  });

  it('keeps a retired category an enterprise makes when another field changes', async () => {
    const co = buildEnterprise({ townCode: CHANGAN, productCategories: ['0106'] });
    await upsert([co]);
    await t.call('admin', 'PATCH', '/api/v1/product-categories/0106', { active: false });
    try {
      const renamed = await t.call('reg', 'PATCH', `/api/v1/enterprises/${co.uscc}`, { scale: 'medium' });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json().productCategories).toEqual([
        expect.objectContaining({ code: '0106', active: false }),
      ]);
      const kept = await t.call('reg', 'PATCH', `/api/v1/enterprises/${co.uscc}`, {
        productCategories: ['0106', '0101'],
      });
      expect(kept.statusCode, kept.body).toBe(200);
      expect(await linksOf(co.uscc)).toEqual(['0101', '0106']);
    } finally {
      await t.call('admin', 'PATCH', '/api/v1/product-categories/0106', { active: true });
    }
  });

  it('registers a new enterprise with its categories', async () => {
    const co = buildEnterprise({ townCode: CHANGAN });
    const created = await t.call('reg', 'POST', '/api/v1/enterprises', {
      uscc: co.uscc,
      name: co.name,
      townCode: co.townCode,
      productCategories: ['儿童玩具'],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().productCategories.map((c: { code: string }) => c.code)).toEqual(['0201']);
  });

  it('lets a town officer change only the enterprises of the town', async () => {
    const own = await t.call('town', 'PATCH', `/api/v1/enterprises/${other.uscc}`, {
      productCategories: ['0201'],
    });
    expect(own.statusCode, own.body).toBe(200);
    const elsewhere = await t.call('town', 'PATCH', `/api/v1/enterprises/${plain.uscc}`, {
      productCategories: ['0201'],
    });
    expect(elsewhere.statusCode).toBe(403);
    expect(await linksOf(plain.uscc)).toEqual([]);
    await t.call('town', 'PATCH', `/api/v1/enterprises/${other.uscc}`, {
      productCategories: ['0201', '0202'],
    });
  });

  it('searches the register by category, a node meaning everything under it', async () => {
    const search = async (q: string) =>
      (await t.call('reg', 'GET', `/api/v1/enterprises?limit=200&${q}`))
        .json()
        .items.map((e: { uscc: string }) => e.uscc) as string[];
    const electrical = await search('productCategory=01');
    expect(electrical).toEqual(expect.arrayContaining([maker.uscc, closed.uscc]));
    expect(electrical).not.toContain(other.uscc);
    expect(electrical).not.toContain(plain.uscc);
    expect(await search('productCategory=0101')).toContain(closed.uscc);
    expect(await search('productCategory=0101')).not.toContain(maker.uscc);
    expect(await search(`productCategory=0201&town=${HUMEN}`)).toEqual([other.uscc]);
    expect(await search('productCategory=0699')).toEqual([]);
    const bad = await t.call('reg', 'GET', '/api/v1/enterprises?productCategory=abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields[0]).toMatchObject({ field: 'productCategory' });
  });

  it('finds the makers of categories for the sampling draw: every status, by requested category, in order', async () => {
    const [makerId, otherId, closedId] = await Promise.all([
      idOf(maker.uscc),
      idOf(other.uscc),
      idOf(closed.uscc),
    ]);
    const rows = await makersOf(rt.db, { categoryCodes: ['01', '0201', '0202', '0101'] });
    const key = rows.map((r) => [r.categoryCode, r.id]);
    const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
    const sorted = [...key].sort((a, b) => cmp(a[0]!, b[0]!) || cmp(a[1]!, b[1]!));
    expect(key).toEqual(sorted);
    const of = (code: string) => rows.filter((r) => r.categoryCode === code).map((r) => r.id);
    expect(of('01')).toEqual(expect.arrayContaining([makerId, closedId]));
    expect(of('01')).not.toContain(otherId);
    expect(of('0101')).toContain(closedId);
    expect(of('0201')).toContain(otherId);
    expect(of('0202')).toEqual([otherId]);
    // one row per (requested category, enterprise): the maker of 0101 and 0106 once under 01
    expect(new Set(key.map((k) => k.join(' '))).size).toBe(key.length);
    expect(rows.find((r) => r.id === closedId)).toEqual({
      id: closedId,
      uscc: closed.uscc,
      name: closed.name,
      townCode: CHANGAN,
      industryCode: '39',
      status: 'cancelled',
      registeredOn: closed.registeredOn,
      categoryCode: '01',
    });

    // the draw's narrow read: the same rows in the same order, without the names, with a column
    // another table joined on the enterprise (here the register itself), and only those registered by a day
    const narrow = (m: (typeof rows)[number]) => ({
      id: m.id,
      townCode: m.townCode,
      status: m.status,
      categoryCode: m.categoryCode,
      uscc: m.uscc,
    });
    const links = await makerLinksOf(rt.db, {
      categoryCodes: ['01', '0201', '0202', '0101'],
      join: { table: 'enterprises', enterpriseId: 'id', columns: { uscc: 'uscc' } },
    });
    expect(links).toEqual(rows.map(narrow));
    const day = closed.registeredOn!;
    const byDay = await makerLinksOf(rt.db, { categoryCodes: ['01'], registeredBy: day });
    expect(byDay.map((l) => l.id)).toEqual(
      rows.filter((r) => r.categoryCode === '01' && (r.registeredOn ?? '') <= day).map((r) => r.id),
    );
    expect(byDay.map((l) => l.id)).toContain(closedId);
    // before anyone was registered, nobody (but makers without a registration day)
    expect(await makerLinksOf(rt.db, { categoryCodes: ['01'], registeredBy: '1900-01-01' })).toEqual(
      rows
        .filter((r) => r.categoryCode === '01' && r.registeredOn === null)
        .map(narrow)
        .map(({ uscc, ...l }) => l),
    );
    expect(await makerLinksOf(rt.db, { categoryCodes: ['01', '02'], townCodes: [HUMEN] })).toEqual([
      expect.objectContaining({ id: otherId, categoryCode: '02' }),
    ]);

    const inHumen = await makersOf(rt.db, { categoryCodes: ['01', '02'], townCodes: [HUMEN] });
    expect(inHumen.map((r) => [r.categoryCode, r.uscc])).toEqual([['02', other.uscc]]);
    expect(await makersOf(rt.db, { categoryCodes: [] })).toEqual([]);
    expect(await makersOf(rt.db, { categoryCodes: ['01'], townCodes: [] })).toEqual([]);
    expect(await makersOf(rt.db, { categoryCodes: ['9999'] })).toEqual([]);
  });

  it('counts the makers of a grandchild category (a third level of six digits) for its ancestors', async () => {
    const created = await t.call('admin', 'POST', '/api/v1/product-categories', {
      code: '010199',
      name: '光伏电缆',
      parentCode: '0101',
      industryCode: '38',
    });
    expect(created.statusCode, created.body).toBe(201);
    const co = buildEnterprise({ townCode: HUMEN, industryCode: '38', productCategories: ['010199'] });
    await upsert([co]);
    const id = await idOf(co.uscc);
    for (const code of ['01', '0101', '010199']) {
      const rows = await makersOf(rt.db, { categoryCodes: [code], townCodes: [HUMEN] });
      expect(
        rows.map((r) => [r.categoryCode, r.id]),
        code,
      ).toEqual([[code, id]]);
      const found = (
        await t.call('reg', 'GET', `/api/v1/enterprises?productCategory=${code}&town=${HUMEN}`)
      ).json();
      expect(
        found.items.map((e: { uscc: string }) => e.uscc),
        code,
      ).toEqual([co.uscc]);
    }
    expect(await makersOf(rt.db, { categoryCodes: ['0102'], townCodes: [HUMEN] })).toEqual([]);
  });

  it('names categories by code', async () => {
    expect(await productCategoryNames(rt.db, ['0201', '01', '9999', '0201'])).toEqual([
      { code: '01', name: '电子电器产品', nameEn: 'Electronic and electrical products', active: true },
      { code: '0201', name: '儿童玩具', nameEn: "Children's toys", active: true },
    ]);
  });
});
