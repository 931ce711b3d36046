// Shared set-up of the auth test suites (not a test file itself).
import { newId } from '../../core/ids.js';
import type { Runtime } from '../bootstrap.js';
import { systemActor } from '../context.js';
import type { Role } from './policies.js';
import { createUser, type PresentedUser } from './users.js';

export const PASSWORD = 'Zhihui@2026-test';
export const CHANGAN = '441900119';
export const HUMEN = '441900121';

let serial = 0;
/** Registers a bare enterprise straight into the table (the registry's own rules are not under test here). */
export async function insertEnterprise(
  rt: Runtime,
  townCode = CHANGAN,
): Promise<{ id: string; uscc: string }> {
  serial++;
  const id = newId();
  const uscc = `91441900TEST${String(serial).padStart(5, '0')}X`.slice(0, 18);
  const now = rt.clock.now().toISOString();
  await rt.db
    .insertInto('enterprises')
    .values({
      id,
      uscc,
      name: `东莞市认证测试${serial}号有限公司`,
      legal_representative: null,
      registered_address: null,
      town_code: townCode,
      industry_code: null,
      registered_on: null,
      status: 'operating',
      scale: null,
      tags: '[]',
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  return { id, uscc };
}

export async function addUser(
  rt: Runtime,
  username: string,
  role: Role,
  over: { townCode?: string | null; enterpriseUscc?: string | null; password?: string } = {},
): Promise<PresentedUser> {
  return createUser({
    ctx: rt,
    actor: systemActor('test'),
    input: {
      username,
      password: over.password ?? PASSWORD,
      displayName: username,
      role,
      townCode: over.townCode ?? (role === 'townOfficer' ? CHANGAN : null),
      enterpriseUscc: over.enterpriseUscc ?? null,
    },
  });
}

/** Runs fn and returns the AppError code it threw (or 'none'). */
export async function errorCode(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'none';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

export async function auditRows(rt: Runtime, action: string) {
  return rt.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
}
