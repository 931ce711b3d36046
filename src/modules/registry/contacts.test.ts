import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { testApp } from '../../testing/http.js';
import { upsertEnterprises } from './enterprises.js';

const RID = '44011320141005001X'; // GB 11643 example, born 2014-10-05

for (const dialect of DIALECTS) {
  describe(`enterprise contacts [${dialect}]`, () => {
    let rt: Runtime;
    const changan = buildEnterprise({ townCode: '441900119' });
    const humen = buildEnterprise({ townCode: '441900121' });
    let t: Awaited<ReturnType<typeof testApp>>;
    beforeAll(async () => {
      rt = await testContext(dialect, { clock: offsetClock('2026-11-26T02:00:00.000Z') });
      await rt.db.transaction().execute((trx) =>
        upsertEnterprises(trx, {
          actor: systemActor('test'),
          now: rt.clock.now(),
          rows: [changan, humen],
          source: 'test',
        }),
      );
      t = await testApp(rt, [
        { username: 'reg', role: 'regulator' },
        { username: 'changan', role: 'townOfficer', townCode: '441900119' },
      ]);
    });
    afterAll(async () => {
      await t?.close();
      await rt?.close();
    });

    const call = (...args: Parameters<typeof t.call>) => t.call(...args);

    it('adds, changes and removes a contact, validating phone and resident ID, auditing masked', async () => {
      const added = await call('changan', 'POST', `/api/v1/enterprises/${changan.uscc}/contacts`, {
        name: '陈质量',
        role: '质量负责人',
        phone: '+86 138 0013 8000',
        residentId: RID.toLowerCase(),
      });
      expect(added.statusCode).toBe(201);
      const contact = added.json().contacts[0];
      expect(contact).toMatchObject({ name: '陈质量', phone: '13800138000' });
      expect(added.body).not.toContain(RID); // the resident ID is stored, never presented

      const changed = await call(
        'changan',
        'PATCH',
        `/api/v1/enterprises/${changan.uscc}/contacts/${contact.id}`,
        { phone: '0769-22223333' },
      );
      expect(changed.json().contacts[0]).toMatchObject({ name: '陈质量', phone: '0769-22223333' });

      const audits = await rt.db
        .selectFrom('audit_log')
        .select(['action', 'after'])
        .where('resource_type', '=', 'enterpriseContact')
        .orderBy('at')
        .execute();
      expect(audits.map((a) => a.action)).toEqual(['enterprise.contact.add', 'enterprise.contact.update']);
      expect(audits.map((a) => a.after).join()).not.toContain(RID);
      expect(audits[0]!.after).toContain('138****8000');

      const removed = await call(
        'changan',
        'DELETE',
        `/api/v1/enterprises/${changan.uscc}/contacts/${contact.id}`,
      );
      expect(removed.json().contacts).toEqual([]);
    });

    it.each([
      [{ name: '甲', phone: '12345' }, 'phone', 'INVALID_PHONE'],
      [{ name: '甲', email: 'not-an-email' }, 'email', 'INVALID_EMAIL'],
      [{ name: '甲', residentId: '36042619910101007X' }, 'residentId', 'RID_CHECK'],
      [{ name: '甲', residentId: '440113190002290010' }, 'residentId', 'RID_BIRTH_DATE'],
      [{ name: '　' }, 'name', 'REQUIRED'],
    ])('rejects %j on %s with %s', async (body, field, code) => {
      const res = await call('reg', 'POST', `/api/v1/enterprises/${changan.uscc}/contacts`, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().fields).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
    });

    it('keeps a town officer to the own town', async () => {
      const res = await call('changan', 'POST', `/api/v1/enterprises/${humen.uscc}/contacts`, {
        name: '越权',
      });
      expect(res.statusCode).toBe(403);
    });
  });
}
