// Small shared pieces: the username rule and the AuthUser built from a users row.
import type { Selectable } from 'kysely';
import type { UserTable } from '../../db/schema.js';
import { type AuthUser, isRole } from './policies.js';

/** 3–32 of a-z 0-9 . _ - (input is trimmed and lower-cased first, so logins are case-insensitive). */
export const USERNAME_PATTERN = /^[a-z0-9._-]{3,32}$/;

export const normalizeUsername = (raw: string): string => raw.trim().toLowerCase();

export type PrincipalRow = Pick<
  Selectable<UserTable>,
  'id' | 'username' | 'display_name' | 'role' | 'town_code' | 'enterprise_id'
> & { must_change_password?: number };

/** The users columns a credential look-up (session or token) joins in to build its AuthUser. */
export const PRINCIPAL_COLUMNS = [
  'users.id',
  'users.username',
  'users.display_name',
  'users.role',
  'users.town_code',
  'users.enterprise_id',
  'users.active',
  'users.must_change_password',
] as const;

export function authUserOf(row: PrincipalRow, via: AuthUser['via']): AuthUser {
  if (!isRole(row.role)) throw new Error(`users.role "${row.role}" is not a known role`);
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    townCode: row.town_code,
    enterpriseId: row.enterprise_id,
    via,
    mustChangePassword: row.must_change_password === 1,
  };
}

/** A business time in Asia/Shanghai (UTC+8, no daylight saving) as 'YYYY-MM-DD HH:mm'. */
export const shanghaiMinute = (d: Date): string =>
  new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
