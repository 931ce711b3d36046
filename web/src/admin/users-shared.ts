/** What the Users page and its dialogs share: roles, and the account shapes of /api/v1/users. */
import type { ManagedUser, Role } from '../api/types';

export const ROLES: Role[] = ['admin', 'regulator', 'townOfficer', 'enterprise', 'lab', 'maintenanceUnit'];
export const ORG_ROLES: Role[] = ['enterprise', 'lab', 'maintenanceUnit'];
export const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/** An account as the administration API lists it. */
export type AdminUser = ManagedUser & {
  /** Must change the password at the next sign-in (generated, reset, published or common). */
  mustChangeOnSignIn?: boolean;
};

/** The answer to a create or reset: the generated password is in it once, never again. */
export type AdminUserWithPassword = AdminUser & { generatedPassword?: string };

export interface UserPage {
  items: AdminUser[];
  total: number;
  page: number;
  pageSize: number;
}

export interface UserSearch {
  q?: string;
  role?: Role;
  townCode?: string;
  enterprise?: string;
  active?: boolean;
  page: number;
  pageSize: number;
}
