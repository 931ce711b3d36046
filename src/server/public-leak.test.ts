// No personal data leaves through a public endpoint: every GET route under /api/v1/public/ listed in
// the OpenAPI document is called for enterprises that have contacts, and no phone number, resident
// ID, contact name or e-mail of theirs may appear in any answer. A new public route is covered the
// day it is added, because the list comes from the document.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRegistry } from '../modules/registry/seed.js';
import type { Runtime } from '../platform/bootstrap.js';
import { DIALECTS, testContext } from '../testing/db.js';
import { buildApp } from './app.js';

for (const dialect of DIALECTS) {
  describe(`public routes leak no personal data [${dialect}]`, () => {
    let rt: Runtime;
    let app: FastifyInstance;
    beforeAll(async () => {
      rt = await testContext(dialect);
      await seedRegistry(rt, { scale: 'demo', seed: 7 });
      app = await buildApp(rt);
    });
    afterAll(async () => {
      await app?.close();
      await rt?.close();
    });

    it('answers every public route without a phone, resident ID, e-mail or contact name', async () => {
      const people = await rt.db
        .selectFrom('enterprise_contacts as c')
        .innerJoin('enterprises as e', 'e.id', 'c.enterprise_id')
        .select([
          'e.uscc',
          'e.name as enterprise',
          'e.legal_representative',
          'c.name',
          'c.phone',
          'c.email',
          'c.resident_id',
        ])
        .where('c.resident_id', 'is not', null)
        .orderBy('e.uscc')
        .limit(40)
        .execute();
      expect(people.length).toBeGreaterThan(10);
      const doc = (await app.inject('/api/docs/json')).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      const publicGets = Object.entries(doc.paths)
        .filter(([p, ops]) => p.startsWith('/api/v1/public/') && 'get' in ops)
        .map(([p]) => p);
      expect(publicGets.length).toBeGreaterThanOrEqual(2);

      for (const person of people) {
        const secrets = [person.phone, person.resident_id, person.email].filter((s): s is string => !!s);
        // a contact who is also the legal representative is public as such (企业信息公示暂行条例 art. 6)
        if (person.name !== person.legal_representative) secrets.push(person.name);
        for (const route of publicGets) {
          const url = route.replace('{uscc}', person.uscc);
          const q = route.includes('{') ? '' : `?q=${encodeURIComponent(person.enterprise.slice(2, 6))}`;
          const res = await app.inject(`${url}${q}`);
          expect(res.statusCode, `${url}${q}`).toBe(200);
          for (const s of secrets) expect(res.body, `${url} leaks ${s}`).not.toContain(s);
          expect(res.body).not.toMatch(/"(contacts|phone|email|residentId|resident_id)"/);
        }
      }
    });
  });
}
