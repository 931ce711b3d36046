// API tokens: plaintext once, SHA-256 at rest, expiry, revocation, last use, the user's state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import type { Runtime } from '../bootstrap.js';
import { systemActor } from '../context.js';
import { sha256Hex } from './secrets.js';
import { addUser, auditRows, errorCode } from './test-helpers.js';
import { createApiToken, listApiTokens, revokeApiToken, verifyApiToken } from './tokens.js';
import { type PresentedUser, updateUser } from './users.js';

const MIN = 60_000;

for (const dialect of DIALECTS) {
  describe(`API tokens [${dialect}]`, () => {
    let rt: Runtime;
    let owner: PresentedUser;
    let other: PresentedUser;
    const clock = offsetClock('2026-04-01T00:00:00.000Z');
    const actor = () => ({ id: owner.id, label: owner.username, requestId: 'req-t' });
    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
      owner = await addUser(rt, 'robot.owner', 'townOfficer');
      other = await addUser(rt, 'someone.else', 'regulator');
    });
    afterAll(async () => rt?.close());

    it('returns the plaintext once and keeps only its SHA-256', async () => {
      const created = await createApiToken({
        ctx: rt,
        actor: actor(),
        userId: owner.id,
        name: ' nightly sync ',
      });
      expect(created.token).toMatch(/^zh_[A-Za-z0-9_-]{43}$/);
      expect(created).toMatchObject({
        userId: owner.id,
        name: 'nightly sync',
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
      });
      const row = await rt.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      expect(row.token_hash).toBe(sha256Hex(created.token));
      expect(JSON.stringify(row)).not.toContain(created.token.slice(3));
      const listed = await listApiTokens(rt, owner.id);
      expect(listed.map((t) => t.id)).toContain(created.id);
      expect(JSON.stringify(listed)).not.toContain(created.token.slice(3));
      expect(JSON.stringify(listed)).not.toContain(row.token_hash);
      const audit = (await auditRows(rt, 'apiToken.create')).at(-1)!;
      expect(audit).toMatchObject({ resource_id: created.id, actor_id: owner.id, request_id: 'req-t' });
      expect(JSON.stringify(audit)).not.toContain(created.token.slice(3));
    });

    it('verifies to the token user (same role and scope) and records the last use at most once a minute', async () => {
      const { token, id } = await createApiToken({
        ctx: rt,
        actor: actor(),
        userId: owner.id,
        name: 'verify',
      });
      const v = await verifyApiToken(rt, token);
      expect(v).toMatchObject({
        tokenId: id,
        user: { id: owner.id, role: 'townOfficer', townCode: '441900119', via: 'token' },
      });
      const lastUsed = async () =>
        (
          await rt.db
            .selectFrom('api_tokens')
            .select('last_used_at')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).last_used_at;
      expect(await lastUsed()).toBe(clock.now().toISOString());
      const first = clock.now().toISOString();
      clock.advance(30_000);
      await verifyApiToken(rt, token);
      expect(await lastUsed()).toBe(first);
      clock.advance(31_000);
      await verifyApiToken(rt, token);
      expect(await lastUsed()).toBe(clock.now().toISOString());
    });

    it('refuses unknown and malformed tokens', async () => {
      const { token } = await createApiToken({ ctx: rt, actor: actor(), userId: owner.id, name: 'x' });
      const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
      for (const t of [flipped, token.slice(3), `${token}x`, 'zh_', '', 'Bearer'])
        expect(await verifyApiToken(rt, t)).toBeNull();
    });

    it('expires at expiresAt, which must lie in the future', async () => {
      expect(
        await errorCode(() =>
          createApiToken({
            ctx: rt,
            actor: actor(),
            userId: owner.id,
            name: 'old',
            expiresAt: '2020-01-01T00:00:00Z',
          }),
        ),
      ).toBe('VALIDATION_FAILED');
      expect(
        await errorCode(() =>
          createApiToken({ ctx: rt, actor: actor(), userId: owner.id, name: 'bad', expiresAt: 'tomorrow' }),
        ),
      ).toBe('VALIDATION_FAILED');
      expect(
        await errorCode(() => createApiToken({ ctx: rt, actor: actor(), userId: owner.id, name: ' ' })),
      ).toBe('VALIDATION_FAILED');
      const expiresAt = new Date(clock.now().getTime() + 10 * MIN);
      const { token } = await createApiToken({
        ctx: rt,
        actor: actor(),
        userId: owner.id,
        name: 'short-lived',
        expiresAt,
      });
      clock.advance(10 * MIN - 1);
      expect(await verifyApiToken(rt, token)).not.toBeNull();
      clock.advance(1);
      expect(await verifyApiToken(rt, token)).toBeNull();
    });

    it('revokes (audited, idempotent); a user cannot revoke or even see another user’s token', async () => {
      const { token, id } = await createApiToken({
        ctx: rt,
        actor: actor(),
        userId: owner.id,
        name: 'revoke-me',
      });
      expect(
        await errorCode(() =>
          revokeApiToken({ ctx: rt, actor: systemActor('x'), tokenId: id, ownerId: other.id }),
        ),
      ).toBe('NOT_FOUND');
      expect(await verifyApiToken(rt, token)).not.toBeNull();
      const revoked = await revokeApiToken({ ctx: rt, actor: actor(), tokenId: id, ownerId: owner.id });
      expect(revoked.revokedAt).toBe(clock.now().toISOString());
      await revokeApiToken({ ctx: rt, actor: actor(), tokenId: id, ownerId: owner.id });
      expect(await verifyApiToken(rt, token)).toBeNull();
      expect((await auditRows(rt, 'apiToken.revoke')).filter((r) => r.resource_id === id)).toHaveLength(1);
      expect(await errorCode(() => revokeApiToken({ ctx: rt, actor: actor(), tokenId: 'no-such-id' }))).toBe(
        'NOT_FOUND',
      );
    });

    it('stops working when its user is disabled, and stays revoked when the user comes back', async () => {
      const { token } = await createApiToken({ ctx: rt, actor: actor(), userId: other.id, name: 'theirs' });
      expect(await verifyApiToken(rt, token)).not.toBeNull();
      await updateUser({ ctx: rt, actor: systemActor('admin'), id: other.id, patch: { active: false } });
      expect(await verifyApiToken(rt, token)).toBeNull();
      expect(
        await errorCode(() => createApiToken({ ctx: rt, actor: actor(), userId: other.id, name: 'new' })),
      ).toBe('ACCOUNT_DISABLED');
      await updateUser({ ctx: rt, actor: systemActor('admin'), id: other.id, patch: { active: true } });
      expect(await verifyApiToken(rt, token)).toBeNull();
      expect(
        await errorCode(() => createApiToken({ ctx: rt, actor: actor(), userId: 'missing', name: 'x' })),
      ).toBe('NOT_FOUND');
    });
  });
}
