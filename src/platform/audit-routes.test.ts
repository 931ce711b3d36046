// The audit trail as an administrator uses it: filters that narrow, pages, the diff of a change,
// the login history with addresses, the CSV export, who may read it — and that every read of the
// trail leaves its own audit row.
import { PassThrough } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../core/clock.js';
import { DIALECTS, testContext } from '../testing/db.js';
import { TEST_PASSWORD, testApp } from '../testing/http.js';
import { writeAudit } from './audit.js';
import { AUDIT_CSV_HEADERS, auditDiff, exportAuditCsv, shanghaiDayStart } from './audit-trail.js';
import { insertEnterprise } from './auth/test-helpers.js';
import type { Runtime } from './bootstrap.js';
import { systemActor } from './context.js';

describe('auditDiff', () => {
  it('lists changed leaves by dotted path, a field on one side only against null', () => {
    expect(
      auditDiff(
        { name: 'a', address: { town: '长安', street: 'x' }, tags: ['p'], gone: 1 },
        { name: 'a', address: { town: '虎门', street: 'x' }, tags: ['p', 'q'], added: true },
      ),
    ).toEqual([
      { path: 'address.town', before: '长安', after: '虎门' },
      { path: 'tags', before: ['p'], after: ['p', 'q'] },
      { path: 'gone', before: 1, after: null },
      { path: 'added', before: null, after: true },
    ]);
    expect(auditDiff(null, { a: { b: 1 } })).toEqual([{ path: 'a.b', before: null, after: 1 }]);
    expect(auditDiff({ same: 1 }, { same: 1 })).toEqual([]);
  });

  it('puts Shanghai days at 16:00 UTC the day before', () => {
    expect(shanghaiDayStart('2026-05-02')).toBe('2026-05-01T16:00:00.000Z');
  });
});

