// People (issue 9 §5): an administrator edits a user's role, town, enterprise and name, searches
// users, and hands out server-generated passwords that must be changed at the first sign-in; the
// password rules hold on create, on reset and on one's own change; the demo accounts keep the
// published demo password in a demo deployment.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, ensureDemoAccounts } from '../../cli/demo.js';
import { offsetClock } from '../../core/clock.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { testApp } from '../../testing/http.js';
import type { Runtime } from '../bootstrap.js';
import { GENERATED_PASSWORD_LENGTH, passwordProblems } from './passwords.js';
import { auditRows, CHANGAN, HUMEN, insertEnterprise } from './test-helpers.js';

type App = Awaited<ReturnType<typeof testApp>>;
type Problem = {
  code: string;
  fields?: Array<{ field: string; code: string; message: { zh: string; en: string } }>;
};

const problem = (res: LightMyRequestResponse): Problem => res.json();
const fieldCodes = (res: LightMyRequestResponse) =>
  (problem(res).fields ?? []).map((f) => `${f.field}:${f.code}`);

for (const dialect of DIALECTS) {
  describe(`people: users admin, password rules, first sign-in [${dialect}]`, () => {
    let rt: Runtime;
    let t: App;
    let ent: { id: string; uscc: string };
    let other: { id: string; uscc: string };
    const clock = offsetClock('2026-06-01T02:00:00.000Z');
    let ipSerial = 0;

    /** Signs in from a fresh address (no back-off carried over) and returns a caller. */
    const signIn = async (username: string, password: string) => {
      const ip = `198.51.100.${++ipSerial}`;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password },
        headers: { 'x-forwarded-for': ip },
      });
      const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0]!;
      const csrf = res.statusCode === 200 ? (res.json().csrfToken as string) : '';
      const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
        t.app.inject({
          method,
          url,
          payload,
          headers: { cookie, 'x-csrf-token': csrf, 'x-forwarded-for': ip },
        });
      return { res, call };
    };
    const create = (body: object) => t.call('boss', 'POST', '/api/v1/users', body);
    const patch = (id: string, body: object) => t.call('boss', 'PATCH', `/api/v1/users/${id}`, body);

    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
      ent = await insertEnterprise(rt, CHANGAN);
      other = await insertEnterprise(rt, HUMEN);
      t = await testApp(rt, [{ username: 'boss', role: 'admin' }]);
    });
    afterAll(async () => {
      await t?.close();
      await rt?.close();
    });

    it('creates a user with a generated password, shown once, that must be changed before anything else', async () => {
      const res = await create({
        username: 'new.officer',
        displayName: '新来的监管员',
        role: 'regulator',
        generatePassword: true,
      });
      expect(res.statusCode).toBe(201);
      const made = res.json();
      expect(made.mustChangeOnSignIn).toBe(true);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(made.generatedPassword).toHaveLength(GENERATED_PASSWORD_LENGTH);
      expect(passwordProblems(made.generatedPassword, 'new.officer')).toEqual([]);
      const generated: string = made.generatedPassword;
      // Never shown again, never in the audit log.
      const again = (await t.call('boss', 'GET', `/api/v1/users/${made.id}`)).json();
      expect(again).not.toHaveProperty('generatedPassword');
      expect(
        JSON.stringify((await t.call('boss', 'GET', '/api/v1/users?q=new.officer')).json()),
      ).not.toContain(generated);
      const audit = (await auditRows(rt, 'user.create')).find((r) => r.resource_id === made.id)!;
      expect(JSON.parse(audit.after!)).toMatchObject({ passwordGenerated: true });
      expect(audit.after).not.toContain(generated);

      const s = await signIn('new.officer', generated);
      expect(s.res.statusCode).toBe(200);
      expect(s.res.json().passwordChangeRequired).toBe(true);
      expect((await s.call('GET', '/api/auth/me')).json().passwordChangeRequired).toBe(true);
      for (const [method, url] of [
        ['GET', '/api/v1/enterprises?limit=1'],
        ['GET', '/api/v1/tokens'],
        ['POST', '/api/v1/tokens'],
      ] as const) {
        const blocked = await s.call(method, url, method === 'POST' ? { name: 'x' } : undefined);
        expect(`${blocked.statusCode} ${problem(blocked).code}`).toBe('403 PASSWORD_CHANGE_REQUIRED');
        expect(blocked.json().message.zh).toContain('修改密码');
      }
      // A common password is refused, in Chinese and English, naming the field.
      const common = await s.call('POST', '/api/auth/password', {
        currentPassword: generated,
        newPassword: 'Woaini1314@',
      });
      expect(common.statusCode).toBe(400);
      const f = problem(common).fields!.find((x) => x.code === 'PASSWORD_COMMON')!;
      expect(f.field).toBe('newPassword');
      expect(f.message.zh).toContain('过于常见');
      expect(f.message.en).toMatch(/common/);
      expect((await s.call('GET', '/api/v1/enterprises?limit=1')).statusCode).toBe(403);

      expect(
        (
          await s.call('POST', '/api/auth/password', {
            currentPassword: generated,
            newPassword: 'Quiet-Harbour-2026',
          })
        ).statusCode,
      ).toBe(204);
      expect((await s.call('GET', '/api/auth/me')).json().passwordChangeRequired).toBe(false);
      expect((await s.call('GET', '/api/v1/enterprises?limit=1')).statusCode).toBe(200);
      expect((await t.call('boss', 'GET', `/api/v1/users/${made.id}`)).json().mustChangeOnSignIn).toBe(false);
      // The generated password no longer opens anything; the new one opens a normal session.
      expect((await signIn('new.officer', generated)).res.statusCode).toBe(401);
      expect((await signIn('new.officer', 'Quiet-Harbour-2026')).res.json().passwordChangeRequired).toBe(
        false,
      );
    });

    it('lets a user who must change the password still sign out', async () => {
      const made = (
        await create({
          username: 'leaves.early',
          displayName: '离开',
          role: 'regulator',
          generatePassword: true,
        })
      ).json();
      const s = await signIn('leaves.early', made.generatedPassword);
      expect((await s.call('POST', '/api/auth/logout')).statusCode).toBe(204);
      expect((await s.call('GET', '/api/auth/me')).statusCode).toBe(401);
    });

    it('does not mark a user whose password the administrator typed', async () => {
      const res = await create({
        username: 'typed.pw',
        displayName: '手填密码',
        role: 'regulator',
        password: 'Amber-Lantern-77',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().mustChangeOnSignIn).toBe(false);
      expect(res.json()).not.toHaveProperty('generatedPassword');
      const s = await signIn('typed.pw', 'Amber-Lantern-77');
      expect(s.res.json().passwordChangeRequired).toBe(false);
      expect((await s.call('GET', '/api/v1/enterprises?limit=1')).statusCode).toBe(200);
    });

    it('asks for a password or a generated one, not neither and not both', async () => {
      const none = await create({ username: 'no.pw', displayName: '无密码', role: 'regulator' });
      expect(none.statusCode).toBe(400);
      expect(fieldCodes(none)).toEqual(['password:REQUIRED']);
      expect(problem(none).fields![0]!.message.zh).toContain('由系统生成');
      const both = await create({
        username: 'both.pw',
        displayName: '两者',
        role: 'regulator',
        password: 'Amber-Lantern-77',
        generatePassword: true,
      });
      expect(fieldCodes(both)).toEqual(['password:EXCLUSIVE']);
      expect((await t.call('boss', 'GET', '/api/v1/users?q=no.pw')).json().total).toBe(0);
    });

    it('resets a password to a generated one: old sessions end, the owner must change it', async () => {
      const made = (
        await create({
          username: 'forgot',
          displayName: '忘记密码',
          role: 'regulator',
          password: 'Amber-Lantern-77',
        })
      ).json();
      const before = await signIn('forgot', 'Amber-Lantern-77');
      const res = await patch(made.id, { generatePassword: true });
      expect(res.statusCode).toBe(200);
      const reset = res.json();
      expect(reset.mustChangeOnSignIn).toBe(true);
      expect(passwordProblems(reset.generatedPassword, 'forgot')).toEqual([]);
      expect((await before.call('GET', '/api/auth/me')).statusCode).toBe(401);
      expect((await signIn('forgot', 'Amber-Lantern-77')).res.statusCode).toBe(401);
      const s = await signIn('forgot', reset.generatedPassword);
      expect(s.res.json().passwordChangeRequired).toBe(true);
      expect((await s.call('GET', '/api/v1/enterprises?limit=1')).json().code).toBe(
        'PASSWORD_CHANGE_REQUIRED',
      );
      const audit = (await auditRows(rt, 'user.update')).filter((r) => r.resource_id === made.id).at(-1)!;
      expect(JSON.parse(audit.after!)).toMatchObject({ passwordReset: true, passwordGenerated: true });
      expect(audit.after).not.toContain(reset.generatedPassword);
      // Both a typed password and a generated one: refused.
      expect(
        fieldCodes(await patch(made.id, { generatePassword: true, password: 'Amber-Lantern-77' })),
      ).toEqual(['password:EXCLUSIVE']);
    });

    it('applies the password rules on create, on reset and on one’s own change', async () => {
      const cases: Array<[string, string]> = [
        ['Short-1a', 'PASSWORD_TOO_SHORT'],
        ['alllowercaseletters', 'PASSWORD_TOO_WEAK'],
        ['Rule.Tester-9', 'PASSWORD_IS_USERNAME'],
        ['P@ssw0rd2026!', 'PASSWORD_COMMON'],
        ['Qq123456789!', 'PASSWORD_COMMON'],
        ['5201314woaini!', 'PASSWORD_COMMON'],
        ['Zhihui@2026', 'PASSWORD_COMMON'],
      ];
      for (const [pw, rule] of cases) {
        const res = await create({
          username: 'rule.tester-9',
          displayName: '规则',
          role: 'regulator',
          password: pw,
        });
        expect(res.statusCode, pw).toBe(400);
        expect(fieldCodes(res), pw).toContain(`password:${rule}`);
      }
      const made = (
        await create({
          username: 'rule.tester-9',
          displayName: '规则',
          role: 'regulator',
          password: 'Amber-Lantern-77',
        })
      ).json();
      for (const [pw, rule] of cases) {
        const res = await patch(made.id, { password: pw });
        expect(fieldCodes(res), pw).toContain(`password:${rule}`);
      }
      const s = await signIn('rule.tester-9', 'Amber-Lantern-77');
      for (const [pw, rule] of cases) {
        const res = await s.call('POST', '/api/auth/password', {
          currentPassword: 'Amber-Lantern-77',
          newPassword: pw,
        });
        expect(res.statusCode, pw).toBe(400);
        expect(fieldCodes(res), pw).toContain(`newPassword:${rule}`);
      }
      const short = await s.call('POST', '/api/auth/password', {
        currentPassword: 'Amber-Lantern-77',
        newPassword: 'Short-1a',
      });
      const msg = problem(short).fields!.find((x) => x.code === 'PASSWORD_TOO_SHORT')!.message;
      expect(msg.zh).toContain('至少需要 10 个字符');
      expect(msg.en).toContain('at least 10 characters');
      // Common passwords are compared case-insensitively.
      const upper = await s.call('POST', '/api/auth/password', {
        currentPassword: 'Amber-Lantern-77',
        newPassword: 'WOAINI1314@',
      });
      expect(fieldCodes(upper)).toContain('newPassword:PASSWORD_COMMON');
      // The published demo password still passes the rules where the demo seed sets it.
      expect(passwordProblems(DEMO_PASSWORD, 'admin', 'password', { allowPublished: true })).toEqual([]);
    });

    it('edits role, town, enterprise (by USCC or id) and name, with field errors, audited', async () => {
      const u = (
        await create({
          username: 'mover',
          displayName: '调岗人员',
          role: 'regulator',
          password: 'Amber-Lantern-77',
        })
      ).json();

      const noTown = await patch(u.id, { role: 'townOfficer' });
      expect(noTown.statusCode).toBe(400);
      expect(fieldCodes(noTown)).toEqual(['townCode:REQUIRED']);
      expect(problem(noTown).fields![0]!.message).toMatchObject({
        zh: expect.stringContaining('镇街'),
        en: expect.any(String),
      });
      const badTown = await patch(u.id, { role: 'townOfficer', townCode: '000000000' });
      expect(fieldCodes(badTown)).toEqual(['townCode:UNKNOWN_TOWN']);
      const town = await patch(u.id, { role: 'townOfficer', townCode: HUMEN, displayName: '虎门专员' });
      expect(town.statusCode).toBe(200);
      expect(town.json()).toMatchObject({
        role: 'townOfficer',
        townCode: HUMEN,
        displayName: '虎门专员',
        enterpriseId: null,
      });

      // An enterprise role needs an enterprise, by USCC or by id.
      expect(fieldCodes(await patch(u.id, { role: 'enterprise' }))).toEqual(['enterpriseUscc:REQUIRED']);
      expect(fieldCodes(await patch(u.id, { role: 'lab', enterpriseId: 'no-such-id' }))).toEqual([
        'enterpriseId:UNKNOWN_ENTERPRISE',
      ]);
      expect(fieldCodes(await patch(u.id, { role: 'lab', enterpriseUscc: '91441900MA00000000' }))).toEqual([
        'enterpriseUscc:UNKNOWN_ENTERPRISE',
      ]);
      expect(
        fieldCodes(await patch(u.id, { role: 'lab', enterpriseId: ent.id, enterpriseUscc: other.uscc })),
      ).toEqual(['enterpriseUscc:MISMATCH']);
      const byId = await patch(u.id, { role: 'lab', enterpriseId: ent.id });
      expect(byId.statusCode).toBe(200);
      expect(byId.json()).toMatchObject({
        role: 'lab',
        townCode: null,
        enterpriseId: ent.id,
        enterpriseUscc: ent.uscc,
      });
      const byUscc = await patch(u.id, { enterpriseUscc: other.uscc.toLowerCase() });
      expect(byUscc.json()).toMatchObject({
        role: 'lab',
        enterpriseId: other.id,
        enterpriseUscc: other.uscc,
      });

      // Other roles have no enterprise (and only a town officer a town).
      expect(fieldCodes(await patch(u.id, { role: 'regulator', enterpriseUscc: ent.uscc }))).toEqual([
        'enterpriseUscc:NOT_APPLICABLE',
      ]);
      expect(fieldCodes(await patch(u.id, { role: 'regulator', enterpriseId: ent.id }))).toEqual([
        'enterpriseId:NOT_APPLICABLE',
      ]);
      expect(fieldCodes(await patch(u.id, { role: 'regulator', townCode: CHANGAN }))).toEqual([
        'townCode:NOT_APPLICABLE',
      ]);
      expect(fieldCodes(await patch(u.id, { displayName: '   ' }))).toEqual(['displayName:LENGTH']);
      const back = await patch(u.id, { role: 'regulator' });
      expect(back.json()).toMatchObject({ role: 'regulator', townCode: null, enterpriseId: null });

      const rows = (await auditRows(rt, 'user.update')).filter((r) => r.resource_id === u.id);
      expect(rows.map((r) => JSON.parse(r.after!).role)).toEqual(['townOfficer', 'lab', 'lab', 'regulator']);
      expect(JSON.parse(rows[1]!.before!)).toMatchObject({ role: 'townOfficer', townCode: HUMEN });
      expect(JSON.parse(rows[1]!.after!)).toMatchObject({
        role: 'lab',
        enterpriseId: ent.id,
        townCode: null,
      });
    });

    it('searches users by name, role, town, enterprise and state, a page at a time', async () => {
      await create({
        username: 'search.a',
        displayName: '检索测试甲',
        role: 'townOfficer',
        townCode: CHANGAN,
        password: 'Amber-Lantern-77',
      });
      await create({
        username: 'search.b',
        displayName: '检索测试乙',
        role: 'enterprise',
        enterpriseUscc: ent.uscc,
        password: 'Amber-Lantern-77',
      });
      const c = (
        await create({
          username: 'search.c',
          displayName: '检索测试丙',
          role: 'lab',
          enterpriseId: other.id,
          password: 'Amber-Lantern-77',
        })
      ).json();
      await patch(c.id, { active: false });
      const names = async (qs: string) => {
        const res = await t.call('boss', 'GET', `/api/v1/users?${qs}`);
        expect(res.statusCode, qs).toBe(200);
        return (res.json().items as Array<{ username: string }>).map((x) => x.username);
      };
      expect(await names(`q=${encodeURIComponent('检索测试')}`)).toEqual([
        'search.a',
        'search.b',
        'search.c',
      ]);
      expect(await names('q=SEARCH.B')).toEqual(['search.b']);
      expect(await names(`q=${encodeURIComponent('检索测试')}&role=lab`)).toEqual(['search.c']);
      expect(await names(`q=search&townCode=${CHANGAN}`)).toEqual(['search.a']);
      expect(await names(`q=search&enterprise=${ent.uscc.toLowerCase()}`)).toEqual(['search.b']);
      expect(await names(`q=search&enterprise=${other.id}`)).toEqual(['search.c']);
      expect(await names('q=search&active=false')).toEqual(['search.c']);
      expect(await names('q=search&active=true')).toEqual(['search.a', 'search.b']);
      const page2 = (await t.call('boss', 'GET', '/api/v1/users?q=search&pageSize=2&page=2')).json();
      expect(page2).toMatchObject({ total: 3, page: 2, pageSize: 2 });
      expect(page2.items.map((x: { username: string }) => x.username)).toEqual(['search.c']);
      const page1 = (await t.call('boss', 'GET', '/api/v1/users?q=search&pageSize=2')).json();
      expect(page1.total).toBe(3);
      expect(page1.items).toHaveLength(2);
      const bad = await t.call('boss', 'GET', '/api/v1/users?role=mayor');
      expect(bad.statusCode).toBe(400);
      // Only administrators search users.
      const reg = (
        await create({
          username: 'plain.reg',
          displayName: '普通',
          role: 'regulator',
          password: 'Amber-Lantern-77',
        })
      ).json();
      expect(reg.id).toBeTruthy();
      const s = await signIn('plain.reg', 'Amber-Lantern-77');
      expect((await s.call('GET', '/api/v1/users?q=search')).statusCode).toBe(403);
    });

    it('keeps the demo accounts on the demo password without a forced change (DEMO=true)', async () => {
      const demoRt = await testContext(dialect, { clock });
      try {
        // The quick start and the browser tests run a demo deployment.
        demoRt.config.demo = true;
        const made = await ensureDemoAccounts(demoRt);
        expect(made.map((a) => a.username)).toEqual(
          expect.arrayContaining(['admin', 'regulator', 'changan']),
        );
        const flagged = await demoRt.db
          .selectFrom('users')
          .select(['username', 'must_change_password'])
          .where('username', 'in', ['admin', 'regulator', 'changan'])
          .execute();
        expect(flagged.every((r) => r.must_change_password === 0)).toBe(true);
        const app = await testApp(demoRt, []);
        try {
          const res = await app.app.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { username: 'admin', password: DEMO_PASSWORD },
          });
          expect(res.statusCode).toBe(200);
          expect(res.json().passwordChangeRequired).toBe(false);
        } finally {
          await app.close();
        }
      } finally {
        await demoRt.close();
      }
    });
  });
}
