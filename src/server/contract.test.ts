// The HTTP contract: bodies typed exactly while query strings coerce, control characters and
// prototype names refused as input, 405 for a wrong method, and an OpenAPI document that says
// what every operation answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../core/clock.js';
import type { Runtime } from '../platform/bootstrap.js';
import { DIALECTS, testContext } from '../testing/db.js';
import { testApp } from '../testing/http.js';

const USCC = '91441900MA4UJ2TEX1';

for (const dialect of DIALECTS) {
  describe(`HTTP contract [${dialect}]`, () => {
    let rt: Runtime;
    let t: Awaited<ReturnType<typeof testApp>>;
    beforeAll(async () => {
      rt = await testContext(dialect, { clock: offsetClock('2026-11-26T02:00:00.000Z') });
      t = await testApp(rt, [
        { username: 'admin', role: 'admin' },
        { username: 'reg', role: 'regulator' },
      ]);
      const created = await t.call('reg', 'POST', '/api/v1/enterprises', {
        uscc: USCC,
        name: '东莞市契约测试电子有限公司',
        townCode: '长安',
      });
      expect(created.statusCode).toBe(201);
    });
    afterAll(async () => {
      await t?.close();
      await rt?.close();
    });

    const problem = (res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }) => {
      expect(String(res.headers['content-type'])).toContain('application/problem+json');
      return res.json() as { status: number; code: string; fields: { field: string; code: string }[] };
    };

    describe('bodies are typed exactly, query strings coerce', () => {
      it('refuses a boolean where a string is declared and a number where a boolean is', async () => {
        const name = await t.call('admin', 'POST', '/api/v1/product-categories', {
          code: '9901',
          name: false,
        });
        expect(name.statusCode).toBe(400);
        expect(problem(name)).toMatchObject({
          code: 'VALIDATION_FAILED',
          fields: [{ field: 'name', code: 'TYPE' }],
        });
        const created = await t.call('admin', 'POST', '/api/v1/product-categories', {
          code: '9902',
          name: '测试类',
        });
        expect(created.statusCode).toBe(201);
        const active = await t.call('admin', 'PATCH', '/api/v1/product-categories/9902', { active: 0 });
        expect(active.statusCode).toBe(400);
        expect(problem(active).fields[0]).toMatchObject({ field: 'active', code: 'TYPE' });
        const still = (await t.call('admin', 'GET', '/api/v1/product-categories')).json();
        expect(still.items.find((c: { code: string }) => c.code === '9902')).toMatchObject({ active: true });
        const numberName = await t.call('reg', 'PATCH', `/api/v1/enterprises/${USCC}`, { name: 12345 });
        expect(numberName.statusCode).toBe(400);
      });

      it("refuses 0 for a user's active flag instead of disabling the account", async () => {
        const list = (await t.call('admin', 'GET', '/api/v1/users')).json();
        const reg = list.items.find((u: { username: string }) => u.username === 'reg');
        const res = await t.call('admin', 'PATCH', `/api/v1/users/${reg.id}`, { active: 0 });
        expect(res.statusCode).toBe(400);
        expect(problem(res).fields[0]).toMatchObject({ field: 'active', code: 'TYPE' });
        expect((await t.call('reg', 'GET', '/api/v1/enterprises?limit=1')).statusCode).toBe(200);
      });

      it('still reads numbers and booleans from the query string', async () => {
        const res = await t.call('reg', 'GET', '/api/v1/enterprises?limit=1');
        expect(res.statusCode).toBe(200);
        expect(res.json().items).toHaveLength(1);
      });
    });

    describe('text hygiene', () => {
      it('refuses control characters in a body, naming the field', async () => {
        for (const bad of [
          '东莞市甲\u0000有限公司',
          '东莞市甲\u0007有限公司',
          '东莞市甲\u001b[31m有限公司',
          'a\u0085b',
        ]) {
          const res = await t.call('reg', 'PATCH', `/api/v1/enterprises/${USCC}`, { name: bad });
          expect(res.statusCode, JSON.stringify(bad)).toBe(400);
          expect(problem(res)).toMatchObject({
            code: 'VALIDATION_FAILED',
            fields: [{ field: 'name', code: 'CONTROL_CHARACTER' }],
          });
        }
        const nested = await t.call('reg', 'PATCH', `/api/v1/enterprises/${USCC}`, {
          tags: ['exporter', 'x\u0000'],
        });
        expect(problem(nested).fields[0]).toMatchObject({ field: 'tags.1', code: 'CONTROL_CHARACTER' });
        const surrogate = await t.call('reg', 'PATCH', `/api/v1/enterprises/${USCC}`, { name: '甲\ud800乙' });
        expect(problem(surrogate).fields[0]).toMatchObject({ field: 'name', code: 'LONE_SURROGATE' });
        const detail = (await t.call('reg', 'GET', `/api/v1/enterprises/${USCC}`)).json();
        expect(detail.name).toBe('东莞市契约测试电子有限公司');
      });

      it('keeps tab and line breaks in bodies, and folds them in one-line names', async () => {
        const res = await t.call('reg', 'PATCH', `/api/v1/enterprises/${USCC}`, {
          registeredAddress: '东莞市长安镇\n振安中路\t1号',
        });
        expect(res.statusCode).toBe(200);
        expect(res.json().registeredAddress).toBe('东莞市长安镇 振安中路 1号');
      });

      it('refuses control characters in query strings and path parameters', async () => {
        for (const url of [
          '/api/v1/enterprises?q=%00',
          '/api/v1/enterprises?q=%E7%94%B2%00',
          '/api/v1/enterprises?q=a%0Ab',
          `/api/v1/enterprises/${USCC}%00`,
        ]) {
          const res = await t.call('reg', 'GET', url);
          expect(res.statusCode, url).toBe(400);
          expect(problem(res).fields[0]?.code, url).toBe('CONTROL_CHARACTER');
        }
        const pub = await t.app.inject('/api/v1/public/enterprises?q=%00%00');
        expect(pub.statusCode).toBe(400);
        expect(problem(pub).fields[0]).toMatchObject({ field: 'q', code: 'CONTROL_CHARACTER' });
      });

      it('never echoes the control character in the field name of the answer', async () => {
        const res = await t.call('reg', 'GET', '/api/v1/enterprises?%00x=1');
        expect(res.statusCode).toBe(400);
        expect(res.body.includes('\u0000') || res.body.includes('\\u0000')).toBe(false);
      });
    });

    describe('prototype names are ordinary unknown values', () => {
      for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
        it(`refuses "${key}" as a status, a scale and a tag with a 400`, async () => {
          for (const [field, code] of [
            ['status', 'INVALID_STATUS'],
            ['scale', 'INVALID_SCALE'],
            ['tags', 'UNKNOWN_TAG'],
          ] as const) {
            const value = field === 'tags' ? [key] : key;
            const res = await t.call('reg', 'PATCH', `/api/v1/enterprises/${USCC}`, { [field]: value });
            expect(res.statusCode, `${field}=${key}`).toBe(400);
            expect(problem(res).fields[0]).toMatchObject({ field, code });
          }
          const town = await t.call('reg', 'PATCH', `/api/v1/enterprises/${USCC}`, { townCode: key });
          expect(town.statusCode).toBe(400);
          const list = await t.call('reg', 'GET', `/api/v1/enterprises?tag=${key}&status=operating`);
          expect(list.statusCode).toBe(200);
        });
      }
    });

    describe('methods', () => {
      it('answers 405 with Allow when the path exists under another method', async () => {
        const del = await t.app.inject({ method: 'DELETE', url: '/api/health' });
        expect(del.statusCode).toBe(405);
        expect(problem(del).code).toBe('METHOD_NOT_ALLOWED');
        expect(String(del.headers.allow).split(', ')).toEqual(expect.arrayContaining(['GET', 'HEAD']));
        const get = await t.call('reg', 'GET', '/api/v1/imports/enterprises');
        expect(get.statusCode).toBe(405);
        expect(get.headers.allow).toBe('POST');
        const put = await t.call('reg', 'PUT', `/api/v1/enterprises/${USCC}`, {});
        expect(put.statusCode).toBe(405);
        expect(String(put.headers.allow).split(', ').sort()).toEqual(['GET', 'HEAD', 'PATCH']);
      });

      it('still answers 404 for a path that does not exist', async () => {
        expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/no-such-thing' })).statusCode).toBe(404);
        expect((await t.app.inject('/api/v1/no-such-thing')).statusCode).toBe(404);
        expect((await t.app.inject('/api/v1/%E0%A4%A')).statusCode).toBe(400);
      });
    });
  });
}