for (const dialect of DIALECTS) {
  describe(`audit trail routes [${dialect}]`, () => {
    let rt: Runtime;
    let t: Awaited<ReturnType<typeof testApp>>;
    const clock = offsetClock('2026-06-01T02:00:00.000Z');
    let ent: { id: string; uscc: string };
    let other: { id: string; uscc: string };
    let adminId = '';
    let clerkId = '';
    let changeId = '';

    const get = (who: string, url: string) => t.call(who, 'GET', url);
    const items = (res: LightMyRequestResponse) => {
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items as Array<Record<string, unknown>>;
    };
    /** The actions listed for a query, with the trail's own reads left out. */
    const actions = async (query: string) =>
      items(await get('admin', `/api/v1/audit?hideReads=true&limit=200&${query}`)).map((i) => i.action);
    const countOf = async (action: string) =>
      (await rt.db.selectFrom('audit_log').select('id').where('action', '=', action).execute()).length;

    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
      ent = await insertEnterprise(rt);
      other = await insertEnterprise(rt);
      t = await testApp(rt, [
        { username: 'admin', role: 'admin' },
        { username: 'regulator', role: 'regulator' },
        { username: 'officer', role: 'townOfficer', townCode: '441900119' },
        { username: 'company', role: 'enterprise', enterpriseUscc: ent.uscc },
        { username: 'clerk', role: 'regulator' },
      ]);
      const users = await rt.db.selectFrom('users').select(['id', 'username']).execute();
      adminId = users.find((u) => u.username === 'admin')!.id;
      clerkId = users.find((u) => u.username === 'clerk')!.id;

      // Facts on two Shanghai days either side of midnight, by people and by the system.
      const admin = { id: adminId, label: 'admin' };
      await writeAudit(rt.db, [
        {
          actor: systemActor('seed'),
          action: 'enterprise.seed',
          resourceType: 'enterprise',
          resourceId: ent.id,
          enterpriseId: ent.id,
          after: { loaded: 1 },
          at: new Date('2026-05-01T15:30:00.000Z'), // 23:30 on 1 May in Dongguan
        },
        {
          actor: admin,
          action: 'creditRecord.create',
          resourceType: 'creditRecord',
          resourceId: 'rec-1',
          enterpriseId: ent.id,
          after: { points: -5 },
          at: new Date('2026-05-01T16:30:00.000Z'), // 00:30 on 2 May
        },
        {
          actor: admin,
          action: 'creditRecord.reverse',
          resourceType: 'creditRecord',
          resourceId: 'rec-1',
          enterpriseId: ent.id,
          after: { reversed: true },
          at: new Date('2026-05-03T02:00:00.000Z'),
        },
        {
          actor: admin,
          action: 'enterprise.update',
          resourceType: 'enterprise',
          resourceId: other.id,
          enterpriseId: other.id,
          before: { name: '旧名' },
          after: { name: '新名' },
          at: new Date('2026-05-03T03:00:00.000Z'),
        },
      ]);
      // A change through the API, ten minutes after everyone signed in (sessions idle out after 30):
      // the clerk is renamed.
      clock.set('2026-06-01T02:10:00.000Z');
      const renamed = await t.call('admin', 'PATCH', `/api/v1/users/${clerkId}`, {
        displayName: '审计测试员',
      });
      expect(renamed.statusCode, renamed.body).toBe(200);
      changeId = (
        await rt.db
          .selectFrom('audit_log')
          .select('id')
          .where('action', '=', 'user.update')
          .where('resource_id', '=', clerkId)
          .executeTakeFirstOrThrow()
      ).id;
    });
    afterAll(async () => {
      await t?.close();
      await rt?.close();
    });

    it('lists newest first with actor, action, resource, enterprise and request id', async () => {
      const list = items(await get('admin', '/api/v1/audit?hideReads=true&actor=admin'));
      expect(list[0]).toMatchObject({
        id: changeId,
        actorId: adminId,
        actorLabel: 'admin',
        action: 'user.update',
        resourceType: 'user',
        resourceId: clerkId,
        requestId: expect.any(String),
      });
      const ats = list.map((i) => String(i.at));
      expect([...ats].sort().reverse()).toEqual(ats);
      const update = list.find((i) => i.action === 'enterprise.update');
      expect(update).toMatchObject({ enterpriseId: other.id, enterpriseUscc: other.uscc });
      expect(String(update?.enterpriseName)).toContain('东莞市认证测试');
    });

    it('narrows by actor (username, id, or a system actor), action (exact or prefix) and resource', async () => {
      const byName = await actions('actor=admin');
      expect(byName).toEqual([
        'user.update',
        'auth.login.succeeded',
        'enterprise.update',
        'creditRecord.reverse',
        'creditRecord.create',
      ]);
      expect(await actions(`actor=${adminId}`)).toEqual(byName);
      expect(await actions('actor=seed')).toEqual(['enterprise.seed']);
      expect(await actions('actor=clerk')).toEqual(['auth.login.succeeded']);
      expect(await actions('actor=admin&action=creditRecord.create')).toEqual(['creditRecord.create']);
      expect(await actions('actor=admin&action=creditRecord.')).toEqual([
        'creditRecord.reverse',
        'creditRecord.create',
      ]);
      expect(await actions('action=credit*')).toEqual(['creditRecord.reverse', 'creditRecord.create']);
      expect(await actions('action=enterprise*')).toEqual(['enterprise.update', 'enterprise.seed']);
      expect(await actions('resourceType=creditRecord&resourceId=rec-1')).toEqual([
        'creditRecord.reverse',
        'creditRecord.create',
      ]);
      expect(await actions(`resourceType=user&resourceId=${clerkId}&actor=admin`)).toEqual(['user.update']);
    });

    it('narrows by enterprise (USCC or id) and by Shanghai days, both ends included', async () => {
      // user.create: the enterprise's own account, made when the suite began
      const ofEnt = ['user.create', 'creditRecord.reverse', 'creditRecord.create', 'enterprise.seed'];
      expect(await actions(`enterprise=${ent.uscc}`)).toEqual(ofEnt);
      expect(await actions(`enterprise=${ent.uscc.toLowerCase()}`)).toEqual(ofEnt);
      expect(await actions(`enterprise=${ent.id}`)).toEqual(ofEnt);
      expect(await actions(`enterprise=${other.uscc}`)).toEqual(['enterprise.update']);
      // 23:30 on 1 May is 1 May; 00:30 on 2 May is 2 May, though both are 1 May in UTC.
      expect(await actions('from=2026-05-01&to=2026-05-01')).toEqual(['enterprise.seed']);
      expect(await actions('from=2026-05-02&to=2026-05-02')).toEqual(['creditRecord.create']);
      expect(await actions('from=2026-05-01&to=2026-05-03')).toEqual([
        'enterprise.update',
        'creditRecord.reverse',
        'creditRecord.create',
        'enterprise.seed',
      ]);
      expect(await actions('to=2026-05-02')).toEqual(['creditRecord.create', 'enterprise.seed']);
      expect(await actions(`from=2026-05-03&enterprise=${ent.uscc}`)).toEqual([
        'user.create',
        'creditRecord.reverse',
      ]);
      expect(await actions(`from=2026-05-03&to=2026-05-31&enterprise=${ent.uscc}`)).toEqual([
        'creditRecord.reverse',
      ]);
    });

    it('pages by cursor without repeats or gaps', async () => {
      const all = items(await get('admin', '/api/v1/audit?hideReads=true&limit=200')).map((i) => i.id);
      expect(all.length).toBeGreaterThan(6);
      const seen: unknown[] = [];
      let cursor = '';
      for (let n = 0; n < 50; n++) {
        const res = await get(
          'admin',
          `/api/v1/audit?hideReads=true&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        const page = res.json();
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((i: { id: string }) => i.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(all);
    });

    it('refuses a bad filter with a 400 problem naming the field', async () => {
      const field = async (query: string) => {
        const res = await get('admin', `/api/v1/audit?${query}`);
        expect(res.statusCode, res.body).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
        return res.json().fields.map((f: { field: string }) => f.field);
      };
      expect(await field('from=2026-02-30')).toEqual(['from']);
      expect(await field('to=yesterday')).toEqual(['to']);
      expect(await field('from=2026-05-03&to=2026-05-01')).toEqual(['to']);
      expect(await field('enterprise=91441900NOSUCH0000X')).toEqual(['enterprise']);
      expect(await field('action=credit%20record')).toEqual(['action']);
      expect(await field('limit=500')).toEqual(['limit']);
      expect(await field('cursor=not-a-cursor')).toEqual(['cursor']);
      expect(await field('colour=red')).toEqual(['colour']);
      const logins = await get('admin', '/api/v1/audit/logins?from=2026-13-01');
      expect(logins.statusCode).toBe(400);
      expect(logins.json().fields[0].field).toBe('from');
      const exported = await get('admin', '/api/v1/audit/export?to=2026-02-30');
      expect(exported.statusCode).toBe(400);
      expect(exported.json().fields[0].field).toBe('to');
    });

    it('shows one entry with before, after and the changed field of a user.update', async () => {
      const res = await get('admin', `/api/v1/audit/${changeId}`);
      expect(res.statusCode, res.body).toBe(200);
      const entry = res.json();
      expect(entry).toMatchObject({ action: 'user.update', actorLabel: 'admin', resourceId: clerkId });
      expect(entry.before.displayName).toBe('clerk');
      expect(entry.after.displayName).toBe('审计测试员');
      expect(entry.diff).toEqual([{ path: 'displayName', before: 'clerk', after: '审计测试员' }]);
      const missing = await get('admin', '/api/v1/audit/no-such-entry');
      expect(missing.statusCode).toBe(404);
      expect(missing.json().code).toBe('NOT_FOUND');
    });

    it('shows a user’s failed then successful sign-in with the address, and attempts on unknown names', async () => {
      const signIn = (username: string, password: string) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username, password },
          headers: { 'x-forwarded-for': '198.51.100.7' },
        });
      clock.set('2026-06-01T02:15:00.000Z');
      expect((await signIn('clerk', 'Wrong-Password-9')).statusCode).toBe(401);
      clock.set('2026-06-01T02:16:00.000Z');
      const ok = await signIn('clerk', TEST_PASSWORD);
      expect(ok.statusCode).toBe(200);
      clock.set('2026-06-01T02:17:00.000Z');
      await signIn('nobody.here', 'Wrong-Password-9');
      clock.set('2026-06-01T02:20:00.000Z');

      const page = (await get('admin', '/api/v1/audit/logins?user=clerk')).json();
      expect(page.user).toEqual({ id: clerkId, username: 'clerk' });
      expect(page.items.slice(0, 2)).toMatchObject([
        { event: 'succeeded', username: 'clerk', userId: clerkId, ip: '198.51.100.7' },
        { event: 'failed', username: 'clerk', reason: 'wrongPassword', ip: '198.51.100.7', failures: 1 },
      ]);
      // the sign-in testApp made at the start, from the loopback address
      expect(page.items[2]).toMatchObject({ event: 'succeeded', ip: '127.0.0.1' });
      expect(page.items).toHaveLength(3);

      const byId = (await get('admin', `/api/v1/audit/logins?user=${clerkId}`)).json();
      expect(byId.items.map((i: { id: string }) => i.id)).toEqual(
        page.items.map((i: { id: string }) => i.id),
      );
      const unknown = (await get('admin', '/api/v1/audit/logins?user=nobody.here')).json();
      expect(unknown.user).toBeNull();
      expect(unknown.items).toMatchObject([
        { event: 'failed', username: 'nobody.here', userId: null, reason: 'unknownUser', ip: '198.51.100.7' },
      ]);
      const day = (await get('admin', '/api/v1/audit/logins?from=2026-06-01&to=2026-06-01')).json();
      expect(day.items.map((i: { username: string }) => i.username)).toEqual(
        expect.arrayContaining(['clerk', 'nobody.here', 'admin', 'regulator']),
      );
      const before = (await get('admin', '/api/v1/audit/logins?to=2026-05-31')).json();
      expect(before.items).toEqual([]);
    });

    it('shows sign-outs in the history', async () => {
      const s = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'clerk', password: TEST_PASSWORD },
        headers: { 'x-forwarded-for': '198.51.100.8' },
      });
      const cookie = String(s.headers['set-cookie']).split(';')[0]!;
      clock.set('2026-06-01T02:22:00.000Z');
      const out = await t.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie, 'x-csrf-token': s.json().csrfToken },
      });
      expect(out.statusCode).toBe(204);
      const page = (await get('admin', '/api/v1/audit/logins?user=clerk&limit=2')).json();
      expect(page.items).toMatchObject([
        { event: 'logout', username: 'clerk' },
        { event: 'succeeded', ip: '198.51.100.8' },
      ]);
      expect(page.nextCursor).toEqual(expect.any(String));
    });

    it('exports the filtered rows as CSV: BOM, Chinese headers, the rows of the screen', async () => {
      const res = await get('admin', '/api/v1/audit/export?actor=admin&hideReads=true');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      expect(String(res.headers['content-disposition'])).toContain('attachment');
      expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const lines = res.body
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(lines[0]).toBe(AUDIT_CSV_HEADERS.join(','));
      expect(lines[0]).toBe('时间,操作人,操作,对象类型,对象编号,企业名称,统一社会信用代码,请求编号,记录编号');
      expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual([
        'user.update',
        'auth.login.succeeded',
        'enterprise.update',
        'creditRecord.reverse',
        'creditRecord.create',
      ]);
      const change = lines[1]!.split(',');
      expect(change.slice(0, 5)).toEqual(['2026-06-01 10:10:00', 'admin', 'user.update', 'user', clerkId]);
      expect(change[8]).toBe(changeId);
      const credit = lines[5]!.split(',');
      expect(credit[0]).toBe('2026-05-02 00:30:00'); // Dongguan wall time
      expect(credit[5]).toContain('东莞市认证测试');
      expect(credit[6]).toBe(ent.uscc);
    });

    it('caps the export and says so on its last line', async () => {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const done = await exportAuditCsv(rt, {}, out, { maxRows: 3 });
      out.end();
      expect(done).toEqual({ rows: 3, truncated: true });
      const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\r\n');
      expect(lines).toHaveLength(5);
      expect(lines[4]).toContain('已截断');
      const all = new PassThrough();
      all.resume();
      expect((await exportAuditCsv(rt, { actor: 'seed' }, all, { maxRows: 3 })).truncated).toBe(false);
    });

    it('lets a regulator read it, and refuses town officers and enterprises (403)', async () => {
      expect((await get('regulator', '/api/v1/audit?limit=1')).statusCode).toBe(200);
      expect((await get('regulator', '/api/v1/audit/logins?user=admin')).statusCode).toBe(200);
      for (const who of ['officer', 'company'])
        for (const url of [
          '/api/v1/audit',
          `/api/v1/audit/${changeId}`,
          '/api/v1/audit/logins',
          '/api/v1/audit/export',
        ]) {
          const res = await get(who, url);
          expect(`${who} ${url} ${res.statusCode}`).toBe(`${who} ${url} 403`);
          expect(res.json().code).toBe('FORBIDDEN');
        }
    });

    it('audits every read of the trail: search, view, logins and export, with what was asked', async () => {
      const latest = async (action: string) =>
        rt.db
          .selectFrom('audit_log')
          .selectAll()
          .where('action', '=', action)
          .orderBy('id', 'desc')
          .executeTakeFirstOrThrow();
      const counts = async () =>
        Promise.all(['audit.search', 'audit.view', 'audit.logins', 'audit.export'].map(countOf));
      const [search0, view0, logins0, export0] = await counts();

      await get('regulator', `/api/v1/audit?actor=admin&enterprise=${ent.uscc}`);
      expect((await counts())[0]).toBe(search0! + 1);
      const search = await latest('audit.search');
      expect(search.actor_label).toBe('regulator');
      expect(search.request_id).toEqual(expect.any(String));
      expect(JSON.parse(search.after!)).toEqual({
        actor: 'admin',
        enterprise: ent.uscc,
        limit: 50,
        returned: 2,
      });

      await get('regulator', `/api/v1/audit/${changeId}`);
      expect((await counts())[1]).toBe(view0! + 1);
      const view = await latest('audit.view');
      expect(view).toMatchObject({
        actor_label: 'regulator',
        resource_type: 'auditLog',
        resource_id: changeId,
      });

      await get('regulator', '/api/v1/audit/logins?user=clerk');
      expect((await counts())[2]).toBe(logins0! + 1);
      expect(await latest('audit.logins')).toMatchObject({ resource_id: clerkId });

      await get('regulator', '/api/v1/audit/export?action=user.');
      expect((await counts())[3]).toBe(export0! + 1);
      expect(JSON.parse((await latest('audit.export')).after!)).toMatchObject({ action: 'user.' });

      // The reads are in the trail itself, and listed when asked for.
      const reads = await actions('actor=regulator&action=audit.');
      expect(reads.slice(0, 4)).toEqual(['audit.export', 'audit.logins', 'audit.view', 'audit.search']);
      // A refused read is not a read.
      const before = await countOf('audit.search');
      await get('officer', '/api/v1/audit');
      expect(await countOf('audit.search')).toBe(before);
    });
  });
}
