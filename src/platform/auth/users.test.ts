// User administration: validation of each role's binding, audit in the same transaction,
// revocation on disable and password reset, self- and last-admin protection, no hash ever out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersAdd } from '../../cli/users.js';
import { offsetClock } from '../../core/clock.js';
import type { AppError } from '../../core/errors.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import type { Runtime } from '../bootstrap.js';
import { type Actor, systemActor } from '../context.js';
import { authenticateSession, login } from './sessions.js';
import { addUser, auditRows, CHANGAN, errorCode, HUMEN, insertEnterprise, PASSWORD } from './test-helpers.js';
import { createApiToken, verifyApiToken } from './tokens.js';
import {
  changeOwnPassword,
  createUser,
  getUser,
  listUsers,
  type NewUserInput,
  type PresentedUser,
  updateUser,
} from './users.js';

const noHash = (v: unknown) => {
  const s = JSON.stringify(v);
  expect(s).not.toContain('$argon2');
  expect(s).not.toMatch(/password/i);
};

for (const dialect of DIALECTS) {
  describe(`users [${dialect}]`, () => {
    let rt: Runtime;
    let ent: { id: string; uscc: string };
    let admin: PresentedUser;
    let adminActor: Actor;
    const clock = offsetClock('2026-05-01T02:00:00.000Z');
    const base = (over: Partial<NewUserInput>): NewUserInput => ({
      username: 'x.user',
      password: PASSWORD,
      displayName: '某人',
      role: 'regulator',
      ...over,
    });
    const fieldsOf = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        const err = e as AppError;
        return { code: err.code, fields: err.fields.map((f) => `${f.field}:${f.code}`) };
      }
      return { code: 'none', fields: [] };
    };

    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
      ent = await insertEnterprise(rt);
      admin = await addUser(rt, 'root', 'admin');
      adminActor = { id: admin.id, label: admin.username, requestId: 'req-admin' };
    });
    afterAll(async () => rt?.close());

    it('creates one account per role with its binding, presented without the hash', async () => {
      const officer = await createUser({
        ctx: rt,
        actor: adminActor,
        input: base({ username: 'Chang.An', role: 'townOfficer', townCode: CHANGAN }),
      });
      expect(officer).toMatchObject({
        username: 'chang.an',
        role: 'townOfficer',
        townCode: CHANGAN,
        enterpriseId: null,
        active: true,
        lastLoginAt: null,
        lockedUntil: null,
      });
      for (const role of ['enterprise', 'lab', 'maintenanceUnit'] as const) {
        const u = await createUser({
          ctx: rt,
          actor: adminActor,
          input: base({
            username: `org-${role.toLowerCase()}`,
            role,
            enterpriseUscc: ` ${ent.uscc.toLowerCase()} `,
          }),
        });
        expect(u).toMatchObject({ role, townCode: null, enterpriseId: ent.id, enterpriseUscc: ent.uscc });
        noHash(u);
      }
      const reg = await createUser({
        ctx: rt,
        actor: adminActor,
        input: base({ username: 'reg.one', townCode: null, enterpriseUscc: '' }),
      });
      expect(reg).toMatchObject({ role: 'regulator', townCode: null, enterpriseId: null });
      noHash(officer);
      noHash(reg);
      expect(Object.keys(reg).sort()).toEqual(
        [
          'active',
          'createdAt',
          'displayName',
          'enterpriseId',
          'enterpriseName',
          'enterpriseUscc',
          'id',
          'lastLoginAt',
          'lockedUntil',
          'mustChangeOnSignIn',
          'role',
          'townCode',
          'updatedAt',
          'username',
        ].sort(),
      );
    });

    it('audits creation in the same transaction, without the hash', async () => {
      const rows = (await auditRows(rt, 'user.create')).filter((r) => r.actor_id === admin.id);
      expect(rows.length).toBeGreaterThanOrEqual(5);
      const officer = rows.find((r) => JSON.parse(r.after!).username === 'chang.an')!;
      expect(officer).toMatchObject({
        actor_label: 'root',
        resource_type: 'user',
        request_id: 'req-admin',
        before: null,
      });
      expect(JSON.parse(officer.after!)).toEqual({
        username: 'chang.an',
        displayName: '某人',
        role: 'townOfficer',
        townCode: CHANGAN,
        enterpriseId: null,
        active: true,
      });
      noHash(rows);
    });

    it.each([
      ['a short username', { username: 'ab' }, 'VALIDATION_FAILED', ['username:PATTERN']],
      ['a username with a space', { username: 'zhang san' }, 'VALIDATION_FAILED', ['username:PATTERN']],
      ['a Chinese username', { username: '张三丰' }, 'VALIDATION_FAILED', ['username:PATTERN']],
      ['a 33-character username', { username: 'a'.repeat(33) }, 'VALIDATION_FAILED', ['username:PATTERN']],
      ['an unknown role', { role: 'superuser' }, 'VALIDATION_FAILED', ['role:UNKNOWN_ROLE']],
      ['an empty display name', { displayName: '  ' }, 'VALIDATION_FAILED', ['displayName:LENGTH']],
      [
        'a weak password',
        { password: 'password12' },
        'VALIDATION_FAILED',
        ['password:PASSWORD_TOO_WEAK', 'password:PASSWORD_COMMON'],
      ],
      ['a common password', { password: 'Password@2026' }, 'VALIDATION_FAILED', ['password:PASSWORD_COMMON']],
      [
        'the published demo password',
        { password: 'Zhihui@2026' },
        'VALIDATION_FAILED',
        ['password:PASSWORD_COMMON'],
      ],
      [
        'the username as password',
        { username: 'Long.Name-01', password: 'long.name-01' },
        'VALIDATION_FAILED',
        ['password:PASSWORD_IS_USERNAME'],
      ],
      ['a town officer without a town', { role: 'townOfficer' }, 'VALIDATION_FAILED', ['townCode:REQUIRED']],
      [
        'a town officer of an unknown town',
        { role: 'townOfficer', townCode: '441900999' },
        'UNKNOWN_TOWN',
        ['townCode:UNKNOWN_TOWN'],
      ],
      ['a regulator with a town', { townCode: CHANGAN }, 'VALIDATION_FAILED', ['townCode:NOT_APPLICABLE']],
      [
        'an enterprise account without a USCC',
        { role: 'enterprise' },
        'VALIDATION_FAILED',
        ['enterpriseUscc:REQUIRED'],
      ],
      [
        'a lab of an unregistered USCC',
        { role: 'lab', enterpriseUscc: '91441900MA4UJ2TEX1' },
        'VALIDATION_FAILED',
        ['enterpriseUscc:UNKNOWN_ENTERPRISE'],
      ],
      [
        'an admin bound to an enterprise',
        { role: 'admin', enterpriseUscc: 'X' },
        'VALIDATION_FAILED',
        ['enterpriseUscc:NOT_APPLICABLE'],
      ],
      ['a taken username (any case)', { username: 'ROOT' }, 'ALREADY_EXISTS', ['username:TAKEN']],
    ] as const)('refuses %s', async (_name, over, code, fields) => {
      const before = await rt.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(
        await fieldsOf(() =>
          createUser({ ctx: rt, actor: adminActor, input: base(over as Partial<NewUserInput>) }),
        ),
      ).toEqual({ code, fields });
      const after = await rt.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('reports every problem of a bad form at once', async () => {
      const r = await fieldsOf(() =>
        createUser({
          ctx: rt,
          actor: adminActor,
          input: base({ username: '!', displayName: '', role: 'nope', password: 'x' }),
        }),
      );
      expect(r.fields).toEqual([
        'username:PATTERN',
        'displayName:LENGTH',
        'role:UNKNOWN_ROLE',
        'password:PASSWORD_TOO_SHORT',
        'password:PASSWORD_TOO_WEAK',
      ]);
    });

    it('updates profile, role and binding; moving out of a role drops its binding', async () => {
      const u = await addUser(rt, 'mover', 'townOfficer');
      const a = await updateUser({
        ctx: rt,
        actor: adminActor,
        id: u.id,
        patch: { displayName: ' 虎门专员 ', townCode: HUMEN },
      });
      expect(a).toMatchObject({ displayName: '虎门专员', townCode: HUMEN, role: 'townOfficer' });
      expect(
        await errorCode(() => updateUser({ ctx: rt, actor: adminActor, id: u.id, patch: { role: 'lab' } })),
      ).toBe('VALIDATION_FAILED');
      const b = await updateUser({
        ctx: rt,
        actor: adminActor,
        id: u.id,
        patch: { role: 'lab', enterpriseUscc: ent.uscc },
      });
      expect(b).toMatchObject({ role: 'lab', townCode: null, enterpriseId: ent.id });
      const c = await updateUser({ ctx: rt, actor: adminActor, id: u.id, patch: { role: 'regulator' } });
      expect(c).toMatchObject({ role: 'regulator', townCode: null, enterpriseId: null });
      expect(
        await errorCode(() =>
          updateUser({ ctx: rt, actor: adminActor, id: u.id, patch: { role: 'townOfficer' } }),
        ),
      ).toBe('VALIDATION_FAILED');
      const audits = (await auditRows(rt, 'user.update')).filter((r) => r.resource_id === u.id);
      expect(audits.map((r) => [JSON.parse(r.before!).role, JSON.parse(r.after!).role])).toEqual([
        ['townOfficer', 'townOfficer'],
        ['townOfficer', 'lab'],
        ['lab', 'regulator'],
      ]);
      expect(JSON.parse(audits[0]!.before!).townCode).toBe(CHANGAN);
      expect(JSON.parse(audits[0]!.after!).townCode).toBe(HUMEN);
      noHash(audits.map((r) => [r.before, r.after]));
      // A patch that changes nothing writes nothing.
      await updateUser({ ctx: rt, actor: adminActor, id: u.id, patch: { displayName: '虎门专员' } });
      expect((await auditRows(rt, 'user.update')).filter((r) => r.resource_id === u.id)).toHaveLength(3);
      expect(
        await errorCode(() =>
          updateUser({ ctx: rt, actor: adminActor, id: 'no-such-user', patch: { active: false } }),
        ),
      ).toBe('NOT_FOUND');
    });

    it('disabling revokes every session and token of the user, in the same transaction as the audit', async () => {
      const u = await addUser(rt, 'leaver', 'regulator');
      const s1 = await login({ ctx: rt, username: 'leaver', password: PASSWORD });
      const s2 = await login({ ctx: rt, username: 'leaver', password: PASSWORD });
      const tok = await createApiToken({ ctx: rt, actor: adminActor, userId: u.id, name: 'sync' });
      const disabled = await updateUser({ ctx: rt, actor: adminActor, id: u.id, patch: { active: false } });
      expect(disabled.active).toBe(false);
      expect(await authenticateSession(rt, s1.session.token)).toBeNull();
      expect(await authenticateSession(rt, s2.session.token)).toBeNull();
      expect(await verifyApiToken(rt, tok.token)).toBeNull();
      const revoked = (await auditRows(rt, 'auth.credentials.revoked')).filter((r) => r.resource_id === u.id);
      expect(revoked.map((r) => JSON.parse(r.after!))).toEqual([
        { reason: 'disabled', sessions: 2, tokens: 1 },
      ]);
      expect(await errorCode(() => login({ ctx: rt, username: 'leaver', password: PASSWORD }))).toBe(
        'ACCOUNT_DISABLED',
      );
    });

    it('a password reset clears the sign-in back-off and revokes the user’s sessions (except the one kept)', async () => {
      const u = await addUser(rt, 'forgetful', 'regulator');
      const s1 = await login({ ctx: rt, username: 'forgetful', password: PASSWORD });
      const s2 = await login({ ctx: rt, username: 'forgetful', password: PASSWORD });
      for (let i = 0; i < rt.config.loginMaxFailures; i++)
        await login({ ctx: rt, username: 'forgetful', password: 'Nope-Nope-1' }).catch(() => {});
      expect(await errorCode(() => login({ ctx: rt, username: 'forgetful', password: PASSWORD }))).toBe(
        'LOGIN_THROTTLED',
      );
      expect(
        await errorCode(() =>
          updateUser({ ctx: rt, actor: adminActor, id: u.id, patch: { password: 'Password@2026' } }),
        ),
      ).toBe('VALIDATION_FAILED');
      expect(
        await errorCode(() =>
          updateUser({ ctx: rt, actor: adminActor, id: u.id, patch: { password: 'weak' } }),
        ),
      ).toBe('VALIDATION_FAILED');
      const reset = await updateUser({
        ctx: rt,
        actor: adminActor,
        id: u.id,
        patch: { password: 'New-Secret-2026' },
        keepSessionId: s2.session.id,
      });
      noHash(reset);
      expect(reset.lockedUntil).toBeNull();
      expect(await authenticateSession(rt, s1.session.token)).toBeNull();
      expect(await authenticateSession(rt, s2.session.token)).not.toBeNull();
      expect(await errorCode(() => login({ ctx: rt, username: 'forgetful', password: PASSWORD }))).toBe(
        'INVALID_CREDENTIALS',
      );
      // The administrator knows the new password too: its owner must replace it at sign-in.
      expect(reset.mustChangeOnSignIn).toBe(true);
      const after = await login({ ctx: rt, username: 'forgetful', password: 'New-Secret-2026' });
      expect(after.user).toMatchObject({ id: u.id, mustChangePassword: true });
      const audit = (await auditRows(rt, 'user.update')).filter((r) => r.resource_id === u.id).at(-1)!;
      expect(JSON.parse(audit.after!)).toMatchObject({ passwordReset: true });
      expect(audit.after).not.toContain('New-Secret-2026');
      expect(audit.after).not.toContain('$argon2');
    });

    it('an admin cannot disable or demote themselves, and the last admin stays', async () => {
      expect(
        await errorCode(() =>
          updateUser({ ctx: rt, actor: adminActor, id: admin.id, patch: { active: false } }),
        ),
      ).toBe('INVALID_STATE');
      expect(
        await errorCode(() =>
          updateUser({ ctx: rt, actor: adminActor, id: admin.id, patch: { role: 'regulator' } }),
        ),
      ).toBe('INVALID_STATE');
      // Someone else (e.g. the CLI) trying to remove the only admin.
      expect(
        await errorCode(() =>
          updateUser({ ctx: rt, actor: systemActor('cli'), id: admin.id, patch: { active: false } }),
        ),
      ).toBe('INVALID_STATE');
      const second = await addUser(rt, 'root2', 'admin');
      const demoted = await updateUser({
        ctx: rt,
        actor: adminActor,
        id: second.id,
        patch: { role: 'regulator' },
      });
      expect(demoted.role).toBe('regulator');
      expect((await getUser(rt, admin.id))?.active).toBe(true);
    });

    it('a user changes their own password: others sessions go, this one stays', async () => {
      const u = await addUser(rt, 'changer', 'regulator');
      const here = await login({ ctx: rt, username: 'changer', password: PASSWORD });
      const there = await login({ ctx: rt, username: 'changer', password: PASSWORD });
      const actor = { id: u.id, label: u.username };
      const args = { ctx: rt, actor, userId: u.id, keepSessionId: here.session.id };
      const wrong = await fieldsOf(() =>
        changeOwnPassword({ ...args, currentPassword: 'Wrong-Password-1', newPassword: 'Next-Secret-2026' }),
      );
      expect(wrong).toEqual({ code: 'VALIDATION_FAILED', fields: ['currentPassword:WRONG_PASSWORD'] });
      const same = await fieldsOf(() =>
        changeOwnPassword({ ...args, currentPassword: PASSWORD, newPassword: PASSWORD }),
      );
      expect(same.fields).toEqual(['newPassword:UNCHANGED']);
      const weak = await fieldsOf(() =>
        changeOwnPassword({ ...args, currentPassword: PASSWORD, newPassword: 'changer' }),
      );
      expect(weak.fields).toContain('newPassword:PASSWORD_TOO_SHORT');
      await changeOwnPassword({ ...args, currentPassword: PASSWORD, newPassword: 'Next-Secret-2026' });
      expect(await authenticateSession(rt, here.session.token)).not.toBeNull();
      expect(await authenticateSession(rt, there.session.token)).toBeNull();
      expect(await errorCode(() => login({ ctx: rt, username: 'changer', password: PASSWORD }))).toBe(
        'INVALID_CREDENTIALS',
      );
      const audit = (await auditRows(rt, 'user.passwordChange')).at(-1)!;
      expect(JSON.parse(audit.after!)).toEqual({ passwordChanged: true, otherSessionsRevoked: 1 });
    });

    it('lists users by username with filters, never with the hash', async () => {
      const all = await listUsers(rt);
      expect(all.map((u) => u.username)).toEqual([...all.map((u) => u.username)].sort());
      noHash(all);
      const labs = await listUsers(rt, { role: 'lab' });
      expect(labs.length).toBeGreaterThan(0);
      expect(labs.every((u) => u.role === 'lab')).toBe(true);
      expect(labs.find((u) => u.username === 'org-lab')).toMatchObject({
        enterpriseUscc: ent.uscc,
        enterpriseName: expect.stringContaining('认证测试'),
      });
      expect((await listUsers(rt, { active: false })).map((u) => u.username)).toContain('leaver');
      expect((await listUsers(rt, { q: 'CHANG' })).map((u) => u.username)).toEqual(['chang.an', 'changer']);
      expect((await listUsers(rt, { q: '100%' })).length).toBe(0);
    });

    it('`zhihui users add` creates an account, resolving a town by name', async () => {
      const u = await usersAdd(rt, {
        username: 'cli.officer',
        password: PASSWORD,
        role: 'townOfficer',
        town: '虎门镇',
      });
      expect(u).toMatchObject({ username: 'cli.officer', displayName: 'cli.officer', townCode: HUMEN });
      const e = await usersAdd(rt, {
        username: 'cli.ent',
        password: PASSWORD,
        role: 'enterprise',
        enterprise: ent.uscc,
        displayName: '企业账号',
      });
      expect(e).toMatchObject({ enterpriseId: ent.id, displayName: '企业账号' });
      expect(
        await errorCode(() =>
          usersAdd(rt, { username: 'cli.bad', password: PASSWORD, role: 'townOfficer', town: '不存在镇' }),
        ),
      ).toBe('UNKNOWN_TOWN');
      const audit = (await auditRows(rt, 'user.create')).find((r) => r.resource_id === u.id)!;
      expect(audit).toMatchObject({ actor_id: null, actor_label: 'cli' });
    });
  });
}
