// Bad input of every kind gets a clear 4xx problem+json, never a 500; the OpenAPI document lists
// every route; every route declares a policy.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../core/clock.js';
import { createUser } from '../platform/auth/users.js';
import type { Runtime } from '../platform/bootstrap.js';
import { systemActor } from '../platform/context.js';
import { DIALECTS, testContext } from '../testing/db.js';
import { buildApp } from './app.js';

const PASSWORD = 'Zhihui@2026-test';

for (const dialect of DIALECTS) {
  describe(`HTTP surface [${dialect}]`, () => {
    let rt: Runtime;
    let app: FastifyInstance;
    let cookie = '';
    let csrf = '';
    beforeAll(async () => {
      rt = await testContext(dialect, { clock: offsetClock('2026-11-26T02:00:00.000Z') });
      await createUser({
        ctx: rt,
        actor: systemActor('test'),
        input: {
          username: 'reg',
          password: PASSWORD,
          displayName: '监管员',
          role: 'regulator',
          townCode: null,
          enterpriseUscc: null,
        },
      });
      app = await buildApp(rt);
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'reg', password: PASSWORD },
      });
      expect(res.statusCode).toBe(200);
      cookie = String(res.headers['set-cookie']).split(';')[0]!;
      csrf = res.json().csrfToken;
    });
    afterAll(async () => {
      await app?.close();
      await rt?.close();
    });

    const post = (url: string, payload: string, contentType = 'application/json') =>
      app.inject({
        method: 'POST',
        url,
        payload,
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': contentType },
      });

    const expectProblem = (res: Awaited<ReturnType<typeof post>>, status: number, code: string) => {
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const body = res.json();
      expect(body).toMatchObject({ status, code });
      expect(body.message.zh.length).toBeGreaterThan(0);
      expect(body.message.en.length).toBeGreaterThan(0);
      return body;
    };

    it('answers health with the database state', async () => {
      const res = await app.inject('/api/health');
      expect(res.json()).toMatchObject({ status: 'ok', database: 'up', dialect });
    });

    it('turns malformed JSON into MALFORMED_JSON', async () => {
      expectProblem(await post('/api/v1/enterprises', '{"uscc": "9144'), 400, 'MALFORMED_JSON');
    });

    it('names a missing field, an unknown field and a wrongly typed field', async () => {
      const missing = expectProblem(
        await post('/api/v1/enterprises', JSON.stringify({ uscc: '91441900MA4UJ2TEX1' })),
        400,
        'VALIDATION_FAILED',
      );
      expect(missing.fields.map((f: { field: string }) => f.field)).toEqual(
        expect.arrayContaining(['name', 'townCode']),
      );
      const unknown = expectProblem(
        await post(
          '/api/v1/enterprises',
          JSON.stringify({ uscc: '91441900MA4UJ2TEX1', name: '甲', townCode: '长安镇', colour: 'red' }),
        ),
        400,
        'VALIDATION_FAILED',
      );
      expect(unknown.fields.map((f: { field: string }) => f.field)).toContain('colour');
      const typed = expectProblem(
        await post('/api/v1/enterprises', JSON.stringify({ uscc: 42, name: '甲', townCode: '长安镇' })),
        400,
        'VALIDATION_FAILED',
      );
      expect(typed.fields[0].field).toBe('uscc');
    });

    it('rejects an invalid USCC with the check that failed', async () => {
      const body = expectProblem(
        await post(
          '/api/v1/enterprises',
          JSON.stringify({ uscc: '91441900MA4UJ2TEX2', name: '东莞市甲乙有限公司', townCode: '长安镇' }),
        ),
        400,
        'VALIDATION_FAILED',
      );
      expect(body.fields[0]).toMatchObject({ field: 'uscc', code: 'USCC_CHECK' });
    });

    it('refuses an oversize body, a wrong content type and an unknown route', async () => {
      expectProblem(
        await post('/api/v1/enterprises', JSON.stringify({ name: 'x'.repeat(600 * 1024) })),
        413,
        'PAYLOAD_TOO_LARGE',
      );
      expectProblem(await post('/api/v1/enterprises', 'name=x', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectProblem(await app.inject('/api/v1/no-such-thing'), 404, 'ROUTE_NOT_FOUND');
      expectProblem(await app.inject({ method: 'DELETE', url: '/api/health' }), 405, 'METHOD_NOT_ALLOWED');
    });

    it('rejects bad query parameters and cursors', async () => {
      const res = await app.inject({ url: '/api/v1/enterprises?limit=100000', headers: { cookie } });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expectProblem(
        await app.inject({ url: '/api/v1/enterprises?cursor=%%%', headers: { cookie } }),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(
        await app.inject({ url: '/api/v1/enterprises?status=bankrupt', headers: { cookie } }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('requires login for the register and answers 404 for an unknown enterprise', async () => {
      expectProblem(await app.inject('/api/v1/enterprises'), 401, 'UNAUTHENTICATED');
      expectProblem(
        await app.inject({ url: '/api/v1/enterprises/91441900MA4UJ2TEX1', headers: { cookie } }),
        404,
        'NOT_FOUND',
      );
      expectProblem(await app.inject('/api/v1/public/enterprises/91441900MA4UJ2TEX1'), 404, 'NOT_FOUND');
    });

    it('publishes an OpenAPI document that lists the public routes', async () => {
      const doc = (await app.inject('/api/docs/json')).json();
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/public/enterprises',
          '/api/v1/public/enterprises/{uscc}',
          '/api/v1/enterprises',
          '/api/auth/login',
        ]),
      );
    });

    it('creates, reads, updates and lists an enterprise through the API', async () => {
      const created = await post(
        '/api/v1/enterprises',
        JSON.stringify({
          uscc: '91441900MA4UJ2TEX1',
          name: '东莞市接口测试电子有限公司',
          townCode: '长安',
          industryCode: 'C3911',
          status: '存续',
        }),
      );
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        uscc: '91441900MA4UJ2TEX1',
        townCode: '441900119',
        industryCode: '39',
        status: 'operating',
        version: 1,
      });
      const patched = await app.inject({
        method: 'PATCH',
        url: '/api/v1/enterprises/91441900MA4UJ2TEX1',
        payload: { scale: 'medium', version: 1 },
        headers: { cookie, 'x-csrf-token': csrf },
      });
      expect(patched.json()).toMatchObject({ scale: 'medium', version: 2 });
      const stale = await app.inject({
        method: 'PATCH',
        url: '/api/v1/enterprises/91441900MA4UJ2TEX1',
        payload: { scale: 'large', version: 1 },
        headers: { cookie, 'x-csrf-token': csrf },
      });
      expectProblem(stale, 409, 'CONFLICT');
      const history = (
        await app.inject({ url: '/api/v1/enterprises/91441900MA4UJ2TEX1/history', headers: { cookie } })
      ).json();
      expect(history.items[0].changes).toEqual([{ field: 'scale', before: null, after: 'medium' }]);
      const list = (await app.inject({ url: '/api/v1/enterprises?q=接口测试', headers: { cookie } })).json();
      expect(list.items.map((i: { uscc: string }) => i.uscc)).toEqual(['91441900MA4UJ2TEX1']);
      const pub = (await app.inject('/api/v1/public/enterprises?q=接口测试')).json();
      expect(Object.keys(pub.items[0]).sort()).toEqual([
        'industryName',
        'legalRepresentative',
        'name',
        'registeredOn',
        'status',
        'townName',
        'uscc',
      ]);
    });
  });
}
