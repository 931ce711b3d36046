// Property: JSON bodies and query strings made of control characters, prototype names
// (__proto__, constructor, …) and wrongly typed values never make a representative route answer
// 500; every refusal is problem+json, and no control character is ever stored.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../core/clock.js';
import type { Runtime } from '../platform/bootstrap.js';
import { DIALECTS, testContext } from '../testing/db.js';
import { testApp } from '../testing/http.js';

const USCC = '91441900MA4UJ2TEX1';
const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];
const FIELDS = ['uscc', 'name', 'townCode', 'status', 'scale', 'tags', 'code', 'active', 'phone', 'username'];
const CONTROL = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
);

/** Short texts mixing ordinary characters, control characters and prototype names. */
const text = fc.oneof(
  { arbitrary: fc.constantFrom(...PROTO), weight: 3 },
  { arbitrary: fc.constantFrom('存续', 'exporter', '长安', '99', USCC), weight: 1 },
  {
    arbitrary: fc
      .array(
        fc.oneof(
          CONTROL,
          fc.constantFrom('甲', 'a', '1', ' ', '%', '_', '\\', '"'),
          fc.constantFrom(...PROTO),
        ),
        {
          maxLength: 6,
        },
      )
      .map((parts) => parts.join('')),
    weight: 2,
  },
);
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(text, fc.constantFrom(...FIELDS)), tie('v'), { maxKeys: 3 }),
  ),
})).v;
/** A JSON object body, written by hand so that "__proto__" is a real key of the text. */
const anyBody = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FIELDS, ...PROTO), text), value), {
  maxLength: 5,
});
/** Bodies the schemas let through: declared fields of the right type with hostile text. */
const typedBody = fc.array(
  fc.oneof(
    fc.tuple(fc.constantFrom('name', 'status', 'scale', 'townCode', 'code'), text),
    fc.tuple(fc.constant('tags'), fc.array(text, { minLength: 1, maxLength: 2 })),
  ),
  { minLength: 1, maxLength: 2 },
);
const body = fc
  .oneof(anyBody, typedBody)
  .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'q',
          'tag',
          'status',
          'limit',
          'cursor',
          'actor',
          'action',
          'enterprise',
          'from',
          'to',
          'user',
          'grade',
          'minScore',
          'townCode',
          ...PROTO,
        ),
        text,
      ),
      text,
    ),
    {
      maxLength: 4,
    },
  )
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

for (const dialect of DIALECTS) {
  describe(`hostile input [${dialect}]`, () => {
    let rt: Runtime;
    let t: Awaited<ReturnType<typeof testApp>>;
    beforeAll(async () => {
      rt = await testContext(dialect, { clock: offsetClock('2026-11-26T02:00:00.000Z') });
      t = await testApp(rt, [{ username: 'admin', role: 'admin' }]);
      const created = await t.call('admin', 'POST', '/api/v1/enterprises', {
        uscc: USCC,
        name: '东莞市性质测试有限公司',
        townCode: '长安',
      });
      expect(created.statusCode).toBe(201);
    });
    afterAll(async () => {
      await t?.close();
      await rt?.close();
    });

    const send = (method: 'POST' | 'PATCH', url: string, payload: string) =>
      t.app.inject({
        method,
        url,
        payload,
        headers: {
          cookie: t.sessions.admin!.cookie,
          'x-csrf-token': t.sessions.admin!.csrf,
          'content-type': 'application/json',
        },
      });

    const expectNoFault = (res: { statusCode: number; headers: Record<string, unknown> }, what: string) => {
      expect(res.statusCode, what).toBeLessThan(500);
      if (res.statusCode >= 400) expect(String(res.headers['content-type']), what).toContain('problem+json');
    };

    it('never answers 500 to hostile JSON bodies', async () => {
      const routes: ['POST' | 'PATCH', string][] = [
        ['POST', '/api/v1/enterprises'],
        ['PATCH', `/api/v1/enterprises/${USCC}`],
        ['POST', `/api/v1/enterprises/${USCC}/contacts`],
        ['POST', '/api/v1/product-categories'],
        ['POST', '/api/auth/login'],
      ];
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          for (const [method, url] of routes)
            expectNoFault(await send(method, url, payload), `${method} ${url} ${payload}`);
        }),
        { numRuns: 300 },
      );
    }, 120_000);

    it('never answers 500 to hostile query strings and paths', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            '/api/v1/enterprises',
            '/api/v1/public/enterprises',
            '/api/v1/enterprises/',
            '/api/v1/audit',
            '/api/v1/audit/',
            '/api/v1/audit/logins',
            '/api/v1/audit/export',
            '/api/v1/credit/graded',
            '/api/v1/credit/graded/export',
          ),
          query,
          text,
          async (route, qs, segment) => {
            const url = route.endsWith('/')
              ? `${route}${encodeURIComponent(segment)}?${qs}`
              : `${route}?${qs}`;
            const res = await t.app.inject({ url, headers: { cookie: t.sessions.admin!.cookie } });
            expectNoFault(res, url);
          },
        ),
        { numRuns: 300 },
      );
    }, 120_000);

    it('has stored no control character anywhere in the register', async () => {
      const rows = await rt.db.selectFrom('enterprises').selectAll().execute();
      const contacts = await rt.db.selectFrom('enterprise_contacts').selectAll().execute();
      const categories = await rt.db.selectFrom('product_categories').selectAll().execute();
      const stored = JSON.stringify([rows, contacts, categories]);
      // JSON.stringify writes most C0 controls as \u00XX, and DEL as itself
      expect(stored).not.toMatch(/\\u00[01][0-9a-f]/);
      expect(stored).not.toContain('\u007f');
    });
  });
}
