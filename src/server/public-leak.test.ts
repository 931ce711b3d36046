// No personal data leaves through a public endpoint: every GET route under /api/v1/public/ listed in
// the OpenAPI document is called for enterprises that have contacts, and no phone number, resident
// ID, contact name or e-mail of theirs may appear in any answer. A new public route is covered the
// day it is added, because the list comes from the document. The demo credit archive is loaded too:
// no internal grade or score, and no blacklist entry the portal may not show, leaves either.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCredit } from '../modules/credit/seed.js';
import { seedRegistry } from '../modules/registry/seed.js';
import { publishedBulletin } from '../modules/sampling/testing.js';
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
      await seedCredit(rt, { scale: 'demo', seed: 7 });
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
      // a sampling bulletin and draw record of enterprises with contacts
      const { planId } = await publishedBulletin(rt, [...new Set(people.map((p) => p.uscc))].slice(0, 6));

      const report = await rt.db
        .insertInto('credit_reports')
        .values({
          id: '019f0000-0000-7000-8000-00000000beef',
          enterprise_id: (
            await rt.db
              .selectFrom('enterprises')
              .select('id')
              .where('uscc', '=', people[0]!.uscc)
              .executeTakeFirstOrThrow()
          ).id,
          as_of: '2026-06-30',
          grade: 'C',
          score: 77,
          issued_at: '2026-06-30T02:00:00.000Z',
          issued_by: 'test',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const hidden = await rt.db
        .selectFrom('credit_blacklist as b')
        .innerJoin('enterprises as e', 'e.id', 'b.enterprise_id')
        .select(['e.uscc', 'b.state', 'b.body'])
        .where('b.state', '<>', 'published')
        .execute();
      expect(hidden.length).toBeGreaterThan(3);
      // the bulk downloads are rate-limited harder: called once each, below
      const bulk = publicGets.filter((p) => /\.(csv|json)$/.test(p));
      const bodies: string[] = [];
      const check = (url: string, body: string, secrets: string[]) => {
        for (const s of secrets) expect(body, `${url} leaks ${s}`).not.toContain(s);
        // a draw record publishes its strata (how many of each grade were in the pool, and the ratios), no one's grade
        const strataApart = body.replace(/"strata":\[[^\]]*\]/g, '"strata":[]');
        expect(strataApart, url).not.toMatch(
          /"(contacts|phone|email|residentId|resident_id|grade|score|rawScore)"/,
        );
      };
      const allSecrets: string[] = [];

      for (const person of people) {
        const secrets = [person.phone, person.resident_id, person.email].filter((s): s is string => !!s);
        // a contact who is also the legal representative is public as such (企业信息公示暂行条例 art. 6)
        if (person.name !== person.legal_representative) secrets.push(person.name);
        allSecrets.push(...secrets);
        for (const route of publicGets.filter((p) => !bulk.includes(p))) {
          const url = route
            .replace('{uscc}', person.uscc)
            .replace('{id}', report.id)
            .replace('{planId}', planId);
          const q = route.includes('{') ? '' : `?q=${encodeURIComponent(person.enterprise.slice(2, 6))}`;
          const res = await app.inject(`${url}${q}`);
          expect(res.statusCode, `${url}${q}`).toBe(200);
          check(url, res.body, secrets);
          bodies.push(res.body);
        }
      }
      for (const route of bulk) {
        const res = await app.inject(route);
        expect(res.statusCode, route).toBe(200);
        check(route, res.body, allSecrets);
        bodies.push(res.body);
      }
      // entries the portal may not show (not yet published, or removed) are in no public list or page
      const listed = (await app.inject('/api/v1/public/blacklist?limit=100'))
        .json()
        .items.map((i: { uscc: string }) => i.uscc);
      for (const h of hidden) {
        expect(listed, `${h.state} entry of ${h.uscc}`).not.toContain(h.uscc);
        const page = (await app.inject(`/api/v1/public/credit/${h.uscc}`)).json();
        expect(page.blacklist, h.state).toBeNull();
        // nor the listing's credit record, on the page or in the open data
        const decisionNo = (JSON.parse(h.body) as { penalty: { decisionNo: string } }).penalty.decisionNo;
        const listing = `严重违法失信名单 (决定书文号 ${decisionNo})`;
        expect(JSON.stringify(page.records), `${h.state} listing of ${h.uscc}`).not.toContain(listing);
        for (const body of bodies) expect(body, `${h.state} listing of ${h.uscc}`).not.toContain(listing);
      }
    });
  });
}
