import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { testApp } from '../../testing/http.js';

for (const dialect of DIALECTS) {
  describe(`product-category catalogue [${dialect}]`, () => {
    let rt: Runtime;
    let t: Awaited<ReturnType<typeof testApp>>;
    beforeAll(async () => {
      rt = await testContext(dialect);
      t = await testApp(rt, [
        { username: 'admin', role: 'admin' },
        { username: 'regulator', role: 'regulator' },
      ]);
    });
    afterAll(async () => {
      await t?.close();
      await rt?.close();
    });

    const send = (who: string, method: 'POST' | 'PATCH', url: string, payload: object) =>
      t.call(who, method, url, payload);

    it('ships the starter catalogue, readable by any signed-in user', async () => {
      const res = await t.app.inject({
        url: '/api/v1/product-categories',
        headers: { cookie: t.sessions.regulator!.cookie },
      });
      const items = res.json().items as { code: string; name: string }[];
      expect(items.find((c) => c.code === '0201')?.name).toBe('儿童玩具');
      expect(items.length).toBeGreaterThan(30);
    });

    it('lets an administrator add and change a category, audited, and keeps the code', async () => {
      const created = await send('admin', 'POST', '/api/v1/product-categories', {
        code: '0212',
        name: '体育用品',
        nameEn: 'Sporting goods',
        parentCode: '02',
        industryCode: '24',
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ code: '0212', parentCode: '02', active: true });
      const changed = await send('admin', 'PATCH', '/api/v1/product-categories/0212', {
        name: '体育用品及器材',
        active: false,
      });
      expect(changed.json()).toMatchObject({ code: '0212', name: '体育用品及器材', active: false });
      const audits = await rt.db
        .selectFrom('audit_log')
        .select('action')
        .where('resource_type', '=', 'productCategory')
        .orderBy('at')
        .execute();
      expect(audits.map((a) => a.action)).toEqual(['productCategory.create', 'productCategory.update']);
      const immutable = await send('admin', 'PATCH', '/api/v1/product-categories/0212', { code: '0299' });
      expect(immutable.statusCode).toBe(400);
    });

    it('refuses a duplicate code, a malformed code, a parent that is not a prefix and an unknown industry', async () => {
      const dup = await send('admin', 'POST', '/api/v1/product-categories', { code: '0201', name: '重复' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().fields[0].field).toBe('code');
      const bad = await send('admin', 'POST', '/api/v1/product-categories', { code: '021', name: '三位' });
      expect(bad.json()).toMatchObject({ status: 400, fields: [{ field: 'code', code: 'INVALID_CODE' }] });
      const parent = await send('admin', 'POST', '/api/v1/product-categories', {
        code: '0213',
        name: '错父类',
        parentCode: '03',
      });
      expect(parent.json().fields[0]).toMatchObject({ field: 'parentCode', code: 'INVALID_PARENT' });
      const ind = await send('admin', 'POST', '/api/v1/product-categories', {
        code: '0214',
        name: '错行业',
        industryCode: 'C',
      });
      expect(ind.json().fields[0]).toMatchObject({ field: 'industryCode', code: 'UNKNOWN_INDUSTRY' });
      const missing = await send('admin', 'PATCH', '/api/v1/product-categories/9999', { name: '无' });
      expect(missing.statusCode).toBe(404);
    });

    it('keeps editing to administrators', async () => {
      const res = await send('regulator', 'POST', '/api/v1/product-categories', {
        code: '0215',
        name: '监管员新增',
      });
      expect(res.statusCode).toBe(403);
    });

    it('keeps names on one line and refuses a blank one', async () => {
      const created = await send('admin', 'POST', '/api/v1/product-categories', {
        code: '0297',
        name: ' 折叠\n自行车\r\n 配件 ',
        nameEn: 'Folding\nbicycle parts',
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ name: '折叠 自行车 配件', nameEn: 'Folding bicycle parts' });
      for (const [method, url, payload] of [
        ['POST', '/api/v1/product-categories', { code: '0298', name: ' \n\t ' }],
        ['PATCH', '/api/v1/product-categories/0297', { name: '\r\n' }],
      ] as const) {
        const res = await send('admin', method, url, payload);
        expect(res.statusCode).toBe(400);
        expect(res.json().fields[0]).toMatchObject({ field: 'name', code: 'REQUIRED' });
      }
    });
  });
}
